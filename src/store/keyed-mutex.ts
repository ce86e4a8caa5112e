/**
 * A per-key async mutex: callbacks for the same key run one after another,
 * callbacks for different keys run freely. Used to serialise writes to one
 * conversation (and one index file) inside this process.
 *
 * Each key maps to the tail of its queue; the entry is removed by the last
 * holder, so a key that is no longer used leaves nothing behind.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier holder of `key` has finished (even by throwing). */
  async runExclusive<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Tails only ever resolve (never reject), so one failing holder cannot break the queue.
    const tail = previous.then(() => held);
    this.tails.set(key, tail);
    try {
      await previous;
      return await fn();
    } finally {
      release();
      // Only the last one in the queue may drop the entry; a later arrival has replaced it.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** True while `key` is held or waited for. */
  isLocked(key: string): boolean {
    return this.tails.has(key);
  }

  /** Number of keys currently held or waited for (0 when idle: nothing leaks). */
  get size(): number {
    return this.tails.size;
  }
}
