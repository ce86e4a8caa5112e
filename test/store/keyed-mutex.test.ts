import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../src/store/keyed-mutex.js';

const tick = (ms = 1): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyedMutex', () => {
  it('runs holders of one key one at a time, in arrival order', async () => {
    const mutex = new KeyedMutex();
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        mutex.runExclusive('k', async () => {
          running += 1;
          most = Math.max(most, running);
          await tick();
          order.push(i);
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('lets different keys run at the same time', async () => {
    const mutex = new KeyedMutex();
    let running = 0;
    let most = 0;
    await Promise.all(
      ['a', 'b', 'c'].map((key) =>
        mutex.runExclusive(key, async () => {
          running += 1;
          most = Math.max(most, running);
          await tick(5);
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it('passes results and errors through, and an error frees the key for the next holder', async () => {
    const mutex = new KeyedMutex();
    const failing = mutex.runExclusive('k', async () => {
      await tick();
      throw new Error('boom');
    });
    const next = mutex.runExclusive('k', () => 42);
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe(42);
  });

  it('leaves no entries behind once idle', async () => {
    const mutex = new KeyedMutex();
    const work = Array.from({ length: 50 }, (_, i) =>
      mutex.runExclusive(`key-${i % 7}`, async () => {
        await tick();
        if (i % 5 === 0) throw new Error('some fail');
      }),
    );
    expect(mutex.size).toBe(7);
    expect(mutex.isLocked('key-3')).toBe(true);
    await Promise.allSettled(work);
    expect(mutex.size).toBe(0);
    expect(mutex.isLocked('key-3')).toBe(false);
  });
});
