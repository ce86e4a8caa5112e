/**
 * Where every error of the web channel becomes an HTTP answer and a log line:
 * GovError kinds map to their status, body-parser failures to 400/413, and
 * anything unexpected to a 500 that says nothing about internals.
 */
import type { ErrorRequestHandler, Request } from 'express';
import type { z } from 'zod';
import { ERROR_KINDS, GovError, isGovError, type ErrorKind } from '../../errors.js';
import type { Logger } from '../../log.js';

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

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req: Request, res, next) => {
    if (res.headersSent) return next(error);
    const gov = isGovError(error) ? error : fromBodyParser(error) ?? fromFramework(error) ?? new GovError('INTERNAL', 'Something went wrong on our side. Nothing you sent was lost; please try again.', undefined, { cause: error });
    const status = gov.httpStatus;
    const log = { kind: gov.kind, status, method: req.method, path: req.path };
    if (status >= 500) logger.error({ ...log, err: error }, 'request failed');
    else logger.info(log, gov.message);
    const retryAfter = gov.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    const extra: Record<string, unknown> = {};
    if (Array.isArray(gov.details?.messages)) extra.messages = gov.details.messages;
    if (typeof gov.details?.revision === 'number') extra.revision = gov.details.revision;
    const message = gov.kind === 'INTERNAL' ? 'Something went wrong on our side. Nothing you sent was lost; please try again.' : gov.message;
    res.status(status).json({ error: { code: gov.kind, message }, ...extra });
  };
}
