/**
 * Rate limits: per client address, per conversation, and on resume-code
 * guessing; each refusal is a 429 with Retry-After and the JSON error body.
 * Clients are told apart by X-Forwarded-For (TRUST_PROXY=loopback, as behind
 * one reverse proxy), so one test process can play several clients.
 */
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/channels/web/app.js';
import { testServices } from '../helpers/server.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
let app: Express;
/** A fresh app per test: the limiters live in the app, so tests do not share windows. */
const fresh = () => (app = createApp(services));

const PER_CLIENT = 10;
const PER_CONVERSATION = 30;
const RESUME_PER_MINUTE = 3;
const STARTS_PER_MINUTE = 4;

beforeAll(async () => {
  services = await testServices({
    RATE_LIMIT_PER_MINUTE: String(PER_CLIENT),
    CONVERSATION_RATE_LIMIT_PER_MINUTE: String(PER_CONVERSATION),
    RESUME_RATE_LIMIT_PER_MINUTE: String(RESUME_PER_MINUTE),
    START_RATE_LIMIT_PER_MINUTE: String(STARTS_PER_MINUTE),
    TRUST_PROXY: 'loopback',
  });
});
afterAll(async () => services.cleanup());

let ip = 0;
const newClient = () => `203.0.113.${++ip}`;

function expectLimited(res: request.Response) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('RATE_LIMITED');
  // "1 second" near the end of the window.
  expect(res.body.error.message).toMatch(/wait \d+ seconds?\b/);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

async function startedBy(client: string) {
  const res = await request(app).post('/api/conversations').set('X-Forwarded-For', client).send({});
  expect(res.status).toBe(201);
  return { id: res.body.conversationId as string, token: res.body.resumeToken as string, code: res.body.resumeCode as string };
}

let turnCounter = 0;
const turn = (client: string, id: string, token: string, text = 'help') =>
  request(app).post(`/api/conversations/${id}/turns`).set('X-Forwarded-For', client).set('Authorization', `Bearer ${token}`).send({ turnId: `rl-${++turnCounter}`, text });

describe('rate limits', () => {
  it('per client: past the limit a client gets 429 with Retry-After; other clients are unaffected', async () => {
    fresh();
    const client = newClient();
    const { id, token } = await startedBy(client);
    const statuses: number[] = [];
    let limited: request.Response | undefined;
    for (let i = 0; i < PER_CLIENT + 3; i++) {
      const res = await request(app).get(`/api/conversations/${id}`).set('X-Forwarded-For', client).set('Authorization', `Bearer ${token}`);
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    // One request went on creating the conversation.
    expect(statuses.filter((s) => s === 200)).toHaveLength(PER_CLIENT - 1);
    expectLimited(limited!);
    // Unauthenticated and failing requests count too (they cost us work).
    expect((await request(app).post('/api/resume').set('X-Forwarded-For', client).send({ code: 'AAAAA-AAAAA' })).status).toBe(429);
    const other = newClient();
    expect((await request(app).get(`/api/conversations/${id}`).set('X-Forwarded-For', other).set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('per conversation: many clients together cannot send it more than the limit', async () => {
    fresh();
    const { id, token } = await startedBy(newClient());
    const statuses: number[] = [];
    // 8 turns each from 5 clients: no client reaches its own limit.
    for (let c = 0; c < 5; c++) {
      const client = newClient();
      for (let i = 0; i < 8; i++) statuses.push((await turn(client, id, token)).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(PER_CONVERSATION);
    const limited = await turn(newClient(), id, token);
    expectLimited(limited);
    expect(limited.body.error.message).toMatch(/answers to this conversation/);
  });

  it('per conversation: requests with a wrong token do not use up the owner’s allowance', async () => {
    fresh();
    const owner = newClient();
    const { id, token } = await startedBy(owner);
    // Someone who knows only the conversation id (not a secret) sends garbage from many addresses.
    for (let c = 0; c < 8; c++) {
      const client = newClient();
      for (let i = 0; i < 6; i++) expect((await turn(client, id, `${'x'.repeat(40)}${c}${i}`)).status).not.toBe(200);
    }
    const res = await turn(owner, id, token);
    expect(res.status, res.text).toBe(200);
  });

  it('starting assessments: past its own limit a client gets 429, while its other requests go on', async () => {
    fresh();
    const client = newClient();
    const started = [];
    for (let i = 0; i < STARTS_PER_MINUTE; i++) started.push(await startedBy(client));
    const refused = await request(app).post('/api/conversations').set('X-Forwarded-For', client).send({});
    expectLimited(refused);
    expect(refused.body.error.message).toMatch(/new assessments/);
    const { id, token } = started[0]!;
    expect((await turn(client, id, token)).status).toBe(200);
  });

  it('resume-code guessing: 429 with Retry-After past the limit, even for the right code; other clients unaffected', async () => {
    fresh();
    const { code } = await startedBy(newClient());
    const guesser = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < RESUME_PER_MINUTE; i++) statuses.push((await request(app).post('/api/resume').set('X-Forwarded-For', guesser).send({ code: `ZZZZZ-ZZZZ${i}` })).status);
    expect(statuses).toEqual(Array(RESUME_PER_MINUTE).fill(404));
    const right = await request(app).post('/api/resume').set('X-Forwarded-For', guesser).send({ code });
    expectLimited(right);
    expect(right.body.resumeToken).toBeUndefined();
    const honest = await request(app).post('/api/resume').set('X-Forwarded-For', newClient()).send({ code });
    expect(honest.status).toBe(200);
  });
});

describe('the default policy: a workshop behind one office address', () => {
  let workshop: Services;
  let office: Express;
  beforeAll(async () => {
    // Nothing overridden: the defaults a deployment gets. Every request comes from 127.0.0.1, one address.
    workshop = await testServices();
    office = createApp(workshop);
  });
  afterAll(async () => workshop.cleanup());

  /** What the widget sends for one person's assessment: start, the unit, 14 answers, the result, a reload, a report link, a download. */
  async function oneAssessment(n: number): Promise<number[]> {
    const statuses: number[] = [];
    const created = await request(office).post('/api/conversations').send({});
    statuses.push(created.status);
    const { conversationId: id, resumeToken: token } = created.body as { conversationId: string; resumeToken: string };
    const auth = { Authorization: `Bearer ${token}` };
    let res = await request(office).post(`/api/conversations/${id}/turns`).set(auth).send({ turnId: `w${n}-start`, choice: 'start' });
    statuses.push(res.status);
    for (let q = 0; q <= 14; q++) {
      const question = (res.body.messages as { kind: string; choices: { id: string }[] }[]).find((m) => m.kind === 'question');
      // Option 3 ("no", or the third kind of unit) everywhere: no contradiction to settle before the result.
      res = await request(office).post(`/api/conversations/${id}/turns`).set(auth).send({ turnId: `w${n}-${q}`, choice: question?.choices[2]?.id, revision: res.body.revision });
      statuses.push(res.status);
    }
    res = await request(office).post(`/api/conversations/${id}/turns`).set(auth).send({ turnId: `w${n}-result`, choice: 'cmd:seeResult' });
    statuses.push(res.status);
    expect(res.body.status).toBe('finished');
    statuses.push((await request(office).get(`/api/conversations/${id}`).set(auth)).status);
    statuses.push((await request(office).post(`/api/conversations/${id}/report-link`).set(auth).send({})).status);
    statuses.push((await request(office).get(`/api/conversations/${id}/report.md`).set(auth)).status);
    return statuses;
  }

  it('40 people from one address each complete a full assessment at the same time, none refused', { timeout: 120_000 }, async () => {
    const all = await Promise.all(Array.from({ length: 40 }, (_, n) => oneAssessment(n)));
    const refused = all.flat().filter((s) => s === 429).length;
    expect(refused).toBe(0);
    expect(all.flat().every((s) => s === 200 || s === 201)).toBe(true);
  });

  it('resume-code guessing from that address is still refused after 10 attempts a minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await request(office).post('/api/resume').send({ code: `ZZZZZ-ZZZZ${i % 10}` })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
    expectLimited(await request(office).post('/api/resume').send({ code: 'ZZZZZ-ZZZZZ' }));
  });
});
