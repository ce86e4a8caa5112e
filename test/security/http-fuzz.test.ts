/**
 * Bad input over the HTTP API (in-process, real file store), generated with
 * fast-check: malformed JSON, wrong types, extra fields, unknown and
 * path-traversal ids, bad Authorization headers, odd Unicode, long texts,
 * oversized bodies, wrong content types and encodings, odd methods and paths.
 *
 * Every one must get a 4xx with a JSON {error:{code,message}}: never a 5xx,
 * never a crash. And nothing is lost: a conversation created before the
 * fuzzing has exactly the answers it had. Prints how many inputs were tried:
 *   npx vitest run test/security/http-fuzz.test.ts
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/channels/web/app.js';
import { TurnBody } from '../../src/channels/web/schemas.js';
import { ERROR_KINDS } from '../../src/errors.js';
import { testServices } from '../helpers/server.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
let server: http.Server;

/** A conversation with answers, that must come out of the fuzzing exactly as it went in. */
let victim: { id: string; token: string; revision: number; answers: unknown };
/** A conversation the fuzzer may legitimately move (valid token, valid shape, odd text). */
let sandbox: { id: string; token: string };

let tried = 0;
const counts: Record<string, number> = {};
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);

beforeAll(async () => {
  services = await testServices({ RATE_LIMIT_PER_MINUTE: '1000000', START_RATE_LIMIT_PER_MINUTE: '1000000', CONVERSATION_RATE_LIMIT_PER_MINUTE: '1000000', RESUME_RATE_LIMIT_PER_MINUTE: '1000000', ALLOWED_ORIGINS: 'https://intranet.example.gov' });
  server = http.createServer(createApp(services));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const created = await request(server).post('/api/conversations').send({});
  victim = { id: created.body.conversationId, token: created.body.resumeToken, revision: 0, answers: undefined };
  let revision = 0;
  for (const body of [{ choice: 'start' }, { choice: 'unit:national' }, { choice: 'answer:ict-purpose:partly' }, { text: 'yes, through a consultation portal' }, { text: 'note https://example.gov/evidence' }]) {
    const res = await request(server).post(`/api/conversations/${victim.id}/turns`).set('Authorization', `Bearer ${victim.token}`).send({ turnId: `setup-${revision}`, ...body });
    expect(res.status, res.text).toBe(200);
    revision = res.body.revision;
  }
  victim.revision = revision;
  victim.answers = (await storedRecord(victim.id)).state.machine.context.answers;
  expect(Object.keys(victim.answers as object)).toHaveLength(2);

  await freshSandbox();
});

/** A new sandbox conversation (a conversation's file grows with every turn; see SECURITY.md, known limits). */
async function freshSandbox() {
  const other = await request(server).post('/api/conversations').send({});
  sandbox = { id: other.body.conversationId, token: other.body.resumeToken };
  await request(server).post(`/api/conversations/${sandbox.id}/turns`).set('Authorization', `Bearer ${sandbox.token}`).send({ turnId: 'start', choice: 'start' });
  await request(server).post(`/api/conversations/${sandbox.id}/turns`).set('Authorization', `Bearer ${sandbox.token}`).send({ turnId: 'unit', choice: 'unit:national' });
}
const sandboxes: { id: string; token: string }[] = [];

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await services.cleanup();
});

async function storedRecord(id: string) {
  return JSON.parse(await readFile(path.join(services.dataDir, 'conversations', `${id}.json`), 'utf8'));
}

interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Sends one request exactly as given (no client-side JSON encoding, no default headers beyond Host). */
function send(input: Sent, category: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  tried++;
  counts[category] = (counts[category] ?? 0) + 1;
  const address = server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: address.port, method: input.method, path: input.path, headers: input.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(input.body);
  });
}

/** A 4xx with the project's JSON error body. */
function expectClientError(res: { status: number; headers: http.IncomingHttpHeaders; text: string }, input: Sent) {
  const where = `${input.method} ${input.path.slice(0, 120)} ${JSON.stringify(input.headers ?? {}).slice(0, 200)} → ${res.status} ${res.text.slice(0, 200)}`;
  expect(res.status, where).toBeGreaterThanOrEqual(400);
  expect(res.status, where).toBeLessThan(500);
  expect(res.headers['content-type'], where).toMatch(/^application\/json/);
  const body = JSON.parse(res.text) as { error?: { code?: unknown; message?: unknown } };
  expect(Object.keys(ERROR_KINDS), where).toContain(body.error?.code);
  expect(typeof body.error?.message, where).toBe('string');
  expect((body.error?.message as string).length, where).toBeGreaterThan(0);
}

const turnsOf = (id: string) => `/api/conversations/${id}/turns`;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** Characters that break naive code: controls, NUL, lone surrogates, bidi overrides, zero-width, emoji, combining marks. */
const oddChar = fc.oneof(
  fc.constantFrom(
    '\u0000', '\u0001', '\u0008', '\u001b', '\u007f', '\u0085', '\u00a0', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u202e', '\u202d', '\u2066',
    '\u2069', '\u061c', '\ud800', '\udbff', '\udc00', '\udfff', '\ufffd', '\uffff', '😀', '👩‍👩‍👧', '🇫🇷', 'é', 'e\u0301', 'ﬁ', 'İ', 'ß', '\n', '\r\n', '\t',
    '\u2028', '\u2029', '"', '\\', '<script>', '%00', '../', '{{', '${', 'Ω', 'ⅷ', '١',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
);
const oddText = (maxLength: number) => fc.string({ unit: oddChar, maxLength });

/** Header values a client can actually send (Node refuses control characters in headers). */
const headerValue = fc.string({ unit: fc.oneof(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), fc.constantFrom('é', '\u00ff', ' ', '\t')), maxLength: 300 }).filter((v) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v));

const isValidTurnBody = (value: unknown) => TurnBody.safeParse(value).success;

async function property<T>(category: string, arbitrary: fc.Arbitrary<T>, toRequest: (value: T) => Sent, check: (res: Awaited<ReturnType<typeof send>>, input: Sent) => void = expectClientError, runs = RUNS) {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      const input = toRequest(value);
      check(await send(input, category), input);
    }),
    { numRuns: runs },
  );
}

describe('fuzzing the HTTP API', () => {
  it('malformed JSON bodies get 400', async () => {
    const notJson = fc.oneof(fc.string(), oddText(80), fc.constantFrom('{', '{"turnId":', '[1,', '{"a":1}}', "{'turnId':'x'}", 'NaN', 'undefined', '{"text":"\\u12"}', '\u0000{}', '{"text":"x"', '\ufeff{]'));
    await property('malformed JSON', notJson.filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }), (body) => ({
      method: 'POST', path: turnsOf(victim.id), headers: { 'content-type': 'application/json', ...auth(victim.token) }, body,
    }));
    // Raw bytes, valid UTF-8 or not.
    await property('malformed JSON', fc.uint8Array({ minLength: 1, maxLength: 200 }), (bytes) => ({
      method: 'POST', path: turnsOf(victim.id), headers: { 'content-type': 'application/json', ...auth(victim.token) }, body: Buffer.concat([Buffer.from('{"turnId":"x","text":"'), Buffer.from(bytes)]),
    }));
  });

  it('JSON of the wrong shape, wrong types and extra fields get 400', async () => {
    const anyBody = fc.oneof(
      fc.jsonValue(),
      fc.record({ turnId: fc.anything(), choice: fc.anything(), text: fc.anything(), revision: fc.anything() }, { requiredKeys: [] }),
      fc.record({ turnId: fc.constantFrom('t1', 'x'.repeat(101), '', '../../etc', 't 1', 't\u0000'), text: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.string())), revision: fc.oneof(fc.double(), fc.integer({ min: -5, max: -1 }), fc.string(), fc.constant(null)) }, { requiredKeys: [] }),
    ).filter((v) => !isValidTurnBody(v));
    await property('wrong shape or types', anyBody, (body) => ({ method: 'POST', path: turnsOf(victim.id), headers: { ...auth(victim.token), 'content-type': 'application/json' }, body: JSON.stringify(body) }));

    const extra = fc.tuple(fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !['turnId', 'choice', 'text', 'revision'].includes(k)), fc.jsonValue());
    await property('extra fields', extra, ([key, value]) => {
      const body: Record<string, unknown> = { turnId: 'extra', text: 'yes' };
      Object.defineProperty(body, key, { value, enumerable: true, configurable: true, writable: true });
      return { method: 'POST', path: turnsOf(victim.id), headers: { ...auth(victim.token), 'content-type': 'application/json' }, body: JSON.stringify(body) };
    });
    await property('extra fields', fc.jsonValue().filter((v) => !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)), (value) => ({
      method: 'POST', path: '/api/conversations', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ locale: 'en', unexpected: value }),
    }));
    await property('wrong shape or types', fc.anything().filter((v) => !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { code?: unknown }).code === 'string')), (value) => {
      let body: string;
      try { body = JSON.stringify({ code: value }) ?? '{}'; } catch { body = '{"code":null}'; }
      return { method: 'POST', path: '/api/resume', headers: { 'content-type': 'application/json' }, body };
    });
  });

  it('unknown, malformed and path-traversal ids get 4xx', async () => {
    const ids = fc.oneof(
      fc.constantFrom('..', '../..', '..%2F..%2Fetc%2Fpasswd', '%2e%2e', '%2e%2e%2f%2e%2e%2fpackage.json', 'c_..%2F..%2F..%2Fpackage', 'c_%2F%2F', '....//....//', '%00', 'c_AAAAAAAAAA%00.json', '%E0%A4%A', '%', '%ZZ', '%C0%AE%C0%AE', 'c_' + 'A'.repeat(65), 'C_AAAAAAAAAAAAAAAAAAAAAA', '%F0%9F%98%80', 'c_AAAAAAAAAAAAAAAAAAAAAA%20', 'constructor', '__proto__'),
      fc.string({ minLength: 1, maxLength: 80 }).map(encodeURIComponent),
      fc.stringMatching(/^c_[A-Za-z0-9_-]{10,64}$/),
    );
    const token = fc.oneof(fc.constant(victim.token), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/));
    const method = fc.constantFrom('GET /', 'POST /turns', 'POST /resume-code');
    await property('unknown or traversal ids', fc.tuple(ids, token, method), ([id, tok, route]) => {
      const [verb, suffix] = route.split(' ') as [string, string];
      const tail = suffix === '/' ? '' : suffix;
      return verb === 'GET'
        ? { method: 'GET', path: `/api/conversations/${id}${tail}`, headers: auth(tok) }
        : { method: 'POST', path: `/api/conversations/${id}${tail}`, headers: { ...auth(tok), 'content-type': 'application/json' }, body: JSON.stringify({ turnId: 'trav', text: 'yes' }) };
    }, (res, input) => {
      expectClientError(res, input);
      // Never the content of a file outside the store.
      expect(res.text).not.toMatch(/"name":\s*"govstage"|root:x:0/);
    });
  });

  it('missing, wrong and garbage Authorization headers get 401 and change nothing', async () => {
    const header = fc.oneof(
      headerValue,
      headerValue.map((v) => `Bearer ${v}`),
      fc.stringMatching(/^[A-Za-z0-9_-]{16,200}$/).map((t) => `Bearer ${t}`),
      fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `bearer${victim.token.slice(0, 20)}`, `Bearer ${victim.token.slice(0, -1)}`, `Bearer ${victim.token.toUpperCase()}`, `Bearer ${victim.token}x`, `Bearer ${'A'.repeat(201)}`, `Bearer ${'a'.repeat(8000)}`, `Token ${victim.token}`, `Bearer ${victim.token.slice(1)}`),
      // Never the right credentials, however spelled (the server would rightly accept those).
    ).filter((h) => /^Bearer\s+([A-Za-z0-9_-]{16,200})$/.exec(h.trim())?.[1] !== victim.token);
    const route = fc.constantFrom('GET', 'POST turns', 'POST resume-code');
    await property('bad Authorization', fc.tuple(header, route, fc.boolean()), ([value, r, omit]) => {
      const headers: Record<string, string> = omit ? {} : { authorization: value };
      if (r === 'GET') return { method: 'GET', path: `/api/conversations/${victim.id}`, headers };
      return { method: 'POST', path: r === 'POST turns' ? turnsOf(victim.id) : `/api/conversations/${victim.id}/resume-code`, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ turnId: 'auth-fuzz', choice: 'answer:decision-style:yes' }) };
    }, (res, input) => {
      expectClientError(res, input);
      expect(res.status).toBe(401);
    });
  });

  it('odd Unicode and control characters in texts are answered (200) or refused (4xx), and stored readably', async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(oddText(300), fc.integer({ min: 0, max: 1_000_000 }), async (text, n) => {
        if (answered > 0 && answered % 150 === 0) {
          sandboxes.push(sandbox);
          await freshSandbox();
        }
        const input: Sent = { method: 'POST', path: turnsOf(sandbox.id), headers: { ...auth(sandbox.token), 'content-type': 'application/json' }, body: JSON.stringify({ turnId: `u-${n}-${tried}`, text }) };
        const res = await send(input, 'odd Unicode');
        if (res.status === 200) {
          answered++;
          const body = JSON.parse(res.text);
          expect(Array.isArray(body.messages)).toBe(true);
        } else {
          expectClientError(res, input);
        }
      }),
      { numRuns: RUNS * 2 },
    );
    // Odd choices (button ids) are refused as unknown or stale.
    await property('odd Unicode', oddText(100).filter((c) => c.length > 0 && c.length <= 200), (choice) => ({
      method: 'POST', path: turnsOf(sandbox.id), headers: { ...auth(sandbox.token), 'content-type': 'application/json' }, body: JSON.stringify({ turnId: `c-${tried}`, choice }),
    }));
    // Every odd text round-tripped through the file store: the conversations still load.
    for (const conversation of [...sandboxes, sandbox]) {
      const view = await request(server).get(`/api/conversations/${conversation.id}`).set('Authorization', `Bearer ${conversation.token}`);
      expect(view.status, view.text).toBe(200);
    }
    expect(answered).toBeGreaterThan(0);
  });

  it('very long texts get 400, bodies over the limit 413', async () => {
    await property('long texts', fc.integer({ min: 2001, max: 15_000 }), (length) => ({
      method: 'POST', path: turnsOf(victim.id), headers: { ...auth(victim.token), 'content-type': 'application/json' }, body: JSON.stringify({ turnId: 'long', text: 'ä'.repeat(length / 2) + 'x'.repeat(length - Math.floor(length / 2)) }),
    }), (res, input) => {
      expectClientError(res, input);
      expect([400, 413]).toContain(res.status);
    }, 30);
    await property('oversized bodies', fc.tuple(fc.integer({ min: 16 * 1024 + 1, max: 300_000 }), fc.constantFrom('turns', 'create', 'resume')), ([size, route]) => ({
      method: 'POST',
      path: route === 'turns' ? turnsOf(victim.id) : route === 'create' ? '/api/conversations' : '/api/resume',
      headers: { ...auth(victim.token), 'content-type': 'application/json' },
      body: JSON.stringify({ turnId: 'big', text: 'y'.repeat(size) }),
    }), (res, input) => {
      expectClientError(res, input);
      expect(res.status).toBe(413);
    }, 30);
  });

  it('wrong content types and encodings get 4xx', async () => {
    const type = fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/html', 'application/octet-stream', 'application/json; charset=latin1', 'application/json; charset=koi8-r', 'image/png', 'application/jsonx', 'json');
    const route = fc.constantFrom(turnsOf(victim.id), '/api/conversations', '/api/resume', `/api/conversations/${victim.id}/resume-code`);
    await property('wrong content types', fc.tuple(type, route, fc.string({ minLength: 1, maxLength: 100 })), ([contentType, p, text]) => ({
      method: 'POST', path: p, headers: { ...auth(victim.token), 'content-type': contentType }, body: contentType.includes('json') ? JSON.stringify({ turnId: 'ct', text }) : text,
    }));
    await property('wrong content types', fc.tuple(fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'identity, gzip', 'x-unknown'), fc.uint8Array({ maxLength: 64 })), ([encoding, bytes]) => ({
      method: 'POST', path: turnsOf(victim.id), headers: { ...auth(victim.token), 'content-type': 'application/json', 'content-encoding': encoding }, body: Buffer.from(bytes),
    }));
    // A gzip bomb: small on the wire, far over the limit once inflated.
    const bomb = gzipSync(Buffer.from(JSON.stringify({ turnId: 'bomb', text: ' '.repeat(5_000_000) })));
    const res = await send({ method: 'POST', path: turnsOf(victim.id), headers: { ...auth(victim.token), 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb }, 'wrong content types');
    expectClientError(res, { method: 'POST', path: 'gzip bomb' });
    expect(res.status).toBe(413);
  });

  it('odd methods and paths get 4xx JSON', async () => {
    const segment = fc.oneof(fc.constantFrom('..', '%2e%2e', '%', '%E0%A4%A', '%00', 'conversations', 'resume', 'turns', 'c_AAAAAAAAAAAAAAAAAAAAAA', '%252e', '~', '.git', 'openapi.json'), fc.string({ maxLength: 20 }).map(encodeURIComponent));
    const apiPath = fc.array(segment, { minLength: 0, maxLength: 5 }).map((parts) => `/api/${parts.join('/')}`);
    await property('odd methods and paths', fc.tuple(fc.constantFrom('PUT', 'PATCH', 'DELETE', 'POST', 'GET'), apiPath), ([method, p]) => ({ method, path: p, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' }), (res, input) => {
      // A few real routes exist among the generated paths (POST /api/conversations, GET /api/openapi.json): those may succeed.
      if (res.status < 300 && /^\/api\/(conversations|openapi\.json|report-schema\.json)\/?$/.test(input.path)) return;
      expectClientError(res, input);
    });
    // Outside /api: odd paths are 404 JSON (static files never leave the public folder).
    await property('odd methods and paths', fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`), (p) => ({ method: 'GET', path: p }), (res, input) => {
      // A folder is redirected to its trailing slash, on this site only (never an open redirect to //elsewhere).
      if (res.status === 301) {
        expect(res.headers.location, input.path).toMatch(/^\/(?![/\\])/);
        return;
      }
      if (res.status === 200) {
        // Only files from public/: never package.json, sources or the data folder.
        expect(res.text, input.path).not.toMatch(/"devDependencies"|import \{|recordVersion/);
        return;
      }
      expectClientError(res, input);
    });
  });

  it('after all of it the conversation created before has exactly the answers it had', async () => {
    const record = await storedRecord(victim.id);
    expect(record.revision).toBe(victim.revision);
    expect(record.state.machine.context.answers).toEqual(victim.answers);
    const view = await request(server).get(`/api/conversations/${victim.id}`).set('Authorization', `Bearer ${victim.token}`);
    expect(view.status).toBe(200);
    expect(view.body.revision).toBe(victim.revision);
    expect((await request(server).get('/healthz')).status).toBe(200);
    console.log(`[http-fuzz] bad inputs tried: ${tried} (${Object.entries(counts).map(([k, v]) => `${k}: ${v}`).join(', ')}); 5xx: 0; conversation created before: unchanged`);
  });
});
