/**
 * The validated records of recently used conversation files, so that a turn
 * neither parses nor validates its file again (once to load it, once to
 * check the revision under the lock): parsing and validating the whole
 * record was most of the store's CPU per turn. A record is cached as it was
 * validated when it was read from the file, or as checkIncoming produced it
 * when it was written, and deeply frozen: callers share it and build the
 * next version from it, so nobody may change it (in strict-mode code a
 * change throws). An entry is used only while the file is still that file
 * (same inode, size and modification time), so a file changed or damaged
 * behind the store's back is read and validated again; only an update's
 * compare-and-swap takes it on the word of a check made a moment before
 * (recentlyChecked, see CacheUse 'locked').
 *
 * Bounded by entries and by the files' bytes (about proportional to a
 * parsed record's heap), so memory follows the conversations active at
 * once, never the number stored.
 */
import type { Stats } from 'node:fs';
import type { ConversationRecord } from '../record.js';

interface Entry {
  record: ConversationRecord;
  ino: number;
  size: number;
  mtimeMs: number;
  /** When the file was last seen to be this one (performance.now()): written, or checked by a stat. */
  checkedAt: number;
}

export class RecordCache {
  /** A Map iterates in insertion order: re-inserting on use keeps the least recently used first. */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  /** The cached record of the file at `path`, if `stats` say it is unchanged; marks it recently used. */
  get(path: string, stats: Stats): ConversationRecord | undefined {
    const entry = this.entries.get(path);
    if (!entry) return undefined;
    this.remove(path, entry);
    if (!sameFile(entry, stats)) return undefined;
    entry.checkedAt = performance.now();
    this.entries.set(path, entry);
    this.bytes += entry.size;
    return entry.record;
  }

  /** As get, for listings: neither marks the entry used nor drops a stale one, so a walk over every file leaves the active conversations cached. */
  peekValid(path: string, stats: Stats): ConversationRecord | undefined {
    const entry = this.entries.get(path);
    return entry && sameFile(entry, stats) ? entry.record : undefined;
  }

  /**
   * The cached record of `path` if the file was seen to hold it within the
   * last `withinMs` (a read's stat or the write itself), without a stat:
   * for the compare-and-swap of a turn whose load has just checked the file.
   */
  recentlyChecked(path: string, withinMs: number): ConversationRecord | undefined {
    const entry = this.entries.get(path);
    return entry && performance.now() - entry.checkedAt <= withinMs ? entry.record : undefined;
  }

  /**
   * The last record validated for `path`, whatever the file holds now: only
   * a known-good base to compare an outgoing record with (checkIncoming),
   * never an answer to a read.
   */
  lastValidated(path: string): ConversationRecord | undefined {
    return this.entries.get(path)?.record;
  }

  /** Caches `record`, which must be validated and deeply frozen, as what the file with `stats` holds. */
  set(path: string, record: ConversationRecord, stats: Stats): void {
    const previous = this.entries.get(path);
    if (previous) this.remove(path, previous);
    // A record larger than the whole budget would only flush the others.
    if (stats.size > this.maxBytes) return;
    this.entries.set(path, { record, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, checkedAt: performance.now() });
    this.bytes += stats.size;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.entries.entries().next();
      if (oldest.done) break;
      this.remove(oldest.value[0], oldest.value[1]);
    }
  }

  delete(path: string): void {
    const entry = this.entries.get(path);
    if (entry) this.remove(path, entry);
  }

  /** Entries and file bytes held (for tests and metrics). */
  get usage(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private remove(path: string, entry: Entry): void {
    this.entries.delete(path);
    this.bytes -= entry.size;
  }
}

function sameFile(entry: Entry, stats: Stats): boolean {
  return entry.ino === stats.ino && entry.size === stats.size && entry.mtimeMs === stats.mtimeMs;
}
