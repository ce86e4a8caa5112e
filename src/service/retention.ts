/**
 * Retention: unfinished conversations that nobody has touched for
 * RETENTION_DAYS are deleted, with their index entries. Finished assessments
 * are kept (their owners come back for the result and the report; Slack
 * users remove theirs with "forget me"). Runs at start-up and every six
 * hours; logs how many it removed, never what they held.
 */
import { GovError, isGovError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ConversationStore } from '../store/types.js';

const DAY_MS = 86_400_000;
/** How often the server purges. */
export const RETENTION_INTERVAL_MS = 6 * 3_600_000;

export interface PurgeOptions {
  store: ConversationStore;
  /** Unfinished conversations last updated longer ago than this are deleted. */
  olderThanDays: number;
  /** The clock (injected in tests). */
  now?: Date;
  logger?: Logger;
}

export interface PurgeResult {
  /** Ids of the conversations deleted. */
  purged: string[];
  count: number;
  /** Stale conversations that could not be deleted this time (logged; retried at the next run). */
  failed: number;
}

export async function purgeStale({ store, olderThanDays, now = new Date(), logger }: PurgeOptions): Promise<PurgeResult> {
  if (!Number.isFinite(olderThanDays) || olderThanDays <= 0) throw new GovError('BAD_INPUT', `olderThanDays must be a positive number of days, not ${olderThanDays}`);
  const cutoff = now.getTime() - olderThanDays * DAY_MS;
  const isStale = (status: string, updatedAt: string) => status !== 'finished' && Date.parse(updatedAt) < cutoff;

  // Listed first, deleted after: removing files while the folder is being read could skip some.
  const candidates: string[] = [];
  for await (const summary of store.list()) if (isStale(summary.status, summary.updatedAt)) candidates.push(summary.id);

  const purged: string[] = [];
  let failed = 0;
  for (const id of candidates) {
    try {
      // Looked at again just before deleting: someone may have come back to it since the listing.
      const record = await store.get(id);
      if (!record || !isStale(record.state.status, record.updatedAt)) continue;
      if (await store.delete(id)) purged.push(id);
    } catch (error) {
      failed++;
      logger?.warn({ conversationId: id, kind: isGovError(error) ? error.kind : 'INTERNAL' }, 'retention: could not delete a stale conversation; will retry at the next run');
    }
  }
  logger?.info({ purged: purged.length, failed, olderThanDays, cutoff: new Date(cutoff).toISOString() }, `retention: deleted ${purged.length} unfinished conversation(s) untouched for ${olderThanDays} days`);
  return { purged, count: purged.length, failed };
}

export interface RetentionSchedule {
  /** Stops the timer and waits for a purge in progress. */
  stop: () => Promise<void>;
  /** The purge started at start-up (for tests). */
  readonly first: Promise<PurgeResult | undefined>;
}

/**
 * Purges now and then every `everyMs`. The timer never keeps the process
 * alive, a failed run is logged (never thrown), and runs never overlap.
 */
export function scheduleRetention(options: { store: ConversationStore; olderThanDays: number; logger: Logger; everyMs?: number; now?: () => Date }): RetentionSchedule {
  let running: Promise<PurgeResult | undefined> | undefined;
  const run = (): Promise<PurgeResult | undefined> => {
    if (running) return running;
    running = purgeStale({ store: options.store, olderThanDays: options.olderThanDays, now: options.now?.() ?? new Date(), logger: options.logger })
      .catch((error: unknown) => {
        options.logger.error({ err: error }, 'retention: the purge failed; will retry at the next run');
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const first = run();
  const timer = setInterval(() => void run(), options.everyMs ?? RETENTION_INTERVAL_MS);
  timer.unref();
  return {
    first,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
