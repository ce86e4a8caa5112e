/**
 * A group's answers per characteristic and the group's stage (src/core/scoring/group.ts):
 * the median view by standing, lower middle on an even split, "not sure"
 * never evidence; Leik's disagreement; and the same rule as for one person.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AssessmentDefinition } from '../../src/core/definition.js';
import type { States } from '../../src/core/flow/schema.js';
import type { Characteristic } from '../../src/core/rubric/schema.js';
import { evidenceFrom } from '../../src/core/scoring/evidence.js';
import { addCounts, countOf, disagreement, emptyCounts, groupStages, medianLevel, respondentViews, type LevelCounts } from '../../src/core/scoring/group.js';
import { score, type Level } from '../../src/core/scoring/score.js';
import { advancedProfile, earlyProfile, intermediateProfile, optionStating, realDefinition, type Answers } from './helpers.js';

let definition: AssessmentDefinition;
beforeAll(async () => {
  definition = await realDefinition();
});

const char = (id: string): Characteristic => {
  const found = definition.characteristics.get(id);
  if (!found) throw new Error(`no characteristic ${id}`);
  return found;
};
const counts = (c: Partial<LevelCounts>): LevelCounts => ({ ...emptyCounts(), ...c });
/** Counts per characteristic from several respondents' answers. */
function countsOf(respondents: Answers[]): Map<string, LevelCounts> {
  const out = new Map<string, LevelCounts>();
  for (const answers of respondents) {
    for (const [id, view] of respondentViews(definition, answers)) out.set(id, addCounts(out.get(id) ?? emptyCounts(), countOf(view)));
  }
  return out;
}
const LEVELS: States[] = ['holds', 'partly', 'absent', 'unknown'];
const answersOf = (levels: readonly States[]): Answers =>
  Object.fromEntries(definition.questions.map((q, i) => [q.id, { option: optionStating(definition, q.id, levels[i] ?? 'unknown') }]));
const profileArb = () => fc.array(fc.constantFrom(...LEVELS), { minLength: 14, maxLength: 14 });

describe("the group's answer to one characteristic", () => {
  it('is the median known answer; on an even split the less advanced middle one, so a requirement is met only with more than half', () => {
    const engagement = char('intermediate-ict-engagement-channel');
    expect(medianLevel(engagement, counts({ holds: 3, absent: 2 }))).toBe('holds');
    expect(medianLevel(engagement, counts({ holds: 2, absent: 2 }))).toBe('absent');
    expect(medianLevel(engagement, counts({ holds: 2, partly: 1, absent: 1 }))).toBe('partly');
    expect(medianLevel(engagement, counts({ holds: 1, partly: 1, absent: 3 }))).toBe('absent');
  });

  it('reads an early-stage limitation the other way round: there "holds" is the less advanced view', () => {
    const topDown = char('early-top-down');
    // Two say decisions are top-down, two say they are not: the limitation is taken to hold.
    expect(medianLevel(topDown, counts({ holds: 2, absent: 2 }))).toBe('holds');
    expect(medianLevel(topDown, counts({ holds: 1, absent: 2 }))).toBe('absent');
  });

  it('never counts "not sure": it changes no median, and with only "not sure" there is no answer', () => {
    const engagement = char('intermediate-ict-engagement-channel');
    expect(medianLevel(engagement, counts({ holds: 3, unknown: 10 }))).toBe('holds');
    expect(medianLevel(engagement, counts({ unknown: 4 }))).toBeNull();
    expect(medianLevel(engagement, emptyCounts())).toBeNull();
  });

  it('takes a recorded consensus over the median, including an agreement not to know', () => {
    const all = new Map(definition.rubric.oecd.characteristics.map((c) => [c.id, counts({ holds: 5, answered: 5 })]));
    const agreed = new Map<string, Level | null>([['intermediate-ict-engagement-channel', 'partly'], ['advanced-outside-ideas', null]]);
    const { levels } = groupStages(definition.rubric, all, agreed);
    expect(levels.get('intermediate-ict-engagement-channel')).toBe('partly');
    expect(levels.get('advanced-outside-ideas')).toBeNull();
    expect(levels.get('intermediate-open-data-reusable')).toBe('holds');
  });
});

describe('disagreement (Leik, 0 to 1)', () => {
  it('is 0 when everyone agrees, 1 for an even split between the extremes, in between otherwise; "not sure" left out', () => {
    expect(disagreement(counts({ holds: 6 }))).toBe(0);
    expect(disagreement(counts({ partly: 2, unknown: 5 }))).toBe(0);
    expect(disagreement(counts({ holds: 3, absent: 3 }))).toBe(1);
    expect(disagreement(counts({ holds: 3, partly: 3 }))).toBe(0.5);
    expect(disagreement(counts({ holds: 2, partly: 2, absent: 2 }))).toBe(0.67);
    expect(disagreement(counts({ holds: 4, absent: 1 }))).toBe(0.4);
    // One known answer cannot disagree with itself.
    expect(disagreement(counts({ absent: 1, unknown: 3 }))).toBe(0);
  });

  it('is the same read from either end of the scale, and never outside 0..1', () => {
    fc.assert(
      fc.property(fc.nat(20), fc.nat(20), fc.nat(20), fc.nat(20), (holds, partly, absent, unknown) => {
        const d = disagreement({ holds, partly, absent, unknown, answered: 0 });
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        expect(disagreement({ holds: absent, partly, absent: holds, unknown, answered: 0 })).toBe(d);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the group's stage: the same rule as for one person", () => {
  it('a group of one is exactly that person, for every answer profile', () => {
    fc.assert(
      fc.property(profileArb(), (levels) => {
        const answers = answersOf(levels);
        const individual = score(definition.rubric, evidenceFrom(definition, answers));
        const group = groupStages(definition.rubric, countsOf([answers]));
        expect(group.overall).toEqual(individual.overall);
        expect(group.themes).toEqual(individual.themes);
        expect(group.suggestions).toEqual(individual.suggestions);
      }),
      { numRuns: 200 },
    );
  });

  it('a group that answers as one gets that one stage; canonical profiles give early, intermediate, advanced', () => {
    for (const [profile, stage] of [[earlyProfile, 'early'], [intermediateProfile, 'intermediate'], [advancedProfile, 'advanced']] as const) {
      const answers = profile(definition);
      const group = groupStages(definition.rubric, countsOf([answers, answers, answers, answers]));
      expect(group.overall.stage).toBe(stage);
    }
  });

  it('is non-compensatory: two advanced views and three early ones do not average to intermediate', () => {
    const advanced = advancedProfile(definition);
    const early = earlyProfile(definition);
    const group = groupStages(definition.rubric, countsOf([advanced, advanced, early, early, early]));
    expect(group.overall.stage).toBe('early');
    // Three advanced and two early: a majority says every requirement is met.
    expect(groupStages(definition.rubric, countsOf([advanced, advanced, advanced, early, early])).overall.stage).toBe('advanced');
  });

  it('rests on "not sure" as an individual does: a characteristic nobody knows leaves the stage "at least"', () => {
    const answers = advancedProfile(definition);
    const unsure = { ...answers, 'open-data-ecosystem': { option: 'unsure' } };
    const group = groupStages(definition.rubric, countsOf([unsure, unsure, unsure]));
    expect(group.overall).toMatchObject({ stage: 'intermediate', status: 'at-least' });
  });
});
