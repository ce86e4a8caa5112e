/**
 * An open-loop turn generator: turns arrive at a fixed rate whatever the
 * server's answers, as people's replies do, instead of the closed loop's
 * "send the next when the last came back" (which slows down with the server
 * and so hides its queueing: coordinated omission).
 *
 * Each arrival is the next turn of some conversation of a pool, kept in
 * various steps; a conversation with a turn in flight is never chosen (a
 * person waits for the answer), and one that finished is replaced by a new
 * one. An arrival that finds no idle conversation waits for one, and its
 * latency still counts from its scheduled time.
 */
import type { Agent } from 'node:http';
import { createConversation, nextTurn, REPLIES, type Conversation } from './conversation.js';
import { percentile } from './http.js';

export interface OpenLoopResult {
  /** The arrival rate asked for, per second. */
  rate: number;
  turns: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Arrivals that found every conversation of the pool busy and had to wait for one. */
  queuedArrivals: number;
  /** How late the generator itself issued arrivals at worst (its own event loop), ms. */
  maxIssueLagMs: number;
}

export async function openLoop(options: { agent: Agent; url: string; rate: number; seconds: number; pool?: number }): Promise<OpenLoopResult> {
  const { agent, url, rate, seconds } = options;
  const poolSize = options.pool ?? 128;
  if (!(rate > 0)) throw new Error(`open loop: arrival rate ${rate} is not positive`);

  // Set-up, not measured: the pool, each conversation advanced to a random step short of its result.
  const idle: Conversation[] = [];
  let made = 0;
  const prepare = async () => {
    while (made < poolSize) {
      made++;
      const c = await createConversation(agent, url);
      const steps = Math.floor(Math.random() * (REPLIES.length - 1));
      for (let i = 0; i < steps; i++) {
        const { status } = await nextTurn(agent, url, c);
        if (status !== 200) throw new Error(`open loop set-up: a turn answered ${status}`);
      }
      idle.push(c);
    }
  };
  await Promise.all(Array.from({ length: 16 }, prepare));

  const interval = 1000 / rate;
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies: number[] = [];
  const waiting: number[] = []; // scheduled times of arrivals not yet sent
  let issued = 0;
  let inFlight = 0;
  let errors = 0;
  let queuedArrivals = 0;
  let maxIssueLagMs = 0;
  let failure: unknown;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const settle = () => {
    if (issued === total && waiting.length === 0 && inFlight === 0) done();
  };

  const dispatch = () => {
    while (waiting.length > 0 && idle.length > 0) {
      const scheduled = waiting.shift() as number;
      // A random idle conversation, so that steps stay mixed.
      const index = Math.floor(Math.random() * idle.length);
      const conversation = idle[index] as Conversation;
      idle[index] = idle[idle.length - 1] as Conversation;
      idle.pop();
      inFlight++;
      nextTurn(agent, url, conversation)
        .then(async ({ status, finished: over }) => {
          latencies.push(performance.now() - scheduled);
          if (status !== 200) errors++;
          if (over || conversation.step >= REPLIES.length) {
            if (!over) throw new Error(`open loop: conversation ${conversation.id} answered every reply without finishing`);
            // Its replacement is set-up work, outside the arrivals: it joins the pool once it exists.
            idle.push(await createConversation(agent, url));
          } else {
            idle.push(conversation);
          }
        })
        .catch((error: unknown) => {
          failure ??= error;
          errors++;
        })
        .finally(() => {
          inFlight--;
          dispatch();
          settle();
        });
    }
  };

  const started = performance.now();
  const tick = () => {
    const now = performance.now();
    while (issued < total && started + issued * interval <= now) {
      const scheduled = started + issued * interval;
      maxIssueLagMs = Math.max(maxIssueLagMs, now - scheduled);
      if (idle.length === 0) queuedArrivals++;
      waiting.push(scheduled);
      issued++;
    }
    dispatch();
    if (issued < total) setTimeout(tick, Math.max(0, started + issued * interval - performance.now()));
    else settle();
  };
  tick();
  const timeout = setTimeout(() => {
    failure ??= new Error(`open loop: ${inFlight} turns still in flight and ${waiting.length} waiting 60 s after the last arrival was due`);
    done();
  }, seconds * 1000 + 60_000);
  await finished;
  clearTimeout(timeout);
  if (failure) throw failure;
  latencies.sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 10) / 10;
  return {
    rate,
    turns: latencies.length,
    errors,
    p50Ms: r(percentile(latencies, 50)),
    p99Ms: r(percentile(latencies, 99)),
    maxMs: r(latencies[latencies.length - 1] ?? 0),
    queuedArrivals,
    maxIssueLagMs: r(maxIssueLagMs),
  };
}
