/**
 * When the store cannot serve, a real server answers 503 with Retry-After
 * and a body that tells an anonymous client nothing about the inside: no
 * file path, no errno, no host, no database URL. The details go to the log
 * line only. Real parts throughout: a PostgreSQL database that refuses
 * connections (ALLOW_CONNECTIONS false, then a PostgreSQL that is not
 * there at all), a lowdb folder on a full disk, and one that cannot be read.
 */
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startChildServer, tempDir, type ChildServer } from '../helpers/server.js';
import { mountTinyDisk } from '../helpers/tiny-disk.js';
import { call, type HttpResult } from '../reliability/http-client.js';
import { createOwnDatabase } from '../store/postgres-test-db.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(env: Record<string, string>, dataDir?: string): Promise<ChildServer> {
  const started = await startChildServer({ ...(dataDir ? { dataDir } : {}), env: { RATE_LIMIT_PER_MINUTE: '100000', ...env } });
  cleanups.push(() => started.stop('SIGKILL'));
  return started;
}

/** The signs of an internal detail: a path, an errno code, an address, a URL, a SQLSTATE. */
const INTERNALS = [/\/[A-Za-z0-9._-]+\//, /\bE[A-Z]{3,}\b/, /\b\d{1,3}(\.\d{1,3}){3}\b/, /localhost/i, /:\/\//, /:\d{2,5}\b/, /postgres/i, /\bsqlstate\b/i, /\b[0-9A-Z]{5}\b(?=\))/];

function expectUnavailable(reply: HttpResult, secrets: string[]): void {
  expect(reply.status, reply.text).toBe(503);
  expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
  expect(reply.body?.error?.code, reply.text).toBe('UNAVAILABLE');
  expect(reply.body.error.message.length).toBeGreaterThan(10);
  for (const pattern of INTERNALS) expect(reply.text, `${pattern} in ${reply.text}`).not.toMatch(pattern);
  for (const secret of secrets) expect(reply.text).not.toContain(secret);
}

/** Every kind of request an anonymous or token-holding client makes, against a store that cannot serve. */
async function expectEveryRequestUnavailable(url: string, conversation: { id: string; token: string; code: string }, secrets: string[]): Promise<void> {
  expectUnavailable(await call(url, 'POST', '/api/conversations', { body: {} }), secrets);
  expectUnavailable(await call(url, 'POST', `/api/conversations/${conversation.id}/turns`, { token: conversation.token, body: { turnId: 'while-down', text: 'yes' } }), secrets);
  expectUnavailable(await call(url, 'GET', `/api/conversations/${conversation.id}`, { token: conversation.token }), secrets);
  expectUnavailable(await call(url, 'POST', '/api/resume', { body: { code: conversation.code } }), secrets);
  expectUnavailable(await call(url, 'GET', '/readyz'), secrets);
}

async function startedConversation(url: string) {
  const created = await call(url, 'POST', '/api/conversations', { body: {} });
  expect(created.status, created.text).toBe(201);
  const conversation = { id: created.body.conversationId as string, token: created.body.resumeToken as string, code: created.body.resumeCode as string };
  const first = await call(url, 'POST', `/api/conversations/${conversation.id}/turns`, { token: conversation.token, body: { turnId: 'first', choice: 'start' } });
  expect(first.status, first.text).toBe(200);
  return conversation;
}

describe('a store that cannot serve: 503, Retry-After, and nothing about the inside', () => {
  it('PostgreSQL refusing connections (ALLOW_CONNECTIONS false, sessions terminated), then serving again', { timeout: 60_000 }, async () => {
    const db = await createOwnDatabase();
    cleanups.push(db.drop);
    const app = await server({ STORE: 'postgres', DATABASE_URL: db.url });
    const conversation = await startedConversation(app.url);

    await db.admin(`ALTER DATABASE ${pg.escapeIdentifier(db.name)} ALLOW_CONNECTIONS false`);
    await db.admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${pg.escapeLiteral(db.name)}`);
    await expectEveryRequestUnavailable(app.url, conversation, [db.name]);
    // The operator's log line has what the client was not told.
    expect(app.output()).toMatch(/not currently accepting connections|terminating connection/);

    await db.admin(`ALTER DATABASE ${pg.escapeIdentifier(db.name)} ALLOW_CONNECTIONS true`);
    const again = await call(app.url, 'POST', `/api/conversations/${conversation.id}/turns`, { token: conversation.token, body: { turnId: 'after', text: 'yes' } });
    expect(again.status, again.text).toBe(200);
  });

  it('PostgreSQL gone (nothing listens on its port any more: ECONNREFUSED)', { timeout: 60_000 }, async () => {
    const db = await createOwnDatabase();
    cleanups.push(db.drop);
    // The server reaches PostgreSQL through this relay; closing it leaves a port nothing listens on.
    const target = new URL(db.url);
    const sockets = new Set<Socket>();
    const relay: Server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const address = relay.address();
    const relayed = new URL(db.url);
    relayed.port = String(typeof address === 'object' && address ? address.port : 0);
    const app = await server({ STORE: 'postgres', DATABASE_URL: relayed.toString() });
    const conversation = await startedConversation(app.url);

    await new Promise<void>((resolve) => {
      relay.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    await expectEveryRequestUnavailable(app.url, conversation, [db.name, relayed.port]);
    expect(app.output()).toMatch(/ECONNREFUSED|Connection terminated/);
  });

  it('lowdb on a full disk: every write is 503, and /readyz leaves no probe file behind', { timeout: 60_000 }, async () => {
    const disk = await mountTinyDisk(512);
    cleanups.push(disk.remove);
    const app = await server({}, disk.dir);
    const conversation = await startedConversation(app.url);

    await disk.fill();
    expectUnavailable(await call(app.url, 'POST', '/api/conversations', { body: {} }), [disk.dir]);
    expectUnavailable(await call(app.url, 'POST', `/api/conversations/${conversation.id}/turns`, { token: conversation.token, body: { turnId: 'full', text: 'yes' } }), [disk.dir]);
    for (let probe = 0; probe < 5; probe++) expectUnavailable(await call(app.url, 'GET', '/readyz'), [disk.dir]);
    const leftovers = (await readdir(disk.dir, { recursive: true })).filter((name) => name.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
    expect(app.output()).toContain('ENOSPC');
  });

  it('lowdb on a folder that cannot be read (its conversations/ replaced by a file)', { timeout: 60_000 }, async () => {
    const dataDir = await tempDir('govstage-unreadable-');
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const app = await server({}, dataDir);
    const conversation = await startedConversation(app.url);

    await rename(join(dataDir, 'conversations'), join(dataDir, 'conversations.moved'));
    await writeFile(join(dataDir, 'conversations'), 'not a folder');
    expectUnavailable(await call(app.url, 'GET', `/api/conversations/${conversation.id}`, { token: conversation.token }), [dataDir]);
    expectUnavailable(await call(app.url, 'POST', `/api/conversations/${conversation.id}/turns`, { token: conversation.token, body: { turnId: 'unreadable', text: 'yes' } }), [dataDir]);
    expectUnavailable(await call(app.url, 'POST', '/api/conversations', { body: {} }), [dataDir]);
    expect(app.output()).toContain('ENOTDIR');

    // Put back, it serves again.
    await rm(join(dataDir, 'conversations'));
    await rename(join(dataDir, 'conversations.moved'), join(dataDir, 'conversations'));
    await mkdir(join(dataDir, 'conversations'), { recursive: true });
    expect((await call(app.url, 'GET', `/api/conversations/${conversation.id}`, { token: conversation.token })).status).toBe(200);
  });
});
