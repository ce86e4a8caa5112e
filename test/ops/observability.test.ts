/**
 * Observability: a request id on every request (a sane incoming X-Request-Id
 * kept, anything else replaced), in the response header, in every log line
 * of that request and in every error body; and GET /metrics in Prometheus
 * format, off unless METRICS_TOKEN is set and then only with that token.
 */
import { Writable } from 'node:stream';
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { bootstrap, type Services } from '../../src/bootstrap.js';
import { createApp } from '../../src/channels/web/app.js';
import { createLogger } from '../../src/log.js';
import { ROOT, tempDir } from '../helpers/server.js';

const METRICS_TOKEN = 'm'.repeat(30);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let dataDir: string;
let services: Services;
let app: Express;

beforeAll(async () => {
  dataDir = await tempDir('govstage-observability-');
  services = await bootstrap({
    env: { CONTENT_DIR: ROOT, DATA_DIR: dataDir, NODE_ENV: 'test', METRICS_TOKEN, RATE_LIMIT_PER_MINUTE: '1000', RESUME_RATE_LIMIT_PER_MINUTE: '2' },
    logger: createLogger({ level: 'debug', destination: sink }),
  });
  app = createApp(services);
});
afterAll(async () => {
  await services.store.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('request ids', () => {
  it('a sane incoming X-Request-Id is kept; a missing, odd or secret-shaped one is replaced by a UUID', async () => {
    expect((await request(app).get('/healthz').set('X-Request-Id', 'lb-1f2e.3d:4c_5b')).headers['x-request-id']).toBe('lb-1f2e.3d:4c_5b');
    expect((await request(app).get('/healthz')).headers['x-request-id']).toMatch(UUID);
    for (const odd of ['has space', 'x'.repeat(129), '<script>', 'ABCDE-FGHIJ', 'A'.repeat(43)]) {
      expect((await request(app).get('/healthz').set('X-Request-Id', odd)).headers['x-request-id'], odd).toMatch(UUID);
    }
  });

  it('is in every error body, the same as the header', async () => {
    const errors = [
      await request(app).get('/api/nowhere'),
      await request(app).get('/no/such/page'),
      await request(app).post('/api/conversations').set('Content-Type', 'application/json').send('{broken'),
      await request(app).get('/api/conversations/c_AAAAAAAAAAAAAAAAAAAAAA'),
      await request(app).get('/metrics'),
    ];
    for (const res of errors) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
    }
    const given = await request(app).get('/api/nowhere').set('X-Request-Id', 'trace-42');
    expect(given.body.error).toMatchObject({ code: 'NOT_FOUND', requestId: 'trace-42' });
  });

  it('is in every log line written while the request is handled', async () => {
    lines = [];
    // An unknown conversation: an error line and the request line.
    await request(app).get('/api/conversations/c_BBBBBBBBBBBBBBBBBBBBBB').set('Authorization', `Bearer ${'t'.repeat(40)}`).set('X-Request-Id', 'req-one');
    // A damaged file: the store's warning, the error line and the request line.
    const created = await request(app).post('/api/conversations').send({});
    const id = created.body.conversationId as string;
    const files = await readdir(path.join(dataDir, 'conversations'), { recursive: true });
    const file = files.find((f) => f.endsWith(`${id}.json`));
    expect(file).toBeDefined();
    await writeFile(path.join(dataDir, 'conversations', file!), '{ torn');
    await request(app).post(`/api/conversations/${id}/turns`).set('Authorization', `Bearer ${created.body.resumeToken}`).set('X-Request-Id', 'req-two').send({ turnId: 'x', text: 'yes' });
    const one = lines.filter((l) => l.reqId === 'req-one');
    const two = lines.filter((l) => l.reqId === 'req-two');
    expect(one.length).toBeGreaterThanOrEqual(2);
    expect(two.length).toBeGreaterThanOrEqual(2);
    expect(one.some((l) => l.msg === 'request')).toBe(true);
    expect(two.some((l) => l.msg === 'request' && l.status === 422)).toBe(true);
    // Nothing about these requests was logged without its id.
    expect(lines.filter((l) => JSON.stringify(l).includes(id) && l.reqId !== 'req-two' && l.reqId === undefined)).toEqual([]);
  });
});

async function scrape(): Promise<string> {
  const res = await request(app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text;
}
const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 'NaN');

describe('GET /metrics', () => {
  it('is off without METRICS_TOKEN, and needs the token when on', async () => {
    const off = await bootstrap({ env: { CONTENT_DIR: ROOT, DATA_DIR: dataDir, NODE_ENV: 'test' }, logger: createLogger({ level: 'silent' }) });
    try {
      expect((await request(createApp(off)).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`)).status).toBe(404);
    } finally {
      await off.store.close();
    }
    expect((await request(app).get('/metrics')).status).toBe(401);
    expect((await request(app).get('/metrics').set('Authorization', `Bearer ${'x'.repeat(30)}`)).status).toBe(401);
  });

  it('counts turns by outcome with their latency, store errors, rate-limit refusals and Slack events', async () => {
    const before = await scrape();
    const created = await request(app).post('/api/conversations').send({});
    const auth = { Authorization: `Bearer ${created.body.resumeToken}` };
    const id = created.body.conversationId as string;
    expect((await request(app).post(`/api/conversations/${id}/turns`).set(auth).send({ turnId: 'm1', choice: 'start' })).status).toBe(200);
    expect((await request(app).post(`/api/conversations/${id}/turns`).set(auth).send({ turnId: 'm1', choice: 'start' })).body.replayed).toBe(true);
    expect((await request(app).post(`/api/conversations/${id}/turns`).set(auth).send({ turnId: 'm1', text: 'other' })).status).toBe(409);
    for (let i = 0; i < 3; i++) await request(app).post('/api/resume').send({ code: 'ZZZZZ-ZZZZZ' });
    expect(await services.service.claimOnce('slack:event:T1:Ev1', 60_000)).toBe(true);
    expect(await services.service.claimOnce('slack:event:T1:Ev1', 60_000)).toBe(false);
    const damaged = (await request(app).post('/api/conversations').send({})).body;
    const files = await readdir(path.join(dataDir, 'conversations'), { recursive: true });
    await writeFile(path.join(dataDir, 'conversations', files.find((f) => f.endsWith(`${damaged.conversationId}.json`))!), 'not json');
    await request(app).post(`/api/conversations/${damaged.conversationId}/turns`).set('Authorization', `Bearer ${damaged.resumeToken}`).send({ turnId: 'd1', text: 'yes' });

    const after = await scrape();
    const delta = (series: string) => (value(after, series) || 0) - (value(before, series) || 0);
    expect(delta('govstage_turns_total{channel="web",outcome="ok"}')).toBe(1);
    expect(delta('govstage_turns_total{channel="web",outcome="replayed"}')).toBe(1);
    expect(delta('govstage_turns_total{channel="web",outcome="conflict"}')).toBe(1);
    expect(delta('govstage_turns_total{channel="web",outcome="unrestorable"}')).toBe(1);
    expect(delta('govstage_turn_duration_seconds_count{channel="web"}')).toBe(4);
    expect(after).toMatch(/^govstage_turn_duration_seconds_bucket\{le="0.05",channel="web"\} \d+$/m);
    expect(delta('govstage_rate_limited_total{route="resume"}')).toBe(1);
    expect(delta('govstage_slack_events_total{outcome="new"}')).toBe(1);
    expect(delta('govstage_slack_events_total{outcome="duplicate"}')).toBe(1);
    expect(delta('govstage_store_errors_total{store="lowdb",operation="get",kind="unrestorable"}')).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^govstage_process_resident_memory_bytes \d+/m);
  });
});
