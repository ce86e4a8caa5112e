/**
 * Rate-limit counts shared by every instance on one PostgreSQL database, so
 * that a limit (resume-code guesses above all) holds for the whole service,
 * not per process. One row per key: an atomic upsert counts a hit and starts
 * a new window when the key's window has passed; the database decides, so
 * concurrent hits from several instances are never lost.
 *
 * The table is its own (not part of the conversation schema's migrations):
 * created on first use if missing, under an advisory lock so instances
 * starting together do not collide. Rows of past windows are swept as hits
 * come in. Connections: a small pool of its own, idle connections closed, so
 * an instance that never limits anything holds none.
 *
 * A request counts against several limits (the client, the conversation,
 * starts), and requests arrive together: the hits of one turn of the event
 * loop go to the database as one statement (a round trip each was most of
 * a limit's cost). Hits of one key in a batch are added up before the
 * upsert (a statement may change a row once) and handed back the counts
 * they would have had one after another: the same counts, so the same
 * decisions, as one statement per hit.
 */
import pg from 'pg';
import { GovError } from '../errors.js';
import type { RateLimitStore } from './rate-limiter.js';

export const RATE_LIMIT_TABLE = 'rate_limit_hits';
/** Rows of past windows are deleted after this many hits by one store object. */
const HITS_PER_SWEEP = 1000;

const CREATE = `
  CREATE TABLE IF NOT EXISTS ${RATE_LIMIT_TABLE} (
    key text PRIMARY KEY,
    window_start bigint NOT NULL,
    expires_at bigint NOT NULL,
    hits integer NOT NULL
  )`;

// n hits per key: a window that has passed restarts at n (its first hit starts it at 1); a hit stamped
// with an older window (an instance whose clock is a little behind) still counts in the current one,
// so clock skew never resets a count.
const INCREMENT = `
  INSERT INTO ${RATE_LIMIT_TABLE} AS r (key, window_start, expires_at, hits)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::integer[])
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN EXCLUDED.window_start > r.window_start THEN EXCLUDED.hits ELSE r.hits + EXCLUDED.hits END,
    expires_at = GREATEST(r.expires_at, EXCLUDED.expires_at),
    window_start = GREATEST(r.window_start, EXCLUDED.window_start)
  RETURNING key, hits`;

/** The hits of one key waiting for the next statement, in the order they came. */
interface KeyHits {
  windowStart: number;
  expiresAt: number;
  waiters: { resolve: (hits: number) => void; reject: (error: unknown) => void }[];
}

export class PostgresRateLimitStore implements RateLimitStore {
  private readonly pool: pg.Pool;
  private ready: Promise<void> | undefined;
  private hitsSinceSweep = 0;
  /**
   * Hits waiting for this turn of the event loop to end, as batches sent in
   * order: a key hit in two windows within one turn (at a window's edge)
   * goes in the next batch, so each batch holds one window per key.
   */
  private batches: Map<string, KeyHits>[] = [];
  private flushScheduled = false;
  /** Statements in flight, so close() waits for them. */
  private readonly sending = new Set<Promise<void>>();

  constructor(
    options: { connectionString: string; poolSize?: number },
    private readonly onWarning: (message: string, error: Error) => void = () => {},
  ) {
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 3, idleTimeoutMillis: 10_000, allowExitOnIdle: true, connectionTimeoutMillis: 5_000 });
    // An idle connection dropped by the server is not a failure of any request.
    this.pool.on('error', (error) => this.onWarning('rate-limit store: idle connection lost', error));
  }

  private async createTable(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('govstage:${RATE_LIMIT_TABLE}'))`);
      await client.query(CREATE);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  increment(key: string, windowStart: number, windowMs: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let batch = this.batches.at(-1);
      const same = batch?.get(key);
      if (!batch || (same && same.windowStart !== windowStart)) {
        batch = new Map();
        this.batches.push(batch);
      }
      const hits = batch.get(key) ?? { windowStart, expiresAt: windowStart + windowMs, waiters: [] };
      hits.waiters.push({ resolve, reject });
      batch.set(key, hits);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // After the I/O callbacks of this turn of the loop: every request that arrived together is in the batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Sends the batches waiting, one statement each, in order. */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batches = this.batches;
    this.batches = [];
    const running = (async () => {
      for (const batch of batches) await this.send(batch);
    })();
    this.sending.add(running);
    try {
      await running;
    } finally {
      this.sending.delete(running);
    }
  }

  /** One upsert for every key of the batch; each waiter gets the count its own hit brought the key to. Never rejects: its waiters do. */
  private async send(batch: Map<string, KeyHits>): Promise<void> {
    const entries = [...batch];
    try {
      this.ready ??= this.createTable().catch((error: unknown) => {
        this.ready = undefined; // try again on the next hit
        throw error;
      });
      await this.ready;
      const result = await this.pool.query<{ key: string; hits: number }>(INCREMENT, [
        entries.map(([key]) => key),
        entries.map(([, hits]) => hits.windowStart),
        entries.map(([, hits]) => hits.expiresAt),
        entries.map(([, hits]) => hits.waiters.length),
      ]);
      const totals = new Map(result.rows.map((row) => [row.key, row.hits]));
      let counted = 0;
      for (const [key, hits] of entries) {
        const total = totals.get(key);
        if (typeof total !== 'number') throw new Error(`the upsert returned no count for a key`);
        // As if one after another: the batch's hits of this key were the last `waiters.length` counted.
        hits.waiters.forEach((waiter, i) => waiter.resolve(total - hits.waiters.length + 1 + i));
        counted += hits.waiters.length;
      }
      this.hitsSinceSweep += counted;
      if (this.hitsSinceSweep >= HITS_PER_SWEEP) {
        this.hitsSinceSweep = 0;
        this.pool.query(`DELETE FROM ${RATE_LIMIT_TABLE} WHERE expires_at < $1`, [Date.now()]).catch((error: Error) => this.onWarning('rate-limit store: sweeping past windows failed', error));
      }
    } catch (error) {
      // Never the connection string: it holds the password.
      const failure = new GovError('UNAVAILABLE', 'The rate-limit store (PostgreSQL) does not answer; please try again shortly.', undefined, { cause: error });
      // Waiters already answered (a count found before a missing one) ignore the rejection: a promise settles once.
      for (const [, hits] of entries) for (const waiter of hits.waiters) waiter.reject(failure);
    }
  }

  /** Sends the hits still waiting, waits for the statements in flight, then closes the connections. */
  async close(): Promise<void> {
    if (this.batches.length > 0) await this.flush();
    await Promise.all([...this.sending]);
    await this.pool.end();
  }
}
