/**
 * CSV downloads start with a UTF-8 byte-order mark, so that Excel reads
 * accented notes as UTF-8 instead of garbling them; the CSV text itself (what
 * other code builds on) has none, and a download still parses back.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createApp } from '../../src/channels/web/app.js';
import { answersCsv, parseAnswersCsv } from '../../src/reports/csv.js';
import { completeAssessment, PROFILES } from '../helpers/assessment.js';
import { testServices } from '../helpers/server.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const ADMIN = 'b'.repeat(24);

let services: Awaited<ReturnType<typeof testServices>>;
let app: Express;

beforeAll(async () => {
  services = await testServices({ ADMIN_TOKEN: ADMIN, MIN_GROUP_SIZE: '1' });
  app = createApp(services);
});
afterAll(async () => services.cleanup());

/** The body exactly as sent, as bytes. */
const raw = (req: request.Test) =>
  req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });

describe('CSV downloads', () => {
  it('start with a UTF-8 byte-order mark and parse back to the same answers, accents intact', async () => {
    const { conversationId, token, access } = await completeAssessment(services.service, ['1', 'partly, consultation à Montréal, café', ...PROFILES.intermediate.slice(2)]);
    const report = await services.service.report(conversationId, access);
    expect(answersCsv(report, services.locales.words('en')).startsWith('\uFEFF')).toBe(false);

    const viaToken = await raw(request(app).get(`/api/conversations/${conversationId}/report.csv`).set('Authorization', `Bearer ${token}`));
    const link = await request(app).post(`/api/conversations/${conversationId}/report-link`).set('Authorization', `Bearer ${token}`);
    const viaLink = await raw(request(app).get(`${link.body.path}/answers.csv`));
    for (const res of [viaToken, viaLink]) {
      expect(res.status).toBe(200);
      const body = res.body as Buffer;
      expect(body.subarray(0, 3)).toEqual(BOM);
      expect(body.toString('utf8')).toContain('consultation à Montréal, café');
      expect(parseAnswersCsv(body.toString('utf8')).map((r) => [r.questionId, r.answer, r.note])).toEqual(report.answers.map((a) => [a.questionId, a.answer, a.note]));
    }
  });

  it("the coordinator's results export starts with the byte-order mark too", async () => {
    const res = await raw(request(app).get('/api/admin/results.csv').set('Authorization', `Bearer ${ADMIN}`));
    expect(res.status).toBe(200);
    expect((res.body as Buffer).subarray(0, 3)).toEqual(BOM);
    expect((res.body as Buffer).subarray(3).toString('utf8')).toMatch(/^row,title,/);
  });
});
