/**
 * One conversation's file, as a lowdb Adapter: the store opens a lowdb
 * `Low` on it for every read and every compare-and-swap. Reads go through
 * the text cache and are validated and brought up to the current record
 * version (record.ts); writes are atomic and durable (DurableJsonFile) and
 * store the record's stored form. Creating exclusively and removing, which
 * lowdb has no word for, are methods of their own.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { parseStoredRecord, storedForm, upgradeValidated, type ConversationRecord } from '../record.js';
import { DurableJsonFile, errorCode, unavailable } from './durable-json-file.js';
import type { RecordCache } from './record-cache.js';

export class ConversationFile implements Adapter<ConversationRecord | null> {
  private readonly file: DurableJsonFile<ConversationRecord>;

  constructor(
    private readonly id: string,
    readonly path: string,
    private readonly cache: RecordCache,
  ) {
    this.file = new DurableJsonFile<ConversationRecord>(path, {
      label: `conversation "${id}"`,
      parse: (value) => parseStoredRecord(value, id, 'file'),
    });
  }

  /** The record, or null when there is no file; GovError UNRESTORABLE when the file cannot be read as one. */
  async read(): Promise<ConversationRecord | null> {
    let stats: Stats;
    try {
      stats = await stat(this.path);
    } catch (error) {
      this.cache.delete(this.path);
      if (errorCode(error) === 'ENOENT') return null;
      throw unavailable(`Cannot read stored conversation "${this.id}"`, error);
    }
    const cached = this.cache.get(this.path, stats);
    // Validated when it was read or written: parsing gives the caller its own copy.
    if (cached !== undefined) return upgradeValidated(JSON.parse(cached));
    const read = await this.file.readWithText();
    // Cached with the identity the file had before it was read: if it changed in between, the next read sees the difference.
    if (read) this.cache.set(this.path, read.text, stats);
    return read?.value ?? null;
  }

  /** Replaces the file atomically and durably with a record checked by checkIncoming; null (no record) removes it. */
  async write(record: ConversationRecord | null): Promise<void> {
    if (record === null) {
      await this.remove();
      return;
    }
    await this.remember(await this.file.replace(storedForm(record)));
  }

  /** Writes the file only if there is none (true), also against another process on the folder. */
  async create(record: ConversationRecord): Promise<boolean> {
    return this.file.create(storedForm(record));
  }

  /** Deletes the file durably; false if there was none. */
  async remove(): Promise<boolean> {
    this.cache.delete(this.path);
    return this.file.remove();
  }

  /** Caches the text just written, with its file's identity (read back once). */
  private async remember(text: string): Promise<void> {
    try {
      this.cache.set(this.path, text, await stat(this.path));
    } catch {
      // Only the cache is affected: the next read goes to the file.
      this.cache.delete(this.path);
    }
  }
}
