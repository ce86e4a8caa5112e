/**
 * The assessment report: one versioned, documented data shape built from a
 * finished conversation, from which the web page, Markdown, JSON and CSV are
 * all rendered. The JSON export is this object as is; its JSON Schema is
 * generated from the zod schema below (GET /api/report-schema.json).
 */
import { z } from 'zod';
import { textsFor, type AssessmentDefinition } from '../core/definition.js';
import { UNSURE, type ConversationState } from '../core/conversation/state.js';
import { StageId } from '../core/rubric/schema.js';
import { answerLabel, explain } from '../core/scoring/explain.js';

export const REPORT_SCHEMA_VERSION = 1;

const Stage = StageId.nullable().describe('early | intermediate | advanced, or null when there were too few answers to decide');

export const ReportAnswer = z.object({
  number: z.number().int().describe('1-based position of the question in the conversation'),
  questionId: z.string(),
  themeId: z.string(),
  characteristicId: z.string().describe('the OECD characteristic the question asks about (rubric id)'),
  question: z.string(),
  answerId: z.string().nullable().describe('the option id chosen, "unsure" for not sure, null when not answered'),
  answer: z.string().describe('the label of the answer as shown, empty when not answered'),
  holds: z.enum(['yes', 'partly', 'no']).nullable().describe('the evidence the answer gives: whether the characteristic holds; null for not sure / not answered'),
  note: z.string().describe('the note or evidence link given with the answer, empty when none'),
});
export type ReportAnswer = z.infer<typeof ReportAnswer>;

export const ThemeChange = z.object({
  themeId: z.string(),
  title: z.string(),
  from: Stage,
  to: Stage,
  direction: z.enum(['up', 'down', 'same', 'unknown']),
});

export const AssessmentReport = z
  .object({
    schema: z.literal('govstage.assessment-report'),
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    generatedAt: z.string().describe('ISO 8601 time the report was produced'),
    finishedAt: z.string().nullable().describe('ISO 8601 time the assessment first reached its result'),
    assessment: z.object({ flowId: z.string(), flowVersion: z.number().int(), rubricId: z.string(), rubricVersion: z.number().int(), locale: z.string() }),
    source: z.object({ publisher: z.string(), title: z.string(), note: z.string().describe('which texts are the OECD\'s and which are Govstage\'s') }),
    overall: z.object({ stage: Stage, stageLabel: z.string(), explanation: z.string() }),
    themes: z.array(
      z.object({
        themeId: z.string(),
        title: z.string(),
        stage: Stage,
        stageLabel: z.string(),
        explanation: z.string(),
        milestone: z.object({ stage: StageId, stageLabel: z.string(), characteristics: z.array(z.string()) }).nullable(),
      }),
    ),
    answers: z.array(ReportAnswer),
    contradictions: z.array(z.object({ id: z.string(), text: z.string() })),
    suggestions: z.array(
      z.object({
        policyId: z.string(),
        stage: StageId,
        text: z.string().describe('OECD text, word for word'),
        reason: z.string(),
        because: z.array(z.object({ questionId: z.string(), question: z.string(), answer: z.string() })),
      }),
    ),
    caveats: z.array(z.string()),
    previous: z
      .object({ finishedAt: z.string().nullable(), overall: ThemeChange.omit({ themeId: true, title: true }), themes: z.array(ThemeChange) })
      .nullable()
      .describe('what changed since the previous assessment this one re-takes; null for a first assessment'),
  })
  .describe('Govstage assessment report (OECD Digital Government self-assessment). Stable: new fields may be added; a breaking change bumps schemaVersion.');
export type AssessmentReport = z.infer<typeof AssessmentReport>;

const RANK = { early: 0, intermediate: 1, advanced: 2 } as const;
function direction(from: StageId | null, to: StageId | null): 'up' | 'down' | 'same' | 'unknown' {
  if (from === null || to === null) return 'unknown';
  return RANK[to] > RANK[from] ? 'up' : RANK[to] < RANK[from] ? 'down' : 'same';
}

export function buildReport(definition: AssessmentDefinition, state: ConversationState, now: Date, previous?: ConversationState): AssessmentReport {
  const texts = textsFor(definition, state.locale);
  const { answers } = state.machine.context;
  const result = explain(definition, texts, answers);
  const before = previous ? explain(definition, texts, previous.machine.context.answers) : undefined;
  return {
    schema: 'govstage.assessment-report',
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    finishedAt: state.finishedAt,
    assessment: { flowId: state.flow.id, flowVersion: state.flow.version, rubricId: state.rubric.id, rubricVersion: state.rubric.version, locale: state.locale },
    source: { publisher: result.source.publisher, title: result.source.title, note: result.texts.sourceLabel },
    overall: result.overall,
    themes: result.themes.map(({ basis: _basis, ...theme }) => theme),
    answers: definition.questions.map((question, index) => {
      const answer = answers[question.id];
      const option = question.options.find((o) => o.id === answer?.option);
      return {
        number: index + 1,
        questionId: question.id,
        themeId: definition.themeOfCharacteristic.get(question.characteristic)?.id ?? '',
        characteristicId: question.characteristic,
        question: texts.pick(question.prompt),
        answerId: answer?.option ?? null,
        answer: answer ? answerLabel(definition, texts, question.id, answer.option) : '',
        holds: answer && answer.option !== UNSURE && option ? option.holds : null,
        note: answer?.note ?? '',
      };
    }),
    contradictions: result.contradictions.map(({ id, text }) => ({ id, text })),
    suggestions: result.suggestions.map((s) => ({
      policyId: s.policyId,
      stage: s.stage,
      text: s.text,
      reason: s.reason,
      because: s.because.map((q) => ({ questionId: q.questionId, question: q.question, answer: q.answer })),
    })),
    caveats: result.caveats,
    previous:
      previous && before
        ? {
            finishedAt: previous.finishedAt,
            overall: { from: before.overall.stage, to: result.overall.stage, direction: direction(before.overall.stage, result.overall.stage) },
            themes: result.themes.map((theme) => {
              const from = before.themes.find((t) => t.themeId === theme.themeId)?.stage ?? null;
              return { themeId: theme.themeId, title: theme.title, from, to: theme.stage, direction: direction(from, theme.stage) };
            }),
          }
        : null,
  };
}
