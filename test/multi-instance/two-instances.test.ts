/**
 * Two (and, for the crash test, three) real server processes sharing one
 * PostgreSQL database, as behind a load balancer: any instance can take any
 * turn of any conversation, and nothing acknowledged is ever lost.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { startChildServer, type ChildServer } from '../helpers/server.js';
import { openTestDatabase, type TestDatabase, type TestSchema } from '../store/postgres-test-db.js';

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the API, checked field by field
}

interface Started {
  conversationId: string;
  resumeToken: string;
  resumeCode: string;
  messages: { kind: string }[];
}

async function call(base: string, method: 'GET' | 'POST', path: string, options: { token?: string; body?: unknown } = {}): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function startConversation(base: string): Promise<Started> {
  const res = await call(base, 'POST', '/api/conversations', { body: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Started;
}

let turnCounter = 0;
const newTurnId = () => `t-${process.pid}-${++turnCounter}`;

function turn(base: string, id: string, token: string, input: { choice: string } | { text: string }, turnId = newTurnId()): Promise<Reply> {
  return call(base, 'POST', `/api/conversations/${id}/turns`, { token, body: { turnId, ...input } });
}

function view(base: string, id: string, token: string): Promise<Reply> {
  return call(base, 'GET', `/api/conversations/${id}`, { token });
}

type Question = { kind: 'question'; questionId: string; choices: { id: string; label: string }[] };
function questionOf(reply: Reply): Question | undefined {
  return (reply.body?.messages as { kind: string }[] | undefined)?.find((m): m is Question => m.kind === 'question');
}

const userTexts = (transcript: { from: string; text?: string }[]) => transcript.filter((e) => e.from === 'user').map((e) => e.text ?? '');

let db: TestDatabase;
let schema: TestSchema;
const dataDirs: string[] = [];
const servers: ChildServer[] = [];
let a: ChildServer;
let b: ChildServer;

async function startInstance(): Promise<ChildServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'govstage-multi-'));
  dataDirs.push(dataDir);
  const server = await startChildServer({
    dataDir,
    env: {
      STORE: 'postgres',
      DATABASE_URL: schema.url,
      // One test client sends everything from 127.0.0.1: the per-address limits would stop the load.
      RATE_LIMIT_PER_MINUTE: '1000000',
      RESUME_RATE_LIMIT_PER_MINUTE: '1000',
    },
  });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  db = await openTestDatabase();
  schema = await db.freshSchema();
  // Both at once on an empty schema: their migrations must take turns, not collide.
  [a, b] = await Promise.all([startInstance(), startInstance()]);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await schema?.drop();
  await db?.close();
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('two instances on one PostgreSQL database', () => {
  it('both report ready with the postgres store, migrated once between them, and wrote nothing to their data folders', async () => {
    for (const server of [a, b]) {
      const ready = await call(server.url, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', store: 'postgres' });
    }
    // They started at the same time on an empty schema: each migration step ran exactly once.
    const client = await db.client(schema.schema);
    try {
      const rows = (await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows;
      expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((step) => step.version));
    } finally {
      await client.end();
    }
    // Nothing went to the lowdb folder.
    for (const server of [a, b]) expect(await readdir(server.dataDir)).toEqual([]);
  });

  it('continues on one instance a conversation started on the other', async () => {
    const started = await startConversation(a.url);
    const id = started.conversationId;
    const token = started.resumeToken;
    const first = await turn(b.url, id, token, { choice: 'start' });
    expect(first.status).toBe(200);
    const q1 = questionOf(first);
    expect(q1).toBeDefined();
    const second = await turn(a.url, id, token, { choice: q1!.choices[0]!.id });
    expect(second.status).toBe(200);
    expect(second.body.revision).toBe(2);
    const q2 = questionOf(second);
    expect(q2?.questionId).not.toBe(q1?.questionId);

    const seenFromB = await view(b.url, id, token);
    expect(seenFromB.status).toBe(200);
    expect(seenFromB.body.revision).toBe(2);
    expect(seenFromB.body.current[0]).toMatchObject({ kind: 'question', questionId: q2?.questionId });
    expect(userTexts(seenFromB.body.transcript)).toEqual([expect.any(String), q1!.choices[0]!.label]);
  });

  it('loses nothing when 20 conversations are answered at once, alternating instances every turn', async () => {
    const instances = [a, b];
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, c) => {
        const started = await startConversation(instances[c % 2]!.url);
        const { conversationId: id, resumeToken: token } = started;
        const chosen = new Map<string, string>();
        let turns = 0;
        let reply = await turn(instances[++turns % 2]!.url, id, token, { choice: 'start' });
        expect(reply.status, JSON.stringify(reply.body)).toBe(200);
        for (let question = questionOf(reply); question; question = questionOf(reply)) {
          // Real answers only ("not sure" is not counted as answered in the review).
          const options = question.choices.filter((choice) => !choice.id.endsWith(':unsure'));
          const choice = options[(c + turns) % options.length]!;
          chosen.set(question.questionId, choice.label);
          reply = await turn(instances[++turns % 2]!.url, id, token, { choice: choice.id });
          expect(reply.status, JSON.stringify(reply.body)).toBe(200);
          expect(reply.body.revision).toBe(turns);
        }
        return { id, token, chosen, turns };
      }),
    );

    for (const { id, token, chosen, turns } of results) {
      const stored = await view(a.url, id, token);
      expect(stored.status).toBe(200);
      expect(stored.body.revision).toBe(turns);
      expect(userTexts(stored.body.transcript)).toHaveLength(turns);
      const review = (stored.body.current as { kind: string; items?: { questionId: string; answer: string; answered: boolean }[] }[]).find((m) => m.kind === 'review');
      expect(review, 'every conversation reached the review').toBeDefined();
      const answered = review!.items!.filter((item) => item.answered);
      expect(answered).toHaveLength(chosen.size);
      expect(chosen.size).toBe(turns - 1);
      for (const item of answered) expect(item.answer).toBe(chosen.get(item.questionId));
    }
  }, 120_000);

  it('advances once when the same turn id reaches both instances at the same moment', async () => {
    const { conversationId: id, resumeToken: token } = await startConversation(a.url);
    let reply = await turn(a.url, id, token, { choice: 'start' });
    let expectedRevision = 1;
    for (let round = 0; round < 8; round += 1) {
      const question = questionOf(reply);
      expect(question).toBeDefined();
      const turnId = newTurnId();
      const input = { choice: question!.choices[round % question!.choices.length]!.id };
      const [fromA, fromB] = await Promise.all([turn(a.url, id, token, input, turnId), turn(b.url, id, token, input, turnId)]);
      expect([fromA.status, fromB.status], JSON.stringify([fromA.body, fromB.body])).toEqual([200, 200]);
      expectedRevision += 1;
      expect(fromA.body.revision).toBe(expectedRevision);
      expect(fromB.body.revision).toBe(expectedRevision);
      expect(fromA.body.messages).toEqual(fromB.body.messages);
      expect([fromA.body.replayed, fromB.body.replayed].sort()).toEqual([false, true]);
      reply = fromA;
    }
    const stored = await view(b.url, id, token);
    expect(stored.body.revision).toBe(expectedRevision);
    expect(userTexts(stored.body.transcript)).toHaveLength(expectedRevision);
  });

  it('applies every one of 20 different turns of one conversation racing on both instances (sent without a revision: a lost race is retried)', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { conversationId: id, resumeToken: token } = await startConversation(a.url);
      const sent = Array.from({ length: 20 }, (_, i) => `racing words ${'abcdefghijklmnopqrst'[i]} ${'xyz'[round]}`);
      const replies = await Promise.all(sent.map((text, i) => turn(i % 2 === 0 ? a.url : b.url, id, token, { text })));
      expect(replies.map((r) => r.status), JSON.stringify(replies.filter((r) => r.status !== 200).map((r) => r.body))).toEqual(sent.map(() => 200));
      const stored = await view(b.url, id, token);
      expect(stored.body.revision).toBe(sent.length);
      expect(userTexts(stored.body.transcript).sort()).toEqual([...sent].sort());
      // Each reply names the revision it wrote: all distinct.
      expect(new Set(replies.map((r) => r.body.revision as number)).size).toBe(sent.length);
    }
  }, 60_000);

  it('refuses turns that name a revision the other instance moved past with 409, a public message and where it stands', async () => {
    const { conversationId: id, resumeToken: token } = await startConversation(a.url);
    const first = await turn(a.url, id, token, { choice: 'start' });
    const revision = first.body.revision as number;
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(i % 2 === 0 ? a.url : b.url, 'POST', `/api/conversations/${id}/turns`, { token, body: { turnId: newTurnId(), text: `note named revision ${i}`, revision } })),
    );
    const applied = replies.filter((r) => r.status === 200);
    const refused = replies.filter((r) => r.status === 409);
    expect(applied).toHaveLength(1);
    expect(refused).toHaveLength(9);
    for (const reply of refused) {
      expect(reply.body.error.code).toBe('CONFLICT');
      expect(reply.body.error.message).toMatch(/moved on/);
      expect(reply.body.error.message).not.toMatch(/revision \d|meanwhile/);
      expect(reply.body.revision).toBe(revision + 1);
      expect(reply.body.messages.some((m: { kind: string }) => m.kind === 'question')).toBe(true);
    }
  });

  it('issues resume codes and resumes while turns race on both instances: never a 409, never internal wording', async () => {
    const started = await startConversation(a.url);
    const id = started.conversationId;
    const token = started.resumeToken;
    await turn(a.url, id, token, { choice: 'start' });
    const work = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => turn(i % 2 === 0 ? a.url : b.url, id, token, { text: `note busy ${i}` })),
      ...Array.from({ length: 6 }, (_, i) => call(i % 2 === 0 ? b.url : a.url, 'POST', `/api/conversations/${id}/resume-code`, { token })),
    ]);
    expect(work.map((r) => r.status), JSON.stringify(work.filter((r) => r.status !== 200).map((r) => r.body))).toEqual(work.map(() => 200));
    const codes = work.slice(10).map((r) => r.body.code as string);
    // Exactly one of the codes is the current one (the last written); the race decided which.
    const current = await Promise.all(codes.map((code) => call(b.url, 'POST', '/api/resume', { body: { code } })));
    // Redeeming one while turns keep coming on the other instance: it is retried, not refused.
    const winner = current.find((r) => r.status === 200);
    expect(winner, JSON.stringify(current.map((r) => [r.status, r.body]))).toBeDefined();
    expect(current.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of current) expect([200, 404]).toContain(r.status);
    const newToken = winner!.body.resumeToken as string;
    const issued = await call(a.url, 'POST', `/api/conversations/${id}/resume-code`, { token: newToken });
    const racing = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => turn(i % 2 === 0 ? a.url : b.url, id, newToken, { text: `note while resuming ${i}` })),
      call(b.url, 'POST', '/api/resume', { body: { code: issued.body.code } }),
    ]);
    const resumed = racing.at(-1)!;
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    // A turn that lands after the resume meets the new token: 401, as for any device the code moved away from.
    for (const r of racing.slice(0, -1)) expect([200, 401]).toContain(r.status);
    for (const r of [...work, ...current, ...racing]) expect(JSON.stringify(r.body)).not.toMatch(/at revision|meanwhile/);
  }, 60_000);

  it('opens exactly one new assessment when its turn reaches both instances, again and again and against other turns', async () => {
    const { conversationId: id, resumeToken: token } = await startConversation(a.url);
    let reply = await turn(a.url, id, token, { choice: 'start' });
    for (let question = questionOf(reply); question; question = questionOf(reply)) reply = await turn(b.url, id, token, { choice: question.choices[2]!.id });
    reply = await turn(a.url, id, token, { choice: 'cmd:seeResult' });
    expect(reply.body.status).toBe('finished');
    const turnId = newTurnId();
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? turn(i % 2 === 0 ? a.url : b.url, id, token, { text: 'help' }) : turn(i % 2 === 0 ? a.url : b.url, id, token, { choice: 'cmd:newAssessment' }, turnId))),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    const opened = replies.filter((r) => r.body.switchTo !== undefined);
    expect(opened).toHaveLength(8);
    for (const r of opened) expect(r.body.switchTo).toEqual(opened[0]!.body.switchTo);
    const switchTo = opened[0]!.body.switchTo as Started;
    const client = await db.client(schema.schema);
    try {
      const rows = (await client.query(`SELECT id FROM conversations WHERE record->>'previousId' = $1`, [id])).rows;
      expect(rows.map((row) => row.id)).toEqual([switchTo.conversationId]);
    } finally {
      await client.end();
    }
    for (const server of [a, b]) expect((await view(server.url, switchTo.conversationId, switchTo.resumeToken)).status).toBe(200);
    expect((await turn(b.url, switchTo.conversationId, switchTo.resumeToken, { choice: 'start' })).status).toBe(200);
  }, 60_000);

  it('accepts resume codes whichever instance issued them or is asked', async () => {
    const started = await startConversation(a.url);
    const id = started.conversationId;
    await turn(a.url, id, started.resumeToken, { choice: 'start' });

    // The code from the start, redeemed on the other instance: a new token, the old one stops working on both.
    const resumed = await call(b.url, 'POST', '/api/resume', { body: { code: started.resumeCode } });
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    expect(resumed.body.conversationId).toBe(id);
    const token = resumed.body.resumeToken as string;
    for (const server of [a, b]) expect((await view(server.url, id, started.resumeToken)).status).toBe(401);
    expect((await view(a.url, id, token)).status).toBe(200);

    // A fresh code issued on A, redeemed on B; the first code no longer works anywhere.
    const issued = await call(a.url, 'POST', `/api/conversations/${id}/resume-code`, { token });
    expect(issued.status).toBe(200);
    for (const server of [a, b]) expect((await call(server.url, 'POST', '/api/resume', { body: { code: started.resumeCode } })).status).toBe(404);
    const again = await call(b.url, 'POST', '/api/resume', { body: { code: issued.body.code } });
    expect(again.status).toBe(200);
    const answered = await turn(a.url, id, again.body.resumeToken, { text: 'yes' });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
  });

  it('loses no acknowledged turn when an instance is killed (SIGKILL) in the middle of the load', async () => {
    const victim = await startInstance();
    const survivor = b;
    const CONVERSATIONS = 8;
    const TURNS = 30;
    let acknowledgedByVictim = 0;
    let killed = false;
    let kill: () => void = () => {};
    const killedNow = new Promise<void>((resolve) => {
      kill = () => {
        if (killed) return;
        killed = true;
        victim.child.kill('SIGKILL');
        resolve();
      };
    });

    const runs = await Promise.all(
      Array.from({ length: CONVERSATIONS }, async (_, c) => {
        const { conversationId: id, resumeToken: token } = await startConversation(survivor.url);
        const sent: string[] = [];
        const acknowledged = new Set<string>();
        const unknown = new Set<string>();
        for (let n = 0; n < TURNS; n += 1) {
          // Letters only, so no text can be read as a question number.
          const text = `loadtest ${'abcdefgh'[c]} ${String.fromCharCode(97 + Math.floor(n / 26))}${String.fromCharCode(97 + (n % 26))}`;
          sent.push(text);
          const target = n % 2 === 0 && !killed ? victim : survivor;
          let reply: Reply;
          try {
            reply = await turn(target.url, id, token, { text });
          } catch {
            // The victim died with this request in flight: it may or may not have been stored.
            expect(target).toBe(victim);
            unknown.add(text);
            continue;
          }
          expect(reply.status, JSON.stringify(reply.body)).toBe(200);
          acknowledged.add(text);
          if (target === victim && ++acknowledgedByVictim >= 40) kill();
        }
        return { id, token, sent, acknowledged, unknown };
      }),
    );
    await killedNow;
    expect(killed).toBe(true);
    expect(victim.child.signalCode).toBe('SIGKILL');

    for (const { id, token, sent, acknowledged, unknown } of runs) {
      const stored = await view(survivor.url, id, token);
      expect(stored.status).toBe(200);
      const texts = userTexts(stored.body.transcript);
      // Every acknowledged turn is there; anything else there is a turn the victim took but could not answer.
      for (const text of acknowledged) expect(texts).toContain(text);
      for (const text of texts) expect(acknowledged.has(text) || unknown.has(text), text).toBe(true);
      // In the order they were sent, each once, and the revision counts exactly them.
      expect(texts).toEqual(sent.filter((text) => texts.includes(text)));
      expect(stored.body.revision).toBe(texts.length);
    }
    // The survivor carries on serving after the crash.
    expect((await call(survivor.url, 'GET', '/readyz')).body).toEqual({ status: 'ready', store: 'postgres' });
  }, 120_000);
});
