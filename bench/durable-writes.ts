/**
 * The disk's ceiling for what a turn must do: write a conversation-sized
 * file durably (temporary file, fsync, rename, fsync of the folder), at a
 * given concurrency, for a given time.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export async function measureDurableWrites(options: { dir: string; concurrency: number; seconds: number; bytes: number }): Promise<number> {
  await mkdir(options.dir, { recursive: true });
  const payload = randomBytes(options.bytes).toString('base64').slice(0, options.bytes);
  const deadline = Date.now() + options.seconds * 1000;
  let writes = 0;
  const worker = async (id: number) => {
    const target = path.join(options.dir, `conversation-${id}.json`);
    let n = 0;
    while (Date.now() < deadline) {
      const temp = `${target}.${n++}.tmp`;
      const file = await open(temp, 'w');
      await file.writeFile(payload);
      await file.sync();
      await file.close();
      await rename(temp, target);
      const dir = await open(options.dir, 'r');
      await dir.sync();
      await dir.close();
      writes++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  const elapsed = (Date.now() - started) / 1000;
  await rm(options.dir, { recursive: true, force: true });
  return writes / elapsed;
}
