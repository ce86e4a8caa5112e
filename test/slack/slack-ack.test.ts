/**
 * Slack's acknowledgement comes first: an event, a slash command or a click
 * is answered 200 as soon as it is verified, before its dedupe claim (a
 * durable write) or its processing, and is still processed exactly once,
 * one person's deliveries in the order they arrived. Real signed HTTP
 * requests to the real app over a real lowdb folder; the claim is held back
 * where a test needs a slow store.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/channels/web/app.js';
import { createSlackChannel, type SlackChannel } from '../../src/channels/slack/slack-app.js';
import { SlackUser, startSlackServer, textOf, type SlackTestServer } from './helpers.js';

let server: SlackTestServer;
let users = 0;
const newUser = () => new SlackUser(server, 'T1', `UACK${++users}`);

beforeAll(async () => {
  server = await startSlackServer();
});
afterAll(async () => {
  await server?.close();
});

/** Holds back the store's claims (for the keys `holds` picks) until released: a slow durable write. */
function holdClaims(holds: (key: string) => boolean = () => true): { held: string[]; release: () => void } {
  const sessions = server.services.sessions;
  const original = sessions.claimOnce.bind(sessions);
  const held: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  sessions.claimOnce = async (key, ttlMs) => {
    if (holds(key)) {
      held.push(key);
      await released;
    }
    return original(key, ttlMs);
  };
  restore = () => {
    release();
    sessions.claimOnce = original;
  };
  return { held, release };
}
let restore: (() => void) | undefined;
afterEach(async () => {
  restore?.();
  restore = undefined;
  await server.idle();
});

const owner = (user: SlackUser) => ({ kind: 'slack' as const, teamId: user.teamId, userId: user.userId });

/** What the person said in their latest conversation, in the order it was taken. */
async function said(user: SlackUser): Promise<string[]> {
  const id = await server.services.service.latestFor(owner(user));
  if (!id) return [];
  const view = await server.services.service.view(id, { kind: 'owner', owner: owner(user) });
  return view.transcript.filter((e) => e.from === 'user').map((e) => e.text ?? '');
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const postsTo = (user: SlackUser, after = 0) => server.fake.callsOf('chat.postMessage', after).filter((c) => c.body.channel === user.dmChannel);

describe('the acknowledgement does not wait for the claim or the processing', () => {
  it('answers a burst of events and a slash command 200 while every claim is still being written, and processes them once it is', async () => {
    const { held } = holdClaims();
    const people = Array.from({ length: 20 }, newUser);
    const before = server.fake.lastSeq;
    const answers = await Promise.all([...people.map((p) => p.dm('start')), newUser().command('help')]);
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    // Acknowledged, yet nothing processed: the events' claims are waiting on the store.
    await until(() => held.length > 0, 'a claim');
    expect(held.every((key) => key.startsWith('slack:event:'))).toBe(true);
    expect(server.fake.callsOf('chat.postMessage', before)).toHaveLength(0);

    restore?.();
    await server.idle();
    for (const p of people) expect(postsTo(p, before)).not.toHaveLength(0);
  });

  it('answers a click 200 while its click claim is still being written', async () => {
    const user = newUser();
    await user.command('start');
    await server.idle();
    const question = postsTo(user).at(-1);
    if (!question) throw new Error('no question was posted');
    const { held } = holdClaims((key) => key.startsWith('slack:click:'));
    const before = server.fake.lastSeq;
    const answer = await user.click(question, (b) => b.block_id === 'gov-answers');
    expect(answer.status).toBe(200);
    await until(() => held.length === 1, 'the click claim');
    expect(server.fake.lastSeq).toBe(before);
    restore?.();
    await server.idle();
    expect(server.fake.callsOf('chat.update', before)).toHaveLength(1);
  });
});

describe('one person\'s messages are processed in the order they arrived', () => {
  it('takes a second message after the first even when the first one\'s claim is slower', async () => {
    const user = newUser();
    await user.command('start');
    await server.idle();
    const before = await said(user);
    const first = `EvFirst${user.userId}`;
    holdClaims((key) => key.endsWith(`:${first}`));
    // "1" answers the opening question (what is assessed); "yes" the first question after it.
    expect((await user.dm('1', { eventId: first })).status).toBe(200);
    expect((await user.dm('yes', { eventId: `EvSecond${user.userId}` })).status).toBe(200);
    // The second waits for the first, whose claim is held: nothing was taken yet.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await said(user)).toEqual(before);
    restore?.();
    await server.idle();
    expect(await said(user)).toEqual([...before, '1', 'yes']);
  });
});

describe('each event is processed once, however it is delivered again', () => {
  it('processes an event and its retry (same event_id, X-Slack-Retry-Num: 1) racing each other once', async () => {
    const user = newUser();
    const before = server.fake.lastSeq;
    const options = { eventId: `EvRace${user.userId}`, messageId: `m-race-${user.userId}` };
    const answers = await Promise.all([user.dm('start', options), user.dm('start', { ...options, retryNum: 1 })]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    await server.idle();
    expect(postsTo(user, before).filter((c) => textOf(c).includes('walk you through'))).toHaveLength(1);
    expect(await said(user)).toHaveLength(1);
  });

  it('processes a retried App Home opening racing its original once (nothing but the claim tells them apart)', async () => {
    const user = newUser();
    const before = server.fake.lastSeq;
    const opened = { type: 'app_home_opened', user: user.userId, channel: user.dmChannel, tab: 'home', event_ts: `${Date.now() / 1000}` };
    const eventId = `EvHome${user.userId}`;
    const answers = await Promise.all([user.event(opened, { eventId }), user.event(opened, { eventId, retryNum: 1 })]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    await server.idle();
    expect(server.fake.callsOf('views.publish', before).filter((c) => c.body.user_id === user.userId)).toHaveLength(1);
  });

  it('processes the same event delivered to two instances at once (each its own queue, one shared store) once', async () => {
    const other = await secondInstance();
    try {
      const user = newUser();
      const elsewhere = new SlackUser({ ...server, url: other.url }, user.teamId, user.userId);
      const before = server.fake.lastSeq;
      const options = { eventId: `EvTwo${user.userId}`, messageId: `m-two-${user.userId}` };
      // Both claims held until both deliveries are acknowledged and waiting: they race at the store.
      const { held, release } = holdClaims();
      const answers = await Promise.all([user.dm('start', options), elsewhere.dm('start', { ...options, retryNum: 1 })]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      await until(() => held.length === 2, 'both claims');
      release();
      await Promise.all([server.idle(), other.slack.drain()]);
      expect(postsTo(user, before).filter((c) => textOf(c).includes('walk you through'))).toHaveLength(1);
      expect(await said(user)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});

/** Another Slack channel and express app over the same services (the same store): a second instance. */
async function secondInstance(): Promise<{ url: string; slack: SlackChannel; close: () => Promise<void> }> {
  const { services } = server;
  const slack = createSlackChannel({ config: services.config, logger: services.logger, sessions: services.sessions, locales: services.locales, groups: services.groups });
  const http: Server = createApp(services, { channels: [slack] }).listen(0, '127.0.0.1');
  await once(http, 'listening');
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    slack,
    close: async () => {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await slack.stop();
    },
  };
}
