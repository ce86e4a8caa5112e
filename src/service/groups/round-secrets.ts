/**
 * The secrets of a group round. The coordinator's capability is a token
 * like a resume token (256 random bits, stored as a hash, compared in
 * constant time). The invitation code reads like a resume code (it is
 * typed in the terminal and said aloud in a meeting); it is stored as a
 * hash for lookup and, so that the coordinator page can show it again, as
 * a copy sealed (AES-256-GCM) under a key derived from the coordinator's
 * token: a copy of the store gives away neither.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { GovError } from '../../errors.js';
import { newResumeCode, normalizeResumeCode, sha256Hex } from '../secrets.js';

export { newToken, tokenMatches, hashToken } from '../secrets.js';

/** A round id: 128 random bits. Not a secret on its own: every call also needs a token or the link. */
export const newRoundId = (): string => `g_${randomBytes(16).toString('base64url')}`;

export const newInvitationCode = newResumeCode;
/** The canonical form of a typed invitation code (same alphabet and forgiveness as resume codes), or null. */
export const normalizeInvitationCode = normalizeResumeCode;
export const hashInvitationCode = (code: string): string => sha256Hex(`invitation-code:${code}`);

export interface Sealed {
  iv: string;
  data: string;
  tag: string;
}

const keyFor = (coordinatorToken: string, roundId: string) => createHmac('sha256', coordinatorToken).update(`govstage:invitation-key:${roundId}`).digest();

export function sealInvitation(code: string, coordinatorToken: string, roundId: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(coordinatorToken, roundId), iv);
  const data = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64url'), data: data.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') };
}

/** The invitation code, opened with the coordinator's token (which the caller has already checked). */
export function openInvitation(sealed: Sealed, coordinatorToken: string, roundId: string): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(coordinatorToken, roundId), Buffer.from(sealed.iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64url')), decipher.final()]).toString('utf8');
  } catch (error) {
    // The token matched the round's hash, so only damage to the stored copy can get here.
    throw new GovError('UNRESTORABLE', `The invitation code of group round "${roundId}" cannot be opened: replace it with a new one.`, { id: roundId }, { cause: error });
  }
}
