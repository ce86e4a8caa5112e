/**
 * The stage rule, specified by what must always hold (fast-check over every
 * answer profile of the real flow), with canonical and mixed profiles as
 * illustrations. The rule (README, "How the stage is decided"):
 * non-compensatory and evidence-based; "not sure" is never evidence; the
 * overall stage is the weakest theme's.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { textsFor, type AssessmentDefinition, type Texts } from '../../src/core/definition.js';
import type { States } from '../../src/core/flow/schema.js';
import { evidenceFrom, explain } from '../../src/core/scoring/explain.js';
import { answeredCharacteristics, combineLevels, score, STAGE_RANK, type ScoredResult } from '../../src/core/scoring/score.js';
import type { Characteristic, StageId } from '../../src/core/rubric/schema.js';
import { advancedProfile, answersBy, contextOf, earlyProfile, intermediateProfile, optionStating, realDefinition, type Answers } from './helpers.js';

let definition: AssessmentDefinition;
let texts: Texts;
beforeAll(async () => {
  definition = await realDefinition();
  texts = textsFor(definition, 'en');
});

const rank = (stage: StageId | null) => (stage === null ? -1 : STAGE_RANK[stage]);
const scored = (answers: Answers): ScoredResult => score(definition.rubric, evidenceFrom(definition, answers));
const themeOf = (result: ScoredResult, id: string) => {
  const found = result.themes.find((t) => t.themeId === id);
  if (!found) throw new Error(`no theme ${id}`);
  return found;
};
const themeStages = (result: ScoredResult) => Object.fromEntries(result.themes.map((t) => [t.themeId, t.stage]));
const charsOfTheme = (id: string): Characteristic[] =>
  (definition.themes.find((t) => t.id === id)?.characteristics ?? []).map((c) => definition.characteristics.get(c) as Characteristic);

/** A profile: what each question's answer states (unknown = not sure). */
const LEVELS: States[] = ['holds', 'partly', 'absent', 'unknown'];
const profileArb = () => fc.array(fc.constantFrom(...LEVELS), { minLength: 14, maxLength: 14 });
const answersOf = (levels: readonly States[]): Answers =>
  Object.fromEntries(definition.questions.map((q, i) => [q.id, { option: optionStating(definition, q.id, levels[i] ?? 'unknown') }]));
/** Per question id, given levels; others "not sure". */
const given = (levels: Record<string, States>): Answers =>
  Object.fromEntries(definition.questions.map((q) => [q.id, { option: optionStating(definition, q.id, levels[q.id] ?? 'unknown') }]));

/** One step better for the characteristic a question evidences: towards the limitation gone, or the achievement in place. */
function better(question: { characteristic: string }, level: States): States | null {
  const limitation = definition.characteristics.get(question.characteristic)?.describes === 'limitation';
  const order: States[] = limitation ? ['holds', 'partly', 'absent'] : ['absent', 'partly', 'holds'];
  if (level === 'unknown') return order[2] as States;
  const i = order.indexOf(level);
  return i < 2 ? (order[i + 1] as States) : null;
}

describe('canonical profiles', () => {
  it('early profile (early characteristics confirmed, nothing else) is early overall and in every theme', () => {
    const result = scored(earlyProfile(definition));
    expect(result.overall.stage).toBe('early');
    expect(result.overall.status).toBe('reached');
    expect(themeStages(result)).toEqual({ engagement: 'early', framework: 'early', 'open-data': 'early' });
    expect(result.contradictions).toEqual([]);
  });

  it('intermediate profile (limitations overcome, intermediate characteristics in place, advanced ones not) is intermediate everywhere', () => {
    const result = scored(intermediateProfile(definition));
    expect(result.overall.stage).toBe('intermediate');
    expect(result.overall.status).toBe('reached');
    expect(themeStages(result)).toEqual({ engagement: 'intermediate', framework: 'intermediate', 'open-data': 'intermediate' });
  });

  it('advanced profile (limitations overcome, every characteristic in place) is advanced everywhere', () => {
    const result = scored(advancedProfile(definition));
    expect(result.overall.stage).toBe('advanced');
    expect(themeStages(result)).toEqual({ engagement: 'advanced', framework: 'advanced', 'open-data': 'advanced' });
    expect(result.contradictions).toEqual([]);
  });

  it('"partly" everywhere is early, on the way to intermediate', () => {
    const result = scored(answersBy(definition, () => 'partly'));
    expect(result.overall.stage).toBe('early');
    expect(new Set(result.themes.map((t) => t.stage))).toEqual(new Set(['early']));
    expect(result.themes.every((t) => t.onTheWay)).toBe(true);
  });
});

describe('defects the issue reported, now answered', () => {
  it('every achievement in place but "top-down is the predominant approach" fully true keeps engagement early', () => {
    const result = scored(given({ ...Object.fromEntries(definition.questions.map((q) => [q.id, q.characteristic.startsWith('early') ? 'absent' : 'holds'])), 'decision-style': 'holds' }));
    expect(themeOf(result, 'engagement').stage).toBe('early');
    expect(result.overall.stage).toBe('early');
    expect(result.overall.heldBackBy).toEqual(['engagement']);
    expect(result.overall.aheadIn).toEqual(['framework', 'open-data']);
  });

  it('denying the four early limitations with "not sure" to everything else certifies no stage', () => {
    const result = scored(given({ 'ict-purpose': 'absent', 'decision-style': 'absent', 'legal-framework': 'absent', 'open-data-focus': 'absent' }));
    expect(result.overall.stage).toBeNull();
    expect(result.overall.status).toBe('undecided');
    for (const theme of result.themes) expect(theme.stage).toBeNull();
  });

  it('"sometimes" to a characteristic the OECD qualifies with "Regularly" is progress, never the characteristic', () => {
    const base = Object.fromEntries(definition.questions.map((q) => [q.id, q.characteristic.startsWith('early') ? 'absent' : q.characteristic.startsWith('intermediate') ? 'holds' : 'absent'])) as Record<string, States>;
    const result = scored(given({ ...base, 'ict-engagement': 'partly' }));
    const engagement = themeOf(result, 'engagement');
    expect(engagement.stage).toBe('early');
    expect(engagement.onTheWay).toBe(true);
    expect(engagement.shortfalls.map((s) => s.characteristicId)).toEqual(['intermediate-ict-engagement-channel']);
  });

  it('a compound characteristic holds only when every part does', () => {
    expect(combineLevels(['holds', 'holds', 'holds'])).toBe('holds');
    expect(combineLevels(['holds', 'partly', 'holds'])).toBe('partly');
    expect(combineLevels(['holds', 'absent'])).toBe('partly');
    expect(combineLevels(['absent', 'absent'])).toBe('absent');
    expect(combineLevels(['holds', null])).toBeNull();
    expect(combineLevels(['absent', null])).toBe('absent');
    const result = scored(given({ ...Object.fromEntries(definition.questions.map((q) => [q.id, q.characteristic.startsWith('early') ? 'absent' : 'holds'])), 'open-data-portal': 'partly' }));
    expect(themeOf(result, 'open-data').stage).toBe('intermediate');
    expect(result.levels.get('advanced-ogd-ecosystem')).toBe('partly');
  });
});

describe('the rule, for every answer profile (fast-check)', () => {
  it('non-compensatory: a limitation that fully holds keeps its theme at early; an absent characteristic of stage S keeps it below S', () => {
    fc.assert(fc.property(profileArb(), (levels) => {
      const result = scored(answersOf(levels));
      for (const theme of result.themes) {
        for (const c of charsOfTheme(theme.themeId)) {
          const level = result.levels.get(c.id);
          if (c.describes === 'limitation' && level === 'holds') expect(rank(theme.stage)).toBeLessThanOrEqual(0);
          if (c.describes === 'achievement' && level !== 'holds') expect(rank(theme.stage)).toBeLessThan(STAGE_RANK[c.stage]);
        }
      }
    }), { numRuns: 400 });
  });

  it('evidence required: a stage above early rests on positive answers; "not sure" is never evidence', () => {
    fc.assert(fc.property(profileArb(), (levels) => {
      const result = scored(answersOf(levels));
      for (const theme of result.themes) {
        if (rank(theme.stage) < 1) continue;
        const chars = charsOfTheme(theme.themeId);
        const own = chars.filter((c) => c.stage === 'intermediate');
        // Every intermediate-stage characteristic of the theme confirmed, not assumed.
        for (const c of own) expect(result.levels.get(c.id)).toBe('holds');
        // A theme with none of its own: every limitation positively left behind, and every characteristic answered (some part of it, at least).
        const answered = answeredCharacteristics(evidenceFrom(definition, answersOf(levels)));
        if (own.length === 0) for (const c of chars) expect(answered.has(c.id)).toBe(true);
        for (const c of chars.filter((x) => x.describes === 'limitation')) expect(result.levels.get(c.id)).not.toBeNull();
        if (theme.stage === 'advanced') for (const c of chars.filter((x) => x.stage === 'advanced')) expect(result.levels.get(c.id)).toBe('holds');
      }
    }), { numRuns: 400 });
  });

  it('denying limitations alone certifies no stage of a theme that has characteristics of its own at that stage', () => {
    fc.assert(fc.property(profileArb(), (levels) => {
      // No achievement is said to hold.
      const answers = answersOf(levels.map((l, i) => {
        const q = definition.questions[i];
        const limitation = q && definition.characteristics.get(q.characteristic)?.describes === 'limitation';
        return !limitation && l === 'holds' ? 'unknown' : l;
      }));
      const result = scored(answers);
      expect(rank(result.overall.stage)).toBeLessThanOrEqual(0);
      for (const theme of result.themes) {
        if (charsOfTheme(theme.themeId).some((c) => c.stage === 'intermediate')) expect(rank(theme.stage)).toBeLessThanOrEqual(0);
      }
    }), { numRuns: 300 });
  });

  it('qualifiers count: a "Regularly" or "Systematically" characteristic answered "sometimes" never reaches its stage', () => {
    fc.assert(fc.property(profileArb(), (levels) => {
      const result = scored(answersOf(levels));
      for (const theme of result.themes) {
        for (const c of charsOfTheme(theme.themeId)) {
          if (c.qualifier && result.levels.get(c.id) === 'partly') expect(rank(theme.stage)).toBeLessThan(STAGE_RANK[c.stage]);
        }
      }
    }), { numRuns: 300 });
  });

  it('weakest link: the overall stage is never above the weakest theme, and says which theme holds it back and where it is ahead', () => {
    fc.assert(fc.property(profileArb(), (levels) => {
      const result = scored(answersOf(levels));
      const lowest = Math.min(...result.themes.map((t) => rank(t.stage)));
      expect(rank(result.overall.stage)).toBeLessThanOrEqual(lowest);
      if (result.overall.stage !== null) {
        expect(rank(result.overall.stage)).toBe(lowest);
        expect(result.overall.heldBackBy.sort()).toEqual(result.themes.filter((t) => rank(t.stage) === lowest).map((t) => t.themeId).sort());
        expect(result.overall.aheadIn.sort()).toEqual(result.themes.filter((t) => rank(t.stage) > lowest).map((t) => t.themeId).sort());
      }
    }), { numRuns: 300 });
  });

  it('monotonic: improving any one answer never lowers a theme or the overall stage', () => {
    fc.assert(fc.property(profileArb(), fc.nat({ max: 13 }), (levels, index) => {
      const question = definition.questions[index];
      if (!question) return;
      const improved = better(question, levels[index] ?? 'unknown');
      if (improved === null) return;
      const before = scored(answersOf(levels));
      const after = scored(answersOf(levels.map((l, i) => (i === index ? improved : l))));
      expect(rank(after.overall.stage)).toBeGreaterThanOrEqual(rank(before.overall.stage));
      for (const theme of before.themes) expect(rank(themeOf(after, theme.themeId).stage)).toBeGreaterThanOrEqual(rank(theme.stage));
    }), { numRuns: 600 });
  });

  it('honest gaps: "at least X" names the "not sure" answers the next stage needs, and answering them positively reaches it', () => {
    fc.assert(fc.property(profileArb(), (levels) => {
      const result = scored(answersOf(levels));
      for (const theme of result.themes) {
        if (theme.status !== 'at-least') { expect(theme.pending).toEqual([]); continue; }
        expect(theme.pending.length).toBeGreaterThan(0);
        expect(theme.shortfalls).toEqual([]);
        for (const p of theme.pending) expect(result.levels.get(p.characteristicId)).toBeNull();
        // Answer every question of the pending characteristics the best way: the theme rises.
        const pendingIds = new Set(theme.pending.map((p) => p.characteristicId));
        const resolved = scored(answersOf(levels.map((l, i) => {
          const q = definition.questions[i];
          if (!q || !pendingIds.has(q.characteristic) || l !== 'unknown') return l;
          return definition.characteristics.get(q.characteristic)?.describes === 'limitation' ? 'absent' : 'holds';
        })));
        expect(rank(themeOf(resolved, theme.themeId).stage)).toBeGreaterThan(rank(theme.stage));
      }
    }), { numRuns: 400 });
  });

  it('"because you said" quotes only answers that hold a theme back, never a strength', () => {
    fc.assert(fc.property(profileArb(), (levels) => {
      const view = explain(definition, texts, contextOf(answersOf(levels)));
      const isStrength = (q: { characteristicId: string; states: States }) =>
        definition.characteristics.get(q.characteristicId)?.describes === 'limitation' ? q.states === 'absent' : q.states === 'holds';
      for (const s of view.suggestions) for (const b of s.because) expect(isStrength(b)).toBe(false);
      for (const t of view.themes) {
        for (const b of t.holdingBack) expect(isStrength(b)).toBe(false);
        for (const b of t.strengths) expect(isStrength(b)).toBe(true);
      }
    }), { numRuns: 200 });
  });
});

describe('what the result says', () => {
  it('"at least" is a field and a label, the same value overall and per theme', () => {
    const profile = given({ ...Object.fromEntries(definition.questions.map((q) => [q.id, q.characteristic.startsWith('early') ? 'absent' : 'holds'])), 'outside-preferences': 'unknown' });
    const view = explain(definition, texts, contextOf(profile));
    const engagement = view.themes.find((t) => t.themeId === 'engagement');
    expect(engagement?.status).toBe('at-least');
    expect(engagement?.stageLabel).toBe(texts.t('stageAtLeast', { stage: texts.stageLabel('intermediate') }));
    expect(engagement?.pending.map((p) => p.questionId)).toEqual(['outside-preferences']);
    expect(view.overall.status).toBe('at-least');
    expect(view.overall.stageLabel).toBe(engagement?.stageLabel);
    expect(view.overall.pending.map((p) => p.questionId)).toEqual(['outside-preferences']);
  });

  it('the framework theme (no intermediate-stage characteristic in the OECD text) says how it moves and never claims intermediate characteristics are in place', () => {
    const view = explain(definition, texts, contextOf(intermediateProfile(definition)));
    const framework = view.themes.find((t) => t.themeId === 'framework');
    expect(framework?.stage).toBe('intermediate');
    expect(framework?.explanation).toBe(texts.t('themeExplanation.intermediateNoOwn'));
    expect(framework?.explanation).not.toContain(texts.t('themeExplanation.intermediate'));
  });

  it('theme titles and every explanation of ours are marked as ours', () => {
    const view = explain(definition, texts, contextOf(earlyProfile(definition)));
    for (const t of view.themes) expect(t.titleBy).toBe('govstage');
    for (const s of view.suggestions) expect(s.reasonBy).toBe('govstage');
    expect(view.texts.sourceLabel).toContain('Govstage');
  });

  it('names what was assessed', () => {
    const view = explain(definition, texts, contextOf(earlyProfile(definition), 'ministry'));
    expect(view.unit?.id).toBe('ministry');
    expect(view.overall.explanation).toContain(texts.unitNoun('ministry'));
  });

  it('strengths are listed apart from what holds a theme back', () => {
    const view = explain(definition, texts, contextOf(given({ 'open-data-focus': 'absent', 'open-data-reusable': 'holds', 'open-data-quality': 'absent', 'open-data-portal': 'holds', 'open-data-ecosystem': 'absent' })));
    const openData = view.themes.find((t) => t.themeId === 'open-data');
    expect(openData?.strengths.map((q) => q.questionId)).toEqual(['open-data-focus', 'open-data-reusable', 'open-data-portal']);
    expect(openData?.holdingBack.map((q) => q.questionId)).toEqual(['open-data-quality', 'open-data-ecosystem']);
  });
});

describe('contradictions', () => {
  it('are grouped: one limitation against every achievement of its theme said to hold', () => {
    const result = scored(answersBy(definition, () => 'holds'));
    const engagement = result.contradictions.filter((c) => c.themeId === 'engagement');
    expect(engagement.map((c) => c.characteristicId).sort()).toEqual(['early-ict-own-logic', 'early-top-down']);
    expect(engagement[0]?.against).toHaveLength(3);
    expect(result.contradictions).toHaveLength(4);
  });

  it('an advanced characteristic said to hold while an intermediate one is absent', () => {
    const result = scored(given({ 'open-data-reusable': 'absent', 'open-data-quality': 'holds', 'open-data-portal': 'holds', 'open-data-ecosystem': 'holds' }));
    expect(result.contradictions).toEqual([expect.objectContaining({ kind: 'skipped-stage', characteristicId: 'advanced-ogd-ecosystem', against: ['intermediate-open-data-reusable'] })]);
  });
});

describe("the README's worked example", () => {
  it('gives what the README says, answer by answer', () => {
    const replies: Record<string, string> = {
      'ict-purpose': 'no', 'ict-engagement': 'yes', 'decision-style': 'yes', 'citizen-preferences': 'yes', 'outside-ideas': 'yes', 'outside-preferences': 'yes',
      'legal-framework': 'yes', 'enabling-framework': 'yes', 'participation-skills': 'partly',
      'open-data-focus': 'no', 'open-data-reusable': 'yes', 'open-data-quality': 'partly', 'open-data-portal': 'yes', 'open-data-ecosystem': 'unsure',
    };
    const answers: Answers = Object.fromEntries(Object.entries(replies).map(([q, option]) => [q, { option }]));
    const result = scored(answers);
    expect(themeOf(result, 'engagement')).toMatchObject({ stage: 'early', status: 'reached', onTheWay: true });
    expect(themeOf(result, 'engagement').shortfalls.map((s) => s.characteristicId)).toEqual(['early-top-down']);
    expect(themeOf(result, 'framework')).toMatchObject({ stage: 'intermediate', status: 'reached' });
    expect(themeOf(result, 'open-data')).toMatchObject({ stage: 'intermediate', status: 'reached' });
    expect(result.overall).toMatchObject({ stage: 'early', heldBackBy: ['engagement'], aheadIn: ['framework', 'open-data'] });
    const view = explain(definition, texts, contextOf(answers, 'ministry'));
    expect(view.themes.find((t) => t.themeId === 'engagement')?.holdingBack.map((q) => q.questionId)).toEqual(['decision-style']);
  });
});
