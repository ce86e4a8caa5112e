/**
 * The stored record of a group round, for both stores (a lowdb file, a
 * PostgreSQL row), versioned like the conversation record (record.ts):
 * `recordVersion`, objects that keep the fields they do not know, so a
 * release one behind reads and preserves what a newer one writes, and a
 * record of a newer version read with this version's schema and kept as it
 * was read. Version 1 is the first; the next one adds a migration here.
 *
 * What a round holds: its settings, the coordinator's capability (hashed),
 * the invitation code (hashed for lookup, and sealed with a key only the
 * coordinator's token gives, so the coordinator page can show it again),
 * a shareable report link (hashed), the picture as released so far
 * (aggregates in blocks of at least MIN_GROUP_SIZE respondents, never one
 * person's answers), and the consensus recorded in the workshop. Members
 * are conversations that name the round (`group` in record.ts).
 */
import { z } from 'zod';
import { formatPath } from '../core/data-file.js';
import { GovError } from '../errors.js';
import { findTextProblem, TEXT_PROBLEMS } from '../safe-text.js';
import { isSafeStoreName } from './record.js';

/** Keeps the fields it does not know (see `kept` in record.ts). */
const kept = z.looseObject as unknown as typeof z.object;
const Hash = z.string().length(64);
const Count = z.number().int().nonnegative();
const PerspectiveId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(40);

export const GROUP_ROUND_ID = /^g_[A-Za-z0-9_-]{10,64}$/;

export const Perspective = kept({ id: PerspectiveId, label: z.string().min(1).max(80) });
export type Perspective = z.infer<typeof Perspective>;

/** Answers to one characteristic, counted (see LevelCounts in core/scoring/group.ts). */
export const StoredCounts = kept({ holds: Count, partly: Count, absent: Count, unknown: Count, answered: Count });

/**
 * Respondents who entered the picture together: at least MIN_GROUP_SIZE of
 * them, none of whom shares their answers. Only their counts are kept, as
 * they were when the block was released, so nothing shown later can be
 * compared with something shown before to single one of them out.
 */
export const ReleasedBlock = kept({
  releasedAt: z.string(),
  /** The perspective it is shown under; null: the merged group of perspectives too small to show apart. */
  perspective: PerspectiveId.nullable(),
  /** The perspectives its members come from (the merged group names them). */
  perspectives: z.array(PerspectiveId),
  /** The member conversations, so that none is released twice. */
  members: z.array(z.string().min(1)).min(1),
  counts: z.record(z.string(), StoredCounts),
});
export type ReleasedBlock = z.infer<typeof ReleasedBlock>;

export const ConsensusLevel = z.enum(['holds', 'partly', 'absent', 'unknown']);
export type ConsensusLevel = z.infer<typeof ConsensusLevel>;

export const StoredConsensus = kept({
  level: ConsensusLevel,
  rationale: z.string().min(1),
  recordedAt: z.string(),
  /** The spread the group saw when it agreed (everyone in the picture then). */
  basis: StoredCounts,
});
export type StoredConsensus = z.infer<typeof StoredConsensus>;

const fields = {
  id: z.string().regex(GROUP_ROUND_ID),
  /** Bumped by every update; updates name the revision they read. */
  revision: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
  locale: z.string().min(2),
  /** The flow the members take (its id and version when the round was created). */
  flow: kept({ id: z.string().min(1), version: z.number().int().positive() }),
  name: z.string().min(1),
  /** What is being assessed: the flow's kind of unit (its opening question, answered for every member) and its name. */
  assessing: kept({ unit: z.string().nullable(), name: z.string() }),
  /** After this time no one can join; null: open until closed. */
  closesAt: z.string().nullable(),
  perspectives: z.array(Perspective).min(1),
  /** Respondents may see the group picture once they finished. */
  respondentsSeePicture: z.boolean(),
  /** The coordinator's capability: a token, hashed; revoked or replaced, the old one stops working. */
  coordinator: kept({ hash: Hash, createdAt: z.string(), revokedAt: z.string().nullable() }),
  /** The invitation code, hashed for lookup, and sealed (AES-GCM) under a key derived from the coordinator's token. */
  invitation: kept({ hash: Hash, createdAt: z.string(), sealed: kept({ iv: z.string(), data: z.string(), tag: z.string() }) }),
  /** A read-only link to the group report, to hand out. */
  reportLink: kept({ hash: Hash, createdAt: z.string(), expiresAt: z.string(), revokedAt: z.string().nullable() }).optional(),
  /** Where a round made in a chat channel was made: the coordinator there (who alone may remind and post the result) and the channel. */
  chat: kept({ kind: z.literal('slack'), teamId: z.string().min(1), userId: z.string().min(1), channelId: z.string().min(1) }).optional(),
  /** The round this one follows (its report shows what changed). */
  previousRoundId: z.string().regex(GROUP_ROUND_ID).optional(),
  blocks: z.array(ReleasedBlock),
  /** The agreed answer per characteristic id. */
  consensus: z.record(z.string(), StoredConsensus),
};

const RoundV1 = kept({ recordVersion: z.literal(1), ...fields });

/** The version this code writes. */
export const GROUP_ROUND_RECORD_VERSION = 1;

/** A round as this version hands it around: version 1, or a newer version's record kept as read. */
export const GroupRoundRecord = kept({ recordVersion: z.number().int().min(GROUP_ROUND_RECORD_VERSION), ...fields });
export type GroupRoundRecord = z.infer<typeof GroupRoundRecord>;

/** Every version this code reads (one so far; the next adds itself and a migration). */
const StoredRound = z.discriminatedUnion('recordVersion', [RoundV1]);

/** The round a stored value holds; GovError UNRESTORABLE naming the round and the first problem otherwise. */
export function parseStoredRound(value: unknown, id: string, holder: 'file' | 'row', revision?: number): GroupRoundRecord {
  const version = typeof value === 'object' && value !== null && 'recordVersion' in value ? value.recordVersion : undefined;
  const newer = typeof version === 'number' && Number.isInteger(version) && version > GROUP_ROUND_RECORD_VERSION;
  const parsed = (newer ? GroupRoundRecord : StoredRound).safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const why = newer ? `it was written by a newer version (record version ${version}) in a form this version cannot read: ` : '';
    throw new GovError('UNRESTORABLE', `Stored group round "${id}" cannot be restored: ${why}${first ? `${formatPath(first.path)}: ${first.message}` : 'invalid'}`, { id });
  }
  const round = parsed.data as GroupRoundRecord;
  if (round.id !== id) throw new GovError('UNRESTORABLE', `Stored group round "${id}" cannot be restored: its ${holder} holds id "${round.id}"`, { id });
  if (revision !== undefined && round.revision !== revision) {
    throw new GovError('UNRESTORABLE', `Stored group round "${id}" cannot be restored: its record says revision ${round.revision} but its ${holder} ${revision}`, { id });
  }
  return round;
}

/** Checks a round before it is written, so a store never holds what it cannot read back (BAD_INPUT otherwise). */
export function checkIncomingRound(round: GroupRoundRecord): GroupRoundRecord {
  const parsed = GroupRoundRecord.safeParse(round);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new GovError('BAD_INPUT', `Refusing to store an invalid group round${first ? ` (${formatPath(first.path)}: ${first.message})` : ''}`);
  }
  const next = parsed.data as GroupRoundRecord;
  const unsafe = findTextProblem(next);
  if (unsafe) throw new GovError('BAD_INPUT', `Refusing to store group round "${next.id}": ${formatPath(unsafe.path)} ${TEXT_PROBLEMS[unsafe.problem]}`, { id: next.id });
  if (!isSafeStoreName(next.id) || !isSafeStoreName(next.invitation.hash)) throw new GovError('BAD_INPUT', 'A group round id and its invitation hash may only use letters, digits, "_" and "-"');
  return next;
}
