/**
 * Turns a scored result into the words people read: stage labels, the
 * answers behind each stage (what holds a theme back, apart from what is
 * already in place), the OECD milestone of the next stage, and honest
 * caveats. Everything written here is ours and is marked so (`…By`). Pure.
 */
import { type AssessmentDefinition, type Texts } from '../definition.js';
import type { AnswerQuote, ContradictionView, ResultView, SuggestionView, ThemeResultView } from '../messages.js';
import type { MachineContext } from '../conversation/state.js';
import { UNSURE } from '../conversation/state.js';
import type { StageId } from '../rubric/schema.js';
import { evidenceFrom, statesOfAnswer } from './evidence.js';
import { nextStage, score, type Contradiction, type Requirement, type ScoredResult, type StageFinding } from './score.js';

export { evidenceFrom } from './evidence.js';

export function answerLabel(definition: AssessmentDefinition, texts: Texts, questionId: string, optionId: string): string {
  if (optionId === UNSURE) return texts.t('unsure');
  const option = definition.questionById.get(questionId)?.options.find((o) => o.id === optionId);
  return option ? texts.pick(option.label) : optionId;
}

/** A question's wording for what is being assessed. */
export function promptOf(definition: AssessmentDefinition, texts: Texts, questionId: string, unit: string | null): string {
  const question = definition.questionById.get(questionId);
  return question ? texts.fill(texts.pick(question.prompt), { unit: texts.unitNoun(unit) }) : questionId;
}

/** The answers to the questions about these characteristics, in question order. */
export function quotesFor(definition: AssessmentDefinition, texts: Texts, context: Pick<MachineContext, 'answers' | 'unit'>, characteristicIds: readonly string[]): AnswerQuote[] {
  const quotes: AnswerQuote[] = [];
  for (const question of definition.questions) {
    if (!characteristicIds.includes(question.characteristic)) continue;
    const answer = context.answers[question.id];
    if (!answer) continue;
    quotes.push({
      questionId: question.id,
      question: promptOf(definition, texts, question.id, context.unit),
      short: texts.pick(question.short),
      answer: answerLabel(definition, texts, question.id, answer.option),
      states: statesOfAnswer(definition, question.id, answer.option),
      characteristicId: question.characteristic,
    });
  }
  return quotes;
}

const briefly = (texts: Texts, quotes: readonly AnswerQuote[]) => quotes.map((q) => texts.t('answerInBrief', { short: q.short, answer: q.answer }));

export function describeContradictions(definition: AssessmentDefinition, texts: Texts, context: MachineContext, contradictions: readonly Contradiction[]): ContradictionView[] {
  return contradictions.map((c) => {
    const first = quotesFor(definition, texts, context, [c.characteristicId]);
    // Only the answers that take part: for a compound characteristic, the parts said to hold (or be absent).
    const others = quotesFor(definition, texts, context, c.against).filter((q) => q.states === (c.kind === 'skipped-stage' ? 'absent' : 'holds'));
    const text = c.kind === 'limitation-and-achievement'
      ? texts.t('contradictionLimitation', { first: texts.list(briefly(texts, first)), others: texts.list(briefly(texts, others)) })
      : texts.t('contradictionSkipped', { first: texts.list(briefly(texts, first)), others: texts.list(briefly(texts, others)) });
    const kept = Object.hasOwn(context.settled, c.id) ? context.settled[c.id] : undefined;
    return {
      id: c.id,
      themeId: c.themeId,
      text,
      textBy: 'govstage' as const,
      questionIds: [...first, ...others].map((q) => q.questionId),
      answers: [...first, ...others],
      settlement: kept ? { kind: 'kept' as const, note: kept.note } : context.deferred.includes(c.id) ? { kind: 'deferred' as const } : { kind: 'open' as const },
    };
  });
}

/** The stage as shown: "Intermediate", "Intermediate, at least", "Not enough answers". */
export function stageLabelOf(texts: Texts, finding: Pick<StageFinding, 'stage' | 'status'>): string {
  if (finding.stage === null) return texts.stageLabel(null);
  return finding.status === 'at-least' ? texts.t('stageAtLeast', { stage: texts.stageLabel(finding.stage) }) : texts.stageLabel(finding.stage);
}

const stageName = (texts: Texts, stage: StageId | null) => (stage ? texts.t(`stageName.${stage}`) : '');

function themeExplanation(texts: Texts, finding: StageFinding, pendingQuotes: readonly AnswerQuote[], unsettled: boolean): string {
  if (finding.stage === null) return texts.t('themeExplanation.undecided');
  const parts: string[] = [];
  if (finding.status === 'at-least') {
    parts.push(texts.t('themeExplanation.atLeast', { stage: stageName(texts, finding.stage), next: stageName(texts, finding.next), questions: texts.list(pendingQuotes.map((q) => q.short)) }));
  } else if (finding.stage === 'early') {
    parts.push(texts.t('themeExplanation.early'));
  } else if (finding.stage === 'intermediate' && finding.noOwnCharacteristicsAt.includes('intermediate')) {
    parts.push(texts.t('themeExplanation.intermediateNoOwn'));
  } else {
    parts.push(texts.t(`themeExplanation.${finding.stage}`));
  }
  if (finding.status === 'reached' && finding.next && finding.noOwnCharacteristicsAt.includes('intermediate') && finding.stage === 'early') {
    parts.push(texts.t('themeNoOwnIntermediate'));
  }
  if (finding.onTheWay && finding.next) parts.push(texts.t('themeOnTheWay', { next: stageName(texts, finding.next) }));
  if (unsettled) parts.push(texts.t('themeUnsettled', { stage: stageName(texts, finding.stage) }));
  return parts.join(' ');
}

const ids = (requirements: readonly Requirement[]) => requirements.map((r) => r.characteristicId);

export function explain(definition: AssessmentDefinition, texts: Texts, context: MachineContext, scored: ScoredResult = score(definition.rubric, evidenceFrom(definition, context.answers))): ResultView {
  const { rubric, flow } = definition;
  const themeTitle = (id: string) => texts.pick(definition.themes.find((t) => t.id === id)?.title ?? { [texts.locale]: id });
  const contradictions = describeContradictions(definition, texts, context, scored.contradictions);
  /** Holding back: only answers that fall short of what the next stage needs; never an answer that meets it. */
  const shortOf = (finding: StageFinding) => {
    const wanted = new Map(finding.shortfalls.map((r) => [r.characteristicId, r]));
    return quotesFor(definition, texts, context, ids(finding.shortfalls)).filter((q) => {
      const r = wanted.get(q.characteristicId);
      if (!r) return false;
      const limitation = definition.characteristics.get(q.characteristicId)?.describes === 'limitation';
      // A limitation "partly" there holds a stage back only where it must be fully overcome.
      if (limitation) return q.states === 'holds' || (r.needs === 'met' && q.states === 'partly');
      return q.states !== 'holds' && q.states !== 'unknown';
    });
  };
  const pendingOf = (finding: StageFinding) => quotesFor(definition, texts, context, ids(finding.pending)).filter((q) => q.states === 'unknown');
  const strengthsOf = (characteristicIds: readonly string[]) =>
    quotesFor(definition, texts, context, characteristicIds).filter((q) => {
      const limitation = definition.characteristics.get(q.characteristicId)?.describes === 'limitation';
      return limitation ? q.states === 'absent' : q.states === 'holds';
    });

  const themes: ThemeResultView[] = scored.themes.map((finding) => {
    const theme = definition.themes.find((t) => t.id === finding.themeId);
    if (!theme) throw new Error(`unknown theme ${finding.themeId}`);
    // The next stage that this theme describes: for a theme with no characteristic at the very next stage, the one after.
    let milestone: ThemeResultView['milestone'] = null;
    for (let stage = finding.stage ? nextStage(finding.stage) : 'intermediate'; stage; stage = nextStage(stage)) {
      const chars = theme.characteristics.map((id) => definition.characteristics.get(id)).filter((c) => c?.stage === stage);
      if (chars.length > 0) {
        const items = chars.filter((c): c is NonNullable<typeof c> => c !== undefined).map((c) => ({ characteristicId: c.id, text: c.text, textBy: 'oecd' as const, translation: texts.translation('characteristics', c.id) }));
        milestone = { stage, stageLabel: texts.stageLabel(stage), characteristics: items.map((c) => c.text), items };
        break;
      }
    }
    const unsettled = contradictions.filter((c) => c.themeId === theme.id && c.settlement.kind !== 'kept').map((c) => c.id);
    const pending = pendingOf(finding);
    return {
      themeId: theme.id,
      title: texts.pick(theme.title),
      titleBy: 'govstage' as const,
      stage: finding.stage,
      status: finding.status,
      stageLabel: stageLabelOf(texts, finding),
      explanation: themeExplanation(texts, finding, pending, unsettled.length > 0),
      basis: quotesFor(definition, texts, context, theme.characteristics),
      strengths: strengthsOf(theme.characteristics),
      holdingBack: shortOf(finding),
      pending,
      unsettled,
      milestone,
    };
  });

  const suggestions: SuggestionView[] = scored.suggestions.map((s) => {
    const policy = definition.policies.get(s.policyId);
    if (!policy) throw new Error(`unknown policy ${s.policyId}`);
    const reasons = s.reasons.map((r) => {
      const values = { theme: themeTitle(r.themeId), stage: stageName(texts, r.themeStage), nextStage: stageName(texts, nextStage(r.themeStage)) };
      return texts.t(r.mode === 'gap' ? 'reasonGap' : r.mode === 'next-stage' ? 'reasonNextStage' : 'reasonSustain', values);
    });
    const findings = s.reasons.map((r) => scored.themes.find((t) => t.themeId === r.themeId)).filter((t): t is NonNullable<typeof t> => t !== undefined);
    const because = findings.flatMap(shortOf).filter((q, i, all) => all.findIndex((o) => o.questionId === q.questionId) === i);
    return {
      policyId: policy.id,
      text: policy.text,
      textBy: 'oecd' as const,
      translation: texts.translation('policies', policy.id),
      stage: policy.stage,
      stageLabel: texts.stageLabel(policy.stage),
      themes: s.reasons.map((r) => themeTitle(r.themeId)),
      reason: reasons.join(' '),
      reasonBy: 'govstage' as const,
      because,
    };
  });

  const unsettledCount = contradictions.filter((c) => c.settlement.kind !== 'kept').length;
  const caveats: string[] = [];
  if (scored.counts.unsure > 0) caveats.push(texts.t('caveatUnsure', { count: scored.counts.unsure, total: definition.questions.length }));
  if (unsettledCount > 0) caveats.push(texts.t('caveatContradictions', { count: unsettledCount }));

  const { overall } = scored;
  const overallPending = quotesFor(definition, texts, context, ids(overall.pending)).filter((q) => q.states === 'unknown');
  const unitOption = flow.unit.options.find((o) => o.id === context.unit);
  const overallText: string[] = [];
  if (overall.stage === null) {
    overallText.push(texts.t('resultUndecided'));
    if (overall.heldBackBy.length > 0) overallText.push(texts.t('overallUndecidedThemes', { themes: texts.list(overall.heldBackBy.map(themeTitle)) }));
  } else {
    overallText.push(texts.t('resultIntro', { unit: texts.unitNoun(context.unit), stage: stageLabelOf(texts, overall) }));
    overallText.push(texts.t('overallWeakest', { themes: texts.list(overall.heldBackBy.map(themeTitle)) }));
    if (overall.aheadIn.length > 0) overallText.push(texts.t('overallAhead', { themes: texts.list(overall.aheadIn.map(themeTitle)) }));
    if (overall.status === 'at-least') overallText.push(texts.t('overallAtLeast', { next: stageName(texts, overall.next), questions: texts.list(overallPending.map((q) => q.short)) }));
  }
  return {
    unit: unitOption ? { id: unitOption.id, label: texts.pick(unitOption.label) } : null,
    overall: {
      stage: overall.stage,
      status: overall.status,
      stageLabel: stageLabelOf(texts, overall),
      explanation: overallText.join(' '),
      heldBackBy: overall.heldBackBy,
      aheadIn: overall.aheadIn,
      pending: overallPending,
    },
    themes,
    suggestions,
    contradictions,
    caveats,
    source: { publisher: rubric.oecd.source.publisher, title: rubric.oecd.source.title, rubricVersion: rubric.version, flowVersion: flow.version },
    texts: {
      heading: texts.t('resultHeading'),
      suggestionsHeading: texts.t('suggestionsHeading'),
      milestoneHeading: texts.t('milestoneHeading'),
      becauseLabel: texts.t('becauseLabel'),
      strengthsLabel: texts.t('strengthsLabel'),
      pendingLabel: texts.t('pendingLabel'),
      contradictionsHeading: texts.t('contradictionsHeading'),
      caveatsHeading: texts.t('caveatsHeading'),
      oursLabel: texts.t('oursLabel'),
      oecdLabel: texts.t('oecdLabel'),
      sourceLabel: texts.t('sourceLabel', { publisher: rubric.oecd.source.publisher, title: rubric.oecd.source.title, rubricVersion: rubric.version, flowVersion: flow.version }),
    },
  };
}
