/**
 * The widget as the network sees it: precompressed brotli or gzip, chosen by
 * Accept-Encoding (with Vary), under stable names cached only briefly and
 * revalidated by ETag; widget.js is the whole widget, not a loader.
 */
import http from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { buildWidget, type WidgetBuild } from '../../scripts/build-widget.js';
import { BUILT_PUBLIC_DIR, createApp } from '../../src/channels/web/app.js';
import { STABLE_MAX_AGE } from '../../src/channels/web/built-assets.js';
import { testServices } from '../helpers/server.js';

let services: Awaited<ReturnType<typeof testServices>>;
let production: Awaited<ReturnType<typeof testServices>>;
let app: Express;
let built: WidgetBuild;

/** What a build from before the loader went wrote: the build must remove it, or the server would go on serving it. */
const STALE = ['widget.0123456789.js', 'widget.0123456789.js.br', 'widget.0123456789.css', 'widget.css'];

beforeAll(async () => {
  await mkdir(BUILT_PUBLIC_DIR, { recursive: true });
  await Promise.all(STALE.map((name) => writeFile(path.join(BUILT_PUBLIC_DIR, name), 'stale')));
  built = await buildWidget();
  services = await testServices();
  production = await testServices({ NODE_ENV: 'production' });
  app = createApp(services);
});
afterAll(async () => {
  await services.cleanup();
  await production.cleanup();
});

/** A GET whose body comes back exactly as sent (supertest would decompress it). */
async function rawGet(p: string, acceptEncoding: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    return await new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: p, headers: { 'accept-encoding': acceptEncoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
const file = (name: string) => readFile(path.join(BUILT_PUBLIC_DIR, name));

describe('built web assets', () => {
  it.each([
    ['br, gzip', 'br'],
    ['gzip, deflate, br;q=0.5', 'gzip'],
    ['gzip', 'gzip'],
    ['identity', undefined],
    ['', undefined],
  ] as const)('Accept-Encoding "%s" gets %s', async (accept, encoding) => {
    const name = built.files.js;
    const res = await rawGet(`/${name}`, accept);
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe(encoding);
    expect(res.headers['vary']).toMatch(/Accept-Encoding/i);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const body = res.body as Buffer;
    const decoded = encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body;
    expect(decoded.equals(await file(name))).toBe(true);
    if (encoding) expect(body.length).toBeLessThan(decoded.length / 2);
  });

  it('widget.js, admin.js and group.js are revalidated (briefly cached in production)', async () => {
    for (const name of [built.files.js, built.files.admin, built.files.group]) {
      expect((await request(app).get(`/${name}`)).headers['cache-control']).toBe('no-cache');
      expect((await request(createApp(production)).get(`/${name}`)).headers['cache-control']).toBe(`public, max-age=${STABLE_MAX_AGE}`);
    }
  });

  it('widget.js is the whole widget, its stylesheet inside, naming no other file to load', async () => {
    const bundle = (await request(app).get('/widget.js')).text;
    expect(bundle.length).toBe(built.jsBytes);
    expect(bundle).toContain('prefers-reduced-motion');
    expect(bundle).not.toMatch(/widget\.[0-9a-f]{10}\.(js|css)|widget\.css/);
  });

  it('answers conditional requests with 304, per encoding, and HEAD without a body', async () => {
    const br = await request(app).get('/widget.js').set('Accept-Encoding', 'br');
    const gz = await request(app).get('/widget.js').set('Accept-Encoding', 'gzip');
    expect(br.headers.etag).toBeDefined();
    expect(br.headers.etag).not.toBe(gz.headers.etag);
    const again = await request(app).get('/widget.js').set('Accept-Encoding', 'br').set('If-None-Match', br.headers.etag as string);
    expect(again.status).toBe(304);
    const head = await request(app).head(`/${built.files.js}`).set('Accept-Encoding', 'gzip');
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(head.text ?? '').toBe('');
  });

  it('serves nothing else from the build folder, and nothing outside it, nor what an earlier build left', async () => {
    for (const p of ['/build-info.json', '/main.js', `/${built.files.js}.br`, '/..%2Fmain.js', '/widget.0123456789.js', '/widget.0123456789.css', '/widget.css']) {
      expect((await request(app).get(p)).status, p).toBe(404);
    }
  });
});
