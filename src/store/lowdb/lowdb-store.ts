/**
 * The default conversation store: lowdb JSON files under one folder, for a
 * single running instance (several instances need the PostgreSQL store).
 *
 *   conversations/<id>.json      one lowdb database per conversation (a `Low`
 *                                over ConversationFile, our durable adapter),
 *                                so a turn rewrites only its own conversation
 *                                and costs the same however many are stored
 *   resume-codes/<hash>.json     { id }: which conversation holds that code
 *   owners/<ownerHash>.json      { ids }: the conversations of one owner (a
 *                                `Low` too), named by the sha256 of ownerKey
 *   groups/, group-invitations/, group-members/
 *                                group rounds and their indexes (group-rounds.ts)
 *
 * Indexes are written ahead of the record and cleaned after it, so a crash
 * can leave a stale index entry but never a missing one; readers check every
 * entry against the record itself, so a stale one is invisible.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, opendir, stat, unlink, writeFile } from 'node:fs/promises';
import type { Dir } from 'node:fs';
import { join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { z } from 'zod';
import { formatPath } from '../../core/data-file.js';
import { GovError, isGovError } from '../../errors.js';
import { KeyedMutex } from '../keyed-mutex.js';
import type { GroupRoundRecord } from '../group-record.js';
import { checkIncoming, isSafeStoreName, ownerKey, sameOwner, sha256Hex, toSummary, type ConversationRecord, type Owner } from '../record.js';
import type { ConversationStore, ConversationSummary } from '../types.js';
import { ClaimFolder } from './claims.js';
import { GROUP_FOLDERS, GroupRoundFolder } from './group-rounds.js';
import { ConversationFile, type CacheUse } from './conversation-file.js';
import { DurableJsonFile, errorCode, isTempFileName, TEMP_SUFFIX, unavailable } from './durable-json-file.js';
import { RecordCache } from './record-cache.js';

const ResumeCodeEntry = z.strictObject({ id: z.string() });
type ResumeCodeEntry = z.infer<typeof ResumeCodeEntry>;
const OwnerEntry = z.strictObject({ ids: z.array(z.string()) });
type OwnerEntry = z.infer<typeof OwnerEntry>;

const FOLDERS = ['conversations', 'resume-codes', 'owners', 'claims', ...GROUP_FOLDERS] as const;

/**
 * Module-wide, keyed by folder, so two store objects on the same folder in
 * one process (a reopen, a test) still take turns. Across processes nothing
 * serialises updates: run one instance per folder.
 */
const locks = new KeyedMutex();

/**
 * Module-wide for the same reason, keyed by absolute file path. Bounded by
 * entries and by file bytes (a record parsed from its file took about 1.5
 * times the file's size on the heap, measured on a 35 KB one; records built
 * turn by turn share most of their strings and take less): room for about
 * the conversations active at once, and a ceiling on memory (about 18 MB)
 * however large records grow.
 */
const records = new RecordCache(1000, 12 * 1024 * 1024);

export interface LowdbStoreWarning {
  message: string;
  /** The conversation concerned. */
  id: string;
  error: GovError;
}

export interface LowdbStoreOptions {
  dir: string;
  /**
   * Told about problems that do not fail the call: an unreadable record
   * skipped by list() or findByOwner(), an index entry that could not be
   * cleaned after a successful write. For logs.
   */
  onWarning?: (warning: LowdbStoreWarning) => void;
}

export class LowdbStore implements ConversationStore {
  readonly kind = 'lowdb';
  private readonly dir: string;
  private readonly onWarning: (warning: LowdbStoreWarning) => void;
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;
  private readonly claims: ClaimFolder;
  private readonly groups: GroupRoundFolder;

  constructor(options: LowdbStoreOptions) {
    this.dir = resolve(options.dir);
    this.onWarning = options.onWarning ?? (() => {});
    this.claims = new ClaimFolder(join(this.dir, 'claims'), locks);
    this.groups = new GroupRoundFolder(this.dir, (space, key, fn) => this.exclusive(space, key, fn));
  }

  async open(): Promise<void> {
    this.closed = false;
    try {
      await mkdir(this.dir, { recursive: true });
      await removeTempFiles(this.dir);
      for (const folder of FOLDERS) {
        const path = join(this.dir, folder);
        await mkdir(path, { recursive: true });
        await removeTempFiles(path);
      }
    } catch (error) {
      throw unavailable(`Cannot open the conversation folder ${this.dir}`, error);
    }
  }

  /** Waits for writes in flight, then refuses new calls. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
  }

  async create(record: ConversationRecord): Promise<void> {
    this.assertOpen();
    const next = checkIncoming(record);
    await this.track(() =>
      this.exclusive('conversation', next.id, async () => {
        // Checked first so a doomed create does not touch the indexes of the existing conversation.
        if (await exists(this.conversationPath(next.id))) throw conflictExists(next.id);
        await this.addIndexes(next, undefined);
        // Exclusive create (lowdb has none): also holds against another process or store object on the same folder.
        if (!(await this.conversationFile(next.id).create(next))) throw conflictExists(next.id);
      }),
    );
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    this.assertOpen();
    if (!isSafeStoreName(id)) return undefined;
    return this.readRecord(id);
  }

  /** A compare-and-swap on the conversation's lowdb database: read, check the revision, write, all under its lock. */
  async update(next: ConversationRecord, expectedRevision: number): Promise<void> {
    this.assertOpen();
    // The last record checked for this id (whatever its revision) lets the schema and text checks skip what the turn did not add.
    const base = typeof next.id === 'string' && isSafeStoreName(next.id) ? this.conversationFile(next.id).lastValidated() : undefined;
    const record = checkIncoming(next, base);
    const id = record.id;
    await this.track(() =>
      this.exclusive('conversation', id, async () => {
        // Re-read under the lock (the cached record when the file is unchanged: no parsing; no stat either when the turn's
        // load has just checked it, see CacheUse 'locked'): the revision check and the write must be one step.
        const db = this.conversation(id, 'locked');
        await db.read();
        const stored = db.data;
        if (!stored) throw new GovError('NOT_FOUND', `No conversation "${id}" to update`, { id });
        if (stored.revision !== expectedRevision) {
          throw new GovError(
            'CONFLICT',
            `Conversation "${id}" is at revision ${stored.revision}, not ${expectedRevision}: it changed meanwhile`,
            { id, reason: 'revision', expectedRevision, storedRevision: stored.revision },
          );
        }
        if (record.revision !== expectedRevision + 1) {
          throw new GovError(
            'CONFLICT',
            `An update of conversation "${id}" from revision ${expectedRevision} must carry revision ${expectedRevision + 1}, not ${record.revision}`,
            { id, expectedRevision, nextRevision: record.revision },
          );
        }
        await this.addIndexes(record, stored);
        db.data = record;
        await db.write();
        await this.removeStaleIndexes(stored, record);
      }),
    );
  }

  async findByResumeCodeHash(hash: string): Promise<string | undefined> {
    this.assertOpen();
    if (!isSafeStoreName(hash)) return undefined;
    const entry = await this.resumeCodeFile(hash).read();
    if (!entry || !isSafeStoreName(entry.id)) return undefined;
    try {
      const record = await this.readRecord(entry.id);
      // A stale entry (crash between record and index clean-up) points to a record with another code.
      return record?.resumeCode?.hash === hash ? entry.id : undefined;
    } catch (error) {
      // The code is right but the record is damaged: hand out the id so loading it reports UNRESTORABLE.
      if (isGovError(error) && error.kind === 'UNRESTORABLE') return entry.id;
      throw error;
    }
  }

  async findByOwner(owner: Owner): Promise<ConversationSummary[]> {
    this.assertOpen();
    const key = ownerKey(owner);
    const entry = await this.ownerFile(owner).read();
    if (!entry) return [];
    const ids = [...new Set(entry.ids)].filter(isSafeStoreName);
    const records: (ConversationRecord | undefined)[] = [];
    // In small batches: parallel enough to be quick, bounded so a prolific owner cannot exhaust file handles.
    for (let start = 0; start < ids.length; start += 16) {
      const batch = ids.slice(start, start + 16);
      records.push(...(await Promise.all(batch.map((id) => this.readForListing(id, 'findByOwner')))));
    }
    return records
      .filter((record): record is ConversationRecord => record !== undefined && record.owner !== null && ownerKey(record.owner) === key)
      .sort(newestFirst)
      .map(toSummary);
  }

  async *list(): AsyncIterable<ConversationSummary> {
    this.assertOpen();
    let dir: Dir;
    try {
      dir = await opendir(join(this.dir, 'conversations'));
    } catch (error) {
      throw unavailable('Cannot list the conversation folder', error);
    }
    // Read lazily, one directory entry at a time: memory stays flat however many are stored.
    for await (const entry of dir) {
      if (entry.isDirectory() || isTempFileName(entry.name) || !entry.name.endsWith('.json')) continue;
      const id = entry.name.slice(0, -'.json'.length);
      if (!isSafeStoreName(id)) continue;
      const record = await this.readForListing(id, 'list');
      if (record) yield toSummary(record);
    }
  }

  async delete(id: string): Promise<boolean> {
    this.assertOpen();
    if (!isSafeStoreName(id)) return false;
    return this.track(() =>
      this.exclusive('conversation', id, async () => {
        let previous: ConversationRecord | undefined;
        try {
          previous = await this.readRecord(id);
        } catch (error) {
          // A damaged record must still be deletable (retention); its index entries go stale, which readers tolerate.
          if (!isGovError(error) || error.kind !== 'UNRESTORABLE') throw error;
        }
        const removed = await this.conversationFile(id).remove();
        if (previous) await this.removeStaleIndexes(previous, undefined);
        return removed;
      }),
    );
  }

  async ping(): Promise<void> {
    this.assertOpen();
    // Actually write: access(W_OK) says yes on a full disk or a folder removed under us.
    const probe = join(this.dir, `.ping.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    let failure: unknown;
    try {
      await writeFile(probe, 'ok', { flag: 'wx' });
    } catch (error) {
      failure = error;
    }
    // Removed whether or not the write worked: on a full disk the file is created, empty, before the write is refused.
    await unlink(probe).catch((error: unknown) => {
      if (errorCode(error) !== 'ENOENT') failure ??= error;
    });
    if (failure !== undefined) throw unavailable(`The conversation folder ${this.dir} is not writable`, failure);
  }

  /** Exact within one instance (claims/ holds one file per key, created exclusively). */
  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    return this.track(() => this.claims.claimOnce(key, ttlMs));
  }

  // --- group rounds --------------------------------------------------------

  async createGroupRound(round: GroupRoundRecord): Promise<void> {
    this.assertOpen();
    await this.track(() => this.groups.create(round));
  }

  async getGroupRound(id: string): Promise<GroupRoundRecord | undefined> {
    this.assertOpen();
    return this.groups.get(id);
  }

  async updateGroupRound(next: GroupRoundRecord, expectedRevision: number): Promise<void> {
    this.assertOpen();
    await this.track(() => this.groups.update(next, expectedRevision));
  }

  async findGroupRoundByInvitationHash(hash: string): Promise<string | undefined> {
    this.assertOpen();
    return this.groups.findByInvitationHash(hash);
  }

  async findByGroupRound(roundId: string): Promise<ConversationSummary[]> {
    this.assertOpen();
    const ids = await this.groups.memberIds(roundId);
    const records: (ConversationRecord | undefined)[] = [];
    for (let start = 0; start < ids.length; start += 16) {
      records.push(...(await Promise.all(ids.slice(start, start + 16).map((id) => this.readForListing(id, 'findByGroupRound')))));
    }
    return records
      .filter((record): record is ConversationRecord => record?.group?.roundId === roundId)
      .sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(toSummary);
  }

  /** The ids of every stored round (for `npm run migrate-store`). */
  groupRoundIds(): AsyncIterable<string> {
    this.assertOpen();
    return this.groups.ids();
  }

  async deleteGroupRound(id: string): Promise<boolean> {
    this.assertOpen();
    return this.track(() => this.groups.delete(id));
  }

  // --- records -------------------------------------------------------------

  private conversationPath(id: string): string {
    return join(this.dir, 'conversations', `${id}.json`);
  }

  private conversationFile(id: string, use: CacheUse = 'active'): ConversationFile {
    return new ConversationFile(id, this.conversationPath(id), records, use);
  }

  /** The conversation's lowdb database: `data` is its record (frozen), or null when there is none. */
  private conversation(id: string, use: CacheUse = 'active'): Low<ConversationRecord | null> {
    return new Low<ConversationRecord | null>(this.conversationFile(id, use), null);
  }

  private async readRecord(id: string, use: CacheUse = 'active'): Promise<ConversationRecord | undefined> {
    const db = this.conversation(id, use);
    await db.read();
    return db.data ?? undefined;
  }

  /**
   * For listings: a damaged record is skipped (and reported), so one bad
   * file does not hide the rest; and the cache is left as it is, so a walk
   * over every stored conversation does not push out the active ones.
   */
  private async readForListing(id: string, during: string): Promise<ConversationRecord | undefined> {
    try {
      return await this.readRecord(id, 'listing');
    } catch (error) {
      if (!isGovError(error) || error.kind !== 'UNRESTORABLE') throw error;
      this.onWarning({ message: `${during}: skipped unreadable conversation "${id}"`, id, error });
      return undefined;
    }
  }

  // --- indexes -------------------------------------------------------------

  private resumeCodeFile(hash: string): DurableJsonFile<ResumeCodeEntry | null> {
    return new DurableJsonFile<ResumeCodeEntry | null>(join(this.dir, 'resume-codes', `${hash}.json`), {
      label: `resume-code index entry ${hash.slice(0, 8)}…`,
      parse: (value) => parseIndexEntry(ResumeCodeEntry, value, 'resume-code index entry'),
    });
  }

  /** Named by a hash of the owner's key, so Slack and Teams ids never reach the file system (and as version 1 named it). */
  private ownerFile(owner: Owner): DurableJsonFile<OwnerEntry | null> {
    const name = sha256Hex(ownerKey(owner));
    return new DurableJsonFile<OwnerEntry | null>(join(this.dir, 'owners', `${name}.json`), {
      label: `owner index ${name.slice(0, 8)}…`,
      parse: (value) => parseIndexEntry(OwnerEntry, value, 'owner index'),
    });
  }

  /** Before the record is written: index entries the new version needs. */
  private async addIndexes(next: ConversationRecord, previous: ConversationRecord | undefined): Promise<void> {
    const code = next.resumeCode?.hash;
    if (code !== undefined && code !== previous?.resumeCode?.hash) {
      await this.exclusive('resume-code', code, () => this.resumeCodeFile(code).write({ id: next.id }));
    }
    const owner = next.owner;
    if (owner && !sameOwner(owner, previous?.owner ?? null)) {
      await this.exclusive('owner', ownerKey(owner), async () => {
        const db = new Low<OwnerEntry | null>(this.ownerFile(owner), null);
        await db.read();
        const ids = db.data?.ids ?? [];
        if (ids.includes(next.id)) return;
        db.data = { ids: [...ids, next.id] };
        await db.write();
      });
    }
    const round = next.group?.roundId;
    if (round !== undefined && round !== previous?.group?.roundId) await this.groups.addMember(round, next.id);
  }

  /** After the record is written (or deleted): drop entries that no longer apply. */
  private async removeStaleIndexes(previous: ConversationRecord, next: ConversationRecord | undefined): Promise<void> {
    const id = previous.id;
    // The record is already durable: a failed clean-up must not turn success into an error.
    const attempt = async (what: string, fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
      } catch (error) {
        const govError = isGovError(error) ? error : unavailable(String(error), error);
        this.onWarning({ message: `could not clean the ${what} of conversation "${id}"`, id, error: govError });
      }
    };
    const oldCode = previous.resumeCode?.hash;
    if (oldCode !== undefined && oldCode !== next?.resumeCode?.hash) {
      await attempt('resume-code index', () =>
        this.exclusive('resume-code', oldCode, async () => {
          const file = this.resumeCodeFile(oldCode);
          const entry = await file.read().catch((error: unknown) => {
            // A damaged entry points nowhere useful: remove it.
            if (isGovError(error) && error.kind === 'UNRESTORABLE') return { id };
            throw error;
          });
          // Only our own entry: the code may since belong to another conversation.
          if (entry?.id === id) await file.remove();
        }),
      );
    }
    const owner = previous.owner;
    if (owner && !sameOwner(owner, next?.owner ?? null)) {
      await attempt('owner index', () =>
        this.exclusive('owner', ownerKey(owner), async () => {
          const file = this.ownerFile(owner);
          const db = new Low<OwnerEntry | null>(file, null);
          await db.read();
          if (!db.data?.ids.includes(id)) return;
          const ids = db.data.ids.filter((other) => other !== id);
          if (ids.length === 0) {
            await file.remove();
          } else {
            db.data = { ids };
            await db.write();
          }
        }),
      );
    }
    const round = previous.group?.roundId;
    if (round !== undefined && round !== next?.group?.roundId) await attempt('group members index', () => this.groups.removeMember(round, id));
  }

  // --- plumbing ------------------------------------------------------------

  private exclusive<T>(space: string, key: string, fn: () => Promise<T>): Promise<T> {
    return locks.runExclusive(`${this.dir}\u0000${space}\u0000${key}`, fn);
  }

  /** Remembers a write so close() can wait for it. */
  private async track<T>(fn: () => Promise<T>): Promise<T> {
    const running = fn();
    this.inflight.add(running);
    try {
      return await running;
    } finally {
      this.inflight.delete(running);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new GovError('UNAVAILABLE', 'The conversation store is closed');
  }
}

function parseIndexEntry<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new GovError('UNRESTORABLE', `Stored ${what} is damaged${first ? ` at ${formatPath(first.path)}: ${first.message}` : ''}`);
  }
  return parsed.data;
}

function conflictExists(id: string): GovError {
  return new GovError('CONFLICT', `Conversation "${id}" already exists`, { id });
}

function newestFirst(a: ConversationRecord, b: ConversationRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw unavailable(`Cannot check ${path}`, error);
  }
}

/** Temp files left by a crash mid-write: never renamed into place, so never part of the data. */
async function removeTempFiles(folder: string): Promise<void> {
  // opendir, not readdir: the folder may hold very many conversations.
  for await (const entry of await opendir(folder)) {
    if (!isTempFileName(entry.name)) continue;
    await unlink(join(folder, entry.name)).catch((error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
    });
  }
}
