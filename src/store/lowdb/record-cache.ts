/**
 * The text of recently used conversation files, so that a turn does not
 * read, parse and validate its file twice (once to load it, once to check
 * the revision under the lock). The text is what was read from or written to
 * the file, and was validated then; an entry is used only while the file is
 * still that file (same inode, size and modification time), so a file
 * changed or damaged behind the store's back is read again. Parsing the text
 * gives every caller its own copy.
 */
import type { Stats } from 'node:fs';

interface Entry {
  text: string;
  ino: number;
  size: number;
  mtimeMs: number;
}

export class RecordCache {
  /** A Map iterates in insertion order: re-inserting on use keeps the least recently used first. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries: number) {}

  /** The cached text of the file at `path`, if `stats` say it is unchanged. */
  get(path: string, stats: Stats): string | undefined {
    const entry = this.entries.get(path);
    if (!entry) return undefined;
    this.entries.delete(path);
    if (entry.ino !== stats.ino || entry.size !== stats.size || entry.mtimeMs !== stats.mtimeMs) return undefined;
    this.entries.set(path, entry);
    return entry.text;
  }

  set(path: string, text: string, stats: Stats): void {
    this.entries.delete(path);
    this.entries.set(path, { text, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(path: string): void {
    this.entries.delete(path);
  }
}
