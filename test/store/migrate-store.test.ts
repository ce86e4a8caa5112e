import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { moveLowdbToPostgres } from '../../src/store/postgres/move-from-lowdb.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { ConversationRecord } from '../../src/store/types.js';
import { collect, expectGovError } from './contract.js';
import { makeRecord, makeRichRecord, makeRound, membership, nextVersion, resumeCode, slackOwner, userLine } from './fixtures.js';
import { openTestDatabase, type TestDatabase, type TestSchema } from './postgres-test-db.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describe('moving lowdb conversations into PostgreSQL', () => {
  let dir: string;
  let schema: TestSchema;
  let target: PostgresStore;
  let records: ConversationRecord[];
  const damagedId = 'conv_damaged_bytes';
  const invalidId = 'conv_not_a_record';

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'govstage-move-'));
    const source = new LowdbStore({ dir });
    await source.open();
    const rich = makeRichRecord();
    const owned = makeRecord({ owner: slackOwner('U_MOVE'), resumeCode: resumeCode('MOVE-1') });
    const plain = makeRecord({ channel: 'terminal' });
    const finished = makeRecord({ owner: slackOwner('U_MOVE'), state: { ...makeRecord().state, status: 'finished', finishedAt: '2024-01-01T00:00:00.000Z' } });
    for (const record of [rich, owned, plain, finished]) await source.create(record);
    // One with some history, so the revision moved on.
    let moved = owned;
    for (let i = 0; i < 3; i += 1) {
      const next = nextVersion(moved, { transcript: [...moved.transcript, userLine(`answer ${i}`)] });
      await source.update(next, moved.revision);
      moved = next;
    }
    records = [rich, moved, plain, finished];
    await source.close();
    // Two damaged files: torn bytes, and JSON that is not a record.
    await writeFile(join(dir, 'conversations', `${damagedId}.json`), Buffer.from([0x7b, 0x22, 0x69, 0x64, 0xff, 0x00]));
    await writeFile(join(dir, 'conversations', `${invalidId}.json`), JSON.stringify({ ...makeRecord({ id: invalidId }), revision: 'three' }));

    schema = await db.freshSchema();
    target = new PostgresStore({ connectionString: schema.url });
    await target.open();
  });

  afterEach(async () => {
    await target.close();
    await schema.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const dump = async () => {
    const client = await db.client(schema.schema);
    try {
      return (await client.query('SELECT id, revision, record, status, owner_key, resume_code_hash, created_at, updated_at FROM conversations ORDER BY id')).rows;
    } finally {
      await client.end();
    }
  };

  it('keeps every valid conversation exactly, reports the damaged ones, and changes nothing when run again', async () => {
    const report = await moveLowdbToPostgres({ fromDir: dir, target });
    expect(report).toMatchObject({ found: 6, created: 4, updated: 0, skipped: 0, failed: [] });
    expect(report.damaged.map((d) => d.id).sort()).toEqual([damagedId, invalidId].sort());
    expect(report.damaged.find((d) => d.id === invalidId)?.message).toContain('revision');

    for (const record of records) expect(await target.get(record.id)).toEqual(record);
    expect(await target.get(damagedId)).toBeUndefined();
    expect((await collect(target.list())).map((s) => s.id).sort()).toEqual(records.map((r) => r.id).sort());
    // The indexes came along: resume code and owner.
    expect(await target.findByResumeCodeHash(resumeCode('MOVE-1')?.hash ?? '')).toBe(records[1]?.id);
    expect((await target.findByOwner(slackOwner('U_MOVE'))).map((s) => s.id).sort()).toEqual([records[1]?.id, records[3]?.id].sort());
    // And they keep working: the revision carried over.
    const moved = records[1]!;
    await target.update(nextVersion(moved), moved.revision);

    const before = await dump();
    const again = await moveLowdbToPostgres({ fromDir: dir, target });
    expect(again).toMatchObject({ found: 6, created: 0, updated: 0, skipped: 4, failed: [] });
    expect(again.damaged).toHaveLength(2);
    expect(await dump()).toEqual(before);
  });

  it('catches up a conversation the lowdb folder moved on since the last run, and never rolls one back', async () => {
    await moveLowdbToPostgres({ fromDir: dir, target });
    const source = new LowdbStore({ dir });
    await source.open();
    const [rich, , plain] = records as [ConversationRecord, ConversationRecord, ConversationRecord];
    const newer = nextVersion(rich, { transcript: [userLine('answered on the old server after the first run')] });
    await source.update(newer, rich.revision);
    await source.close();
    // Meanwhile PostgreSQL moved another one further than the folder has it.
    const ahead = nextVersion(plain, { transcript: [userLine('answered on the new server')] });
    await target.update(ahead, plain.revision);

    const report = await moveLowdbToPostgres({ fromDir: dir, target });
    expect(report).toMatchObject({ created: 0, updated: 1, skipped: 3 });
    expect(await target.get(rich.id)).toEqual(newer);
    expect(await target.get(plain.id)).toEqual(ahead);
  });

  it('reports a conversation PostgreSQL refuses and moves the rest', async () => {
    // A lowdb folder can hold two conversations with one resume code; PostgreSQL will not.
    const source = new LowdbStore({ dir });
    await source.open();
    const clash = makeRecord({ resumeCode: resumeCode('MOVE-1') });
    await source.create(clash);
    await source.close();
    const report = await moveLowdbToPostgres({ fromDir: dir, target });
    expect(report.created).toBe(4);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]?.message).toMatch(/resume code/);
    // Whichever came first keeps the code; the other is reported.
    const holder = await target.findByResumeCodeHash(resumeCode('MOVE-1')?.hash ?? '');
    expect([records[1]?.id, clash.id]).toContain(holder);
    expect(report.failed[0]?.id).toBe(holder === clash.id ? records[1]?.id : clash.id);
  });

  it('npm run migrate-store: exits non-zero for conversations PostgreSQL cannot hold (NUL, lone surrogate), naming each, the field and why', async () => {
    // Written by an older lowdb store, which still took such text.
    const nul = makeRecord({ transcript: [userLine('note before\u0000after')] });
    const lone = makeRecord({ transcript: [userLine('fine'), userLine('note \ud83d broken emoji')] });
    for (const record of [nul, lone]) await writeFile(join(dir, 'conversations', `${record.id}.json`), JSON.stringify(record));
    const result = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/migrate-store.ts'), '--from-dir', dir], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: schema.url },
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('refused 2');
    expect(result.stderr).toMatch(new RegExp(`refused, skipped: ${nul.id}: .*transcript\\[0\\]\\.text contains a NUL character`));
    expect(result.stderr).toMatch(new RegExp(`refused, skipped: ${lone.id}: .*transcript\\[1\\]\\.text is not valid Unicode`));
    expect(await target.get(nul.id)).toBeUndefined();
    for (const record of records) expect(await target.get(record.id)).toEqual(record);
  }, 60_000);

  it('moves group rounds too, with their members found again by round, and changes nothing when run again', async () => {
    const source = new LowdbStore({ dir });
    await source.open();
    const round = makeRound({ blocks: [{ releasedAt: '2024-05-06T07:08:09.010Z', perspective: null, perspectives: ['central'], members: ['c_a', 'c_b', 'c_c'], counts: { 'early-top-down': { holds: 1, partly: 1, absent: 1, unknown: 0, answered: 3 } } }] });
    await source.createGroupRound(round);
    const member = makeRecord({ group: membership(round.id, { name: 'Ana' }) });
    await source.create(member);
    await source.close();

    const report = await moveLowdbToPostgres({ fromDir: dir, target });
    expect(report.rounds).toEqual({ found: 1, created: 1, updated: 0, skipped: 0, damaged: [], failed: [] });
    expect(await target.getGroupRound(round.id)).toEqual(round);
    expect(await target.findGroupRoundByInvitationHash(round.invitation.hash)).toBe(round.id);
    expect((await target.findByGroupRound(round.id)).map((m) => m.id)).toEqual([member.id]);
    expect((await moveLowdbToPostgres({ fromDir: dir, target })).rounds).toMatchObject({ found: 1, created: 0, skipped: 1 });
  });

  it('refuses a folder that is not a data folder, creating nothing in it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'govstage-move-empty-'));
    try {
      await expectGovError(moveLowdbToPostgres({ fromDir: join(empty, 'typo'), target }), 'BAD_INPUT');
      await expectGovError(moveLowdbToPostgres({ fromDir: empty, target }), 'BAD_INPUT');
      expect(await readdir(empty)).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('npm run migrate-store: prints the counts, names the damaged files, exits 2 for them; idempotent', async () => {
    const filesBefore = (await readdir(join(dir, 'conversations'))).sort();
    const cli = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/migrate-store.ts'), ...args], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: schema.url },
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );

    const first = await cli(['--from-dir', dir]);
    expect(first.code, first.stderr).toBe(2);
    expect(first.stdout).toContain('found 6: copied 4, updated 0, already there 0, damaged 2, refused 0');
    expect(first.stderr).toContain(damagedId);
    expect(first.stderr).toContain(invalidId);
    for (const record of records) expect(await target.get(record.id)).toEqual(record);

    const second = await cli([`--from-dir=${dir}`]);
    expect(second.code).toBe(2);
    expect(second.stdout).toContain('found 6: copied 0, updated 0, already there 4, damaged 2, refused 0');
    // The folder was only read.
    expect((await readdir(join(dir, 'conversations'))).sort()).toEqual(filesBefore);

    const usage = await cli([]);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('--from-dir');
  }, 60_000);
});
