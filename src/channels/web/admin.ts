/**
 * The coordinator's overview API, protected by ADMIN_TOKEN (off when unset).
 * The page at /admin.html asks for the token and calls these routes.
 */
import { timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import type { AssessmentDefinition } from '../../core/definition.js';
import { GovError } from '../../errors.js';
import { csvDownload } from '../../reports/csv.js';
import { buildOverview, overviewCsv } from '../../reports/overview.js';
import { sha256Hex } from '../../service/secrets.js';
import type { ConversationStore } from '../../store/types.js';
import type { Locales } from '../../i18n/words.js';
import { requestLocale } from './http-errors.js';

function checkAdmin(req: Request, adminToken: string): void {
  const match = /^Bearer\s+(\S{1,500})$/.exec(req.get('authorization') ?? '');
  // Compare hashes so the comparison is constant-time whatever the lengths.
  const given = Buffer.from(sha256Hex(match?.[1] ?? ''), 'hex');
  const expected = Buffer.from(sha256Hex(adminToken), 'hex');
  if (!match || !timingSafeEqual(given, expected)) throw new GovError('UNAUTHORIZED', 'The coordinator overview needs "Authorization: Bearer <ADMIN_TOKEN>".', undefined, { say: { key: 'adminToken' } });
}

export function adminRouter(options: { store: ConversationStore; definition: AssessmentDefinition; locales: Locales; adminToken: string | undefined; minGroupSize: number }): Router {
  const router = Router();
  router.use((req, _res, next) => {
    if (!options.adminToken) throw new GovError('NOT_FOUND', 'The coordinator overview is off (set ADMIN_TOKEN to turn it on).');
    checkAdmin(req, options.adminToken);
    next();
  });
  router.get('/overview', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await buildOverview(options.store, options.definition, options.minGroupSize, requestLocale(req, options.locales)));
  });
  router.get('/results.csv', async (_req, res) => {
    // The page's table, with the page's suppression: built from the same overview.
    const csv = overviewCsv(await buildOverview(options.store, options.definition, options.minGroupSize));
    if (csv === null) throw new GovError('FORBIDDEN', `Fewer than ${options.minGroupSize} assessments are finished; the export would single people out.`, undefined, { say: { key: 'tooFewFinished', values: { min: options.minGroupSize } } });
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', 'attachment; filename="govstage-results.csv"');
    res.type('text/csv; charset=utf-8').send(csvDownload(csv));
  });
  return router;
}
