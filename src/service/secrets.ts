/**
 * Tokens and resume codes: random, shown to the person once, stored only as
 * a sha256 hash, compared in constant time.
 */
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

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

/**
 * A token derived from one the caller holds (HMAC-SHA256 keyed with it): the
 * same every time it is derived, so a retried request can be given the same
 * secret again without it ever being stored, and out of reach of anyone
 * without the key (the store holds only hashes of both).
 */
export const deriveToken = (key: string, purpose: string): string => createHmac('sha256', key).update(purpose).digest('base64url');

/** A resume code derived like `deriveToken`: 10 characters of 5 bits each (256 is a multiple of 32, so unbiased). */
export function deriveResumeCode(key: string, purpose: string): string {
  const bytes = createHmac('sha256', key).update(purpose).digest();
  let code = '';
  for (let i = 0; i < RESUME_CODE_LENGTH; i++) code += CODE_ALPHABET[(bytes[i] ?? 0) % CODE_ALPHABET.length];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** The id of the conversation a "new assessment" turn opens: the same for every retry of that turn. */
export const openedConversationId = (fromId: string, turnId: string): string =>
  `c_${createHash('sha256').update(JSON.stringify(['opened-by', fromId, turnId])).digest('base64url').slice(0, 22)}`;

export const hashResumeCode = (code: string): string => sha256Hex(`resume-code:${code}`);
export const hashToken = (token: string): string => sha256Hex(`token:${token}`);

/** Does `token` hash to `expectedHash`? Constant time in the hash comparison. */
export function tokenMatches(token: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
