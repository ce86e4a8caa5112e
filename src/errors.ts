/**
 * The one place that defines Govstage's error kinds.
 *
 * Code deep inside returns or throws a `GovError`; boundaries (HTTP, Slack,
 * terminal, start-up) turn it into a status, a message for the person and a
 * log line. `httpStatus` lives here so every boundary agrees.
 */
import type { KeyIn } from './i18n/words.js';
export const ERROR_KINDS = {
  /** The input could not be understood (bad JSON, wrong types, unknown choice). */
  BAD_INPUT: { httpStatus: 400 },
  /** No or wrong credentials. Never says whether the thing exists. */
  UNAUTHORIZED: { httpStatus: 401 },
  /** Credentials are fine but the caller may not do this. */
  FORBIDDEN: { httpStatus: 403 },
  /** Nothing there (or not yours: we answer the same, to leak nothing). */
  NOT_FOUND: { httpStatus: 404 },
  /** The conversation moved on meanwhile (revision or turn conflict). */
  CONFLICT: { httpStatus: 409 },
  /** A resume code or report link that is past its expiry. */
  EXPIRED: { httpStatus: 410 },
  /** A body larger than the limit. */
  TOO_LARGE: { httpStatus: 413 },
  /** Rate limit hit. */
  RATE_LIMITED: { httpStatus: 429 },
  /** A rubric or flow file that fails validation (start-up refuses to run). */
  INVALID_DATA: { httpStatus: 500 },
  /** A stored conversation that cannot be read, restored or migrated. */
  UNRESTORABLE: { httpStatus: 422 },
  /** The store or another dependency is down. */
  UNAVAILABLE: { httpStatus: 503 },
  /** A bug: something we did not expect. */
  INTERNAL: { httpStatus: 500 },
} as const;

export type ErrorKind = keyof typeof ERROR_KINDS;

/**
 * What to tell a person, in their language: a key of the `errors` section of
 * the locale catalogues (src/i18n/person-message.ts renders it). The message
 * itself is for logs and API clients; without `say`, a person is told the
 * kind's general words.
 */
export interface Say {
  key: KeyIn<'errors'>;
  values?: Record<string, string | number>;
}

export class GovError extends Error {
  readonly kind: ErrorKind;
  /** Extra facts for logs and machine readers; never secrets. */
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly say: Say | undefined;

  constructor(kind: ErrorKind, message: string, details?: Record<string, unknown>, options?: { cause?: unknown; say?: Say }) {
    super(message, options);
    this.name = 'GovError';
    this.kind = kind;
    this.details = details;
    this.say = options?.say;
  }

  get httpStatus(): number {
    return ERROR_KINDS[this.kind].httpStatus;
  }
}

export function isGovError(value: unknown): value is GovError {
  return value instanceof GovError;
}

/** Wrap anything thrown into a GovError, keeping the original as `cause`. */
export function toGovError(value: unknown): GovError {
  if (value instanceof GovError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new GovError('INTERNAL', message, undefined, { cause: value });
}

/** A value-or-error result, for code paths that must never throw (restoring snapshots, turns). */
export type Result<T> = { ok: true; value: T } | { ok: false; error: GovError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: GovError): Result<T> => ({ ok: false, error });
