/**
 * How long the server takes to acknowledge signed Slack events (the work
 * for each runs after its ack): a burst of events at the same instant, and
 * a sustained fixed rate. Times count from each event's scheduled send time,
 * so a generator or server that falls behind shows in the figure. The
 * events are signed before the clock starts; the fake Slack the server
 * calls after acknowledging runs in its own process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { signSlackRequest } from '../src/channels/slack/signature.js';
import { ROOT, startChildServer } from '../test/helpers/server.js';
import { rm } from 'node:fs/promises';
import { keepAliveAgent, percentile, send } from './http.js';

interface SignedEvent {
  body: string;
  headers: Record<string, string>;
}

const SECRET = 'bench-signing-secret';

function signedEvent(prefix: string, i: number): SignedEvent {
  const now = Math.floor(Date.now() / 1000);
  const ts = `${now}.${String(i).padStart(6, '0')}`;
  const user = `U${prefix}${i}`;
  const body = JSON.stringify({
    team_id: 'TBENCH', api_app_id: 'A1', type: 'event_callback', event_id: `Ev${prefix}${i}`, event_time: now,
    event: { type: 'message', channel: `D${user}`, channel_type: 'im', user, text: 'start', ts, event_ts: ts, client_msg_id: `bench-${prefix}-${i}` },
  });
  const timestamp = String(now);
  return { body, headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signSlackRequest(SECRET, timestamp, body) } };
}

async function startFakeSlack(): Promise<{ apiUrl: string; child: ChildProcess; stop: () => Promise<string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/fake-slack-process.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const apiUrl = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const m = /fake slack api (\S+)/.exec(output);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the fake Slack exited with ${code} before it listened`)));
  });
  const stop = () =>
    new Promise<string>((resolve) => {
      child.once('exit', () => resolve(/fake slack calls (\d+)/.exec(output)?.[1] ?? '?'));
      child.kill('SIGTERM');
    });
  return { apiUrl, child, stop };
}

export interface SlackAckResult {
  events: number;
  p50Ms: number;
  p99Ms: number;
  /** Calls the fake Slack got from the server's work after the acks (a sanity check that the events were processed). */
  slackCalls: string;
}

/**
 * `count` events to a fresh server (production build): all at once when `perSecond` is undefined,
 * else at that fixed rate. Each event has its own id and user.
 */
export async function slackAcks(options: { count: number; perSecond?: number; env: Record<string, string> }): Promise<SlackAckResult> {
  const fake = await startFakeSlack();
  try {
    const server = await startChildServer({ built: true, env: { ...options.env, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl } });
    const agent = keepAliveAgent();
    try {
      const prefix = options.perSecond === undefined ? 'B' : 'S';
      const events = Array.from({ length: options.count }, (_, i) => signedEvent(prefix, i));
      const times: number[] = [];
      const interval = options.perSecond === undefined ? 0 : 1000 / options.perSecond;
      const started = performance.now();
      const one = async (event: SignedEvent, scheduled: number) => {
        const reply = await send(agent, `${server.url}/slack/events`, { method: 'POST', headers: event.headers, body: event.body });
        if (reply.status !== 200) throw new Error(`a Slack event answered ${reply.status}: ${reply.body.slice(0, 200)}`);
        times.push(performance.now() - scheduled);
      };
      const sent: Promise<void>[] = [];
      await new Promise<void>((resolve) => {
        let next = 0;
        const tick = () => {
          const now = performance.now();
          while (next < events.length && started + next * interval <= now) {
            sent.push(one(events[next] as SignedEvent, started + next * interval));
            next++;
          }
          if (next < events.length) setTimeout(tick, Math.max(0, started + next * interval - performance.now()));
          else resolve();
        };
        tick();
      });
      await Promise.all(sent);
      // Let the work after the acks finish before the server stops (its stop waits for it too).
      await new Promise((r) => setTimeout(r, 1000));
      times.sort((a, b) => a - b);
      await server.stop();
      return { events: times.length, p50Ms: Math.round(percentile(times, 50)), p99Ms: Math.round(percentile(times, 99)), slackCalls: await fake.stop() };
    } finally {
      agent.destroy();
      await server.stop();
      await rm(server.dataDir, { recursive: true, force: true });
    }
  } finally {
    if (fake.child.exitCode === null && fake.child.signalCode === null) await fake.stop();
  }
}
