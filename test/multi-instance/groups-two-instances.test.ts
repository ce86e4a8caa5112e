/**
 * A group round served by two real server processes on one PostgreSQL
 * database, as behind a load balancer: a round created on one is joined and
 * answered on the other, both release the same picture once (never a
 * respondent twice, whichever instance reads first, even at the same
 * moment), consensus written on both at once is all kept, and a rotated
 * coordinator link stops working on every instance.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_PROFILES } from '../helpers/groups.js';
import { startChildServer, type ChildServer } from '../helpers/server.js';
import { openTestDatabase, type TestDatabase, type TestSchema } from '../store/postgres-test-db.js';

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the API, checked field by field
}

async function call(base: string, method: 'GET' | 'POST' | 'DELETE', path: string, options: { token?: string; body?: unknown } = {}): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

let db: TestDatabase;
let schema: TestSchema;
const dirs: string[] = [];
const servers: ChildServer[] = [];
let a: ChildServer;
let b: ChildServer;

async function instance(): Promise<ChildServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'govstage-groups-'));
  dirs.push(dataDir);
  const server = await startChildServer({ dataDir, env: { STORE: 'postgres', DATABASE_URL: schema.url, MIN_GROUP_SIZE: '3', RATE_LIMIT_PER_MINUTE: '1000000', RESUME_RATE_LIMIT_PER_MINUTE: '100000', START_RATE_LIMIT_PER_MINUTE: '100000' } });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  db = await openTestDatabase();
  schema = await db.freshSchema();
  [a, b] = await Promise.all([instance(), instance()]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await schema?.drop();
  await db?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

let turns = 0;
/** Joins on one instance and answers alternately on both. */
async function respondent(code: string, perspective: string, replies: readonly string[]): Promise<void> {
  const joined = await call(b.url, 'POST', '/api/groups/join', { body: { code, perspective, shareNotes: false, shareAnswers: false } });
  expect(joined.status, JSON.stringify(joined.body)).toBe(201);
  const { conversationId, resumeToken } = joined.body as { conversationId: string; resumeToken: string };
  for (const [i, text] of ['start', ...replies, 'see my result'].entries()) {
    const res = await call(i % 2 === 0 ? a.url : b.url, 'POST', `/api/conversations/${conversationId}/turns`, { token: resumeToken, body: { turnId: `mi-${++turns}`, text } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

describe('a group round on two instances', () => {
  it('is created on one, joined and answered on the other, and both release the same picture exactly once', async () => {
    const created = await call(a.url, 'POST', '/api/groups', { body: { name: 'Two instances', assessing: { name: 'Ministry of Justice', unit: 'ministry' }, perspectives: [{ label: 'Central government units' }, { label: 'Civil society' }] } });
    expect(created.status).toBe(201);
    const { roundId, coordinatorToken, invitation } = created.body as { roundId: string; coordinatorToken: string; invitation: { code: string } };
    expect((await call(b.url, 'GET', `/api/groups/${roundId}`, { token: coordinatorToken })).body.invitation.code).toBe(invitation.code);

    for (const profile of [MEMBER_PROFILES.early, MEMBER_PROFILES.early, MEMBER_PROFILES.intermediate]) await respondent(invitation.code, 'central-government-units', profile);
    for (const profile of [MEMBER_PROFILES.advanced, MEMBER_PROFILES.advanced, MEMBER_PROFILES.intermediate]) await respondent(invitation.code, 'civil-society', profile);

    // Both read the picture at the same moment, several times: the blocks are released once between them.
    const reads = await Promise.all(Array.from({ length: 6 }, (_, i) => call(i % 2 === 0 ? a.url : b.url, 'GET', `/api/groups/${roundId}/picture`, { token: coordinatorToken })));
    for (const r of reads) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const shown = reads.map((r) => JSON.stringify({ groups: r.body.groups, characteristics: r.body.characteristics }));
    expect(new Set(shown).size).toBe(1);
    expect(reads[0]?.body.groups.map((g: { groupId: string; respondents: number }) => [g.groupId, g.respondents])).toEqual([['all', 6], ['central-government-units', 3], ['civil-society', 3]]);
    const client = await db.client(schema.schema);
    try {
      const rows = await client.query<{ record: { blocks: { members: string[] }[] } }>('SELECT record FROM group_rounds WHERE id = $1', [roundId]);
      const members = rows.rows[0]?.record.blocks.flatMap((block) => block.members) ?? [];
      expect(members).toHaveLength(6);
      expect(new Set(members).size).toBe(6);
      const indexed = await client.query<{ n: string }>('SELECT count(*) AS n FROM conversations WHERE group_round_id = $1', [roundId]);
      expect(Number(indexed.rows[0]?.n)).toBe(6);
    } finally {
      await client.end();
    }

    // Consensus written on both instances at once: every answer is kept.
    const ids = ['early-top-down', 'early-ict-own-logic', 'intermediate-ict-engagement-channel', 'intermediate-citizen-preferences'];
    const writes = await Promise.all(ids.map((characteristicId, i) => call(i % 2 === 0 ? a.url : b.url, 'POST', `/api/groups/${roundId}/consensus`, { token: coordinatorToken, body: { characteristicId, standing: 'met', rationale: `agreed on instance ${i % 2 === 0 ? 'A' : 'B'}` } })));
    for (const w of writes) expect(w.status, JSON.stringify(w.body)).toBe(200);
    const after = await call(b.url, 'GET', `/api/groups/${roundId}/picture`, { token: coordinatorToken });
    expect(after.body.result.consensusCount).toBe(4);

    // A link rotated on one instance stops working on the other.
    const rotated = await call(b.url, 'POST', `/api/groups/${roundId}/coordinator-link`, { token: coordinatorToken });
    expect(rotated.status).toBe(200);
    expect((await call(a.url, 'GET', `/api/groups/${roundId}`, { token: coordinatorToken })).status).toBe(401);
    expect((await call(a.url, 'GET', `/api/groups/${roundId}`, { token: rotated.body.coordinatorToken })).status).toBe(200);
  });
});
