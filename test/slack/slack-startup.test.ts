/**
 * `npm start` with and without Slack, as a child process: Slack's HTTP
 * receiver is mounted only when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are
 * set, starting never needs Slack to answer, and Socket Mode failing to
 * connect leaves the web chat running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../helpers/server.js';
import { FakeSlack } from './fake-slack.js';
import { SIGNING_SECRET, signedPost } from './helpers.js';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await FakeSlack.start();
});
afterAll(async () => {
  await fake?.close();
});

async function withChild(env: Record<string, string>, run: (child: ChildServer) => Promise<void>): Promise<void> {
  const child = await startChildServer({ env });
  try {
    await run(child);
  } finally {
    expect(await child.stop()).toBe(0);
  }
}

describe('npm start', () => {
  it('mounts POST /slack/events in HTTP mode and handles a DM without calling Slack at start-up', async () => {
    await withChild({ SLACK_BOT_TOKEN: 'xoxb-child', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl.replace(/\/$/, '') }, async (child) => {
      expect(child.output()).toContain('Slack: HTTP mode at POST /slack/events');
      // Nothing was asked of Slack to start (no auth.test).
      expect(fake.calls).toHaveLength(0);
      const challenge = await signedPost(`${child.url}/slack/events`, JSON.stringify({ type: 'url_verification', challenge: 'c-1' }), 'application/json');
      expect(await challenge.json()).toEqual({ challenge: 'c-1' });
      const unsigned = await fetch(`${child.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(unsigned.status).toBe(401);
      const event = {
        type: 'event_callback',
        team_id: 'T1',
        event_id: 'EvChild1',
        event: { type: 'message', channel: 'DCHILD', channel_type: 'im', user: 'UCHILD', text: 'start', ts: '1700000000.000100', client_msg_id: 'child-1' },
      };
      expect((await signedPost(`${child.url}/slack/events`, JSON.stringify(event), 'application/json')).status).toBe(200);
      const post = await fake.waitFor('chat.postMessage', (c) => c.body.channel === 'DCHILD');
      expect(String(post.body.text)).toContain('First, what are you assessing?');
      // The answer to the opening question brings question 1.
      const answer = { ...event, event_id: 'EvChild2', event: { ...event.event, text: '1', ts: '1700000000.000200', client_msg_id: 'child-2' } };
      expect((await signedPost(`${child.url}/slack/events`, JSON.stringify(answer), 'application/json')).status).toBe(200);
      const q1 = await fake.waitFor('chat.postMessage', (c) => c.body.channel === 'DCHILD', { after: post.seq });
      expect(String(q1.body.text)).toContain('(1/14)');
      // The web chat is unaffected.
      expect((await fetch(`${child.url}/healthz`)).status).toBe(200);
    });
  });

  it('has no Slack endpoint when Slack is not configured, and warns when half configured', async () => {
    await withChild({ SLACK_BOT_TOKEN: 'xoxb-only-the-token' }, async (child) => {
      const response = await signedPost(`${child.url}/slack/events`, JSON.stringify({ type: 'url_verification', challenge: 'c' }), 'application/json');
      expect(response.status).toBe(404);
      expect(child.output()).toContain('Slack is off: SLACK_BOT_TOKEN is set, but both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are needed');
      expect((await fetch(`${child.url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(201);
    });
  });

  it('keeps the web chat running when Socket Mode cannot connect', async () => {
    await withChild({ SLACK_BOT_TOKEN: 'xoxb-socket', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_APP_TOKEN: 'xapp-invalid', SLACK_API_URL: fake.apiUrl }, async (child) => {
      expect(child.output()).toContain('Slack: Socket Mode');
      await fake.waitFor('apps.connections.open');
      const deadline = Date.now() + 10_000;
      while (!child.output().includes('Socket Mode could not connect') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(child.output()).toContain('Socket Mode could not connect');
      // In Socket Mode there is no HTTP endpoint for Slack.
      expect((await signedPost(`${child.url}/slack/events`, '{}', 'application/json')).status).toBe(404);
      expect((await fetch(`${child.url}/healthz`)).status).toBe(200);
    });
  });
});
