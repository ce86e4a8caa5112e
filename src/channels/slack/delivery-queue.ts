/**
 * Where Slack deliveries wait between their acknowledgement and their
 * processing. Slack's acknowledgement is answered as soon as a request is
 * verified (dispatch.ts); what the request asks for runs here, afterwards:
 *
 * - one person's deliveries one at a time, in the order they arrived (a
 *   message typed after another is processed after it, a retry after its
 *   original, so the retry finds the original's claim), without holding a
 *   slot while they wait;
 * - different people's side by side, at most `limit` at once, first come
 *   first served, so that a burst of events queues here instead of crowding
 *   the event loop and delaying the acknowledgements still to be sent.
 */
import { ConcurrencyLimit } from '../../service/concurrency-limit.js';

/** How many deliveries are processed at once (their turns, durable writes and Web API calls overlap). */
export const PROCESSING_LIMIT = 8;

export class DeliveryQueue {
  private readonly slots: ConcurrencyLimit;
  /** Per person, the latest delivery queued: the next one of theirs starts when it has settled. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(limit = PROCESSING_LIMIT) {
    this.slots = new ConcurrencyLimit(limit);
  }

  /**
   * Runs `task` after every task queued before it under the same `party`
   * (none: ordered with nothing), within the limit. Resolves or rejects as
   * the task does.
   */
  run<T>(party: string | undefined, work: () => Promise<T>): Promise<T> {
    // Each task begins in a later turn of the event loop (setImmediate runs after the pending I/O): the
    // requests already received are read, verified and acknowledged before another one's processing starts.
    const task = () => new Promise<void>((resolve) => setImmediate(resolve)).then(work);
    if (party === undefined) return this.slots.run(task);
    const previous = this.tails.get(party);
    const mine = previous ? previous.then(() => this.slots.run(task)) : this.slots.run(task);
    // The chain only needs to know when this task is over; its outcome is the caller's (returned below).
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(party, settled);
    void settled.then(() => {
      if (this.tails.get(party) === settled) this.tails.delete(party);
    });
    return mine;
  }

  /** People with deliveries waiting or running (bounded by the traffic, emptied as it is processed). */
  get parties(): number {
    return this.tails.size;
  }
}
