/**
 * Test helpers that run the real thing: services over a real lowdb folder in
 * a fresh temp dir, in-process or as a child process (`tsx src/main.ts`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bootstrap, type Services } from '../../src/bootstrap.js';
import { createLogger } from '../../src/log.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export async function tempDir(prefix = 'govstage-test-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Services on a fresh temp data folder; `cleanup` closes the store and removes the folder. */
export async function testServices(env: Record<string, string> = {}): Promise<Services & { dataDir: string; cleanup: () => Promise<void> }> {
  const dataDir = await tempDir();
  const services = await bootstrap({
    env: { CONTENT_DIR: ROOT, DATA_DIR: dataDir, LOG_LEVEL: 'silent', NODE_ENV: 'test', ...env },
    logger: createLogger({ level: 'silent' }),
  });
  return {
    ...services,
    dataDir,
    cleanup: async () => {
      await services.store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  dataDir: string;
  /** Everything the server printed (its log lines). */
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** A port that was free a moment ago (the child binds it right away). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `src/main.ts` as a child process on a free port and waits until
 * /healthz answers (whatever LOG_LEVEL). A child that does not come up in
 * time is killed, never left behind.
 *
 * `built`: runs the production build instead (`node --enable-source-maps
 * dist/main.js`, as the Dockerfile and `npm start` do; build it first), so
 * the child process is the server alone, without tsx's loader and compiler.
 */
export async function startChildServer(options: { env?: Record<string, string>; dataDir?: string; built?: boolean } = {}): Promise<ChildServer> {
  const dataDir = options.dataDir ?? (await tempDir());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = options.built ? ['--enable-source-maps', path.join(ROOT, 'dist/main.js')] : ['--import', 'tsx', path.join(ROOT, 'src/main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', DATA_DIR: dataDir, CONTENT_DIR: ROOT, LOG_LEVEL: 'info', NODE_ENV: 'test', ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`))));
  exited.catch(() => undefined);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await Promise.race([
      fetch(`${url}/healthz`).then((r) => r.ok, () => false),
      exited,
    ]).catch((error: unknown) => {
      throw error;
    });
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = (signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  return { url, child, dataDir, output: () => output, stop };
}

/** The real locale catalogues, for renderers tested on their own (the flow offers en and fr). */
export async function testLocales(): Promise<import('../../src/i18n/words.js').Locales> {
  const { loadLocales } = await import('../../src/i18n/words.js');
  return loadLocales(ROOT, { locales: ['en', 'fr'], defaultLocale: 'en' });
}
