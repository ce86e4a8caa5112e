/**
 * Tokens and resume codes: enough randomness, shown once, stored only as
 * hashes. After a conversation has been created, paused, given a new code
 * and resumed on another device, no file of the data folder holds any token
 * or code it handed out, in any spelling.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/channels/web/app.js';
import { hashResumeCode, hashToken, newConversationId, newResumeCode, newToken, RESUME_CODE_LENGTH } from '../../src/service/secrets.js';
import { testServices } from '../helpers/server.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
let app: Express;

beforeAll(async () => {
  services = await testServices({ RATE_LIMIT_PER_MINUTE: '100000', RESUME_RATE_LIMIT_PER_MINUTE: '1000' });
  app = createApp(services);
});
afterAll(async () => services.cleanup());

/** Bits set per position over many samples: each must look like a fair coin (a stuck or biased bit fails). */
function expectUniformBits(samples: Buffer[]) {
  const bits = samples[0]!.length * 8;
  const ones = new Array<number>(bits).fill(0);
  for (const sample of samples) for (let i = 0; i < bits; i++) if ((sample[i >> 3]! >> (7 - (i & 7))) & 1) ones[i]!++;
  const n = samples.length;
  const sd = Math.sqrt(n / 4);
  // 6 standard deviations: a fair bit essentially never fails, a stuck or heavily biased one always does.
  for (let i = 0; i < bits; i++) expect(Math.abs(ones[i]! - n / 2), `bit ${i}`).toBeLessThan(6 * sd);
  const total = ones.reduce((a, b) => a + b, 0) / (n * bits);
  expect(total).toBeGreaterThan(0.48);
  expect(total).toBeLessThan(0.52);
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(full)));
    else out.push(full);
  }
  return out;
}

describe('token strength', () => {
  it('bearer tokens carry 256 random bits (>= 128 required), URL-safe, never repeated', async () => {
    const tokens = await Promise.all(Array.from({ length: 300 }, async () => (await services.service.start({ channel: 'web' })).resumeToken));
    tokens.push(...Array.from({ length: 300 }, () => newToken()));
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const decoded = tokens.map((t) => Buffer.from(t, 'base64url'));
    for (const bytes of decoded) expect(bytes.length * 8).toBeGreaterThanOrEqual(256);
    expect(new Set(tokens).size).toBe(tokens.length);
    expectUniformBits(decoded);
  });

  it('conversation ids carry 128 random bits', () => {
    const ids = Array.from({ length: 400 }, () => newConversationId());
    for (const id of ids) expect(id).toMatch(/^c_[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expectUniformBits(ids.map((id) => Buffer.from(id.slice(2), 'base64url')));
  });

  it('resume codes: 10 characters of a 32-letter alphabet (50 bits), all characters used evenly', () => {
    const codes = Array.from({ length: 4000 }, () => newResumeCode());
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(RESUME_CODE_LENGTH * Math.log2(32)).toBe(50);
    expect(new Set(codes).size).toBe(codes.length);
    const counts = new Map<string, number>();
    for (const code of codes) for (const ch of code.replace('-', '')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (codes.length * 10) / 32;
    for (const [ch, count] of counts) expect(Math.abs(count - expected), ch).toBeLessThan(6 * Math.sqrt(expected));
  });
});

describe('secrets at rest', () => {
  it('no token or resume code handed out is in any stored file; their hashes are', async () => {
    const handedOut: string[] = [];
    const created = await request(app).post('/api/conversations').send({});
    const id = created.body.conversationId as string;
    let token = created.body.resumeToken as string;
    handedOut.push(token, created.body.resumeCode);
    const turn = (body: Record<string, unknown>) => request(app).post(`/api/conversations/${id}/turns`).set('Authorization', `Bearer ${token}`).send(body);
    expect((await turn({ turnId: 'a', choice: 'start' })).status).toBe(200);
    expect((await turn({ turnId: 'b', text: 'yes' })).status).toBe(200);
    const paused = await turn({ turnId: 'c', text: 'pause' });
    const pausedCode = paused.body.messages.find((m: { kind: string }) => m.kind === 'paused').resume.code as string;
    handedOut.push(pausedCode);
    const issued = await request(app).post(`/api/conversations/${id}/resume-code`).set('Authorization', `Bearer ${token}`);
    handedOut.push(issued.body.code);
    const resumed = await request(app).post('/api/resume').send({ code: issued.body.code });
    expect(resumed.status).toBe(200);
    token = resumed.body.resumeToken;
    handedOut.push(token);
    expect((await turn({ turnId: 'd', text: 'no' })).status).toBe(200);
    const again = await request(app).post(`/api/conversations/${id}/resume-code`).set('Authorization', `Bearer ${token}`);
    handedOut.push(again.body.code);

    const files = await allFiles(services.dataDir);
    expect(files.length).toBeGreaterThan(1);
    const contents = await Promise.all(files.map(async (f) => `${path.relative(services.dataDir, f)}\n${await readFile(f, 'utf8')}`));
    const everything = contents.join('\n');
    for (const secret of handedOut) {
      for (const form of new Set([secret, secret.replace('-', ''), secret.toLowerCase(), secret.replace('-', '').toLowerCase()])) {
        expect(everything.includes(form), `"${form}" is stored in clear`).toBe(false);
      }
    }
    // What is stored instead: the hash of the current token and of the current code.
    const record = JSON.parse(await readFile(path.join(services.dataDir, 'conversations', `${id}.json`), 'utf8'));
    expect(record.tokenHash).toBe(hashToken(token));
    expect(record.resumeCode.hash).toBe(hashResumeCode(again.body.code));
    // Only the current code still works.
    const codes = handedOut.filter((s) => /^[0-9A-Z]{5}-[0-9A-Z]{5}$/.test(s));
    expect(codes).toHaveLength(4);
    for (const old of codes.slice(0, -1)) expect((await request(app).post('/api/resume').send({ code: old })).status).toBe(404);
  });
});
