/**
 * Teams end to end, without Microsoft: real HTTP activities at POST
 * /api/messages, authenticated with RS256 tokens from a local issuer whose
 * keys the SDK fetches itself, replies and card updates captured by a fake
 * Bot Connector at the activities' serviceUrl, with the bearer token a fake
 * Entra sidecar issued. (Real Teams tokens come from the Bot Framework's own
 * issuer, whose key URL the SDK hard-codes to Microsoft: see
 * docs/teams-setup.md.)
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearJwksClients } from '@microsoft/agents-hosting';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/main.js';
import { PROFILES } from '../helpers/assessment.js';
import { ROOT, tempDir } from '../helpers/server.js';
import type { ConnectorCall } from './fake-microsoft.js';
import { FakeConnector, FakeIssuer, FakeSidecar } from './fake-microsoft.js';
import { actionsOf, APP_ID, cardsOf, startTeamsWorld, TeamsUser, textOf, type TeamsWorld } from './helpers.js';

const STALE = 'That button belongs to an earlier step; nothing was changed.';

/** What one request to /api/messages made the bot send. */
async function exchange(world: TeamsWorld, send: () => Promise<{ status: number; body: unknown }>) {
  const before = world.connector.calls.length;
  const response = await send();
  // The SDK answers the HTTP request once the turn is done: its replies have arrived by then.
  return { response, calls: world.connector.calls.slice(before) };
}

const posted = (calls: ConnectorCall[]) => calls.filter((c) => c.method === 'POST');
const text = (calls: ConnectorCall[]) => calls.map((c) => textOf(cardsOf(c))).join('\n');
const lastCard = (calls: ConnectorCall[]) => {
  const call = posted(calls).at(-1);
  if (!call) throw new Error('nothing was posted');
  return call;
};
const choicesOf = (call: ConnectorCall) => cardsOf(call).flatMap(actionsOf).map((a) => a.data.choice ?? a.data.action);

describe('Teams on a fake Microsoft', () => {
  let world: TeamsWorld;
  beforeAll(async () => {
    world = await startTeamsWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('starting it called nobody: no keys fetched, no token asked for, nothing sent', () => {
    expect(world.issuer.keyRequests).toBe(0);
    expect(world.sidecar.requests).toEqual([]);
    expect(world.connector.calls).toEqual([]);
  });

  describe('requests not signed for this bot are refused (401), and nothing is done', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: [string, (w: TeamsWorld) => string | null][] = [
      ['unsigned (no Authorization header)', () => null],
      ['signed with a key the issuer never published', (w) => w.token({}, { signWith: 'stranger' })],
      ['with "alg": "none"', (w) => w.token({}, { alg: 'none' })],
      ['expired', (w) => w.token({ exp: now() - 3600, nbf: now() - 7200, iat: now() - 7200 })],
      ['for another bot (wrong audience)', (w) => w.token({ aud: randomUUID() })],
      ['from another issuer', (w) => w.token({ iss: `https://login.evil.example/${w.issuer.tenantId}/v2.0` })],
      ['a malformed Authorization header', () => 'not-a-jwt'],
    ];
    for (const [name, token] of cases) {
      it(name, async () => {
        const user = new TeamsUser(world);
        const { response, calls } = await exchange(world, () => world.post(user.message('start'), token(world)));
        expect(response.status).toBe(401);
        expect(response.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
        expect(calls).toEqual([]);
        expect(await world.services.sessions.hasAny({ channel: 'teams', tenantId: world.issuer.tenantId, userId: user.aadObjectId })).toBe(false);
      });
    }

    it('a token issued for another service URL than the activity names (400, nothing sent there)', async () => {
      const user = new TeamsUser(world);
      const { response, calls } = await exchange(world, () => world.post(user.message('start'), world.token({ serviceurl: 'https://smba.trafficmanager.net/amer/' })));
      expect(response.status).toBe(400);
      expect(calls).toEqual([]);
    });

    it('a Basic scheme is refused too, and a valid token for the same message is taken', async () => {
      const user = new TeamsUser(world);
      const basic = await fetch(`${world.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Basic Zm9vOmJhcg==' }, body: JSON.stringify(user.message('start')) });
      expect(basic.status).toBe(401);
      const { response, calls } = await exchange(world, () => world.post(user.message('start')));
      expect(response.status).toBe(200);
      expect(posted(calls)).toHaveLength(1);
    });
  });

  it('a whole assessment through card clicks, each clicked card updated to show the answer without buttons', async () => {
    const user = new TeamsUser(world);
    const installed = await exchange(world, () => world.post(user.installed()));
    let card = lastCard(installed.calls);
    expect(choicesOf(card)).toEqual(['start']);
    expect(card.conversationId).toBe(user.personalConversation);

    const clickAndCheck = async (choice: string) => {
      const clicked = card;
      const { response, calls } = await exchange(world, () => user.click(clicked, choice));
      expect(response.status).toBe(200);
      // The invoke's answer replaces the card for the clicker; the PUT replaces it for everyone.
      expect(response.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
      const put = calls.find((c) => c.method === 'PUT');
      expect(put?.activityId).toBe(clicked.id);
      if (put) {
        expect(actionsOf(cardsOf(put))).toEqual([]);
        expect(textOf(cardsOf(put))).toContain('You chose');
      }
      card = lastCard(calls);
      return calls;
    };

    await clickAndCheck('start');
    expect(text([card])).toContain('First, what are you assessing?');
    await clickAndCheck('unit:national');
    for (const reply of PROFILES.early.slice(1)) {
      const question = choicesOf(card).find((c) => c.startsWith('answer:') && c.endsWith(`:${reply}`));
      if (!question) throw new Error(`no "${reply}" button on: ${text([card])}`);
      await clickAndCheck(question);
    }
    if (choicesOf(card).includes('cmd:seeResult')) await clickAndCheck('cmd:seeResult');
    const result = text([card]);
    expect(result).toContain('Your result');
    expect(result).toContain('Overall stage: Early');
    expect(result).toContain("Govstage's wording, not the OECD's");
    expect(result).toContain('Because you said:');
    expect(choicesOf(card)).toEqual(expect.arrayContaining(['cmd:review', 'cmd:newAssessment']));

    // The result again, typed; and where the person stands.
    const report = await exchange(world, () => user.send('report'));
    expect(text(report.calls)).toContain('Overall stage: Early');
    const status = await exchange(world, () => user.send('status'));
    expect(text(status.calls)).toContain('Your assessment is finished: overall stage **Early**');

    // Every reply and update carried the token the sidecar issued.
    const auth = new Set(world.connector.calls.map((c) => c.authorization));
    expect(auth).toEqual(new Set([`Bearer ${world.sidecar.token}`]));
    expect(world.sidecar.requests.length).toBeGreaterThan(0);
  });

  it('a click on an out-of-date card changes nothing: the card loses its buttons and the current step is shown', async () => {
    const user = new TeamsUser(world);
    const intro = lastCard((await exchange(world, () => user.send('start'))).calls);
    expect(choicesOf(intro)).toContain('unit:national');
    const first = await exchange(world, () => user.click(intro, 'unit:national'));
    expect(text(first.calls)).toContain('Question 1 of 14');

    const again = await exchange(world, () => user.click(intro, 'unit:ministry'));
    expect(again.response.body).toMatchObject({ type: 'application/vnd.microsoft.card.adaptive' });
    const put = again.calls.find((c) => c.method === 'PUT');
    expect(put?.activityId).toBe(intro.id);
    expect(textOf(cardsOf(put!))).toContain('out of date');
    const shown = text(posted(again.calls));
    expect(shown).toContain(STALE);
    expect(shown).toContain('Question 1 of 14');
    // The unit was not changed by the old card.
    const status = await world.services.sessions.status({ channel: 'teams', tenantId: world.issuer.tenantId, userId: user.aadObjectId });
    expect(status.kind === 'status' && status.progress.index).toBe(1);
  });

  it('a click from an older client (Action.Submit: a message carrying the data) works the same', async () => {
    const user = new TeamsUser(world);
    const unit = lastCard((await exchange(world, () => user.send('start'))).calls);
    const action = cardsOf(unit).flatMap(actionsOf).find((a) => a.data.choice === 'unit:national')!;
    const { response, calls } = await exchange(world, () => world.post(user.message('', { text: undefined, value: action.data, replyToId: unit.id })));
    expect(response.status).toBe(200);
    expect(calls.find((c) => c.method === 'PUT')?.activityId).toBe(unit.id);
    expect(text(posted(calls))).toContain('Question 1 of 14');
  });

  it('a button that keeps the step (why) leaves the card usable', async () => {
    const user = new TeamsUser(world);
    await exchange(world, () => user.send('start'));
    const unit = lastCard(world.connector.calls);
    const why = await exchange(world, () => user.click(unit, 'cmd:why'));
    expect(why.response.body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: '' });
    expect(why.calls.filter((c) => c.method === 'PUT')).toEqual([]);
    const answered = await exchange(world, () => user.click(unit, 'unit:national'));
    expect(text(answered.calls)).toContain('Question 1 of 14');
  });

  it('typed replies are read exactly as elsewhere', async () => {
    const user = new TeamsUser(world);
    await exchange(world, () => user.send('start'));
    const unit = await exchange(world, () => user.send('2'));
    expect(text(unit.calls)).toContain('Question 1 of 14');
    const answered = await exchange(world, () => user.send('partly, only in two ministries'));
    expect(text(answered.calls)).toContain('only in two ministries');
    expect(text(answered.calls)).toContain('Question 2 of 14');
  });

  it('resume codes: begun on the web, continued in Teams; and a code from Teams opens it on the web', async () => {
    const api = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${world.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const started = await api('POST', '/api/conversations', {});
    const id = started.body.conversationId as string;
    const token = started.body.resumeToken as string;
    await api('POST', `/api/conversations/${id}/turns`, { turnId: 't1', text: 'start' }, token);
    await api('POST', `/api/conversations/${id}/turns`, { turnId: 't2', text: '1' }, token);
    await api('POST', `/api/conversations/${id}/turns`, { turnId: 't3', text: 'yes' }, token);

    const user = new TeamsUser(world);
    const wrong = await exchange(world, () => user.send('resume ZZZZZ-ZZZZZ'));
    expect(text(wrong.calls)).toContain('not valid');
    const resumed = await exchange(world, () => user.send(`resume ${String(started.body.resumeCode)}`));
    expect(text(resumed.calls)).toContain('Welcome back');
    expect(text(resumed.calls)).toContain('Question 2 of 14');
    const card = lastCard(resumed.calls);
    const yes = choicesOf(card).find((c) => c.startsWith('answer:') && c.endsWith(':yes'));
    const next = await exchange(world, () => user.click(card, yes!));
    expect(text(next.calls)).toContain('Question 3 of 14');
    // The code moved it: the web's token no longer opens it.
    expect((await api('GET', `/api/conversations/${id}`, undefined, token)).status).toBe(401);

    // `status` gives a fresh code, good on the web.
    const status = await exchange(world, () => user.send('status'));
    const code = /Resume code: \*\*([A-Z0-9-]+)\*\*/.exec(text(status.calls))?.[1];
    expect(code).toBeDefined();
    const onWeb = await api('POST', '/api/resume', { code });
    expect(onWeb.body.conversationId).toBe(id);
  });

  it('forget-me asks first, then deletes every assessment of the person', async () => {
    const user = new TeamsUser(world);
    const identity = { channel: 'teams' as const, tenantId: world.issuer.tenantId, userId: user.aadObjectId };
    await exchange(world, () => user.send('start'));
    const ask = await exchange(world, () => user.send('forget me'));
    const confirm = lastCard(ask.calls);
    expect(choicesOf(confirm)).toEqual(['forget-yes', 'forget-no']);
    const kept = await exchange(world, () => user.click(confirm, 'forget-no'));
    expect(textOf(cardsOf(kept.calls.find((c) => c.method === 'PUT')!))).toContain('Nothing was deleted');
    expect(await world.services.sessions.hasAny(identity)).toBe(true);

    const confirm2 = lastCard((await exchange(world, () => user.send('forget-me'))).calls);
    // Someone else clicking this person's confirmation (in a channel, say) deletes nothing of anyone's.
    const other = new TeamsUser(world);
    await exchange(world, () => other.send('start'));
    const foreign = await exchange(world, () => world.post(other.clickActivity(confirm2, cardsOf(confirm2).flatMap(actionsOf).find((a) => a.data.action === 'forget-yes')!)));
    expect(foreign.response.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: expect.stringContaining('someone else') });
    expect(foreign.calls.filter((c) => c.method === 'PUT')).toEqual([]);
    expect(await world.services.sessions.hasAny(identity)).toBe(true);
    expect(await world.services.sessions.hasAny({ ...identity, userId: other.aadObjectId })).toBe(true);

    const done = await exchange(world, () => user.click(confirm2, 'forget-yes'));
    expect(textOf(cardsOf(done.calls.find((c) => c.method === 'PUT')!))).toContain('one assessment was deleted');
    expect(await world.services.sessions.hasAny(identity)).toBe(false);
    const after = await exchange(world, () => user.send('status'));
    expect(text(after.calls)).toContain('You have no assessment yet');
  });

  it('in a channel: answers an @mention in its thread, without the mention; ignores the rest', async () => {
    const user = new TeamsUser(world);
    const ignored = await exchange(world, () => world.post(user.channelMessage('start', { mention: false })));
    expect(ignored.response.status).toBe(200);
    expect(ignored.calls).toEqual([]);
    const activity = user.channelMessage('start');
    const answered = await exchange(world, () => world.post(activity));
    const reply = lastCard(answered.calls);
    expect(reply.conversationId).toBe(activity.conversation.id);
    expect(reply.activityId).toBe(activity.id);
    expect(text([reply])).toContain('First, what are you assessing?');
  });

  it('help lists the Teams commands', async () => {
    const user = new TeamsUser(world);
    const help = await exchange(world, () => user.send('help'));
    expect(text(help.calls)).toContain('forget-me');
    expect(text(help.calls)).toContain('resume CODE');
  });

  it('the first install of a person introduces the assessment; a delivery made twice is handled once', async () => {
    const user = new TeamsUser(world);
    const activity = user.message('start');
    const first = await exchange(world, () => world.post(activity));
    expect(posted(first.calls)).toHaveLength(1);
    const second = await exchange(world, () => world.post(activity));
    expect(second.response.status).toBe(200);
    expect(second.calls).toEqual([]);
  });

  it('a reply Teams throttles (429) is sent again', async () => {
    const user = new TeamsUser(world);
    world.connector.failNext(429, 1, '0');
    const { calls } = await exchange(world, () => user.send('start'));
    expect(text(calls)).toContain('First, what are you assessing?');
  });

  it('a reply that fails is logged without the bearer token, and the person is told', async () => {
    const user = new TeamsUser(world);
    world.connector.failNext(500);
    const { response, calls } = await exchange(world, () => user.send('start'));
    expect(response.status).toBe(200);
    expect(text(calls)).toContain('Something went wrong on our side');
    const logs = world.logs();
    expect(logs).toContain('Teams request failed');
    expect(logs).not.toContain(world.sidecar.token);
    expect(logs).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
  });

  it('new keys at the issuer: tokens signed with them are taken once the SDK forgets the old ones, old ones are refused', async () => {
    const user = new TeamsUser(world);
    const old = world.token();
    world.issuer.rotate();
    clearJwksClients();
    expect((await world.post(user.message('start'), old)).status).toBe(401);
    expect((await world.post(user.message('start'))).status).toBe(200);
  });
});

describe('Teams with a public URL', () => {
  let world: TeamsWorld;
  beforeAll(async () => {
    world = await startTeamsWorld({ PUBLIC_URL: 'https://govstage.example.gov' });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('report brings a link to the full report, and so does the result card', async () => {
    const user = new TeamsUser(world);
    await exchange(world, () => user.send('start'));
    for (const reply of PROFILES.advanced) await exchange(world, () => user.send(reply));
    const result = lastCard((await exchange(world, () => user.send('see my result'))).calls);
    expect(text([result])).toContain('Overall stage: Advanced');
    const report = await exchange(world, () => user.send('report'));
    expect(text(report.calls)).toMatch(/Your full report .*: https:\/\/govstage\.example\.gov\/reports\/c_[\w-]+\/[\w-]+\./);
    const clicked = await exchange(world, () => user.click(result, 'report-link'));
    const link = /https:\/\/govstage\.example\.gov(\/reports\/[^\s.]+)/.exec(text(clicked.calls))?.[1];
    expect(link).toBeDefined();
    // The newest link works on the web; asking for it turned the one before off.
    expect((await fetch(`${world.url}${link!}`)).status).toBe(200);
  });
});

describe('Teams configuration', () => {
  const base = { CONTENT_DIR: ROOT, NODE_ENV: 'test' };
  it('is off without its variables: /api/messages does not exist', async () => {
    const dataDir = await tempDir();
    const server = await startServer({ ...base, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' });
    try {
      expect(server.channels).toEqual([]);
      const response = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  it('refuses to start half configured, or anonymous in production', () => {
    expect(() => loadConfig({ ...base, TEAMS_APP_PASSWORD: 'secret' })).toThrow(/TEAMS_APP_ID: is required when TEAMS_APP_PASSWORD is set/);
    expect(() => loadConfig({ ...base, TEAMS_APP_ID: APP_ID })).toThrow(/TEAMS_APP_PASSWORD: is required/);
    expect(() => loadConfig({ ...base, TEAMS_APP_ID: 'bot' , TEAMS_APP_PASSWORD: 'x' })).toThrow(/TEAMS_APP_ID: must be the bot's Microsoft App ID/);
    expect(() => loadConfig({ ...base, NODE_ENV: 'production', TEAMS_ALLOW_ANONYMOUS: 'true' })).toThrow(/TEAMS_ALLOW_ANONYMOUS: is refused when NODE_ENV=production/);
    expect(() => loadConfig({ ...base, TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'x', TEAMS_ALLOW_ANONYMOUS: 'true' })).toThrow(/cannot be combined/);
    expect(() => loadConfig({ ...base, TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'x', TEAMS_AUTHORITY: 'http://login.example' })).toThrow(/TEAMS_AUTHORITY: must be an https URL/);
    expect(loadConfig({ ...base, TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'x' }).TEAMS_APP_ID).toBe(APP_ID);
  });

  it('npm start loops over the configured channels: Teams answers, and stops with the server', async () => {
    const [issuer, sidecar, connector] = await Promise.all([FakeIssuer.start(), FakeSidecar.start(), FakeConnector.start()]);
    clearJwksClients();
    const dataDir = await tempDir();
    const server = await startServer({ ...base, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', TEAMS_APP_ID: APP_ID, TEAMS_TENANT_ID: issuer.tenantId, TEAMS_AUTHORITY: issuer.authority, TEAMS_SIDECAR_URL: sidecar.url });
    try {
      expect(server.channels.map((c) => c.name)).toEqual(['teams']);
      const post = async (activity: object) => {
        const token = issuer.token({ aud: APP_ID, serviceurl: connector.serviceUrl });
        const response = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(activity) });
        return { status: response.status, body: await response.text() };
      };
      const user = new TeamsUser({ connector, issuer, post });
      expect((await post(user.installed())).status).toBe(200);
      expect(connector.calls).toHaveLength(1);
    } finally {
      await server.stop();
      await Promise.all([issuer.stop(), sidecar.stop(), connector.stop()]);
      clearJwksClients();
    }
  });
});

describe('anonymous development mode (TEAMS_ALLOW_ANONYMOUS=true)', () => {
  let world: TeamsWorld;
  beforeAll(async () => {
    world = await startTeamsWorld({ TEAMS_APP_ID: '', TEAMS_TENANT_ID: '', TEAMS_AUTHORITY: '', TEAMS_SIDECAR_URL: '', TEAMS_ALLOW_ANONYMOUS: 'true' });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('takes unsigned activities and replies without a token, as the Bot Framework Emulator expects', async () => {
    const user = new TeamsUser(world);
    const { response, calls } = await exchange(world, () => world.post(user.message('start'), null));
    expect(response.status).toBe(200);
    expect(text(calls)).toContain('First, what are you assessing?');
    expect(calls.every((c) => c.authorization === undefined)).toBe(true);
    expect(world.logs()).toContain('ANONYMOUS development mode');
  });
});
