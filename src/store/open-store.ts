import type { Config } from '../config.js';
import { GovError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ConversationStore } from './types.js';

/**
 * The store the configuration asks for, opened and ready. Each backend is
 * imported only when it is the one configured: the default (lowdb) server
 * never loads the PostgreSQL driver, and a PostgreSQL one never loads lowdb.
 */
export async function openStore(config: Config, logger: Logger): Promise<ConversationStore> {
  const onWarning = (w: { id?: string | undefined; message: string; error: Error }) => logger.warn({ conversationId: w.id, err: w.error.message }, w.message);
  switch (config.STORE) {
    case 'lowdb': {
      const { LowdbStore } = await import('./lowdb/lowdb-store.js');
      const store = new LowdbStore({ dir: config.DATA_DIR, onWarning });
      await store.open();
      return store;
    }
    case 'postgres': {
      // config.ts already requires DATABASE_URL with STORE=postgres; the check keeps the types honest.
      if (!config.DATABASE_URL) throw new GovError('INVALID_DATA', 'STORE=postgres needs DATABASE_URL (postgres://user:password@host:5432/database)');
      const { PostgresStore } = await import('./postgres/postgres-store.js');
      const store = new PostgresStore({ connectionString: config.DATABASE_URL, onWarning });
      await store.open();
      const migration = store.migration;
      logger.info({ database: store.target, schemaVersion: migration?.to, applied: migration?.applied }, migration?.applied.length ? 'PostgreSQL schema upgraded' : 'PostgreSQL schema is current');
      return store;
    }
  }
}
