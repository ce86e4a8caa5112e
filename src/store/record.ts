/**
 * The stored conversation record, in one place for both stores (lowdb files
 * and PostgreSQL rows): its versions and the migrations between them,
 * reading a stored value back (UNRESTORABLE, naming the conversation and
 * the field, when it cannot be), the checks on what is written, and the
 * keys of owners and claims.
 *
 * Versions, so that instances of two releases can share one store during a
 * rolling deploy (docs/postgres.md, "Deploys and record versions"):
 *
 * - Every version's schema is in `StoredRecord`, a union on `recordVersion`,
 *   and each older version has a migration to the next. A read brings an
 *   older record up to the current version in memory; it is written in the
 *   current form the next time it changes.
 * - From version 2 on, every object the record defines keeps the fields it
 *   does not know, and a record of a newer version than this code knows is
 *   read with the current schema and kept as it is: its number and its
 *   unknown fields stay, through every update. So an instance one release
 *   behind reads, and preserves, what the newer release writes, as long as
 *   a new version only adds to the previous one's shape (see the docs for
 *   changes that do not just add).
 * - Version 1 instances are strict (they refuse any other number and any
 *   field they do not know), so a record that holds nothing version 1 lacks
 *   is stored as version 1: see `storedForm`.
 * - `state` is the assessment core's, with its own version
 *   (`state.schemaVersion`) and its own schema and migration.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConversationState } from '../core/conversation/state.js';
import { formatPath } from '../core/data-file.js';
import { GovError } from '../errors.js';
import { findTextProblem, TEXT_PROBLEMS } from '../safe-text.js';
import type { ConversationSummary } from './types.js';

const Id = z.string().min(1);
const Hash = z.string().length(64);

/**
 * An object schema that keeps the fields it does not know (z.looseObject),
 * typed as z.object: the parser passes a newer version's fields through, and
 * the static type names the known ones (TypeScript's object types allow more
 * anyway), so a typo in our own code is still an error.
 */
const kept = z.looseObject as unknown as typeof z.object;

// --- version 1: frozen, exactly what version 1 instances accept -------------

const ChannelV1 = z.enum(['web', 'slack', 'terminal']);

/** The record as version 1 wrote and reads it: strict at every level. */
export const RecordV1 = z.strictObject({
  recordVersion: z.literal(1),
  id: Id,
  revision: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
  channel: ChannelV1,
  tokenHash: Hash,
  resumeCode: z.strictObject({ hash: Hash, expiresAt: z.string() }).nullable(),
  owner: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('slack'), teamId: Id, userId: Id })]).nullable(),
  state: ConversationState,
  transcript: z.array(
    z.strictObject({
      at: z.string(),
      from: z.enum(['user', 'bot']),
      channel: ChannelV1,
      text: z.string().optional(),
      messages: z.array(z.unknown()).optional(),
    }),
  ),
  receipts: z.array(
    z.strictObject({
      turnId: z.string(),
      at: z.string(),
      inputHash: z.string(),
      reply: z.number().int().nonnegative().optional(),
      messages: z.array(z.unknown()).optional(),
      opened: z.string().optional(),
    }),
  ),
  previousId: z.string().optional(),
  reportLink: z.strictObject({ hash: Hash, createdAt: z.string(), expiresAt: z.string(), revokedAt: z.string().nullable() }).optional(),
});
type RecordV1 = z.infer<typeof RecordV1>;

// --- version 2: the current one ---------------------------------------------

/** Who a conversation belongs to, when a channel knows the person (Slack, Teams); null for web and terminal. */
export const Owner = z.discriminatedUnion('kind', [
  kept({ kind: z.literal('slack'), teamId: Id, userId: Id }),
  kept({ kind: z.literal('teams'), tenantId: Id, userId: Id }),
]);
export type Owner = z.infer<typeof Owner>;

export const ChannelName = z.enum(['web', 'slack', 'terminal', 'teams']);
export type ChannelName = z.infer<typeof ChannelName>;

/** What a turn was given (the core's TurnInput), kept so that the bot's answer can be rendered again on read. */
export const StoredTurnInput = z.discriminatedUnion('kind', [
  kept({ kind: z.literal('start') }),
  kept({ kind: z.literal('choice'), choice: z.string() }),
  kept({ kind: z.literal('text'), text: z.string() }),
]);

/**
 * One line of the transcript: what the person sent, or what the bot answered.
 *
 * A bot line holds either the messages sent (records written before bot
 * lines were rendered on read, and lines nothing can derive), or what they
 * follow from: the `input` it answered, and where replaying starts, a
 * `start` state (src/service/transcript.ts). The messages of a finished
 * assessment are most of a record's size (a result alone is about 20 KB);
 * what they follow from is about a hundred bytes a turn.
 */
export const TranscriptEntry = kept({
  at: z.string(),
  from: z.enum(['user', 'bot']),
  channel: ChannelName,
  /** For the user: the text typed or the label of the choice picked. */
  text: z.string().optional(),
  /** For the bot: the messages sent (channel-neutral model, stored as data). */
  messages: z.array(z.unknown()).optional(),
  /** For the bot: the input this line answered (absent on the opening line). */
  input: StoredTurnInput.optional(),
  /** For the bot: the state replaying starts from: the opened state (opening line), or the state this line's input was applied to. */
  start: ConversationState.optional(),
  /** For the bot's opening line: the messages shown before the first step (a group round's welcome), which nothing else derives. */
  lead: z.array(z.unknown()).optional(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntry>;

/** The remembered outcome of a turn, so a retried turn id replays instead of advancing twice. */
export const TurnReceipt = kept({
  turnId: z.string(),
  at: z.string(),
  /** Hash of the input, so the same turn id with a different input is a conflict, not a replay. */
  inputHash: z.string(),
  /** Index in the transcript of the bot's answer to this turn (what a replay returns). */
  reply: z.number().int().nonnegative().optional(),
  /** The answer itself, in receipts written before `reply` existed. */
  messages: z.array(z.unknown()).optional(),
  /** The id of the conversation a "new assessment" turn opened, so a retry hands back the same one. */
  opened: z.string().optional(),
});
export type TurnReceipt = z.infer<typeof TurnReceipt>;

/**
 * A conversation taken as a respondent of a group round: the round, the
 * perspective the person answers from, what they chose to say about
 * themselves (nothing, unless they chose) and to share with the round.
 * Added to version 2 as an optional field (docs/postgres.md): releases
 * before it keep it untouched.
 */
export const GroupMembership = kept({
  roundId: Id,
  perspective: Id,
  name: z.string().min(1).optional(),
  unit: z.string().min(1).optional(),
  /** Their notes may be shown in the group's picture and report. */
  shareNotes: z.boolean(),
  /** Their answers may be shown one by one (with their name, if given) in the group's picture and report. */
  shareAnswers: z.boolean(),
  joinedAt: z.string(),
});
export type GroupMembership = z.infer<typeof GroupMembership>;

/** The fields of version 2 (and of any newer version, which may only add to them). */
const fields = {
  id: Id,
  /** Bumped by every successful update; updates name the revision they read. */
  revision: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
  channel: ChannelName,
  /** sha256 (hex) of the bearer resume token. */
  tokenHash: Hash,
  /** The current short resume code, hashed, with its expiry. */
  resumeCode: kept({ hash: Hash, expiresAt: z.string() }).nullable(),
  owner: Owner.nullable(),
  state: ConversationState,
  transcript: z.array(TranscriptEntry),
  /** Turn receipts of the recent turns (bounded: see the service), for idempotent retries. */
  receipts: z.array(TurnReceipt),
  /** The person's earlier assessment this one re-takes, for "what changed since". */
  previousId: z.string().optional(),
  /** The shareable report link of a finished assessment: hashed token, expiry, revocation. */
  reportLink: kept({ hash: Hash, createdAt: z.string(), expiresAt: z.string(), revokedAt: z.string().nullable() }).optional(),
  /** Set when the conversation is a respondent's in a group round. */
  group: GroupMembership.optional(),
};

const RecordV2 = kept({ recordVersion: z.literal(2), ...fields });
type RecordV2 = z.infer<typeof RecordV2>;

/** The version this code writes. */
export const RECORD_SCHEMA_VERSION = 2;

/**
 * Everything stored about one conversation, as this version hands it
 * around: version 2, or a newer version's record kept as it was read. Secrets
 * are only ever stored hashed.
 */
export const ConversationRecord = kept({ recordVersion: z.number().int().min(RECORD_SCHEMA_VERSION), ...fields });
export type ConversationRecord = z.infer<typeof ConversationRecord>;

/** Every version this code reads, by its number. */
const StoredRecord = z.discriminatedUnion('recordVersion', [RecordV1, RecordV2]);
type StoredRecord = z.infer<typeof StoredRecord>;

// --- migrations ---------------------------------------------------------------

/** Version 2 only widens version 1 (Teams owners and channel, unknown fields kept): the same record under the new number. */
function fromV1(record: RecordV1): RecordV2 {
  return { ...record, recordVersion: 2 };
}

/** Brings a validated stored record up to the current version, one migration at a time; newer ones stay as they are. */
function upgrade(stored: StoredRecord | ConversationRecord): ConversationRecord {
  // A version-1 value is only ever a RecordV1 (ConversationRecord's version is 2 or more); TypeScript cannot tell from a number.
  if (stored.recordVersion === 1) return fromV1(stored as RecordV1);
  return stored;
}

/**
 * The value to store for a record. Version 1 instances (the release before
 * this one) refuse anything but their own strict shape, so a record that
 * fits it is stored as version 1: they can still load it while instances are
 * replaced one at a time, or after a rollback. A record with a Teams owner
 * or channel, or one a newer version wrote, is stored as it is. The next
 * record version drops this and stores its own number: version 2 readers
 * keep what they do not know.
 */
export function storedForm(record: ConversationRecord): ConversationRecord | RecordV1 {
  if (record.recordVersion !== 2) return record;
  // A transcript line that says what it follows from (transcript.ts) is beyond version 1: nearly every record
  // written now has one, and refusing it here spares validating the whole record against version 1 on every write.
  if (record.transcript.some((line) => line.input !== undefined || line.start !== undefined || line.lead !== undefined)) return record;
  const asV1 = RecordV1.safeParse({ ...record, recordVersion: 1 });
  return asV1.success ? asV1.data : record;
}

// --- reading ------------------------------------------------------------------

/**
 * The record a stored value holds, brought up to the current version; GovError
 * UNRESTORABLE naming the conversation and the first problem otherwise. The
 * store says where it read it (`file`, `row`) and, for a row, the revision
 * its column holds (updates compare that column, so the two must agree).
 */
export function parseStoredRecord(value: unknown, id: string, holder: 'file' | 'row', revision?: number): ConversationRecord {
  const version = typeof value === 'object' && value !== null && 'recordVersion' in value ? value.recordVersion : undefined;
  const newer = typeof version === 'number' && Number.isInteger(version) && version > RECORD_SCHEMA_VERSION;
  const parsed = (newer ? ConversationRecord : StoredRecord).safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
    const first = issues[0];
    const why = newer ? `it was written by a newer version (record version ${version}) in a form this version cannot read: ` : '';
    throw new GovError('UNRESTORABLE', `Stored conversation "${id}" cannot be restored: ${why}${first ? `${first.path}: ${first.message}` : 'invalid'}`, { id, issues });
  }
  const record = upgrade(parsed.data);
  if (record.id !== id) {
    throw new GovError('UNRESTORABLE', `Stored conversation "${id}" cannot be restored: its ${holder} holds id "${record.id}"`, { id });
  }
  if (revision !== undefined && record.revision !== revision) {
    // Updates compare the row's column: a record that disagrees with it could never be saved again.
    throw new GovError('UNRESTORABLE', `Stored conversation "${id}" cannot be restored: its record says revision ${record.revision} but its ${holder} ${revision}`, { id });
  }
  return record;
}

/**
 * How a store turns a record into the value it stores and back: this
 * version's is CURRENT_FORMAT. A test stands in another release's (a newer
 * record version) to run two releases on one database in one process.
 */
export interface RecordFormat {
  toStored: (record: ConversationRecord) => unknown;
  fromStored: (value: unknown, id: string, holder: 'file' | 'row', revision?: number) => ConversationRecord;
}

// --- writing ------------------------------------------------------------------

/** Ids and hashes become file names and keys: only these characters, so nothing can climb out of a folder. */
const SAFE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

export function isSafeStoreName(value: string): boolean {
  return SAFE_NAME.test(value);
}

/**
 * Checks a record before it is written, so a store never holds what it
 * cannot read back (BAD_INPUT otherwise). Stores then write its `storedForm`.
 *
 * `checkedBase`, when given, is a record this process has already checked
 * (schema and text) and deeply frozen (see deepFreeze): both checks then
 * skip every part of `record` that is that record's own part (the same
 * object, or the same string, at the same place). A turn builds its record
 * from the one it read, so only what the turn added is parsed and walked,
 * instead of the whole transcript on every turn.
 */
export function checkIncoming(record: ConversationRecord, checkedBase?: ConversationRecord): ConversationRecord {
  const parsed = checkedBase === undefined ? parseWhole(record) : parseSharing(record, checkedBase);
  if ('issues' in parsed) {
    const first = parsed.issues[0];
    throw new GovError(
      'BAD_INPUT',
      `Refusing to store an invalid conversation record${first ? ` (${formatPath(first.path)}: ${first.message})` : ''}`,
      { issues: parsed.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })) },
    );
  }
  const next = parsed.data;
  // One rule for every backend: PostgreSQL cannot hold NUL or a lone surrogate, so no store takes them.
  const unsafe = findTextProblem(next, checkedBase);
  if (unsafe) {
    throw new GovError('BAD_INPUT', `Refusing to store conversation "${next.id}": ${formatPath(unsafe.path)} ${TEXT_PROBLEMS[unsafe.problem]}`, {
      id: next.id,
      path: formatPath(unsafe.path),
      problem: unsafe.problem,
    });
  }
  if (!isSafeStoreName(next.id)) {
    throw new GovError('BAD_INPUT', 'A conversation id may only use letters, digits, "_" and "-" (1 to 128 of them)', { id: next.id.slice(0, 140) });
  }
  if (next.resumeCode && !isSafeStoreName(next.resumeCode.hash)) {
    throw new GovError('BAD_INPUT', `The resume-code hash of conversation "${next.id}" is not a plain hex/base64url string`, { id: next.id });
  }
  return next;
}

interface Issue {
  path: PropertyKey[];
  message: string;
}

function parseWhole(record: unknown): { data: ConversationRecord } | { issues: Issue[] } {
  const parsed = ConversationRecord.safeParse(record);
  return parsed.success ? { data: parsed.data } : { issues: parsed.error.issues };
}

/** The lists a turn appends to: their items are checked one by one, so only the new ones are parsed. */
const ITEM_SCHEMAS: Readonly<Record<string, z.ZodType>> = { transcript: TranscriptEntry, receipts: TurnReceipt };

/**
 * ConversationRecord.safeParse, parsing only what `record` does not share
 * with `base` (a record this process checked and froze): a field that is
 * the base's own, or an item of the transcript or receipts that is one of
 * the base's items, is valid already and is kept as it is (so the result
 * shares it too). The same result as parsing the whole record: the record's
 * schema checks each field on its own, with nothing across fields.
 */
function parseSharing(record: unknown, base: ConversationRecord): { data: ConversationRecord } | { issues: Issue[] } {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return parseWhole(record);
  const shape: Readonly<Record<string, z.ZodType>> = ConversationRecord.shape;
  const value = record as Record<string, unknown>;
  const baseFields = base as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const issues: Issue[] = [];
  const fail = (prefix: PropertyKey[], found: readonly Issue[]) => {
    for (const issue of found) issues.push({ ...issue, path: [...prefix, ...issue.path] });
  };
  // The schema's fields first, in its order (so the first issue is the one a whole parse reports first), then fields it does not know.
  for (const key of new Set([...Object.keys(shape), ...Object.keys(value)])) {
    const present = Object.hasOwn(value, key);
    const field = present ? value[key] : undefined;
    if (present && Object.hasOwn(baseFields, key) && field === baseFields[key]) {
      out[key] = field;
      continue;
    }
    const schema = shape[key];
    if (schema === undefined) {
      // A field of a newer version: kept as it is, as the loose schema does.
      out[key] = field;
      continue;
    }
    const itemSchema = ITEM_SCHEMAS[key];
    const baseItems = baseFields[key];
    if (itemSchema !== undefined && Array.isArray(field) && Array.isArray(baseItems)) {
      const known = new Set<unknown>(baseItems);
      const items: unknown[] = [];
      field.forEach((item: unknown, index) => {
        if (known.has(item)) {
          items.push(item);
          return;
        }
        const parsed = itemSchema.safeParse(item);
        if (parsed.success) items.push(parsed.data);
        else fail([key, index], parsed.error.issues);
      });
      out[key] = items;
      continue;
    }
    const parsed = schema.safeParse(field);
    if (!parsed.success) fail([key], parsed.error.issues);
    else if (present || parsed.data !== undefined) out[key] = parsed.data;
  }
  // Every field was parsed by its own schema above; the record as a whole has no rule of its own.
  return issues.length > 0 ? { issues } : { data: out as ConversationRecord };
}

/**
 * Freezes `value` and everything it holds, so a record a store shares
 * between callers (lowdb's cache) cannot be changed by any of them: a
 * change throws in strict-mode code rather than altering what the next
 * reader gets. Walks everything, even parts already frozen: a part frozen
 * only shallowly elsewhere could still hide a mutable object.
 */
export function deepFreeze<T>(value: T): T {
  return deepFreezeBeyond(value, undefined);
}

/**
 * deepFreeze, skipping what `value` shares with `frozenBase` at the same
 * place: a value this module froze whole (deepFreeze), so the parts of a
 * turn's record it took from the last one are not walked again.
 */
export function deepFreezeBeyond<T>(value: T, frozenBase: unknown): T {
  if (typeof value !== 'object' || value === null || value === frozenBase) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    const baseItems: readonly unknown[] | undefined = Array.isArray(frozenBase) ? frozenBase : undefined;
    value.forEach((item: unknown, index) => deepFreezeBeyond(item, baseItems?.[index]));
  } else {
    const baseFields = typeof frozenBase === 'object' && frozenBase !== null && !Array.isArray(frozenBase) ? (frozenBase as Record<string, unknown>) : undefined;
    for (const key in value) if (Object.hasOwn(value, key)) deepFreezeBeyond((value as Record<string, unknown>)[key], baseFields && Object.hasOwn(baseFields, key) ? baseFields[key] : undefined);
  }
  return value;
}

export const CURRENT_FORMAT: RecordFormat = { toStored: storedForm, fromStored: parseStoredRecord };

/** What listings return about a record. */
export function toSummary(record: ConversationRecord): ConversationSummary {
  return { id: record.id, status: record.state.status, createdAt: record.createdAt, updatedAt: record.updatedAt, owner: record.owner };
}

// --- owners and claims --------------------------------------------------------

/**
 * The key an owner's conversations are indexed under: PostgreSQL's
 * owner_key column, and (hashed, so the ids never reach the file system) the
 * name of lowdb's owner index file. An unambiguous encoding ("ab"+"c" and
 * "a"+"bc" differ) that starts with the kind, so kinds cannot collide; for
 * Slack exactly what version 1 stored, so existing indexes keep working.
 */
export function ownerKey(owner: Owner): string {
  switch (owner.kind) {
    case 'slack':
      return JSON.stringify(['slack', owner.teamId, owner.userId]);
    case 'teams':
      return JSON.stringify(['teams', owner.tenantId, owner.userId]);
  }
}

/** The same person (fields a newer version added to an owner do not make another one). */
export function sameOwner(a: Owner | null, b: Owner | null): boolean {
  if (a === null || b === null) return a === b;
  return ownerKey(a) === ownerKey(b);
}

/** sha256 (hex) of a string: for names built from ids that must not reach the file system as they are. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Longest claimOnce key accepted (Slack event ids are ~12 characters). */
export const MAX_CLAIM_KEY = 512;

/** The arguments of claimOnce, checked the same way by every store (BAD_INPUT otherwise). */
export function checkClaim(key: string, ttlMs: number): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_CLAIM_KEY) {
    throw new GovError('BAD_INPUT', `A claim key must be 1 to ${MAX_CLAIM_KEY} characters`);
  }
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new GovError('BAD_INPUT', `A claim needs a positive ttl in milliseconds, not ${ttlMs}`);
}
