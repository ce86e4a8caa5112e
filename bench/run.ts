/**
 * `npm run bench`: how close Govstage runs to this machine's limits. Starts
 * and stops its own server processes; prints a table, then one JSON line.
 * Figures are only comparable within one run (the machine is shared).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { bootstrap } from '../src/bootstrap.js';
import { createLogger } from '../src/log.js';
import { hashToken, newConversationId, newToken } from '../src/service/secrets.js';
import type { ConversationRecord } from '../src/store/types.js';
import { startChildServer, tempDir, ROOT, type ChildServer } from '../test/helpers/server.js';
import { measureDurableWrites } from './durable-writes.js';
import { buildWidget } from '../scripts/build-widget.js';
import { signSlackRequest } from '../src/channels/slack/signature.js';
import { FakeSlack } from '../test/slack/fake-slack.js';
import { openTestDatabase } from '../test/store/postgres-test-db.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SECONDS = QUICK ? 3 : 8;
const STORED_LARGE = Number(process.env.BENCH_STORED ?? (QUICK ? 10_000 : 100_000));
const SERVER_ENV = { RATE_LIMIT_PER_MINUTE: '1000000000', START_RATE_LIMIT_PER_MINUTE: '1000000000', CONVERSATION_RATE_LIMIT_PER_MINUTE: '1000000000', RESUME_RATE_LIMIT_PER_MINUTE: '1000000000', LOG_LEVEL: 'info', NODE_ENV: 'production' };
// The unit, then 14 answers with no contradiction to settle, then the result.
const REPLIES = ['start', '1', 'no', 'yes', 'partly', 'yes', 'no', 'no', 'partly', 'no', 'yes', 'no', 'yes', 'partly', 'no', 'no', 'see my result'];

const log = (line: string) => process.stderr.write(`${line}\n`);

async function echoCeiling(connections: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/echo-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      const m = /listening on (\S+)/.exec(c.toString());
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`echo server exited ${code}`)));
  });
  const result = await autocannon({ url: `${url}/echo`, method: 'POST', connections, duration: SECONDS, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ turnId: randomUUID(), text: 'yes' }) });
  child.kill('SIGTERM');
  return result.requests.average;
}

interface TurnLoad {
  turnsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** Each connection runs whole conversations: create, then 12 turns, then again. */
async function turnLoad(url: string, connections: number, seconds = SECONDS): Promise<TurnLoad> {
  let turns = 0;
  const json = { 'content-type': 'application/json' };
  type Ctx = { id?: string; token?: string };
  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      path: '/api/conversations',
      headers: json,
      body: '{}',
      onResponse: (_status: number, body: string, context: Ctx) => {
        const started = JSON.parse(body) as { conversationId: string; resumeToken: string };
        context.id = started.conversationId;
        context.token = started.resumeToken;
      },
    } as autocannon.Request,
    ...REPLIES.map(
      (text) =>
        ({
          method: 'POST',
          setupRequest: (request: autocannon.Request, context: Ctx) => ({
            ...request,
            path: `/api/conversations/${context.id}/turns`,
            headers: { ...json, authorization: `Bearer ${context.token}` },
            body: JSON.stringify({ turnId: randomUUID(), text }),
          }),
          onResponse: (status: number) => {
            if (status === 200) turns++;
          },
        }) as autocannon.Request,
    ),
  ];
  const result = await autocannon({ url, connections, duration: seconds, requests, timeout: 30 });
  return { turnsPerSec: turns / seconds, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
}

/** Fills a data folder with `count` stored conversations, written directly (setup, not measured). */
async function populate(dataDir: string, count: number): Promise<void> {
  const services = await bootstrap({ env: { CONTENT_DIR: ROOT, DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, logger: createLogger({ level: 'silent' }) });
  const started = await services.service.start({ channel: 'web' });
  const template = (await services.store.get(started.conversationId)) as ConversationRecord;
  await services.store.close();
  const dir = path.join(dataDir, 'conversations');
  await mkdir(dir, { recursive: true });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const id = newConversationId();
      const record: ConversationRecord = { ...template, id, tokenHash: hashToken(newToken()), resumeCode: null };
      await writeFile(path.join(dir, `${id}.json`), JSON.stringify(record));
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

/** p99 time for the server to acknowledge `count` signed Slack events sent at once (the work runs after the ack). */
async function slackAckP99(count: number): Promise<number> {
  const fake = await FakeSlack.start();
  const secret = 'bench-signing-secret';
  const server = await startChildServer({ env: { ...SERVER_ENV, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: secret, SLACK_API_URL: fake.apiUrl } });
  try {
    const send = async (i: number) => {
      const ts = `${Math.floor(Date.now() / 1000)}.${String(i).padStart(6, '0')}`;
      const body = JSON.stringify({
        team_id: 'TBENCH', api_app_id: 'A1', type: 'event_callback', event_id: `EvBench${i}`, event_time: Math.floor(Date.now() / 1000),
        event: { type: 'message', channel: `DU${i}`, channel_type: 'im', user: `U${i}`, text: 'start', ts, event_ts: ts, client_msg_id: `bench-${i}` },
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const started = performance.now();
      const response = await fetch(`${server.url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signSlackRequest(secret, timestamp, body) },
        body,
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`Slack event answered ${response.status}`);
      return performance.now() - started;
    };
    const times = (await Promise.all(Array.from({ length: count }, (_, i) => send(i)))).sort((a, b) => a - b);
    return Math.round(times[Math.min(times.length - 1, Math.ceil(times.length * 0.99) - 1)] ?? 0);
  } finally {
    await server.stop();
    await rm(server.dataDir, { recursive: true, force: true });
    await fake.close();
  }
}

/** The 100-conversation turn test against a server with STORE=postgres on a fresh schema. */
async function postgresTurns(): Promise<TurnLoad> {
  const db = await openTestDatabase();
  const schema = await db.freshSchema();
  try {
    const server = await startChildServer({ env: { ...SERVER_ENV, STORE: 'postgres', DATABASE_URL: schema.url } });
    try {
      return await turnLoad(server.url, 100);
    } finally {
      await server.stop();
      await rm(server.dataDir, { recursive: true, force: true });
    }
  } finally {
    await schema.drop();
    await db.close();
  }
}

async function meanFileBytes(dir: string): Promise<number> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  let total = 0;
  for (const name of names) total += (await stat(path.join(dir, name))).size;
  return names.length === 0 ? 4096 : Math.round(total / names.length);
}

async function rssMb(server: ChildServer): Promise<number> {
  const status = await readFile(`/proc/${server.child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

async function main() {
  const t0 = Date.now();
  log(`Govstage benchmark (${QUICK ? 'quick' : 'full'}): ${SECONDS}s per load step, ${STORED_LARGE} stored conversations for the storage step`);

  log('widget: build and measure');
  const widget = await buildWidget();
  log('slack: 200 signed events at once');
  const slackAckP99Ms = await slackAckP99(200);

  log('1/6 ceiling: bare express JSON echo, 100 connections');
  const ceilingExpressRps = await echoCeiling(100);

  // This machine's disk swings by a factor of two or three within minutes: the durable-write ceiling is
  // measured right before and right after the turn test, with the same file size, and averaged.
  const writesDir = path.join(tmpdir(), `govstage-bench-writes-${process.pid}`);
  const ceilingWrites = (bytes: number) => measureDurableWrites({ dir: writesDir, concurrency: 100, seconds: SECONDS, bytes });
  const small = await startChildServer({ env: SERVER_ENV });
  await populate(small.dataDir, 100).catch(async (e: unknown) => { await small.stop(); throw e; });
  log('2/6 ceiling before: durable writes, conversation-sized files, 100 at once');
  await turnLoad(small.url, 100, 2); // warm-up, so the files below have a real conversation's size
  const fileBytesBefore = await meanFileBytes(path.join(small.dataDir, 'conversations'));
  const ceilingBefore = await ceilingWrites(fileBytesBefore);
  log('2/6 turns over HTTP, default durable store, 100 concurrent conversations');
  const at100 = await turnLoad(small.url, 100);
  log('3/6 turn latency with 100 stored conversations, 10 at once');
  const latencySmall = await turnLoad(small.url, 10);
  await small.stop();
  const fileBytes = await meanFileBytes(path.join(small.dataDir, 'conversations'));
  await rm(small.dataDir, { recursive: true, force: true });

  log(`4/6 ceiling after: durable writes of ${fileBytes} bytes (the mean conversation file written): temp file, fsync, rename, fsync folder; 100 at once`);
  const ceilingAfter = await ceilingWrites(fileBytes);
  const ceilingDurableWritesPerSec = (ceilingBefore + ceilingAfter) / 2;

  log(`5/6 storing ${STORED_LARGE} conversations, then the same latency test`);
  const largeDir = await tempDir('govstage-bench-');
  await populate(largeDir, STORED_LARGE);
  const large = await startChildServer({ env: SERVER_ENV, dataDir: largeDir });
  const latencyLarge = await turnLoad(large.url, 10);
  log('6/6 1000 concurrent conversations on the large store');
  const at1000 = await turnLoad(large.url, 1000);
  const rss = await rssMb(large);
  await large.stop();
  await rm(largeDir, { recursive: true, force: true });

  log('postgres: the same turn test with STORE=postgres (a throw-away database on the local server, or TEST_DATABASE_URL)');
  const pgAt100 = await postgresTurns().catch((error: unknown) => {
    log(`postgres: skipped (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    return undefined;
  });

  const figures = {
    ceilingExpressRps: Math.round(ceilingExpressRps),
    ceilingDurableWritesPerSec: Math.round(ceilingDurableWritesPerSec),
    turnsPerSec: Math.round(at100.turnsPerSec),
    ratioToCeiling: Math.round((at100.turnsPerSec / Math.min(ceilingExpressRps, ceilingDurableWritesPerSec)) * 100) / 100,
    p50Ms100: at100.p50,
    p99Ms100: at100.p99,
    p99Ms1000: at1000.p99,
    storageLatencyRatio: Math.round((latencyLarge.p50 / Math.max(latencySmall.p50, 0.01)) * 100) / 100,
    rssMbAt100k: rss,
    widgetGzipBytes: widget.gzipBytes,
    slackAckP99Ms,
    postgres: pgAt100 ? { turnsPerSec: Math.round(pgAt100.turnsPerSec), p50Ms100: pgAt100.p50, p99Ms100: pgAt100.p99 } : null,
  };
  const errors = at100.errors + at100.non2xx + at1000.errors + at1000.non2xx + latencySmall.non2xx + latencyLarge.non2xx + (pgAt100 ? pgAt100.errors + pgAt100.non2xx : 0);

  const rows: [string, string, string][] = [
    ['bare express echo (ceiling)', `${figures.ceilingExpressRps} req/s`, ''],
    ['durable writes (ceiling)', `${figures.ceilingDurableWritesPerSec} writes/s`, `${fileBytes}-byte files, 100 at once; ${Math.round(ceilingBefore)} before and ${Math.round(ceilingAfter)} after the turn test`],
    ['turns, 100 concurrent', `${figures.turnsPerSec} turns/s`, `ratio to ceiling ${figures.ratioToCeiling} (target >= 0.7)`],
    ['turn latency, 100 concurrent', `p50 ${figures.p50Ms100} ms, p99 ${figures.p99Ms100} ms`, 'p99 target <= 50 ms'],
    ['STORE=postgres: turns, 100 concurrent', figures.postgres ? `${figures.postgres.turnsPerSec} turns/s` : 'skipped', figures.postgres ? `p50 ${figures.postgres.p50Ms100} ms, p99 ${figures.postgres.p99Ms100} ms` : 'no PostgreSQL'],
    ['turn latency, 1000 concurrent', `p99 ${figures.p99Ms1000} ms`, ''],
    [`p50 latency, 100 vs ${STORED_LARGE} stored`, `${latencySmall.p50} ms vs ${latencyLarge.p50} ms`, `ratio ${figures.storageLatencyRatio} (target <= 1.2)`],
    [`server RSS, ${STORED_LARGE} stored, 1000 active`, `${figures.rssMbAt100k} MB`, 'target <= 200 MB'],
    ['widget JS + CSS, gzipped', `${figures.widgetGzipBytes} bytes`, 'target <= 12288'],
    ['Slack ack, 200 events at once', `p99 ${figures.slackAckP99Ms} ms`, 'target <= 200 ms'],
    ['failed requests', String(errors), 'should be 0'],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`\n${rows.map(([a, b, c]) => `${a.padEnd(width)}  ${b.padEnd(30)}  ${c}`).join('\n')}\n\nTook ${Math.round((Date.now() - t0) / 1000)} s.\n`);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
