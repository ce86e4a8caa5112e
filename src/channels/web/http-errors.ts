/**
 * Where every error of the web channel becomes an HTTP answer and a log line:
 * GovError kinds map to their status, body-parser failures to 400/413, and
 * anything unexpected to a 500 that says nothing about internals.
 */
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { ERROR_KINDS, GovError, isGovError, type ErrorKind } from '../../errors.js';
import { currentRequestId, type Logger } from '../../log.js';
import { acceptLanguages } from '../../core/i18n/negotiate.js';
import { personMessage } from '../../i18n/person-message.js';
import type { Locales } from '../../i18n/words.js';

/** Parse a request part with a zod schema; a failure is a BAD_INPUT that names the field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${what}.${issue.path.join('.')}` : what;
  throw new GovError('BAD_INPUT', `${where}: ${issue?.message ?? 'is invalid'}`);
}

/** body-parser's own errors carry `type`; turn them into ours. */
function fromBodyParser(error: unknown): GovError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  const type = (error as { type: unknown }).type;
  if (type === 'entity.too.large') return new GovError('TOO_LARGE', 'The request body is too large.');
  if (type === 'entity.parse.failed') return new GovError('BAD_INPUT', 'The request body is not valid JSON.');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new GovError('BAD_INPUT', 'The request body encoding is not supported; send UTF-8 JSON.');
  if (type === 'request.aborted') return new GovError('BAD_INPUT', 'The request was aborted.');
  return new GovError('BAD_INPUT', 'The request body could not be read.');
}

/** A path segment that looks like a secret (a report link token): long and random, not a conversation id. */
const SECRET_SEGMENT = /^(?!c_)[A-Za-z0-9_-]{20,}$/;
const CONVERSATION_SEGMENT = /^c_[A-Za-z0-9_-]{10,64}$/;

/**
 * A request path fit for a log line: no query string (it may carry a resume
 * code), token-like segments (report links) replaced, and bounded in length.
 */
export function loggablePath(path: string): string {
  const bare = path.split('?')[0] ?? '';
  const safe = bare
    .split('/')
    .map((segment) => (SECRET_SEGMENT.test(segment) ? ':token' : segment))
    .join('/');
  return safe.length > 200 ? `${safe.slice(0, 200)}…` : safe;
}

/** A text fit for a log line: token-like runs (a report link, a bearer token quoted back) replaced. */
export function loggableText(text: string): string {
  return text.replace(/(?<![A-Za-z0-9_-])(?!c_)[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])/g, ':token');
}

/** The conversation a request is about, if its path names one (ids are not secrets). */
export function conversationIdOf(path: string): string | undefined {
  return path.split('/').find((segment) => CONVERSATION_SEGMENT.test(segment));
}

/**
 * One log line per request, when its answer is sent (or the client gave up):
 * method, path without query string, status, duration and conversation id.
 * Never headers (tokens) and never bodies (answers, resume codes).
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const path = req.path;
    const line = (aborted: boolean) => {
      const entry = {
        method: req.method,
        path: loggablePath(path),
        status: res.statusCode,
        ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
        ...(conversationIdOf(path) ? { conversationId: conversationIdOf(path) } : {}),
        ...(aborted ? { aborted: true } : {}),
      };
      // Health checks run every few seconds; they would drown the rest.
      if (path === '/healthz' || path === '/readyz') logger.debug(entry, 'request');
      else logger.info(entry, 'request');
    };
    res.once('finish', () => line(false));
    res.once('close', () => {
      if (!res.writableFinished) line(true);
    });
    next();
  };
}

/**
 * Errors raised by express itself carry a 4xx `status`: the client's fault,
 * not ours (a path with broken percent-encoding such as /api/conversations/%C0%AE
 * makes the router throw a URIError with status 400).
 */
function fromFramework(error: unknown): GovError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  if (code === undefined || code < 400 || code >= 500) return undefined;
  const kind = (Object.keys(ERROR_KINDS) as ErrorKind[]).find((k) => ERROR_KINDS[k].httpStatus === code) ?? 'BAD_INPUT';
  const message = error instanceof URIError ? 'The request path is not valid: it has a broken %-encoding.' : 'The request could not be understood.';
  return new GovError(kind, message);
}

/**
 * What a client is told about a failure on our side. The message of a 5xx
 * error is for the operator (it can name a file, an errno, the database
 * server): it goes to the log line, never into the answer.
 */
export const UNAVAILABLE_MESSAGE = 'The service is unavailable for a moment. Please try again shortly; a retried answer is not counted twice.';
const INTERNAL_MESSAGE = 'Something went wrong on our side. Nothing you sent was lost; please try again.';
/** Seconds a client should wait before retrying a 503 that does not say otherwise. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The language a person reading this answer wants: `?locale=`, else the
 * request's Accept-Language (the widget sends its own language there).
 */
export function requestLocale(req: Request, locales: Locales): string {
  const asked = typeof req.query?.locale === 'string' ? req.query.locale : undefined;
  return locales.negotiate([asked, ...acceptLanguages(req.get('accept-language'))]);
}

/**
 * `locales`: what a person is told (an error's own words, or its kind's when
 * it is ours to keep quiet about) is in the request's language; an error
 * without words for people keeps its message, which is for API clients.
 */
export function errorHandler(logger: Logger, locales?: Locales): ErrorRequestHandler {
  return (error: unknown, req: Request, res, next) => {
    if (res.headersSent) return next(error);
    const gov = isGovError(error) ? error : fromBodyParser(error) ?? fromFramework(error) ?? new GovError('INTERNAL', INTERNAL_MESSAGE, undefined, { cause: error });
    const status = gov.httpStatus;
    const path = loggablePath(req.path);
    const log = { kind: gov.kind, status, method: req.method, path };
    if (status >= 500) logger.error({ ...log, err: error }, 'request failed');
    // Messages may quote the path (a not-found), where a report link carries its token.
    else logger.info(log, loggableText(gov.message));
    const retryAfter = gov.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    else if (status === 503) res.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    const extra: Record<string, unknown> = {};
    if (Array.isArray(gov.details?.messages)) extra.messages = gov.details.messages;
    if (typeof gov.details?.revision === 'number') extra.revision = gov.details.revision;
    const words = locales?.words(requestLocale(req, locales));
    // A 5xx says nothing of what went wrong (its message is for the log), in the person's language.
    const quiet = status >= 500 && !gov.say ? new GovError(status === 503 ? 'UNAVAILABLE' : 'INTERNAL', status === 503 ? UNAVAILABLE_MESSAGE : INTERNAL_MESSAGE) : undefined;
    const message = words && (gov.say || quiet) ? personMessage(quiet ?? gov, words) : (quiet ?? gov).message;
    // The request id lets a person quote the failure and an operator find its log lines.
    const requestId = currentRequestId();
    res.status(status).json({ error: { code: gov.kind, message, ...(requestId ? { requestId } : {}) }, ...extra });
  };
}
