/**
 * A group's answers, one characteristic at a time, and the group's stage by
 * the same rule as for one person (score.ts). Pure; written up in the
 * README ("Running a group assessment").
 *
 * - Each respondent's answers become one level per characteristic exactly
 *   as for an individual (`levelsByCharacteristic`: a compound one holds
 *   only when every part does). "Not sure" is never evidence: it is counted
 *   as `unknown`, shown in the spread, and left out of everything else.
 * - The group's answer to a characteristic is the agreed (consensus) answer
 *   where one was recorded, otherwise the median of the known answers,
 *   ordered by what they mean for moving on (unmet, partial, met). Where the
 *   views split evenly the less advanced middle view counts, so that a
 *   requirement is met for the group only when more than half of those who
 *   answered say so: the rule stays non-compensatory for groups too.
 * - How much views differ is Leik's ordinal dispersion over the known
 *   answers, scaled to 0 (everyone gives the same answer) … 1 (half say it
 *   holds, half say it is absent).
 */
import type { AssessmentDefinition } from '../definition.js';
import type { MachineContext } from '../conversation/state.js';
import type { Characteristic, RubricFile } from '../rubric/schema.js';
import { evidenceFrom } from './evidence.js';
import { answeredCharacteristics, chooseSuggestions, decideOverall, decideStage, levelsByCharacteristic, standingOf, type Level, type OverallFinding, type Standing, type Suggestion, type ThemeFinding } from './score.js';

/**
 * How many said each thing about one characteristic; `unknown`: "not sure"
 * (for a compound characteristic, also a part said to hold beside a part
 * not known). `answered`: how many answered it at all (some part not "not
 * sure"), which is what decides whether there are enough answers, as for
 * one person.
 */
export interface LevelCounts {
  holds: number;
  partly: number;
  absent: number;
  unknown: number;
  answered: number;
}

export const LEVEL_KEYS = ['holds', 'partly', 'absent', 'unknown'] as const;

export const emptyCounts = (): LevelCounts => ({ holds: 0, partly: 0, absent: 0, unknown: 0, answered: 0 });

/** One respondent's view of one characteristic. */
export interface RespondentView {
  level: Level | null;
  /** Some part of it was answered with more than "not sure". */
  answered: boolean;
}

export function countOf(view: RespondentView): LevelCounts {
  const counts = emptyCounts();
  counts[view.level ?? 'unknown'] = 1;
  counts.answered = view.answered ? 1 : 0;
  return counts;
}

export function addCounts(a: LevelCounts, b: LevelCounts): LevelCounts {
  return { holds: a.holds + b.holds, partly: a.partly + b.partly, absent: a.absent + b.absent, unknown: a.unknown + b.unknown, answered: a.answered + b.answered };
}

export const totalOf = (counts: LevelCounts): number => counts.holds + counts.partly + counts.absent + counts.unknown;
export const knownOf = (counts: LevelCounts): number => counts.holds + counts.partly + counts.absent;

/** One respondent's view per characteristic, as the rule sees an individual's answers. */
export function respondentViews(definition: Pick<AssessmentDefinition, 'questions' | 'questionById' | 'rubric'>, answers: MachineContext['answers']): Map<string, RespondentView> {
  const evidence = evidenceFrom(definition, answers);
  const levels = levelsByCharacteristic(definition.rubric, evidence);
  const answered = answeredCharacteristics(evidence);
  return new Map(definition.rubric.oecd.characteristics.map((c) => [c.id, { level: levels.get(c.id) ?? null, answered: answered.has(c.id) }]));
}

/** The known levels of a characteristic from the least to the most advanced (by its standing: unmet, partial, met). */
function byStanding(characteristic: Characteristic): Level[] {
  return characteristic.describes === 'achievement' ? ['absent', 'partly', 'holds'] : ['holds', 'partly', 'absent'];
}

/**
 * The group's answer from the counts: the median known answer, the less
 * advanced of the two middle ones on an even split; null when nobody gave a
 * known answer.
 */
export function medianLevel(characteristic: Characteristic, counts: LevelCounts): Level | null {
  const known = knownOf(counts);
  if (known === 0) return null;
  // The lower middle position (1-based): for 4 answers the 2nd, for 5 the 3rd.
  const position = Math.ceil(known / 2);
  let seen = 0;
  for (const level of byStanding(characteristic)) {
    seen += counts[level];
    if (seen >= position) return level;
  }
  return null;
}

/**
 * Leik's measure of ordinal dispersion, normalised: with F1, F2 the shares
 * of known answers at or below "absent" and at or below "partly",
 * D = min(F1, 1 - F1) + min(F2, 1 - F2), which for three ordered answers
 * already runs from 0 to 1. Symmetric, so the direction of the scale does
 * not matter. Rounded to two decimals so that every output shows the same
 * value.
 */
export function disagreement(counts: LevelCounts): number {
  const known = knownOf(counts);
  if (known < 2) return 0;
  // In whole counts, one division: the same value read from either end of the scale, to the last bit.
  const below = counts.absent;
  const upTo = counts.absent + counts.partly;
  return Math.round(((Math.min(below, known - below) + Math.min(upTo, known - upTo)) * 100) / known) / 100;
}

export interface GroupStages {
  /** The group's answer per characteristic (what the rule was given). */
  levels: Map<string, Level | null>;
  themes: ThemeFinding[];
  overall: OverallFinding;
  suggestions: Suggestion[];
}

/**
 * The group's answer per characteristic (the agreed one where recorded,
 * `null` for an agreement not to know; else the median) and the stage rule
 * on them: per theme, overall, and the OECD policies it suggests. A
 * characteristic counts as answered when the agreed answer is known, or,
 * without one, when anyone answered it at all.
 */
export function groupStages(rubric: RubricFile, counts: ReadonlyMap<string, LevelCounts>, agreed: ReadonlyMap<string, Level | null> = new Map()): GroupStages {
  const levels = new Map<string, Level | null>();
  const answered = new Set<string>();
  for (const c of rubric.oecd.characteristics) {
    const count = counts.get(c.id) ?? emptyCounts();
    const level = agreed.has(c.id) ? (agreed.get(c.id) ?? null) : medianLevel(c, count);
    levels.set(c.id, level);
    if (agreed.has(c.id) ? level !== null : count.answered > 0) answered.add(c.id);
  }
  const byId = new Map(rubric.oecd.characteristics.map((c) => [c.id, c]));
  const themes: ThemeFinding[] = rubric.govstage.themes.map((theme) => ({
    themeId: theme.id,
    ...decideStage(theme.characteristics.map((id) => byId.get(id)).filter((c): c is Characteristic => c !== undefined), levels, answered),
  }));
  return { levels, themes, overall: decideOverall(themes), suggestions: chooseSuggestions(rubric, themes) };
}

/** Counts by what they mean for moving on (see `standingOf`): met, partial, unmet; unknown for "not sure". */
export interface StandingCounts {
  met: number;
  partial: number;
  unmet: number;
  unknown: number;
}

export function standingCounts(characteristic: Characteristic, counts: LevelCounts): StandingCounts {
  const achievement = characteristic.describes === 'achievement';
  return {
    met: achievement ? counts.holds : counts.absent,
    partial: counts.partly,
    unmet: achievement ? counts.absent : counts.holds,
    unknown: counts.unknown,
  };
}

/** The level that has a standing for a characteristic (an agreed answer given as met, partial, unmet or unknown). */
export function levelOfStanding(characteristic: Characteristic, standing: Standing): Level | null {
  if (standing === 'unknown') return null;
  if (standing === 'partial') return 'partly';
  const met = standing === 'met';
  return characteristic.describes === 'achievement' ? (met ? 'holds' : 'absent') : met ? 'absent' : 'holds';
}

export { standingOf, type Standing };
