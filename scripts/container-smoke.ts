/**
 * The container image, without a container engine: reads the Dockerfile and
 * runs its steps itself, stage by stage, each stage in a clean temp folder
 * standing for the image's file system (WORKDIR /app is <stage>/app), so the
 * Dockerfile cannot rot unnoticed. Then starts the runtime stage's CMD with
 * its ENV, runs its HEALTHCHECK, drives the server (health, a turn, the
 * compressed widget), stops it with SIGTERM and expects a clean exit. With
 * TEST_DATABASE_URL it runs the image once more on PostgreSQL.
 *
 *   npx tsx scripts/container-smoke.ts          (.ci/run runs it)
 *
 * What cannot be done without a container is said, not skipped silently:
 * RUN steps other than npm commands must be listed in CONTAINER_ONLY (they
 * change the image's own file system, such as creating /data for the app
 * user), USER is not switched (this runs as whoever runs it), and the base
 * image is this machine's Node (its version is compared with FROM's tag).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '..');

/** RUN steps that only make sense inside the image; the smoke notes them and goes on. */
export const CONTAINER_ONLY = ['mkdir -p /data && chown node:node /data'];

export type Instruction =
  | { op: 'COPY'; from?: string; sources: string[]; dest: string }
  | { op: 'RUN'; command: string }
  | { op: 'ENV'; vars: Record<string, string> }
  | { op: 'WORKDIR'; dir: string }
  | { op: 'USER'; value: string }
  | { op: 'EXPOSE'; value: string }
  | { op: 'VOLUME'; value: string }
  | { op: 'HEALTHCHECK'; argv: string[] }
  | { op: 'CMD'; argv: string[] };

export interface Stage {
  image: string;
  name?: string;
  steps: Instruction[];
}

/** The Dockerfile's stages, for the subset of instructions this project uses (anything else is refused). */
export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  const argvOf = (json: string, where: string): string[] => {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`${where}: use the exec form ["cmd", "arg", …]`);
    return parsed as string[];
  };
  for (const line of lines) {
    const [, op = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!m?.[1]) throw new Error(`FROM ${rest}: not understood`);
      stages.push({ image: m[1], ...(m[2] ? { name: m[2] } : {}), steps: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${op} before FROM`);
    switch (op) {
      case 'COPY': {
        const words = rest.split(/\s+/);
        const flags = words.filter((w) => w.startsWith('--'));
        const paths = words.filter((w) => !w.startsWith('--'));
        const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
        const unknown = flags.filter((f) => !f.startsWith('--from=') && !f.startsWith('--chown='));
        if (unknown.length > 0 || paths.length < 2) throw new Error(`COPY ${rest}: not understood`);
        stage.steps.push({ op, ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1) as string });
        break;
      }
      case 'RUN':
        stage.steps.push({ op, command: rest });
        break;
      case 'ENV': {
        const vars: Record<string, string> = {};
        for (const pair of rest.split(/\s+/)) {
          const [k, ...v] = pair.split('=');
          if (!k || v.length === 0) throw new Error(`ENV ${rest}: use KEY=value pairs`);
          vars[k] = v.join('=');
        }
        stage.steps.push({ op, vars });
        break;
      }
      case 'WORKDIR':
        stage.steps.push({ op, dir: rest });
        break;
      case 'USER':
      case 'EXPOSE':
      case 'VOLUME':
        stage.steps.push({ op, value: rest } as Instruction);
        break;
      case 'HEALTHCHECK': {
        const m = /\bCMD\s+(\[.*\])$/.exec(rest);
        if (!m?.[1]) throw new Error('HEALTHCHECK: use CMD ["…"] (exec form)');
        stage.steps.push({ op, argv: argvOf(m[1], 'HEALTHCHECK') });
        break;
      }
      case 'CMD':
        stage.steps.push({ op, argv: argvOf(rest, 'CMD') });
        break;
      default:
        throw new Error(`${op}: not an instruction the smoke test can repeat (add it to scripts/container-smoke.ts)`);
    }
  }
  return stages;
}

/** The build context as a fresh clone has it: tracked and untracked-but-not-ignored files, less .dockerignore. */
async function contextFiles(): Promise<string[]> {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  const ignored = (await readFile(path.join(ROOT, '.dockerignore'), 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const isIgnored = (file: string) => ignored.some((p) => (p.startsWith('*.') ? file.endsWith(p.slice(1)) : file === p || file.startsWith(`${p}/`)));
  const files = listed.stdout.split('\0').filter(Boolean).filter((f) => !isIgnored(f));
  // Deleted-but-still-tracked files are not in a clone.
  const present = await Promise.all(files.map((f) => stat(path.join(ROOT, f)).then(() => f, () => undefined)));
  return present.filter((f): f is string => f !== undefined);
}

const log = (text: string) => process.stdout.write(`[container-smoke] ${text}\n`);

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): void {
  log(`RUN ${command}`);
  const result = spawnSync('sh', ['-c', command], { cwd, env, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`RUN ${command} exited ${result.status ?? result.signal}`);
}

/**
 * npm's cache for a stage, as an image has its own: the steps may clean it
 * (`npm cache clean --force`), which must not empty this machine's cache.
 * Seeded with hard links to this machine's cache, so nothing is downloaded twice.
 */
async function stageNpmCache(root: string): Promise<string> {
  const cache = path.join(root, 'root/.npm');
  if (await stat(cache).then(() => true, () => false)) return cache;
  await mkdir(path.dirname(cache), { recursive: true });
  const host = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
  if (host && (await stat(path.join(host, '_cacache')).then(() => true, () => false))) {
    const linked = spawnSync('cp', ['-al', host, cache]);
    if (linked.status !== 0) await mkdir(cache, { recursive: true });
  } else {
    await mkdir(cache, { recursive: true });
  }
  return cache;
}

export interface BuiltStage {
  root: string;
  workdir: string;
  env: Record<string, string>;
  cmd?: string[];
  healthcheck?: string[];
}

/** Runs every stage's steps in its own clean folder; returns the last (runtime) stage. */
export async function buildImage(stages: Stage[], into: string): Promise<BuiltStage> {
  const context = await contextFiles();
  const built = new Map<string, BuiltStage>();
  let last: BuiltStage | undefined;
  for (const [index, stage] of stages.entries()) {
    log(`stage ${index + 1}/${stages.length}: FROM ${stage.image}${stage.name ? ` AS ${stage.name}` : ''}`);
    const tag = /^node:(\d+(?:\.\d+)*)/.exec(stage.image)?.[1];
    if (tag && !process.version.slice(1).startsWith(`${tag}.`) && process.version.slice(1) !== tag) log(`note: the image's Node is ${tag}, this machine's ${process.version}`);
    const root = path.join(into, `stage-${index + 1}`);
    const state: BuiltStage = { root, workdir: root, env: {} };
    await mkdir(root, { recursive: true });
    const inImage = (p: string) => (path.isAbsolute(p) ? path.join(root, p) : path.join(state.workdir, p));
    for (const step of stage.steps) {
      switch (step.op) {
        case 'WORKDIR':
          state.workdir = inImage(step.dir);
          await mkdir(state.workdir, { recursive: true });
          break;
        case 'ENV':
          Object.assign(state.env, step.vars);
          break;
        case 'COPY': {
          const dest = inImage(step.dest);
          for (const source of step.sources) {
            if (step.from) {
              const other = built.get(step.from);
              if (!other) throw new Error(`COPY --from=${step.from}: no such stage before this one`);
              await cp(path.join(other.root, source), dest, { recursive: true });
              continue;
            }
            const clean = source.replace(/^\.\//, '').replace(/\/$/, '');
            const matches = context.filter((f) => f === clean || f.startsWith(`${clean}/`));
            if (matches.length === 0) throw new Error(`COPY ${source}: not in the build context`);
            for (const file of matches) {
              // A folder's contents go into dest; a file goes into dest when dest is a folder (ends with /).
              const target = file === clean ? (step.dest.endsWith('/') ? path.join(dest, path.basename(file)) : dest) : path.join(dest, path.relative(clean, file));
              await mkdir(path.dirname(target), { recursive: true });
              await cp(path.join(ROOT, file), target);
            }
          }
          log(`COPY ${step.from ? `--from=${step.from} ` : ''}${step.sources.join(' ')} ${step.dest}`);
          break;
        }
        case 'RUN':
          if (CONTAINER_ONLY.includes(step.command)) {
            log(`RUN ${step.command}  (inside the image only: not repeated here)`);
          } else if (step.command.split('&&').every((part) => /^npm\s/.test(part.trim()))) {
            run(step.command, state.workdir, { ...process.env, ...state.env, npm_config_cache: await stageNpmCache(root) });
          } else {
            throw new Error(`RUN ${step.command}: only npm commands can be repeated outside a container; list it in CONTAINER_ONLY if it only shapes the image`);
          }
          break;
        case 'HEALTHCHECK':
          state.healthcheck = step.argv;
          break;
        case 'CMD':
          state.cmd = step.argv;
          break;
        case 'USER':
        case 'EXPOSE':
        case 'VOLUME':
          log(`${step.op} ${step.value}  (noted)`);
          break;
      }
    }
    if (stage.name) built.set(stage.name, state);
    last = state;
  }
  if (!last) throw new Error('the Dockerfile has no stage');
  return last;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`smoke check failed: ${what}`);
  log(`ok: ${what}`);
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

/** Starts the image's CMD, drives it, stops it with SIGTERM. */
async function runImage(image: BuiltStage, extraEnv: Record<string, string>, expectStore: string): Promise<void> {
  if (!image.cmd) throw new Error('the runtime stage has no CMD');
  const port = await freePort();
  // The image's ENV, with what cannot be the same here: this machine's loopback, a free port, the data folder inside the stage.
  const dataDir = path.join(image.root, image.env.DATA_DIR ?? '/data');
  await mkdir(dataDir, { recursive: true });
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...image.env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, ...extraEnv };
  log(`CMD ${image.cmd.join(' ')}  (STORE=${env.STORE ?? 'lowdb'}, port ${port})`);
  const [command, ...args] = image.cmd as [string, ...string[]];
  const child: ChildProcess = spawn(command, args, { cwd: image.workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 30_000;
    while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
      if (child.exitCode !== null) throw new Error(`the server exited ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the server did not answer /healthz in 30 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    check(true, 'GET /healthz answers');
    if (image.healthcheck) {
      const [hc, ...hcArgs] = image.healthcheck as [string, ...string[]];
      const probe = spawnSync(hc, hcArgs, { cwd: image.workdir, env, encoding: 'utf8', timeout: 10_000 });
      check(probe.status === 0, `the HEALTHCHECK command exits 0 (${probe.status ?? probe.signal})`);
    }
    const ready = await json(`${url}/readyz`);
    check(ready.status === 200 && ready.body.store === expectStore, `GET /readyz is ready with the ${expectStore} store`);
    const started = await json(`${url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    check(started.status === 201, 'POST /api/conversations starts one');
    const turn = await json(`${url}/api/conversations/${String(started.body.conversationId)}/turns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${String(started.body.resumeToken)}` },
      body: JSON.stringify({ turnId: 'smoke-1', choice: 'start' }),
    });
    const messages = (turn.body.messages ?? []) as { kind: string }[];
    check(turn.status === 200 && messages.some((m) => m.kind === 'question'), 'a turn answers with the first question');
    const widget = await fetch(`${url}/widget.js`, { headers: { 'accept-encoding': 'br' } });
    check(widget.status === 200 && widget.headers.get('content-encoding') === 'br', 'the widget is served brotli-compressed');
    check(widget.headers.get('cache-control') === 'public, max-age=300' && Boolean(widget.headers.get('etag')), 'the widget is cached for 5 minutes, then revalidated by ETag');
    // The whole widget, its stylesheet inside: a build that fell back to a loader would not carry the stylesheet's rules.
    check((await widget.text()).includes('.gs-root{'), 'widget.js carries its stylesheet');
    check((await fetch(`${url}/`)).status === 200 && (await fetch(`${url}/api/docs`)).status === 200, 'the demo page and the API reference are served');
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await exited;
  clearTimeout(timer);
  check(code === 0, `SIGTERM stops the server cleanly (exit ${code})`);
}

/** A throw-away schema in the test database, dropped afterwards. */
async function withSchema(databaseUrl: string, body: (url: string) => Promise<void>): Promise<void> {
  const schema = `smoke_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    await body(url.toString());
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
  }
}

async function main(): Promise<void> {
  const stages = parseDockerfile(await readFile(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const into = await mkdtemp(path.join(tmpdir(), 'govstage-container-'));
  try {
    const image = await buildImage(stages, into);
    for (const tool of ['tsx', 'esbuild', 'typescript', 'vitest']) {
      const present = await stat(path.join(image.workdir, 'node_modules', tool)).then(() => true, () => false);
      check(!present, `the runtime image has no ${tool} (production dependencies only)`);
    }
    check(await stat(path.join(image.workdir, 'src')).then(() => false, () => true), 'the runtime image has no TypeScript sources');
    await runImage(image, {}, 'lowdb');
    if (process.env.TEST_DATABASE_URL) {
      await withSchema(process.env.TEST_DATABASE_URL, async (url) => {
        // As an operator would before starting (README: docker compose exec govstage node dist/migrate.js).
        const migrated = spawnSync('node', ['dist/migrate.js'], { cwd: image.workdir, env: { PATH: process.env.PATH ?? '', ...image.env, DATABASE_URL: url }, encoding: 'utf8' });
        check(migrated.status === 0 && /schema version \d+, applied/.test(migrated.stdout), `node dist/migrate.js creates the schema (${migrated.stdout.trim() || migrated.stderr.trim()})`);
        await runImage(image, { STORE: 'postgres', DATABASE_URL: url }, 'postgres');
      });
    }
    log('passed');
  } finally {
    await rm(into, { recursive: true, force: true });
  }
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  main().catch((error: unknown) => {
    process.stderr.write(`[container-smoke] FAILED: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
