/**
 * The queue between Slack's acknowledgement and the processing: one person's
 * deliveries in arrival order, a bounded number at once, and a failure
 * stopping nobody's next delivery.
 */
import { describe, expect, it } from 'vitest';
import { DeliveryQueue } from '../../src/channels/slack/delivery-queue.js';

/** A task that runs until released, recording when it started. */
function gate(log: string[], name: string): { task: () => Promise<string>; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    task: async () => {
      log.push(`start ${name}`);
      await released;
      log.push(`end ${name}`);
      return name;
    },
    release: () => release(),
  };
}

/** Lets a few turns of the event loop pass (each task begins in a later one). */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('DeliveryQueue', () => {
  it('runs one person\'s deliveries one at a time, in the order they were queued', async () => {
    const queue = new DeliveryQueue(8);
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const c = gate(log, 'c');
    const done = [queue.run('T1:U1', a.task), queue.run('T1:U1', b.task), queue.run('T1:U1', c.task)];
    await turns();
    expect(log).toEqual(['start a']);
    // Released out of order: still processed in order.
    c.release();
    b.release();
    await turns();
    expect(log).toEqual(['start a']);
    a.release();
    expect(await Promise.all(done)).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(queue.parties).toBe(0);
  });

  it('runs different people side by side, at most the limit at once, and a waiting person holds no slot', async () => {
    const queue = new DeliveryQueue(2);
    const log: string[] = [];
    const gates = ['u1', 'u1-again', 'u2', 'u3'].map((name) => gate(log, name));
    const [u1, u1Again, u2, u3] = gates as [ReturnType<typeof gate>, ReturnType<typeof gate>, ReturnType<typeof gate>, ReturnType<typeof gate>];
    const done = [queue.run('U1', u1.task), queue.run('U1', u1Again.task), queue.run('U2', u2.task), queue.run('U3', u3.task)];
    await turns();
    // U1's second delivery waits for its first without taking the second slot: U2 has it.
    expect(log).toEqual(['start u1', 'start u2']);
    u2.release();
    await turns();
    expect(log).toEqual(['start u1', 'start u2', 'end u2', 'start u3']);
    u1.release();
    u3.release();
    u1Again.release();
    await Promise.all(done);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start u1', 'start u2', 'start u3', 'start u1-again']);
  });

  it('goes on with a person\'s next delivery when one fails, and hands the failure to its caller', async () => {
    const queue = new DeliveryQueue(8);
    const failed = queue.run('U1', async () => {
      throw new Error('the store is down');
    });
    const next = queue.run('U1', async () => 'processed');
    await expect(failed).rejects.toThrow('the store is down');
    expect(await next).toBe('processed');
  });
});
