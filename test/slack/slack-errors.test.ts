/**
 * Slack's timing rules and the failure paths: the HTTP answer (ack) comes
 * before the work, and an error reaches both the user and the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackUser, capturingLogger, unhandledInteractions, lastPost, questionOf, signedPost, startSlackServer, textOf, type SlackTestServer } from './helpers.js';

let server: SlackTestServer;
const log = capturingLogger();
let users = 0;
const newUser = () => new SlackUser(server, 'T9', `UE${++users}`);

beforeAll(async () => {
  server = await startSlackServer({}, { logger: log.logger });
});
afterAll(async () => {
  await server?.close();
});

describe('acknowledging first', () => {
  it('answers Slack before the slow work is done', async () => {
    const user = newUser();
    server.fake.delay('chat.postMessage', 1_500);
    try {
      const before = server.fake.lastSeq;
      const started = Date.now();
      const response = await user.command('start');
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(server.fake.callsOf('chat.postMessage', before)).toHaveLength(0);
      await server.idle();
      expect(questionOf(lastPost(server.fake, before))).toBeDefined();
    } finally {
      server.fake.delay('chat.postMessage', 0);
    }
  });

  it('answers 200 to events it does not handle, and does nothing', async () => {
    const user = newUser();
    const before = server.fake.lastSeq;
    const response = await user.event({ type: 'reaction_added', user: user.userId, reaction: 'thumbsup', item: { type: 'message', channel: user.dmChannel, ts: '1.1' } });
    expect(response.status).toBe(200);
    await server.idle();
    expect(server.fake.lastSeq).toBe(before);
  });

  it('answers 200 at once to interactions nothing handles (shortcuts, old buttons, no actions), and does nothing', async () => {
    const user = newUser();
    const before = server.fake.lastSeq;
    for (const { name, body } of unhandledInteractions(user.teamId, user.userId)) {
      const started = Date.now();
      const response = await signedPost(`${server.url}/slack/events`, new URLSearchParams({ payload: JSON.stringify(body) }).toString(), 'application/x-www-form-urlencoded');
      expect(response.status, name).toBe(200);
      // Acknowledged when Bolt is done, not by the fallback timer.
      expect(Date.now() - started, name).toBeLessThan(1_500);
    }
    await server.idle();
    expect(server.fake.lastSeq).toBe(before);
  });

  it('refuses bodies that are not Slack payloads with a 4xx, after checking the signature', async () => {
    expect((await signedPost(`${server.url}/slack/events`, '{not json', 'application/json')).status).toBe(400);
    expect((await signedPost(`${server.url}/slack/events`, 'hello', 'text/plain')).status).toBe(415);
    expect((await signedPost(`${server.url}/slack/events`, 'payload=%7Bbroken', 'application/x-www-form-urlencoded')).status).toBe(400);
  });
});

describe('errors reach the user and the log', () => {
  it('tells the user when Slack refuses a post, and logs it', async () => {
    const user = newUser();
    server.fake.failNext('chat.postMessage', { error: 'msg_too_long' });
    const before = server.fake.lastSeq;
    expect((await user.dm('start')).status).toBe(200);
    await server.idle();
    const told = lastPost(server.fake, before);
    expect(textOf(told)).toContain('Something went wrong on our side');
    expect(log.lines().some((l) => l.msg === 'Slack request failed' && l.kind === 'INTERNAL' && l.user === user.userId)).toBe(true);
    // The turn itself went through: asking again shows the first question.
    const again = server.fake.lastSeq;
    await user.dm('start');
    await server.idle();
    expect(questionOf(lastPost(server.fake, again))).toBeDefined();
  });

  it('logs when even the error message cannot be delivered', async () => {
    const user = newUser();
    server.fake.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);
    expect((await user.dm('hello')).status).toBe(200);
    await server.idle();
    expect(log.lines().some((l) => l.msg === 'could not tell the Slack user about an error' && l.user === user.userId)).toBe(true);
  });

  it('logs refused signatures without the signature itself', async () => {
    const user = newUser();
    const response = await user.dm('hi', { signature: 'v0=0000' });
    expect(response.status).toBe(401);
    const line = log.lines().findLast((l) => l.msg === 'refused a Slack request that is not correctly signed');
    expect(line?.reason).toBe('mismatch');
    expect(JSON.stringify(line)).not.toContain('v0=0000');
  });
});
