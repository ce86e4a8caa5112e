/**
 * The store interface every backend implements (lowdb files by default,
 * PostgreSQL for several instances). The contract test suite in
 * test/store/contract.ts is its executable specification: a new backend is
 * done when it passes that suite.
 */
import type { ConversationState } from '../core/conversation/state.js';
import type { GroupRoundRecord } from './group-record.js';
import type { ConversationRecord, Owner } from './record.js';

// The record itself (its versions, owners, channels) is defined in record.ts; these names are kept here for importers.
export { ChannelName, ConversationRecord, GroupMembership, Owner, RECORD_SCHEMA_VERSION, TranscriptEntry, TurnReceipt } from './record.js';
export { GroupRoundRecord } from './group-record.js';

export interface ConversationSummary {
  id: string;
  status: ConversationState['status'];
  createdAt: string;
  updatedAt: string;
  owner: Owner | null;
}

/**
 * Group rounds (group-record.ts) and their members: the conversations whose
 * record names the round (`group.roundId`). Updates are compare-and-swaps
 * on the round's revision, as for conversations.
 */
export interface GroupRoundStore {
  /** Throws GovError CONFLICT if the id exists, or (details.reason "invitation-taken") another round holds its invitation code. */
  createGroupRound(round: GroupRoundRecord): Promise<void>;
  /** The round, or undefined; UNRESTORABLE for a stored round that cannot be read. */
  getGroupRound(id: string): Promise<GroupRoundRecord | undefined>;
  /** Compare-and-swap as `update`: CONFLICT (details.reason "revision") when the round moved on, NOT_FOUND when there is none. */
  updateGroupRound(next: GroupRoundRecord, expectedRevision: number): Promise<void>;
  /** The round whose current invitation code has this hash. */
  findGroupRoundByInvitationHash(hash: string): Promise<string | undefined>;
  /** The member conversations of a round, oldest first. */
  findByGroupRound(roundId: string): Promise<ConversationSummary[]>;
  /** Removes the round and its indexes (its members stay, as individual assessments). True if something was removed. */
  deleteGroupRound(id: string): Promise<boolean>;
}

export interface ConversationStore extends GroupRoundStore {
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
