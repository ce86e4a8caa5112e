/**
 * Report routes: the shareable report page and its downloads (at an
 * unguessable, revocable link), and the API to create or revoke that link
 * and to download a report with the conversation's own token.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { reportMarkdown } from '../../reports/markdown.js';
import { answersCsv, csvDownload } from '../../reports/csv.js';
import { reportHtml } from '../../reports/html.js';
import { AssessmentReport } from '../../reports/report.js';
import type { ConversationService } from '../../service/conversation-service.js';
import { textsFor } from '../../core/definition.js';
import type { Locales } from '../../i18n/words.js';
import { bearer } from './api.js';
import { parseInput } from './http-errors.js';
import { ConversationId, ReportQuery } from './schemas.js';

const LinkToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'is not a report link');
export const ReportFormat = z.enum(['md', 'json', 'csv']);
export type ReportFormat = z.infer<typeof ReportFormat>;

export function sendReport(res: Response, report: AssessmentReport, format: ReportFormat, title: string, locales: Locales): void {
  const words = locales.words(report.assessment.locale);
  const date = (report.finishedAt ?? report.generatedAt).slice(0, 10);
  // The file's name in the report's language too ("rapport", "reponses"): what a person sees in their downloads.
  // Letters, digits and dashes only: a header value takes no other (a translation's accents become dashes).
  const part = (format === 'csv' ? words.t('report.fileAnswers') : words.t('report.fileReport')).replace(/[^A-Za-z0-9-]+/g, '-');
  const name = `govstage-${date}-${part}.${format}`;
  res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
  res.setHeader('Cache-Control', 'no-store');
  if (format === 'json') res.type('application/json').send(`${JSON.stringify(report, null, 2)}\n`);
  else if (format === 'csv') res.type('text/csv; charset=utf-8').send(csvDownload(answersCsv(report, words)));
  else res.type('text/markdown; charset=utf-8').send(reportMarkdown(report, title, words));
}

/** The report's title in its own language. */
const titleOf = (service: ConversationService, report: AssessmentReport) => textsFor(service.definition, report.assessment.locale).t('title');

/** ?locale=: the report in another language the flow offers (a regional tag gets its language); otherwise the conversation's. */
function askedLocale(query: unknown, locales: Locales): string | undefined {
  const { locale } = parseInput(ReportQuery, query, 'query');
  return locale ? locales.negotiate([locale]) : undefined;
}

export function reportApiRouter(service: ConversationService, locales: Locales): Router {
  const router = Router();
  router.get('/report-schema.json', (_req, res) => {
    res.json(z.toJSONSchema(AssessmentReport, { io: 'output' }));
  });
  router.post('/conversations/:id/report-link', async (req, res) => {
    const id = parseInput(ConversationId, req.params.id, 'id');
    res.status(201).json(await service.issueReportLink(id, { kind: 'token', token: bearer(req) }));
  });
  router.delete('/conversations/:id/report-link', async (req, res) => {
    const id = parseInput(ConversationId, req.params.id, 'id');
    await service.revokeReportLink(id, { kind: 'token', token: bearer(req) });
    res.status(204).end();
  });
  router.get('/conversations/:id/report.:format', async (req, res) => {
    const id = parseInput(ConversationId, req.params.id, 'id');
    const format = parseInput(ReportFormat, req.params.format, 'format');
    const report = await service.report(id, { kind: 'token', token: bearer(req) }, askedLocale(req.query, locales));
    sendReport(res, report, format, titleOf(service, report), locales);
  });
  return router;
}

/** The page and downloads behind a shared link: /reports/:id/:token[/report.md|report.json|answers.csv]. */
export function reportPageRouter(service: ConversationService, locales: Locales): Router {
  const router = Router();
  const load = (params: Record<string, string | undefined>, locale: string | undefined) =>
    service.reportByLink(parseInput(ConversationId, params.id, 'id'), parseInput(LinkToken, params.token, 'token'), locale);
  router.get('/:id/:token', async (req, res) => {
    const asked = askedLocale(req.query, locales);
    const report = await load(req.params, asked);
    const base = `/reports/${req.params.id}/${req.params.token}`;
    // The downloads in the page's language; the page itself in the others.
    const query = asked ? `?locale=${encodeURIComponent(report.assessment.locale)}` : '';
    const languages = locales.languages().filter((l) => l.locale !== report.assessment.locale).map((l) => ({ ...l, href: `${base}?locale=${encodeURIComponent(l.locale)}` }));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Robots-Tag', 'noindex');
    res.type('html').send(reportHtml(report, titleOf(service, report), { markdown: `${base}/report.md${query}`, json: `${base}/report.json${query}`, csv: `${base}/answers.csv${query}`, languages }, locales.words(report.assessment.locale)));
  });
  router.get('/:id/:token/:file', async (req, res) => {
    const format = parseInput(z.enum(['report.md', 'report.json', 'answers.csv']), req.params.file, 'file');
    const report = await load(req.params, askedLocale(req.query, locales));
    sendReport(res, report, format === 'report.md' ? 'md' : format === 'report.json' ? 'json' : 'csv', titleOf(service, report), locales);
  });
  return router;
}
