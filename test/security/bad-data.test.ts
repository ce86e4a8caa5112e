/**
 * Bad data on disk: a broken rubric or flow file stops start-up with a
 * message naming the file and the path inside it; a corrupt stored
 * conversation gives that conversation a clear 422 UNRESTORABLE while every
 * other conversation keeps working.
 */
import { spawn } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/channels/web/app.js';
import { ROOT, tempDir, testServices } from '../helpers/server.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Runs src/main.ts with its content in `contentDir` and waits for it to exit (it must, with bad content). */
function startWithContent(contentDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CONTENT_DIR: contentDir, DATA_DIR: path.join(contentDir, 'data'), LOG_LEVEL: 'info', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server started (or hung) with broken content:\n${output}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function contentCopy(): Promise<string> {
  const dir = await tempDir('govstage-content-');
  dirs.push(dir);
  await cp(path.join(ROOT, 'rubric'), path.join(dir, 'rubric'), { recursive: true });
  await cp(path.join(ROOT, 'flows'), path.join(dir, 'flows'), { recursive: true });
  return dir;
}

describe('a broken rubric or flow file stops start-up with a clear error', () => {
  it('an invalid value in rubric/principle-2.yaml: exit 1, naming the file and the path', { timeout: 60_000 }, async () => {
    const dir = await contentCopy();
    const file = path.join(dir, 'rubric', 'principle-2.yaml');
    const text = await readFile(file, 'utf8');
    const broken = text.replace(/(- id: early-top-down\n\s+stage: )early/, '$1expert');
    expect(broken).not.toBe(text);
    await writeFile(file, broken);
    const { code, output } = await startWithContent(dir);
    expect(code).toBe(1);
    expect(output).toContain('could not start');
    expect(output).toContain(file);
    expect(output).toMatch(/oecd\.characteristics\[2\]\.stage/);
    expect(output).not.toMatch(/listening on/);
  });

  it('a YAML syntax error: exit 1, naming the file', { timeout: 60_000 }, async () => {
    const dir = await contentCopy();
    const file = path.join(dir, 'rubric', 'principle-2.yaml');
    await writeFile(file, `${await readFile(file, 'utf8')}\n  broken: [unclosed\n`);
    const { code, output } = await startWithContent(dir);
    expect(code).toBe(1);
    expect(output).toContain(file);
    expect(output).toContain('(syntax)');
  });

  it('a flow that asks about a characteristic the rubric lacks: exit 1, naming the flow file and the path', { timeout: 60_000 }, async () => {
    const dir = await contentCopy();
    const file = path.join(dir, 'flows', 'principle-2.yaml');
    const text = await readFile(file, 'utf8');
    const broken = text.replace('characteristic: early-ict-own-logic', 'characteristic: early-no-such-thing');
    expect(broken).not.toBe(text);
    await writeFile(file, broken);
    const { code, output } = await startWithContent(dir);
    expect(code).toBe(1);
    expect(output).toContain(file);
    expect(output).toMatch(/questions\[0\]/);
  });
});

describe('a corrupt stored conversation fails alone, clearly', () => {
  type Services = Awaited<ReturnType<typeof testServices>>;
  let services: Services;
  let app: Express;
  beforeAll(async () => {
    services = await testServices({ RATE_LIMIT_PER_MINUTE: '100000' });
    app = createApp(services);
  });
  afterAll(async () => services.cleanup());

  async function started() {
    const res = await request(app).post('/api/conversations').send({});
    const c = { id: res.body.conversationId as string, token: res.body.resumeToken as string, code: res.body.resumeCode as string };
    await request(app).post(`/api/conversations/${c.id}/turns`).set('Authorization', `Bearer ${c.token}`).send({ turnId: 's', choice: 'start' });
    await request(app).post(`/api/conversations/${c.id}/turns`).set('Authorization', `Bearer ${c.token}`).send({ turnId: 'a', text: 'yes' });
    return c;
  }
  const fileOf = (id: string) => path.join(services.dataDir, 'conversations', `${id}.json`);

  it.each([
    ['not JSON (a torn write)', (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ['empty', () => ''],
    ['JSON of the wrong shape', (text: string) => JSON.stringify({ ...JSON.parse(text), revision: 'seven' })],
    ['a state this version cannot restore', (text: string) => JSON.stringify({ ...JSON.parse(text), state: { ...JSON.parse(text).state, machine: { ...JSON.parse(text).state.machine, value: 'q-no-such-question' } } })],
    ['another conversation’s record', (text: string) => JSON.stringify({ ...JSON.parse(text), id: 'c_someoneelse00000000' })],
  ])('%s: 422 UNRESTORABLE with a message for it, the others keep working', async (_what, corrupt) => {
    const healthy = await started();
    const damaged = await started();
    await writeFile(fileOf(damaged.id), corrupt(await readFile(fileOf(damaged.id), 'utf8')));

    const view = await request(app).get(`/api/conversations/${damaged.id}`).set('Authorization', `Bearer ${damaged.token}`);
    expect(view.status).toBe(422);
    expect(view.body.error.code).toBe('UNRESTORABLE');
    expect(view.body.error.message).toMatch(/cannot be restored|cannot read|cannot be read|not have/i);
    const turn = await request(app).post(`/api/conversations/${damaged.id}/turns`).set('Authorization', `Bearer ${damaged.token}`).send({ turnId: 'b', text: 'no' });
    expect(turn.status).toBe(422);
    expect(turn.body.error.code).toBe('UNRESTORABLE');

    const ok = await request(app).post(`/api/conversations/${healthy.id}/turns`).set('Authorization', `Bearer ${healthy.token}`).send({ turnId: 'b', text: 'no' });
    expect(ok.status).toBe(200);
    expect((await request(app).post('/api/conversations').send({})).status).toBe(201);
    expect((await request(app).get('/readyz')).status).toBe(200);
  });
});
