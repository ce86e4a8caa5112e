/**
 * A retried turn id is answered from its receipt, not applied again: for a
 * long while after (many turns later), and for a "new assessment" turn too,
 * whose retry must hand back the same new conversation with a token that
 * works, and never open a second one, however often it is retried or loses
 * a race. Over the real lowdb store on disk, through the HTTP API and
 * through two service instances that share no lock (as two processes).
 */
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/channels/web/app.js';
import { choiceIds } from '../../src/core/conversation/render.js';
import type { Message } from '../../src/core/messages.js';
import { ConversationService } from '../../src/service/conversation-service.js';
import { applied, completeAssessment, PROFILES } from '../helpers/assessment.js';
import { testServices } from '../helpers/server.js';
import { collect } from '../store/contract.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
let app: Express;

beforeAll(async () => {
  services = await testServices({ RATE_LIMIT_PER_MINUTE: '100000', RESUME_RATE_LIMIT_PER_MINUTE: '1000' });
  app = createApp(services);
});
afterAll(async () => services.cleanup());

const NEW_ASSESSMENT = choiceIds.command('newAssessment');

function postTurn(id: string, token: string, body: Record<string, unknown>) {
  return request(app).post(`/api/conversations/${id}/turns`).set('Authorization', `Bearer ${token}`).send(body);
}

const view = (id: string, token: string) => request(app).get(`/api/conversations/${id}`).set('Authorization', `Bearer ${token}`);
const conversationCount = async () => (await collect(services.store.list())).length;

describe('a retried turn id, long after', () => {
  it('T1, then 50 more turns, then T1 again: replayed, with the first answer, and nothing changes', async () => {
    const created = await request(app).post('/api/conversations').send({});
    const { conversationId: id, resumeToken: token } = created.body as { conversationId: string; resumeToken: string };
    expect((await postTurn(id, token, { turnId: 'start', choice: 'start' })).status).toBe(200);
    const first = await postTurn(id, token, { turnId: 'T1', text: 'note the first evidence' });
    expect(first.status).toBe(200);
    for (let i = 0; i < 50; i++) expect((await postTurn(id, token, { turnId: `later-${i}`, text: `note later evidence ${i}` })).status).toBe(200);
    const before = (await view(id, token)).body;

    const again = await postTurn(id, token, { turnId: 'T1', text: 'note the first evidence' });
    expect(again.status).toBe(200);
    expect(again.body.replayed).toBe(true);
    expect(again.body.messages).toEqual(first.body.messages);
    expect(again.body.revision).toBe(before.revision);
    expect((await view(id, token)).body).toEqual(before);
    expect(before.transcript.filter((e: { text?: string }) => e.text === 'note the first evidence')).toHaveLength(1);
  });

  it('honours every turn id of the last 24 hours however many, then keeps the last 256', { timeout: 60_000 }, async () => {
    let clock = Date.parse('2030-01-01T09:00:00.000Z');
    const service = new ConversationService({ definition: services.definition, store: services.store, resumeCodeTtlMs: 3_600_000, now: () => new Date(clock) });
    const started = await service.start({ channel: 'web' });
    const turn = (turnId: string, text: string) =>
      service.turn({ conversationId: started.conversationId, access: { kind: 'token', token: started.resumeToken }, channel: 'web', turnId, input: { kind: 'text', text } }).then(applied);
    await turn('start', 'start');
    await turn('T1', 'note kept all day');
    for (let i = 0; i < 300; i++) {
      clock += 60_000;
      await turn(`busy-${i}`, `note busy ${i}`);
    }
    // 300 turns later, within the day: still a replay.
    expect((await turn('T1', 'note kept all day')).replayed).toBe(true);
    // A day later, one turn on: T1 is neither among the last 256 nor younger than 24 hours, so it is a new turn.
    clock += 24 * 3_600_000;
    await turn('next-day', 'note next day');
    const stored = await services.store.get(started.conversationId);
    expect(stored?.receipts).toHaveLength(256);
    expect(stored?.receipts.some((r) => r.turnId === 'busy-299')).toBe(true);
    expect((await turn('T1', 'note kept all day')).replayed).toBe(false);
  });
});

describe('a retried "new assessment" turn', () => {
  async function finished() {
    const done = await completeAssessment(services.service, PROFILES.intermediate);
    return { id: done.conversationId, token: done.token };
  }

  async function expectUsable(switchTo: { conversationId: string; resumeToken: string; resumeCode: string }, previousId: string) {
    const seen = await view(switchTo.conversationId, switchTo.resumeToken);
    expect(seen.status, JSON.stringify(seen.body)).toBe(200);
    expect(seen.body.revision).toBe(0);
    expect((await services.store.get(switchTo.conversationId))?.previousId).toBe(previousId);
    const answered = await postTurn(switchTo.conversationId, switchTo.resumeToken, { turnId: 'on-the-new-one', choice: 'start' });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
  }

  it('retried 5 times, then 5 at once: the same switchTo every time, one new conversation, and its token works', async () => {
    const { id, token } = await finished();
    const count = await conversationCount();
    const body = { turnId: 'new-once', choice: NEW_ASSESSMENT };
    const first = await postTurn(id, token, body);
    expect(first.status).toBe(200);
    expect(first.body.replayed).toBe(false);
    const switchTo = first.body.switchTo;
    expect(switchTo).toMatchObject({ revision: 0, status: 'active', conversationId: expect.any(String), resumeToken: expect.any(String), resumeCode: expect.any(String) });
    expect(first.body.messages).toEqual(switchTo.messages);

    const sequential = [];
    for (let i = 0; i < 5; i++) sequential.push(await postTurn(id, token, body));
    const parallel = await Promise.all(Array.from({ length: 5 }, () => postTurn(id, token, body)));
    for (const retry of [...sequential, ...parallel]) {
      expect(retry.status).toBe(200);
      expect(retry.body.replayed).toBe(true);
      expect(retry.body.switchTo).toEqual(switchTo);
      expect(retry.body.messages).toEqual(first.body.messages);
    }
    expect(await conversationCount()).toBe(count + 1);
    // The token and the resume code of the new conversation are stored only as hashes.
    const stored = JSON.stringify(await services.store.get(switchTo.conversationId));
    expect(stored).not.toContain(switchTo.resumeToken);
    expect(stored).not.toContain(switchTo.resumeCode);
    await expectUsable(switchTo, id);
    // Still the same answer once the new conversation moved on, and still one new conversation.
    expect((await postTurn(id, token, body)).body.switchTo).toEqual(switchTo);
    expect(await conversationCount()).toBe(count + 1);
    const resumed = await request(app).post('/api/resume').send({ code: switchTo.resumeCode });
    expect(resumed.status).toBe(200);
    expect(resumed.body.conversationId).toBe(switchTo.conversationId);
  });

  it('raced on two instances with no shared lock, against other turns that make it lose the revision race: one new conversation, one switchTo', async () => {
    const other = new ConversationService({ definition: services.definition, store: services.store, resumeCodeTtlMs: services.config.RESUME_CODE_TTL_HOURS * 3_600_000 });
    const instances = [services.service, other];
    for (let round = 0; round < 4; round++) {
      const { id, token } = await finished();
      const count = await conversationCount();
      const access = { kind: 'token' as const, token };
      const send = (instance: ConversationService, turnId: string, input: { kind: 'choice'; choice: string } | { kind: 'text'; text: string }) =>
        instance.turn({ conversationId: id, access, channel: 'web', turnId, input }).then(applied);
      // The same new-assessment turn on both instances, interleaved with other turns ("help" on a result changes only the transcript).
      const replies = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 3 === 2 ? send(instances[i % 2]!, `help-${round}-${i}`, { kind: 'text', text: 'help' }) : send(instances[i % 2]!, `new-${round}`, { kind: 'choice', choice: NEW_ASSESSMENT }),
        ),
      );
      const opened = replies.filter((reply) => reply.switchTo !== undefined);
      expect(opened).toHaveLength(8);
      expect(opened.filter((reply) => !reply.replayed)).toHaveLength(1);
      for (const reply of opened) expect(reply.switchTo).toEqual(opened[0]!.switchTo);
      expect(await conversationCount()).toBe(count + 1);
      const switchTo = opened[0]!.switchTo!;
      await expectUsable({ conversationId: switchTo.conversationId, resumeToken: switchTo.resumeToken!, resumeCode: switchTo.resumeCode! }, id);
      // The old conversation took the new-assessment turn once, and each help once.
      const record = await services.store.get(id);
      expect(record?.receipts.filter((r) => r.turnId === `new-${round}`)).toHaveLength(1);
      expect(record?.transcript.filter((e) => e.from === 'user' && e.text === 'help')).toHaveLength(4);
    }
  });

  it('for a Slack user: replays reach the same new conversation (owned by them), and no secret is handed out', async () => {
    const owner = { kind: 'slack' as const, teamId: 'T1', userId: 'U_AGAIN' };
    const started = await services.service.start({ channel: 'slack', owner });
    const access = { kind: 'owner' as const, owner };
    const say = (turnId: string, input: { kind: 'choice'; choice: string } | { kind: 'text'; text: string }) =>
      services.service.turn({ conversationId: started.conversationId, access, channel: 'slack', turnId, input }).then(applied);
    await say('s0', { kind: 'text', text: 'start' });
    for (const [i, reply] of PROFILES.early.entries()) await say(`s${i + 1}`, { kind: 'text', text: reply });
    expect((await say('result', { kind: 'text', text: 'see my result' })).status).toBe('finished');
    const first = await say('slack-new', { kind: 'choice', choice: NEW_ASSESSMENT });
    const again = await say('slack-new', { kind: 'choice', choice: NEW_ASSESSMENT });
    expect(again.replayed).toBe(true);
    expect(again.switchTo).toEqual(first.switchTo);
    expect(first.switchTo?.resumeToken).toBeUndefined();
    const owned = await services.store.findByOwner(owner);
    expect(owned.map((c) => c.id).sort()).toEqual([started.conversationId, first.switchTo!.conversationId].sort());
    expect((await services.service.view(first.switchTo!.conversationId, access)).current).toEqual(first.switchTo!.messages as Message[]);
  });
});
