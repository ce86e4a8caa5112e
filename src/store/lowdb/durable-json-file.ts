/**
 * A lowdb adapter for one JSON file that survives crashes and power loss.
 *
 * lowdb's own `JSONFile` renames a temp file over the target but never
 * fsyncs, so after a power cut the rename can be on disk while the data is
 * not (an empty or torn conversation). And `JSONFilePreset` swaps in an
 * in-memory adapter under NODE_ENV=test, which would make the tests prove
 * nothing about files. Here every write is: temp file in the same folder ->
 * fsync it -> rename over the target -> fsync the folder (so the rename
 * itself is durable). A reader sees the old file or the new one, never half.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { GovError } from '../../errors.js';

/** Suffix of in-flight temp files; `open()` of the store removes leftovers with it. */
export const TEMP_SUFFIX = '.tmp';

/** True for a temp file name this module could have left behind after a crash. */
export function isTempFileName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

export interface DurableJsonFileOptions<T> {
  /** What the file holds, for error messages: e.g. `conversation "abc"`. */
  label: string;
  /**
   * Turns the parsed JSON into T, throwing (ideally a GovError UNRESTORABLE)
   * if it is not one. Runs on every read, so nothing unvalidated gets in.
   */
  parse: (value: unknown) => T;
}

export class DurableJsonFile<T> implements Adapter<T> {
  readonly path: string;
  private readonly label: string;
  private readonly parse: (value: unknown) => T;

  constructor(path: string, options: DurableJsonFileOptions<T>) {
    this.path = path;
    this.label = options.label;
    this.parse = options.parse;
  }

  /** The content, or null when the file does not exist. */
  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      // An I/O failure says nothing about the content: the store is unwell, not this record.
      throw new GovError('UNAVAILABLE', `Cannot read stored ${this.label}: ${errorMessage(error)}`, { file: this.path }, { cause: error });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new GovError(
        'UNRESTORABLE',
        `Stored ${this.label} cannot be restored: the file is not valid JSON (${errorMessage(error)})`,
        { file: this.path },
        { cause: error },
      );
    }
    return this.parse(value);
  }

  /** Replaces the file atomically and durably (lowdb's Adapter). */
  async write(data: T): Promise<void> {
    await this.replace(data);
  }

  /** Replaces the file atomically and durably. */
  async replace(data: T): Promise<void> {
    const temp = await this.writeTemp(data);
    try {
      await rename(temp, this.path);
    } catch (error) {
      await removeQuietly(temp);
      throw this.writeError(error);
    }
    await this.syncFolder();
  }

  /**
   * Writes the file only if it does not exist yet, atomically and durably.
   * Returns false (writing nothing) if it exists. `link` never replaces its
   * target, so of two racing creators, even in two processes, exactly one wins.
   */
  async create(data: T): Promise<boolean> {
    const temp = await this.writeTemp(data);
    let created = true;
    try {
      await link(temp, this.path);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') {
        await removeQuietly(temp);
        throw this.writeError(error);
      }
      created = false;
    }
    await removeQuietly(temp);
    if (created) await this.syncFolder();
    return created;
  }

  /** Deletes the file durably. Returns false if there was none. */
  async remove(): Promise<boolean> {
    try {
      await unlink(this.path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw this.writeError(error);
    }
    await this.syncFolder();
    return true;
  }

  /** Writes and fsyncs a uniquely named temp file next to the target; returns its path. */
  private async writeTemp(data: T): Promise<string> {
    const text = JSON.stringify(data);
    if (text === undefined) throw new GovError('INTERNAL', `Cannot store ${this.label}: the value is not JSON`);
    const temp = join(dirname(this.path), `.${basename(this.path)}.${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`);
    try {
      // 'wx': the random name should never exist, and if it does we must not share it.
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      await removeQuietly(temp);
      throw this.writeError(error);
    }
    return temp;
  }

  /** fsync the folder so a rename, link or unlink inside it survives a power cut. */
  private async syncFolder(): Promise<void> {
    await syncDirectory(dirname(this.path)).catch((error: unknown) => {
      throw this.writeError(error);
    });
  }

  private writeError(error: unknown): GovError {
    if (error instanceof GovError) return error;
    return new GovError('UNAVAILABLE', `Cannot write stored ${this.label}: ${errorMessage(error)}`, { file: this.path }, { cause: error });
  }
}

/** fsync a directory. Platforms that cannot (Windows: EISDIR/EPERM) are skipped, not failed. */
/**
 * Group commit for folder fsyncs: while one fsync of a folder runs, every
 * caller that arrives waits for the next one, which starts when it ends and
 * so covers all their renames at once. Under load, many writes share one
 * folder fsync instead of queueing one each behind the disk.
 */
const folderSyncs = new Map<string, { running: Promise<void>; next: Promise<void> | undefined }>();

export function syncDirectory(dir: string): Promise<void> {
  const state = folderSyncs.get(dir);
  if (!state) {
    const running = syncDirectoryNow(dir).finally(() => {
      const current = folderSyncs.get(dir);
      if (current?.running === running && current.next === undefined) folderSyncs.delete(dir);
    });
    folderSyncs.set(dir, { running, next: undefined });
    return running;
  }
  // The fsync in flight may have started before this caller's rename: wait for the one after it.
  state.next ??= state.running.then(
    () => startNext(dir),
    () => startNext(dir),
  );
  return state.next;
}

function startNext(dir: string): Promise<void> {
  const running = syncDirectoryNow(dir).finally(() => {
    const current = folderSyncs.get(dir);
    if (current?.running === running && current.next === undefined) folderSyncs.delete(dir);
  });
  folderSyncs.set(dir, { running, next: undefined });
  return running;
}

async function syncDirectoryNow(dir: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    if (isUnsupportedDirSync(error)) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!isUnsupportedDirSync(error)) throw error;
  } finally {
    await handle.close();
  }
}

function isUnsupportedDirSync(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL';
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => {
    // Best effort: a leftover temp file is harmless and open() sweeps it.
  });
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** An I/O failure as the GovError it means (the store is unwell, not the data); a GovError stays as it is. */
export function unavailable(message: string, error: unknown): GovError {
  if (error instanceof GovError) return error;
  return new GovError('UNAVAILABLE', `${message}: ${errorMessage(error)}`, undefined, { cause: error });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
