/**
 * The store interface every backend implements (lowdb files by default,
 * PostgreSQL for several instances). The contract test suite in
 * test/store/contract.ts is its executable specification: a new backend is
 * done when it passes that suite.
 */
import { z } from 'zod';
import { ConversationState } from '../core/conversation/state.js';

export const Owner = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('slack'), teamId: z.string().min(1), userId: z.string().min(1) }),
  /** A Microsoft Teams user: the Entra tenant and the user's Entra object id (or Bot Framework id). */
  z.strictObject({ kind: z.literal('teams'), tenantId: z.string().min(1), userId: z.string().min(1) }),
]);
export type Owner = z.infer<typeof Owner>;

export const ChannelName = z.enum(['web', 'slack', 'terminal', 'teams']);
export type ChannelName = z.infer<typeof ChannelName>;

/** One line of the transcript: what the person sent, or what the bot answered. */
export const TranscriptEntry = z.strictObject({
  at: z.string(),
  from: z.enum(['user', 'bot']),
  channel: ChannelName,
  /** For the user: the text typed or the label of the choice picked. */
  text: z.string().optional(),
  /** For the bot: the messages sent (channel-neutral model, stored as data). */
  messages: z.array(z.unknown()).optional(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntry>;

/** The remembered outcome of a turn, so a retried turn id replays instead of advancing twice. */
export const TurnReceipt = z.strictObject({
  turnId: z.string(),
  at: z.string(),
  /** Hash of the input, so the same turn id with a different input is a conflict, not a replay. */
  inputHash: z.string(),
  /** Index in the transcript of the bot's answer to this turn (what a replay returns). */
  reply: z.number().int().nonnegative().optional(),
  /** The answer itself, in receipts written before `reply` existed. */
  messages: z.array(z.unknown()).optional(),
});
export type TurnReceipt = z.infer<typeof TurnReceipt>;

export const RECORD_SCHEMA_VERSION = 1;

/** Everything stored about one conversation. Secrets are only ever stored hashed. */
export const ConversationRecord = z.strictObject({
  recordVersion: z.literal(RECORD_SCHEMA_VERSION),
  id: z.string().min(1),
  /** Bumped by every successful update; updates name the revision they read. */
  revision: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
  channel: ChannelName,
  /** sha256 (hex) of the bearer resume token. */
  tokenHash: z.string().length(64),
  /** The current short resume code, hashed, with its expiry. */
  resumeCode: z.strictObject({ hash: z.string().length(64), expiresAt: z.string() }).nullable(),
  owner: Owner.nullable(),
  state: ConversationState,
  transcript: z.array(TranscriptEntry),
  /** The last few turn receipts (bounded), for idempotent retries. */
  receipts: z.array(TurnReceipt),
  /** The person's earlier assessment this one re-takes, for "what changed since". */
  previousId: z.string().optional(),
  /** The shareable report link of a finished assessment: hashed token, expiry, revocation. */
  reportLink: z
    .strictObject({ hash: z.string().length(64), createdAt: z.string(), expiresAt: z.string(), revokedAt: z.string().nullable() })
    .optional(),
});
export type ConversationRecord = z.infer<typeof ConversationRecord>;

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
