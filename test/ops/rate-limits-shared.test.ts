/**
 * Rate limits for a service of several instances: with STORE=postgres two
 * real server processes on one database count against one limit (so N
 * instances do not allow N times the resume-code guesses); and clients are
 * counted per IPv4 address and per IPv6 /64.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressKey } from '../../src/channels/web/client-key.js';
import { createApp } from '../../src/channels/web/app.js';
import { RATE_LIMIT_TABLE } from '../../src/service/postgres-rate-limit-store.js';
import { startChildServer, testServices, type ChildServer } from '../helpers/server.js';
import { call } from '../reliability/http-client.js';
import { openTestDatabase, type TestDatabase, type TestSchema } from '../store/postgres-test-db.js';

describe('the client key', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['::FFFF:cb00:7109', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff::1', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002::', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s counts as %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });

  it('one IPv6 /64 shares one limit; another /64 and IPv4 clients have their own', async () => {
    const services = await testServices({ TRUST_PROXY: 'loopback', RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const app = createApp(services);
      const from = (ip: string) => request(app).post('/api/conversations').set('X-Forwarded-For', ip).send({});
      const statuses = [];
      for (const ip of ['2001:db8:a:b::1', '2001:db8:a:b::2', '2001:db8:a:b:ffff:ffff:ffff:ffff', '2001:db8:a:b:1234::9']) statuses.push((await from(ip)).status);
      expect(statuses).toEqual([201, 201, 201, 429]);
      expect((await from('2001:db8:a:c::1')).status).toBe(201);
      expect((await from('198.51.100.1')).status).toBe(201);
      expect((await from('198.51.100.2')).status).toBe(201);
    } finally {
      await services.cleanup();
    }
  });
});

describe('two instances on one PostgreSQL database', () => {
  const RESUME_LIMIT = 4;
  let db: TestDatabase;
  let schema: TestSchema;
  const servers: ChildServer[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    db = await openTestDatabase();
    schema = await db.freshSchema();
    const start = async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'govstage-shared-limits-'));
      dirs.push(dataDir);
      const server = await startChildServer({ dataDir, env: { STORE: 'postgres', DATABASE_URL: schema.url, RATE_LIMIT_PER_MINUTE: '1000', RESUME_RATE_LIMIT_PER_MINUTE: String(RESUME_LIMIT) } });
      servers.push(server);
      return server;
    };
    await Promise.all([start(), start()]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await schema?.drop();
    await db?.close();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('share one resume-attempt limit: guesses spread over both instances stop at the limit on both', { timeout: 60_000 }, async () => {
    const [a, b] = servers as [ChildServer, ChildServer];
    // Fixed one-minute windows: do not start right before one ends.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 200));
    const guess = (server: ChildServer, i: number) => call(server.url, 'POST', '/api/resume', { body: { code: `ZZZZ${i}-ZZZZZ` } });
    const statuses: number[] = [];
    for (let i = 0; i < RESUME_LIMIT; i++) statuses.push((await guess(i % 2 === 0 ? a : b, i)).status);
    // Each instance alone has seen only half the limit; together they have used all of it.
    expect(statuses.every((s) => s === 404 || s === 400)).toBe(true);
    const refusedA = await guess(a, 8);
    const refusedB = await guess(b, 9);
    expect(refusedA.status).toBe(429);
    expect(refusedB.status).toBe(429);
    expect(Number(refusedB.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The counts are rows of the shared table.
    const client = await db.client(schema.schema);
    try {
      const rows = (await client.query<{ key: string; hits: number }>(`SELECT key, hits FROM ${RATE_LIMIT_TABLE} WHERE key LIKE 'resume:%'`)).rows;
      expect(rows).toEqual([{ key: 'resume:127.0.0.1', hits: RESUME_LIMIT + 2 }]);
    } finally {
      await client.end();
    }
  });

  it('keep serving turns with the shared limits (the per-client, starts and per-conversation limits go through the database too)', async () => {
    const [a, b] = servers as [ChildServer, ChildServer];
    const created = await call(a.url, 'POST', '/api/conversations', { body: {} });
    expect(created.status).toBe(201);
    const turn = await call(b.url, 'POST', `/api/conversations/${created.body.conversationId}/turns`, { token: created.body.resumeToken, body: { turnId: 's', choice: 'start' } });
    expect(turn.status).toBe(200);
    const client = await db.client(schema.schema);
    try {
      const keys = (await client.query<{ key: string }>(`SELECT key FROM ${RATE_LIMIT_TABLE} ORDER BY key`)).rows.map((r) => r.key.split(':')[0]);
      expect(new Set(keys)).toEqual(new Set(['client', 'conversation', 'resume', 'starts']));
    } finally {
      await client.end();
    }
  });
});
