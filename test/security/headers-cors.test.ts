/**
 * Browser-facing defences: helmet's strict Content-Security-Policy (and the
 * other security headers) on pages, assets and API answers; the CORS
 * allowlist for preflights and actual requests; the 16 KB body limit.
 */
import http from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, PUBLIC_DIR } from '../../src/channels/web/app.js';
import { testServices } from '../helpers/server.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
let server: http.Server;
let own: string;
const ALLOWED = 'https://intranet.example.gov';

beforeAll(async () => {
  services = await testServices({ ALLOWED_ORIGINS: `${ALLOWED},https://portal.example.org`, RATE_LIMIT_PER_MINUTE: '100000' });
  server = http.createServer(createApp(services));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  own = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await services.cleanup();
});

function directives(csp: string | undefined): Map<string, string[]> {
  expect(csp, 'Content-Security-Policy header').toBeDefined();
  return new Map(
    (csp as string)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

async function conversationCount(): Promise<number> {
  return (await readdir(path.join(services.dataDir, 'conversations'))).filter((n) => n.endsWith('.json')).length;
}

describe('security headers', () => {
  const targets: [string, () => request.Test][] = [
    ['the demo page', () => request(server).get('/')],
    ['the widget script', () => request(server).get('/widget.js')],
    ['an API answer', () => request(server).post('/api/conversations').send({})],
    ['an API error', () => request(server).get('/api/conversations/c_AAAAAAAAAAAAAAAAAAAAAA')],
    ['the OpenAPI document', () => request(server).get('/api/openapi.json')],
    ['a not-found page', () => request(server).get('/no/such/page')],
    ['a health check', () => request(server).get('/healthz')],
  ];

  it.each(targets)('%s: a strict CSP without unsafe-inline or unsafe-eval, and the other helmet headers', async (_what, send) => {
    const res = await send();
    expect(res.status).toBeLessThan(500);
    const csp = directives(res.headers['content-security-policy']);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|\*|data:.*script/);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'self'"]);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('the pages need nothing the CSP forbids: no inline scripts, styles or event handlers', async () => {
    const pages = (await readdir(PUBLIC_DIR)).filter((n) => n.endsWith('.html'));
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages) {
      const html = await readFile(path.join(PUBLIC_DIR, page), 'utf8');
      expect(html, page).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
      expect(html, page).not.toMatch(/<style[\s>]/i);
      expect(html, page).not.toMatch(/\sstyle\s*=/i);
      expect(html, page).not.toMatch(/\son[a-z]+\s*=/i);
      expect(html, page).not.toMatch(/javascript:/i);
    }
  });
});

describe('CORS allowlist', () => {
  it('a preflight from an allowed origin gets the CORS headers, never a wildcard or credentials', async () => {
    const res = await request(server).options('/api/conversations').set('Origin', ALLOWED).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization, content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(res.headers['access-control-allow-headers']).toMatch(/Authorization/i);
    expect(res.headers['access-control-allow-headers']).toMatch(/Content-Type/i);
    expect(res.headers.vary).toMatch(/Origin/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('an actual request from an allowed origin, or this server’s own, is served with its origin echoed', async () => {
    for (const origin of [ALLOWED, 'https://portal.example.org', own]) {
      const res = await request(server).post('/api/conversations').set('Origin', origin).send({});
      expect(res.status, origin).toBe(201);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers.vary).toMatch(/Origin/);
    }
    // No Origin: not a browser (curl, a server); it still needs a bearer token for anything that matters.
    const plain = await request(server).post('/api/conversations').send({});
    expect(plain.status).toBe(201);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });

  const refused = [
    'https://evil.example.com',
    'null',
    'https://intranet.example.gov.evil.com',
    'https://evil.com/https://intranet.example.gov',
    'http://intranet.example.gov',
    'https://intranet.example.gov:8443',
    'https://sub.intranet.example.gov',
    'https://intranet.example.gov.',
    'file://',
  ];

  it.each(refused)('origin %s: preflight and actual requests get 403 JSON, no CORS headers, and change nothing', async (origin) => {
    const before = await conversationCount();
    const preflight = await request(server).options('/api/conversations').set('Origin', origin).set('Access-Control-Request-Method', 'POST');
    const actual = await request(server).post('/api/conversations').set('Origin', origin).send({});
    for (const res of [preflight, actual]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
    }
    expect(await conversationCount()).toBe(before);
  });

  it('a disallowed origin cannot act on an existing conversation even with its token', async () => {
    const created = await request(server).post('/api/conversations').send({});
    const res = await request(server)
      .post(`/api/conversations/${created.body.conversationId}/turns`)
      .set('Origin', 'https://evil.example.com')
      .set('Authorization', `Bearer ${created.body.resumeToken}`)
      .send({ turnId: 't', choice: 'start' });
    expect(res.status).toBe(403);
    const view = await request(server).get(`/api/conversations/${created.body.conversationId}`).set('Authorization', `Bearer ${created.body.resumeToken}`);
    expect(view.body.revision).toBe(0);
  });
});

describe('body size limit', () => {
  /** Sends a body of exactly `size` bytes, with a Content-Length or chunked. */
  function post(size: number, chunked: boolean): Promise<{ status: number; body: { error?: { code: string } } }> {
    const prefix = '{"text":"';
    const suffix = '"}';
    const body = prefix + 'x'.repeat(size - prefix.length - suffix.length) + suffix;
    const port = (server.address() as { port: number }).port;
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/resume', headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(body.length) }) } }, (res) => {
        answered = true;
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      // The server may answer 413 and close before the rest of a large body is written: that is the point.
      req.on('error', (error) => {
        if (!answered) reject(error);
      });
      if (chunked) {
        for (let i = 0; i < body.length; i += 4096) req.write(body.slice(i, i + 4096));
        req.end();
      } else req.end(body);
    });
  }

  it.each([false, true])('up to 16 KB is read; one byte more is 413 JSON (chunked: %s)', async (chunked) => {
    const atLimit = await post(16 * 1024, chunked);
    expect(atLimit.status).toBe(400); // read and validated: the shape is wrong, the size is fine
    const over = await post(16 * 1024 + 1, chunked);
    expect(over.status).toBe(413);
    expect(over.body.error?.code).toBe('TOO_LARGE');
    const far = await post(1024 * 1024, chunked);
    expect(far.status).toBe(413);
  });
});
