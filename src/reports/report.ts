/**
 * The assessment report: one versioned, documented data shape built from a
 * finished conversation, from which the web page, Markdown, JSON and CSV are
 * all rendered. The JSON export is this object as is; its JSON Schema is
 * generated from the zod schema below (GET /api/report-schema.json).
 */
import { z } from 'zod';
import { textsFor, type AssessmentDefinition } from '../core/definition.js';
import type { ConversationState } from '../core/conversation/state.js';
import type { AnswerQuote } from '../core/messages.js';
import { StageId } from '../core/rubric/schema.js';
import { States } from '../core/flow/schema.js';
import { StageStatus } from '../core/messages.js';
import { answerLabel, explain, promptOf } from '../core/scoring/explain.js';
import { statesOfAnswer } from '../core/scoring/evidence.js';
import { evidenceOf } from '../core/conversation/render.js';

/** Who wrote a text: "oecd" (word for word from the OECD source) or "govstage" (ours). */
const Ours = z.literal('govstage').describe('this text is Govstage\'s wording, not the OECD\'s');
const Quote = z.object({ questionId: z.string(), question: z.string(), short: z.string(), answer: z.string(), states: States });
/** Our unofficial translation of an OECD text, beside the original (null where the report is in the OECD's language). */
const Translation = z
  .object({ text: z.string(), by: Ours, locale: z.string(), label: z.string().describe('"unofficial translation", in the report\'s language') })
  .nullable()
  .describe('our unofficial translation of the OECD text into the report\'s language (not the OECD\'s); null when the report is in the OECD\'s own language');

export const REPORT_SCHEMA_VERSION = 2;

const Stage = StageId.nullable().describe('early | intermediate | advanced, or null when there were too few answers to decide');

export const ReportAnswer = z.object({
  number: z.number().int().describe('1-based position of the question in the conversation'),
  questionId: z.string(),
  themeId: z.string(),
  characteristicId: z.string().describe('the OECD characteristic the question asks about (rubric id)'),
  evidences: z.array(z.object({
    characteristicId: z.string(),
    stage: StageId,
    oecdText: z.string().describe('the OECD characteristic, word for word'),
    oecdBy: z.literal('oecd'),
    translation: Translation,
    qualifier: z.enum(['regularly', 'systematically']).nullable(),
    part: z.object({ id: z.string(), text: z.string(), by: Ours }).nullable().describe('our part of a compound characteristic that the question asks, if any'),
  })).describe('what the question evidences'),
  question: z.string(),
  questionBy: Ours,
  answerId: z.string().nullable().describe('the option id chosen, "unsure" for not sure, null when not answered'),
  answer: z.string().describe('the label of the answer as shown, empty when not answered'),
  states: States.nullable().describe('what the answer states about what the question evidences: holds, partly, absent, unknown (not sure); null when not answered'),
  note: z.string().describe('the note or evidence link given with the answer, exactly as typed; empty when none'),
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
    assessment: z.object({
      flowId: z.string(), flowVersion: z.number().int(), rubricId: z.string(), rubricVersion: z.number().int(), locale: z.string().describe('the language of this report\'s texts: the conversation\'s, unless another was asked for (?locale=)'),
      unit: z.object({ id: z.string(), label: z.string() }).nullable().describe('what was assessed, as the person said; null if never said'),
    }),
    source: z.object({ publisher: z.string(), title: z.string(), note: z.string().describe('which texts are the OECD\'s and which are Govstage\'s') }),
    overall: z.object({
      stage: Stage,
      status: StageStatus.describe('reached; at-least: the next stage rests on "not sure" answers; undecided: too few answers'),
      stageLabel: z.string(),
      explanation: z.string(),
      explanationBy: Ours,
      heldBackBy: z.array(z.string()).describe('theme ids at the overall stage: the weakest link'),
      aheadIn: z.array(z.string()).describe('theme ids above the overall stage'),
      pending: z.array(Quote).describe('"not sure" answers that a higher overall stage needs'),
    }),
    themes: z.array(
      z.object({
        themeId: z.string(),
        title: z.string(),
        titleBy: Ours.describe('themes are Govstage\'s grouping; the OECD text has none'),
        stage: Stage,
        status: StageStatus,
        stageLabel: z.string(),
        explanation: z.string(),
        explanationBy: Ours,
        strengths: z.array(Quote).describe('answers showing what is already in place'),
        holdingBack: z.array(Quote).describe('answers that keep the theme below its next stage'),
        pending: z.array(Quote).describe('"not sure" answers the next stage needs'),
        unsettled: z.array(z.string()).describe('ids of contradictions in the theme left unsettled: they keep it at the lower stage'),
        milestone: z
          .object({
            stage: StageId,
            stageLabel: z.string(),
            characteristics: z.array(z.string()).describe('OECD text, word for word'),
            items: z.array(z.object({ characteristicId: z.string(), text: z.string().describe('OECD text, word for word'), textBy: z.literal('oecd'), translation: Translation })),
          })
          .nullable(),
      }),
    ),
    answers: z.array(ReportAnswer),
    contradictions: z.array(z.object({
      id: z.string(),
      themeId: z.string(),
      text: z.string(),
      textBy: Ours,
      questionIds: z.array(z.string()),
      settlement: z.discriminatedUnion('kind', [z.object({ kind: z.literal('kept'), note: z.string() }), z.object({ kind: z.literal('deferred') }), z.object({ kind: z.literal('open') })]),
    })),
    suggestions: z.array(
      z.object({
        policyId: z.string(),
        stage: StageId,
        text: z.string().describe('OECD text, word for word'),
        textBy: z.literal('oecd'),
        translation: Translation,
        reason: z.string(),
        reasonBy: Ours,
        because: z.array(Quote).describe('the answers that hold its themes back (never strengths)'),
      }),
    ),
    caveats: z.array(z.string()),
    labels: z.record(z.string(), z.string()).describe('the interface words the renderings use, in the report\'s language (Govstage\'s wording)'),
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

/** The report of a finished conversation, in its own language or, with `locale`, in another the flow offers. */
export function buildReport(definition: AssessmentDefinition, state: ConversationState, now: Date, previous?: ConversationState, locale?: string): AssessmentReport {
  const inLocale = locale && definition.flow.locales.includes(locale) ? locale : state.locale;
  const texts = textsFor(definition, inLocale);
  const { context } = state.machine;
  const { answers } = context;
  const result = explain(definition, texts, context);
  const before = previous ? explain(definition, texts, previous.machine.context) : undefined;
  const quote = ({ questionId, question, short, answer, states }: AnswerQuote) => ({ questionId, question, short, answer, states });
  return {
    schema: 'govstage.assessment-report',
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    finishedAt: state.finishedAt,
    assessment: { flowId: state.flow.id, flowVersion: state.flow.version, rubricId: state.rubric.id, rubricVersion: state.rubric.version, locale: inLocale, unit: result.unit },
    source: { publisher: result.source.publisher, title: result.source.title, note: result.texts.sourceLabel },
    overall: { ...result.overall, explanationBy: 'govstage', pending: result.overall.pending.map(quote) },
    themes: result.themes.map(({ basis: _basis, strengths, holdingBack, pending, ...theme }) => ({
      ...theme,
      explanationBy: 'govstage' as const,
      strengths: strengths.map(quote),
      holdingBack: holdingBack.map(quote),
      pending: pending.map(quote),
    })),
    answers: definition.questions.map((question, index) => {
      const answer = answers[question.id];
      return {
        number: index + 1,
        questionId: question.id,
        themeId: definition.themeOfCharacteristic.get(question.characteristic)?.id ?? '',
        characteristicId: question.characteristic,
        evidences: evidenceOf(definition, texts, question.id),
        question: promptOf(definition, texts, question.id, context.unit),
        questionBy: 'govstage' as const,
        answerId: answer?.option ?? null,
        answer: answer ? answerLabel(definition, texts, question.id, answer.option) : '',
        states: answer ? statesOfAnswer(definition, question.id, answer.option) : null,
        note: answer?.note ?? '',
      };
    }),
    contradictions: result.contradictions.map(({ answers: _answers, ...c }) => c),
    suggestions: result.suggestions.map((s) => ({
      policyId: s.policyId,
      stage: s.stage,
      text: s.text,
      textBy: s.textBy,
      translation: s.translation,
      reason: s.reason,
      reasonBy: s.reasonBy,
      because: s.because.map(quote),
    })),
    caveats: result.caveats,
    // The stage names too, for renderings that name a stage only by its id (the changes since the previous assessment).
    labels: { ...result.texts, 'stage.early': texts.stageLabel('early'), 'stage.intermediate': texts.stageLabel('intermediate'), 'stage.advanced': texts.stageLabel('advanced'), 'stage.undecided': texts.stageLabel(null) },
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
