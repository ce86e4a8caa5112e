/**
 * `npm run bench`: how close Govstage runs to this machine's limits, measured
 * on the production build (`npm run build`, then `node dist/main.js`, as the
 * Dockerfile and `npm start` run it). Starts and stops its own server
 * processes; prints a table with each figure's target, then one JSON line.
 * Figures are only comparable within one run (the machine is shared).
 * BENCH_QUICK=1: a short version (about a minute); BENCH_STORED: how many
 * stored conversations for the storage step.
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
import { openTestDatabase } from '../test/store/postgres-test-db.js';
import { buildAll } from '../scripts/build.js';
import { ASSETS_DIR } from '../scripts/build-widget.js';
import { measureDurableWrites } from './durable-writes.js';
import { createConversation, nextTurn, REPLIES } from './conversation.js';
import { keepAliveAgent } from './http.js';
import { openLoop, type OpenLoopResult } from './open-loop.js';
import { clockTicks, cpuMs, rssMb } from './proc.js';
import { slackAcks } from './slack.js';
import { widgetWireBytes } from './widget-wire.js';
import { CHROMIUM, firstQuestionMsSlow3g } from './first-question.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SECONDS = QUICK ? 3 : 8;
const STORED_LARGE = Number(process.env.BENCH_STORED ?? (QUICK ? 10_000 : 100_000));
/** The sustained Slack load: a fixed 100 events a second, for 10 s (3 s in the quick version). */
const SLACK_RATE = 100;
const SLACK_SECONDS = QUICK ? 3 : 10;
const BROWSER_RUNS = QUICK ? 1 : 3;
const SERVER_ENV = { RATE_LIMIT_PER_MINUTE: '1000000000', START_RATE_LIMIT_PER_MINUTE: '1000000000', CONVERSATION_RATE_LIMIT_PER_MINUTE: '1000000000', RESUME_RATE_LIMIT_PER_MINUTE: '1000000000', LOG_LEVEL: 'info', NODE_ENV: 'production' };

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Every server the benchmark measures runs from the production build. */
const startServer = (options: { env?: Record<string, string>; dataDir?: string } = {}) => startChildServer({ ...options, built: true });

/** The bare express echo (plain node, no tsx) under the same closed-loop load: requests/s, and its CPU per request. */
async function echoCeiling(connections: number): Promise<{ rps: number; cpuMsPerRequest: number }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bench/echo-server.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        const m = /listening on (\S+)/.exec(c.toString());
        if (m?.[1]) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`echo server exited ${code}`)));
    });
    const pid = child.pid as number;
    const cpuBefore = await cpuMs(pid);
    const result = await autocannon({ url: `${url}/echo`, method: 'POST', connections, duration: SECONDS, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ turnId: randomUUID(), text: 'yes' }) });
    const cpu = (await cpuMs(pid)) - cpuBefore;
    return { rps: result.requests.average, cpuMsPerRequest: cpu / Math.max(1, result.requests.total) };
  } finally {
    child.kill('SIGTERM');
  }
}

interface TurnLoad {
  turnsPerSec: number;
  turns: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Server CPU (user + system) over the step, per turn, ms. */
  cpuMsPerTurn: number;
}

/** Closed loop: each connection runs whole conversations: create, then every reply to the result, then again. */
async function turnLoad(server: ChildServer, connections: number, seconds = SECONDS): Promise<TurnLoad> {
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
  const pid = server.child.pid as number;
  const cpuBefore = await cpuMs(pid);
  const result = await autocannon({ url: server.url, connections, duration: seconds, requests, timeout: 30 });
  const cpu = (await cpuMs(pid)) - cpuBefore;
  return { turnsPerSec: turns / seconds, turns, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx, cpuMsPerTurn: cpu / Math.max(1, turns) };
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

/** The stored record's status, read from its file as the server wrote it. */
async function storedStatus(file: string): Promise<string | undefined> {
  const record = JSON.parse(await readFile(file, 'utf8')) as { state?: { status?: unknown } };
  return typeof record.state?.status === 'string' ? record.state.status : undefined;
}

/**
 * The load's replies must take a conversation to its result, or the record sizes and turn rates
 * measure something else: one conversation is played through, and its answers and stored file checked.
 */
async function verifyReplies(server: ChildServer): Promise<void> {
  const agent = keepAliveAgent(2);
  try {
    const c = await createConversation(agent, server.url);
    for (let i = 0; i < REPLIES.length; i++) {
      const { status, finished } = await nextTurn(agent, server.url, c);
      if (status !== 200) throw new Error(`the bench's reply ${i + 1} ("${REPLIES[i]}") answered ${status}`);
      if (finished !== (i === REPLIES.length - 1)) throw new Error(`the bench's replies are out of step with the flow: reply ${i + 1} of ${REPLIES.length} ("${REPLIES[i]}") left the conversation ${finished ? 'finished' : 'active'}; update REPLIES in bench/conversation.ts`);
    }
    const status = await storedStatus(path.join(server.dataDir, 'conversations', `${c.id}.json`));
    if (status !== 'finished') throw new Error(`after the bench's last reply the stored record's state.status is ${String(status)}, not finished`);
  } finally {
    agent.destroy();
  }
}

async function meanFileBytes(dir: string): Promise<number> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  let total = 0;
  for (const name of names) total += (await stat(path.join(dir, name))).size;
  return names.length === 0 ? 4096 : Math.round(total / names.length);
}

/** Mean file size of the records whose assessment is finished (state.status). Fails if there are none. */
async function finishedRecordBytes(dir: string): Promise<{ mean: number; count: number }> {
  let total = 0;
  let count = 0;
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json'))) {
    const file = path.join(dir, name);
    if ((await storedStatus(file)) !== 'finished') continue;
    total += (await stat(file)).size;
    count++;
  }
  if (count === 0) throw new Error(`no finished conversation was stored in ${dir}: the load did not reach a result`);
  return { mean: Math.round(total / count), count };
}

/** The 100-conversation turn test against a server with STORE=postgres on a fresh schema. */
async function postgresTurns(): Promise<TurnLoad> {
  const db = await openTestDatabase();
  const schema = await db.freshSchema();
  try {
    const server = await startServer({ env: { ...SERVER_ENV, STORE: 'postgres', DATABASE_URL: schema.url } });
    try {
      await turnLoad(server, 100, 2); // warm-up, as for the files store
      return await turnLoad(server, 100);
    } finally {
      await server.stop();
      await rm(server.dataDir, { recursive: true, force: true });
    }
  } finally {
    await schema.drop();
    await db.close();
  }
}

/** The widget the build wrote (one file, stylesheet inside), gzipped as served (as scripts/build-widget.ts counts its budget). */
async function builtWidgetGzipBytes(): Promise<number> {
  const info = JSON.parse(await readFile(path.join(ROOT, 'dist/build-info.json'), 'utf8')) as { widget: { js: string } };
  return (await stat(path.join(ASSETS_DIR, `${info.widget.js}.gz`))).size;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

async function main() {
  const t0 = Date.now();
  log(`Govstage benchmark (${QUICK ? 'quick' : 'full'}): ${SECONDS}s per load step, ${STORED_LARGE} stored conversations for the storage step; servers from the production build`);

  log('build: npm run build (dist/main.js and the widget), measured from there');
  await buildAll();
  const widgetGzipBytes = await builtWidgetGzipBytes();

  log('slack: 200 signed events at once');
  const slackBurst = await slackAcks({ count: 200, env: SERVER_ENV });
  log(`slack: ${SLACK_RATE} signed events a second for ${SLACK_SECONDS} s (fake Slack in its own process)`);
  const slackSustained = await slackAcks({ count: SLACK_RATE * SLACK_SECONDS, perSecond: SLACK_RATE, env: SERVER_ENV });

  log('1/7 ceiling: bare express JSON echo (node, no tsx), 100 connections');
  const echo = await echoCeiling(100);

  // This machine's disk swings by a factor of two or three within minutes: the durable-write ceiling is
  // measured right before and right after the turn test, with the same file size, and averaged.
  const writesDir = path.join(tmpdir(), `govstage-bench-writes-${process.pid}`);
  const ceilingWrites = (bytes: number) => measureDurableWrites({ dir: writesDir, concurrency: 100, seconds: SECONDS, bytes });
  const small = await startServer({ env: SERVER_ENV });
  let at100: TurnLoad;
  let latencySmall: TurnLoad;
  let open: OpenLoopResult;
  let ceilingBefore: number;
  try {
    await populate(small.dataDir, 100);
    log('2/7 checking that the replies reach a result (and that its record says finished)');
    await verifyReplies(small);
    await turnLoad(small, 100, 2); // warm-up, so the files below have a real conversation's size
    const fileBytesBefore = await meanFileBytes(path.join(small.dataDir, 'conversations'));
    log('2/7 ceiling before: durable writes, conversation-sized files, 100 at once');
    ceilingBefore = await ceilingWrites(fileBytesBefore);
    log('2/7 turns over HTTP, default durable store, 100 concurrent conversations (closed loop)');
    at100 = await turnLoad(small, 100);
    log('3/7 turn latency with 100 stored conversations, 10 at once');
    latencySmall = await turnLoad(small, 10);
    const rate = Math.max(1, Math.round(at100.turnsPerSec / 2));
    log(`4/7 open loop: turns arriving at ${rate}/s (half of the closed loop's rate) for ${SECONDS} s`);
    const agent = keepAliveAgent();
    try {
      open = await openLoop({ agent, url: small.url, rate, seconds: SECONDS });
    } finally {
      agent.destroy();
    }
  } finally {
    await small.stop();
  }
  const fileBytes = await meanFileBytes(path.join(small.dataDir, 'conversations'));
  const finishedRecords = await finishedRecordBytes(path.join(small.dataDir, 'conversations'));
  await rm(small.dataDir, { recursive: true, force: true });

  log(`5/7 ceiling after: durable writes of ${fileBytes} bytes (the mean conversation file written): temp file, fsync, rename, fsync folder; 100 at once`);
  const ceilingAfter = await ceilingWrites(fileBytes);
  const ceilingDurableWritesPerSec = (ceilingBefore + ceilingAfter) / 2;

  log(`6/7 storing ${STORED_LARGE} conversations, then the same latency test`);
  const largeDir = await tempDir('govstage-bench-');
  await populate(largeDir, STORED_LARGE);
  const large = await startServer({ env: SERVER_ENV, dataDir: largeDir });
  let latencyLarge: TurnLoad;
  let at1000: TurnLoad;
  let rss: number;
  try {
    latencyLarge = await turnLoad(large, 10);
    log('7/7 1000 concurrent conversations on the large store');
    at1000 = await turnLoad(large, 1000);
    rss = await rssMb(large.child.pid as number);
  } finally {
    await large.stop();
    await rm(largeDir, { recursive: true, force: true });
  }

  log('postgres: the same turn test with STORE=postgres (a throw-away database on the local server, or TEST_DATABASE_URL)');
  const pgAt100 = await postgresTurns().catch((error: unknown) => {
    log(`postgres: skipped (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    return undefined;
  });

  log('widget: bytes on the wire (Accept-Encoding: br, gzip), then the first question in Chromium on slow 3G');
  const web = await startServer({ env: SERVER_ENV });
  let wire: Awaited<ReturnType<typeof widgetWireBytes>>;
  let browser: Awaited<ReturnType<typeof firstQuestionMsSlow3g>>;
  try {
    wire = await widgetWireBytes(web.url);
    browser = await firstQuestionMsSlow3g(web.url, BROWSER_RUNS);
    if (!browser) log(`widget: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH, or apt-get install chromium): firstQuestionMsSlow3g skipped (null)`);
  } finally {
    await web.stop();
    await rm(web.dataDir, { recursive: true, force: true });
  }

  const ticks = clockTicks();
  const figures = {
    ceilingExpressRps: Math.round(echo.rps),
    ceilingDurableWritesPerSec: Math.round(ceilingDurableWritesPerSec),
    turnsPerSec: Math.round(at100.turnsPerSec),
    ratioToCeiling: round2(at100.turnsPerSec / Math.min(echo.rps, ceilingDurableWritesPerSec)),
    p50Ms100: at100.p50,
    p99Ms100: at100.p99,
    p99Ms1000: at1000.p99,
    storageLatencyRatio: round2(latencyLarge.p50 / Math.max(latencySmall.p50, 0.01)),
    rssMbAt100k: rss,
    widgetGzipBytes,
    slackAckP99Ms: slackBurst.p99Ms,
    postgres: pgAt100 ? { turnsPerSec: Math.round(pgAt100.turnsPerSec), p50Ms100: pgAt100.p50, p99Ms100: pgAt100.p99, cpuMsPerTurn: round3(pgAt100.cpuMsPerTurn) } : null,
    openLoopRate: open.rate,
    openLoopP50Ms: open.p50Ms,
    openLoopP99Ms: open.p99Ms,
    cpuMsPerTurn: round3(at100.cpuMsPerTurn),
    echoCpuMsPerRequest: round3(echo.cpuMsPerRequest),
    recordBytesMean: finishedRecords.mean,
    slackAckP99MsSustained: slackSustained.p99Ms,
    postgresRatio: pgAt100 ? round2(pgAt100.turnsPerSec / at100.turnsPerSec) : null,
    widgetWireBytes: wire.total,
    firstQuestionMsSlow3g: browser ? browser.ms : null,
  };
  const errors = at100.errors + at100.non2xx + at1000.errors + at1000.non2xx + latencySmall.non2xx + latencyLarge.non2xx + open.errors + (pgAt100 ? pgAt100.errors + pgAt100.non2xx : 0);

  // The issue's targets (#17), and the earlier ones for the figures it does not set.
  type Target = { key: keyof typeof figures; op: '>=' | '<='; value: number };
  const targets: Target[] = [
    { key: 'ratioToCeiling', op: '>=', value: 0.8 },
    { key: 'openLoopP99Ms', op: '<=', value: 30 },
    { key: 'p99Ms100', op: '<=', value: 100 },
    { key: 'storageLatencyRatio', op: '<=', value: 1.2 },
    { key: 'recordBytesMean', op: '<=', value: 8192 },
    { key: 'rssMbAt100k', op: '<=', value: 150 },
    { key: 'slackAckP99Ms', op: '<=', value: 200 },
    { key: 'slackAckP99MsSustained', op: '<=', value: 50 },
    { key: 'postgresRatio', op: '>=', value: 0.8 },
    { key: 'widgetGzipBytes', op: '<=', value: 12288 },
    { key: 'widgetWireBytes', op: '<=', value: 12288 },
    { key: 'firstQuestionMsSlow3g', op: '<=', value: 2000 },
  ];
  const met: Record<string, boolean | null> = {};
  for (const t of targets) {
    const v = figures[t.key];
    met[t.key] = typeof v === 'number' ? (t.op === '>=' ? v >= t.value : v <= t.value) : null;
  }
  const verdict = (key: keyof typeof figures) => {
    const t = targets.find((x) => x.key === key);
    if (!t) return '';
    const m = met[key];
    return `target ${t.op} ${t.value}: ${m === null ? 'not measured' : m ? 'met' : 'MISSED'}`;
  };

  const wireParts = wire.parts.map((p) => `${p.path.replace(/\?.*/, '')} ${p.bytes} (${p.encoding})`).join(', ');
  const rows: [string, string, string][] = [
    ['bare express echo (ceiling)', `${figures.ceilingExpressRps} req/s`, `${figures.echoCpuMsPerRequest} ms CPU per request`],
    ['durable writes (ceiling)', `${figures.ceilingDurableWritesPerSec} writes/s`, `${fileBytes}-byte files, 100 at once; ${Math.round(ceilingBefore)} before and ${Math.round(ceilingAfter)} after the turn test`],
    ['turns, 100 concurrent (closed loop)', `${figures.turnsPerSec} turns/s`, `ratio to ceiling ${figures.ratioToCeiling}; ${verdict('ratioToCeiling')}`],
    ['turn latency, 100 concurrent', `p50 ${figures.p50Ms100} ms, p99 ${figures.p99Ms100} ms`, `p99 ${verdict('p99Ms100')}`],
    ['server CPU per turn (100 concurrent)', `${figures.cpuMsPerTurn} ms`, `echo: ${figures.echoCpuMsPerRequest} ms per request (${(figures.cpuMsPerTurn / Math.max(figures.echoCpuMsPerRequest, 0.001)).toFixed(1)}x); CLK_TCK ${ticks.value}${ticks.assumed ? ' (assumed: no getconf)' : ''}`],
    [`open loop, ${figures.openLoopRate} turns/s arriving`, `p50 ${figures.openLoopP50Ms} ms, p99 ${figures.openLoopP99Ms} ms`, `p99 ${verdict('openLoopP99Ms')}; ${open.turns} turns, ${open.queuedArrivals} found no idle conversation, generator lag <= ${open.maxIssueLagMs} ms`],
    ['STORE=postgres: turns, 100 concurrent', figures.postgres ? `${figures.postgres.turnsPerSec} turns/s` : 'skipped', figures.postgres ? `p50 ${figures.postgres.p50Ms100} ms, p99 ${figures.postgres.p99Ms100} ms, ${figures.postgres.cpuMsPerTurn} ms CPU per turn` : 'no PostgreSQL'],
    ['postgres / files turns per second', figures.postgresRatio === null ? 'skipped' : String(figures.postgresRatio), verdict('postgresRatio')],
    ['turn latency, 1000 concurrent', `p99 ${figures.p99Ms1000} ms`, ''],
    [`p50 latency, 100 vs ${STORED_LARGE} stored`, `${latencySmall.p50} ms vs ${latencyLarge.p50} ms`, `ratio ${figures.storageLatencyRatio}; ${verdict('storageLatencyRatio')}`],
    [`server RSS, ${STORED_LARGE} stored, 1000 active`, `${figures.rssMbAt100k} MB`, `node dist/main.js alone (VmRSS); ${verdict('rssMbAt100k')}`],
    ['finished assessment record', `${figures.recordBytesMean} bytes`, `mean of ${finishedRecords.count} files; ${verdict('recordBytesMean')}`],
    ['widget JS + CSS, gzipped (build)', `${figures.widgetGzipBytes} bytes`, verdict('widgetGzipBytes')],
    ['widget on the wire (br, gzip)', `${figures.widgetWireBytes} bytes`, `${verdict('widgetWireBytes')}; ${wireParts}`],
    ['first question, Chromium slow 3G', figures.firstQuestionMsSlow3g === null ? 'skipped (no Chromium)' : `${figures.firstQuestionMsSlow3g} ms`, browser ? `median of ${browser.runs.join(', ')} ms; ${verdict('firstQuestionMsSlow3g')}` : verdict('firstQuestionMsSlow3g')],
    ['Slack ack, 200 events at once', `p99 ${figures.slackAckP99Ms} ms`, `p50 ${slackBurst.p50Ms} ms, ${slackBurst.slackCalls} calls to the fake Slack after the acks; ${verdict('slackAckP99Ms')}`],
    [`Slack ack, ${SLACK_RATE} events/s for ${SLACK_SECONDS} s`, `p99 ${figures.slackAckP99MsSustained} ms`, `p50 ${slackSustained.p50Ms} ms, ${slackSustained.slackCalls} calls to the fake Slack after the acks; ${verdict('slackAckP99MsSustained')}`],
    ['failed requests', String(errors), 'should be 0'],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const missed = Object.entries(met).filter(([, m]) => m === false).map(([k]) => k);
  process.stdout.write(`\n${rows.map(([a, b, c]) => `${a.padEnd(width)}  ${b.padEnd(30)}  ${c}`).join('\n')}\n\n`);
  if (browser) process.stdout.write(`What the demo page fetched on slow 3G (bytes on the wire with headers, as Chromium counts them; sent → done, ms after the page's request): ${browser.requests.map((r) => `${r.path.replace(/\?.*/, '')} ${r.wireBytes} B ${r.sentMs}→${r.doneMs}`).join(', ')}\n`);
  process.stdout.write(`Targets missed: ${missed.length === 0 ? 'none' : missed.join(', ')}. Took ${Math.round((Date.now() - t0) / 1000)} s.\n`);
  process.stdout.write(`${JSON.stringify({ ...figures, targets: met })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
