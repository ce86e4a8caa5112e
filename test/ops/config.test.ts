/**
 * Configuration as an operator meets it: .env.example lists exactly the
 * variables the zod schema reads, every refusal names its variable, TRUST_PROXY
 * takes what express takes, and `.env` is read at start-up without
 * overriding the real environment.
 */
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { Config as C, loadConfig } from '../../src/config.js';
import { createApp } from '../../src/channels/web/app.js';
import { loadEnvFile } from '../../src/env-file.js';
import { bootstrap } from '../../src/bootstrap.js';
import { createLogger } from '../../src/log.js';
import { ROOT, tempDir, testServices } from '../helpers/server.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const exampleVariables = async () =>
  [...(await readFile(path.join(ROOT, '.env.example'), 'utf8')).matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] as string);

describe('.env.example', () => {
  it('lists every variable of the configuration schema, and nothing else', async () => {
    const listed = await exampleVariables();
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(Object.keys(C.shape).sort());
  });

  it('as copied to .env, is a valid configuration giving the defaults', async () => {
    const text = await readFile(path.join(ROOT, '.env.example'), 'utf8');
    const env: NodeJS.ProcessEnv = {};
    const file = path.join(await tempDir(), '.env');
    dirs.push(path.dirname(file));
    await writeFile(file, text);
    loadEnvFile(file, env);
    expect(loadConfig(env)).toEqual(loadConfig({}));
  });
});

describe('configuration errors', () => {
  // A wrong value for each variable that can be wrong.
  const wrong: Record<string, Record<string, string>> = {
    NODE_ENV: { NODE_ENV: 'prod' },
    PORT: { PORT: '70000' },
    STORE: { STORE: 'mysql' },
    DATABASE_URL: { STORE: 'postgres' },
    PUBLIC_URL: { PUBLIC_URL: 'govstage.example.gov' },
    TRUST_PROXY: { TRUST_PROXY: 'yes please' },
    ALLOWED_ORIGINS: { ALLOWED_ORIGINS: 'intranet.example.gov' },
    RESUME_CODE_TTL_HOURS: { RESUME_CODE_TTL_HOURS: '-1' },
    RETENTION_DAYS: { RETENTION_DAYS: 'ninety' },
    REPORT_LINK_TTL_DAYS: { REPORT_LINK_TTL_DAYS: '0' },
    ADMIN_TOKEN: { ADMIN_TOKEN: 'short' },
    MIN_GROUP_SIZE: { MIN_GROUP_SIZE: '2.5' },
    LOG_LEVEL: { LOG_LEVEL: 'verbose' },
    RATE_LIMIT_PER_MINUTE: { RATE_LIMIT_PER_MINUTE: 'lots' },
    RESUME_RATE_LIMIT_PER_MINUTE: { RESUME_RATE_LIMIT_PER_MINUTE: '0' },
    SLACK_API_URL: { SLACK_API_URL: 'slack' },
    METRICS_TOKEN: { METRICS_TOKEN: 'short' },
  };
  it.each(Object.entries(wrong))('a wrong %s is refused with a message naming it', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`\\b${variable}\\b`));
  });

  it('a wrong DATABASE_URL format is named too', () => {
    expect(() => loadConfig({ STORE: 'postgres', DATABASE_URL: 'localhost:5432/govstage' })).toThrow(/DATABASE_URL: must be a URL like postgres:/);
  });

  it('a content folder or data folder that cannot be used is named by its variable', async () => {
    const logger = createLogger({ level: 'silent' });
    await expect(bootstrap({ env: { CONTENT_DIR: '/nonexistent/govstage-content' }, logger })).rejects.toThrow(/CONTENT_DIR/);
    await expect(bootstrap({ env: { FLOW_ID: 'nope' }, logger })).rejects.toThrow(/FLOW_ID/);
    const dir = await tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'a-file');
    await writeFile(file, '');
    await expect(bootstrap({ env: { DATA_DIR: path.join(file, 'data') }, logger })).rejects.toThrow(/DATA_DIR/);
    await expect(bootstrap({ env: { STORE: 'postgres', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, logger })).rejects.toThrow(/DATABASE_URL/);
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    ['true', true],
    ['FALSE', false],
    ['2', 2],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.0/8, 192.168.1.1, fd00::/8', ['loopback', '10.0.0.0/8', '192.168.1.1', 'fd00::/8']],
    ['uniquelocal,linklocal', ['uniquelocal', 'linklocal']],
    ['10.0.0.0/255.0.0.0', ['10.0.0.0/255.0.0.0']],
  ] as const)('accepts %s, as express does', (value, parsed) => {
    const config = loadConfig({ TRUST_PROXY: value });
    expect(config.TRUST_PROXY).toEqual(parsed);
    expect(() => express().set('trust proxy', config.TRUST_PROXY)).not.toThrow();
  });

  it.each(['yes', '300.1.1.1', '10.0.0.0/40', 'loopback,, nonsense'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY: "/);
  });

  it('TRUST_PROXY=true serves requests and takes the client address from X-Forwarded-For', async () => {
    const services = await testServices({ TRUST_PROXY: 'true', RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const app = createApp(services);
      for (let i = 0; i < 2; i++) expect((await request(app).post('/api/conversations').set('X-Forwarded-For', '198.51.100.7').send({})).status).toBe(201);
      expect((await request(app).post('/api/conversations').set('X-Forwarded-For', '198.51.100.7').send({})).status).toBe(429);
      expect((await request(app).post('/api/conversations').set('X-Forwarded-For', '198.51.100.8').send({})).status).toBe(201);
    } finally {
      await services.cleanup();
    }
  });
});

describe('.env', () => {
  it('fills in what the environment does not set, and the environment wins', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const file = path.join(dir, '.env');
    await writeFile(file, '# comment\nPORT=1234\nLOG_LEVEL=debug\nPUBLIC_URL="https://govstage.example.gov"\n');
    const env: NodeJS.ProcessEnv = { PORT: '4000', LOG_LEVEL: '' };
    expect(loadEnvFile(file, env)).toEqual(['PUBLIC_URL']);
    expect(env).toEqual({ PORT: '4000', LOG_LEVEL: '', PUBLIC_URL: 'https://govstage.example.gov' });
    expect(loadEnvFile(path.join(dir, 'missing.env'), env)).toBeUndefined();
  });

  it('is read by the server from its working directory at start-up', async () => {
    const cwd = await tempDir();
    dirs.push(cwd);
    const dataDir = path.join(cwd, 'data-from-dotenv');
    // HOST and PORT come from the real environment below and must win over these.
    await writeFile(path.join(cwd, '.env'), `DATA_DIR=${dataDir}\nHOST=0.0.0.0\nPORT=1\nLOG_LEVEL=info\n`);
    const { PORT: _p, HOST: _h, DATA_DIR: _d, LOG_LEVEL: _l, CONTENT_DIR: _c, ...rest } = process.env;
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    // tsx by path: the working directory is a temp folder, where the bare name would not resolve.
    const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, path.join(ROOT, 'src/main.ts')], {
      cwd,
      env: { ...rest, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    try {
      let up = false;
      for (let i = 0; i < 300 && !up && child.exitCode === null; i++) {
        up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      expect(up, output).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(201);
      expect(await readdir(dataDir)).toContain('conversations');
      expect(output).toContain('read .env');
      expect(output).toMatch(/"variables":\["DATA_DIR","LOG_LEVEL"\]/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
