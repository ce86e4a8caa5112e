/**
 * Requests refused for their signature, counted per client address in fixed
 * windows. Past `limit` in a window an address is answered 429 from its
 * headers alone, until the window ends. The counter also says which refusal
 * to log: an address's first in the window, so a flood gives one log line per
 * address per window instead of one per request.
 *
 * Memory stays bounded: the counts go when their window passes, and at most
 * `maxAddresses` are kept within one. Addresses beyond that are not limited
 * (limiting them together would let a spray of addresses lock out new ones,
 * Slack's included) and are logged as one line per window.
 */

/** What to do with one refusal. */
export interface Refusal {
  /** Write a log line for it (the first of its address, or of the untracked ones, in this window). */
  log: boolean;
}

export class RefusalCounter {
  private windowStart = 0;
  private counts = new Map<string, number>();
  private overflowLogged = false;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Seconds until the address may be heard again; 0 when it is not limited. */
  retryAfterSeconds(address: string): number {
    const now = this.roll();
    if ((this.counts.get(address) ?? 0) < this.limit) return 0;
    return Math.max(1, Math.ceil((this.windowStart + this.windowMs - now) / 1000));
  }

  /** Counts one refused request from the address. */
  count(address: string): Refusal {
    this.roll();
    const seen = this.counts.get(address);
    if (seen === undefined && this.counts.size >= this.maxAddresses) {
      const log = !this.overflowLogged;
      this.overflowLogged = true;
      return { log };
    }
    this.counts.set(address, (seen ?? 0) + 1);
    return { log: seen === undefined };
  }

  private roll(): number {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now - (now % this.windowMs);
      this.counts = new Map();
      this.overflowLogged = false;
    }
    return now;
  }
}
