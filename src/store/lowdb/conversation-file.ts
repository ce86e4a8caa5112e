/**
 * One conversation's file, as a lowdb Adapter: the store opens a lowdb
 * `Low` on it for every read and every compare-and-swap. Reads go through
 * the record cache (record-cache.ts); a file read from disk is validated
 * and brought up to the current record version (record.ts). Writes are
 * atomic and durable (DurableJsonFile) and store the record's stored form.
 * Creating exclusively and removing, which lowdb has no word for, are
 * methods of their own.
 *
 * Records handed out are deeply frozen and shared: build the next version
 * with spreads, never by changing one.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { findTextProblem } from '../../safe-text.js';
import { deepFreeze, deepFreezeBeyond, parseStoredRecord, storedForm, type ConversationRecord } from '../record.js';
import { DurableJsonFile, errorCode, unavailable } from './durable-json-file.js';
import type { RecordCache } from './record-cache.js';

export type CacheUse =
  /** A conversation being worked on: served from and kept in the cache. */
  | 'active'
  /** A listing walking many files: served from the cache when there, never added to it or reordering it. */
  | 'listing'
  /**
   * The compare-and-swap of an update, under the conversation's lock: an
   * entry seen to match the file within the last RECHECK_AFTER_MS (by the
   * turn's own load, a moment before) is used without another stat. Only
   * another process could have changed the file in that moment, and nothing
   * serialises with another process anyway (one instance per folder): a
   * stat would notice it no more reliably than the next read does.
   */
  | 'locked';

/** How long a stat vouches for a cache entry, for a compare-and-swap: about a turn's load, never a stale read. */
export const RECHECK_AFTER_MS = 100;

export class ConversationFile implements Adapter<ConversationRecord | null> {
  private readonly file: DurableJsonFile<ConversationRecord>;

  constructor(
    private readonly id: string,
    readonly path: string,
    private readonly cache: RecordCache,
    private readonly use: CacheUse = 'active',
  ) {
    this.file = new DurableJsonFile<ConversationRecord>(path, {
      label: `conversation "${id}"`,
      parse: (value) => parseStoredRecord(value, id, 'file'),
    });
  }

  /** The record (frozen), or null when there is no file; GovError UNRESTORABLE when the file cannot be read as one. */
  async read(): Promise<ConversationRecord | null> {
    if (this.use === 'locked') {
      const recent = this.cache.recentlyChecked(this.path, RECHECK_AFTER_MS);
      if (recent !== undefined) return recent;
    }
    let stats: Stats;
    try {
      stats = await stat(this.path);
    } catch (error) {
      if (this.use !== 'listing') this.cache.delete(this.path);
      if (errorCode(error) === 'ENOENT') return null;
      throw unavailable(`Cannot read stored conversation "${this.id}"`, error);
    }
    const cached = this.use === 'listing' ? this.cache.peekValid(this.path, stats) : this.cache.get(this.path, stats);
    if (cached !== undefined) return cached;
    const read = await this.file.read();
    if (read === null) return null;
    const record = deepFreeze(read);
    // Only a record whose text a store could take is cached: the cache is also the base checkIncoming skips the checked parts of.
    // Cached with the identity the file had before it was read: if it changed in between, the next read sees the difference.
    if (this.use !== 'listing' && findTextProblem(record) === undefined) this.cache.set(this.path, record, stats);
    return record;
  }

  /**
   * Replaces the file atomically and durably with a record checked by
   * checkIncoming (which it caches, frozen, as the file's content); null
   * (no record) removes it.
   */
  async write(record: ConversationRecord | null): Promise<void> {
    if (record === null) {
      await this.remove();
      return;
    }
    // Stale from here: if the write fails half way, the next read must go to the file (the entry stays a base for deepFreezeBeyond until remember replaces it).
    await this.file.replace(storedForm(record)).catch((error: unknown) => {
      this.cache.delete(this.path);
      throw error;
    });
    await this.remember(record);
  }

  /** Writes the file only if there is none (true), also against another process on the folder. */
  async create(record: ConversationRecord): Promise<boolean> {
    const created = await this.file.create(storedForm(record));
    if (created) await this.remember(record);
    return created;
  }

  /** Deletes the file durably; false if there was none. */
  async remove(): Promise<boolean> {
    this.cache.delete(this.path);
    return this.file.remove();
  }

  /** The last record this process checked for the file (any revision): a base for checkIncoming, not an answer to a read. */
  lastValidated(): ConversationRecord | undefined {
    return this.cache.lastValidated(this.path);
  }

  /** Caches the record just written with its file's identity (one stat). */
  private async remember(record: ConversationRecord): Promise<void> {
    // What the record shares with the last one cached (frozen whole) need not be walked again.
    deepFreezeBeyond(record, this.cache.lastValidated(this.path));
    let stats: Stats;
    try {
      stats = await stat(this.path);
    } catch {
      // Only the cache is affected: the next read goes to the file.
      this.cache.delete(this.path);
      return;
    }
    this.cache.set(this.path, record, stats);
  }
}
