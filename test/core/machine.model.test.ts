/**
 * Model-based tests of the generated assessment machine with @xstate/graph.
 *
 * The state space is kept finite by serialising a snapshot as its state
 * value, the set of answered question ids and the return targets, never the
 * answer values. Events: START, ANSWER ("yes" or "unsure") for the current
 * question, BACK, REVIEW, EDIT of the first question, SEE_RESULT, CONTINUE,
 * RESTART, CONFIRM, CANCEL, each offered only where the machine accepts it.
 */
import { getAdjacencyMap, getShortestPaths, type AdjacencyValue } from '@xstate/graph';
import { initialTransition, transition } from 'xstate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AssessmentDefinition } from '../../src/core/definition.js';
import { choiceIds } from '../../src/core/conversation/render.js';
import { advance, newConversation } from '../../src/core/conversation/turn.js';
import type { ConversationState, MachineContext } from '../../src/core/conversation/state.js';
import { emptyContext, questionIdOfState, questionState, type AssessmentEvent, type AssessmentMachine, type AssessmentSnapshot } from '../../src/core/machine/machine.js';
import { expectOk, NOW, realDefinition, smallDefinition } from './helpers.js';

const pathsOf = (machine: AssessmentMachine, options: Parameters<typeof getShortestPaths<AssessmentMachine>>[1]) => getShortestPaths(machine, options);
type Path = ReturnType<typeof pathsOf>[number];
type PathEvent = Path['steps'][number]['event'];

/** The events to try from a snapshot: the model's vocabulary, filtered to what the machine accepts there. */
function eventsFor(definition: AssessmentDefinition) {
  const first = definition.questions[0]?.id as string;
  return (snapshot: AssessmentSnapshot): AssessmentEvent[] => {
    const questionId = questionIdOfState(String(snapshot.value));
    const candidates: AssessmentEvent[] = [
      { type: 'START' },
      ...(questionId ? (['yes', 'unsure'] as const).map((option): AssessmentEvent => ({ type: 'ANSWER', questionId, option })) : []),
      { type: 'BACK' },
      { type: 'REVIEW' },
      { type: 'EDIT', questionId: first },
      { type: 'SEE_RESULT' },
      { type: 'CONTINUE' },
      { type: 'RESTART' },
      { type: 'CONFIRM' },
      { type: 'CANCEL' },
    ];
    return candidates.filter((event) => snapshot.can(event));
  };
}

const answeredKey = (context: MachineContext) => Object.keys(context.answers).sort().join(',');

/** Coarse: whether a return target is set (the real flow's graph stays small). */
const coarse = (snapshot: AssessmentSnapshot) =>
  JSON.stringify([snapshot.value, answeredKey(snapshot.context), snapshot.context.returnAfterAnswer !== null, snapshot.context.returnAfterCancel !== null]);
/** Exact: which return target is set (affordable for the three-question flow). */
const exact = (snapshot: AssessmentSnapshot) =>
  JSON.stringify([snapshot.value, answeredKey(snapshot.context), snapshot.context.returnAfterAnswer, snapshot.context.returnAfterCancel]);

/** Invariants every reachable snapshot must keep. */
function checkInvariants(definition: AssessmentDefinition, snapshot: AssessmentSnapshot, where: string): void {
  const value = String(snapshot.value);
  const states = Object.keys(definition.machine.states);
  const { answers, returnAfterAnswer, returnAfterCancel, pendingNotes } = snapshot.context;
  for (const [questionId, answer] of Object.entries(answers)) {
    const question = definition.questionById.get(questionId);
    expect(question, `${where}: answer to unknown question ${questionId}`).toBeDefined();
    expect(answer.option === 'unsure' || question?.options.some((o) => o.id === answer.option), `${where}: unknown option ${answer.option}`).toBe(true);
  }
  expect(pendingNotes).toEqual({});
  expect(states).toContain(value);
  if (returnAfterAnswer !== null) {
    expect(states, `${where}: returnAfterAnswer ${returnAfterAnswer}`).toContain(returnAfterAnswer);
    // Only a detour to a question (or a restart confirmation on the way) has a return target, and never to itself.
    expect(questionIdOfState(value) !== null || value === 'confirmRestart', `${where}: returnAfterAnswer set at ${value}`).toBe(true);
    expect(returnAfterAnswer, where).not.toBe(value);
    expect(['intro', 'result', 'confirmRestart'], where).not.toContain(returnAfterAnswer);
  }
  // A cancel target exists exactly while a restart is being confirmed.
  if (value === 'confirmRestart') {
    expect(returnAfterCancel, where).not.toBeNull();
    expect(states, where).toContain(returnAfterCancel);
    expect(returnAfterCancel, where).not.toBe('confirmRestart');
  } else {
    expect(returnAfterCancel, `${where}: returnAfterCancel left set at ${value}`).toBeNull();
  }
  // The result is only ever shown with every question answered.
  if (value === 'result') expect(Object.keys(answers).sort(), where).toEqual(definition.questions.map((q) => q.id).sort());
}

const describePath = (path: Path) =>
  path.steps.map((s) => `${s.event.type}${'questionId' in s.event ? `(${s.event.questionId}${'option' in s.event ? `:${s.event.option}` : ''})` : ''}`).join(' → ');

/** The channel input that asks `advance` for this machine event. */
function choiceFor(event: PathEvent): string {
  switch (event.type) {
    case 'START': return choiceIds.start;
    case 'ANSWER': return choiceIds.answer(event.questionId, event.option);
    case 'EDIT': return choiceIds.edit(event.questionId);
    case 'BACK': return choiceIds.command('back');
    case 'REVIEW': return choiceIds.command('review');
    case 'SEE_RESULT': return choiceIds.command('seeResult');
    case 'CONTINUE': return choiceIds.command('continue');
    case 'RESTART': return choiceIds.command('restart');
    case 'CONFIRM': return choiceIds.confirm;
    case 'CANCEL': return choiceIds.cancel;
    default: throw new Error(`${event.type} is not part of the model`);
  }
}

/**
 * Replays a path's events through the pure turn function (as choice ids) and
 * through xstate's `transition`; after each step both must agree exactly, and
 * match the graph's snapshot in everything the serialiser keeps (the graph
 * stores one representative snapshot per key, so its answer values may come
 * from another path).
 */
function replayThroughAdvance(definition: AssessmentDefinition, path: Path, key: (s: AssessmentSnapshot) => string): void {
  let state: ConversationState = newConversation(definition, 'en').state;
  let [snapshot] = initialTransition(definition.machine, emptyContext());
  let finished = false;
  // steps[0] is the initial snapshot (event xstate.init); the others are the events taken.
  for (const [i, step] of path.steps.entries()) {
    if (i === 0) continue;
    const where = `step ${i} of ${describePath(path)}`;
    [snapshot] = transition(definition.machine, snapshot, step.event);
    const outcome = expectOk(advance(definition, state, { kind: 'choice', choice: choiceFor(step.event) }, NOW));
    expect(outcome.stale, where).toBeUndefined();
    state = outcome.state;
    expect(state.machine.value, where).toBe(String(snapshot.value));
    expect(state.machine.context, where).toEqual(snapshot.context);
    expect(key(snapshot), where).toBe(key(step.state));
    checkInvariants(definition, snapshot, where);
    if (step.event.type === 'CONFIRM') finished = false;
    if (state.machine.value === 'result') finished = true;
    expect(state.status, where).toBe(finished ? 'finished' : 'active');
    // The conversation survives storage at every step.
    state = JSON.parse(JSON.stringify(state)) as ConversationState;
  }
  expect(key(snapshot)).toBe(key(path.state));
}

describe('the real ten-question machine', () => {
  let definition: AssessmentDefinition;
  let paths: Path[];
  beforeAll(async () => {
    definition = await realDefinition();
    paths = pathsOf(definition.machine, { events: eventsFor(definition), serializeState: coarse });
  });

  it('reaches every one of its states: intro, each question, review, result and the restart confirmation', () => {
    const expected = ['intro', ...definition.questions.map((q) => questionState(q.id)), 'review', 'result', 'confirmRestart'];
    expect(Object.keys(definition.machine.states).sort()).toEqual([...expected].sort());
    const reached = new Set(paths.map((p) => String(p.state.value)));
    expect([...reached].sort()).toEqual([...expected].sort());
  });

  it('explores a real state space (every answered subset can be reached)', () => {
    const subsets = new Set(paths.map((p) => answeredKey(p.state.context)));
    expect(subsets.size).toBe(2 ** definition.questions.length);
  });

  it('shows the result only with every question answered, on every path that reaches it', () => {
    const total = definition.questions.length;
    let resultPaths = 0;
    for (const path of paths) {
      for (const step of [...path.steps, { state: path.state }]) {
        if (String(step.state.value) !== 'result') continue;
        resultPaths++;
        expect(Object.keys(step.state.context.answers), describePath(path)).toHaveLength(total);
      }
    }
    expect(resultPaths).toBeGreaterThan(0);
  });

  it('keeps its invariants in every reachable snapshot', () => {
    for (const path of paths) checkInvariants(definition, path.state, describePath(path));
  });

  it('has no dead end: from every reachable snapshot the result can still be reached', () => {
    const adjacency = getAdjacencyMap(definition.machine, { events: eventsFor(definition), serializeState: coarse });
    const nodes = Object.values(adjacency) as AdjacencyValue<AssessmentSnapshot, PathEvent>[];
    const keys = nodes.map((n) => coarse(n.state));
    expect(keys.length).toBe(paths.length);
    // Walk backwards from every result snapshot.
    const incoming = new Map<string, string[]>();
    for (const node of nodes) {
      const from = coarse(node.state);
      for (const { state } of Object.values(node.transitions)) {
        const to = coarse(state);
        incoming.set(to, [...(incoming.get(to) ?? []), from]);
      }
    }
    const canFinish = new Set(nodes.filter((n) => String(n.state.value) === 'result').map((n) => coarse(n.state)));
    expect(canFinish.size).toBeGreaterThan(0);
    const queue = [...canFinish];
    while (queue.length > 0) {
      const key = queue.pop() as string;
      for (const from of incoming.get(key) ?? []) {
        if (!canFinish.has(from)) {
          canFinish.add(from);
          queue.push(from);
        }
      }
    }
    const stuck = keys.filter((k) => !canFinish.has(k));
    expect(stuck).toEqual([]);
  });

  it('agrees with the turn function on a sample of paths, including every way to the result', () => {
    const sample = paths.filter((p, i) => i % 100 === 0 || String(p.state.value) === 'result');
    expect(sample.length).toBeGreaterThan(100);
    expect(sample.filter((p) => String(p.state.value) === 'result').length).toBeGreaterThan(0);
    for (const path of sample) replayThroughAdvance(definition, path, coarse);
  });
});

describe('a three-question machine, explored exactly', () => {
  let definition: AssessmentDefinition;
  let paths: Path[];
  beforeAll(async () => {
    definition = await smallDefinition();
    paths = pathsOf(definition.machine, { events: eventsFor(definition), serializeState: exact });
  });

  it('is built from three questions', () => {
    expect(definition.questions.map((q) => q.id)).toEqual(['open-data-focus', 'open-data-reusable', 'open-data-ecosystem']);
    expect(new Set(paths.map((p) => String(p.state.value)))).toEqual(new Set(Object.keys(definition.machine.states)));
  });

  it('reaches every return target a detour or a restart can set', () => {
    const returnTargets = new Set(paths.map((p) => p.state.context.returnAfterAnswer));
    // EDIT of the first question from each later question, and from the review or result.
    expect(returnTargets).toEqual(new Set([null, 'q-open-data-reusable', 'q-open-data-ecosystem', 'review']));
    const cancelTargets = new Set(paths.map((p) => p.state.context.returnAfterCancel));
    expect(cancelTargets).toEqual(new Set([null, 'intro', 'q-open-data-focus', 'q-open-data-reusable', 'q-open-data-ecosystem', 'review', 'result']));
  });

  it('keeps its invariants on every step of every shortest path', () => {
    for (const path of paths) {
      for (const step of path.steps) checkInvariants(definition, step.state, describePath(path));
      checkInvariants(definition, path.state, describePath(path));
    }
  });

  it('the turn function, fed the matching choice ids, follows the machine on every shortest path', () => {
    expect(paths.length).toBeGreaterThan(50);
    for (const path of paths) replayThroughAdvance(definition, path, exact);
  });
});
