/**
 * A fixed-window rate limiter kept in memory, per key (client address,
 * conversation id). One instance protects one process; windows are small and
 * old ones are dropped as they pass, so memory stays bounded by active keys.
 */
import { GovError } from '../errors.js';

export class RateLimiter {
  private windowStart = 0;
  private counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit for `key`; throws RATE_LIMITED past the limit. */
  hit(key: string, what = 'requests'): void {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now - (now % this.windowMs);
      this.counts = new Map();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (count > this.limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((this.windowStart + this.windowMs - now) / 1000));
      throw new GovError('RATE_LIMITED', `Too many ${what}. Please wait ${retryAfterSeconds} seconds and try again.`, { retryAfterSeconds });
    }
  }
}
