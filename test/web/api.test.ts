import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createApp } from '../../src/channels/web/app.js';
import { testServices } from '../helpers/server.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
let app: Express;

beforeAll(async () => {
  services = await testServices({ ALLOWED_ORIGINS: 'https://intranet.example.gov', RESUME_RATE_LIMIT_PER_MINUTE: '5' });
  app = createApp(services);
});
afterAll(async () => services.cleanup());

async function start() {
  const res = await request(app).post('/api/conversations').send({});
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; resumeToken: string; resumeCode: string; revision: number };
}

let turnCounter = 0;
function turn(id: string, token: string, body: Record<string, unknown>) {
  return request(app).post(`/api/conversations/${id}/turns`).set('Authorization', `Bearer ${token}`).send({ turnId: `t-${++turnCounter}`, ...body });
}

describe('HTTP API over the real file store', () => {
  it('creates a conversation, stores it as a file on disk and returns the intro', async () => {
    const started = await start();
    expect(started.resumeToken.length).toBeGreaterThanOrEqual(43);
    expect(started.resumeCode).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const files = await readdir(path.join(services.dataDir, 'conversations'));
    expect(files).toContain(`${started.conversationId}.json`);
    const stored = await readFile(path.join(services.dataDir, 'conversations', `${started.conversationId}.json`), 'utf8');
    expect(stored).not.toContain(started.resumeToken);
    expect(stored).not.toContain(started.resumeCode);
  });

  it('walks a whole assessment by choices and reaches the result', async () => {
    const { conversationId: id, resumeToken: token } = await start();
    let res = await turn(id, token, { choice: 'start' });
    expect(res.status).toBe(200);
    res = await turn(id, token, { choice: 'unit:national', revision: res.body.revision });
    expect(res.status).toBe(200);
    for (let i = 0; i < 14; i++) {
      const question = res.body.messages.find((m: { kind: string }) => m.kind === 'question');
      expect(question, `question ${i + 1}`).toBeDefined();
      expect(question.progress).toMatchObject({ index: i + 1, total: 14 });
      res = await turn(id, token, { choice: question.choices[2].id, revision: res.body.revision });
      expect(res.status).toBe(200);
    }
    expect(res.body.messages.at(-1).kind).toBe('review');
    res = await turn(id, token, { choice: 'cmd:seeResult' });
    const result = res.body.messages.find((m: { kind: string }) => m.kind === 'result');
    expect(result.result.themes).toHaveLength(3);
    expect(res.body.status).toBe('finished');
    const view = await request(app).get(`/api/conversations/${id}`).set('Authorization', `Bearer ${token}`);
    expect(view.status).toBe(200);
    expect(view.body.status).toBe('finished');
    expect(view.body.current[0].kind).toBe('result');
    expect(view.body.transcript.filter((e: { from: string }) => e.from === 'user')).toHaveLength(17);
  });

  it('replays a retried turn id instead of advancing twice', async () => {
    const { conversationId: id, resumeToken: token } = await start();
    await turn(id, token, { choice: 'start' });
    const body = { turnId: 'same-turn', text: 'yes' };
    const first = await request(app).post(`/api/conversations/${id}/turns`).set('Authorization', `Bearer ${token}`).send(body);
    const second = await request(app).post(`/api/conversations/${id}/turns`).set('Authorization', `Bearer ${token}`).send(body);
    expect(second.status).toBe(200);
    expect(second.body.replayed).toBe(true);
    expect(second.body.messages).toEqual(first.body.messages);
    expect(second.body.revision).toBe(first.body.revision);
    const reused = await request(app).post(`/api/conversations/${id}/turns`).set('Authorization', `Bearer ${token}`).send({ turnId: 'same-turn', text: 'no' });
    expect(reused.status).toBe(409);
  });

  it('answers a stale button with 409 and the current prompt, changing nothing', async () => {
    const { conversationId: id, resumeToken: token } = await start();
    await turn(id, token, { choice: 'start' });
    await turn(id, token, { choice: 'unit:national' });
    const answered = await turn(id, token, { choice: 'answer:ict-purpose:yes' });
    const stale = await turn(id, token, { choice: 'answer:ict-purpose:no' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('CONFLICT');
    expect(stale.body.messages.some((m: { kind: string; questionId?: string }) => m.kind === 'question' && m.questionId === 'ict-engagement')).toBe(true);
    const view = await request(app).get(`/api/conversations/${id}`).set('Authorization', `Bearer ${token}`);
    expect(view.body.revision).toBe(answered.body.revision);
  });

  it('refuses an outdated revision with 409', async () => {
    const { conversationId: id, resumeToken: token } = await start();
    const res = await turn(id, token, { text: 'start', revision: 5 });
    expect(res.status).toBe(409);
    expect(res.body.revision).toBe(0);
  });

  it('does not say whether a conversation exists without the right token', async () => {
    const { conversationId: id } = await start();
    const wrong = await request(app).get(`/api/conversations/${id}`).set('Authorization', `Bearer ${'x'.repeat(43)}`);
    const unknown = await request(app).get(`/api/conversations/c_${'A'.repeat(22)}`).set('Authorization', `Bearer ${'x'.repeat(43)}`);
    const missing = await request(app).get(`/api/conversations/${id}`);
    expect([wrong.status, unknown.status, missing.status]).toEqual([401, 401, 401]);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('gives clear 400s for bad input and 413 for oversized bodies', async () => {
    const { conversationId: id, resumeToken: token } = await start();
    const badJson = await request(app).post(`/api/conversations/${id}/turns`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send('{"turnId":');
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.message).toMatch(/not valid JSON/);
    const both = await turn(id, token, { choice: 'start', text: 'start' });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/exactly one/);
    const wrongType = await turn(id, token, { text: 42 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toMatch(/body\.text/);
    const unknownChoice = await turn(id, token, { choice: 'launch-missiles' });
    expect(unknownChoice.status).toBe(400);
    const huge = await turn(id, token, { text: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
    const long = await turn(id, token, { text: 'x'.repeat(3000) });
    expect(long.status).toBe(400);
  });

  it('refuses text with NUL, another control character or an unpaired surrogate: 400 naming the field, nothing stored (on every store alike)', async () => {
    const { conversationId: id, resumeToken: token } = await start();
    await turn(id, token, { choice: 'start' });
    const view = () => request(app).get(`/api/conversations/${id}`).set('Authorization', `Bearer ${token}`);
    const before = (await view()).body;
    const cases: [string, RegExp][] = [
      ['yes\u0000', /NUL/],
      ['note \u0007bell', /control character/],
      ['partly \u001b[31m red', /control character/],
      ['note lone \ud83d high', /unpaired surrogate/],
      ['note lone \udc4d low', /unpaired surrogate/],
    ];
    for (const [text, reason] of cases) {
      const refused = await turn(id, token, { text });
      expect(refused.status, JSON.stringify(text)).toBe(400);
      expect(refused.body.error.code).toBe('BAD_INPUT');
      expect(refused.body.error.message).toMatch(/^body\.text: /);
      expect(refused.body.error.message).toMatch(reason);
    }
    const badChoice = await turn(id, token, { choice: 'answer:\u0000' });
    expect(badChoice.status).toBe(400);
    expect(badChoice.body.error.message).toMatch(/^body\.choice: .*NUL/);
    const badCode = await request(app).post('/api/resume').send({ code: 'ABCDE\u0000FGHJK' });
    expect(badCode.status).toBe(400);
    expect(badCode.body.error.message).toMatch(/^body\.code: .*NUL/);
    expect((await view()).body).toEqual(before);
    // Tabs, line breaks and emoji (paired surrogates) are ordinary text.
    const fine = await turn(id, token, { text: 'note\tin two ministries,\r\nsee 👍🏽' });
    expect(fine.status, JSON.stringify(fine.body)).toBe(200);
  });

  it('resumes with the code on another device, which takes over the conversation', async () => {
    const { conversationId: id, resumeToken: token, resumeCode } = await start();
    await turn(id, token, { choice: 'start' });
    await turn(id, token, { text: '1' });
    await turn(id, token, { text: 'partly, only in two ministries' });
    const typed = resumeCode.toLowerCase().replace('-', ' ');
    const resumed = await request(app).post('/api/resume').send({ code: typed });
    expect(resumed.status).toBe(200);
    expect(resumed.body.conversationId).toBe(id);
    const view = await request(app).get(`/api/conversations/${id}`).set('Authorization', `Bearer ${resumed.body.resumeToken}`);
    expect(view.body.current[0]).toMatchObject({ kind: 'question', questionId: 'ict-engagement' });
    const old = await request(app).get(`/api/conversations/${id}`).set('Authorization', `Bearer ${token}`);
    expect(old.status).toBe(401);
  });

  it('save-and-continue-later issues a new code and the old one stops working', async () => {
    const { conversationId: id, resumeToken: token, resumeCode } = await start();
    const issued = await request(app).post(`/api/conversations/${id}/resume-code`).set('Authorization', `Bearer ${token}`);
    expect(issued.status).toBe(200);
    expect(issued.body.code).not.toBe(resumeCode);
    expect((await request(app).post('/api/resume').send({ code: resumeCode })).status).toBe(404);
    expect((await request(app).post('/api/resume').send({ code: issued.body.code })).status).toBe(200);
  });

  it('the pause command answers with a fresh resume code', async () => {
    const { conversationId: id, resumeToken: token } = await start();
    const res = await turn(id, token, { text: 'pause' });
    const paused = res.body.messages.find((m: { kind: string }) => m.kind === 'paused');
    expect(paused.resume.code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const stored = await readFile(path.join(services.dataDir, 'conversations', `${id}.json`), 'utf8');
    expect(stored).not.toContain(paused.resume.code);
  });

  it('rate-limits resume-code guessing per client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await request(app).post('/api/resume').send({ code: 'ZZZZZ-ZZZZZ' })).status);
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(5);
    expect(statuses).toContain(429);
  });

  it('serves the API only to allowed origins', async () => {
    const allowed = await request(app).options('/api/conversations').set('Origin', 'https://intranet.example.gov');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://intranet.example.gov');
    const refused = await request(app).post('/api/conversations').set('Origin', 'https://evil.example.com').send({});
    expect(refused.status).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('publishes an OpenAPI document generated from the schemas, and health checks', async () => {
    const doc = await request(app).get('/api/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    const ref = doc.body.paths['/api/conversations/{id}/turns'].post.requestBody.content['application/json'].schema.$ref as string;
    const turnSchema = doc.body.components.schemas[ref.replace('#/components/schemas/', '')];
    expect(turnSchema.required).toContain('turnId');
    expect((await request(app).get('/healthz')).body.status).toBe('ok');
    expect((await request(app).get('/readyz')).body).toMatchObject({ status: 'ready', store: 'lowdb' });
  });

  it('sends a strict Content-Security-Policy', async () => {
    const res = await request(app).get('/healthz');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
  });
});
