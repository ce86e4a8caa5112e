/**
 * From answers to evidence: what each answer states about the characteristic
 * (or our part of one) its question asks about. Pure.
 */
import type { AssessmentDefinition } from '../definition.js';
import { statesOf, type States } from '../flow/schema.js';
import type { MachineContext } from '../conversation/state.js';
import { UNSURE } from '../conversation/state.js';
import { findContradictions, levelsByCharacteristic, type Evidence, type Level } from './score.js';

type Definition = Pick<AssessmentDefinition, 'questions' | 'questionById' | 'rubric'>;

/** What the answer `optionId` to `questionId` states (holds, partly, absent; unknown for not sure). */
export function statesOfAnswer(definition: Pick<AssessmentDefinition, 'questionById'>, questionId: string, optionId: string): States {
  const question = definition.questionById.get(questionId);
  const option = question?.options.find((o) => o.id === optionId);
  if (!question || !option || optionId === UNSURE) return 'unknown';
  return statesOf(question, option.reply);
}

export function evidenceFrom(definition: Definition, answers: MachineContext['answers']): Evidence[] {
  const out: Evidence[] = [];
  for (const question of definition.questions) {
    const answer = answers[question.id];
    if (!answer) continue;
    const states = statesOfAnswer(definition, question.id, answer.option);
    out.push({ characteristicId: question.characteristic, partId: question.part ?? null, questionId: question.id, level: states === 'unknown' ? null : (states as Level) });
  }
  return out;
}

/** The first contradiction in the answers that the person has neither settled nor left for later. */
export function openContradictionOf(definition: Definition, context: MachineContext): string | null {
  const levels = levelsByCharacteristic(definition.rubric, evidenceFrom(definition, context.answers));
  const open = findContradictions(definition.rubric, levels).find((c) => !(c.id in context.settled) && !context.deferred.includes(c.id));
  return open?.id ?? null;
}
