/**
 * Slack delivers an event again when it thinks the first delivery failed,
 * and behind a load balancer the retry may reach another instance. With a
 * shared PostgreSQL store, each event is processed once whichever instance
 * gets it.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../slack/fake-slack.js';
import { SIGNING_SECRET, SlackUser, type SlackTestServer } from '../slack/helpers.js';
import { startChildServer, type ChildServer } from '../helpers/server.js';
import { openTestDatabase, type TestDatabase, type TestSchema } from '../store/postgres-test-db.js';

let db: TestDatabase;
let schema: TestSchema;
let fake: FakeSlack;
let a: ChildServer;
let b: ChildServer;

beforeAll(async () => {
  db = await openTestDatabase();
  schema = await db.freshSchema();
  fake = await FakeSlack.start();
  const env = {
    STORE: 'postgres',
    DATABASE_URL: schema.url,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
  };
  a = await startChildServer({ env });
  b = await startChildServer({ env });
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([a, b].filter(Boolean).map((s) => rm(s.dataDir, { recursive: true, force: true })));
  await fake?.close();
  await schema?.drop();
  await db?.close();
});

/** A Slack user talking to one instance (SlackUser only needs the URL and the fake Slack of a server). */
const at = (server: ChildServer, userId: string) => new SlackUser({ url: server.url, fake } as SlackTestServer, 'T9', userId);

/** Calls the bot made into one user's DM so far. */
const postsTo = (channel: string) => fake.calls.filter((call) => call.method === 'chat.postMessage' && call.body.channel === channel);

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the fake Slack to be called');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Slack events across two instances sharing PostgreSQL', () => {
  it('the same event delivered to both instances is processed once', async () => {
    const eventId = `EvShared${Date.now()}`;
    const [first, retry] = await Promise.all([at(a, 'U9').dm('start', { eventId, messageId: 'm-shared-1' }), at(b, 'U9').dm('start', { eventId, retryNum: 1, messageId: 'm-shared-1' })]);
    expect([first.status, retry.status]).toEqual([200, 200]);
    await until(() => postsTo('DU9').length > 0);
    // Give a second processing time to show up, if there were one.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(postsTo('DU9').filter((call) => JSON.stringify(call.body).includes('walk you through'))).toHaveLength(1);
  });

  it('a double click that reaches both instances is processed once', async () => {
    await at(a, 'U11').dm('start');
    await until(() => postsTo('DU11').some((call) => JSON.stringify(call.body).includes('gov:unit:')));
    const question = postsTo('DU11').at(-1);
    if (!question) throw new Error('no question posted');
    const pick = (b: { block_id: string | undefined }) => b.block_id === 'gov-answers';
    // Two clicks (each its own action_ts), not one delivered twice.
    const [first, second] = await Promise.all([at(a, 'U11').click(question, pick, { actionTs: '1700000000.000001' }), at(b, 'U11').click(question, pick, { actionTs: '1700000000.000002' })]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await until(() => postsTo('DU11').length >= 2);
    // Give a second processing time to show up, if there were one.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(postsTo('DU11')).toHaveLength(2);
    expect(fake.calls.filter((call) => call.method === 'chat.update' && call.body.channel === 'DU11')).toHaveLength(1);
  });

  it('different events are all processed, whichever instance receives them', async () => {
    await at(a, 'U10').dm('start');
    await until(() => postsTo('DU10').length === 1);
    await at(b, 'U10').dm('1');
    await until(() => postsTo('DU10').length >= 2);
    expect(JSON.stringify(postsTo('DU10').at(-1)?.body)).toContain('Noted');
  });
});
