/**
 * Builds what every entry point needs from the configuration: the validated
 * assessment content, the store, the turn pipeline and the logger.
 */
import path from 'node:path';
import { loadConfig, type Config } from './config.js';
import { loadCatalog, type AssessmentDefinition, type Catalog } from './core/definition.js';
import { GovError, toGovError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { PACKAGE_ROOT } from './package-root.js';
import { MeasuredConversationService, Metrics, measuredStore } from './metrics.js';
import type { ConversationService } from './service/conversation-service.js';
import { GroupService } from './service/groups/group-service.js';
import type { PostgresRateLimitStore } from './service/postgres-rate-limit-store.js';
import { PersonSessionService } from './service/person-sessions.js';
import type { PersonSessions } from './service/person-sessions-api.js';
import { openStore } from './store/open-store.js';
import { loadLocales, type Locales } from './i18n/words.js';
import type { ConversationStore } from './store/types.js';

export interface Services {
  config: Config;
  logger: Logger;
  catalog: Catalog;
  definition: AssessmentDefinition;
  /** The locale catalogues: every interface word outside the conversation, per offered locale. */
  locales: Locales;
  store: ConversationStore;
  service: ConversationService;
  /** Group rounds: many respondents, one picture, a consensus. */
  groups: GroupService;
  metrics: Metrics;
  /** What person-facing chat channels (Slack, Teams) call: the conversation decisions they share. */
  sessions: PersonSessions;
  /** Rate-limit counts shared by every instance (with STORE=postgres); undefined: each limiter counts in memory. */
  rateLimits: PostgresRateLimitStore | undefined;
}

/** A start-up failure caused by a configured place (a folder, a database), its message naming the variable. */
function namedError(variable: string, error: unknown): GovError {
  const e = toGovError(error);
  return e.message.includes(variable) ? e : new GovError(e.kind, `${variable}: ${e.message}`, e.details, { cause: error });
}

export async function bootstrap(options: { env?: NodeJS.ProcessEnv; logger?: Logger } = {}): Promise<Services> {
  const config = loadConfig(options.env);
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const contentDir = path.resolve(config.CONTENT_DIR ?? PACKAGE_ROOT);
  const catalog = await loadCatalog(contentDir).catch((error: unknown) => {
    throw namedError('CONTENT_DIR', error);
  });
  const definition = catalog.get(config.FLOW_ID);
  if (!definition) throw new GovError('INVALID_DATA', `FLOW_ID "${config.FLOW_ID}" is not one of the flows found: ${[...catalog.keys()].join(', ')}`);
  const locales = await loadLocales(contentDir, definition.flow, `flow ${definition.flow.id}`).catch((error: unknown) => {
    throw namedError('CONTENT_DIR', error);
  });
  // The usual slip: DATABASE_URL exported for `npm run migrate` but STORE left at its default.
  if (config.STORE === 'lowdb' && config.DATABASE_URL) logger.warn('DATABASE_URL is set but STORE is lowdb: conversations go to files in DATA_DIR, not to PostgreSQL (set STORE=postgres)');
  const metrics = new Metrics();
  const opened = await openStore(config, logger).catch((error: unknown) => {
    throw namedError(config.STORE === 'postgres' ? 'DATABASE_URL' : 'DATA_DIR', error);
  });
  const store = measuredStore(opened, metrics);
  const base = config.PUBLIC_URL?.replace(/\/$/, '');
  const service = new MeasuredConversationService({
    definition,
    store,
    resumeCodeTtlMs: config.RESUME_CODE_TTL_HOURS * 3_600_000,
    reportLinkTtlMs: config.REPORT_LINK_TTL_DAYS * 86_400_000,
    ...(base ? { resumeUrl: (code: string) => `${base}/?resume=${encodeURIComponent(code)}`, publicUrl: (path: string) => `${base}${path}` } : {}),
  }, metrics);
  // Loaded only with STORE=postgres, so the default server never loads the PostgreSQL driver.
  const rateLimits =
    config.STORE === 'postgres' && config.DATABASE_URL
      ? new (await import('./service/postgres-rate-limit-store.js')).PostgresRateLimitStore({ connectionString: config.DATABASE_URL }, (message, error) => logger.warn({ err: error.message }, message))
      : undefined;
  const groups = new GroupService({
    definition,
    store,
    conversations: service,
    locales,
    minGroupSize: config.MIN_GROUP_SIZE,
    reportLinkTtlMs: config.REPORT_LINK_TTL_DAYS * 86_400_000,
    ...(base ? { publicUrl: (path: string) => `${base}${path}` } : {}),
  });
  const sessions = new PersonSessionService({ service, groups });
  return { config, logger, catalog, definition, locales, store, service, sessions, groups, metrics, rateLimits };
}
