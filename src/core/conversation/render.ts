/**
 * Renders the current step of a conversation as channel-neutral messages,
 * and defines the choice ids every channel sends back.
 */
import { type AssessmentDefinition, type Texts } from '../definition.js';
import type { Choice, Message, Progress, QuestionMessage, ReviewMessage } from '../messages.js';
import { questionIdOfState } from '../machine/machine.js';
import { answerLabel, describeContradictions, evidenceFrom, explain } from '../scoring/explain.js';
import type { TextKey } from '../flow/schema.js';
import { findContradictions } from '../scoring/score.js';
import type { Command } from '../replies/parse.js';
import { UNSURE, type ConversationState } from './state.js';

/** Choice ids: stable strings that say exactly what a button means, and for which question. */
export const choiceIds = {
  start: 'start',
  answer: (questionId: string, option: string) => `answer:${questionId}:${option}`,
  command: (command: Command) => `cmd:${command}`,
  edit: (questionId: string) => `edit:${questionId}`,
  confirm: 'confirm:yes',
  cancel: 'confirm:no',
} as const;

export function progressOf(definition: AssessmentDefinition, state: ConversationState): Progress {
  const questionId = questionIdOfState(state.machine.value);
  const index = questionId ? definition.questions.findIndex((q) => q.id === questionId) + 1 : 0;
  const answered = definition.questions.filter((q) => q.id in state.machine.context.answers).length;
  return { index, total: definition.questions.length, answered };
}

/** The interface text that labels each command's button. */
const COMMAND_LABEL: Record<Command, TextKey> = {
  why: 'why', back: 'back', help: 'help', progress: 'progress', pause: 'pause', restart: 'restart', review: 'review',
  start: 'start', continue: 'continue', seeResult: 'seeResult', newAssessment: 'newAssessment',
};

const command = (texts: Texts, name: Command): Choice => ({ id: choiceIds.command(name), label: texts.t(COMMAND_LABEL[name]), kind: 'command' });

/** What a choice id says, in words (for the transcript), without rendering the step it came from. */
export function choiceLabel(definition: AssessmentDefinition, texts: Texts, choiceId: string): string {
  if (choiceId === choiceIds.start) return texts.t('start');
  if (choiceId === choiceIds.confirm) return texts.t('restartYes');
  if (choiceId === choiceIds.cancel) return texts.t('restartNo');
  const [kind, first, second] = choiceId.split(':');
  if (kind === 'answer' && first && second) return answerLabel(definition, texts, first, second);
  if (kind === 'cmd' && first && Object.hasOwn(COMMAND_LABEL, first)) return texts.t(COMMAND_LABEL[first as Command]);
  const question = kind === 'edit' && first ? definition.questionById.get(first) : undefined;
  if (question) return `${texts.t('change')}: ${texts.pick(question.prompt)}`;
  return choiceId;
}

export function questionMessage(definition: AssessmentDefinition, texts: Texts, state: ConversationState, questionId: string): QuestionMessage {
  const question = definition.questionById.get(questionId);
  if (!question) throw new Error(`unknown question ${questionId}`);
  const theme = definition.themeOfCharacteristic.get(question.characteristic);
  const choices: Choice[] = [
    ...question.options.map((o) => ({ id: choiceIds.answer(question.id, o.id), label: texts.pick(o.label), kind: 'answer' as const })),
    { id: choiceIds.answer(question.id, UNSURE), label: texts.t('unsure'), kind: 'answer' },
  ];
  const current = state.machine.context.answers[question.id];
  const progress = progressOf(definition, state);
  const message: QuestionMessage = {
    kind: 'question',
    questionId: question.id,
    themeTitle: theme ? texts.pick(theme.title) : '',
    text: texts.pick(question.prompt),
    choices,
    commands: [
      command(texts, 'why'),
      ...(progress.index > 1 ? [command(texts, 'back')] : []),
      command(texts, 'review'),
      command(texts, 'pause'),
      command(texts, 'restart'),
      command(texts, 'help'),
    ],
    progress,
    hint: texts.t('hint', { count: choices.length }),
  };
  if (current) {
    message.currentAnswer = { choiceId: choiceIds.answer(question.id, current.option), label: answerLabel(definition, texts, question.id, current.option), ...(current.note ? { note: current.note } : {}) };
  }
  return message;
}

export function reviewMessage(definition: AssessmentDefinition, texts: Texts, state: ConversationState): ReviewMessage {
  const { answers } = state.machine.context;
  const items = definition.questions.map((question) => {
    const answer = answers[question.id];
    const theme = definition.themeOfCharacteristic.get(question.characteristic);
    return {
      questionId: question.id,
      question: texts.pick(question.prompt),
      themeTitle: theme ? texts.pick(theme.title) : '',
      answer: answer ? answerLabel(definition, texts, question.id, answer.option) : texts.t('notAnswered'),
      answered: answer !== undefined,
      ...(answer?.note ? { note: answer.note } : {}),
      editChoiceId: choiceIds.edit(question.id),
    };
  });
  const open = items.filter((i) => !i.answered).length;
  const contradictions = describeContradictions(definition, texts, answers, findContradictions(definition.rubric, evidenceFrom(definition, answers)));
  const text = [texts.t('reviewIntro'), ...(open > 0 ? [texts.t('reviewIncomplete', { count: open })] : []), ...(contradictions.length > 0 ? [texts.t('contradictionsIntro')] : [])].join(' ');
  return {
    kind: 'review',
    text,
    items,
    contradictions,
    choices: [open > 0 ? command(texts, 'continue') : command(texts, 'seeResult'), command(texts, 'pause'), command(texts, 'restart')],
  };
}

/** The messages that show where the conversation stands now. */
export function renderStep(definition: AssessmentDefinition, texts: Texts, state: ConversationState): Message[] {
  const value = state.machine.value;
  const questionId = questionIdOfState(value);
  if (questionId) return [questionMessage(definition, texts, state, questionId)];
  switch (value) {
    case 'intro':
      return [{ kind: 'text', tone: 'normal', text: texts.t('intro', { total: definition.questions.length, minutes: definition.flow.estimatedMinutes }), choices: [{ id: choiceIds.start, label: texts.t('start'), kind: 'command' }] }];
    case 'review':
      return [reviewMessage(definition, texts, state)];
    case 'result':
      return [{
        kind: 'result',
        text: texts.t('resultHeading'),
        result: explain(definition, texts, state.machine.context.answers),
        choices: [command(texts, 'review'), command(texts, 'newAssessment')],
      }];
    case 'confirmRestart':
      return [{ kind: 'text', tone: 'warning', text: texts.t('restartConfirm'), choices: [{ id: choiceIds.confirm, label: texts.t('restartYes'), kind: 'command' }, { id: choiceIds.cancel, label: texts.t('restartNo'), kind: 'command' }] }];
    default:
      throw new Error(`no rendering for state ${value}`);
  }
}
