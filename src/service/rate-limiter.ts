/**
 * A fixed-window rate limiter per key (client address, conversation id).
 * Where the counts live is a RateLimitStore: in memory (the default: one
 * process, windows dropped as they pass, so memory stays bounded by active
 * keys), or shared by every instance (PostgreSQL, postgres-rate-limit-store.ts),
 * so N instances do not allow N times the limit.
 */
import { GovError } from '../errors.js';
import type { KeyIn } from '../i18n/words.js';

/** Counts hits per key and fixed window. A memory store answers at once; a shared one asynchronously. */
export interface RateLimitStore {
  /** Counts one hit for `key` in the window starting at `windowStart` (ms); returns the hits in that window so far. */
  increment(key: string, windowStart: number, windowMs: number): number | Promise<number>;
}

export class MemoryRateLimitStore implements RateLimitStore {
  private windowStart = 0;
  private counts = new Map<string, number>();

  increment(key: string, windowStart: number): number {
    if (windowStart !== this.windowStart) {
      this.windowStart = windowStart;
      this.counts = new Map();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count;
  }
}

/** The same store with the keys of one limiter kept apart from the others'. */
export const namespaced = (store: RateLimitStore, name: string): RateLimitStore => ({
  increment: (key, windowStart, windowMs) => store.increment(`${name}:${key}`, windowStart, windowMs),
});

/** What a person is told, by what was counted (the English `what` stays the log's): the catalogues' errors.tooMany.*; others get errors.rateLimited. */
const SAYS: Readonly<Record<string, KeyIn<'errors'>>> = {
  'new assessments': 'tooMany.starts',
  'answers to this conversation': 'tooMany.answers',
  'resume attempts': 'tooMany.resumeAttempts',
  messages: 'tooMany.messages',
  commands: 'tooMany.commands',
  clicks: 'tooMany.clicks',
};

export class RateLimiter {
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly store: RateLimitStore = new MemoryRateLimitStore(),
  ) {}

  /**
   * Counts one hit for `key`; throws RATE_LIMITED past the limit. With the
   * memory store it throws at once; with a shared store it returns a promise
   * that rejects, so HTTP handlers await it either way.
   */
  hit(key: string, what = 'requests'): void | Promise<void> {
    const now = this.now();
    const windowStart = now - (now % this.windowMs);
    const count = this.store.increment(key, windowStart, this.windowMs);
    if (typeof count === 'number') return this.check(count, windowStart, now, what);
    return count.then((n) => this.check(n, windowStart, now, what));
  }

  private check(count: number, windowStart: number, now: number, what: string): void {
    if (count > this.limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + this.windowMs - now) / 1000));
      throw new GovError('RATE_LIMITED', `Too many ${what}. Please wait ${retryAfterSeconds} seconds and try again.`, { retryAfterSeconds }, { say: { key: SAYS[what] ?? 'rateLimited', values: { seconds: retryAfterSeconds } } });
    }
  }
}
