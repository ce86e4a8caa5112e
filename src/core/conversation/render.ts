/**
 * Renders the current step of a conversation as channel-neutral messages,
 * and defines the choice ids every channel sends back.
 */
import { type AssessmentDefinition, type Texts } from '../definition.js';
import type { Choice, EvidenceRef, Message, Progress, QuestionMessage, ReviewMessage, TextMessage } from '../messages.js';
import { questionIdOfState, UNIT_QUESTION_ID, UNIT_STATE } from '../machine/machine.js';
import { answerLabel, describeContradictions, evidenceFrom, explain, promptOf } from '../scoring/explain.js';
import { openContradictionOf, statesOfAnswer } from '../scoring/evidence.js';
import type { TextKey } from '../flow/schema.js';
import { findContradictions, levelsByCharacteristic } from '../scoring/score.js';
import type { Command } from '../replies/parse.js';
import { UNSURE, type ConversationState, type MachineContext } from './state.js';
import { languageName } from '../i18n/negotiate.js';

/** Choice ids: stable strings that say exactly what a button means, and for which question. */
export const choiceIds = {
  start: 'start',
  answer: (questionId: string, option: string) => `answer:${questionId}:${option}`,
  unit: (option: string) => `unit:${option}`,
  command: (command: Command) => `cmd:${command}`,
  /** Continue in another locale (every answer kept); valid at any step. */
  language: (locale: string) => `cmd:language:${locale}`,
  edit: (questionId: string) => `edit:${questionId}`,
  keepBoth: (contradictionId: string) => `settle:keep:${contradictionId}`,
  decideLater: (contradictionId: string) => `settle:later:${contradictionId}`,
  confirm: 'confirm:yes',
  cancel: 'confirm:no',
} as const;

/**
 * The step a conversation stands at, as a stable string: what a button
 * rendered now is valid for. Commands that leave the step as it is (why,
 * help, progress) keep it, so their buttons stay usable.
 */
export function stepOf(definition: AssessmentDefinition, state: ConversationState): string {
  const value = state.machine.value;
  if (value === 'settle') return `settle:${openContradictionOf(definition, state.machine.context) ?? ''}`;
  return value;
}

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

function unitLabel(definition: AssessmentDefinition, texts: Texts, option: string): string | undefined {
  const found = definition.flow.unit.options.find((o) => o.id === option);
  return found ? texts.pick(found.label) : undefined;
}

/** What a choice id says, in words (for the transcript), without rendering the step it came from. */
export function choiceLabel(definition: AssessmentDefinition, texts: Texts, choiceId: string, unit: string | null = null): string {
  if (choiceId === choiceIds.start) return texts.t('start');
  if (choiceId === choiceIds.confirm) return texts.t('restartYes');
  if (choiceId === choiceIds.cancel) return texts.t('restartNo');
  const [kind, first, second] = choiceId.split(':');
  if (kind === 'answer' && first && second) return answerLabel(definition, texts, first, second);
  if (kind === 'unit' && first) return unitLabel(definition, texts, first) ?? choiceId;
  if (kind === 'settle' && first === 'keep') return texts.t('settleKeep');
  if (kind === 'settle' && first === 'later') return texts.t('settleLater');
  if (kind === 'cmd' && first === 'language' && second) return languageName(second);
  if (kind === 'cmd' && first && Object.hasOwn(COMMAND_LABEL, first)) return texts.t(COMMAND_LABEL[first as Command]);
  if (kind === 'edit' && first === UNIT_QUESTION_ID) return texts.t('changeWhat', { what: texts.t('unitShort') });
  const question = kind === 'edit' && first ? definition.questionById.get(first) : undefined;
  if (question) return texts.t('changeWhat', { what: promptOf(definition, texts, question.id, unit) });
  return choiceId;
}

/** What a question evidences: the OECD characteristic (word for word) and, for a compound one, our part of it. */
export function evidenceOf(definition: AssessmentDefinition, texts: Texts, questionId: string): EvidenceRef[] {
  const question = definition.questionById.get(questionId);
  const characteristic = question ? definition.characteristics.get(question.characteristic) : undefined;
  if (!question || !characteristic) return [];
  const part = question.part ? definition.parts.get(question.part) : undefined;
  return [{
    characteristicId: characteristic.id,
    stage: characteristic.stage,
    oecdText: characteristic.text,
    oecdBy: 'oecd',
    translation: texts.translation('characteristics', characteristic.id),
    qualifier: characteristic.qualifier ?? null,
    part: part ? { id: part.id, text: texts.pick(part.text), by: 'govstage' } : null,
  }];
}

/** Answer choices of a question (its options, then "not sure"), each saying what it states. */
export function answerChoices(definition: AssessmentDefinition, texts: Texts, questionId: string): Choice[] {
  const question = definition.questionById.get(questionId);
  if (!question) return [];
  return [
    ...question.options.map((o) => ({ id: choiceIds.answer(question.id, o.id), label: texts.pick(o.label), kind: 'answer' as const, states: statesOfAnswer(definition, question.id, o.id) })),
    { id: choiceIds.answer(question.id, UNSURE), label: texts.t('unsure'), kind: 'answer' as const, states: 'unknown' as const },
  ];
}

export function questionMessage(definition: AssessmentDefinition, texts: Texts, state: ConversationState, questionId: string): QuestionMessage {
  const question = definition.questionById.get(questionId);
  if (!question) throw new Error(`unknown question ${questionId}`);
  const theme = definition.themeOfCharacteristic.get(question.characteristic);
  const choices = answerChoices(definition, texts, question.id);
  const current = state.machine.context.answers[question.id];
  const progress = progressOf(definition, state);
  const themeTitle = theme ? texts.pick(theme.title) : '';
  const message: QuestionMessage = {
    kind: 'question',
    questionId: question.id,
    themeTitle,
    themeLabel: texts.t('themeLabel', { title: themeTitle }),
    text: promptOf(definition, texts, question.id, state.machine.context.unit),
    wordingBy: 'govstage',
    evidences: evidenceOf(definition, texts, question.id),
    choices,
    commands: [
      command(texts, 'why'),
      command(texts, 'back'),
      command(texts, 'review'),
      command(texts, 'pause'),
      command(texts, 'restart'),
      command(texts, 'help'),
    ],
    progress,
    progressLabel: texts.t('questionProgress', { index: progress.index, total: progress.total }),
    hint: texts.t('hint', { count: choices.length }),
  };
  if (current) {
    message.currentAnswer = { choiceId: choiceIds.answer(question.id, current.option), label: answerLabel(definition, texts, question.id, current.option), ...(current.note ? { note: current.note } : {}) };
  }
  return message;
}

/** The opening question: what is being assessed. */
export function unitMessage(definition: AssessmentDefinition, texts: Texts, state: ConversationState): QuestionMessage {
  const { unit } = definition.flow;
  const current = state.machine.context.unit;
  const choices: Choice[] = unit.options.map((o) => ({ id: choiceIds.unit(o.id), label: texts.pick(o.label), kind: 'answer' }));
  return {
    kind: 'question',
    questionId: UNIT_QUESTION_ID,
    themeTitle: '',
    themeLabel: '',
    text: texts.pick(unit.prompt),
    wordingBy: 'govstage',
    evidences: [],
    choices,
    commands: [command(texts, 'why'), command(texts, 'help')],
    progress: { index: 0, total: definition.questions.length, answered: progressOf(definition, state).answered },
    progressLabel: '',
    hint: texts.t('unitHint', { count: choices.length }),
    ...(current ? { currentAnswer: { choiceId: choiceIds.unit(current), label: unitLabel(definition, texts, current) ?? current } } : {}),
  };
}

function contradictionsOf(definition: AssessmentDefinition, texts: Texts, context: MachineContext) {
  const levels = levelsByCharacteristic(definition.rubric, evidenceFrom(definition, context.answers));
  return describeContradictions(definition, texts, context, findContradictions(definition.rubric, levels));
}

export function reviewMessage(definition: AssessmentDefinition, texts: Texts, state: ConversationState): ReviewMessage {
  const { context } = state.machine;
  const { answers } = context;
  const unitItem = {
    questionId: UNIT_QUESTION_ID,
    question: texts.pick(definition.flow.unit.prompt),
    themeTitle: '',
    themeLabel: '',
    answer: context.unit ? unitLabel(definition, texts, context.unit) ?? context.unit : texts.t('notAnswered'),
    answered: context.unit !== null,
    editChoiceId: choiceIds.edit(UNIT_QUESTION_ID),
  };
  const items = [unitItem, ...definition.questions.map((question) => {
    const answer = answers[question.id];
    const theme = definition.themeOfCharacteristic.get(question.characteristic);
    return {
      questionId: question.id,
      question: promptOf(definition, texts, question.id, context.unit),
      themeTitle: theme ? texts.pick(theme.title) : '',
      themeLabel: theme ? texts.t('themeLabel', { title: texts.pick(theme.title) }) : '',
      answer: answer ? answerLabel(definition, texts, question.id, answer.option) : texts.t('notAnswered'),
      answered: answer !== undefined,
      ...(answer?.note ? { note: answer.note } : {}),
      editChoiceId: choiceIds.edit(question.id),
    };
  })];
  const open = items.filter((i) => !i.answered).length;
  const contradictions = contradictionsOf(definition, texts, context);
  const text = [texts.t('reviewIntro'), ...(open > 0 ? [texts.t('reviewIncomplete', { count: open })] : []), ...(contradictions.length > 0 ? [texts.t('contradictionsIntro', { count: contradictions.length })] : [])].join(' ');
  return {
    kind: 'review',
    text,
    items,
    contradictions,
    choices: [open > 0 ? command(texts, 'continue') : command(texts, 'seeResult'), command(texts, 'pause'), command(texts, 'restart')],
  };
}

/** The contradiction put to the person before the result: change one of the answers, keep both with a note, or decide later. */
function settleMessage(definition: AssessmentDefinition, texts: Texts, state: ConversationState): TextMessage {
  const { context } = state.machine;
  const all = contradictionsOf(definition, texts, context);
  const open = all.filter((c) => c.settlement.kind === 'open');
  const current = open[0];
  if (!current) throw new Error('settle step without an open contradiction');
  const index = all.length - open.length + 1;
  return {
    kind: 'text',
    tone: 'warning',
    contradictionId: current.id,
    text: [texts.t('settleIntro', { index, total: all.length }), current.text, texts.t('settleAsk')].join('\n'),
    choices: [
      ...current.answers.map((a) => ({ id: choiceIds.edit(a.questionId), label: texts.t('settleChange', { short: a.short }), kind: 'command' as const })),
      { id: choiceIds.keepBoth(current.id), label: texts.t('settleKeep'), kind: 'command' },
      { id: choiceIds.decideLater(current.id), label: texts.t('settleLater'), kind: 'command' },
    ],
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
    case UNIT_STATE:
      return [unitMessage(definition, texts, state)];
    case 'review':
      return [reviewMessage(definition, texts, state)];
    case 'settle':
      return [settleMessage(definition, texts, state)];
    case 'settleNote':
      return [{ kind: 'text', tone: 'normal', text: texts.t('settleNotePrompt'), choices: [command(texts, 'back')], awaitsText: true }];
    case 'result':
      return [{
        kind: 'result',
        text: texts.t('resultHeading'),
        result: explain(definition, texts, state.machine.context),
        choices: [command(texts, 'review'), command(texts, 'newAssessment')],
      }];
    case 'confirmRestart':
      return [{ kind: 'text', tone: 'warning', text: texts.t('restartConfirm'), choices: [{ id: choiceIds.confirm, label: texts.t('restartYes'), kind: 'command' }, { id: choiceIds.cancel, label: texts.t('restartNo'), kind: 'command' }] }];
    default:
      throw new Error(`no rendering for state ${value}`);
  }
}
