/**
 * The group-round routes: thin translation between HTTP and GroupService.
 *
 *   /api/groups…                      create, the coordinator's calls (Bearer <coordinatorToken>)
 *   /api/groups/invitation, /join     what a respondent needs to join, and joining
 *   /api/conversations/:id/group…     a respondent's own round, with their conversation's token
 *   /api/group-report-schema.json     the JSON Schema of the group report
 *   /group-reports/:id/:token[/…]     the report behind a handed-out link
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { GovError } from '../../errors.js';
import { groupCsv } from '../../reports/group-csv.js';
import { groupReportHtml } from '../../reports/group-html.js';
import { groupReportMarkdown } from '../../reports/group-markdown.js';
import { GroupReport } from '../../reports/group-report.js';
import { csvDownload } from '../../reports/csv.js';
import type { GroupService } from '../../service/groups/group-service.js';
import type { RateLimiter } from '../../service/rate-limiter.js';
import { bearer, clientKey } from './api.js';
import { CharacteristicId, ConsensusBody, CreateRoundBody, InvitationLookupBody, JoinBody, RoundId, SettingsBody } from './group-schemas.js';
import { parseInput } from './http-errors.js';
import { ConversationId } from './schemas.js';

export interface GroupLimits {
  /** New rounds per client address (as new assessments). */
  starts: RateLimiter;
  /** Invitation-code attempts per client address (a guessable secret, as resume codes). */
  codeAttempts: RateLimiter;
}

export const GroupFormat = z.enum(['md', 'json', 'csv']);
const FILE: Record<z.infer<typeof GroupFormat>, string> = { md: 'group-report.md', json: 'group-report.json', csv: 'group-report.csv' };
const LinkToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'is not a report link');

export function sendGroupReport(res: Response, report: GroupReport, format: z.infer<typeof GroupFormat>): void {
  res.setHeader('Content-Disposition', `attachment; filename="govstage-${report.generatedAt.slice(0, 10)}-${FILE[format]}"`);
  res.setHeader('Cache-Control', 'no-store');
  if (format === 'json') res.type('application/json').send(`${JSON.stringify(report, null, 2)}\n`);
  else if (format === 'csv') res.type('text/csv; charset=utf-8').send(csvDownload(groupCsv(report)));
  else res.type('text/markdown; charset=utf-8').send(groupReportMarkdown(report));
}

export function groupsApiRouter(groups: GroupService, limits: GroupLimits): Router {
  const router = Router();
  const round = (params: Record<string, string | undefined>) => parseInput(RoundId, params.id, 'id');
  const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

  router.get('/group-report-schema.json', (_req, res) => {
    res.json(z.toJSONSchema(GroupReport, { io: 'output' }));
  });

  router.post('/groups', async (req, res) => {
    limits.starts.hit(clientKey(req), 'new group rounds');
    const body = parseInput(CreateRoundBody, req.body ?? {}, 'body');
    noStore(res);
    res.status(201).json(await groups.create(body));
  });

  router.post('/groups/invitation', async (req, res) => {
    await limits.codeAttempts.hit(clientKey(req), 'invitation-code attempts');
    const body = parseInput(InvitationLookupBody, req.body, 'body');
    res.json(await groups.lookupInvitation(body.code));
  });

  router.post('/groups/join', async (req, res) => {
    await limits.codeAttempts.hit(clientKey(req), 'invitation-code attempts');
    limits.starts.hit(clientKey(req), 'new assessments');
    const body = parseInput(JoinBody, req.body, 'body');
    const { code, locale, ...choices } = body;
    noStore(res);
    res.status(201).json(await groups.join({ code, choices, channel: 'web', ...(locale ? { locale } : {}) }));
  });

  router.get('/groups/:id', async (req, res) => {
    noStore(res);
    res.json(await groups.view(round(req.params), bearer(req)));
  });

  router.post('/groups/:id/settings', async (req, res) => {
    const id = round(req.params);
    const body = parseInput(SettingsBody, req.body, 'body');
    noStore(res);
    res.json(await groups.changeSettings(id, bearer(req), body));
  });

  router.post('/groups/:id/close', async (req, res) => {
    noStore(res);
    res.json(await groups.close(round(req.params), bearer(req)));
  });

  router.post('/groups/:id/reopen', async (req, res) => {
    noStore(res);
    res.json(await groups.reopen(round(req.params), bearer(req)));
  });

  router.post('/groups/:id/invitation', async (req, res) => {
    noStore(res);
    res.json(await groups.replaceInvitation(round(req.params), bearer(req)));
  });

  router.post('/groups/:id/coordinator-link', async (req, res) => {
    noStore(res);
    res.json(await groups.rotateCoordinatorLink(round(req.params), bearer(req)));
  });

  router.delete('/groups/:id/coordinator-link', async (req, res) => {
    await groups.revokeCoordinatorLink(round(req.params), bearer(req));
    res.status(204).end();
  });

  router.post('/groups/:id/follow-up', async (req, res) => {
    const id = round(req.params);
    limits.starts.hit(clientKey(req), 'new group rounds');
    noStore(res);
    res.status(201).json(await groups.followUp(id, bearer(req)));
  });

  router.get('/groups/:id/picture', async (req, res) => {
    noStore(res);
    res.json(await groups.report(round(req.params), bearer(req)));
  });

  router.get('/groups/:id/report.:format', async (req, res) => {
    const id = round(req.params);
    const format = parseInput(GroupFormat, req.params.format, 'format');
    sendGroupReport(res, await groups.report(id, bearer(req)), format);
  });

  router.post('/groups/:id/consensus', async (req, res) => {
    const id = round(req.params);
    const body = parseInput(ConsensusBody, req.body, 'body');
    noStore(res);
    res.json(await groups.recordConsensus(id, bearer(req), body));
  });

  router.delete('/groups/:id/consensus/:characteristicId', async (req, res) => {
    const id = round(req.params);
    const characteristicId = parseInput(CharacteristicId, req.params.characteristicId, 'characteristicId');
    noStore(res);
    res.json(await groups.clearConsensus(id, bearer(req), characteristicId));
  });

  router.post('/groups/:id/report-link', async (req, res) => {
    noStore(res);
    res.status(201).json(await groups.issueReportLink(round(req.params), bearer(req)));
  });

  router.delete('/groups/:id/report-link', async (req, res) => {
    await groups.revokeReportLink(round(req.params), bearer(req));
    res.status(204).end();
  });

  router.get('/conversations/:id/group', async (req, res) => {
    const id = parseInput(ConversationId, req.params.id, 'id');
    const membership = await groups.membershipOf(id, { kind: 'token', token: bearer(req) });
    if (!membership) throw new GovError('NOT_FOUND', 'This assessment is not part of a group round.');
    res.json(membership);
  });

  router.get('/conversations/:id/group-report', async (req, res) => {
    const id = parseInput(ConversationId, req.params.id, 'id');
    noStore(res);
    res.json(await groups.reportForMember(id, { kind: 'token', token: bearer(req) }));
  });

  return router;
}

/** The group report behind a handed-out link: the page, and its downloads. */
export function groupReportPageRouter(groups: GroupService): Router {
  const router = Router();
  const load = (params: Record<string, string | undefined>) => groups.reportByLink(parseInput(RoundId, params.id, 'id'), parseInput(LinkToken, params.token, 'token'));
  router.get('/:id/:token', async (req, res) => {
    const report = await load(req.params);
    const base = `/group-reports/${req.params.id}/${req.params.token}`;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Robots-Tag', 'noindex');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.type('html').send(groupReportHtml(report, { markdown: `${base}/group-report.md`, json: `${base}/group-report.json`, csv: `${base}/group-report.csv` }));
  });
  router.get('/:id/:token/:file', async (req, res) => {
    const file = parseInput(z.enum(['group-report.md', 'group-report.json', 'group-report.csv']), req.params.file, 'file');
    sendGroupReport(res, await load(req.params), file === 'group-report.md' ? 'md' : file === 'group-report.json' ? 'json' : 'csv');
  });
  return router;
}
