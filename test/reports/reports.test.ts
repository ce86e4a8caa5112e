import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createApp } from '../../src/channels/web/app.js';
import { parseAnswersCsv } from '../../src/reports/csv.js';
import { parseReportMarkdown, reportMarkdown } from '../../src/reports/markdown.js';
import { AssessmentReport } from '../../src/reports/report.js';
import { suppress } from '../../src/reports/overview.js';
import { completeAssessment, PROFILES } from '../helpers/assessment.js';
import { testServices } from '../helpers/server.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
let app: Express;
const ADMIN = 'a'.repeat(16) + '-admin-token-for-tests';

beforeAll(async () => {
  services = await testServices({ ADMIN_TOKEN: ADMIN, MIN_GROUP_SIZE: '3' });
  app = createApp(services);
});
afterAll(async () => services.cleanup());
const en = () => services.locales.words('en');

describe('report content', () => {
  it.each(Object.entries(PROFILES))('the %s profile reports that stage overall and per theme, with every answer', async (stage, replies) => {
    const { conversationId, access } = await completeAssessment(services.service, replies);
    const report = await services.service.report(conversationId, access);
    expect(AssessmentReport.parse(report)).toEqual(report);
    expect(report.overall.stage).toBe(stage);
    expect(report.themes.map((t) => t.stage)).toEqual([stage, stage, stage]);
    expect(report.answers).toHaveLength(14);
    expect(report.answers.every((a) => a.answer !== '' && a.states !== null && a.states !== 'unknown')).toBe(true);
    expect(report.suggestions.length).toBeGreaterThan(0);
    for (const s of report.suggestions) expect(services.definition.policies.get(s.policyId)?.text).toBe(s.text);
    expect(report.source.note).toContain('OECD');
    expect(report.assessment).toMatchObject({ rubricVersion: 2, flowVersion: 2 });
    expect(report.finishedAt).not.toBeNull();
  });

  it('keeps notes, and shows what changed since the previous assessment', async () => {
    const first = await completeAssessment(services.service, PROFILES.early);
    const second = await completeAssessment(services.service, ['1', 'no, we built a feedback portal: https://ex.gov/p?a=1&b=<2>', ...PROFILES.intermediate.slice(2)], { previousId: first.conversationId });
    const report = await services.service.report(second.conversationId, second.access);
    expect(report.answers[0]?.note).toBe('we built a feedback portal: https://ex.gov/p?a=1&b=<2>');
    expect(report.previous?.overall).toEqual({ from: 'early', to: 'intermediate', direction: 'up' });
    expect(report.previous?.themes.every((t) => t.direction === 'up')).toBe(true);
  });

  it('a new assessment started from a finished one becomes its re-assessment', async () => {
    const first = await completeAssessment(services.service, PROFILES.advanced);
    const reply = await first.say('new assessment');
    expect(reply.switchTo).toBeDefined();
    const record = await services.store.get(reply.switchTo!.conversationId);
    expect(record?.previousId).toBe(first.conversationId);
  });

  it('refuses a report for an unfinished assessment', async () => {
    const started = await services.service.start({ channel: 'web' });
    await expect(services.service.report(started.conversationId, { kind: 'token', token: started.resumeToken })).rejects.toMatchObject({ kind: 'CONFLICT' });
  });
});

describe('exports parse back to the same result', () => {
  it('JSON, CSV and Markdown', async () => {
    const tricky = ['1', 'partly, =SUM(A1) "quoted", with commas; and a | pipe\nand <b>bold</b>', ...PROFILES.intermediate.slice(2)];
    const { conversationId, token } = await completeAssessment(services.service, tricky);
    const auth = { Authorization: `Bearer ${token}` };
    const json = await request(app).get(`/api/conversations/${conversationId}/report.json`).set(auth);
    expect(json.status).toBe(200);
    const report = AssessmentReport.parse(JSON.parse(json.text));
    expect(report.answers[0]?.note).toContain('=SUM(A1)');

    const csv = await request(app).get(`/api/conversations/${conversationId}/report.csv`).set(auth);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text).toContain("'=SUM"); // not a formula when opened in a spreadsheet
    const rows = parseAnswersCsv(csv.text);
    expect(rows.map((r) => ({ questionId: r.questionId, answerId: r.answerId, answer: r.answer, states: r.states, note: r.note, question: r.question })))
      .toEqual(report.answers.map((a) => ({ questionId: a.questionId, answerId: a.answerId, answer: a.answer, states: a.states, note: a.note, question: a.question })));
    // The stage and its status are fields on every row, the same as the JSON's.
    for (const r of rows) {
      const theme = report.themes.find((t) => t.themeId === r.themeId);
      expect([r.themeStage, r.themeStageStatus, r.overallStage, r.overallStageStatus]).toEqual([theme?.stage ?? null, theme?.status, report.overall.stage, report.overall.status]);
    }

    const md = await request(app).get(`/api/conversations/${conversationId}/report.md`).set(auth);
    expect(md.text).not.toMatch(/(?<!\\)<b>/); // only as an escaped, literal "\<b>"
    const parsed = parseReportMarkdown(md.text, en());
    expect(parsed.overall).toBe(report.overall.stageLabel);
    expect(parsed.themes).toEqual(report.themes.map((t) => ({ title: t.title, stage: t.stageLabel })));
    expect(parsed.answers).toEqual(report.answers.map((a) => ({ number: a.number, question: a.question, answer: a.answer, note: a.note })));
    expect(reportMarkdown(report, 'x', en())).toContain('## Policies and practices to consider (OECD)');
  });

  it('publishes the JSON Schema of the report', async () => {
    const schema = await request(app).get('/api/report-schema.json');
    expect(schema.body.properties.schemaVersion.const).toBe(2);
    expect(schema.body.required).toContain('answers');
  });
});

/**
 * What a CommonMark/GFM renderer would still treat as syntax once every
 * backslash escape is taken out: link and image brackets, raw HTML and
 * autolinks (`<`; a lone `>` is text), entities, emphasis, code,
 * strikethrough, math, bare URLs and addresses.
 */
function activeMarkdown(text: string): string[] {
  const plain = text.replace(/\\[!-/:-@[-`{-~]/g, ' ').replace(/<br>/g, ' ');
  return [...plain.matchAll(/[[\]<&*_`~$]|:\/\/|www\.|@/gi)].map((m) => m[0]);
}

describe('the Markdown report', () => {
  const note = 'see [our portal](javascript:alert(1)) ![](https://tracker.example/p.gif) <b>bold</b> & &amp; *star* _u_ `code` ~~gone~~ $x$ www.ex.gov me@ex.gov \\[not a link] | pipe';

  it('shows a note as the literal text typed: no entities, no link, image, markup or autolink', async () => {
    const { conversationId, access } = await completeAssessment(services.service, ['1', `partly, ${note}`, ...PROFILES.intermediate.slice(2)]);
    const report = await services.service.report(conversationId, access);
    expect(report.answers[0]?.note).toBe(note);
    const md = reportMarkdown(report, 'Title', en());
    const row = md.split('\n').find((line) => line.startsWith('| 1 | '));
    const cell = row?.slice(2, -2).split(/(?<!\\) \| /)[3] ?? '';
    // No HTML entities: "<b>" is not "&lt;b&gt;", and the "&amp;" typed is not "&amp;amp;".
    expect(cell).not.toContain('&lt;');
    expect(cell).not.toContain('&amp;amp;');
    expect(activeMarkdown(cell)).toEqual([]);
    // Escaped only with backslashes: taking them out gives the note back, word for word.
    expect(parseReportMarkdown(md, en()).answers[0]?.note).toBe(note);
  });

  it('names its source once', async () => {
    const { conversationId, access } = await completeAssessment(services.service, PROFILES.early);
    const md = reportMarkdown(await services.service.report(conversationId, access), 'Title', en());
    expect(md).toMatch(/Source: OECD/);
    expect(md).not.toMatch(/^#+ Source\s*\n+Source:/m);
    expect(md.match(/Source/g)).toHaveLength(1);
  });
});

describe('report links', () => {
  it('serve the page and downloads, and refuse wrong and revoked tokens', async () => {
    const { conversationId, token } = await completeAssessment(services.service, PROFILES.early);
    const link = await request(app).post(`/api/conversations/${conversationId}/report-link`).set('Authorization', `Bearer ${token}`);
    expect(link.status).toBe(201);
    const page = await request(app).get(link.body.path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<svg');
    expect(page.text).toContain('Develop consultation instruments');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await request(app).get(`${link.body.path}/answers.csv`)).status).toBe(200);

    const wrong = link.body.path.replace(/[A-Za-z0-9_-]{5}$/, 'AAAAA');
    expect((await request(app).get(wrong)).status).toBe(404);
    await request(app).delete(`/api/conversations/${conversationId}/report-link`).set('Authorization', `Bearer ${token}`).expect(204);
    expect((await request(app).get(link.body.path)).status).toBe(404);
    expect((await request(app).get(`${link.body.path}/report.json`)).status).toBe(404);
  });

  it('expire after the configured time', async () => {
    const { conversationId, access } = await completeAssessment(services.service, PROFILES.early);
    const link = await services.service.issueReportLink(conversationId, access);
    const record = await services.store.get(conversationId);
    await services.store.update({ ...record!, revision: record!.revision + 1, reportLink: { ...record!.reportLink!, expiresAt: new Date(Date.now() - 1000).toISOString() } }, record!.revision);
    const res = await request(app).get(link.path);
    expect(res.status).toBe(410);
  });
});

describe("coordinator's overview", () => {
  it('refuses requests without the admin token', async () => {
    expect((await request(app).get('/api/admin/overview')).status).toBe(401);
    expect((await request(app).get('/api/admin/overview').set('Authorization', 'Bearer wrong')).status).toBe(401);
    expect((await request(app).get('/api/admin/results.csv')).status).toBe(401);
  });

  it('is off when ADMIN_TOKEN is unset', async () => {
    const other = await testServices();
    try {
      expect((await request(createApp(other)).get('/api/admin/overview').set('Authorization', `Bearer ${ADMIN}`)).status).toBe(404);
    } finally {
      await other.cleanup();
    }
  });

  it('counts started and finished, and hides groups smaller than MIN_GROUP_SIZE', async () => {
    const res = await request(app).get('/api/admin/overview').set('Authorization', `Bearer ${ADMIN}`);
    expect(res.status).toBe(200);
    // Started counts assessments someone answered (test/reports/overview.test.ts): at least every finished one.
    expect(res.body.started).toBeGreaterThanOrEqual(res.body.finished);
    expect(res.body.distributionShown).toBe(true);
    for (const d of [res.body.overall, ...res.body.themes.map((t: { distribution: unknown }) => t.distribution)]) {
      for (const value of Object.values(d as Record<string, number | null>)) {
        if (value !== null) expect(value === 0 || value >= 3).toBe(true);
      }
    }
    const csv = await request(app).get('/api/admin/results.csv').set('Authorization', `Bearer ${ADMIN}`);
    expect(csv.status).toBe(200);
    // The page's table, the page's suppression (test/reports/overview.test.ts has the rest).
    expect(csv.text.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('row,title,early,intermediate,advanced,undecided,hidden');
    expect(csv.text).not.toMatch(/c_[A-Za-z0-9_-]{10,}/);
  });

  it('hides counts that could be worked out from the total', () => {
    expect(suppress({ early: 0, intermediate: 3, advanced: 10, undecided: 0 }, 5)).toEqual({ early: 0, intermediate: null, advanced: null, undecided: 0, hidden: 13 });
    expect(suppress({ early: 7, intermediate: 8, advanced: 9, undecided: 0 }, 5)).toEqual({ early: 7, intermediate: 8, advanced: 9, undecided: 0, hidden: 0 });
    expect(suppress({ early: 1, intermediate: 1, advanced: 9, undecided: 9 }, 5)).toEqual({ early: null, intermediate: null, advanced: null, undecided: 9, hidden: 11 });
  });
});

describe("ours and the OECD's, apart in every output format", () => {
  /** The advanced profile with the ecosystem part "not sure": open data is intermediate, at least, and so overall. */
  const AT_LEAST = ['1', ...PROFILES.advanced.slice(1, 14), 'not sure'];

  it('JSON marks our texts, HTML and Markdown label them, and "at least" is the same value everywhere', async () => {
    const { conversationId, token, access } = await completeAssessment(services.service, AT_LEAST);
    const report = await services.service.report(conversationId, access);
    const texts = (await import('../../src/core/definition.js')).textsFor(services.definition, 'en');
    expect(report.overall).toMatchObject({ stage: 'intermediate', status: 'at-least', explanationBy: 'govstage' });
    expect(report.overall.stageLabel).toBe(texts.t('stageAtLeast', { stage: texts.stageLabel('intermediate') }));
    expect(report.overall.pending.map((p) => p.questionId)).toEqual(['open-data-ecosystem']);
    for (const t of report.themes) expect([t.titleBy, t.explanationBy]).toEqual(['govstage', 'govstage']);
    for (const s of report.suggestions) {
      expect(s.reasonBy).toBe('govstage');
      expect(services.definition.policies.get(s.policyId)?.text).toBe(s.text);
    }
    for (const a of report.answers) {
      expect(a.questionBy).toBe('govstage');
      expect(a.evidences[0]?.oecdText).toBe(services.definition.characteristics.get(a.characteristicId)?.text);
    }
    expect(report.assessment.unit).toEqual({ id: 'national', label: 'A national government as a whole' });

    const auth = { Authorization: `Bearer ${token}` };
    const md = (await request(app).get(`/api/conversations/${conversationId}/report.md`).set(auth)).text;
    expect(md).toContain(texts.t('oursLabel'));
    expect(parseReportMarkdown(md, en()).overall).toBe(report.overall.stageLabel);
    const csv = parseAnswersCsv((await request(app).get(`/api/conversations/${conversationId}/report.csv`).set(auth)).text);
    expect(new Set(csv.map((r) => `${r.overallStage}/${r.overallStageStatus}`))).toEqual(new Set(['intermediate/at-least']));
    const link = await request(app).post(`/api/conversations/${conversationId}/report-link`).set(auth);
    const html = (await request(app).get(link.body.path)).text;
    expect(html.split(texts.t('oursLabel').replace(/'/g, '&#39;')).length - 1).toBeGreaterThanOrEqual(report.themes.length);
    expect(html).toContain(report.overall.stageLabel);
  });
});
