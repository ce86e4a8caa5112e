/**
 * Secrets never reach the logs. A real server (child process) at
 * LOG_LEVEL=debug is driven with bearer tokens, resume codes (in bodies, in
 * answers, in query strings), wrong tokens and broken requests; its whole
 * output must hold none of them. Every request gets one log line with
 * method, path (no query string), status, duration and conversation id, and
 * never headers.
 */
import { Writable } from 'node:stream';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { conversationIdOf, loggablePath, loggableText } from '../../src/channels/web/http-errors.js';
import { createLogger } from '../../src/log.js';
import { startChildServer, tempDir, type ChildServer } from '../helpers/server.js';
import { call } from '../reliability/http-client.js';

const dirs: string[] = [];
let server: ChildServer | undefined;
afterAll(async () => {
  if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The ways a secret could be written: as is, and a resume code without its dash or in lower case. */
function forms(secret: string): string[] {
  return [...new Set([secret, secret.replace('-', ''), secret.toLowerCase(), secret.replace('-', '').toLowerCase()])];
}

describe('logs', () => {
  it('a debug-level server logs every request and never a token or resume code', { timeout: 60_000 }, async () => {
    const dataDir = await tempDir('govstage-logs-');
    dirs.push(dataDir);
    server = await startChildServer({ dataDir, env: { LOG_LEVEL: 'debug', RATE_LIMIT_PER_MINUTE: '10000', ALLOWED_ORIGINS: 'https://intranet.example.gov' } });
    const url = server.url;
    const secrets: string[] = [];

    const created = await call(url, 'POST', '/api/conversations', { body: {} });
    expect(created.status).toBe(201);
    const id = created.body.conversationId as string;
    let token = created.body.resumeToken as string;
    secrets.push(token, created.body.resumeCode);

    for (const body of [{ turnId: 'a', choice: 'start' }, { turnId: 'b', text: 'yes' }, { turnId: 'c', text: `note my code is ${created.body.resumeCode}` }, { turnId: 'd', text: `partly, token ${token}` }]) {
      expect((await call(url, 'POST', `/api/conversations/${id}/turns`, { token, body })).status).toBe(200);
    }
    // Secrets in a query string, where a careless log would keep them.
    expect((await call(url, 'GET', `/api/conversations/${id}?token=${token}&resume=${created.body.resumeCode}`, { token })).status).toBe(200);
    expect((await call(url, 'GET', `/?resume=${created.body.resumeCode}`)).status).toBe(200);

    const paused = await call(url, 'POST', `/api/conversations/${id}/turns`, { token, body: { turnId: 'e', text: 'pause' } });
    const pausedCode = paused.body.messages.find((m: { kind: string }) => m.kind === 'paused')?.resume?.code as string;
    expect(pausedCode).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    secrets.push(pausedCode);
    const issued = await call(url, 'POST', `/api/conversations/${id}/resume-code`, { token });
    expect(issued.status).toBe(200);
    secrets.push(issued.body.code);

    // Wrong credentials and broken requests are logged as such, without what was sent.
    const wrong = 'W'.repeat(20) + token.slice(20);
    secrets.push(wrong);
    expect((await call(url, 'GET', `/api/conversations/${id}`, { token: wrong })).status).toBe(401);
    expect((await call(url, 'POST', '/api/resume', { body: { code: `${issued.body.code}X` } })).status).toBe(404);
    expect((await call(url, 'POST', '/api/resume', { body: { code: 'ZZZZZ-ZZZZZ' } })).status).toBe(404);
    const badJson = await call(url, 'POST', `/api/conversations/${id}/turns`, { token, headers: { 'content-type': 'application/json' }, rawBody: `{"turnId":"x","text":"${token} ${created.body.resumeCode}"` });
    expect(badJson.status).toBe(400);
    expect((await call(url, 'POST', `/api/conversations/${id}/turns`, { token, body: { turnId: 'f', text: token.repeat(60) } })).status).toBe(400);
    expect((await call(url, 'GET', `/reports/${id}/${token}`)).status).toBeGreaterThanOrEqual(400);
    expect((await call(url, 'GET', `/api/nowhere/${token}`)).status).toBe(404);
    expect((await call(url, 'POST', '/api/conversations', { body: {}, headers: { origin: 'https://evil.example.com' } })).status).toBe(403);

    // Resuming hands out a new token.
    const resumed = await call(url, 'POST', '/api/resume', { body: { code: issued.body.code.toLowerCase() } });
    expect(resumed.status).toBe(200);
    token = resumed.body.resumeToken;
    secrets.push(token);
    expect((await call(url, 'GET', `/api/conversations/${id}`, { token })).status).toBe(200);

    expect(await server.stop()).toBe(0);
    const output = server.output();
    if (process.env.SHOW_LOG) console.log(output);
    for (const secret of secrets) for (const form of forms(secret)) expect(output.includes(form), `"${form}" is in the log`).toBe(false);
    expect(output.toLowerCase()).not.toContain('authorization');
    expect(output).not.toContain('Bearer');

    // One line per request, with what an operator needs.
    const lines = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(20);
    for (const line of requests) {
      expect(typeof line.method).toBe('string');
      expect(typeof line.path).toBe('string');
      expect(line.path).not.toContain('?');
      expect(typeof line.status).toBe('number');
      expect(typeof line.ms).toBe('number');
      expect(line).not.toHaveProperty('headers');
      expect(line).not.toHaveProperty('req');
    }
    const turns = requests.filter((l) => typeof l.path === 'string' && l.path.endsWith('/turns'));
    expect(turns.length).toBeGreaterThan(0);
    for (const line of turns) expect(line.conversationId).toBe(id);
    expect(requests.some((l) => l.status === 401)).toBe(true);
    expect(requests.some((l) => l.status === 403)).toBe(true);
    expect(requests.some((l) => l.path === `/reports/${id}/:token`)).toBe(true);
  });
});

describe('log helpers', () => {
  it('loggablePath and loggableText drop query strings and token-like runs, keep conversation ids', () => {
    const id = 'c_AbCdEfGhIjKlMnOpQrStUv';
    const token = 'x7Yq3-vB_9kLmN0pQrStUvWxYz12345678901234567';
    expect(loggablePath(`/api/conversations/${id}/turns`)).toBe(`/api/conversations/${id}/turns`);
    expect(loggablePath(`/reports/${id}/${token}/report.md`)).toBe(`/reports/${id}/:token/report.md`);
    expect(loggablePath(`/?resume=ABCDE-FGHJK`)).toBe('/');
    expect(loggablePath(`/${'a/'.repeat(300)}`).length).toBeLessThanOrEqual(201);
    expect(conversationIdOf(`/api/conversations/${id}/turns`)).toBe(id);
    expect(conversationIdOf('/api/resume')).toBeUndefined();
    expect(loggableText(`No API route GET /nowhere/${token}.`)).toBe('No API route GET /nowhere/:token.');
    expect(loggableText(`Nothing at GET /x/${id}.`)).toBe(`Nothing at GET /x/${id}.`);
    expect(loggableText('body.text: must be at most 2000 characters')).toBe('body.text: must be at most 2000 characters');
  });

  it('the logger redacts secrets by field name wherever they are passed', () => {
    let written = '';
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => { written += chunk.toString(); done(); } });
    const logger = createLogger({ level: 'debug', destination: sink });
    logger.info({ req: { headers: { authorization: 'Bearer SECRET-TOKEN-1', cookie: 'sid=SECRET-COOKIE' } } }, 'with headers');
    logger.info({ resumeToken: 'SECRET-TOKEN-2', resumeCode: 'SECRET-CODE-1', token: 'SECRET-TOKEN-3', code: 'SECRET-CODE-2' }, 'top level');
    logger.info({ started: { resumeToken: 'SECRET-TOKEN-4', resumeCode: 'SECRET-CODE-3' }, body: { code: 'SECRET-CODE-4', text: 'SECRET-ANSWER' } }, 'nested');
    expect(written).not.toMatch(/SECRET-/);
    expect(written.match(/\[redacted\]/g)?.length).toBe(10);
  });
});
