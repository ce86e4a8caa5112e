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
import { bearer } from './api.js';
import { parseInput } from './http-errors.js';
import { ConversationId } from './schemas.js';

const LinkToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'is not a report link');
export const ReportFormat = z.enum(['md', 'json', 'csv']);
export type ReportFormat = z.infer<typeof ReportFormat>;

const FILE_NAMES: Record<ReportFormat, string> = { md: 'report.md', json: 'report.json', csv: 'answers.csv' };

export function sendReport(res: Response, report: AssessmentReport, format: ReportFormat, title: string): void {
  const date = (report.finishedAt ?? report.generatedAt).slice(0, 10);
  const name = `govstage-${date}-${FILE_NAMES[format]}`;
  res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
  res.setHeader('Cache-Control', 'no-store');
  if (format === 'json') res.type('application/json').send(`${JSON.stringify(report, null, 2)}\n`);
  else if (format === 'csv') res.type('text/csv; charset=utf-8').send(csvDownload(answersCsv(report)));
  else res.type('text/markdown; charset=utf-8').send(reportMarkdown(report, title));
}

export function reportApiRouter(service: ConversationService): Router {
  const router = Router();
  const title = () => service.definition.flow.text[service.definition.flow.defaultLocale]?.title ?? 'Assessment';
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
    sendReport(res, await service.report(id, { kind: 'token', token: bearer(req) }), format, title());
  });
  return router;
}

/** The page and downloads behind a shared link: /reports/:id/:token[/report.md|report.json|answers.csv]. */
export function reportPageRouter(service: ConversationService): Router {
  const router = Router();
  const title = () => service.definition.flow.text[service.definition.flow.defaultLocale]?.title ?? 'Assessment';
  const load = (params: Record<string, string | undefined>) =>
    service.reportByLink(parseInput(ConversationId, params.id, 'id'), parseInput(LinkToken, params.token, 'token'));
  router.get('/:id/:token', async (req, res) => {
    const report = await load(req.params);
    const base = `/reports/${req.params.id}/${req.params.token}`;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Robots-Tag', 'noindex');
    res.type('html').send(reportHtml(report, title(), { markdown: `${base}/report.md`, json: `${base}/report.json`, csv: `${base}/answers.csv` }));
  });
  router.get('/:id/:token/:file', async (req, res) => {
    const format = parseInput(z.enum(['report.md', 'report.json', 'answers.csv']), req.params.file, 'file');
    sendReport(res, await load(req.params), format === 'report.md' ? 'md' : format === 'report.json' ? 'json' : 'csv', title());
  });
  return router;
}
