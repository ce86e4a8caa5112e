import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LowdbStore, type LowdbStoreWarning } from '../../src/store/lowdb/lowdb-store.js';
import { ownerKey } from '../../src/store/record.js';
import { mountTinyDisk } from '../helpers/tiny-disk.js';
import { collect, describeStoreContract, expectGovError } from './contract.js';
import { makeRecord, nextVersion, resumeCode, sha256Hex, slackOwner, userLine, VERSION_ONE_FIXTURE_OWNER_FILE, versionOneOwnerKey, versionOneRecord } from './fixtures.js';

describeStoreContract('lowdb', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'govstage-lowdb-'));
  const file = (...parts: string[]) => join(dir, ...parts);
  return {
    store: new LowdbStore({ dir }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
    reopen: async () => new LowdbStore({ dir }),
    // The files version 1 wrote: the record, then its resume-code and owner index entries.
    writeRaw: async (value) => {
      await writeFile(file('conversations', `${value.id}.json`), JSON.stringify(value));
      const code = value.resumeCode as { hash?: unknown } | null | undefined;
      if (typeof code?.hash === 'string') await writeFile(file('resume-codes', `${code.hash}.json`), JSON.stringify({ id: value.id }));
      const owner = value.owner as { kind: string; teamId: string; userId: string } | null | undefined;
      if (owner) {
        const index = file('owners', `${sha256Hex(versionOneOwnerKey(owner))}.json`);
        const ids = await readFile(index, 'utf8').then((text) => (JSON.parse(text) as { ids: string[] }).ids, () => []);
        await writeFile(index, JSON.stringify({ ids: [...ids, value.id] }));
      }
    },
    readRaw: async (id) => JSON.parse(await readFile(file('conversations', `${id}.json`), 'utf8')),
    // A round's file and its invitation index entry.
    writeRawRound: async (value) => {
      await writeFile(file('groups', `${value.id}.json`), JSON.stringify(value));
      const invitation = value.invitation as { hash?: unknown } | undefined;
      if (typeof invitation?.hash === 'string') await writeFile(file('group-invitations', `${invitation.hash}.json`), JSON.stringify({ id: value.id }));
    },
    readRawRound: async (id) => JSON.parse(await readFile(file('groups', `${id}.json`), 'utf8')),
  };
});

describe('LowdbStore on disk', () => {
  let root: string;
  let dir: string;
  let store: LowdbStore;
  let warnings: LowdbStoreWarning[];

  beforeEach(async () => {
    // The store lives one level down, so a file that escaped it would show up in `root`.
    root = await mkdtemp(join(tmpdir(), 'govstage-lowdb-disk-'));
    dir = join(root, 'store');
    warnings = [];
    store = new LowdbStore({ dir, onWarning: (warning) => warnings.push(warning) });
    await store.open();
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  const conversationFile = (id: string): string => join(dir, 'conversations', `${id}.json`);

  it('writes real files, one per conversation, even under NODE_ENV=test', async () => {
    vi.stubEnv('NODE_ENV', 'test');
    const owner = slackOwner('U_FILES');
    const code = resumeCode('FILE-1');
    const record = makeRecord({ owner, resumeCode: code });
    const other = makeRecord();
    await store.create(record);
    await store.create(other);

    // Stored in the form version 1 reads, as they hold nothing version 1 lacks (see record.ts).
    expect(JSON.parse(await readFile(conversationFile(record.id), 'utf8'))).toEqual({ ...record, recordVersion: 1 });
    expect(JSON.parse(await readFile(conversationFile(other.id), 'utf8'))).toEqual({ ...other, recordVersion: 1 });
    expect((await readdir(join(dir, 'conversations'))).sort()).toEqual([`${record.id}.json`, `${other.id}.json`].sort());
    expect(JSON.parse(await readFile(join(dir, 'resume-codes', `${code?.hash}.json`), 'utf8'))).toEqual({ id: record.id });
    expect(JSON.parse(await readFile(join(dir, 'owners', `${sha256Hex(ownerKey(owner))}.json`), 'utf8'))).toEqual({ ids: [record.id] });
  });

  it('names a Slack owner\'s index file as version 1 did, so existing owner indexes keep working', async () => {
    const owner = versionOneRecord().owner;
    await store.create(makeRecord({ owner }));
    expect(await readdir(join(dir, 'owners'))).toEqual([`${VERSION_ONE_FIXTURE_OWNER_FILE}.json`]);
  });

  it('refuses a damaged file for that conversation only (UNRESTORABLE), and the others carry on', async () => {
    const broken = makeRecord();
    const healthy = makeRecord();
    await store.create(broken);
    await store.create(healthy);
    await writeFile(conversationFile(broken.id), Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0x9c, 0x0a, 0x13]));

    const error = await expectGovError(store.get(broken.id), 'UNRESTORABLE');
    expect(error.message).toContain(broken.id);
    await expectGovError(store.update(nextVersion(broken), 0), 'UNRESTORABLE');

    expect(await store.get(healthy.id)).toEqual(healthy);
    await store.update(nextVersion(healthy, { transcript: [userLine('fine')] }), 0);
    expect((await store.get(healthy.id))?.revision).toBe(1);

    // Listings skip the damaged one (and say so) rather than failing as a whole.
    expect((await collect(store.list())).map((summary) => summary.id)).toEqual([healthy.id]);
    expect(warnings.map((warning) => warning.id)).toEqual([broken.id]);

    // Retention can still remove it.
    expect(await store.delete(broken.id)).toBe(true);
    expect(await store.get(broken.id)).toBeUndefined();
  });

  it('names the conversation and the failing path when a file is JSON but not a valid record', async () => {
    const record = makeRecord();
    await store.create(record);
    const damaged = JSON.parse(await readFile(conversationFile(record.id), 'utf8')) as {
      state: { machine: { value: unknown } };
    };
    damaged.state.machine.value = 42;
    await writeFile(conversationFile(record.id), JSON.stringify(damaged));

    const error = await expectGovError(store.get(record.id), 'UNRESTORABLE');
    expect(error.message).toContain(record.id);
    expect(error.message).toContain('state.machine.value');
  });

  it('refuses a file whose content belongs to another id', async () => {
    const record = makeRecord();
    const other = makeRecord();
    await store.create(record);
    await writeFile(conversationFile(other.id), await readFile(conversationFile(record.id)));
    await expectGovError(store.get(other.id), 'UNRESTORABLE');
  });

  it('removes temp files left by a crash when it opens, and keeps the real ones', async () => {
    const record = makeRecord({ owner: slackOwner('U_CRASH') });
    await store.create(record);
    await store.close();
    const leftovers = [
      join(dir, 'conversations', `.${record.id}.json.0123456789abcdef.tmp`),
      join(dir, 'conversations', '.conv_never_renamed.json.fedcba9876543210.tmp'),
      join(dir, 'owners', '.abc.json.0011223344556677.tmp'),
      join(dir, 'resume-codes', '.def.json.8899aabbccddeeff.tmp'),
      join(dir, '.ping.a1b2c3d4e5f6.tmp'),
    ];
    for (const file of leftovers) await writeFile(file, '{"half": ');

    store = new LowdbStore({ dir });
    await store.open();
    for (const file of leftovers) await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(join(dir, 'conversations'))).toEqual([`${record.id}.json`]);
    expect(await store.get(record.id)).toEqual(record);
  });

  it('refuses ids that could leave the folder', async () => {
    await writeFile(join(root, 'escape.json'), JSON.stringify(makeRecord({ id: 'escape' })));
    const bad = ['../escape', '..', '.', 'a/b', 'a\\b', '.hidden', 'a.json', '%2e%2e', 'a b', 'é', 'x'.repeat(129)];
    for (const id of bad) {
      expect(await store.get(id), id).toBeUndefined();
      expect(await store.delete(id), id).toBe(false);
      await expectGovError(store.create(makeRecord({ id })), 'BAD_INPUT');
      await expectGovError(store.update(nextVersion(makeRecord({ id: 'conv_ok' }), { id }), 0), 'BAD_INPUT');
    }
    expect(await store.findByResumeCodeHash('../../escape')).toBeUndefined();
    // A schema-valid (64 characters) resume-code hash that is not a safe file name.
    const sneakyCode = { hash: `../../${'a'.repeat(58)}`, expiresAt: new Date().toISOString() };
    await expectGovError(store.create(makeRecord({ resumeCode: sneakyCode })), 'BAD_INPUT');

    expect(await store.get('x'.repeat(128))).toBeUndefined();
    expect((await readdir(root)).sort()).toEqual(['escape.json', 'store']);
    expect(await readdir(join(dir, 'conversations'))).toEqual([]);
  });

  it('rewrites only the conversation being updated', async () => {
    const busy = makeRecord({ owner: slackOwner('U_SAME') });
    const quiet = makeRecord({ owner: slackOwner('U_SAME'), resumeCode: resumeCode('QUIET-1') });
    await store.create(busy);
    await store.create(quiet);
    const before = await stat(conversationFile(quiet.id));
    // Longer than the coarsest mtime resolution we are likely to meet on a test machine.
    await new Promise((resolve) => setTimeout(resolve, 50));

    let current = busy;
    for (let i = 0; i < 3; i += 1) {
      const next = nextVersion(current, { transcript: [...current.transcript, userLine(`turn ${i}`)] });
      await store.update(next, current.revision);
      current = next;
    }

    const after = await stat(conversationFile(quiet.id));
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
    expect(await store.get(quiet.id)).toEqual(quiet);
    // And nothing was left behind by the writes.
    expect((await readdir(join(dir, 'conversations'))).sort()).toEqual([`${busy.id}.json`, `${quiet.id}.json`].sort());
  });

  it('does not drop a code another conversation now holds when the old holder lets it go', async () => {
    // Two conversations with one code is the code generator's bug, but the index must not get worse for it.
    const code = resumeCode('CLASH-1');
    const first = makeRecord({ resumeCode: code });
    const second = makeRecord({ resumeCode: code });
    await store.create(first);
    await store.create(second);
    await store.update(nextVersion(first, { resumeCode: resumeCode('OTHER-1') }), 0);
    expect(await store.findByResumeCodeHash(code?.hash ?? '')).toBe(second.id);
  });

  it('ignores a stale index entry left by a crash between record and index clean-up', async () => {
    const code = resumeCode('STALE-1');
    const owner = slackOwner('U_STALE');
    const record = makeRecord({ resumeCode: code, owner });
    await store.create(record);
    const moved = nextVersion(record, { resumeCode: null, owner: null });
    // Simulate the crash: the record is rewritten but the index files are not.
    await writeFile(conversationFile(record.id), JSON.stringify(moved));
    expect(await store.findByResumeCodeHash(code?.hash ?? '')).toBeUndefined();
    expect(await store.findByOwner(owner)).toEqual([]);
  });

  it('refuses calls after close, and ping fails when the folder is gone', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    await rm(dir, { recursive: true, force: true });
    await expectGovError(store.ping(), 'UNAVAILABLE');
    await store.close();
    await expectGovError(store.get('conv_any'), 'UNAVAILABLE');
  });

  it('ping on a full disk fails (UNAVAILABLE) and leaves no temporary file behind, however often it is asked', async () => {
    const disk = await mountTinyDisk();
    const full = new LowdbStore({ dir: disk.dir });
    try {
      await full.open();
      await expect(full.ping()).resolves.toBeUndefined();
      await disk.fill();
      for (let probe = 0; probe < 5; probe++) await expectGovError(full.ping(), 'UNAVAILABLE');
      expect((await readdir(disk.dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    } finally {
      await full.close();
      await disk.remove();
    }
  });

  it('waits for a write in flight before close resolves', async () => {
    const record = makeRecord();
    const creating = store.create(record);
    await store.close();
    await creating;
    const again = new LowdbStore({ dir });
    await again.open();
    expect(await again.get(record.id)).toEqual(record);
    await again.close();
  });
});
