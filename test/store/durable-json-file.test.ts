import { mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GovError } from '../../src/errors.js';
import { DurableJsonFile, isTempFileName } from '../../src/store/lowdb/durable-json-file.js';
import { expectGovError } from './contract.js';

interface Doc {
  n: number;
}

const parseDoc = (value: unknown): Doc => {
  if (typeof value === 'object' && value !== null && 'n' in value && typeof value.n === 'number') return { n: value.n };
  throw new GovError('UNRESTORABLE', 'not a doc');
};

describe('DurableJsonFile', () => {
  let dir: string;
  let path: string;
  let file: DurableJsonFile<Doc>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'govstage-durable-'));
    path = join(dir, 'doc.json');
    file = new DurableJsonFile<Doc>(path, { label: 'document "doc"', parse: parseDoc });
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads null for a missing file, and reads back what it wrote', async () => {
    expect(await file.read()).toBeNull();
    await file.write({ n: 1 });
    await file.write({ n: 2 });
    expect(await file.read()).toEqual({ n: 2 });
    expect(await readdir(dir)).toEqual(['doc.json']);
  });

  it('works as a lowdb adapter', async () => {
    const db = new Low<Doc>(file, { n: 0 });
    await db.read();
    await db.update((data) => {
      data.n += 5;
    });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ n: 5 });
  });

  it('fsyncs the temp file and the folder on every write', async () => {
    // All FileHandles share one prototype; spy on its sync.
    const probe = await open(join(dir, 'probe'), 'w');
    const handleProto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const sync = vi.spyOn(handleProto, 'sync');
    await file.write({ n: 1 });
    expect(sync).toHaveBeenCalledTimes(2);
    sync.mockClear();
    expect(await file.create({ n: 1 })).toBe(false);
    expect(sync).toHaveBeenCalledTimes(1); // the temp file only: nothing changed in the folder
  });

  it('throws UNRESTORABLE naming the label for a file that is not JSON', async () => {
    await writeFile(path, Buffer.from([0x00, 0xff, 0x7b]));
    const error = await expectGovError(file.read(), 'UNRESTORABLE');
    expect(error.message).toContain('document "doc"');
    await writeFile(path, '');
    await expectGovError(file.read(), 'UNRESTORABLE');
  });

  it('runs the parse function on every read', async () => {
    await writeFile(path, '{"m": 1}');
    await expectGovError(file.read(), 'UNRESTORABLE');
  });

  it('creates only once, even when many race, keeping the winner', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, n) => file.create({ n })));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await file.read()).toEqual({ n: results.indexOf(true) });
    expect(await readdir(dir)).toEqual(['doc.json']);
  });

  it('removes durably, answering whether there was something', async () => {
    await file.write({ n: 1 });
    expect(await file.remove()).toBe(true);
    expect(await file.remove()).toBe(false);
    expect(await file.read()).toBeNull();
  });

  it('reports UNAVAILABLE when the folder is gone, leaving no temp file', async () => {
    const lost = new DurableJsonFile<Doc>(join(dir, 'missing', 'doc.json'), { label: 'doc', parse: parseDoc });
    await expectGovError(lost.write({ n: 1 }), 'UNAVAILABLE');
    expect(await readdir(dir)).toEqual([]);
  });

  it('recognises its own temp file names', () => {
    expect(isTempFileName('.doc.json.0123456789abcdef.tmp')).toBe(true);
    expect(isTempFileName('doc.json')).toBe(false);
    expect(isTempFileName('conv_1.json')).toBe(false);
  });
});
