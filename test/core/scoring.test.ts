/**
 * The stage rule and its explanation, on canonical and mixed answer profiles.
 *
 * Rule: progress is yes 1 / partly 0.5 / no 0 for achievements and the
 * inverse for limitations (early-stage characteristics). A theme is
 * intermediate when its early + intermediate characteristics have mean
 * progress ≥ 0.75 with at least half of them answered, advanced when its
 * advanced characteristics pass the same test too, and undecided (null) when
 * fewer than half are answered. The overall stage applies the rule to all
 * characteristics together.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { textsFor, type AssessmentDefinition, type Texts } from '../../src/core/definition.js';
import { evidenceFrom, explain } from '../../src/core/scoring/explain.js';
import { progressOf, score, type ScoredResult } from '../../src/core/scoring/score.js';
import type { StageId } from '../../src/core/rubric/schema.js';
import type { ResultView } from '../../src/core/messages.js';
import { advancedProfile, answersBy, earlyProfile, intermediateProfile, realDefinition, type Answers } from './helpers.js';

let definition: AssessmentDefinition;
let texts: Texts;
beforeAll(async () => {
  definition = await realDefinition();
  texts = textsFor(definition, 'en');
});

const RANK: Record<StageId, number> = { early: 0, intermediate: 1, advanced: 2 };

const scored = (answers: Answers): ScoredResult => score(definition.rubric, evidenceFrom(definition, answers));
const themeStage = (result: ScoredResult, themeId: string) => result.themes.find((t) => t.themeId === themeId)?.stage;
const themeStages = (result: ScoredResult) => Object.fromEntries(result.themes.map((t) => [t.themeId, t.stage]));
/** Answers given per question id; questions not named get "not sure". */
const answered = (given: Record<string, string>): Answers =>
  Object.fromEntries(definition.questions.map((q) => [q.id, { option: given[q.id] ?? 'unsure' }]));

describe('progress of one characteristic', () => {
  it('counts yes 1, partly 0.5, no 0 for an achievement and the inverse for a limitation', () => {
    const achievement = definition.characteristics.get('intermediate-open-data-reusable');
    const limitation = definition.characteristics.get('early-top-down');
    if (!achievement || !limitation) throw new Error('fixture characteristics missing');
    expect([progressOf(achievement, 'yes'), progressOf(achievement, 'partly'), progressOf(achievement, 'no')]).toEqual([1, 0.5, 0]);
    expect([progressOf(limitation, 'yes'), progressOf(limitation, 'partly'), progressOf(limitation, 'no')]).toEqual([0, 0.5, 1]);
  });
});

describe('canonical profiles', () => {
  it('early profile (early limitations confirmed, nothing else) is early overall and in every theme', () => {
    const result = scored(earlyProfile(definition));
    expect(result.overall.stage).toBe('early');
    expect(themeStages(result)).toEqual({ engagement: 'early', framework: 'early', 'open-data': 'early' });
    expect(result.contradictions).toEqual([]);
  });

  it('intermediate profile (limitations overcome, intermediate achievements only) is intermediate everywhere', () => {
    const result = scored(intermediateProfile(definition));
    expect(result.overall.stage).toBe('intermediate');
    expect(themeStages(result)).toEqual({ engagement: 'intermediate', framework: 'intermediate', 'open-data': 'intermediate' });
    expect(result.overall.advancedUndecided).toBe(false);
  });

  it('advanced profile (limitations overcome, every achievement in place) is advanced everywhere', () => {
    const result = scored(advancedProfile(definition));
    expect(result.overall.stage).toBe('advanced');
    expect(themeStages(result)).toEqual({ engagement: 'advanced', framework: 'advanced', 'open-data': 'advanced' });
    expect(result.contradictions).toEqual([]);
  });

  it('"partly" everywhere is early: mean progress 0.5 is short of 0.75', () => {
    const result = scored(answersBy(definition, () => 'partly'));
    expect(result.overall.stage).toBe('early');
    expect(new Set(result.themes.map((t) => t.stage))).toEqual(new Set(['early']));
    // Every early and intermediate characteristic is short of full progress, so all hold the stage back.
    expect(result.overall.holdingBack).toHaveLength(7);
    expect(result.overall.gap).toBeCloseTo(3.5);
  });

  it('the explained result labels every stage with the flow text', () => {
    const view = explain(definition, texts, intermediateProfile(definition));
    expect(view.overall.stageLabel).toBe(texts.stageLabel('intermediate'));
    expect(view.overall.explanation).toContain(texts.t('resultIntro', { stage: texts.stageLabel('intermediate') }));
    for (const theme of view.themes) expect(theme.explanation).toBe(texts.t('themeExplanation.intermediate'));
    expect(view.caveats).toEqual([]);
  });
});

describe('the thresholds of the rule', () => {
  // Engagement: early/intermediate gate = ict-purpose (L), ict-engagement, decision-style (L), citizen-preferences; advanced = outside-ideas.
  const engagement = (given: Record<string, string>) => themeStage(scored(answered(given)), 'engagement');

  it('mean progress exactly 0.75 passes (three of four in place)', () => {
    expect(engagement({ 'ict-purpose': 'no', 'ict-engagement': 'yes', 'decision-style': 'no', 'citizen-preferences': 'no', 'outside-ideas': 'no' })).toBe('intermediate');
    expect(engagement({ 'ict-purpose': 'partly', 'ict-engagement': 'yes', 'decision-style': 'no', 'citizen-preferences': 'partly', 'outside-ideas': 'no' })).toBe('intermediate');
  });

  it('mean progress just below 0.75 stays early', () => {
    expect(engagement({ 'ict-purpose': 'partly', 'ict-engagement': 'yes', 'decision-style': 'no', 'citizen-preferences': 'no', 'outside-ideas': 'no' })).toBe('early');
  });

  it('a limitation confirmed counts against the stage (inverted progress)', () => {
    expect(engagement({ 'ict-purpose': 'yes', 'ict-engagement': 'yes', 'decision-style': 'yes', 'citizen-preferences': 'yes', 'outside-ideas': 'no' })).toBe('early');
  });

  it('half of the gate answered is enough to decide; fewer than half is undecided', () => {
    expect(engagement({ 'ict-purpose': 'no', 'ict-engagement': 'yes' })).toBe('intermediate');
    expect(engagement({ 'ict-purpose': 'no' })).toBeNull();
    expect(engagement({})).toBeNull();
  });

  it('advanced needs the advanced characteristics to pass as well', () => {
    const base = { 'ict-purpose': 'no', 'ict-engagement': 'yes', 'decision-style': 'no', 'citizen-preferences': 'yes' };
    expect(engagement({ ...base, 'outside-ideas': 'yes' })).toBe('advanced');
    expect(engagement({ ...base, 'outside-ideas': 'partly' })).toBe('intermediate');
  });

  it('an unanswered advanced gate leaves the theme intermediate, flagged advanced-undecided', () => {
    const result = scored(answered({ 'ict-purpose': 'no', 'ict-engagement': 'yes', 'decision-style': 'no', 'citizen-preferences': 'yes' }));
    const finding = result.themes.find((t) => t.themeId === 'engagement');
    expect(finding?.stage).toBe('intermediate');
    expect(finding?.advancedUndecided).toBe(true);
    const view = explain(definition, texts, answered({ 'ict-purpose': 'no', 'ict-engagement': 'yes', 'decision-style': 'no', 'citizen-preferences': 'yes' }));
    expect(view.themes.find((t) => t.themeId === 'engagement')?.explanation).toBe(texts.t('themeExplanation.advancedUndecided'));
  });

  it('the overall stage applies the rule to all characteristics, not the weakest theme', () => {
    // Engagement: (0.5 + 1 + 1 + 0) / 4 = 0.625 → early. All ten together: (0.5+1+1+0 + 1 + 1+1) / 7 ≈ 0.79 → intermediate.
    const answers = { ...intermediateProfile(definition), 'ict-purpose': { option: 'partly' }, 'citizen-preferences': { option: 'no' } };
    const result = scored(answers);
    expect(themeStage(result, 'engagement')).toBe('early');
    expect(result.overall.stage).toBe('intermediate');
  });
});

describe('mixed profiles', () => {
  // Strong open data, weak engagement, framework half-way.
  const mixed = (): Answers =>
    answered({
      'ict-purpose': 'yes', 'ict-engagement': 'no', 'decision-style': 'yes', 'citizen-preferences': 'no', 'outside-ideas': 'no',
      'legal-framework': 'partly', 'enabling-framework': 'partly',
      'open-data-focus': 'no', 'open-data-reusable': 'yes', 'open-data-ecosystem': 'yes',
    });

  it('strong open data and weak engagement put the data theme above the engagement theme', () => {
    const result = scored(mixed());
    expect(themeStage(result, 'open-data')).toBe('advanced');
    expect(themeStage(result, 'engagement')).toBe('early');
    expect(themeStage(result, 'framework')).toBe('early');
    expect(result.overall.stage).toBe('early');
  });

  it('orders suggestions weakest theme first, largest gap first among equals', () => {
    const result = scored(mixed());
    const weakest = result.suggestions.map((s) => Math.min(...s.reasons.map((r) => RANK[r.themeStage])));
    expect(weakest).toEqual([...weakest].sort((a, b) => a - b));
    // Engagement (gap 4) comes before framework (gap 0.5); open data (advanced) comes last.
    const firstThemes = result.suggestions.map((s) => s.reasons.map((r) => r.themeId));
    expect(firstThemes[0]).toContain('engagement');
    const lastEngagement = Math.max(...firstThemes.map((t, i) => (t.includes('engagement') ? i : -1)));
    const firstFramework = firstThemes.findIndex((t) => t.includes('framework'));
    const firstOpenData = firstThemes.findIndex((t) => t.includes('open-data') && !t.includes('engagement'));
    expect(lastEngagement).toBeLessThan(firstFramework);
    expect(firstFramework).toBeLessThan(firstOpenData);
    expect(result.suggestions.map((s) => s.policyId)).toEqual([
      'policy-early-consultation-instruments',
      'policy-early-ict-open-data',
      'policy-early-legal-frameworks',
      'policy-advanced-right-to-participate',
      'policy-advanced-open-data-ecosystem',
    ]);
  });

  it('an advanced theme gets its advanced policies to sustain, an early one the early policies as gaps', () => {
    const result = scored(mixed());
    const reasonsFor = (policyId: string) => result.suggestions.find((s) => s.policyId === policyId)?.reasons;
    expect(reasonsFor('policy-advanced-open-data-ecosystem')).toEqual([{ themeId: 'open-data', themeStage: 'advanced', mode: 'sustain' }]);
    expect(reasonsFor('policy-early-consultation-instruments')).toEqual([{ themeId: 'engagement', themeStage: 'early', mode: 'gap' }]);
  });
});

describe('"not sure" answers', () => {
  // Seven of ten "not sure": only ict-purpose, ict-engagement and legal-framework answered.
  const mostlyUnsure = (): Answers => answered({ 'ict-purpose': 'no', 'ict-engagement': 'yes', 'legal-framework': 'no' });

  it('leave the overall stage undecided when fewer than half the characteristics are answered', () => {
    const result = scored(mostlyUnsure());
    expect(result.overall.stage).toBeNull();
    expect(result.counts).toEqual({ total: 10, answered: 3, unsure: 7 });
    expect(themeStage(result, 'open-data')).toBeNull();
  });

  it('are explained: undecided overall text, undecided theme text and a caveat with the count', () => {
    const view = explain(definition, texts, mostlyUnsure());
    expect(view.overall.stage).toBeNull();
    expect(view.overall.stageLabel).toBe(texts.stageLabel(null));
    expect(view.overall.explanation).toContain(texts.t('resultUndecided'));
    expect(view.caveats).toContain(texts.t('caveatUnsure', { count: 7, total: 10 }));
    const openData = view.themes.find((t) => t.themeId === 'open-data');
    expect(openData?.stage).toBeNull();
    expect(openData?.explanation).toBe(texts.t('themeExplanation.undecided'));
    // An undecided theme gets no suggestion: there is nothing to base it on.
    const scoredResult = scored(mostlyUnsure());
    expect(scoredResult.suggestions.flatMap((s) => s.reasons.map((r) => r.themeId))).not.toContain('open-data');
  });

  it('add no caveat when every question has a real answer', () => {
    expect(explain(definition, texts, earlyProfile(definition)).caveats).toEqual([]);
  });
});

describe('contradictions', () => {
  it('top-down "yes" with outside ideas "yes" is a limitation-and-achievement contradiction in engagement', () => {
    const answers = { ...intermediateProfile(definition), 'decision-style': { option: 'yes' }, 'outside-ideas': { option: 'yes' } };
    const result = scored(answers);
    expect(result.contradictions).toContainEqual({
      id: 'early-top-down~advanced-outside-ideas',
      kind: 'limitation-and-achievement',
      themeId: 'engagement',
      characteristics: ['early-top-down', 'advanced-outside-ideas'],
    });
    const view = explain(definition, texts, answers);
    const described = view.contradictions.find((c) => c.id === 'early-top-down~advanced-outside-ideas');
    expect(described?.questionIds).toEqual(['decision-style', 'outside-ideas']);
    expect(described?.text).toContain(texts.pick(definition.questionById.get('decision-style')?.prompt ?? {}));
    expect(view.caveats).toContain(texts.t('caveatContradictions', { count: view.contradictions.length }));
  });

  it('advanced "yes" with intermediate "no" in the same theme is a skipped-stage contradiction', () => {
    const answers = { ...advancedProfile(definition), 'citizen-preferences': { option: 'no' } };
    const result = scored(answers);
    expect(result.contradictions).toEqual([
      { id: 'advanced-outside-ideas~intermediate-citizen-preferences', kind: 'skipped-stage', themeId: 'engagement', characteristics: ['advanced-outside-ideas', 'intermediate-citizen-preferences'] },
    ]);
  });

  it('"partly" answers do not count as contradictions', () => {
    const answers = { ...advancedProfile(definition), 'decision-style': { option: 'partly' }, 'citizen-preferences': { option: 'partly' } };
    expect(scored(answers).contradictions).toEqual([]);
  });

  it('answers in different themes never contradict each other', () => {
    // Limitation of the open-data theme confirmed, achievements of the engagement theme in place.
    const answers = { ...advancedProfile(definition), 'open-data-focus': { option: 'yes' }, 'open-data-reusable': { option: 'no' }, 'open-data-ecosystem': { option: 'no' } };
    expect(scored(answers).contradictions).toEqual([]);
  });
});

describe('suggestions', () => {
  const profiles: Record<string, () => Answers> = {
    early: () => earlyProfile(definition),
    intermediate: () => intermediateProfile(definition),
    advanced: () => advancedProfile(definition),
    partly: () => answersBy(definition, () => 'partly'),
    'intermediate, advanced not sure': () => answersBy(definition, (c) => (c.stage === 'advanced' ? 'unsure' : c.stage === 'early' ? 'no' : 'yes')),
  };

  for (const [name, profile] of Object.entries(profiles)) {
    it(`quote the rubric's policy text word for word and say which answers they rest on (${name} profile)`, () => {
      const view: ResultView = explain(definition, texts, profile());
      expect(view.suggestions.length).toBeGreaterThan(0);
      expect(new Set(view.suggestions.map((s) => s.policyId)).size).toBe(view.suggestions.length);
      for (const s of view.suggestions) {
        const policy = definition.policies.get(s.policyId);
        expect(policy, s.policyId).toBeDefined();
        expect(s.text).toBe(policy?.text);
        expect(s.stage).toBe(policy?.stage);
        expect(s.because.length, `${s.policyId} has no "because you said"`).toBeGreaterThan(0);
        // Each quoted answer is one the person gave, to a question of a theme the suggestion is for.
        const themeChars = new Set(definition.themes.filter((t) => t.policies.includes(s.policyId)).flatMap((t) => t.characteristics));
        for (const quote of s.because) {
          expect(themeChars.has(quote.characteristicId), `${s.policyId} because ${quote.questionId}`).toBe(true);
          expect(profile()[quote.questionId]).toBeDefined();
        }
      }
    });
  }

  it('an intermediate open-data theme gets the advanced open-data policy in next-stage mode', () => {
    const result = scored(intermediateProfile(definition));
    const suggestion = result.suggestions.find((s) => s.policyId === 'policy-advanced-open-data-ecosystem');
    expect(suggestion?.reasons).toEqual([{ themeId: 'open-data', themeStage: 'intermediate', mode: 'next-stage' }]);
    expect(suggestion?.because).toEqual(['advanced-ogd-ecosystem']);
    const view = explain(definition, texts, intermediateProfile(definition));
    const shown = view.suggestions.find((s) => s.policyId === 'policy-advanced-open-data-ecosystem');
    expect(shown?.reason).toContain('advanced stage you are heading towards');
    expect(shown?.because.map((b) => b.questionId)).toEqual(['open-data-ecosystem']);
  });

  it('an intermediate engagement theme gets the intermediate policies as gaps', () => {
    const result = scored(intermediateProfile(definition));
    const engagementPolicies = result.suggestions.filter((s) => s.reasons.some((r) => r.themeId === 'engagement')).map((s) => s.policyId);
    expect(engagementPolicies.sort()).toEqual(['policy-intermediate-change-management', 'policy-intermediate-subnational']);
    for (const s of result.suggestions.filter((x) => x.reasons.some((r) => r.themeId === 'engagement'))) {
      expect(s.reasons.find((r) => r.themeId === 'engagement')?.mode).toBe('gap');
    }
  });

  it('a policy serving two themes is suggested once, with both reasons', () => {
    const result = scored(earlyProfile(definition));
    const shared = result.suggestions.filter((s) => s.policyId === 'policy-early-ict-open-data');
    expect(shared).toHaveLength(1);
    expect(shared[0]?.reasons.map((r) => r.themeId).sort()).toEqual(['engagement', 'open-data']);
  });
});

describe('milestones', () => {
  it('an early theme lists the OECD characteristics of the next stage', () => {
    const view = explain(definition, texts, earlyProfile(definition));
    const engagement = view.themes.find((t) => t.themeId === 'engagement');
    expect(engagement?.milestone?.stage).toBe('intermediate');
    expect(engagement?.milestone?.characteristics).toEqual([
      definition.characteristics.get('intermediate-ict-engagement-channel')?.text,
      definition.characteristics.get('intermediate-citizen-preferences')?.text,
    ]);
  });

  it('a theme with no characteristic at the next stage looks one stage further', () => {
    const view = explain(definition, texts, earlyProfile(definition));
    const framework = view.themes.find((t) => t.themeId === 'framework');
    expect(framework?.milestone).toEqual({
      stage: 'advanced',
      stageLabel: texts.stageLabel('advanced'),
      characteristics: [definition.characteristics.get('advanced-enabling-framework')?.text],
    });
  });

  it('an advanced theme has no milestone left', () => {
    const view = explain(definition, texts, advancedProfile(definition));
    for (const theme of view.themes) expect(theme.milestone).toBeNull();
  });

  it('each theme quotes the answers its stage rests on, and only those', () => {
    const view = explain(definition, texts, earlyProfile(definition));
    const openData = view.themes.find((t) => t.themeId === 'open-data');
    expect(openData?.basis.map((b) => b.questionId)).toEqual(['open-data-focus', 'open-data-reusable', 'open-data-ecosystem']);
    expect(openData?.basis[0]?.answer).toBe('Yes, mainly the number of datasets');
  });
});
