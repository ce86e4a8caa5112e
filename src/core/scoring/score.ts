/**
 * The stage rule: pure, deterministic, and written up in the README ("How
 * the stage is decided"). It sees only the rubric and what the answers state
 * about each characteristic (or each of our parts of one); it knows nothing
 * of wording.
 *
 * The rule is non-compensatory: a stage is reached only when every one of its
 * requirements is met on positive evidence, and nothing elsewhere buys a
 * missing requirement back. "Not sure" is never evidence: a requirement that
 * rests on it leaves the stage "at least" the one below.
 */
import type { Characteristic, RubricFile, StageId, Theme } from '../rubric/schema.js';

/** What an answer states about a characteristic (or a part of one); null: not sure. */
export type Level = 'holds' | 'partly' | 'absent';

/** What the answers say about one characteristic or part. */
export interface Evidence {
  characteristicId: string;
  /** One of our parts of a compound characteristic, or null for the characteristic as a whole. */
  partId: string | null;
  questionId: string;
  level: Level | null;
}

/**
 * How a characteristic stands against moving on: `met` (an achievement in
 * place, or a limitation overcome), `partial`, `unmet` (an achievement absent,
 * or a limitation that fully holds) or `unknown` (it rests on "not sure", or
 * on no answer yet).
 */
export type Standing = 'met' | 'partial' | 'unmet' | 'unknown';

export const STAGE_RANK: Record<StageId, number> = { early: 0, intermediate: 1, advanced: 2 };
const NEXT_STAGE: Record<StageId, StageId | null> = { early: 'intermediate', intermediate: 'advanced', advanced: null };
export const nextStage = (stage: StageId): StageId | null => NEXT_STAGE[stage];

/**
 * The level of a characteristic from the levels of its parts (or its one
 * answer): it holds only when every part holds; it is absent when every part
 * is; it is partly there when some part shows progress. While every known
 * part holds and some part is not known, the characteristic is not known.
 */
export function combineLevels(levels: readonly (Level | null)[]): Level | null {
  if (levels.length === 0) return null;
  const known = levels.filter((l): l is Level => l !== null);
  if (known.length === levels.length && known.every((l) => l === 'holds')) return 'holds';
  if (known.every((l) => l === 'holds')) return null;
  // Not one known part shows progress: absent (with parts unknown, the most that can be said).
  if (known.every((l) => l === 'absent')) return 'absent';
  return 'partly';
}

export function standingOf(characteristic: Characteristic, level: Level | null): Standing {
  if (level === null) return 'unknown';
  if (level === 'partly') return 'partial';
  const present = level === 'holds';
  return characteristic.describes === 'achievement' ? (present ? 'met' : 'unmet') : present ? 'unmet' : 'met';
}

/** Each characteristic's level from the evidence; parts not asked count as not known. */
export function levelsByCharacteristic(rubric: RubricFile, evidence: readonly Evidence[]): Map<string, Level | null> {
  const out = new Map<string, Level | null>();
  for (const c of rubric.oecd.characteristics) {
    const parts = rubric.govstage.parts.filter((p) => p.characteristic === c.id).map((p) => p.id);
    const about = evidence.filter((e) => e.characteristicId === c.id);
    const levels = parts.length === 0
      ? [combineAnswers(about.map((e) => e.level))]
      : parts.map((partId) => combineAnswers(about.filter((e) => e.partId === partId).map((e) => e.level)));
    out.set(c.id, combineLevels(levels));
  }
  return out;
}

/** Several answers about one thing (two questions ask it): the weakest known one. */
function combineAnswers(levels: readonly (Level | null)[]): Level | null {
  const known = levels.filter((l): l is Level => l !== null);
  if (known.length === 0) return null;
  return known.includes('absent') ? 'absent' : known.includes('partly') ? 'partly' : 'holds';
}

/** Why a theme is not at the next stage, per characteristic: the requirement it fails, or rests on "not sure" for. */
export interface Requirement {
  characteristicId: string;
  /** What the next stage needs of it: `met`, or (a limitation, where the stage has its own characteristics) not fully holding. */
  needs: 'met' | 'not-unmet';
  standing: Standing;
}

export type StageStatus = 'reached' | 'at-least' | 'undecided';

export interface StageFinding {
  /** The stage the evidence establishes; null: too few answers to decide. */
  stage: StageId | null;
  /** reached: the evidence settles it; at-least: the next stage rests on answers that were "not sure". */
  status: StageStatus;
  /** The next stage above `stage` (null at advanced, or when undecided). */
  next: StageId | null;
  /** Requirements of the next stage that the answers do not meet (what holds the theme back). */
  shortfalls: Requirement[];
  /** Requirements of the next stage that rest on "not sure": with them answered, the stage may rise. */
  pending: Requirement[];
  /** Characteristics met within the stage reached: the positive evidence for it (what you already have). */
  met: string[];
  /** Some requirement of the next stage shows progress (partly there, or met) while the stage is not reached. */
  onTheWay: boolean;
  /** The set has no characteristic of its own at this stage, so it moved by the rule for such stages. */
  noOwnCharacteristicsAt: StageId[];
}

export interface ThemeFinding extends StageFinding {
  themeId: string;
}

export interface OverallFinding extends StageFinding {
  /** Themes at the overall stage: the weakest link. */
  heldBackBy: string[];
  /** Themes above the overall stage. */
  aheadIn: string[];
}

/**
 * The requirements to move from `stage` to the stage after it, for one set
 * of characteristics. Intermediate needs every intermediate-stage
 * characteristic of the set met, and none of its early-stage limitations
 * fully holding. Where the set has no intermediate-stage characteristic of
 * its own (so nothing positive could show it), every limitation must be
 * overcome instead: the answer that it is beyond that limitation is the
 * evidence. Advanced needs, in addition, every advanced-stage characteristic
 * met.
 */
function requirementsFor(target: StageId, chars: readonly Characteristic[]): { id: string; needs: Requirement['needs'] }[] {
  const at = (stage: StageId) => chars.filter((c) => c.stage === stage);
  if (target === 'intermediate') {
    const own = at('intermediate');
    const limitationNeeds: Requirement['needs'] = own.length > 0 ? 'not-unmet' : 'met';
    return [...at('early').map((c) => ({ id: c.id, needs: limitationNeeds })), ...own.map((c) => ({ id: c.id, needs: 'met' as const }))];
  }
  if (target === 'advanced') return at('advanced').map((c) => ({ id: c.id, needs: 'met' as const }));
  return [];
}

const satisfies = (needs: Requirement['needs'], standing: Standing) => (needs === 'met' ? standing === 'met' : standing === 'met' || standing === 'partial');

/** Characteristics with at least one answer that is not "not sure" (for a compound one, any of its parts). */
export function answeredCharacteristics(evidence: readonly Evidence[]): Set<string> {
  return new Set(evidence.filter((e) => e.level !== null).map((e) => e.characteristicId));
}

/**
 * The stage rule, applied to one set of characteristics (a theme). Whether
 * there are enough answers depends only on which characteristics were
 * answered at all, never on what the answers say, so that a better answer
 * can never turn a decided theme into an undecided one.
 */
export function decideStage(chars: readonly Characteristic[], levels: ReadonlyMap<string, Level | null>, answered: ReadonlySet<string>): StageFinding {
  const standing = (c: Characteristic) => standingOf(c, levels.get(c.id) ?? null);
  const byId = new Map(chars.map((c) => [c.id, c]));
  const known = chars.filter((c) => answered.has(c.id)).length;
  const noOwn = (['intermediate', 'advanced'] as const).filter((s) => !chars.some((c) => c.stage === s));
  // Too few answers: no more than half of the set's characteristics known.
  if (chars.length === 0 || known * 2 <= chars.length) {
    return { stage: null, status: 'undecided', next: null, shortfalls: [], pending: [], met: [], onTheWay: false, noOwnCharacteristicsAt: noOwn };
  }
  let stage: StageId = 'early';
  const metSoFar: string[] = [];
  for (let target = nextStage(stage); target; target = nextStage(stage)) {
    const reqs = requirementsFor(target, chars).map((r) => {
      const c = byId.get(r.id) as Characteristic;
      return { characteristicId: r.id, needs: r.needs, standing: standing(c) };
    });
    const shortfalls = reqs.filter((r) => r.standing !== 'unknown' && !satisfies(r.needs, r.standing));
    const pending = reqs.filter((r) => r.standing === 'unknown');
    // A stage with no requirement at all would be certified by nothing: it is never reached that way.
    if (reqs.length > 0 && shortfalls.length === 0 && pending.length === 0) {
      metSoFar.push(...reqs.filter((r) => r.standing === 'met').map((r) => r.characteristicId));
      stage = target;
      continue;
    }
    const onTheWay = reqs.some((r) => r.standing === 'partial' || (r.standing === 'met' && r.needs === 'met'));
    return {
      stage,
      status: shortfalls.length === 0 && pending.length > 0 ? 'at-least' : 'reached',
      next: target,
      shortfalls,
      pending: shortfalls.length === 0 ? pending : [],
      met: metSoFar,
      onTheWay: reqs.length > 0 && onTheWay,
      noOwnCharacteristicsAt: noOwn,
    };
  }
  return { stage, status: 'reached', next: null, shortfalls: [], pending: [], met: metSoFar, onTheWay: false, noOwnCharacteristicsAt: noOwn };
}

/** The overall stage: the weakest theme's. Undecided while any theme is. */
export function decideOverall(themes: readonly ThemeFinding[]): OverallFinding {
  const undecided = themes.filter((t) => t.stage === null);
  if (themes.length === 0 || undecided.length > 0) {
    return { stage: null, status: 'undecided', next: null, shortfalls: [], pending: [], met: [], onTheWay: false, noOwnCharacteristicsAt: [], heldBackBy: undecided.map((t) => t.themeId), aheadIn: [] };
  }
  const lowest = Math.min(...themes.map((t) => STAGE_RANK[t.stage as StageId]));
  const weakest = themes.filter((t) => STAGE_RANK[t.stage as StageId] === lowest);
  const stage = (weakest[0] as ThemeFinding).stage as StageId;
  // "At least" only if every weakest theme might still rise: one that is settled below holds the overall stage there.
  const atLeast = weakest.every((t) => t.status === 'at-least');
  return {
    stage,
    status: atLeast ? 'at-least' : 'reached',
    next: nextStage(stage),
    shortfalls: weakest.flatMap((t) => t.shortfalls),
    pending: atLeast ? weakest.flatMap((t) => t.pending) : [],
    met: themes.flatMap((t) => t.met),
    onTheWay: weakest.some((t) => t.onTheWay),
    noOwnCharacteristicsAt: [],
    heldBackBy: weakest.map((t) => t.themeId),
    aheadIn: themes.filter((t) => STAGE_RANK[t.stage as StageId] > lowest).map((t) => t.themeId),
  };
}

export type ContradictionKind = 'limitation-and-achievement' | 'skipped-stage';

/**
 * Answers within one theme that pull in different directions, grouped: one
 * characteristic (an early-stage limitation said to hold fully, or an
 * advanced-stage characteristic said to hold) against every characteristic
 * of the theme it conflicts with.
 */
export interface Contradiction {
  id: string;
  kind: ContradictionKind;
  themeId: string;
  /** The limitation (or advanced characteristic) said to hold. */
  characteristicId: string;
  /** The achievements said to hold (or the intermediate characteristics said to be absent). */
  against: string[];
}

export function findContradictions(rubric: RubricFile, levels: ReadonlyMap<string, Level | null>): Contradiction[] {
  const out: Contradiction[] = [];
  const byId = new Map(rubric.oecd.characteristics.map((c) => [c.id, c]));
  for (const theme of rubric.govstage.themes) {
    const chars = theme.characteristics.map((id) => byId.get(id)).filter((c): c is Characteristic => c !== undefined);
    const level = (c: Characteristic) => levels.get(c.id) ?? null;
    const held = chars.filter((c) => c.describes === 'achievement' && level(c) === 'holds').map((c) => c.id);
    for (const limitation of chars.filter((c) => c.describes === 'limitation' && level(c) === 'holds')) {
      if (held.length > 0) out.push({ id: `${limitation.id}~${held.join('+')}`, kind: 'limitation-and-achievement', themeId: theme.id, characteristicId: limitation.id, against: held });
    }
    const missing = chars.filter((c) => c.stage === 'intermediate' && level(c) === 'absent').map((c) => c.id);
    for (const advanced of chars.filter((c) => c.stage === 'advanced' && level(c) === 'holds')) {
      if (missing.length > 0) out.push({ id: `${advanced.id}~${missing.join('+')}`, kind: 'skipped-stage', themeId: theme.id, characteristicId: advanced.id, against: missing });
    }
  }
  return out;
}

export type SuggestionMode = 'gap' | 'next-stage' | 'sustain';

export interface Suggestion {
  policyId: string;
  reasons: { themeId: string; themeStage: StageId; mode: SuggestionMode }[];
  /** Characteristics that hold the suggesting themes back (never their strengths). */
  because: string[];
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
    const because = finding.shortfalls.map((r) => r.characteristicId);
    for (const policy of picked) {
      // Weakest themes first, then the most shortfalls, then the rubric's own order.
      const rank: [number, number, number] = [STAGE_RANK[finding.stage], -finding.shortfalls.length, policies.indexOf(policy)];
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

export interface ScoredResult {
  overall: OverallFinding;
  themes: ThemeFinding[];
  levels: ReadonlyMap<string, Level | null>;
  suggestions: Suggestion[];
  contradictions: Contradiction[];
  counts: { total: number; answered: number; unsure: number };
}

export function score(rubric: RubricFile, evidence: readonly Evidence[]): ScoredResult {
  const levels = levelsByCharacteristic(rubric, evidence);
  const answered = answeredCharacteristics(evidence);
  const byId = new Map(rubric.oecd.characteristics.map((c) => [c.id, c]));
  const themes: ThemeFinding[] = rubric.govstage.themes.map((theme) => ({
    themeId: theme.id,
    ...decideStage(theme.characteristics.map((id) => byId.get(id)).filter((c): c is Characteristic => c !== undefined), levels, answered),
  }));
  return {
    overall: decideOverall(themes),
    themes,
    levels,
    suggestions: chooseSuggestions(rubric, themes),
    contradictions: findContradictions(rubric, levels),
    counts: {
      total: evidence.length,
      answered: evidence.filter((e) => e.level !== null).length,
      unsure: evidence.filter((e) => e.level === null).length,
    },
  };
}
