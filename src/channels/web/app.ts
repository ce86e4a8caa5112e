/**
 * The express application: security headers, the CORS allowlist, the HTTP
 * API, the widget and demo page, health checks and the OpenAPI document.
 * Built from already-opened services so tests can run it in-process.
 */
import path from 'node:path';
import express, { type Express, type NextFunction, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Services } from '../../bootstrap.js';
import type { Channel } from '../channel.js';
import { allowedOrigins } from '../../config.js';
import { GovError } from '../../errors.js';
import { namespaced, RateLimiter } from '../../service/rate-limiter.js';
import { apiRouter, clientKey } from './api.js';
import { reportApiRouter, reportPageRouter } from './reports.js';
import { wordsRouter } from './words-api.js';
import { adminRouter } from './admin.js';
import { errorHandler, requestLocale, requestLogger, UNAVAILABLE_MESSAGE, UNAVAILABLE_RETRY_AFTER_SECONDS } from './http-errors.js';
import { adminPageHtml } from './admin-page/page.js';
import { groupPageHtml } from './group-page/page.js';
import { groupReportPageRouter, groupsApiRouter } from './groups-api.js';
import { openApiDocument } from './openapi.js';
import { apiDocsHtml } from './api-docs.js';
import { builtAssets } from './built-assets.js';
import { countRefusals, metricsEndpoint } from './metrics-routes.js';
import { requestId } from './request-id.js';
import { currentRequestId } from '../../log.js';
import { DIST_DIR, PACKAGE_ROOT, PACKAGE_VERSION } from '../../package-root.js';

/** The hand-written pages and stylesheets. */
export const PUBLIC_DIR = path.join(PACKAGE_ROOT, 'public');
/** What `npm run build` makes of the widget and the overview page's script. */
export const BUILT_PUBLIC_DIR = path.join(DIST_DIR, 'public');
/** JSON bodies larger than this are refused with 413. */
export const BODY_LIMIT = '16kb';

/**
 * Browsers send Origin on cross-site calls. The API answers its own origin
 * and the configured allowlist only; everything else is refused before any
 * work is done. Requests without Origin (curl, servers) are not browsers and
 * carry their own bearer token.
 */
function corsAllowlist(allowed: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    if (!origin) return next();
    const own = `${req.protocol}://${req.get('host') ?? ''}`;
    if (origin !== own && !allowed.has(origin)) {
      throw new GovError('FORBIDDEN', `Origin ${origin} is not allowed to use this API. Add it to ALLOWED_ORIGINS.`);
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

/**
 * A request body that is not JSON is refused rather than silently ignored.
 * Form and text/plain posts are what a browser sends cross-site without a
 * preflight; none of them should ever reach a route.
 */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is(['application/json', 'application/*+json'])) {
    throw new GovError('BAD_INPUT', 'Send the request body as JSON (Content-Type: application/json).');
  }
  next();
};

/**
 * Counts a hit against a limit, then goes on. With the in-memory store this
 * stays synchronous (a refusal is thrown at once), so answers are not
 * delayed a tick for nothing; a shared store is awaited.
 */
function countHit(limiter: RateLimiter, key: string, next: NextFunction): void {
  const pending = limiter.hit(key);
  if (pending) pending.then(() => next(), next);
  else next();
}

export interface AppOptions {
  /** Chat channels with routes of their own (Slack at POST /slack/events in HTTP mode, Teams at POST /api/messages). */
  channels?: readonly Channel[];
}

export function createApp(services: Services, options: AppOptions = {}): Express {
  const { config, logger, service, store, metrics } = services;
  const app = express();
  app.disable('x-powered-by');
  // Behind a proxy, TRUST_PROXY lets rate limits see client addresses; off by default.
  if (config.TRUST_PROXY !== undefined) app.set('trust proxy', config.TRUST_PROXY);
  // First: everything after it, the request log line included, carries the request id.
  app.use(requestId());
  app.use(requestLogger(logger));
  app.use(countRefusals(metrics));

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      // The widget's script is loaded by other sites' pages.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await store.ping();
      res.json({ status: 'ready', store: store.kind });
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'readiness check failed');
      res.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      res.status(503).json({ error: { code: 'UNAVAILABLE', message: UNAVAILABLE_MESSAGE, requestId: currentRequestId() } });
    }
  });
  app.get('/metrics', metricsEndpoint(metrics, config.METRICS_TOKEN));

  // Channels parse and limit their own requests: mounted before the API's body parser and per-address limits
  // (Slack signs the raw body, so no body parser may run before its route; every Teams request comes from
  // Microsoft's few addresses).
  for (const channel of options.channels ?? []) channel.mount(app);

  const origins = new Set(allowedOrigins(config));
  app.use('/api', corsAllowlist(origins), express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] }), requireJsonBody);
  const document = openApiDocument({ version: PACKAGE_VERSION, publicUrl: config.PUBLIC_URL });
  const reference = apiDocsHtml(document);
  // With a shared store (PostgreSQL) every instance counts against the same limits.
  const shared = services.rateLimits;
  const perMinute = (limit: number, name: string) => new RateLimiter(limit, 60_000, Date.now, shared ? namespaced(shared, name) : undefined);
  const perClient = perMinute(config.RATE_LIMIT_PER_MINUTE, 'client');
  app.use('/api', (req, _res, next) => countHit(perClient, clientKey(req), next));
  app.get('/api/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.get('/api/docs', (_req, res) => {
    res.type('html').send(reference);
  });
  app.use(
    '/api',
    apiRouter(service, {
      perConversation: perMinute(config.CONVERSATION_RATE_LIMIT_PER_MINUTE, 'conversation'),
      starts: perMinute(config.START_RATE_LIMIT_PER_MINUTE, 'starts'),
      resumeAttempts: perMinute(config.RESUME_RATE_LIMIT_PER_MINUTE, 'resume'),
    }),
    reportApiRouter(service, services.locales),
    wordsRouter(services.locales, (locale) => service.introduction(locale)),
    groupsApiRouter(services.groups, {
      starts: perMinute(config.START_RATE_LIMIT_PER_MINUTE, 'group-starts'),
      codeAttempts: perMinute(config.RESUME_RATE_LIMIT_PER_MINUTE, 'invitation-codes'),
    }),
  );
  app.use('/api/admin', adminRouter({ store, definition: services.definition, locales: services.locales, adminToken: config.ADMIN_TOKEN, minGroupSize: config.MIN_GROUP_SIZE }));
  app.use('/api', (req) => {
    throw new GovError('NOT_FOUND', `No API route ${req.method} ${req.path}.`);
  });
  app.use('/reports', (req, _res, next) => countHit(perClient, clientKey(req), next), reportPageRouter(service, services.locales));
  app.use('/group-reports', (req, _res, next) => countHit(perClient, clientKey(req), next), groupReportPageRouter(services.groups));

  // The coordinator's page, in the language asked for (?locale=, else the browser's).
  app.get('/admin.html', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Vary', 'Accept-Language');
    res.type('html').send(adminPageHtml(services.locales.words(requestLocale(req, services.locales))));
  });
  app.get('/group.html', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Vary', 'Accept-Language');
    res.type('html').send(groupPageHtml(services.locales.words(requestLocale(req, services.locales))));
  });
  app.use(builtAssets(BUILT_PUBLIC_DIR, { production: config.NODE_ENV === 'production' }));
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', maxAge: config.NODE_ENV === 'production' ? '1h' : 0 }));
  app.use((req) => {
    throw new GovError('NOT_FOUND', `Nothing at ${req.method} ${req.path}.`);
  });
  app.use(errorHandler(logger, services.locales));
  return app;
}
