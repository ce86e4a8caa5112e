/**
 * The shared rate-limit counts send the hits of one turn of the event loop
 * as one statement, and hand every hit the count it would have had with one
 * statement per hit: the same counts, so the same decisions.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { isGovError } from '../../src/errors.js';
import { PostgresRateLimitStore } from '../../src/service/postgres-rate-limit-store.js';
import { RateLimiter } from '../../src/service/rate-limiter.js';
import { openTestDatabase, type TestDatabase, type TestSchema } from '../store/postgres-test-db.js';

let db: TestDatabase;
let schema: TestSchema;
let store: PostgresRateLimitStore;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  schema = await db.freshSchema();
  store = new PostgresRateLimitStore({ connectionString: schema.url });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await store.close();
  await schema.drop();
});

const MINUTE = 60_000;

/** Counts the upserts sent (the table's creation is not one). */
function countUpserts(): () => number {
  const query = vi.spyOn(pg.Pool.prototype, 'query');
  return () => query.mock.calls.filter(([text]) => typeof text === 'string' && text.includes('unnest')).length;
}

describe('the shared rate-limit store', () => {
  it('sends the hits of one turn of the event loop as one statement, whatever their keys', async () => {
    await store.increment('warm-up', 0, MINUTE); // creates the table
    const upserts = countUpserts();
    const counts = await Promise.all([
      store.increment('a', 0, MINUTE),
      store.increment('b', 0, MINUTE),
      store.increment('a', 0, MINUTE),
      store.increment('c', 0, MINUTE),
      store.increment('a', 0, MINUTE),
    ]);
    expect(upserts()).toBe(1);
    expect(counts).toEqual([1, 1, 2, 1, 3]);
    // And later hits carry on from there.
    expect(await store.increment('a', 0, MINUTE)).toBe(4);
    expect(upserts()).toBe(2);
  });

  it('counts as one statement per hit would, across a window\'s edge in one turn and with a clock behind', async () => {
    const next = MINUTE;
    const counts = await Promise.all([
      store.increment('k', 0, MINUTE),
      store.increment('k', 0, MINUTE),
      // The next window starts again at 1 …
      store.increment('k', next, MINUTE),
      // … and a hit stamped with the older window (a clock behind) counts in the current one.
      store.increment('k', 0, MINUTE),
      store.increment('k', next, MINUTE),
    ]);
    expect(counts).toEqual([1, 2, 1, 2, 3]);
  });

  it('makes the same decisions for a limiter: the hits past the limit are refused, in the order they came', async () => {
    const limiter = new RateLimiter(3, MINUTE, () => 1_000, store);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        Promise.resolve(limiter.hit('client', 'requests')).then(
          () => `ok ${i}`,
          (error: unknown) => (isGovError(error) ? `${error.kind} ${i}` : 'other'),
        ),
      ),
    );
    expect(outcomes).toEqual(['ok 0', 'ok 1', 'ok 2', 'RATE_LIMITED 3', 'RATE_LIMITED 4']);
  });

  it('answers every hit of a batch UNAVAILABLE when the database does not answer', async () => {
    const down = new PostgresRateLimitStore({ connectionString: 'postgres://postgres@127.0.0.1:1/none' });
    try {
      const results = await Promise.allSettled([down.increment('a', 0, MINUTE), down.increment('b', 0, MINUTE)]);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        if (result.status === 'rejected') expect(isGovError(result.reason) && result.reason.kind).toBe('UNAVAILABLE');
      }
    } finally {
      await down.close();
    }
  });

  it('sends the hits still waiting before it closes', async () => {
    const pending = store.increment('late', 0, MINUTE);
    await store.close();
    expect(await pending).toBe(1);
    // close() in afterEach again must not fail.
    store = new PostgresRateLimitStore({ connectionString: schema.url });
  });
});
