/**
 * The lowdb store is lowdb: each conversation is a lowdb `Low` over
 * ConversationFile. Driven here through lowdb's own API, on real files.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationFile } from '../../src/store/lowdb/conversation-file.js';
import { RecordCache } from '../../src/store/lowdb/record-cache.js';
import type { ConversationRecord } from '../../src/store/record.js';
import { expectGovError } from './contract.js';
import { asLaterVersion, makeRecord, makeRichRecord, nextVersion, versionOneRecord } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'govstage-conversation-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lowdbOn = (id: string, cache = new RecordCache(10)) => new Low<ConversationRecord | null>(new ConversationFile(id, join(dir, `${id}.json`), cache), null);
const onDisk = async (id: string): Promise<unknown> => JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8'));

describe('a conversation as a lowdb database', () => {
  it('reads nothing where there is no file, writes the record in its stored form, and reads it back as the current version', async () => {
    const record = makeRichRecord();
    const db = lowdbOn(record.id);
    await db.read();
    expect(db.data).toBeNull();

    db.data = record;
    await db.write();
    expect(await onDisk(record.id)).toEqual({ ...record, recordVersion: 1 });

    const again = lowdbOn(record.id);
    await again.read();
    expect(again.data).toEqual(record);
  });

  it('reads a version-1 file and a later version\'s file, and rewrites the later one with every field it had', async () => {
    const old = versionOneRecord();
    await writeFile(join(dir, `${old.id}.json`), JSON.stringify(old));
    const oldDb = lowdbOn(old.id);
    await oldDb.read();
    expect(oldDb.data).toEqual({ ...old, recordVersion: 2 });

    const later = asLaterVersion(makeRecord());
    const id = String(later.id);
    await writeFile(join(dir, `${id}.json`), JSON.stringify(later));
    const db = lowdbOn(id);
    await db.read();
    expect(db.data).toEqual(later);
    db.data = nextVersion(db.data as ConversationRecord);
    await db.write();
    expect(await onDisk(id)).toEqual({ ...later, revision: 1, updatedAt: db.data.updatedAt });
  });

  it('serves a cached read only while the file is the one it cached, and refuses a damaged file (UNRESTORABLE)', async () => {
    const cache = new RecordCache(10);
    const record = makeRecord();
    const db = lowdbOn(record.id, cache);
    db.data = record;
    await db.write();
    await db.read();
    expect(db.data).toEqual(record);

    await writeFile(join(dir, `${record.id}.json`), JSON.stringify({ ...record, revision: 7 }));
    await db.read();
    expect(db.data?.revision).toBe(7);

    await writeFile(join(dir, `${record.id}.json`), '{"recordVersion": 2, "id": ');
    const error = await expectGovError(lowdbOn(record.id, cache).read(), 'UNRESTORABLE');
    expect(error.message).toContain(record.id);
  });
});
