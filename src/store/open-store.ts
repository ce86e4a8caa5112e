import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { LowdbStore } from './lowdb/lowdb-store.js';
import type { ConversationStore } from './types.js';

/** The store the configuration asks for, opened and ready. */
export async function openStore(config: Config, logger: Logger): Promise<ConversationStore> {
  const store: ConversationStore = (() => {
    switch (config.STORE) {
      case 'lowdb':
        return new LowdbStore({ dir: config.DATA_DIR, onWarning: (w) => logger.warn({ conversationId: w.id, err: w.error.message }, w.message) });
      case 'postgres':
        throw new Error('STORE=postgres is not available yet');
    }
  })();
  await store.open();
  return store;
}
