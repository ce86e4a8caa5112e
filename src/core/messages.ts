/**
 * The channel-neutral message model. The core speaks only these; every
 * channel (web widget, Slack, terminal) renders them its own way and sends
 * back a `TurnInput`. Texts are already localised; nothing here is HTML.
 *
 * Written as zod schemas so that the HTTP API's OpenAPI document is
 * generated from the same definitions the code is typed with.
 */
import { z } from 'zod';
import { Qualifier, StageId } from './rubric/schema.js';
import { States } from './flow/schema.js';

/** Who wrote a text: the OECD (word for word from the rubric) or Govstage (ours: themes, wording, parts, explanations). */
export const By = z.enum(['oecd', 'govstage']);
export type By = z.infer<typeof By>;

/** Something the person can pick. `id` is what the channel sends back as `choice`. */
export const Choice = z.object({
  id: z.string(),
  label: z.string(),
  /** answer: an answer option; command: navigation (back, why, pause…). */
  kind: z.enum(['answer', 'command']),
  /** For an answer: what it states about the characteristic(s) the question evidences. */
  states: States.optional(),
});
export type Choice = z.infer<typeof Choice>;

export const Progress = z.object({
  /** 1-based position of the current question (0 outside questions). */
  index: z.number().int(),
  total: z.number().int(),
  answered: z.number().int(),
});
export type Progress = z.infer<typeof Progress>;

/**
 * Our unofficial translation of an OECD text into the conversation's
 * language: ours, not the OECD's, so `label` ("unofficial translation") goes
 * with it wherever it is shown, and the OECD's original stays beside it.
 */
export const OecdTranslation = z.object({ text: z.string(), by: z.literal('govstage'), locale: z.string(), label: z.string() });
export type OecdTranslation = z.infer<typeof OecdTranslation>;

/** The OECD characteristic a question evidences, and (for a compound one) the part of it that it asks. */
export const EvidenceRef = z.object({
  characteristicId: z.string(),
  stage: StageId,
  /** The OECD's text, word for word. */
  oecdText: z.string(),
  oecdBy: z.literal('oecd'),
  /** Our translation of it into the conversation's language, if it is not the OECD's (null: the original alone). */
  translation: OecdTranslation.nullable(),
  /** The OECD qualifier ("regularly", "systematically") an answer must confirm, if any. */
  qualifier: Qualifier.nullable(),
  /** Our part of a compound characteristic that this question asks (ours, not OECD text). */
  part: z.object({ id: z.string(), text: z.string(), by: z.literal('govstage') }).nullable(),
});
export type EvidenceRef = z.infer<typeof EvidenceRef>;

export const QuestionMessage = z.object({
  kind: z.literal('question'),
  /** A question id, or "unit" for the opening question (what is being assessed). */
  questionId: z.string(),
  /** Our theme's title (ours: the OECD has no themes); `themeLabel` is the same, labelled as ours for display. */
  themeTitle: z.string(),
  themeLabel: z.string(),
  /** The question's wording: ours. */
  text: z.string(),
  wordingBy: z.literal('govstage'),
  /** What the question evidences (empty for the opening question). */
  evidences: z.array(EvidenceRef),
  /** Answer options, then "not sure". Numbered 1..n in that order for typed replies. */
  choices: z.array(Choice),
  /** Commands offered alongside (why, back, review, pause…). */
  commands: z.array(Choice),
  progress: Progress,
  /** "Question 3 of 14" (empty for the opening question, which has no number). */
  progressLabel: z.string(),
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
  /** Set when the text puts a contradiction to the person before the result (with buttons to settle it). */
  contradictionId: z.string().optional(),
  /** The step waits for typed text (a note), not for a button: a channel puts the person in its text box. */
  awaitsText: z.boolean().optional(),
});
export type TextMessage = z.infer<typeof TextMessage>;

export const ProgressMessage = z.object({ kind: z.literal('progress'), text: z.string(), progress: Progress });
export type ProgressMessage = z.infer<typeof ProgressMessage>;

export const ReviewItem = z.object({
  questionId: z.string(),
  question: z.string(),
  themeTitle: z.string(),
  /** The theme's title labelled as ours, for display (empty for the opening question). */
  themeLabel: z.string(),
  /** The answer label, or the "not answered yet" text. */
  answer: z.string(),
  answered: z.boolean(),
  note: z.string().optional(),
  editChoiceId: z.string(),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

/** One answer quoted back to explain a stage, a suggestion or a contradiction. */
export const AnswerQuote = z.object({
  questionId: z.string(),
  /** The question's wording (ours) and a few words naming it (ours). */
  question: z.string(),
  short: z.string(),
  answer: z.string(),
  states: States,
  characteristicId: z.string(),
});
export type AnswerQuote = z.infer<typeof AnswerQuote>;

export const ContradictionView = z.object({
  id: z.string(),
  themeId: z.string(),
  /** Our short explanation (ours, not the OECD's). */
  text: z.string(),
  textBy: z.literal('govstage'),
  questionIds: z.array(z.string()),
  /** The answers involved. */
  answers: z.array(AnswerQuote),
  /** How the person settled it: kept both answers with a note, left for later, or not yet put to them. */
  settlement: z.discriminatedUnion('kind', [z.object({ kind: z.literal('kept'), note: z.string() }), z.object({ kind: z.literal('deferred') }), z.object({ kind: z.literal('open') })]),
});
export type ContradictionView = z.infer<typeof ContradictionView>;

export const ReviewMessage = z.object({
  kind: z.literal('review'),
  text: z.string(),
  items: z.array(ReviewItem),
  contradictions: z.array(ContradictionView),
  choices: z.array(Choice),
});
export type ReviewMessage = z.infer<typeof ReviewMessage>;

/** reached: the answers settle the stage; at-least: the next stage rests on "not sure" answers; undecided: too few answers. */
export const StageStatus = z.enum(['reached', 'at-least', 'undecided']);

export const ThemeResultView = z.object({
  themeId: z.string(),
  /** Our theme's title (the OECD has no themes). */
  title: z.string(),
  titleBy: z.literal('govstage'),
  /** null when there were too few answers to decide. */
  stage: StageId.nullable(),
  status: StageStatus,
  /** The stage as shown, e.g. "Intermediate, at least". */
  stageLabel: z.string(),
  /** Our explanation of the stage. */
  explanation: z.string(),
  /** Every answer in the theme. */
  basis: z.array(AnswerQuote),
  /** Answers showing what is already in place ("what you already have"). */
  strengths: z.array(AnswerQuote),
  /** Answers that keep the theme below its next stage. */
  holdingBack: z.array(AnswerQuote),
  /** "Not sure" answers the next stage needs. */
  pending: z.array(AnswerQuote),
  /** Contradictions in the theme the person did not settle (they cap it at the lower stage). */
  unsettled: z.array(z.string()),
  /** OECD characteristics of the next stage this theme describes (null at the top). */
  milestone: z.object({
    stage: StageId,
    stageLabel: z.string(),
    /** The OECD's text of each, word for word (the same as `items[].text`). */
    characteristics: z.array(z.string()),
    items: z.array(z.object({ characteristicId: z.string(), text: z.string(), textBy: z.literal('oecd'), translation: OecdTranslation.nullable() })),
  }).nullable(),
});
export type ThemeResultView = z.infer<typeof ThemeResultView>;

export const SuggestionView = z.object({
  policyId: z.string(),
  /** OECD text, word for word. */
  text: z.string(),
  textBy: z.literal('oecd'),
  /** Our translation of it into the conversation's language, if it is not the OECD's. */
  translation: OecdTranslation.nullable(),
  stage: StageId,
  stageLabel: z.string(),
  themes: z.array(z.string()),
  /** Our sentence that says why it applies. */
  reason: z.string(),
  reasonBy: z.literal('govstage'),
  /** The answers that hold its themes back (never strengths). */
  because: z.array(AnswerQuote),
});
export type SuggestionView = z.infer<typeof SuggestionView>;

export const ResultView = z.object({
  /** What was assessed, as the person said ("your ministry or agency"); null if never said. */
  unit: z.object({ id: z.string(), label: z.string() }).nullable(),
  overall: z.object({
    stage: StageId.nullable(),
    status: StageStatus,
    stageLabel: z.string(),
    explanation: z.string(),
    /** The theme(s) at the overall stage (the weakest link), and those above it. */
    heldBackBy: z.array(z.string()),
    aheadIn: z.array(z.string()),
    pending: z.array(AnswerQuote),
  }),
  themes: z.array(ThemeResultView),
  suggestions: z.array(SuggestionView),
  contradictions: z.array(ContradictionView),
  /** Honest caveats: too many "not sure", contradictions left standing. */
  caveats: z.array(z.string()),
  source: z.object({ publisher: z.string(), title: z.string(), rubricVersion: z.number(), flowVersion: z.number() }),
  texts: z.object({
    heading: z.string(), suggestionsHeading: z.string(), milestoneHeading: z.string(), becauseLabel: z.string(), sourceLabel: z.string(),
    strengthsLabel: z.string(), pendingLabel: z.string(), contradictionsHeading: z.string(), caveatsHeading: z.string(),
    oursLabel: z.string(), oecdLabel: z.string(),
  }),
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
