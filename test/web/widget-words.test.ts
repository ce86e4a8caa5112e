/**
 * What the widget fetches before its first question: one request, the words
 * with the introduction in their language, compressed and revalidated by
 * ETag (on a slow network every round trip and kilobyte shows).
 */
import { get, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/channels/web/app.js';
import { testServices } from '../helpers/server.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  services = await testServices();
  app = createApp(services);
});
afterAll(async () => {
  await services.cleanup();
});

/** The raw body, as sent (supertest and fetch would decode it). */
function raw(path: string, headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      get({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => server.close(() => resolve({ headers: res.headers, body: Buffer.concat(chunks) })));
      }).on('error', reject);
    });
  });
}

describe("the widget's words", () => {
  it.each([['en', 'en'], ['fr-CA,fr', 'fr'], ['de', 'en']])('come with the introduction in the same language (prefer %s)', async (prefer, locale) => {
    const words = await request(app).get(`/api/widget-words?prefer=${prefer}`);
    expect(words.body.locale).toBe(locale);
    const intro = await request(app).get(`/api/introduction?locale=${locale}`);
    expect(words.body.introduction).toEqual(intro.body.messages);
    expect(words.body.introduction[0].choices[0].id).toBe('start');
    // Nothing is created by showing it.
    const stored = [];
    for await (const summary of services.store.list()) stored.push(summary);
    expect(stored).toHaveLength(0);
  });

  it.each([['br', brotliDecompressSync], ['gzip', gunzipSync]] as const)('are sent %s-compressed to a client that takes it, under half their size', async (encoding, decode) => {
    const plain = await raw('/api/widget-words?prefer=fr', { 'Accept-Encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const packed = await raw('/api/widget-words?prefer=fr', { 'Accept-Encoding': `${encoding}` });
    expect(packed.headers['content-encoding']).toBe(encoding);
    expect(packed.headers.vary).toMatch(/Accept-Encoding/i);
    expect(decode(packed.body).equals(plain.body)).toBe(true);
    expect(packed.body.length * 2).toBeLessThan(plain.body.length);
    expect(JSON.parse(plain.body.toString('utf8')).locale).toBe('fr');
  });

  it('are revalidated by ETag: an unchanged copy costs a 304 and no body', async () => {
    const first = await request(app).get('/api/widget-words?prefer=en');
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    const again = await request(app).get('/api/widget-words?prefer=en').set('If-None-Match', first.headers.etag as string);
    expect(again.status).toBe(304);
    const other = await request(app).get('/api/widget-words?prefer=fr').set('If-None-Match', first.headers.etag as string);
    expect(other.status).toBe(200);
    expect(other.headers.etag).not.toBe(first.headers.etag);
  });

  it('the introduction of a locale not offered is the default one, the same copy', async () => {
    const en = await request(app).get('/api/introduction?locale=en');
    const other = await request(app).get('/api/introduction?locale=de');
    expect(other.status).toBe(200);
    expect(other.headers.etag).toBe(en.headers.etag);
    expect(other.body).toEqual(en.body);
  });
});
