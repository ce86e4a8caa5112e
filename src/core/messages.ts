/**
 * The channel-neutral message model. The core speaks only these; every
 * channel (web widget, Slack, terminal) renders them its own way and sends
 * back a `TurnInput`. Texts are already localised; nothing here is HTML.
 *
 * Written as zod schemas so that the HTTP API's OpenAPI document is
 * generated from the same definitions the code is typed with.
 */
import { z } from 'zod';
import { StageId } from './rubric/schema.js';

/** Something the person can pick. `id` is what the channel sends back as `choice`. */
export const Choice = z.object({
  id: z.string(),
  label: z.string(),
  /** answer: an answer option; command: navigation (back, why, pause…). */
  kind: z.enum(['answer', 'command']),
});
export type Choice = z.infer<typeof Choice>;

export const Progress = z.object({
  /** 1-based position of the current question (0 outside questions). */
  index: z.number().int(),
  total: z.number().int(),
  answered: z.number().int(),
});
export type Progress = z.infer<typeof Progress>;

export const QuestionMessage = z.object({
  kind: z.literal('question'),
  questionId: z.string(),
  themeTitle: z.string(),
  text: z.string(),
  /** Answer options, then "not sure". Numbered 1..n in that order for typed replies. */
  choices: z.array(Choice),
  /** Commands offered alongside (why, back, review, pause…). */
  commands: z.array(Choice),
  progress: Progress,
  /** The answer already given, when the person came back to change it. */
  currentAnswer: z.object({ choiceId: z.string(), label: z.string(), note: z.string().optional() }).optional(),
  /** A short hint on how to reply by typing. */
  hint: z.string(),
});
export type QuestionMessage = z.infer<typeof QuestionMessage>;

export const TextMessage = z.object({
  kind: z.literal('text'),
  text: z.string(),
  tone: z.enum(['normal', 'help', 'success', 'warning']),
  /** Optional buttons (for example the confirmation of a restart). */
  choices: z.array(Choice).optional(),
});
export type TextMessage = z.infer<typeof TextMessage>;

export const ProgressMessage = z.object({ kind: z.literal('progress'), text: z.string(), progress: Progress });
export type ProgressMessage = z.infer<typeof ProgressMessage>;

export const ReviewItem = z.object({
  questionId: z.string(),
  question: z.string(),
  themeTitle: z.string(),
  /** The answer label, or the "not answered yet" text. */
  answer: z.string(),
  answered: z.boolean(),
  note: z.string().optional(),
  editChoiceId: z.string(),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

export const ContradictionView = z.object({ id: z.string(), text: z.string(), questionIds: z.array(z.string()) });
export type ContradictionView = z.infer<typeof ContradictionView>;

export const ReviewMessage = z.object({
  kind: z.literal('review'),
  text: z.string(),
  items: z.array(ReviewItem),
  contradictions: z.array(ContradictionView),
  choices: z.array(Choice),
});
export type ReviewMessage = z.infer<typeof ReviewMessage>;

/** One answer quoted back to explain a stage or a suggestion ("because you said …"). */
export const AnswerQuote = z.object({ questionId: z.string(), question: z.string(), answer: z.string(), characteristicId: z.string() });
export type AnswerQuote = z.infer<typeof AnswerQuote>;

export const ThemeResultView = z.object({
  themeId: z.string(),
  title: z.string(),
  /** null when there were too few answers to decide. */
  stage: StageId.nullable(),
  stageLabel: z.string(),
  explanation: z.string(),
  /** The answers the stage rests on. */
  basis: z.array(AnswerQuote),
  /** OECD characteristics of the next stage this theme describes (null at the top). */
  milestone: z.object({ stage: StageId, stageLabel: z.string(), characteristics: z.array(z.string()) }).nullable(),
});
export type ThemeResultView = z.infer<typeof ThemeResultView>;

export const SuggestionView = z.object({
  policyId: z.string(),
  /** OECD text, word for word. */
  text: z.string(),
  stage: StageId,
  stageLabel: z.string(),
  themes: z.array(z.string()),
  /** Our sentence that says why it applies. */
  reason: z.string(),
  because: z.array(AnswerQuote),
});
export type SuggestionView = z.infer<typeof SuggestionView>;

export const ResultView = z.object({
  overall: z.object({ stage: StageId.nullable(), stageLabel: z.string(), explanation: z.string() }),
  themes: z.array(ThemeResultView),
  suggestions: z.array(SuggestionView),
  contradictions: z.array(ContradictionView),
  /** Honest caveats: too many "not sure", contradictions left standing. */
  caveats: z.array(z.string()),
  source: z.object({ publisher: z.string(), title: z.string(), rubricVersion: z.number(), flowVersion: z.number() }),
  texts: z.object({ heading: z.string(), suggestionsHeading: z.string(), milestoneHeading: z.string(), becauseLabel: z.string(), sourceLabel: z.string() }),
});
export type ResultView = z.infer<typeof ResultView>;

export const ResultMessage = z.object({ kind: z.literal('result'), text: z.string(), result: ResultView, choices: z.array(Choice) });
export type ResultMessage = z.infer<typeof ResultMessage>;

/** The conversation was saved to continue later; the pipeline adds the resume code it issued. */
export const PausedMessage = z.object({
  kind: z.literal('paused'),
  text: z.string(),
  resume: z.object({ code: z.string(), expiresAt: z.string(), url: z.string().optional() }).optional(),
});
export type PausedMessage = z.infer<typeof PausedMessage>;

export const ErrorMessage = z.object({ kind: z.literal('error'), code: z.string(), text: z.string() });
export type ErrorMessage = z.infer<typeof ErrorMessage>;

export const Message = z.discriminatedUnion('kind', [QuestionMessage, TextMessage, ProgressMessage, ReviewMessage, ResultMessage, PausedMessage, ErrorMessage]);
export type Message = z.infer<typeof Message>;

/** What a channel sends for one turn: a picked choice id, or typed text. */
export type TurnInput = { kind: 'start' } | { kind: 'choice'; choice: string } | { kind: 'text'; text: string };
