/**
 * Slack request signing, as Slack documents it: the signature is
 * `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the app's
 * signing secret, and requests older than five minutes are refused (replay
 * protection). Pure: the clock is passed in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Requests whose timestamp is further than this from now (either way) are refused. */
export const MAX_SIGNATURE_AGE_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing-headers' | 'bad-timestamp' | 'stale' | 'mismatch' };

export interface SignatureInput {
  signingSecret: string;
  /** The raw request body, exactly as received (no re-serialisation). */
  body: string | Buffer;
  /** The X-Slack-Request-Timestamp header (seconds since the epoch). */
  timestamp: string | undefined;
  /** The X-Slack-Signature header (`v0=…`). */
  signature: string | undefined;
  /** Now, in milliseconds since the epoch. */
  now: number;
}

export function signSlackRequest(signingSecret: string, timestamp: string | number, body: string | Buffer): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(body);
  return `v0=${hmac.digest('hex')}`;
}

/**
 * The checks that need no body: both headers present, the timestamp a number
 * within five minutes of now, the signature shaped like one. Run before the
 * body is read, so a request that cannot be Slack's costs no reading or hashing.
 */
export function checkSignatureHeaders({ timestamp, signature, now }: Pick<SignatureInput, 'timestamp' | 'signature' | 'now'>): SignatureCheck {
  if (!timestamp || !signature) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
  if (Math.abs(Math.floor(now / 1000) - Number(timestamp)) > MAX_SIGNATURE_AGE_SECONDS) return { ok: false, reason: 'stale' };
  if (!/^v0=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}

export function verifySlackSignature(input: SignatureInput): SignatureCheck {
  const { timestamp, signature } = input;
  const headers = checkSignatureHeaders(input);
  if (!headers.ok) return headers;
  // (Checked by checkSignatureHeaders; repeated for the types.)
  if (!timestamp || !signature) return { ok: false, reason: 'missing-headers' };
  const expected = Buffer.from(signSlackRequest(input.signingSecret, timestamp, input.body), 'utf8');
  const actual = Buffer.from(signature, 'utf8');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}
