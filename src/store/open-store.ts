import type { Config } from '../config.js';
import { GovError } from '../errors.js';
import type { Logger } from '../log.js';
import { LowdbStore } from './lowdb/lowdb-store.js';
import { PostgresStore } from './postgres/postgres-store.js';
import type { ConversationStore } from './types.js';

/** The store the configuration asks for, opened and ready. */
export async function openStore(config: Config, logger: Logger): Promise<ConversationStore> {
  const store: ConversationStore = (() => {
    switch (config.STORE) {
      case 'lowdb':
        return new LowdbStore({ dir: config.DATA_DIR, onWarning: (w) => logger.warn({ conversationId: w.id, err: w.error.message }, w.message) });
      case 'postgres':
        // config.ts already requires DATABASE_URL with STORE=postgres; the check keeps the types honest.
        if (!config.DATABASE_URL) throw new GovError('INVALID_DATA', 'STORE=postgres needs DATABASE_URL (postgres://user:password@host:5432/database)');
        return new PostgresStore({
          connectionString: config.DATABASE_URL,
          onWarning: (w) => logger.warn({ conversationId: w.id, err: w.error.message }, w.message),
        });
    }
  })();
  await store.open();
  if (store instanceof PostgresStore) {
    const migration = store.migration;
    logger.info({ database: store.target, schemaVersion: migration?.to, applied: migration?.applied }, migration?.applied.length ? 'PostgreSQL schema upgraded' : 'PostgreSQL schema is current');
  }
  return store;
}
