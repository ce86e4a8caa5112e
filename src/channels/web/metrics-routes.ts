/**
 * GET /metrics (Prometheus text format) and the HTTP-side counters. The
 * endpoint is off (404) unless METRICS_TOKEN is set, and then answers only
 * requests bearing that token: metrics reveal traffic and load, and a token
 * works the same behind any proxy, where "only from loopback" would not.
 */
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { GovError } from '../../errors.js';
import type { Metrics } from '../../metrics.js';
import { sha256Hex } from '../../service/secrets.js';

export function metricsEndpoint(metrics: Metrics, token: string | undefined): RequestHandler {
  return async (req, res) => {
    if (!token) throw new GovError('NOT_FOUND', 'Metrics are off (set METRICS_TOKEN to turn them on).');
    const given = /^Bearer\s+(\S{1,500})$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
    // Hashes compared, so the comparison takes the same time whatever was sent.
    if (!timingSafeEqual(Buffer.from(sha256Hex(given), 'hex'), Buffer.from(sha256Hex(token), 'hex'))) {
      throw new GovError('UNAUTHORIZED', 'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>".');
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

/** A coarse, bounded label for where a request went (never ids or tokens). */
function routeOf(path: string): string {
  if (path === '/api/resume') return 'resume';
  if (/^\/api\/conversations\/[^/]+\/turns$/.test(path)) return 'turns';
  if (path.startsWith('/api/admin/')) return 'admin';
  if (path.startsWith('/api/')) return 'api';
  if (path.startsWith('/reports/')) return 'reports';
  return 'other';
}

/** Counts rate-limit refusals (429) by route, once each answer is sent. */
export function countRefusals(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const path = req.path;
    res.once('finish', () => {
      if (res.statusCode === 429) metrics.rateLimited.inc({ route: routeOf(path) });
    });
    next();
  };
}
