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

// A window that has passed restarts at 1; a hit stamped with an older window (an instance whose
// clock is a little behind) still counts in the current one, so clock skew never resets a count.
const INCREMENT = `
  INSERT INTO ${RATE_LIMIT_TABLE} AS r (key, window_start, expires_at, hits) VALUES ($1, $2, $3, 1)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN EXCLUDED.window_start > r.window_start THEN 1 ELSE r.hits + 1 END,
    expires_at = GREATEST(r.expires_at, EXCLUDED.expires_at),
    window_start = GREATEST(r.window_start, EXCLUDED.window_start)
  RETURNING hits`;

export class PostgresRateLimitStore implements RateLimitStore {
  private readonly pool: pg.Pool;
  private ready: Promise<void> | undefined;
  private hitsSinceSweep = 0;

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

  async increment(key: string, windowStart: number, windowMs: number): Promise<number> {
    try {
      this.ready ??= this.createTable().catch((error: unknown) => {
        this.ready = undefined; // try again on the next hit
        throw error;
      });
      await this.ready;
      const result = await this.pool.query<{ hits: number }>(INCREMENT, [key, windowStart, windowStart + windowMs]);
      if (++this.hitsSinceSweep >= HITS_PER_SWEEP) {
        this.hitsSinceSweep = 0;
        this.pool.query(`DELETE FROM ${RATE_LIMIT_TABLE} WHERE expires_at < $1`, [Date.now()]).catch((error: Error) => this.onWarning('rate-limit store: sweeping past windows failed', error));
      }
      const hits = result.rows[0]?.hits;
      if (typeof hits !== 'number') throw new Error('the upsert returned no count');
      return hits;
    } catch (error) {
      // Never the connection string: it holds the password.
      throw new GovError('UNAVAILABLE', 'The rate-limit store (PostgreSQL) does not answer; please try again shortly.', undefined, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
