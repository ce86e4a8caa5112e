/**
 * The conversation store for several instances: one PostgreSQL database
 * shared by every server, over a connection pool (DATABASE_URL).
 *
 *   conversations   one row per conversation: the whole record as jsonb,
 *                   plus the columns the indexes need (status, owner,
 *                   resume code, timestamps), written in the same statement
 *                   as the record so they can never disagree with it
 *   claims          claimOnce keys (Slack event ids) and their expiry
 *   group_rounds    one row per group round (the record as jsonb, its
 *                   invitation code's hash for lookup); its members are the
 *                   conversations whose group_round_id names it
 *
 * An update is one compare-and-swap statement (`… WHERE id = $1 AND
 * revision = $2`): whichever instance writes first wins and the others get
 * CONFLICT and retry from the new revision, so no turn is lost and no lock
 * is held between requests. Every statement commits on its own; a record
 * is durable when the call resolves.
 *
 * The schema is created and upgraded by the versioned steps of
 * migrations.ts, at open() and by `npm run migrate`.
 */
import pg from 'pg';
import { z } from 'zod';
import { formatPath } from '../../core/data-file.js';
import { ConversationState } from '../../core/conversation/state.js';
import { GovError, isGovError } from '../../errors.js';
import { checkClaim, checkIncoming, CURRENT_FORMAT, isSafeStoreName, Owner, ownerKey, type ConversationRecord, type RecordFormat } from '../record.js';
import { checkIncomingRound, parseStoredRound, type GroupRoundRecord } from '../group-record.js';
import type { ConversationStore, ConversationSummary } from '../types.js';
import { applyMigrations, type MigrationOutcome } from './migrations.js';

/** Expired claims are swept after this many claims by one store object. */
const CLAIMS_PER_SWEEP = 500;

export interface PostgresStoreWarning {
  message: string;
  /** The conversation concerned, when there is one. */
  id?: string;
  error: GovError;
}

export interface PostgresStoreOptions {
  /** postgres://user:password@host:5432/database (libpq URL parameters such as sslmode and options work too). */
  connectionString: string;
  /** Connections per instance (default 10). */
  poolSize?: number;
  /** How long to wait for a connection before answering UNAVAILABLE (default 5 s). */
  connectTimeoutMs?: number;
  /** Server-side limit on any one statement (default 30 s), so a stuck query cannot hold a turn forever. */
  statementTimeoutMs?: number;
  /** Rows per page when list() walks the table (default 500). */
  pageSize?: number;
  /** Run the migrations in open() (default true). */
  migrate?: boolean;
  /** How records are stored and read back (default: this version's). Only tests set it, to act as another release on the same database. */
  recordFormat?: RecordFormat;
  /**
   * Told about problems that do not fail the call: a row skipped by list()
   * or findByOwner() because its summary cannot be read, a dropped idle
   * connection, a failed sweep of expired claims. For logs; never holds the password.
   */
  onWarning?: (warning: PostgresStoreWarning) => void;
}

/**
 * The statements every turn runs, as named prepared statements: each
 * connection parses and plans them once, then only binds values, which
 * saves the server a parse and plan per turn. Their columns are named (no
 * `*`), so a column another release adds never invalidates a plan.
 */
const STATEMENTS = {
  get: { name: 'govstage_conversation_get', text: 'SELECT revision, record FROM conversations WHERE id = $1' },
  insert: {
    name: 'govstage_conversation_insert',
    text: `INSERT INTO conversations (id, revision, record, status, owner_key, resume_code_hash, created_at, updated_at, group_round_id)
           VALUES ($1, $2, $3::jsonb, $4, $5, $6, coalesce($7::timestamptz, now()), coalesce($8::timestamptz, now()), $9)`,
  },
  update: {
    name: 'govstage_conversation_update',
    text: `UPDATE conversations
              SET revision = $3, record = $4::jsonb, status = $5, owner_key = $6, resume_code_hash = $7,
                  created_at = coalesce($8::timestamptz, created_at), updated_at = coalesce($9::timestamptz, now()), group_round_id = $10
            WHERE id = $1 AND revision = $2`,
  },
  revision: { name: 'govstage_conversation_revision', text: 'SELECT revision FROM conversations WHERE id = $1' },
  byResumeCode: { name: 'govstage_conversation_by_resume_code', text: 'SELECT id FROM conversations WHERE resume_code_hash = $1' },
  claim: {
    name: 'govstage_claim',
    text: `INSERT INTO claims (key, expires_at) VALUES ($1, now() + make_interval(secs => $2::double precision / 1000))
         ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE claims.expires_at <= now()
         RETURNING key`,
  },
} as const;

/** The row fields a summary is made of, checked before they are handed out. */
const SummaryRow = z.object({
  id: z.string(),
  status: ConversationState.shape.status,
  createdAt: z.string(),
  updatedAt: z.string(),
  owner: Owner.nullable(),
});

/** The summary as the record has it (its own timestamp strings, its owner), aliased apart from the timestamptz columns. */
const SUMMARY_COLUMNS = `id, status, record->>'createdAt' AS "createdAt", record->>'updatedAt' AS "updatedAt", record->'owner' AS owner`;

export class PostgresStore implements ConversationStore {
  readonly kind = 'postgres';
  private readonly options: PostgresStoreOptions;
  private readonly onWarning: (warning: PostgresStoreWarning) => void;
  private readonly describe: DatabaseDescription;
  private readonly format: RecordFormat;
  private readonly inflight = new Set<Promise<unknown>>();
  private pool: pg.Pool | undefined;
  private closed = false;
  private claimsSinceSweep = 0;
  private lastMigration: MigrationOutcome | undefined;

  constructor(options: PostgresStoreOptions) {
    this.options = options;
    this.onWarning = options.onWarning ?? (() => {});
    this.describe = describeDatabase(options.connectionString);
    this.format = options.recordFormat ?? CURRENT_FORMAT;
  }

  /** Where the store connects, without the password: for logs and messages. */
  get target(): string {
    return this.describe.target;
  }

  /** What the last open() (or migrate()) did to the schema. */
  get migration(): MigrationOutcome | undefined {
    return this.lastMigration;
  }

  /** Connects and brings the schema up to date. Idempotent; fails with UNAVAILABLE when the database cannot be reached. */
  async open(): Promise<void> {
    this.closed = false;
    if (!this.pool) this.pool = this.createPool();
    try {
      if (this.options.migrate ?? true) {
        await this.migrate();
      } else {
        await this.ping();
      }
    } catch (error) {
      const pool = this.pool;
      this.pool = undefined;
      await pool?.end().catch(() => {});
      throw error;
    }
  }

  /** Applies pending migrations (safe while other instances run or start). */
  async migrate(): Promise<MigrationOutcome> {
    return this.run('migrating the schema', async (pool) => {
      const client = await pool.connect();
      try {
        this.lastMigration = await applyMigrations(client);
      } catch (error) {
        // Destroy rather than reuse a connection that failed mid-transaction.
        client.release(error instanceof Error ? error : true);
        throw error;
      }
      client.release();
      return this.lastMigration;
    });
  }

  /** Waits for calls in flight, then closes the connections and refuses new calls. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  async create(record: ConversationRecord): Promise<void> {
    const next = checkIncoming(record);
    await this.run(`creating conversation "${next.id}"`, async (pool) => {
      try {
        await pool.query({
          ...STATEMENTS.insert,
          values: [next.id, next.revision, ...this.columns(next)],
        });
      } catch (error) {
        throw uniqueViolation(error, next.id) ?? error;
      }
    });
  }

  /**
   * For moving conversations in from another store (npm run migrate-store):
   * inserts the record, or replaces a stored one with an older revision;
   * a stored one with the same or a newer revision is left alone. So running
   * the move again changes nothing, and a source that moved on since the
   * last run is caught up.
   */
  async importRecord(record: ConversationRecord): Promise<'created' | 'updated' | 'skipped'> {
    const next = checkIncoming(record);
    return this.run(`importing conversation "${next.id}"`, async (pool) => {
      try {
        // ON CONFLICT (id) only: a clash on the resume code must still fail, not pass for "already there".
        const inserted = await pool.query(
          `INSERT INTO conversations (id, revision, record, status, owner_key, resume_code_hash, created_at, updated_at, group_round_id)
           VALUES ($1, $2, $3::jsonb, $4, $5, $6, coalesce($7::timestamptz, now()), coalesce($8::timestamptz, now()), $9)
           ON CONFLICT (id) DO NOTHING`,
          [next.id, next.revision, JSON.stringify(this.format.toStored(next)), next.state.status, ownerKeyOf(next), next.resumeCode?.hash ?? null, timestamp(next.createdAt), timestamp(next.updatedAt), next.group?.roundId ?? null],
        );
        if (inserted.rowCount === 1) return 'created';
        const updated = await pool.query(
          `UPDATE conversations
              SET revision = $2, record = $3::jsonb, status = $4, owner_key = $5, resume_code_hash = $6,
                  created_at = coalesce($7::timestamptz, created_at), updated_at = coalesce($8::timestamptz, now()), group_round_id = $9
            WHERE id = $1 AND revision < $2`,
          [next.id, next.revision, JSON.stringify(this.format.toStored(next)), next.state.status, ownerKeyOf(next), next.resumeCode?.hash ?? null, timestamp(next.createdAt), timestamp(next.updatedAt), next.group?.roundId ?? null],
        );
        return updated.rowCount === 1 ? 'updated' : 'skipped';
      } catch (error) {
        throw uniqueViolation(error, next.id) ?? error;
      }
    });
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    if (!isSafeStoreName(id)) {
      this.assertOpen();
      return undefined;
    }
    const row = await this.run(`reading conversation "${id}"`, async (pool) => {
      const result = await pool.query<{ revision: number; record: unknown }>({ ...STATEMENTS.get, values: [id] });
      return result.rows[0];
    });
    return row ? this.format.fromStored(row.record, id, 'row', row.revision) : undefined;
  }

  async update(next: ConversationRecord, expectedRevision: number): Promise<void> {
    const record = checkIncoming(next);
    const id = record.id;
    await this.run(`updating conversation "${id}"`, async (pool) => {
      if (record.revision === expectedRevision + 1) {
        let result: pg.QueryResult;
        try {
          // The compare-and-swap: one statement, so nothing can slip in between the check and the write.
          result = await pool.query({
            ...STATEMENTS.update,
            values: [id, expectedRevision, record.revision, ...this.columns(record)],
          });
        } catch (error) {
          throw uniqueViolation(error, id) ?? error;
        }
        if (result.rowCount === 1) return;
      }
      // Nothing written (the rare path, so a second statement only here): say why, as the lowdb store does (missing first, then the revision).
      const stored = await pool.query<{ revision: number }>({ ...STATEMENTS.revision, values: [id] });
      const storedRevision = stored.rows[0]?.revision;
      if (storedRevision === undefined) throw new GovError('NOT_FOUND', `No conversation "${id}" to update`, { id });
      if (storedRevision !== expectedRevision) {
        throw new GovError('CONFLICT', `Conversation "${id}" is at revision ${storedRevision}, not ${expectedRevision}: it changed meanwhile`, {
          id,
          reason: 'revision',
          expectedRevision,
          storedRevision,
        });
      }
      throw new GovError(
        'CONFLICT',
        `An update of conversation "${id}" from revision ${expectedRevision} must carry revision ${expectedRevision + 1}, not ${record.revision}`,
        { id, expectedRevision, nextRevision: record.revision },
      );
    });
  }

  async findByResumeCodeHash(hash: string): Promise<string | undefined> {
    if (!isSafeStoreName(hash)) {
      this.assertOpen();
      return undefined;
    }
    return this.run('looking up a resume code', async (pool) => {
      const result = await pool.query<{ id: string }>({ ...STATEMENTS.byResumeCode, values: [hash] });
      return result.rows[0]?.id;
    });
  }

  async findByOwner(owner: Owner): Promise<ConversationSummary[]> {
    const rows = await this.run('listing the conversations of an owner', async (pool) => {
      const result = await pool.query(
        `SELECT ${SUMMARY_COLUMNS} FROM conversations WHERE owner_key = $1 ORDER BY created_at DESC, updated_at DESC, id`,
        [ownerKey(owner)],
      );
      return result.rows as unknown[];
    });
    return rows.flatMap((row) => this.toSummary(row, 'findByOwner'));
  }

  /** Every conversation, a page at a time (keyset pagination on id): memory stays flat however many are stored. */
  async *list(): AsyncIterable<ConversationSummary> {
    const pageSize = this.options.pageSize ?? 500;
    let after: string | undefined;
    for (;;) {
      const rows = await this.run('listing conversations', async (pool) => {
        const result =
          after === undefined
            ? await pool.query(`SELECT ${SUMMARY_COLUMNS} FROM conversations ORDER BY id LIMIT $1`, [pageSize])
            : await pool.query(`SELECT ${SUMMARY_COLUMNS} FROM conversations WHERE id > $1 ORDER BY id LIMIT $2`, [after, pageSize]);
        return result.rows as { id: string }[];
      });
      for (const row of rows) yield* this.toSummary(row, 'list');
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]?.id;
    }
  }

  async delete(id: string): Promise<boolean> {
    if (!isSafeStoreName(id)) {
      this.assertOpen();
      return false;
    }
    return this.run(`deleting conversation "${id}"`, async (pool) => {
      const result = await pool.query('DELETE FROM conversations WHERE id = $1', [id]);
      return (result.rowCount ?? 0) > 0;
    });
  }

  async ping(): Promise<void> {
    await this.run('checking the connection', async (pool) => {
      await pool.query('SELECT 1');
    });
  }

  /**
   * True for the first claim of `key` within `ttlMs`, false for every other
   * until it expires, whichever instance asks: the insert either creates the
   * row, takes over an expired one, or (a live claim) changes nothing.
   * Expiry uses the database clock, which all instances share.
   */
  /** The row's columns after id and revision, in the order the insert and the update name them. */
  private columns(record: ConversationRecord): unknown[] {
    return [JSON.stringify(this.format.toStored(record)), record.state.status, ownerKeyOf(record), record.resumeCode?.hash ?? null, timestamp(record.createdAt), timestamp(record.updatedAt), record.group?.roundId ?? null];
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    checkClaim(key, ttlMs);
    const claimed = await this.run('claiming a key', async (pool) => {
      const result = await pool.query({ ...STATEMENTS.claim, values: [key, ttlMs] });
      return result.rowCount === 1;
    });
    if (++this.claimsSinceSweep >= CLAIMS_PER_SWEEP) {
      this.claimsSinceSweep = 0;
      void this.run('sweeping expired claims', (pool) => pool.query('DELETE FROM claims WHERE expires_at <= now()')).catch((error: unknown) => {
        this.onWarning({ message: 'could not sweep expired claims', error: toGov(error, this.describe, 'sweeping expired claims') });
      });
    }
    return claimed;
  }

  // --- group rounds --------------------------------------------------------

  async createGroupRound(round: GroupRoundRecord): Promise<void> {
    const next = checkIncomingRound(round);
    await this.run(`creating group round "${next.id}"`, async (pool) => {
      try {
        await pool.query(
          `INSERT INTO group_rounds (id, revision, record, invitation_hash, created_at, updated_at)
           VALUES ($1, $2, $3::jsonb, $4, coalesce($5::timestamptz, now()), coalesce($6::timestamptz, now()))`,
          [next.id, next.revision, JSON.stringify(next), next.invitation.hash, timestamp(next.createdAt), timestamp(next.updatedAt)],
        );
      } catch (error) {
        throw roundUniqueViolation(error, next.id) ?? error;
      }
    });
  }

  /** For moving rounds in from lowdb, as importRecord does for conversations: insert, or replace an older revision. */
  async importGroupRound(round: GroupRoundRecord): Promise<'created' | 'updated' | 'skipped'> {
    const next = checkIncomingRound(round);
    return this.run(`importing group round "${next.id}"`, async (pool) => {
      const values = [next.id, next.revision, JSON.stringify(next), next.invitation.hash, timestamp(next.createdAt), timestamp(next.updatedAt)];
      try {
        const inserted = await pool.query(
          `INSERT INTO group_rounds (id, revision, record, invitation_hash, created_at, updated_at)
           VALUES ($1, $2, $3::jsonb, $4, coalesce($5::timestamptz, now()), coalesce($6::timestamptz, now())) ON CONFLICT (id) DO NOTHING`,
          values,
        );
        if (inserted.rowCount === 1) return 'created';
        const updated = await pool.query(
          `UPDATE group_rounds SET revision = $2, record = $3::jsonb, invitation_hash = $4, updated_at = coalesce($5::timestamptz, now()) WHERE id = $1 AND revision < $2`,
          [next.id, next.revision, JSON.stringify(next), next.invitation.hash, timestamp(next.updatedAt)],
        );
        return updated.rowCount === 1 ? 'updated' : 'skipped';
      } catch (error) {
        throw roundUniqueViolation(error, next.id) ?? error;
      }
    });
  }

  async getGroupRound(id: string): Promise<GroupRoundRecord | undefined> {
    if (!isSafeStoreName(id)) {
      this.assertOpen();
      return undefined;
    }
    const row = await this.run(`reading group round "${id}"`, async (pool) => (await pool.query<{ revision: number; record: unknown }>('SELECT revision, record FROM group_rounds WHERE id = $1', [id])).rows[0]);
    return row ? parseStoredRound(row.record, id, 'row', row.revision) : undefined;
  }

  async updateGroupRound(next: GroupRoundRecord, expectedRevision: number): Promise<void> {
    const round = checkIncomingRound(next);
    const id = round.id;
    await this.run(`updating group round "${id}"`, async (pool) => {
      if (round.revision === expectedRevision + 1) {
        let result: pg.QueryResult;
        try {
          // The compare-and-swap, as for conversations: one statement.
          result = await pool.query(
            `UPDATE group_rounds SET revision = $3, record = $4::jsonb, invitation_hash = $5, updated_at = coalesce($6::timestamptz, now())
              WHERE id = $1 AND revision = $2`,
            [id, expectedRevision, round.revision, JSON.stringify(round), round.invitation.hash, timestamp(round.updatedAt)],
          );
        } catch (error) {
          throw roundUniqueViolation(error, id) ?? error;
        }
        if (result.rowCount === 1) return;
      }
      const stored = (await pool.query<{ revision: number }>('SELECT revision FROM group_rounds WHERE id = $1', [id])).rows[0]?.revision;
      if (stored === undefined) throw new GovError('NOT_FOUND', `No group round "${id}" to update`, { id });
      if (stored !== expectedRevision) {
        throw new GovError('CONFLICT', `Group round "${id}" is at revision ${stored}, not ${expectedRevision}: it changed meanwhile`, { id, reason: 'revision', expectedRevision, storedRevision: stored });
      }
      throw new GovError('CONFLICT', `An update of group round "${id}" from revision ${expectedRevision} must carry revision ${expectedRevision + 1}, not ${round.revision}`, { id });
    });
  }

  async findGroupRoundByInvitationHash(hash: string): Promise<string | undefined> {
    if (!isSafeStoreName(hash)) {
      this.assertOpen();
      return undefined;
    }
    return this.run('looking up an invitation code', async (pool) => (await pool.query<{ id: string }>('SELECT id FROM group_rounds WHERE invitation_hash = $1', [hash])).rows[0]?.id);
  }

  async findByGroupRound(roundId: string): Promise<ConversationSummary[]> {
    const rows = await this.run('listing the members of a group round', async (pool) => {
      const result = await pool.query(`SELECT ${SUMMARY_COLUMNS} FROM conversations WHERE group_round_id = $1 ORDER BY created_at, id`, [roundId]);
      return result.rows as unknown[];
    });
    return rows.flatMap((row) => this.toSummary(row, 'findByGroupRound'));
  }

  async deleteGroupRound(id: string): Promise<boolean> {
    if (!isSafeStoreName(id)) {
      this.assertOpen();
      return false;
    }
    return this.run(`deleting group round "${id}"`, async (pool) => ((await pool.query('DELETE FROM group_rounds WHERE id = $1', [id])).rowCount ?? 0) > 0);
  }

  // --- plumbing ------------------------------------------------------------

  private createPool(): pg.Pool {
    const pool = new pg.Pool({
      connectionString: this.options.connectionString,
      max: this.options.poolSize ?? 10,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: this.options.statementTimeoutMs ?? 30_000,
      fallback_application_name: 'govstage',
    });
    // An idle connection dropped by the server (restart, failover) must not crash the process: the pool replaces it.
    pool.on('error', (error) => {
      this.onWarning({ message: 'an idle PostgreSQL connection failed; it will be replaced', error: toGov(error, this.describe, 'keeping a connection') });
    });
    return pool;
  }

  /** Runs one operation: refuses after close, lets close() wait for it, and turns driver errors into GovErrors. */
  private async run<T>(action: string, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
    this.assertOpen();
    const pool = this.pool;
    if (!pool) throw new GovError('UNAVAILABLE', 'The PostgreSQL store is not open (call open() first)');
    const running = fn(pool);
    this.inflight.add(running);
    try {
      return await running;
    } catch (error) {
      throw toGov(error, this.describe, action);
    } finally {
      this.inflight.delete(running);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new GovError('UNAVAILABLE', 'The conversation store is closed');
  }

  private toSummary(row: unknown, during: string): ConversationSummary[] {
    const parsed = SummaryRow.safeParse(row);
    if (parsed.success) {
      const { id, status, createdAt, updatedAt, owner } = parsed.data;
      return [{ id, status, createdAt, updatedAt, owner }];
    }
    const id = typeof row === 'object' && row !== null && 'id' in row ? String(row.id) : '(unknown)';
    const first = parsed.error.issues[0];
    this.onWarning({
      message: `${during}: skipped unreadable conversation "${id}"`,
      id,
      error: new GovError('UNRESTORABLE', `Stored conversation "${id}" cannot be listed${first ? `: ${formatPath(first.path)}: ${first.message}` : ''}`, { id }),
    });
    return [];
  }
}

// --- records -----------------------------------------------------------------

/** The owner_key column: ownerKey as it is (JSON, so it can be read in psql). */
function ownerKeyOf(record: ConversationRecord): string | null {
  return record.owner ? ownerKey(record.owner) : null;
}

/** The record's own ISO time for the timestamp columns; null (the database uses now()) if it is not a date. */
function timestamp(value: string): string | null {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

// --- errors ------------------------------------------------------------------

interface DatabaseDescription {
  /** The connection URL without its password, e.g. postgres://govstage@db.internal:5432/govstage. */
  target: string;
  /** Strings that must never appear in a message (the password, raw and encoded). */
  secrets: string[];
}

/**
 * What to call the database in messages, and what to scrub from them. The
 * password (in the URL's user-info or a password= parameter) never reaches
 * a message, a log line or an error's details.
 */
export function describeDatabase(connectionString: string): DatabaseDescription {
  if (connectionString.startsWith('/')) {
    // libpq's "socket-folder database" form: no password in it.
    return { target: `unix socket ${connectionString.split(' ')[0] ?? ''}`, secrets: [] };
  }
  let url: URL;
  let hostless = false;
  try {
    url = new URL(connectionString);
  } catch {
    try {
      // postgres://user@/db?host=/run/postgresql: no host before the path (a unix socket), which the driver accepts.
      url = new URL(connectionString.replace('@/', '@socket.invalid/'));
      hostless = true;
    } catch {
      throw new GovError('INVALID_DATA', 'DATABASE_URL is not a valid connection URL; expected postgres://user:password@host:5432/database');
    }
  }
  if (!['postgres:', 'postgresql:', 'socket:'].includes(url.protocol)) {
    throw new GovError('INVALID_DATA', `DATABASE_URL must start with postgres:// (it starts with ${url.protocol}//)`);
  }
  const secrets = new Set<string>();
  const addSecret = (value: string | null) => {
    if (!value) return;
    secrets.add(value);
    secrets.add(encodeURIComponent(value));
    try {
      secrets.add(decodeURIComponent(value));
    } catch {
      // Not percent-encoded: the raw form is already there.
    }
  };
  addSecret(url.password);
  addSecret(url.searchParams.get('password'));
  // Built by hand rather than by editing the URL: only what names the server, never user-info beyond the name or other parameters.
  const shownParams = new URLSearchParams();
  for (const name of ['host', 'port', 'db', 'user']) {
    const value = url.searchParams.get(name);
    if (value) shownParams.set(name, value);
  }
  const query = shownParams.toString();
  const server = url.protocol === 'socket:' ? url.pathname : `//${url.username ? `${url.username}@` : ''}${hostless ? '' : url.host}${url.pathname}`;
  const target = `${url.protocol}${server}${query ? `?${query}` : ''}`;
  return { target, secrets: [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length) };
}

export function redact(text: string, description: Pick<DatabaseDescription, 'secrets'>): string {
  let out = text;
  for (const secret of description.secrets) out = out.split(secret).join('***');
  return out;
}

/** Node and driver errors that mean "cannot reach or use the server", not "this statement is wrong". */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOENT', 'EACCES']);
/**
 * SQLSTATE classes: 08 connection, 28 authorisation, 3D no such database, 53 resources, 57 operator
 * intervention (shutdown 57P01, starting up 57P03, timeouts), 58 system; and 55000, which is what a
 * database refusing connections (ALLOW_CONNECTIONS false, datallowconn) answers.
 */
const UNAVAILABLE_STATES = /^(08|28|3D|53|57|58)|^55000$/;
const NETWORK_MESSAGES = /timeout exceeded when trying to connect|connection terminated|connection error|server closed the connection|not queryable|cannot use a pool after calling end/i;

function toGov(error: unknown, description: DatabaseDescription, action: string): GovError {
  if (isGovError(error)) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const raw = error instanceof Error ? error.message || error.name : String(error);
  const reason = redact(raw, description);
  const isServerError = error instanceof pg.DatabaseError;
  const details: Record<string, unknown> = code ? { code } : {};
  // Only the server's own errors are kept as the cause: they never carry the connection string.
  const cause = isServerError ? { cause: error } : undefined;
  if ((code && (NETWORK_CODES.has(code) || (isServerError && UNAVAILABLE_STATES.test(code)))) || NETWORK_MESSAGES.test(raw)) {
    return new GovError('UNAVAILABLE', `PostgreSQL at ${description.target} is not available (${action}): ${reason}`, details, cause);
  }
  if (isServerError && (code === '22P05' || code === '22021' || code === '22P02' || code === '54000')) {
    // Text jsonb cannot hold (a NUL character, a lone surrogate) or a value too large.
    return new GovError('BAD_INPUT', `PostgreSQL cannot store this (${action}): ${reason}`, details, cause);
  }
  return new GovError('INTERNAL', `PostgreSQL failed ${action}: ${reason}`, details, cause);
}

/** A unique violation writing a group round: its id, or an invitation code another round holds. */
function roundUniqueViolation(error: unknown, id: string): GovError | undefined {
  if (!(error instanceof pg.DatabaseError) || error.code !== '23505') return undefined;
  if (error.constraint === 'group_rounds_invitation_hash_key') return new GovError('CONFLICT', `Another group round already holds the invitation code given to "${id}"`, { id, reason: 'invitation-taken' });
  return new GovError('CONFLICT', `Group round "${id}" already exists`, { id });
}

/** A unique violation on insert or update, as the CONFLICT it means; undefined for any other error. */
function uniqueViolation(error: unknown, id: string): GovError | undefined {
  if (!(error instanceof pg.DatabaseError) || error.code !== '23505') return undefined;
  if (error.constraint === 'conversations_resume_code_hash_key') {
    return new GovError('CONFLICT', `Another conversation already holds the resume code given to conversation "${id}"`, { id, reason: 'resume-code-taken' });
  }
  return new GovError('CONFLICT', `Conversation "${id}" already exists`, { id });
}
