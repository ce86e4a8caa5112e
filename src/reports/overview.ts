/**
 * The coordinator's overview: how many assessments were started (someone
 * answered) and finished, and the distribution of stages per theme, with
 * small groups hidden so that no individual can be singled out. The CSV
 * export is the same table with the same cells hidden: nothing per
 * assessment, which could be counted to undo the suppression.
 */
import { z } from 'zod';
import { textsFor, type AssessmentDefinition } from '../core/definition.js';
import { upgrade } from '../core/conversation/turn.js';
import { evidenceFrom } from '../core/scoring/explain.js';
import { score } from '../core/scoring/score.js';
import { isGovError } from '../errors.js';
import type { ConversationStore } from '../store/types.js';
import { csvRows } from './csv.js';

const STAGE_KEYS = ['early', 'intermediate', 'advanced', 'undecided'] as const;
type StageKey = (typeof STAGE_KEYS)[number];

/** A count, or null where it is hidden because the group is too small. */
const Cell = z.number().int().nullable();
const Distribution = z.object({
  early: Cell,
  intermediate: Cell,
  advanced: Cell,
  undecided: Cell,
  hidden: z.number().int().describe('how many finished assessments the hidden cells hold together (never fewer than minGroupSize, or 0): shares are of all finished'),
});
export type Distribution = z.infer<typeof Distribution>;

export const Overview = z.object({
  started: z.number().int().describe('assessments in which someone gave at least one answer (opening the page, or only pressing Start, is not starting)'),
  finished: z.number().int(),
  unreadable: z.number().int().describe('stored conversations that could not be read (see the logs)'),
  minGroupSize: z.number().int(),
  /** False when fewer than minGroupSize assessments are finished: no distribution is shown at all. */
  distributionShown: z.boolean(),
  overall: Distribution.nullable(),
  themes: z.array(z.object({ themeId: z.string(), title: z.string(), distribution: Distribution.nullable() })),
});
export type Overview = z.infer<typeof Overview>;

interface FinishedResult {
  overall: StageKey;
  themes: Record<string, StageKey>;
}

/**
 * Hides every non-zero count below `k`, then keeps hiding the smallest shown
 * counts until the hidden ones cannot be worked out from the total (at least
 * two hidden, together at least k).
 */
export function suppress(counts: Record<StageKey, number>, k: number): Distribution {
  const hidden = new Set<StageKey>(STAGE_KEYS.filter((key) => counts[key] > 0 && counts[key] < k));
  const hiddenSum = () => [...hidden].reduce((sum, key) => sum + counts[key], 0);
  while (hidden.size > 0 && (hidden.size < 2 || hiddenSum() < k)) {
    const next = STAGE_KEYS.filter((key) => !hidden.has(key) && counts[key] > 0).sort((a, b) => counts[a] - counts[b])[0];
    if (!next) break;
    hidden.add(next);
  }
  return { ...(Object.fromEntries(STAGE_KEYS.map((key) => [key, hidden.has(key) ? null : counts[key]])) as Omit<Distribution, 'hidden'>), hidden: hiddenSum() };
}

async function collect(store: ConversationStore, definition: AssessmentDefinition): Promise<{ started: number; unreadable: number; finished: FinishedResult[] }> {
  let started = 0;
  let unreadable = 0;
  const finished: FinishedResult[] = [];
  for await (const summary of store.list()) {
    try {
      if (summary.status !== 'finished') {
        // Started means someone answered: a visit, or only pressing Start, is not an assessment.
        const record = await store.get(summary.id);
        const context = record?.state.machine.context;
        if (context && (context.unit !== null || Object.keys(context.answers).length > 0 || (record?.state.answerLog.length ?? 0) > 0)) started++;
        continue;
      }
      started++;
      const record = await store.get(summary.id);
      const state = record ? upgrade(definition, record.state) : undefined;
      if (!state?.ok) {
        unreadable++;
        continue;
      }
      const scored = score(definition.rubric, evidenceFrom(definition, state.value.machine.context.answers));
      finished.push({
        overall: scored.overall.stage ?? 'undecided',
        themes: Object.fromEntries(scored.themes.map((t) => [t.themeId, t.stage ?? 'undecided'])),
      });
    } catch (error) {
      if (!isGovError(error)) throw error;
      unreadable++;
    }
  }
  return { started, unreadable, finished };
}

/** `locale`: the language of the theme titles (one the flow offers; its default otherwise). */
export async function buildOverview(store: ConversationStore, definition: AssessmentDefinition, minGroupSize: number, locale = definition.flow.defaultLocale): Promise<Overview> {
  const { started, unreadable, finished } = await collect(store, definition);
  const texts = textsFor(definition, definition.flow.locales.includes(locale) ? locale : definition.flow.defaultLocale);
  const shown = finished.length >= minGroupSize;
  const distribution = (pick: (r: FinishedResult) => StageKey) => {
    if (!shown) return null;
    const counts: Record<StageKey, number> = { early: 0, intermediate: 0, advanced: 0, undecided: 0 };
    for (const r of finished) counts[pick(r)]++;
    return suppress(counts, minGroupSize);
  };
  return {
    started,
    finished: finished.length,
    unreadable,
    minGroupSize,
    distributionShown: shown,
    overall: distribution((r) => r.overall),
    themes: definition.themes.map((theme) => ({ themeId: theme.id, title: texts.pick(theme.title), distribution: distribution((r) => r.themes[theme.id] ?? 'undecided') })),
  };
}

/**
 * The overview's table as CSV: one row per theme and overall, the count of
 * each stage or "hidden" exactly where the page hides it, and how many the
 * hidden cells hold together. Null (no export) while the page shows no
 * distribution.
 */
export function overviewCsv(overview: Overview, overallTitle = 'Overall'): string | null {
  if (!overview.distributionShown) return null;
  const cell = (value: number | null) => (value === null ? 'hidden' : value);
  const row = (id: string, title: string, d: Distribution | null) => [id, title, ...STAGE_KEYS.map((key) => cell(d ? d[key] : null)), d?.hidden ?? 0];
  return csvRows([
    ['row', 'title', ...STAGE_KEYS, 'hidden'],
    ...overview.themes.map((t) => row(t.themeId, t.title, t.distribution)),
    row('overall', overallTitle, overview.overall),
  ]);
}
