import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isGovError } from '../../src/errors.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, applyMigrations, schemaVersion } from '../../src/store/postgres/migrations.js';
import { PostgresStore, describeDatabase, type PostgresStoreWarning } from '../../src/store/postgres/postgres-store.js';
import { collect, describeStoreContract, expectGovError } from './contract.js';
import { makeRecord, nextVersion, resumeCode, slackOwner, userLine, versionOneOwnerKey, versionOneRecord } from './fixtures.js';
import { openTestDatabase, type TestDatabase, type TestSchema } from './postgres-test-db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describeStoreContract('postgres', async () => {
  const schema = await db.freshSchema();
  const sql = async (text: string, values: unknown[]) => {
    const client = await db.client(schema.schema);
    try {
      return (await client.query(text, values)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    store: new PostgresStore({ connectionString: schema.url }),
    cleanup: schema.drop,
    reopen: async () => new PostgresStore({ connectionString: schema.url }),
    // The row version 1 wrote: the record and the columns copied out of it.
    writeRaw: async (value) => {
      const owner = value.owner as { kind: string; teamId: string; userId: string } | null | undefined;
      const state = value.state as { status?: unknown } | undefined;
      const code = value.resumeCode as { hash?: unknown } | null | undefined;
      await sql(
        `INSERT INTO conversations (id, revision, record, status, owner_key, resume_code_hash, created_at, updated_at)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7::timestamptz, $8::timestamptz)`,
        [value.id, value.revision, JSON.stringify(value), state?.status ?? 'active', owner ? versionOneOwnerKey(owner) : null, code?.hash ?? null, value.createdAt, value.updatedAt],
      );
    },
    readRaw: async (id) => (await sql('SELECT record FROM conversations WHERE id = $1', [id]))[0]?.record,
    writeRawRound: async (value) => {
      const invitation = value.invitation as { hash?: unknown } | undefined;
      await sql(
        `INSERT INTO group_rounds (id, revision, record, invitation_hash, created_at, updated_at) VALUES ($1, $2, $3::jsonb, $4, $5::timestamptz, $6::timestamptz)`,
        [value.id, value.revision, JSON.stringify(value), invitation?.hash ?? 'x', value.createdAt, value.updatedAt],
      );
    },
    readRawRound: async (id) => (await sql('SELECT record FROM group_rounds WHERE id = $1', [id]))[0]?.record,
  };
});

describe('PostgresStore on a real database', () => {
  let schema: TestSchema;
  let store: PostgresStore;
  let warnings: PostgresStoreWarning[];
  const extra: PostgresStore[] = [];

  beforeEach(async () => {
    schema = await db.freshSchema();
    warnings = [];
    store = new PostgresStore({ connectionString: schema.url, onWarning: (warning) => warnings.push(warning) });
    await store.open();
  });

  afterEach(async () => {
    for (const other of extra.splice(0)) await other.close();
    await store.close();
    await schema.drop();
  });

  /** Runs SQL in the test's schema, as an operator with psql would. */
  const sql = async <R extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> => {
    const client = await db.client(schema.schema);
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  };

  describe('migrations', () => {
    it('creates the tables and records every version once', async () => {
      const rows = await sql<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(rows).toEqual(MIGRATIONS.map((step) => ({ version: step.version, name: step.name })));
      expect(store.migration).toEqual({ from: 0, to: LATEST_SCHEMA_VERSION, applied: MIGRATIONS.map((step) => step.version) });
      const tables = await sql<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema.schema],
      );
      expect(tables.map((t) => t.table_name)).toEqual(['claims', 'conversations', 'group_rounds', 'schema_migrations']);
    });

    it('stores a record too large to keep in line compressed with lz4 (PostgreSQL 14 and later)', async () => {
      const [version] = await sql<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
      if ((version?.v ?? 0) < 140000) return;
      // Random text barely compresses, so the value goes out of line (TOAST) and its compression shows.
      const long = Array.from({ length: 400 }, (_, i) => userLine(`${i} ${Math.random().toString(36).repeat(3)}`));
      const record = makeRecord({ transcript: long });
      await store.create(record);
      const rows = await sql<{ compression: string | null }>('SELECT pg_column_compression(record) AS compression FROM conversations WHERE id = $1', [record.id]);
      expect(rows).toEqual([{ compression: 'lz4' }]);
    });

    it('numbers its steps 1, 2, 3… with no gaps and no repeats', () => {
      expect(MIGRATIONS.map((step) => step.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
      expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
    });

    it('is idempotent: running again (open, migrate) applies nothing and keeps the data', async () => {
      const record = makeRecord();
      await store.create(record);
      expect(await store.migrate()).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION, applied: [] });
      const again = new PostgresStore({ connectionString: schema.url });
      extra.push(again);
      await again.open();
      expect(again.migration?.applied).toEqual([]);
      expect(await again.get(record.id)).toEqual(record);
      expect(await sql('SELECT version FROM schema_migrations')).toHaveLength(MIGRATIONS.length);
    });

    it('lets 3 store objects open a fresh schema at the same time: one migrates, all work', async () => {
      const fresh = await db.freshSchema();
      const stores = [0, 1, 2].map(() => new PostgresStore({ connectionString: fresh.url }));
      try {
        await Promise.all(stores.map((s) => s.open()));
        const applied = stores.map((s) => s.migration?.applied ?? []);
        expect(applied.flat().sort()).toEqual(MIGRATIONS.map((step) => step.version));
        expect(applied.filter((a) => a.length > 0)).toHaveLength(1);
        const client = await db.client(fresh.schema);
        try {
          expect(await schemaVersion(client)).toBe(LATEST_SCHEMA_VERSION);
          expect((await client.query('SELECT version FROM schema_migrations')).rowCount).toBe(MIGRATIONS.length);
        } finally {
          await client.end();
        }
        const records = stores.map(() => makeRecord());
        await Promise.all(stores.map((s, i) => s.create(records[i]!)));
        for (const s of stores) expect((await collect(s.list())).map((x) => x.id).sort()).toEqual(records.map((r) => r.id).sort());
      } finally {
        for (const s of stores) await s.close();
        await fresh.drop();
      }
    });

    it('applies only the missing steps of an older schema, and rolls a failing step back entirely', async () => {
      const fresh = await db.freshSchema();
      const client = await db.client(fresh.schema);
      try {
        expect(await applyMigrations(client, MIGRATIONS.slice(0, 1))).toEqual({ from: 0, to: 1, applied: [1] });
        expect(await applyMigrations(client)).toEqual({ from: 1, to: LATEST_SCHEMA_VERSION, applied: MIGRATIONS.slice(1).map((s) => s.version) });
        const broken = [...MIGRATIONS, { version: 99, name: 'half', sql: 'CREATE TABLE half_done (x int); SELECT no_such_function();' }];
        await expect(applyMigrations(client, broken)).rejects.toThrow(/no_such_function/);
        expect(await schemaVersion(client)).toBe(LATEST_SCHEMA_VERSION);
        expect((await client.query("SELECT to_regclass('half_done') AS t")).rows[0]?.t).toBeNull();
      } finally {
        await client.end();
        await fresh.drop();
      }
    });
  });

  describe('damaged rows', () => {
    it('refuses a corrupt record for that conversation only (UNRESTORABLE); the others carry on', async () => {
      const broken = makeRecord({ owner: slackOwner('U_DAMAGE') });
      const healthy = makeRecord({ owner: slackOwner('U_DAMAGE') });
      await store.create(broken);
      await store.create(healthy);
      await sql(`UPDATE conversations SET record = jsonb_set(record, '{state,machine,value}', '42') WHERE id = $1`, [broken.id]);

      const error = await expectGovError(store.get(broken.id), 'UNRESTORABLE');
      expect(error.message).toContain(broken.id);
      expect(error.message).toContain('state.machine.value');

      expect(await store.get(healthy.id)).toEqual(healthy);
      await store.update(nextVersion(healthy, { transcript: [userLine('fine')] }), 0);
      expect((await store.get(healthy.id))?.revision).toBe(1);
      // Its summary is intact, so listings still show it (retention can find and delete it).
      expect((await store.findByOwner(slackOwner('U_DAMAGE'))).map((s) => s.id).sort()).toEqual([broken.id, healthy.id].sort());
      expect(await store.delete(broken.id)).toBe(true);
      expect(await store.get(broken.id)).toBeUndefined();
    });

    it('keeps the owner_key version 1 stored for a Slack owner, so existing rows are still found by owner', async () => {
      const record = makeRecord({ owner: versionOneRecord().owner });
      await store.create(record);
      expect(await sql('SELECT owner_key FROM conversations WHERE id = $1', [record.id])).toEqual([{ owner_key: '["slack","T0FIXTURE","U0FIXTURE"]' }]);
    });

    it('refuses a record that is not an object at all, or holds another id or revision', async () => {
      const notJson = makeRecord();
      const otherId = makeRecord();
      const otherRevision = makeRecord();
      for (const record of [notJson, otherId, otherRevision]) await store.create(record);
      await sql(`UPDATE conversations SET record = '"just a string"' WHERE id = $1`, [notJson.id]);
      await sql(`UPDATE conversations SET record = jsonb_set(record, '{id}', '"conv_somebody_else"') WHERE id = $1`, [otherId.id]);
      await sql(`UPDATE conversations SET revision = 7 WHERE id = $1`, [otherRevision.id]);
      for (const record of [notJson, otherId, otherRevision]) {
        const error = await expectGovError(store.get(record.id), 'UNRESTORABLE');
        expect(error.message).toContain(record.id);
      }
    });

    it('skips (and reports) a row whose summary cannot be read in list(), showing the rest', async () => {
      const broken = makeRecord();
      const healthy = makeRecord();
      await store.create(broken);
      await store.create(healthy);
      await sql(`UPDATE conversations SET record = '{"nonsense": true}' WHERE id = $1`, [broken.id]);
      expect((await collect(store.list())).map((s) => s.id)).toEqual([healthy.id]);
      expect(warnings.map((w) => [w.id, w.error.kind])).toEqual([[broken.id, 'UNRESTORABLE']]);
    });
  });

  describe('what PostgreSQL cannot hold', () => {
    it('refuses text with a NUL character (BAD_INPUT) and stores nothing', async () => {
      const record = makeRecord({ transcript: [userLine('before\u0000after')] });
      await expectGovError(store.create(record), 'BAD_INPUT');
      expect(await store.get(record.id)).toBeUndefined();
    });

    it('refuses a resume code another conversation holds (CONFLICT), on create and on update', async () => {
      const code = resumeCode('TAKEN-1');
      const holder = makeRecord({ resumeCode: code });
      await store.create(holder);
      const error = await expectGovError(store.create(makeRecord({ resumeCode: code })), 'CONFLICT');
      expect(error.details?.reason).toBe('resume-code-taken');
      const other = makeRecord();
      await store.create(other);
      await expectGovError(store.update(nextVersion(other, { resumeCode: code }), 0), 'CONFLICT');
      expect(await store.get(other.id)).toEqual(other);
      expect(await store.findByResumeCodeHash(code?.hash ?? '')).toBe(holder.id);
    });
  });

  describe('list', () => {
    it('walks every conversation exactly once, page by page, in id order', async () => {
      const paged = new PostgresStore({ connectionString: schema.url, pageSize: 7 });
      extra.push(paged);
      await paged.open();
      const records = Array.from({ length: 50 }, () => makeRecord());
      await Promise.all(records.map((record) => store.create(record)));
      const ids = (await collect(paged.list())).map((s) => s.id);
      expect(ids).toEqual(records.map((r) => r.id).sort());
    });

    it('orders by the stored timestamps, not by text, in findByOwner', async () => {
      const owner = slackOwner('U_ZONES');
      // 10:00+02:00 is 08:00Z: earlier than 09:00Z although it sorts later as text.
      const early = makeRecord({ owner, createdAt: '2024-03-01T10:00:00.000+02:00', updatedAt: '2024-03-01T10:00:00.000+02:00' });
      const late = makeRecord({ owner, createdAt: '2024-03-01T09:00:00.000Z', updatedAt: '2024-03-01T09:00:00.000Z' });
      await store.create(early);
      await store.create(late);
      expect((await store.findByOwner(owner)).map((s) => s.id)).toEqual([late.id, early.id]);
    });
  });

  describe('unreachable database', () => {
    const PASSWORD = 'S3cret-Pa55word';

    it('answers UNAVAILABLE, naming the server but never the password', async () => {
      const unreachable = new PostgresStore({ connectionString: `postgres://govstage:${PASSWORD}@127.0.0.1:1/govstage?password=${PASSWORD}`, connectTimeoutMs: 2_000 });
      const error = await expectGovError(unreachable.open(), 'UNAVAILABLE');
      expect(error.message).toContain('127.0.0.1:1');
      expect(error.message).toMatch(/ECONNREFUSED|connect/);
      for (const text of [error.message, error.stack ?? '', JSON.stringify(error.details ?? {}), String(error.cause ?? '')]) {
        expect(text).not.toContain(PASSWORD);
      }
      expect(unreachable.target).not.toContain(PASSWORD);
      await expectGovError(unreachable.ping(), 'UNAVAILABLE');
      await unreachable.close();
    });

    it('answers UNAVAILABLE for a database that does not exist', async () => {
      const url = new URL(db.url);
      url.pathname = '/govstage_no_such_database';
      url.password = PASSWORD;
      const missing = new PostgresStore({ connectionString: url.toString() });
      const error = await expectGovError(missing.open(), 'UNAVAILABLE');
      expect(error.message).toContain('govstage_no_such_database');
      expect(error.message).not.toContain(PASSWORD);
      await missing.close();
    });

    it('refuses a DATABASE_URL that is not a postgres URL, without echoing it', () => {
      for (const bad of [`http://u:${PASSWORD}@host/db`, `not a url ${PASSWORD}`]) {
        let caught: unknown;
        try {
          describeDatabase(bad);
        } catch (error) {
          caught = error;
        }
        expect(isGovError(caught) && caught.kind).toBe('INVALID_DATA');
        expect(String((caught as Error).message)).not.toContain(PASSWORD);
      }
    });

    it('names the server for every URL form the driver accepts, without the password', () => {
      const forms: [string, string][] = [
        [`postgres://govstage:${PASSWORD}@db.internal:5432/govstage?sslmode=require`, 'postgres://govstage@db.internal:5432/govstage'],
        [`postgresql://govstage@db.internal/govstage?password=${PASSWORD}`, 'postgresql://govstage@db.internal/govstage'],
        [`postgres://govstage:${encodeURIComponent(`${PASSWORD}@/:`)}@/govstage?host=/var/run/postgresql`, 'postgres://govstage@/govstage?host=%2Fvar%2Frun%2Fpostgresql'],
        ['socket:/var/run/postgresql?db=govstage', 'socket:/var/run/postgresql?db=govstage'],
      ];
      for (const [url, target] of forms) {
        const described = describeDatabase(url);
        expect(described.target).toBe(target);
        expect(described.target).not.toContain(PASSWORD);
      }
    });

    it('refuses calls after close (UNAVAILABLE)', async () => {
      await store.close();
      await expectGovError(store.get('conv_any'), 'UNAVAILABLE');
      await expectGovError(store.claimOnce('evt_any', 1000), 'UNAVAILABLE');
    });
  });
});
