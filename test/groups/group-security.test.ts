/**
 * The group-round API under bad input and in its logs: property-based
 * bodies, ids and tokens always get a clear 4xx JSON error, never a 5xx;
 * and a real server at LOG_LEVEL=debug never writes a coordinator token,
 * an invitation code or a report link's secret, whatever a client sends.
 */
import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/channels/web/app.js';
import { ERROR_KINDS } from '../../src/errors.js';
import { call } from '../reliability/http-client.js';
import { startChildServer, tempDir, testServices, type ChildServer } from '../helpers/server.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
let app: Express;
let round: { roundId: string; coordinatorToken: string; invitation: { code: string } };
beforeAll(async () => {
  services = await testServices({ RATE_LIMIT_PER_MINUTE: '1000000', START_RATE_LIMIT_PER_MINUTE: '1000000', RESUME_RATE_LIMIT_PER_MINUTE: '1000000' });
  app = createApp(services);
  round = (await request(app).post('/api/groups').send({ name: 'Fuzzed round' })).body;
});
const dirs: string[] = [];
let child: ChildServer | undefined;
afterAll(async () => {
  if (child && child.child.exitCode === null) child.child.kill('SIGKILL');
  await services.cleanup();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function expectClientError(res: request.Response, what: string): void {
  expect(res.status, `${what} → ${res.status} ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, what).toBeLessThan(500);
  expect(Object.keys(ERROR_KINDS), what).toContain((res.body as { error?: { code?: string } }).error?.code);
}

const odd = fc.oneof(fc.string(), fc.constantFrom('\u0000', '\ud800', '<script>', '../../etc/passwd', '%00', 'x'.repeat(5000)), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }));

describe('the group-round API with bad input', () => {
  it('answers malformed bodies to every writing route with a 4xx JSON error', async () => {
    const routes = ['/api/groups', '/api/groups/invitation', '/api/groups/join', `/api/groups/${round.roundId}/consensus`, `/api/groups/${round.roundId}/settings`];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.dictionary(fc.constantFrom('name', 'code', 'perspective', 'shareNotes', 'shareAnswers', 'characteristicId', 'standing', 'rationale', 'closesAt', 'perspectives', 'assessing', 'extra'), odd, { maxKeys: 6 }), async (route, body) => {
        const res = await request(app).post(route).set('Authorization', `Bearer ${round.coordinatorToken}`).send(body);
        // A valid create or lookup is fine; anything else must be a clear refusal.
        if (res.status === 201 || res.status === 200) return;
        expectClientError(res, `POST ${route} ${JSON.stringify(body).slice(0, 120)}`);
      }),
      { numRuns: 150 },
    );
  });

  it('answers odd round ids, characteristic ids and tokens with a 4xx, and unknown and wrong look the same', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ minLength: 1, maxLength: 80 }), fc.constantFrom('g_', 'g_../../x', 'g_%2e%2e', round.roundId.slice(0, -1), `${round.roundId}x`)), fc.string({ maxLength: 60 }), async (id, token) => {
        for (const [method, path] of [['get', `/api/groups/${encodeURIComponent(id)}`], ['get', `/api/groups/${encodeURIComponent(id)}/picture`], ['delete', `/api/groups/${round.roundId}/consensus/${encodeURIComponent(id)}`]] as const) {
          const res = await request(app)[method](path).set('Authorization', `Bearer ${token}`);
          expectClientError(res, `${method} ${path}`);
        }
      }),
      { numRuns: 60 },
    );
    const unknown = await request(app).get('/api/groups/g_AAAAAAAAAAAAAAAAAAAAAA').set('Authorization', `Bearer ${round.coordinatorToken}`);
    const wrong = await request(app).get(`/api/groups/${round.roundId}`).set('Authorization', `Bearer ${'Z'.repeat(43)}`);
    expect([unknown.status, unknown.body.error.message]).toEqual([wrong.status, wrong.body.error.message]);
  });
});

describe('group-round secrets and the logs', () => {
  it('a debug-level server never logs a coordinator token, an invitation code or a report link', { timeout: 60_000 }, async () => {
    const dataDir = await tempDir('govstage-group-logs-');
    dirs.push(dataDir);
    child = await startChildServer({ dataDir, env: { LOG_LEVEL: 'debug', RATE_LIMIT_PER_MINUTE: '10000', MIN_GROUP_SIZE: '1' } });
    const url = child.url;
    const secrets: string[] = [];
    const created = await call(url, 'POST', '/api/groups', { body: { name: 'Logged round', assessing: { name: 'x', unit: 'national' } } });
    expect(created.status).toBe(201);
    const { roundId, coordinatorToken } = created.body as { roundId: string; coordinatorToken: string };
    const code = created.body.invitation.code as string;
    secrets.push(coordinatorToken, code, code.replace('-', ''));
    expect((await call(url, 'GET', `/?join=${code}`)).status).toBe(200);
    expect((await call(url, 'POST', '/api/groups/invitation', { body: { code } })).status).toBe(200);
    const joined = await call(url, 'POST', '/api/groups/join', { body: { code, perspective: 'academia', shareNotes: true, shareAnswers: false, name: 'Someone' } });
    expect(joined.status).toBe(201);
    secrets.push(joined.body.resumeToken, joined.body.resumeCode);
    expect((await call(url, 'GET', `/api/groups/${roundId}/picture?key=${coordinatorToken}`, { token: coordinatorToken })).status).toBe(200);
    const link = await call(url, 'POST', `/api/groups/${roundId}/report-link`, { token: coordinatorToken });
    expect(link.status).toBe(201);
    secrets.push(String(link.body.path).split('/').at(-1) ?? '');
    expect((await call(url, 'GET', link.body.path)).status).toBe(200);
    const rotated = await call(url, 'POST', `/api/groups/${roundId}/coordinator-link`, { token: coordinatorToken });
    secrets.push(rotated.body.coordinatorToken);
    expect((await call(url, 'GET', `/api/groups/${roundId}`, { token: coordinatorToken })).status).toBe(401);
    const invitation = await call(url, 'POST', `/api/groups/${roundId}/invitation`, { token: rotated.body.coordinatorToken });
    secrets.push(invitation.body.invitation.code);
    expect(await child.stop()).toBe(0);
    const output = child.output();
    expect(output).toContain('"path":"/api/groups"');
    for (const secret of secrets) expect(output, `a secret (${secret.slice(0, 4)}…) reached the log`).not.toContain(secret);
  });
});
