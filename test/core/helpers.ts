/**
 * Shared helpers for the core tests: the real definition, answer profiles,
 * a small in-memory definition, and a driver for the pure turn function.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { buildDefinition, loadCatalog, type AssessmentDefinition } from '../../src/core/definition.js';
import { FlowFile, statesOf, type States } from '../../src/core/flow/schema.js';
import { emptyContext } from '../../src/core/machine/machine.js';
import { UNSURE } from '../../src/core/conversation/state.js';
import { RubricFile, type Characteristic } from '../../src/core/rubric/schema.js';
import { advance, newConversation, type TurnOutcome } from '../../src/core/conversation/turn.js';
import type { ConversationState, MachineContext } from '../../src/core/conversation/state.js';
import type { Message, TurnInput } from '../../src/core/messages.js';
import { GovError, type ErrorKind, type Result } from '../../src/errors.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FLOW_ID = 'principle-2-chat';
/** A fixed clock: the turn function takes `now` from its caller. */
export const NOW = new Date('2024-05-01T10:00:00.000Z');

let cached: Promise<AssessmentDefinition> | undefined;
/** The real Principle 2 definition from rubric/ and flows/. */
export function realDefinition(): Promise<AssessmentDefinition> {
  cached ??= loadCatalog(repoRoot).then((catalog) => {
    const definition = catalog.get(FLOW_ID);
    if (!definition) throw new Error(`flow ${FLOW_ID} not found`);
    return definition;
  });
  return cached;
}

export type Answers = MachineContext['answers'];

/** A level per question ("unsure" for not sure), as the option of that question that states it. */
export type Pick = States;

/** The option of a question that states `level` about what it evidences (yes/no flip for questions asked the positive way round). */
export function optionStating(definition: AssessmentDefinition, questionId: string, level: States): string {
  if (level === 'unknown') return UNSURE;
  const question = definition.questionById.get(questionId);
  const option = question?.options.find((o) => statesOf(question, o.reply) === level);
  if (!option) throw new Error(`question ${questionId} has no option stating ${level}`);
  return option.id;
}

/** Answers for every question, chosen by what they state about each characteristic. */
export function answersBy(definition: AssessmentDefinition, pick: (c: Characteristic, questionId: string) => States): Answers {
  const out: Answers = {};
  for (const q of definition.questions) {
    const c = definition.characteristics.get(q.characteristic);
    if (!c) throw new Error(`unknown characteristic ${q.characteristic}`);
    out[q.id] = { option: optionStating(definition, q.id, pick(c, q.id)) };
  }
  return out;
}

/** A whole machine context around some answers (unit given, nothing settled). */
export const contextOf = (answers: Answers, unit: string | null = 'national'): MachineContext => ({ ...emptyContext(), answers, unit });

/** Early profile: the early limitations hold, nothing else does. */
export const earlyProfile = (d: AssessmentDefinition) => answersBy(d, (c) => (c.stage === 'early' ? 'holds' : 'absent'));
/** Intermediate profile: limitations overcome, intermediate achievements in place, advanced ones not. */
export const intermediateProfile = (d: AssessmentDefinition) => answersBy(d, (c) => (c.stage === 'intermediate' ? 'holds' : 'absent'));
/** Advanced profile: limitations overcome, every achievement in place. */
export const advancedProfile = (d: AssessmentDefinition) => answersBy(d, (c) => (c.stage === 'early' ? 'absent' : 'holds'));

export function expectOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.kind}: ${result.error.message}`);
  return result.value;
}

export function expectFail<T>(result: Result<T>, kind: ErrorKind): GovError {
  expect(result.ok, 'expected an error value').toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.error).toBeInstanceOf(GovError);
  expect(result.error.kind).toBe(kind);
  return result.error;
}

/** Runs typed texts or choice ids through `advance`, returning every outcome; throws on an error value. */
export class Driver {
  state: ConversationState;
  last: TurnOutcome;
  constructor(readonly definition: AssessmentDefinition, start?: ConversationState) {
    this.last = newConversation(definition, 'en');
    if (start) this.last = { state: start, messages: [] };
    this.state = this.last.state;
  }
  send(input: TurnInput): TurnOutcome {
    const outcome = expectOk(advance(this.definition, this.state, input, NOW));
    this.state = outcome.state;
    this.last = outcome;
    return outcome;
  }
  text(...texts: string[]): TurnOutcome {
    for (const text of texts) this.send({ kind: 'text', text });
    return this.last;
  }
  choice(...choices: string[]): TurnOutcome {
    for (const choice of choices) this.send({ kind: 'choice', choice });
    return this.last;
  }
  get value(): string {
    return this.state.machine.value;
  }
  get answers(): Answers {
    return this.state.machine.context.answers;
  }
}

export function messageOf<K extends Message['kind']>(messages: readonly Message[], kind: K): Extract<Message, { kind: K }> {
  const found = messages.find((m): m is Extract<Message, { kind: K }> => m.kind === kind);
  if (!found) throw new Error(`no ${kind} message in ${JSON.stringify(messages.map((m) => m.kind))}`);
  return found;
}

export function textsOf(messages: readonly Message[]): string[] {
  return messages.flatMap((m) => ('text' in m && typeof m.text === 'string' ? [m.text] : []));
}

/**
 * A three-question definition built in memory from the framework theme of the
 * real rubric and flow: small enough to explore every path of its machine.
 */
export async function smallDefinition(): Promise<AssessmentDefinition> {
  const real = await realDefinition();
  const theme = real.rubric.govstage.themes.find((t) => t.id === 'framework');
  if (!theme) throw new Error('no framework theme');
  const rubric = RubricFile.parse({
    ...structuredClone(real.rubric),
    id: 'small-rubric',
    oecd: {
      ...structuredClone(real.rubric.oecd),
      characteristics: real.rubric.oecd.characteristics.filter((c) => theme.characteristics.includes(c.id)),
      policies: real.rubric.oecd.policies.filter((p) => theme.policies.includes(p.id)),
    },
    govstage: { themes: [structuredClone(theme)], parts: real.rubric.govstage.parts.filter((p) => theme.characteristics.includes(p.characteristic)) },
  });
  const questions = real.flow.questions.filter((q) => theme.characteristics.includes(q.characteristic));
  const flow = FlowFile.parse({
    ...structuredClone(real.flow),
    id: 'small-flow',
    rubric: { id: rubric.id, version: rubric.version },
    questions,
    // Only the upgrades of the questions kept: the others would name questions this flow does not have.
    upgrades: real.flow.upgrades.map((u) => ({
      ...u,
      answers: Object.fromEntries(Object.entries(u.answers).filter(([, to]) => questions.some((q) => q.id === to.question))),
    })),
  });
  return buildDefinition(rubric, flow, '(small flow)');
}
