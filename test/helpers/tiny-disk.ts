/**
 * A real, tiny file system for tests of full-disk behaviour: a tmpfs of a
 * few KB mounted on a fresh folder (the tests run as root, as in CI), which
 * `fill()` fills to the last byte so every later write fails with ENOSPC.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TinyDisk {
  dir: string;
  /** Writes a filler file until the disk is full. */
  fill: () => Promise<void>;
  /** Unmounts and removes the folder (stop anything using it first). */
  remove: () => Promise<void>;
}

export async function mountTinyDisk(sizeKb = 256): Promise<TinyDisk> {
  const dir = await mkdtemp(join(tmpdir(), 'govstage-tiny-disk-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir]);
  return {
    dir,
    async fill() {
      try {
        await writeFile(join(dir, 'filler'), Buffer.alloc((sizeKb + 64) * 1024));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        return;
      }
      throw new Error(`the ${sizeKb} KB disk at ${dir} did not fill up`);
    },
    async remove() {
      await run('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
