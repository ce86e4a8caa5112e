/**
 * A rolling deploy: instances of two releases share one PostgreSQL database
 * while they are replaced one at a time, and neither may refuse a record
 * the other wrote. Two server processes with different record schemas are
 * not possible from one checkout, so both releases run here in one process,
 * each with its own PostgresStore (its own connection pool) and turn
 * pipeline on the same real database:
 *
 * - the newer release is this code with a record format of version 3 that
 *   stores fields version 2 does not know (and requires them back);
 * - the older release is version 1, whose rows are put in place exactly as
 *   it wrote them (the fixture is a real version-1 record).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCatalog, type AssessmentDefinition } from '../../src/core/definition.js';
import { GovError } from '../../src/errors.js';
import { ConversationService } from '../../src/service/conversation-service.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { parseStoredRecord, type ConversationRecord, type Owner, type RecordFormat } from '../../src/store/record.js';
import { ROOT } from '../helpers/server.js';
import { versionOneOwnerKey, versionOneRecord } from '../store/fixtures.js';
import { openTestDatabase, type TestDatabase, type TestSchema } from '../store/postgres-test-db.js';
import { applied } from '../helpers/assessment.js';

/** What version 3 adds: a field at the top level and one in every transcript entry. */
const REVIEW = { reviewer: 'coordinator', reviewState: 'pending' };

/**
 * Version 3 as the newer release would run it: it writes its fields on every
 * write, migrates version 2 (and, through the current chain, version 1) by
 * filling them in, and refuses a version-3 record that lost them, so a test
 * where the older release dropped them on a rewrite fails here.
 */
const VERSION_3: RecordFormat = {
  toStored: (record) => ({
    ...record,
    recordVersion: 3,
    review: (record as { review?: unknown }).review ?? REVIEW,
    transcript: record.transcript.map((entry) => ({ ...entry, seenBy: (entry as { seenBy?: unknown }).seenBy ?? 'version 3' })),
  }),
  fromStored: (value, id, holder, revision) => {
    const record = parseStoredRecord(value, id, holder, revision);
    if (record.recordVersion === 3 && !('review' in record)) {
      throw new GovError('UNRESTORABLE', `Stored conversation "${id}" cannot be restored: version 3 requires "review" and it is gone`, { id });
    }
    return { ...record, recordVersion: 3, review: (record as { review?: unknown }).review ?? REVIEW };
  },
};

let db: TestDatabase;
let schema: TestSchema;
let definition: AssessmentDefinition;
let newer: { store: PostgresStore; service: ConversationService };
let current: { store: PostgresStore; service: ConversationService };

function release(recordFormat?: RecordFormat) {
  const store = new PostgresStore({ connectionString: schema.url, ...(recordFormat ? { recordFormat } : {}) });
  return { store, service: new ConversationService({ definition, store, resumeCodeTtlMs: 3_600_000 }) };
}

/** The row as it is in the database: the record and the columns the indexes use. */
async function row(id: string): Promise<{ record: Record<string, unknown> & { transcript: Record<string, unknown>[] }; owner_key: string | null; revision: number }> {
  const client = await db.client(schema.schema);
  try {
    const result = await client.query('SELECT record, owner_key, revision FROM conversations WHERE id = $1', [id]);
    return result.rows[0];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  db = await openTestDatabase();
  schema = await db.freshSchema();
  const catalog = await loadCatalog(ROOT);
  const found = catalog.get('principle-2-chat');
  if (!found) throw new Error('flow principle-2-chat not found');
  definition = found;
  newer = release(VERSION_3);
  current = release();
  await newer.store.open();
  await current.store.open();
});

afterAll(async () => {
  await newer?.store.close();
  await current?.store.close();
  await schema?.drop();
  await db?.close();
});

let turns = 0;
function say(on: { service: ConversationService }, conversationId: string, owner: Owner, text: string) {
  return on.service.turn({ conversationId, access: { kind: 'owner', owner }, channel: 'slack', turnId: `rolling-${++turns}`, input: { kind: 'text', text } }).then(applied);
}

describe('a rolling upgrade on one PostgreSQL database', () => {
  let owner: Owner;
  beforeEach(() => {
    owner = { kind: 'slack', teamId: 'T_ROLLING', userId: `U_${++turns}` };
  });

  it('this release reads, continues and keeps what the next release (record version 3) wrote, turn after turn, and the next release reads it back', async () => {
    const started = await newer.service.start({ channel: 'slack', owner });
    const id = started.conversationId;
    expect((await row(id)).record).toMatchObject({ recordVersion: 3, review: REVIEW });

    // The two releases take turns, as a load balancer would send them.
    const script: [typeof current, string][] = [
      [current, 'start'],
      [newer, '1'],
      [current, 'yes'],
      [current, 'partly, only in two ministries'],
      [newer, 'no'],
      [current, 'why'],
    ];
    for (const [instance, text] of script) {
      const before = await row(id);
      const reply = await say(instance, id, owner, text);
      expect(reply.replayed).toBe(false);
      const after = await row(id);
      expect(after.revision).toBe(before.revision + 1);
      // Whoever wrote it, the record keeps version 3's number and fields, and every entry keeps all it had
      // (version 3 marks the entries version 2 added when it next writes).
      expect(after.record).toMatchObject({ recordVersion: 3, review: REVIEW });
      expect(after.record.transcript.slice(0, before.record.transcript.length)).toMatchObject(before.record.transcript);
    }
    // And the newer release can still read it (it refuses a version-3 record that lost its fields).
    const seen = await newer.store.get(id);
    expect(seen).toMatchObject({ recordVersion: 3, review: REVIEW });
    // Both find it by owner, and a resume code issued by one is redeemed by the other.
    expect(await current.service.latestFor(owner)).toBe(id);
    expect(await newer.service.latestFor(owner)).toBe(id);
    const code = await newer.service.issueResumeCode(id, { kind: 'owner', owner });
    expect((await current.service.resume(code.code, { owner })).conversationId).toBe(id);
    const view = await current.service.view(id, { kind: 'owner', owner });
    expect(view.transcript.filter((entry) => entry.from === 'user').map((entry) => entry.text)).toEqual(script.map(([, text]) => text));
    expect((await row(id)).record).toMatchObject({ recordVersion: 3, review: REVIEW });
  });

  it('this release continues a conversation exactly as version 1 wrote its row, keeping every line version 1 wrote', async () => {
    const old = versionOneRecord();
    const client = await db.client(schema.schema);
    try {
      // The columns as version 1 filled them (its owner_key was the JSON of kind, team and user).
      await client.query(
        `INSERT INTO conversations (id, revision, record, status, owner_key, resume_code_hash, created_at, updated_at)
         VALUES ($1, $2, $3::jsonb, 'active', $4, $5, $6::timestamptz, $7::timestamptz)`,
        [old.id, old.revision, JSON.stringify(old), versionOneOwnerKey(old.owner), old.resumeCode.hash, old.createdAt, old.updatedAt],
      );
    } finally {
      await client.end();
    }
    const oldOwner: Owner = old.owner;
    expect(await current.service.latestFor(oldOwner)).toBe(old.id);
    const reply = await say(current, old.id, oldOwner, 'yes');
    expect(reply.revision).toBe(old.revision + 1);
    const after = await row(old.id);
    // The new bot line says what it follows from (docs/postgres.md): a field version 1 lacks, so the row is version 2 now.
    expect(after.record.recordVersion).toBe(2);
    expect(after.owner_key).toBe(versionOneOwnerKey(old.owner));
    const record = (await current.store.get(old.id)) as ConversationRecord;
    expect(record.recordVersion).toBe(2);
    expect(record.transcript.slice(0, (old.transcript as unknown[]).length)).toEqual(old.transcript);
    // Version 1's lines are shown as it stored them, this release's as it sent them.
    const shown = (await current.service.view(old.id, { kind: 'owner', owner: oldOwner })).transcript;
    const storedBot = (old.transcript as { from: string; messages?: unknown }[]).filter((line) => line.from === 'bot').map((line) => line.messages);
    expect(shown.filter((line) => line.from === 'bot').map((line) => line.messages)).toEqual([...storedBot, reply.messages]);
    // The next release reads it too, through the whole chain.
    expect(await newer.store.get(old.id)).toMatchObject({ recordVersion: 3, id: old.id, revision: old.revision + 1 });
  });
});
