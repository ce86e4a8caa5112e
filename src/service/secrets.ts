/**
 * Tokens and resume codes: random, shown to the person once, stored only as
 * a sha256 hash, compared in constant time.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A bearer token: 256 random bits, URL-safe. */
export const newToken = (): string => randomBytes(32).toString('base64url');

/** A conversation id: 128 random bits. Not a secret on its own: every call also needs the token. */
export const newConversationId = (): string => `c_${randomBytes(16).toString('base64url')}`;

/**
 * Resume codes use Crockford's base32 alphabet (no I, L, O, U), so they read
 * aloud and type easily; 10 characters give 50 random bits, far beyond reach
 * of guessing under the resume rate limit (see SECURITY.md).
 */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RESUME_CODE_LENGTH = 10;

export function newResumeCode(): string {
  let code = '';
  for (let i = 0; i < RESUME_CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Canonical form of a typed code: case, spaces, dashes and look-alike letters forgiven. Null if it cannot be a code. */
export function normalizeResumeCode(input: string): string | null {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0')
    .replace(/U/g, 'V');
  if (cleaned.length !== RESUME_CODE_LENGTH) return null;
  for (const ch of cleaned) if (!CODE_ALPHABET.includes(ch)) return null;
  return `${cleaned.slice(0, 5)}-${cleaned.slice(5)}`;
}

export const hashResumeCode = (code: string): string => sha256Hex(`resume-code:${code}`);
export const hashToken = (token: string): string => sha256Hex(`token:${token}`);

/** Does `token` hash to `expectedHash`? Constant time in the hash comparison. */
export function tokenMatches(token: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
