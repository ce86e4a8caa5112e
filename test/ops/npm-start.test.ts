/**
 * `npm start` as an operator (or a process supervisor) runs it: it starts the
 * prebuilt server from dist/ with node as npm's direct child (no shell, no
 * tsx in between), so the SIGTERM that stops npm reaches the server, which
 * finishes the turns in flight and exits; nothing is left listening.
 * And the pre-start step writes nothing when the build is current.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, exited, NetworkError } from '../reliability/http-client.js';
import { ROOT, startChildServer, tempDir } from '../helpers/server.js';
import { openTestDatabase } from '../store/postgres-test-db.js';
import { alive, childrenOf, freePort, listening, waitForOk } from './helpers.js';

const dirs: string[] = [];
const pids: number[] = [];
afterAll(async () => {
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('npm start', () => {
  it('runs dist/main.js with node directly under npm; SIGTERM to npm drains the turns in flight and leaves no server behind', { timeout: 120_000 }, async () => {
    const dataDir = await tempDir('govstage-npm-start-');
    dirs.push(dataDir);
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '1000000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pids.push(npm.pid!);
    let output = '';
    npm.stdout.on('data', (c: Buffer) => (output += c.toString()));
    npm.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const url = `http://127.0.0.1:${port}`;
    // A first start may build dist/ first.
    await waitForOk(`${url}/healthz`, 90_000, () => (npm.exitCode !== null ? `npm start exited ${npm.exitCode}:\n${output}` : undefined));

    const children = childrenOf(npm.pid!);
    expect(children, JSON.stringify(children)).toHaveLength(1);
    const server = children[0]!;
    pids.push(server.pid);
    expect(server.args).toMatch(/^node\b.*\bdist\/main\.js$/);
    expect(childrenOf(server.pid)).toEqual([]);

    // Conversations at their first question, then a burst of answers with SIGTERM to npm at the first reply.
    const conversations = await Promise.all(
      Array.from({ length: 15 }, async () => {
        const created = await call(url, 'POST', '/api/conversations', { body: {} });
        expect(created.status).toBe(201);
        const c = { id: created.body.conversationId as string, token: created.body.resumeToken as string };
        expect((await call(url, 'POST', `/api/conversations/${c.id}/turns`, { token: c.token, body: { turnId: 'start', choice: 'start' } })).status).toBe(200);
        return c;
      }),
    );
    let signalled = false;
    const outcomes = await Promise.all(
      conversations.flatMap((c) =>
        [0, 1, 2].map(async (i) => {
          try {
            const res = await call(url, 'POST', `/api/conversations/${c.id}/turns`, { token: c.token, body: { turnId: `burst-${i}`, text: 'yes' } });
            if (!signalled) {
              signalled = true;
              npm.kill('SIGTERM');
            }
            return { c, turnId: `burst-${i}`, outcome: res.status };
          } catch (error) {
            if (!(error instanceof NetworkError)) throw error;
            return { c, turnId: `burst-${i}`, outcome: error.code };
          }
        }),
      ),
    );
    expect(await exited(npm)).toBe(0);
    // Every turn got its answer, or its connection was refused or reset before the server took it.
    for (const { outcome } of outcomes) expect([200, 'ECONNREFUSED', 'ECONNRESET']).toContain(outcome);
    const lines = output.split('\n');
    const from = lines.findIndex((l) => l.includes('shutting down'));
    expect(from, output.slice(-3000)).toBeGreaterThanOrEqual(0);
    expect(lines.slice(from).some((l) => l.includes('/turns') && l.includes('"status":200')), 'a turn finished after the shutdown began').toBe(true);
    // The server itself is gone, and nothing listens on its port.
    for (let i = 0; i < 50 && alive(server.pid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(server.pid)).toBe(false);
    expect(await listening(port)).toBe(false);

    // Started again on the same folder: answered turns were stored; unanswered ones were never applied.
    const again = await startChildServer({ dataDir });
    try {
      for (const { c, turnId, outcome } of outcomes) {
        const retry = await call(again.url, 'POST', `/api/conversations/${c.id}/turns`, { token: c.token, body: { turnId, text: 'yes' } });
        expect(retry.status).toBe(200);
        expect(retry.body.replayed, `${turnId} of ${c.id} (${outcome})`).toBe(outcome === 200);
      }
    } finally {
      await again.stop();
    }
  });

  it("npm run dev runs the sources under tsx watch, and SIGTERM to npm stops it all", { timeout: 60_000 }, async () => {
    const dataDir = await tempDir('govstage-npm-dev-');
    dirs.push(dataDir);
    const port = await freePort();
    const npm = spawn('npm', ['run', 'dev'], { cwd: ROOT, env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'test' }, stdio: ['ignore', 'pipe', 'pipe'] });
    pids.push(npm.pid!);
    let output = '';
    npm.stdout.on('data', (c: Buffer) => (output += c.toString()));
    npm.stderr.on('data', (c: Buffer) => (output += c.toString()));
    await waitForOk(`http://127.0.0.1:${port}/healthz`, 45_000, () => (npm.exitCode !== null ? `npm run dev exited ${npm.exitCode}:\n${output}` : undefined));
    const [watcher] = childrenOf(npm.pid!);
    expect(watcher?.args).toMatch(/tsx watch/);
    const [server] = childrenOf(watcher!.pid);
    expect(server?.args).toMatch(/src\/main\.ts$/);
    pids.push(watcher!.pid, server!.pid);
    npm.kill('SIGTERM');
    await exited(npm);
    for (let i = 0; i < 50 && (alive(watcher!.pid) || alive(server!.pid)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(watcher!.pid)).toBe(false);
    expect(alive(server!.pid)).toBe(false);
    expect(await listening(port)).toBe(false);
  });

  it("the README's PostgreSQL commands, run as written, migrate and then start on PostgreSQL", { timeout: 120_000 }, async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').find((b) => b.includes('STORE=postgres'));
    expect(block).toBeDefined();
    const db = await openTestDatabase();
    const schema = await db.freshSchema();
    const port = await freePort();
    const dataDir = await tempDir('govstage-readme-pg-');
    dirs.push(dataDir);
    // The README's lines, with this test's database in place of the example one.
    const script = block!.replace(/DATABASE_URL=\S+/, `DATABASE_URL='${schema.url}'`);
    const { STORE: _s, DATABASE_URL: _d, ...env } = process.env;
    const shell = spawn('sh', ['-c', script], { cwd: ROOT, env: { ...env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'test' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    shell.stdout.on('data', (c: Buffer) => (output += c.toString()));
    shell.stderr.on('data', (c: Buffer) => (output += c.toString()));
    try {
      await waitForOk(`http://127.0.0.1:${port}/readyz`, 90_000, () => (shell.exitCode !== null ? `exited ${shell.exitCode}:\n${output}` : undefined));
      expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()).toEqual({ status: 'ready', store: 'postgres' });
      expect(output).toMatch(/schema version \d+, applied/);
      expect(output).not.toContain('DATABASE_URL is set but STORE is lowdb');
    } finally {
      // The shell and everything it started: its own process group.
      process.kill(-shell.pid!, 'SIGTERM');
      await exited(shell);
      await schema.drop();
      await db.close();
    }
  });

  it('the pre-start step writes nothing when dist/ is current, and never writes into public/', async () => {
    const first = spawnSync(process.execPath, [path.join(ROOT, 'scripts/ensure-build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(first.status, first.stderr).toBe(0);
    const info = path.join(ROOT, 'dist/build-info.json');
    const before = (await stat(info)).mtimeMs;
    const publicBefore = await readdir(path.join(ROOT, 'public'));
    const again = spawnSync(process.execPath, [path.join(ROOT, 'scripts/ensure-build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    expect((await stat(info)).mtimeMs).toBe(before);
    expect(await readdir(path.join(ROOT, 'public'))).toEqual(publicBefore);
    // public/ holds hand-written files only: no built widget or admin script.
    expect(publicBefore.filter((name) => /^(widget|admin)\b.*\.(js|css)(\.br|\.gz)?$/.test(name))).toEqual([]);
  });
});
