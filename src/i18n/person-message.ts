/**
 * What a person is told about a failure, in their language: the error's own
 * words when it has them (`say`), else the general words of its kind. Never
 * the error's message, which is for logs and API clients (it may name a file,
 * an id or the database).
 */
import { toGovError, type ErrorKind } from '../errors.js';
import type { KeyIn, Words } from './words.js';

const BY_KIND: Record<ErrorKind, KeyIn<'errors'>> = {
  BAD_INPUT: 'badInput',
  UNAUTHORIZED: 'notYours',
  FORBIDDEN: 'badInput',
  NOT_FOUND: 'notYours',
  CONFLICT: 'badInput',
  EXPIRED: 'badInput',
  TOO_LARGE: 'badInput',
  RATE_LIMITED: 'rateLimited',
  INVALID_DATA: 'internal',
  UNRESTORABLE: 'unrestorable',
  UNAVAILABLE: 'unavailable',
  INTERNAL: 'internal',
};

export function personMessage(error: unknown, words: Words): string {
  const gov = toGovError(error);
  if (gov.say) return words.format(`errors.${gov.say.key}`, gov.say.values);
  const seconds = typeof gov.details?.retryAfterSeconds === 'number' ? gov.details.retryAfterSeconds : 60;
  return words.format(`errors.${BY_KIND[gov.kind]}`, { seconds });
}
