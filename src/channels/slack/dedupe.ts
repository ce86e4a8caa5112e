/**
 * A bounded, time-limited set of keys already seen, to process Slack's
 * retried deliveries (same event_id, X-Slack-Retry-Num ≥ 1) and double
 * clicks once. In memory, so it dedupes within one instance; across
 * instances the turn pipeline's turn-id receipts catch repeats of a turn.
 */
export class SeenKeys {
  /** Key → expiry (ms). A Map iterates in insertion order, so the oldest entry is first. */
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly ttlMs = 60 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True if `key` was seen (and has not expired); otherwise remembers it and returns false. */
  seen(key: string): boolean {
    const now = this.now();
    const expiry = this.entries.get(key);
    if (expiry !== undefined && expiry > now) return true;
    this.entries.delete(key);
    this.entries.set(key, now + this.ttlMs);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    return false;
  }

  /** Forgets a key (when its processing could not even start, so a retry may try again). */
  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
