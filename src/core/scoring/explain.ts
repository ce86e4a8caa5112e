/**
 * Turns a scored result into the words people read: stage labels, the
 * answers behind each stage ("because you said …"), the OECD milestone of the
 * next stage, and honest caveats. Pure.
 */
import { type AssessmentDefinition, type Texts } from '../definition.js';
import type { AnswerQuote, ContradictionView, ResultView, SuggestionView, ThemeResultView } from '../messages.js';
import type { MachineContext } from '../conversation/state.js';
import { UNSURE } from '../conversation/state.js';
import { nextStage, score, type Contradiction, type Evidence, type ScoredResult, type StageFinding } from './score.js';

export function evidenceFrom(definition: AssessmentDefinition, answers: MachineContext['answers']): Evidence[] {
  const out: Evidence[] = [];
  for (const question of definition.questions) {
    const answer = answers[question.id];
    if (!answer) continue;
    const option = question.options.find((o) => o.id === answer.option);
    out.push({ characteristicId: question.characteristic, questionId: question.id, holds: answer.option === UNSURE || !option ? null : option.holds });
  }
  return out;
}

export function answerLabel(definition: AssessmentDefinition, texts: Texts, questionId: string, optionId: string): string {
  if (optionId === UNSURE) return texts.t('unsure');
  const option = definition.questionById.get(questionId)?.options.find((o) => o.id === optionId);
  return option ? texts.pick(option.label) : optionId;
}

export function quotesFor(definition: AssessmentDefinition, texts: Texts, answers: MachineContext['answers'], characteristicIds: readonly string[]): AnswerQuote[] {
  const quotes: AnswerQuote[] = [];
  for (const question of definition.questions) {
    if (!characteristicIds.includes(question.characteristic)) continue;
    const answer = answers[question.id];
    if (!answer) continue;
    quotes.push({ questionId: question.id, question: texts.pick(question.prompt), answer: answerLabel(definition, texts, question.id, answer.option), characteristicId: question.characteristic });
  }
  return quotes;
}

export function describeContradictions(definition: AssessmentDefinition, texts: Texts, answers: MachineContext['answers'], contradictions: readonly Contradiction[]): ContradictionView[] {
  return contradictions.map((c) => {
    const [first, second] = c.characteristics.map((id) => quotesFor(definition, texts, answers, [id])[0]);
    const theme = definition.themes.find((t) => t.id === c.themeId);
    const themeTitle = theme ? texts.pick(theme.title) : c.themeId;
    const secondStage = definition.characteristics.get(c.characteristics[1])?.stage ?? 'intermediate';
    const text =
      c.kind === 'limitation-and-achievement'
        ? texts.t('contradictionLimitationAndAchievement', {
            limitationAnswer: first?.answer ?? '', limitationQuestion: first?.question ?? '',
            achievementAnswer: second?.answer ?? '', achievementQuestion: second?.question ?? '',
            stage: texts.stageLabel(secondStage).toLowerCase(), theme: themeTitle,
          })
        : texts.t('contradictionSkippedStage', {
            advancedAnswer: first?.answer ?? '', advancedQuestion: first?.question ?? '',
            intermediateAnswer: second?.answer ?? '', intermediateQuestion: second?.question ?? '', theme: themeTitle,
          });
    return { id: c.id, text, questionIds: [first?.questionId, second?.questionId].filter((q): q is string => q !== undefined) };
  });
}

function themeExplanation(texts: Texts, finding: StageFinding): string {
  if (finding.stage === null) return texts.t('themeExplanation.undecided');
  if (finding.advancedUndecided) return texts.t('themeExplanation.advancedUndecided');
  return texts.t(`themeExplanation.${finding.stage}`);
}

export function explain(definition: AssessmentDefinition, texts: Texts, answers: MachineContext['answers'], scored: ScoredResult = score(definition.rubric, evidenceFrom(definition, answers))): ResultView {
  const { rubric, flow } = definition;
  const themes: ThemeResultView[] = scored.themes.map((finding) => {
    const theme = definition.themes.find((t) => t.id === finding.themeId);
    if (!theme) throw new Error(`unknown theme ${finding.themeId}`);
    // The next stage that this theme describes: for a theme with no characteristic at the very next stage, the one after.
    let milestone: ThemeResultView['milestone'] = null;
    for (let stage = finding.stage ? nextStage(finding.stage) : 'intermediate'; stage; stage = nextStage(stage)) {
      const chars = theme.characteristics.map((id) => definition.characteristics.get(id)).filter((c) => c?.stage === stage);
      if (chars.length > 0) {
        milestone = { stage, stageLabel: texts.stageLabel(stage), characteristics: chars.map((c) => c?.text ?? '') };
        break;
      }
    }
    return {
      themeId: theme.id,
      title: texts.pick(theme.title),
      stage: finding.stage,
      stageLabel: texts.stageLabel(finding.stage),
      explanation: themeExplanation(texts, finding),
      basis: quotesFor(definition, texts, answers, theme.characteristics),
      milestone,
    };
  });
  const suggestions: SuggestionView[] = scored.suggestions.map((s) => {
    const policy = definition.policies.get(s.policyId);
    if (!policy) throw new Error(`unknown policy ${s.policyId}`);
    const reasons = s.reasons.map((r) => {
      const theme = definition.themes.find((t) => t.id === r.themeId);
      const values = {
        theme: theme ? texts.pick(theme.title) : r.themeId,
        stage: texts.stageLabel(r.themeStage).toLowerCase(),
        nextStage: texts.stageLabel(nextStage(r.themeStage)).toLowerCase(),
      };
      return texts.t(r.mode === 'gap' ? 'reasonGap' : r.mode === 'next-stage' ? 'reasonNextStage' : 'reasonSustain', values);
    });
    return {
      policyId: policy.id,
      text: policy.text,
      stage: policy.stage,
      stageLabel: texts.stageLabel(policy.stage),
      themes: s.reasons.map((r) => texts.pick(definition.themes.find((t) => t.id === r.themeId)?.title ?? { en: r.themeId })),
      reason: reasons.join(' '),
      because: quotesFor(definition, texts, answers, s.because),
    };
  });
  const contradictions = describeContradictions(definition, texts, answers, scored.contradictions);
  const caveats: string[] = [];
  if (scored.counts.unsure > 0) caveats.push(texts.t('caveatUnsure', { count: scored.counts.unsure, total: definition.questions.length }));
  if (contradictions.length > 0) caveats.push(texts.t('caveatContradictions', { count: contradictions.length }));
  const overallExplanation = [scored.overall.stage === null ? texts.t('resultUndecided') : texts.t('resultIntro', { stage: texts.stageLabel(scored.overall.stage) }), texts.t('overallExplanation', { total: rubric.oecd.characteristics.length })].join(' ');
  return {
    overall: { stage: scored.overall.stage, stageLabel: texts.stageLabel(scored.overall.stage), explanation: overallExplanation },
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
      sourceLabel: texts.t('sourceLabel', { publisher: rubric.oecd.source.publisher, title: rubric.oecd.source.title, rubricVersion: rubric.version, flowVersion: flow.version }),
    },
  };
}
