/**
 * What POST /slack/events does with requests that are too large or not
 * signed, over real HTTP: the signature headers are checked before the body
 * is read, a body over the limit is answered 413 (and the client reads it),
 * refused requests are rate-limited per client address, and the log gets a
 * bounded number of lines about them.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/channels/slack/http-receiver.js';
import { signSlackRequest } from '../../src/channels/slack/signature.js';
import { SIGNING_SECRET, SlackUser, capturingLogger, lastPost, signedPost, startSlackServer, textOf, type SlackTestServer } from './helpers.js';

let server: SlackTestServer;
const log = capturingLogger();
/** The server's clock: real time plus an offset the tests move forward. */
let offsetMs = 0;
const now = () => Date.now() + offsetMs;
const seconds = () => Math.floor(now() / 1000);
let addresses = 0;
/** A client address of its own per test (the server trusts one proxy hop: X-Forwarded-For). */
const newAddress = () => `203.0.113.${++addresses}`;

beforeAll(async () => {
  server = await startSlackServer({ TRUST_PROXY: '1' }, { logger: log.logger, now });
});
afterAll(async () => {
  await server?.close();
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A POST with node:http that sends its headers and the first part of its
 * body, then waits for the answer before sending the rest (the rest is
 * sent only if `finish`). Resolves with the answer, or rejects after `timeoutMs`.
 */
function postStreaming(headers: Record<string, string>, first: Buffer, options: { finish?: Buffer[]; timeoutMs?: number } = {}): Promise<RawAnswer> {
  const url = new URL(`${server.url}/slack/events`);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no answer before the body was complete'));
    }, options.timeoutMs ?? 3_000);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        req.destroy();
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.write(first);
    for (const part of options.finish ?? []) req.write(part);
    if (options.finish) req.end();
  });
}

const refusedLines = (ip: string) => log.lines().filter((l) => l.msg === 'refused a Slack request that is not correctly signed' && l.ip === ip);

describe('bodies over the limit', () => {
  it('fits the largest message Slack sends: a 40,000-character DM (with its rich-text blocks) is taken, and answered', async () => {
    const user = new SlackUser(server, 'T1', 'UBIG1');
    const text = 'ü😀'.repeat(13_334).slice(0, 40_000);
    const response = await user.event(
      {
        type: 'message',
        channel: user.dmChannel,
        channel_type: 'im',
        user: user.userId,
        text,
        ts: '1700000000.000100',
        client_msg_id: 'big-1',
        blocks: [{ type: 'rich_text', block_id: 'b1', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }] }],
      },
      { timestamp: seconds() },
    );
    expect(response.status).toBe(200);
    await server.idle();
    expect(textOf(lastPost(server.fake, 0, user.dmChannel))).toContain('too long');
  });

  it('answers 413 with a clear body to a signed body over the limit, and the client reads it (Content-Length known)', async () => {
    const body = JSON.stringify({ type: 'event_callback', padding: 'x'.repeat(MAX_BODY_BYTES) });
    const response = await signedPost(`${server.url}/slack/events`, body, 'application/json', { timestamp: seconds(), headers: { 'x-forwarded-for': newAddress() } });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: 'TOO_LARGE', message: expect.stringContaining('too large') } });
  });

  it('answers 413 to a streamed body (no Content-Length) once it passes the limit, and the client reads it', async () => {
    const timestamp = String(seconds());
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const parts = Array.from({ length: Math.ceil((2 * MAX_BODY_BYTES) / chunk.length) }, () => chunk);
    const answer = await postStreaming(
      { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signSlackRequest(SIGNING_SECRET, timestamp, 'whatever'), 'x-forwarded-for': newAddress() },
      chunk,
      { finish: parts },
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'TOO_LARGE' } });
  });
});

describe('the signature headers are checked before the body is read', () => {
  it.each([
    ['no signature headers', {}],
    ['a stale timestamp', { 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000) - 600), 'x-slack-signature': 'v0=00' }],
    ['a timestamp that is not a number', { 'x-slack-request-timestamp': 'soon', 'x-slack-signature': 'v0=00' }],
  ])('answers 401 to %s while the body is still arriving', async (_name, headers: Record<string, string>) => {
    const answer = await postStreaming({ 'content-type': 'application/json', 'x-forwarded-for': newAddress(), ...headers }, Buffer.alloc(16 * 1024, 'x'));
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it('still processes nothing from a request whose signature does not match', async () => {
    const user = new SlackUser(server, 'T1', 'UBAD1');
    const before = server.fake.lastSeq;
    const response = await user.dm('start', { secret: 'not-the-secret', timestamp: seconds(), headers: { 'x-forwarded-for': newAddress() } });
    expect(response.status).toBe(401);
    await server.idle();
    expect(server.fake.lastSeq).toBe(before);
  });
});

describe('refused requests are rate-limited per client address', () => {
  const bad = (ip: string) => signedPost(`${server.url}/slack/events`, '{"type":"event_callback"}', 'application/json', { timestamp: seconds(), signature: 'v0=0000', headers: { 'x-forwarded-for': ip } });

  it('answers 429 with Retry-After past the limit, without reading the body; other addresses and signed requests are unaffected', async () => {
    const attacker = newAddress();
    for (let i = 0; i < 10; i++) expect((await bad(attacker)).status).toBe(401);
    const limited = await bad(attacker);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    // Not even read: the answer comes while the body is still arriving.
    const unread = await postStreaming({ 'content-type': 'application/json', 'x-forwarded-for': attacker, 'x-slack-request-timestamp': String(seconds()), 'x-slack-signature': 'v0=00' }, Buffer.alloc(16 * 1024, 'x'));
    expect(unread.status).toBe(429);

    expect((await bad(newAddress())).status).toBe(401);
    const user = new SlackUser(server, 'T1', 'ULIM1');
    expect((await user.command('help', { timestamp: seconds(), headers: { 'x-forwarded-for': newAddress() } })).status).toBe(200);
  });

  it('logs one line per address per window, however many are refused, and counts again in the next window', async () => {
    const noisy = newAddress();
    const other = newAddress();
    for (let i = 0; i < 25; i++) await bad(noisy);
    await bad(other);
    expect(refusedLines(noisy)).toHaveLength(1);
    expect(refusedLines(other)).toHaveLength(1);
    expect(refusedLines(noisy)[0]?.reason).toBe('mismatch');

    offsetMs += 61_000;
    expect((await bad(noisy)).status).toBe(401);
    expect(refusedLines(noisy)).toHaveLength(2);
  });
});
