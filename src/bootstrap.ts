/**
 * Builds what every entry point needs from the configuration: the validated
 * assessment content, the store, the turn pipeline and the logger.
 */
import path from 'node:path';
import { loadConfig, type Config } from './config.js';
import { loadCatalog, type AssessmentDefinition, type Catalog } from './core/definition.js';
import { GovError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { ConversationService } from './service/conversation-service.js';
import { PersonSessionService } from './service/person-sessions.js';
import type { PersonSessions } from './service/person-sessions-api.js';
import { openStore } from './store/open-store.js';
import type { ConversationStore } from './store/types.js';

export interface Services {
  config: Config;
  logger: Logger;
  catalog: Catalog;
  definition: AssessmentDefinition;
  store: ConversationStore;
  service: ConversationService;
  /** What person-facing chat channels (Slack, Teams) call: the conversation decisions they share. */
  sessions: PersonSessions;
}

export async function bootstrap(options: { env?: NodeJS.ProcessEnv; logger?: Logger } = {}): Promise<Services> {
  const config = loadConfig(options.env);
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const catalog = await loadCatalog(path.resolve(config.CONTENT_DIR));
  const definition = catalog.get(config.FLOW_ID);
  if (!definition) throw new GovError('INVALID_DATA', `FLOW_ID "${config.FLOW_ID}" is not one of the flows found: ${[...catalog.keys()].join(', ')}`);
  const store = await openStore(config, logger);
  const base = config.PUBLIC_URL?.replace(/\/$/, '');
  const service = new ConversationService({
    definition,
    store,
    resumeCodeTtlMs: config.RESUME_CODE_TTL_HOURS * 3_600_000,
    reportLinkTtlMs: config.REPORT_LINK_TTL_DAYS * 86_400_000,
    ...(base ? { resumeUrl: (code: string) => `${base}/?resume=${encodeURIComponent(code)}`, publicUrl: (path: string) => `${base}${path}` } : {}),
  });
  const sessions = new PersonSessionService({ service });
  return { config, logger, catalog, definition, store, service, sessions };
}
