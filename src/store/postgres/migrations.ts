/**
 * The PostgreSQL schema, as an ordered list of versioned steps.
 *
 * Rules for adding a step: append it with the next version number, never
 * edit or reorder a step that has shipped (databases out there already ran
 * it), and keep it backwards compatible with the previous release while
 * instances are upgraded one by one (add columns and tables; drop them a
 * release later).
 *
 * `applyMigrations` runs every pending step in one transaction under a
 * transaction-level advisory lock, so several instances starting at once
 * (or `npm run migrate` while the servers start) take turns: the first
 * applies the steps, the others wait, then find nothing left to do.
 */
import type pg from 'pg';

export interface Migration {
  /** 1, 2, 3… in order, no gaps. */
  version: number;
  /** What it does, for people reading `schema_migrations`. */
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'conversations',
    sql: `
      CREATE TABLE conversations (
        id               text        PRIMARY KEY,
        -- Bumped by every update; updates are a compare-and-swap on it.
        revision         integer     NOT NULL CHECK (revision >= 0),
        -- The whole ConversationRecord, validated with zod on every read.
        record           jsonb       NOT NULL,
        -- Copied out of the record for indexes and listings.
        status           text        NOT NULL,
        owner_key        text,
        resume_code_hash text,
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL
      );
      -- One conversation per resume code; conversations without a code do not count.
      CREATE UNIQUE INDEX conversations_resume_code_hash_key
        ON conversations (resume_code_hash) WHERE resume_code_hash IS NOT NULL;
      -- findByOwner: one owner's conversations, newest first.
      CREATE INDEX conversations_owner_idx
        ON conversations (owner_key, created_at DESC, updated_at DESC, id) WHERE owner_key IS NOT NULL;
    `,
  },
  {
    version: 2,
    name: 'claims',
    sql: `
      -- claimOnce: keys (e.g. Slack event ids) claimed by one instance until they expire.
      CREATE TABLE claims (
        key        text        PRIMARY KEY,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX claims_expires_at_idx ON claims (expires_at);
    `,
  },
  {
    version: 3,
    name: 'group rounds',
    sql: `
      -- Group rounds: the whole GroupRoundRecord as jsonb, validated with zod on every read.
      CREATE TABLE group_rounds (
        id              text        PRIMARY KEY,
        -- Bumped by every update; updates are a compare-and-swap on it.
        revision        integer     NOT NULL CHECK (revision >= 0),
        record          jsonb       NOT NULL,
        -- Copied out of the record: joining looks a round up by its invitation code.
        invitation_hash text        NOT NULL,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL
      );
      CREATE UNIQUE INDEX group_rounds_invitation_hash_key ON group_rounds (invitation_hash);
      -- The round a conversation is a respondent of (copied from record.group.roundId), for listing its members.
      -- Added, never required: the previous release neither writes nor reads it, and its updates leave it as it is.
      ALTER TABLE conversations ADD COLUMN group_round_id text;
      CREATE INDEX conversations_group_round_idx ON conversations (group_round_id, created_at, id) WHERE group_round_id IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'records compressed with lz4',
    sql: `
      -- Every turn rewrites its record, which PostgreSQL compresses out of line (TOAST): with the default
      -- pglz that took about 0.9 ms of server CPU per update of a 35 KB record, with lz4 about 0.35 ms, for
      -- about the same size. Only metadata changes: rows are recompressed as they are next written, and
      -- readers of any release read both forms. Skipped where lz4 is not available (before PostgreSQL 14,
      -- or a server built without it): the default compression stays, and so does everything else.
      DO $$
      BEGIN
        IF current_setting('server_version_num')::int >= 140000 THEN
          BEGIN
            ALTER TABLE conversations ALTER COLUMN record SET COMPRESSION lz4;
            ALTER TABLE group_rounds ALTER COLUMN record SET COMPRESSION lz4;
          EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
            RAISE NOTICE 'lz4 compression is not available: records keep the default compression';
          END;
        END IF;
      END
      $$;
    `,
  },
];

/** The schema version this code expects. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, step) => Math.max(max, step.version), 0);

/**
 * Key of the advisory lock migrations hold (any constant will do; this one
 * is "govstage" in ASCII). Advisory locks are per database.
 */
export const MIGRATION_LOCK_KEY = 0x676f767374616765n;

export interface MigrationOutcome {
  /** Schema version before (0: a fresh database). */
  from: number;
  /** Schema version after. */
  to: number;
  /** The versions this call applied (empty when the schema was already current). */
  applied: number[];
}

type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * Brings the schema of the connection's current schema (search_path) up to
 * date. Idempotent and safe to run from several processes at once. Throws
 * (leaving the database as it was) if any step fails.
 *
 * A database at a newer version than this code knows is left alone: the
 * steps are additive, so an older instance keeps working during a rolling
 * upgrade.
 */
export async function applyMigrations(client: Queryable, steps: readonly Migration[] = MIGRATIONS): Promise<MigrationOutcome> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((row) => row.version));
    const from = Math.max(0, ...done);
    const applied: number[] = [];
    for (const step of [...steps].sort((a, b) => a.version - b.version)) {
      if (done.has(step.version)) continue;
      await client.query(step.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
      applied.push(step.version);
    }
    await client.query('COMMIT');
    return { from, to: Math.max(from, ...applied), applied };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      // The connection is probably gone; the server rolls back on its own.
    });
    throw error;
  }
}

/** The current schema version (0 when migrations never ran). */
export async function schemaVersion(client: Queryable): Promise<number> {
  const exists = await client.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!exists.rows[0]?.present) return 0;
  const result = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return result.rows[0]?.version ?? 0;
}
