/**
 * The lowdb store keeps the text of recently used files so a turn reads its
 * file once; it must never serve what the file no longer holds.
 */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Stats } from 'node:fs';
import { ConversationFile, RECHECK_AFTER_MS } from '../../src/store/lowdb/conversation-file.js';
import { syncDirectory } from '../../src/store/lowdb/durable-json-file.js';
import { RecordCache } from '../../src/store/lowdb/record-cache.js';
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

  it("lets an update's compare-and-swap trust the turn's own check of the file for a moment, and no longer", async () => {
    const record = makeRecord();
    await store.create(record);
    const cache = new RecordCache(10);
    const stats = { ino: 1, size: 2, mtimeMs: 3 } as Stats;
    cache.set('a', record, stats);
    expect(cache.recentlyChecked('a', RECHECK_AFTER_MS)).toBe(record);
    expect(cache.recentlyChecked('b', RECHECK_AFTER_MS)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, RECHECK_AFTER_MS + 20));
    expect(cache.recentlyChecked('a', RECHECK_AFTER_MS)).toBeUndefined();
    // A read that finds the file unchanged vouches for it again.
    expect(cache.get('a', stats)).toBe(record);
    expect(cache.recentlyChecked('a', RECHECK_AFTER_MS)).toBe(record);
    // Past the moment, the compare-and-swap looks at the file: one replaced behind the store's back is noticed.
    expect((await store.get(record.id))?.revision).toBe(0);
    await writeFile(file(record.id), JSON.stringify({ ...record, revision: 7 }));
    await new Promise((resolve) => setTimeout(resolve, RECHECK_AFTER_MS + 20));
    await expectGovError(store.update(nextVersion(record, { revision: 1 }), 0), 'CONFLICT');
  });

  it('reports a file damaged after it was cached', async () => {
    const record = makeRecord();
    await store.create(record);
    await store.update(nextVersion(record, { revision: 1 }), 0);
    await store.get(record.id);
    await writeFile(file(record.id), '{"torn":');
    await expectGovError(store.get(record.id), 'UNRESTORABLE');
  });

  it('hands out records nobody can change, so no caller alters what the next one reads', async () => {
    const record = makeRecord();
    await store.create(record);
    await store.update(nextVersion(record, { revision: 1 }), 0);
    const first = await store.get(record.id);
    expect(() => first!.transcript.push({ at: 'x', from: 'user', channel: 'web', text: 'mutated' })).toThrow(TypeError);
    expect(() => {
      (first!.state as { status: string }).status = 'finished';
    }).toThrow(TypeError);
    // Read from the file too (not only the cached copy written): frozen as well.
    await writeFile(file(record.id), JSON.stringify({ ...record, revision: 3 }));
    const fromDisk = await store.get(record.id);
    expect(fromDisk?.revision).toBe(3);
    expect(Object.isFrozen(fromDisk!.state.machine.context)).toBe(true);
    expect((await store.get(record.id))?.transcript).toHaveLength(record.transcript.length);
  });

  it('checks only what an update added for NUL and lone surrogates, and still refuses them there', async () => {
    const record = makeRecord({ transcript: [{ at: 'a', from: 'user', channel: 'web', text: 'hello' }] });
    await store.create(record);
    const stored = (await store.get(record.id))!;
    const bad = { ...stored, revision: 1, transcript: [...stored.transcript, { at: 'x', from: 'user' as const, channel: 'web' as const, text: 'a\u0000b' }] };
    await expectGovError(store.update(bad, 0), 'BAD_INPUT');
    const lone = { ...stored, revision: 1, state: { ...stored.state, locale: 'e\uD800' } };
    await expectGovError(store.update(lone, 0), 'BAD_INPUT');
    // A record built from scratch (sharing nothing with the cached one) is checked whole.
    const fresh = JSON.parse(JSON.stringify(stored)) as typeof stored;
    fresh.revision = 1;
    fresh.transcript[0] = { ...fresh.transcript[0]!, text: 'x\u0001' };
    await expectGovError(store.update(fresh, 0), 'BAD_INPUT');
    await store.update({ ...stored, revision: 1 }, 0);
    expect((await store.get(record.id))?.revision).toBe(1);
  });

  it('serves listings from the cache without pushing the active conversations out of it', async () => {
    // A cache with room for one: a listing's read of another file must not take the active one's place.
    const cache = new RecordCache(1);
    const active = makeRecord();
    const other = makeRecord();
    await writeFile(file(active.id), JSON.stringify(active));
    await writeFile(file(other.id), JSON.stringify(other));
    const activeFile = new ConversationFile(active.id, file(active.id), cache);
    const first = await activeFile.read();
    expect(await new ConversationFile(other.id, file(other.id), cache, 'listing').read()).toMatchObject({ id: other.id });
    // The same object: still cached, not read again.
    expect(await activeFile.read()).toBe(first);
    // A listing is served the cached record too.
    expect(await new ConversationFile(active.id, file(active.id), cache, 'listing').read()).toBe(first);
    // Whereas an active read of the other file does take the place.
    await new ConversationFile(other.id, file(other.id), cache).read();
    expect(await activeFile.read()).not.toBe(first);
  });

  it('bounds the cache by file bytes as well as by entries', () => {
    const cache = new RecordCache(10, 1000);
    const record = makeRecord();
    const stats = (ino: number, size: number) => ({ ino, size, mtimeMs: 1 }) as Stats;
    cache.set('a', record, stats(1, 600));
    cache.set('b', record, stats(2, 600));
    expect(cache.usage).toEqual({ entries: 1, bytes: 600 });
    expect(cache.get('a', stats(1, 600))).toBeUndefined();
    expect(cache.get('b', stats(2, 600))).toBe(record);
    // Larger than the whole budget: not cached, and nothing else pushed out for it.
    cache.set('c', record, stats(3, 5000));
    expect(cache.usage).toEqual({ entries: 1, bytes: 600 });
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
