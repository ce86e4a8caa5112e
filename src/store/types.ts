/**
 * The store interface every backend implements (lowdb files by default,
 * PostgreSQL for several instances). The contract test suite in
 * test/store/contract.ts is its executable specification: a new backend is
 * done when it passes that suite.
 */
import type { ConversationState } from '../core/conversation/state.js';
import type { ConversationRecord, Owner } from './record.js';

// The record itself (its versions, owners, channels) is defined in record.ts; these names are kept here for importers.
export { ChannelName, ConversationRecord, Owner, RECORD_SCHEMA_VERSION, TranscriptEntry, TurnReceipt } from './record.js';

export interface ConversationSummary {
  id: string;
  status: ConversationState['status'];
  createdAt: string;
  updatedAt: string;
  owner: Owner | null;
}

export interface ConversationStore {
  /** Human-readable kind for logs and /readyz ("lowdb", "postgres"). */
  readonly kind: string;
  /** Prepare (create folders, run migrations). Idempotent. */
  open(): Promise<void>;
  close(): Promise<void>;
  /** Throws GovError CONFLICT if the id exists. */
  create(record: ConversationRecord): Promise<void>;
  /**
   * The record, or undefined when there is none. A stored record that cannot
   * be read or fails validation throws GovError UNRESTORABLE, for that
   * conversation only.
   */
  get(id: string): Promise<ConversationRecord | undefined>;
  /**
   * Compare-and-swap: stores `next` (whose revision must be expectedRevision + 1)
   * only if the stored revision is still `expectedRevision`; otherwise throws
   * GovError CONFLICT. Durable when it resolves.
   */
  update(next: ConversationRecord, expectedRevision: number): Promise<void>;
  /** The id whose current resume code has this hash (expired or not: callers check expiry). */
  findByResumeCodeHash(hash: string): Promise<string | undefined>;
  /** Conversations of one owner, newest first. */
  findByOwner(owner: Owner): Promise<ConversationSummary[]>;
  /** Every conversation, for retention and the coordinator's overview. */
  list(): AsyncIterable<ConversationSummary>;
  /** Removes the record and its indexes. True if something was removed. */
  delete(id: string): Promise<boolean>;
  /** Throws if the store cannot serve (for /readyz). */
  ping(): Promise<void>;
  /**
   * True the first time `key` is claimed, then false for every claim (from
   * any instance sharing the store) until `ttlMs` after that first claim;
   * after that the next claim is true again. For deduplicating deliveries
   * such as Slack event ids.
   */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
}
