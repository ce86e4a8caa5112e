/**
 * Runs at most `limit` tasks at once; the others wait their turn in order.
 * Used where work is accepted faster than it can be done (the turns one
 * process takes at once), so that a burst queues instead of crowding the
 * event loop. Slack's deliveries have their own queue, which also keeps one
 * person's in order (src/channels/slack/delivery-queue.ts).
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  get queued(): number {
    return this.waiting.length;
  }
}
