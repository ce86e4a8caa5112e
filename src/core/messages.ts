/**
 * The channel-neutral message model. The core speaks only these; every
 * channel (web widget, Slack, terminal) renders them its own way and sends
 * back a `TurnInput`. Texts are already localised; nothing here is HTML.
 */
import type { StageId } from './rubric/schema.js';

/** Something the person can pick. `id` is what the channel sends back as `choice`. */
export interface Choice {
  id: string;
  label: string;
  /** answer: an answer option; command: navigation (back, why, pause…). */
  kind: 'answer' | 'command';
}

export interface Progress {
  /** 1-based position of the current question. */
  index: number;
  total: number;
  answered: number;
}

export interface QuestionMessage {
  kind: 'question';
  questionId: string;
  themeTitle: string;
  text: string;
  /** Answer options, then "not sure". Numbered 1..n in that order for typed replies. */
  choices: Choice[];
  /** Commands offered alongside (why, back, review, pause…). */
  commands: Choice[];
  progress: Progress;
  /** The answer already given, when the person came back to change it. */
  currentAnswer?: { choiceId: string; label: string; note?: string };
  /** A short hint on how to reply by typing. */
  hint: string;
}

export interface TextMessage {
  kind: 'text';
  text: string;
  tone: 'normal' | 'help' | 'success' | 'warning';
  /** Optional buttons (for example the confirmation of a restart). */
  choices?: Choice[];
}

export interface ProgressMessage {
  kind: 'progress';
  text: string;
  progress: Progress;
}

export interface ReviewItem {
  questionId: string;
  question: string;
  themeTitle: string;
  /** The answer label, or the "not answered yet" text. */
  answer: string;
  answered: boolean;
  note?: string;
  editChoiceId: string;
}

export interface ContradictionView {
  id: string;
  text: string;
  questionIds: string[];
}

export interface ReviewMessage {
  kind: 'review';
  text: string;
  items: ReviewItem[];
  contradictions: ContradictionView[];
  choices: Choice[];
}

/** One answer quoted back to explain a stage or a suggestion ("because you said …"). */
export interface AnswerQuote {
  questionId: string;
  question: string;
  answer: string;
  characteristicId: string;
}

export interface ThemeResultView {
  themeId: string;
  title: string;
  /** null when there were too few answers to decide. */
  stage: StageId | null;
  stageLabel: string;
  explanation: string;
  /** The answers the stage rests on. */
  basis: AnswerQuote[];
  /** OECD characteristics of the next stage for this theme (empty at the top). */
  milestone: { stage: StageId; stageLabel: string; characteristics: string[] } | null;
}

export interface SuggestionView {
  policyId: string;
  /** OECD text, word for word. */
  text: string;
  stage: StageId;
  stageLabel: string;
  themes: string[];
  /** Our sentence that says why it applies. */
  reason: string;
  because: AnswerQuote[];
}

export interface ResultView {
  overall: { stage: StageId | null; stageLabel: string; explanation: string };
  themes: ThemeResultView[];
  suggestions: SuggestionView[];
  contradictions: ContradictionView[];
  /** Honest caveats: too many "not sure", contradictions left standing. */
  caveats: string[];
  source: { publisher: string; title: string; rubricVersion: number; flowVersion: number };
  texts: { heading: string; suggestionsHeading: string; milestoneHeading: string; becauseLabel: string; sourceLabel: string };
}

export interface ResultMessage {
  kind: 'result';
  text: string;
  result: ResultView;
  choices: Choice[];
}

/** The conversation was saved to continue later; channels add the resume code or link they issued. */
export interface PausedMessage {
  kind: 'paused';
  text: string;
  resume?: { code: string; expiresAt: string; url?: string };
}

export interface ErrorMessage {
  kind: 'error';
  code: string;
  text: string;
}

export type Message =
  | QuestionMessage
  | TextMessage
  | ProgressMessage
  | ReviewMessage
  | ResultMessage
  | PausedMessage
  | ErrorMessage;

/** What a channel sends for one turn: a picked choice id, or typed text. */
export type TurnInput = { kind: 'start' } | { kind: 'choice'; choice: string } | { kind: 'text'; text: string };
