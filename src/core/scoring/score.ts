/**
 * The scoring rule: pure, deterministic, and written up in the README
 * ("How the stage is decided"). It sees only the rubric and which
 * characteristics the person said hold; it knows nothing of wording.
 */
import type { Holds } from '../flow/schema.js';
import type { Characteristic, RubricFile, StageId, Theme } from '../rubric/schema.js';

/** A stage's characteristics count as in place when their mean progress reaches this. */
export const PASS_MARK = 0.75;

/** What the answers say about one characteristic; `holds` is null for "not sure". */
export interface Evidence {
  characteristicId: string;
  questionId: string;
  holds: Holds | null;
}

const PROGRESS: Record<Holds, number> = { yes: 1, partly: 0.5, no: 0 };

/** How far a characteristic shows progress: 1 = beyond the limitation / achievement in place. */
export function progressOf(characteristic: Characteristic, holds: Holds): number {
  const value = PROGRESS[holds];
  return characteristic.describes === 'limitation' ? 1 - value : value;
}

interface Gate {
  /** Characteristics of the gate. */
  ids: string[];
  known: number;
  /** Mean progress over the characteristics with an answer; null if none. */
  score: number | null;
  decidable: boolean;
  passed: boolean;
}

export interface StageFinding {
  /** null: too few answers to decide even the first step. */
  stage: StageId | null;
  /** Reached intermediate, but too few answers on the advanced characteristics to go further. */
  advancedUndecided: boolean;
  /** Characteristics that show progress (progress ≥ 0.5) within the gates passed. */
  supporting: string[];
  /** Characteristics short of full progress in the first gate not passed: the gaps to the next stage. */
  holdingBack: string[];
  /** Sum of missing progress over `holdingBack` (how far from the next stage). */
  gap: number;
}

export interface ThemeFinding extends StageFinding {
  themeId: string;
}

export type ContradictionKind = 'limitation-and-achievement' | 'skipped-stage';

export interface Contradiction {
  id: string;
  kind: ContradictionKind;
  themeId: string;
  /** [first, second]: for limitation-and-achievement, the limitation first; for skipped-stage, the advanced one first. */
  characteristics: [string, string];
}

export type SuggestionMode = 'gap' | 'next-stage' | 'sustain';

export interface Suggestion {
  policyId: string;
  reasons: { themeId: string; themeStage: StageId; mode: SuggestionMode }[];
  /** Characteristics whose answers triggered the suggestion. */
  because: string[];
}

export interface ScoredResult {
  overall: StageFinding;
  themes: ThemeFinding[];
  suggestions: Suggestion[];
  contradictions: Contradiction[];
  counts: { total: number; answered: number; unsure: number };
}

/** Mean progress per characteristic over all answers about it; null where every answer was "not sure". */
export function progressByCharacteristic(rubric: RubricFile, evidence: readonly Evidence[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const c of rubric.oecd.characteristics) {
    const values = evidence.filter((e) => e.characteristicId === c.id && e.holds !== null).map((e) => progressOf(c, e.holds as Holds));
    out.set(c.id, values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
  }
  return out;
}

function gate(ids: string[], progress: Map<string, number | null>): Gate {
  const known = ids.map((id) => progress.get(id)).filter((p): p is number => p !== null && p !== undefined);
  const score = known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
  // Too few answers: fewer than half of the gate's characteristics answered.
  const decidable = ids.length === 0 || (known.length > 0 && known.length * 2 >= ids.length);
  const passed = ids.length === 0 || (decidable && score !== null && score >= PASS_MARK);
  return { ids, known: known.length, score, decidable, passed };
}

/** The stage rule, applied to any set of characteristics (one theme, or all of them for the overall stage). */
export function decideStage(characteristics: readonly Characteristic[], progress: Map<string, number | null>): StageFinding {
  const idsAt = (stages: StageId[]) => characteristics.filter((c) => stages.includes(c.stage)).map((c) => c.id);
  const toIntermediate = gate(idsAt(['early', 'intermediate']), progress);
  const toAdvanced = gate(idsAt(['advanced']), progress);
  const showing = (g: Gate) => g.ids.filter((id) => (progress.get(id) ?? 0) >= 0.5);
  const short = (g: Gate) => g.ids.filter((id) => { const p = progress.get(id); return p !== null && p !== undefined && p < 1; });
  const gapOf = (ids: string[]) => ids.reduce((sum, id) => sum + (1 - (progress.get(id) ?? 0)), 0);

  if (!toIntermediate.decidable) return { stage: null, advancedUndecided: false, supporting: [], holdingBack: short(toIntermediate), gap: gapOf(short(toIntermediate)) };
  if (!toIntermediate.passed) {
    const holdingBack = short(toIntermediate);
    return { stage: 'early', advancedUndecided: false, supporting: [], holdingBack, gap: gapOf(holdingBack) };
  }
  if (toAdvanced.ids.length === 0 || !toAdvanced.decidable || !toAdvanced.passed) {
    const holdingBack = short(toAdvanced);
    return {
      stage: 'intermediate',
      advancedUndecided: toAdvanced.ids.length > 0 && !toAdvanced.decidable,
      supporting: showing(toIntermediate),
      holdingBack,
      gap: gapOf(holdingBack),
    };
  }
  return { stage: 'advanced', advancedUndecided: false, supporting: [...showing(toIntermediate), ...showing(toAdvanced)], holdingBack: short(toAdvanced), gap: gapOf(short(toAdvanced)) };
}

const STAGE_RANK: Record<StageId, number> = { early: 0, intermediate: 1, advanced: 2 };
const NEXT_STAGE: Record<StageId, StageId | null> = { early: 'intermediate', intermediate: 'advanced', advanced: null };
export const nextStage = (stage: StageId): StageId | null => NEXT_STAGE[stage];

/** Answer pairs within one theme that pull in different directions. */
export function findContradictions(rubric: RubricFile, evidence: readonly Evidence[]): Contradiction[] {
  const holdsOf = (id: string) => evidence.filter((e) => e.characteristicId === id).map((e) => e.holds);
  const out: Contradiction[] = [];
  const byId = new Map(rubric.oecd.characteristics.map((c) => [c.id, c]));
  for (const theme of rubric.govstage.themes) {
    const chars = theme.characteristics.map((id) => byId.get(id)).filter((c): c is Characteristic => c !== undefined);
    for (const limitation of chars.filter((c) => c.describes === 'limitation' && holdsOf(c.id).includes('yes'))) {
      for (const achievement of chars.filter((c) => c.describes === 'achievement' && holdsOf(c.id).includes('yes'))) {
        out.push({ id: `${limitation.id}~${achievement.id}`, kind: 'limitation-and-achievement', themeId: theme.id, characteristics: [limitation.id, achievement.id] });
      }
    }
    for (const advanced of chars.filter((c) => c.stage === 'advanced' && holdsOf(c.id).includes('yes'))) {
      for (const intermediate of chars.filter((c) => c.stage === 'intermediate' && holdsOf(c.id).includes('no'))) {
        out.push({ id: `${advanced.id}~${intermediate.id}`, kind: 'skipped-stage', themeId: theme.id, characteristics: [advanced.id, intermediate.id] });
      }
    }
  }
  return out;
}

/** The seed's policies, chosen and ordered by the person's own gaps. */
export function chooseSuggestions(rubric: RubricFile, themes: readonly ThemeFinding[]): Suggestion[] {
  const policies = rubric.oecd.policies;
  const themeById = new Map<string, Theme>(rubric.govstage.themes.map((t) => [t.id, t]));
  const chosen = new Map<string, Suggestion & { rank: [number, number, number] }>();
  for (const finding of themes) {
    const theme = themeById.get(finding.themeId);
    if (!theme || finding.stage === null) continue;
    const inTheme = policies.filter((p) => theme.policies.includes(p.id));
    let mode: SuggestionMode = finding.stage === 'advanced' ? 'sustain' : 'gap';
    let picked = inTheme.filter((p) => p.stage === finding.stage);
    const next = nextStage(finding.stage);
    if (picked.length === 0 && next) {
      mode = 'next-stage';
      picked = inTheme.filter((p) => p.stage === next);
    }
    // With nothing measured short of the next stage (its characteristics all "not sure"), the suggestion
    // rests on the answers that placed the theme where it is, rather than on no answer at all.
    const because = mode === 'sustain' || finding.holdingBack.length === 0 ? finding.supporting.filter((id) => theme.characteristics.includes(id)) : finding.holdingBack;
    for (const policy of picked) {
      // Weakest themes first, then the largest gap, then the rubric's own order.
      const rank: [number, number, number] = [STAGE_RANK[finding.stage], -finding.gap, policies.indexOf(policy)];
      const existing = chosen.get(policy.id);
      const reason = { themeId: theme.id, themeStage: finding.stage, mode };
      if (existing) {
        existing.reasons.push(reason);
        existing.because = [...new Set([...existing.because, ...because])];
        if (compareRank(rank, existing.rank) < 0) existing.rank = rank;
      } else {
        chosen.set(policy.id, { policyId: policy.id, reasons: [reason], because: [...because], rank });
      }
    }
  }
  return [...chosen.values()].sort((a, b) => compareRank(a.rank, b.rank)).map(({ rank: _rank, ...s }) => s);
}

function compareRank(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

export function score(rubric: RubricFile, evidence: readonly Evidence[]): ScoredResult {
  const progress = progressByCharacteristic(rubric, evidence);
  const byId = new Map(rubric.oecd.characteristics.map((c) => [c.id, c]));
  const themes = rubric.govstage.themes.map((theme) => ({
    themeId: theme.id,
    ...decideStage(theme.characteristics.map((id) => byId.get(id)).filter((c): c is Characteristic => c !== undefined), progress),
  }));
  return {
    overall: decideStage(rubric.oecd.characteristics, progress),
    themes,
    suggestions: chooseSuggestions(rubric, themes),
    contradictions: findContradictions(rubric, evidence),
    counts: {
      total: evidence.length,
      answered: evidence.filter((e) => e.holds !== null).length,
      unsure: evidence.filter((e) => e.holds === null).length,
    },
  };
}
