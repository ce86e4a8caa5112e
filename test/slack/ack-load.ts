/**
 * Load for POST /slack/events, measured as Slack feels it: the time from
 * when a signed event is due to be sent until its acknowledgement (the
 * HTTP 2xx) is read. Two shapes: a burst (`count` sent at once) and an
 * open-loop stream at a fixed rate (events leave on schedule whatever the
 * server's answers, and each latency counts from its scheduled time, so a
 * server that falls behind shows it instead of slowing the generator down).
 * Used by the Slack driver and the bench; every event is a DM from its own
 * user with its own event id, as a busy workspace sends them.
 */
import { signSlackRequest } from '../../src/channels/slack/signature.js';

export interface AckLoadTarget {
  /** The server's base URL (http://host:port). */
  url: string;
  signingSecret: string;
  /** Makes event ids unique across runs against the same store. */
  prefix?: string;
}

/** One signed DM event, as Slack's Events API delivers it. */
export function dmEvent(i: number, prefix = 'Ev'): string {
  const now = Math.floor(Date.now() / 1000);
  const ts = `${now}.${String(i).padStart(6, '0')}`;
  return JSON.stringify({
    team_id: 'TLOAD',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `${prefix}${i}`,
    event_time: now,
    event: { type: 'message', channel: `D${prefix}${i}`, channel_type: 'im', user: `U${prefix}${i}`, text: 'start', ts, event_ts: ts, client_msg_id: `${prefix}-${i}` },
  });
}

/** Sends event `i` and resolves with the ms from `due` (performance.now() time) until the answer is read. */
async function sendEvent(target: AckLoadTarget, i: number, due: number): Promise<number> {
  const body = dmEvent(i, target.prefix);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetch(`${target.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signSlackRequest(target.signingSecret, timestamp, body) },
    body,
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`a Slack event was answered ${response.status}`);
  return performance.now() - due;
}

/** The latencies of `count` events sent at once, sorted. */
export async function ackBurst(target: AckLoadTarget, count: number): Promise<number[]> {
  const due = performance.now();
  const times = await Promise.all(Array.from({ length: count }, (_, i) => sendEvent(target, i, due)));
  return times.sort((a, b) => a - b);
}

/** The latencies of `rate` events a second for `seconds`, open-loop, sorted. */
export async function ackSustained(target: AckLoadTarget, rate: number, seconds: number): Promise<number[]> {
  const total = Math.round(rate * seconds);
  const start = performance.now();
  const sent: Promise<number>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sent.push(sendEvent(target, i, due));
  }
  return (await Promise.all(sent)).sort((a, b) => a - b);
}

/** The p-th percentile (0-100) of sorted values, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((sorted.length * p) / 100) - 1))] ?? 0;
}
