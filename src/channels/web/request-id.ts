/**
 * A request id for every request: the caller's X-Request-Id when it is a sane
 * token (a proxy's or a load balancer's, so logs join up across hops), else a
 * new UUID. It is echoed in the X-Request-Id response header, carried by
 * every log line written while the request is handled (see src/log.ts) and
 * put in every error body, so a person can quote it and an operator find it.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { requestContext } from '../../log.js';

/** Letters, digits and . _ : - only, at most 128: nothing that could forge a log line or a header. */
const SANE = /^[A-Za-z0-9._:-]{1,128}$/;
/** Shaped like a resume code or a resume token: never written to a log, even when a client sends one as its id. */
const SECRET_SHAPED = /^(?:[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}|[A-Za-z0-9_-]{43})$/;

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const id = given !== undefined && SANE.test(given) && !SECRET_SHAPED.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    requestContext.run({ requestId: id }, next);
  };
}
