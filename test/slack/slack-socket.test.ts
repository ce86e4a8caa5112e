/**
 * Slack in Socket Mode: every envelope Slack sends over the socket is
 * acknowledged exactly once, including those no listener handles (Slack
 * shows the person an error otherwise). Drives the real SocketModeClient of
 * the real channel with the `slack_event`s it emits for each envelope, with
 * no websocket: the `ack` it hands over is what would answer on the socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackChannel, type SlackChannel } from '../../src/channels/slack/slack-app.js';
import { testServices } from '../helpers/server.js';
import { FakeSlack } from './fake-slack.js';
import { SIGNING_SECRET, unhandledInteractions } from './helpers.js';

let fake: FakeSlack;
let services: Awaited<ReturnType<typeof testServices>>;
let slack: SlackChannel;

beforeAll(async () => {
  fake = await FakeSlack.start();
  services = await testServices({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_APP_TOKEN: 'xapp-test-token', SLACK_API_URL: fake.apiUrl });
  slack = createSlackChannel({ config: services.config, logger: services.logger, sessions: services.sessions, locales: services.locales });
});
afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await services?.cleanup();
});

let envelopes = 0;

/** Delivers one envelope as the SocketModeClient does, and returns what was acknowledged. */
function deliver(type: 'events_api' | 'slash_commands' | 'interactive', body: Record<string, unknown>): { acks: unknown[]; envelopeId: string } {
  const client = slack.socketClient;
  if (!client) throw new Error('the channel is not in Socket Mode');
  const envelopeId = `env-${++envelopes}`;
  const acks: unknown[] = [];
  client.emit('slack_event', {
    ack: async (response?: unknown) => {
      acks.push(response ?? {});
    },
    envelope_id: envelopeId,
    type,
    body,
    retry_num: type === 'events_api' ? 0 : undefined,
    retry_reason: type === 'events_api' ? '' : undefined,
    accepts_response_payload: type !== 'events_api',
  });
  return { acks, envelopeId };
}

describe('Socket Mode acknowledges every envelope', () => {
  it('in Socket Mode', () => {
    expect(slack.mode).toBe('socket');
  });

  it.each(unhandledInteractions('T1', 'USOCK1').map((i) => [i.name, i.body] as const))('acknowledges %s, which no listener handles', async (_name, body) => {
    const before = fake.lastSeq;
    const { acks } = deliver('interactive', body);
    await slack.drain();
    expect(acks).toHaveLength(1);
    expect(fake.lastSeq).toBe(before);
  });

  it('acknowledges an event type nothing listens to, once', async () => {
    const { acks } = deliver('events_api', {
      type: 'event_callback',
      team_id: 'T1',
      api_app_id: 'A1',
      event_id: 'EvSock1',
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'reaction_added', user: 'USOCK2', reaction: 'thumbsup', item: { type: 'message', channel: 'DUSOCK2', ts: '1.1' } },
    });
    await slack.drain();
    expect(acks).toHaveLength(1);
  });

  it('acknowledges a handled slash command once, and answers it', async () => {
    const responseUrl = fake.responseUrl();
    const { acks } = deliver('slash_commands', {
      token: 'legacy-verification-token',
      team_id: 'T1',
      team_domain: 'example',
      channel_id: 'DUSOCK3',
      channel_name: 'directmessage',
      user_id: 'USOCK3',
      user_name: 'pat',
      command: '/assess',
      text: 'help',
      api_app_id: 'A1',
      response_url: responseUrl,
      trigger_id: 'trig-sock-3',
    });
    await slack.drain();
    expect(acks).toHaveLength(1);
    const answer = await fake.waitFor('response_url', (c) => c.path === new URL(responseUrl).pathname);
    expect(String(answer.body.text)).toContain('/assess resume CODE');
  });
});
