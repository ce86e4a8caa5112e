/**
 * The lowdb store keeps the text of recently used files so a turn reads its
 * file once; it must never serve what the file no longer holds.
 */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { syncDirectory } from '../../src/store/lowdb/durable-json-file.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { expectGovError } from './contract.js';
import { makeRecord, nextVersion } from './fixtures.js';

let dir: string;
let store: LowdbStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'govstage-lowdb-cache-'));
  store = new LowdbStore({ dir });
  await store.open();
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const file = (id: string) => join(dir, 'conversations', `${id}.json`);

describe('the lowdb record cache', () => {
  it('re-reads a file replaced behind the store after it was cached', async () => {
    const record = makeRecord();
    await store.create(record);
    await store.update(nextVersion(record, { revision: 1 }), 0);
    expect((await store.get(record.id))?.revision).toBe(1);
    await writeFile(file(record.id), JSON.stringify({ ...record, revision: 7 }));
    expect((await store.get(record.id))?.revision).toBe(7);
  });

  it('reports a file damaged after it was cached', async () => {
    const record = makeRecord();
    await store.create(record);
    await store.update(nextVersion(record, { revision: 1 }), 0);
    await store.get(record.id);
    await writeFile(file(record.id), '{"torn":');
    await expectGovError(store.get(record.id), 'UNRESTORABLE');
  });

  it('hands every caller its own copy', async () => {
    const record = makeRecord();
    await store.create(record);
    await store.update(nextVersion(record, { revision: 1 }), 0);
    const first = await store.get(record.id);
    first!.transcript.push({ at: 'x', from: 'user', channel: 'web', text: 'mutated' });
    expect((await store.get(record.id))?.transcript).toHaveLength(record.transcript.length);
  });

  it('groups folder fsyncs asked for at once into a few, and every caller waits for one that started after it asked', async () => {
    const probe = await open(dir, 'r');
    const FileHandlePrototype = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const started: number[] = [];
    const sync = vi.spyOn(FileHandlePrototype, 'sync').mockImplementation(async function () {
      started.push(performance.now());
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    try {
      const calls = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const asked = performance.now();
          await syncDirectory(dir);
          return { asked, done: performance.now() };
        }),
      );
      expect(sync.mock.calls.length).toBeGreaterThanOrEqual(1);
      expect(sync.mock.calls.length).toBeLessThanOrEqual(3);
      // Each caller was answered by an fsync that started after it asked (so it covers its rename).
      for (const call of calls) expect(started.some((t) => t >= call.asked && t <= call.done)).toBe(true);
    } finally {
      sync.mockRestore();
    }
  });
});
