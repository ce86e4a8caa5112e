/**
 * The express application: security headers, the CORS allowlist, the HTTP
 * API, the widget and demo page, health checks and the OpenAPI document.
 * Built from already-opened services so tests can run it in-process.
 */
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Services } from '../../bootstrap.js';
import type { Channel } from '../channel.js';
import { allowedOrigins } from '../../config.js';
import { GovError } from '../../errors.js';
import { RateLimiter } from '../../service/rate-limiter.js';
import { apiRouter, clientKey } from './api.js';
import { reportApiRouter, reportPageRouter } from './reports.js';
import { adminRouter } from './admin.js';
import { errorHandler, requestLogger } from './http-errors.js';
import { openApiDocument } from './openapi.js';

export const PUBLIC_DIR = path.resolve(import.meta.dirname, '../../../public');
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

export interface AppOptions {
  /** Slack's HTTP receiver, mounted at POST /slack/events when Slack runs in HTTP mode. */
  slackEvents?: RequestHandler;
  /** Chat channels with routes of their own (Teams at POST /api/messages). */
  channels?: readonly Channel[];
}

export function createApp(services: Services, options: AppOptions = {}): Express {
  const { config, logger, service, store } = services;
  const app = express();
  app.disable('x-powered-by');
  // Behind a proxy, TRUST_PROXY lets rate limits see client addresses; off by default.
  if (config.TRUST_PROXY) app.set('trust proxy', /^\d+$/.test(config.TRUST_PROXY) ? Number(config.TRUST_PROXY) : config.TRUST_PROXY);
  app.use(requestLogger(logger));

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
      // The widget's script and stylesheet are loaded by other sites' pages.
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
      res.status(503).json({ error: { code: 'UNAVAILABLE', message: `The ${store.kind} store does not answer.` } });
    }
  });

  // Slack signs the raw body, so its handler reads the body itself: no body parser may run before it.
  if (options.slackEvents) app.post('/slack/events', options.slackEvents);
  // Channels parse and limit their own requests: mounted before the API's body parser and per-address limits
  // (every Teams request comes from Microsoft's few addresses).
  for (const channel of options.channels ?? []) channel.mount(app);

  const origins = new Set(allowedOrigins(config));
  app.use('/api', corsAllowlist(origins), express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] }), requireJsonBody);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument(process.env.npm_package_version ?? '0.1.0'));
  });
  const perMinute = (limit: number) => new RateLimiter(limit, 60_000);
  const perClient = perMinute(config.RATE_LIMIT_PER_MINUTE);
  app.use('/api', (req, _res, next) => {
    perClient.hit(clientKey(req));
    next();
  });
  app.use(
    '/api',
    apiRouter(service, {
      perConversation: perMinute(Math.max(30, Math.floor(config.RATE_LIMIT_PER_MINUTE / 2))),
      resumeAttempts: perMinute(config.RESUME_RATE_LIMIT_PER_MINUTE),
    }),
    reportApiRouter(service),
  );
  app.use('/api/admin', adminRouter({ store, definition: services.definition, adminToken: config.ADMIN_TOKEN, minGroupSize: config.MIN_GROUP_SIZE }));
  app.use('/api', (req) => {
    throw new GovError('NOT_FOUND', `No API route ${req.method} ${req.path}.`);
  });
  app.use('/reports', (req, _res, next) => {
    perClient.hit(clientKey(req));
    next();
  }, reportPageRouter(service));

  app.use(express.static(PUBLIC_DIR, { index: 'index.html', maxAge: config.NODE_ENV === 'production' ? '1h' : 0 }));
  app.use((req) => {
    throw new GovError('NOT_FOUND', `Nothing at ${req.method} ${req.path}.`);
  });
  app.use(errorHandler(logger));
  return app;
}
