/**
 * The deployment-wide coordinator's overview, as a coordinator would read
 * it: "started" counts people who answered (not page visits), shares are of
 * all finished assessments, the CSV export carries exactly the page's
 * suppression, and too few finished gives no distribution and no export.
 */
import type { Express } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/channels/web/app.js';
import { parseCsv } from '../../src/reports/csv.js';
import { buildOverview, overviewCsv, suppress } from '../../src/reports/overview.js';
import { completeAssessment, PROFILES } from '../helpers/assessment.js';
import { testServices } from '../helpers/server.js';

const ADMIN = 'c'.repeat(24);
type Services = Awaited<ReturnType<typeof testServices>>;

async function withServices<T>(min: number, work: (services: Services, app: Express) => Promise<T>): Promise<T> {
  const services = await testServices({ ADMIN_TOKEN: ADMIN, MIN_GROUP_SIZE: String(min) });
  try {
    return await work(services, createApp(services));
  } finally {
    await services.cleanup();
  }
}

const admin = (app: Express, path: string) => request(app).get(path).set('Authorization', `Bearer ${ADMIN}`);

describe("the deployment's overview", () => {
  it('counts as started only assessments someone answered, not every page visit or unanswered start', async () => {
    await withServices(2, async (services) => {
      for (let i = 0; i < 4; i++) await services.service.start({ channel: 'web' });
      const opened = await services.service.start({ channel: 'web' });
      await services.service.turn({ conversationId: opened.conversationId, access: { kind: 'token', token: opened.resumeToken }, channel: 'web', turnId: 'o-1', input: { kind: 'text', text: 'start' } });
      const answering = await services.service.start({ channel: 'web' });
      for (const [i, text] of ['start', '1'].entries()) await services.service.turn({ conversationId: answering.conversationId, access: { kind: 'token', token: answering.resumeToken }, channel: 'web', turnId: `a-${i}`, input: { kind: 'text', text } });
      await completeAssessment(services.service, PROFILES.early);
      const overview = await buildOverview(services.store, services.definition, 2);
      expect(overview).toMatchObject({ started: 2, finished: 1 });
    });
  });

  it('says how many of all finished are hidden, so shares are of everyone who finished', async () => {
    await withServices(3, async (services, app) => {
      for (let i = 0; i < 4; i++) await completeAssessment(services.service, PROFILES.early);
      for (let i = 0; i < 2; i++) await completeAssessment(services.service, PROFILES.intermediate);
      await completeAssessment(services.service, PROFILES.advanced);
      const res = await admin(app, '/api/admin/overview');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ started: 7, finished: 7, distributionShown: true });
      // 4 early; the 2 intermediate and the 1 advanced are hidden together: 3 of the 7, so early is 4 of 7, not 4 of 4.
      expect(res.body.overall).toEqual({ early: 4, intermediate: null, advanced: null, undecided: 0, hidden: 3 });
      for (const theme of res.body.themes as { distribution: Record<string, number | null> }[]) {
        const d = theme.distribution;
        expect((d.early ?? 0) + (d.intermediate ?? 0) + (d.advanced ?? 0) + (d.undecided ?? 0) + (d.hidden ?? 0)).toBe(7);
      }
    });
  });

  it('exports exactly the table the page shows, with the same cells hidden, and nothing per assessment', async () => {
    await withServices(3, async (services, app) => {
      for (let i = 0; i < 4; i++) await completeAssessment(services.service, PROFILES.early);
      await completeAssessment(services.service, PROFILES.intermediate);
      await completeAssessment(services.service, PROFILES.advanced);
      const overview = (await admin(app, '/api/admin/overview')).body as Awaited<ReturnType<typeof buildOverview>>;
      const res = await admin(app, '/api/admin/results.csv');
      expect(res.status).toBe(200);
      const [header, ...rows] = parseCsv(res.text);
      expect(header).toEqual(['row', 'title', 'early', 'intermediate', 'advanced', 'undecided', 'hidden']);
      const cell = (v: number | null) => (v === null ? 'hidden' : String(v));
      expect(rows).toEqual(
        [...overview.themes.map((t) => ({ id: t.themeId, title: t.title, d: t.distribution })), { id: 'overall', title: 'Overall', d: overview.overall }].map((r) => [
          r.id, r.title, cell(r.d?.early ?? null), cell(r.d?.intermediate ?? null), cell(r.d?.advanced ?? null), cell(r.d?.undecided ?? null), String(r.d?.hidden ?? 0),
        ]),
      );
      // Not one row per assessment: the export can no longer be counted to undo the suppression.
      expect(rows).toHaveLength(overview.themes.length + 1);
      expect(overviewCsv(overview)).toBe(res.text.replace(/^\uFEFF/, ''));
    });
  });

  it('with fewer than the minimum finished, gives no distribution and no export', async () => {
    await withServices(5, async (services, app) => {
      for (let i = 0; i < 3; i++) await completeAssessment(services.service, PROFILES.early);
      const res = await admin(app, '/api/admin/overview');
      expect(res.body).toMatchObject({ finished: 3, minGroupSize: 5, distributionShown: false, overall: null });
      expect((await admin(app, '/api/admin/results.csv')).status).toBe(403);
    });
  });

  it('hides counts that could be worked out from the total, and says how many are hidden together', () => {
    expect(suppress({ early: 0, intermediate: 3, advanced: 10, undecided: 0 }, 5)).toEqual({ early: 0, intermediate: null, advanced: null, undecided: 0, hidden: 13 });
    expect(suppress({ early: 7, intermediate: 8, advanced: 9, undecided: 0 }, 5)).toEqual({ early: 7, intermediate: 8, advanced: 9, undecided: 0, hidden: 0 });
    expect(suppress({ early: 1, intermediate: 1, advanced: 9, undecided: 9 }, 5)).toEqual({ early: null, intermediate: null, advanced: null, undecided: 9, hidden: 11 });
  });
});
