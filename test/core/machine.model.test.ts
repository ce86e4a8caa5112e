/**
 * Model-based tests of the generated assessment machine with @xstate/graph.
 *
 * A snapshot is serialised as everything the machine's behaviour depends on:
 * its state value, the answers (question → option), the unit, the return
 * targets, and what has been settled, deferred or is being settled. Answer
 * values matter now: a contradiction among them puts the settle step before
 * the result. Events: START, UNIT, ANSWER for the current question, BACK,
 * REVIEW, EDIT (the unit and the first question), SEE_RESULT, CONTINUE,
 * KEEP_BOTH and DEFER (of the open contradiction), SETTLE_NOTE, RESTART,
 * CONFIRM, CANCEL, each offered only where the machine accepts it. NOTE is
 * left out: it changes no step, and the turn tests cover it.
 *
 * Two machines: the three-question framework theme (smallDefinition), where
 * every path is explored; and the real fourteen-question machine, explored
 * without BACK so that its state space stays small (see there).
 */
import { getAdjacencyMap, getShortestPaths, type AdjacencyValue } from '@xstate/graph';
import { initialTransition, transition } from 'xstate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AssessmentDefinition } from '../../src/core/definition.js';
import { choiceIds } from '../../src/core/conversation/render.js';
import { advance, newConversation } from '../../src/core/conversation/turn.js';
import type { ConversationState } from '../../src/core/conversation/state.js';
import type { TurnInput } from '../../src/core/messages.js';
import { openContradictionOf } from '../../src/core/scoring/evidence.js';
import { emptyContext, questionIdOfState, questionState, UNIT_QUESTION_ID, type AssessmentEvent, type AssessmentMachine, type AssessmentSnapshot } from '../../src/core/machine/machine.js';
import { expectOk, NOW, realDefinition, smallDefinition } from './helpers.js';

const pathsOf = (machine: AssessmentMachine, options: Parameters<typeof getShortestPaths<AssessmentMachine>>[1]) => getShortestPaths(machine, options);
type Path = ReturnType<typeof pathsOf>[number];
type PathEvent = Path['steps'][number]['event'];

/** The note that keeps both answers of a contradiction (typed, in the turn function). */
const SETTLE_NOTE = 'Both hold: the law is silent, but our own guidance asks for it.';

interface Model {
  /** The options tried at each question. */
  answers: (questionId: string) => readonly string[];
  /** Whether BACK is tried. */
  back: boolean;
}

/** The events to try from a snapshot: the model's vocabulary, filtered to what the machine accepts there. */
function eventsFor(definition: AssessmentDefinition, model: Model) {
  const first = definition.questions[0]?.id as string;
  return (snapshot: AssessmentSnapshot): AssessmentEvent[] => {
    const questionId = questionIdOfState(String(snapshot.value));
    const open = openContradictionOf(definition, snapshot.context);
    const candidates: AssessmentEvent[] = [
      { type: 'START' },
      { type: 'UNIT', option: 'national' },
      ...(questionId ? model.answers(questionId).map((option): AssessmentEvent => ({ type: 'ANSWER', questionId, option })) : []),
      ...(model.back ? [{ type: 'BACK' } as const] : []),
      { type: 'REVIEW' },
      { type: 'EDIT', questionId: UNIT_QUESTION_ID },
      { type: 'EDIT', questionId: first },
      { type: 'SEE_RESULT' },
      { type: 'CONTINUE' },
      ...(open ? [{ type: 'KEEP_BOTH', contradictionId: open } as const, { type: 'DEFER', contradictionId: open } as const] : []),
      { type: 'SETTLE_NOTE', note: SETTLE_NOTE },
      { type: 'RESTART' },
      { type: 'CONFIRM' },
      { type: 'CANCEL' },
    ];
    return candidates.filter((event) => snapshot.can(event));
  };
}

const answersKey = (snapshot: AssessmentSnapshot) =>
  Object.entries(snapshot.context.answers).map(([id, a]) => `${id}=${a.option}`).sort().join(',');

/** Everything the machine's behaviour depends on (answer notes excepted: the model types none). */
const serialize = (snapshot: AssessmentSnapshot) => {
  const { unit, returnAfterAnswer, returnAfterCancel, settled, deferred, settling } = snapshot.context;
  return JSON.stringify([snapshot.value, answersKey(snapshot), unit, returnAfterAnswer, returnAfterCancel, Object.keys(settled).sort(), deferred, settling]);
};

/** Invariants every reachable snapshot must keep. */
function checkInvariants(definition: AssessmentDefinition, snapshot: AssessmentSnapshot, where: string): void {
  const value = String(snapshot.value);
  const states = Object.keys(definition.machine.states);
  const { answers, returnAfterAnswer, returnAfterCancel, pendingNotes, unit, settled, deferred, settling } = snapshot.context;
  for (const [questionId, answer] of Object.entries(answers)) {
    const question = definition.questionById.get(questionId);
    expect(question, `${where}: answer to unknown question ${questionId}`).toBeDefined();
    expect(answer.option === 'unsure' || question?.options.some((o) => o.id === answer.option), `${where}: unknown option ${answer.option}`).toBe(true);
  }
  expect(pendingNotes).toEqual({});
  expect(states).toContain(value);
  // What is being assessed is known everywhere past its question (a confirmed restart asks it again).
  if (!['intro', 'unit', 'confirmRestart'].includes(value)) expect(unit, `${where}: no unit at ${value}`).not.toBeNull();
  if (returnAfterAnswer !== null) {
    expect(states, `${where}: returnAfterAnswer ${returnAfterAnswer}`).toContain(returnAfterAnswer);
    // Only a detour to a question or the unit (or a restart confirmation on the way) has a return target, and never to itself.
    expect(questionIdOfState(value) !== null || value === 'unit' || value === 'confirmRestart', `${where}: returnAfterAnswer set at ${value}`).toBe(true);
    expect(returnAfterAnswer, where).not.toBe(value);
    expect(['intro', 'unit', 'settle', 'settleNote', 'result', 'confirmRestart'], where).not.toContain(returnAfterAnswer);
  }
  // A cancel target exists exactly while a restart is being confirmed.
  if (value === 'confirmRestart') {
    expect(returnAfterCancel, where).not.toBeNull();
    expect(states, where).toContain(returnAfterCancel);
    expect(returnAfterCancel, where).not.toBe('confirmRestart');
  } else {
    expect(returnAfterCancel, `${where}: returnAfterCancel left set at ${value}`).toBeNull();
  }
  const everyQuestionAnswered = definition.questions.every((q) => q.id in answers);
  const open = openContradictionOf(definition, snapshot.context);
  // The settle step puts an open contradiction, once every question is answered.
  if (value === 'settle') {
    expect(everyQuestionAnswered, where).toBe(true);
    expect(open, where).not.toBeNull();
  }
  // A contradiction is being settled exactly in the note step (or a restart confirmation on the way from it), and it is the open one.
  expect(settling !== null, `${where}: settling ${settling} at ${value}`).toBe(value === 'settleNote' || (value === 'confirmRestart' && returnAfterCancel === 'settleNote'));
  if (settling !== null) expect(settling, where).toBe(open);
  expect(new Set(deferred).size, `${where}: deferred twice`).toBe(deferred.length);
  for (const note of Object.values(settled)) expect(note, where).toEqual({ note: SETTLE_NOTE });
  // The result is only ever shown with the unit known, every question answered and no contradiction left open.
  if (value === 'result') {
    expect(unit, where).not.toBeNull();
    expect(Object.keys(answers).sort(), where).toEqual(definition.questions.map((q) => q.id).sort());
    expect(open, where).toBeNull();
  }
}

const describePath = (path: Path) =>
  path.steps.map((s) => `${s.event.type}${'questionId' in s.event ? `(${s.event.questionId}${'option' in s.event ? `:${s.event.option}` : ''})` : ''}`).join(' → ');

/** The channel input that asks `advance` for this machine event: a choice id, or the typed note. */
function inputFor(event: PathEvent): TurnInput {
  const choice = (id: string): TurnInput => ({ kind: 'choice', choice: id });
  switch (event.type) {
    case 'START': return choice(choiceIds.start);
    case 'UNIT': return choice(choiceIds.unit(event.option));
    case 'ANSWER': return choice(choiceIds.answer(event.questionId, event.option));
    case 'EDIT': return choice(choiceIds.edit(event.questionId));
    case 'BACK': return choice(choiceIds.command('back'));
    case 'REVIEW': return choice(choiceIds.command('review'));
    case 'SEE_RESULT': return choice(choiceIds.command('seeResult'));
    case 'CONTINUE': return choice(choiceIds.command('continue'));
    case 'KEEP_BOTH': return choice(choiceIds.keepBoth(event.contradictionId));
    case 'DEFER': return choice(choiceIds.decideLater(event.contradictionId));
    case 'SETTLE_NOTE': return { kind: 'text', text: event.note };
    case 'RESTART': return choice(choiceIds.command('restart'));
    case 'CONFIRM': return choice(choiceIds.confirm);
    case 'CANCEL': return choice(choiceIds.cancel);
    default: throw new Error(`${event.type} is not part of the model`);
  }
}

/**
 * Replays every shortest path through the pure turn function (as channel
 * inputs) and through xstate's `transition`; after each step both must agree
 * exactly, and equal the graph's snapshot. Shortest paths form a tree (each
 * is a shorter one plus one step), so each path is replayed from the
 * replayed end of the path one step shorter: every path in full, each step
 * computed once.
 */
function replayThroughAdvance(definition: AssessmentDefinition, paths: readonly Path[]): void {
  interface Replayed { state: ConversationState; snapshot: AssessmentSnapshot; finished: boolean }
  const replayed = new Map<string, Replayed>();
  for (const path of [...paths].sort((a, b) => a.steps.length - b.steps.length)) {
    // steps[0] is the initial snapshot (event xstate.init); the others are the events taken.
    if (path.steps.length === 1) {
      const [snapshot] = initialTransition(definition.machine, emptyContext());
      replayed.set(serialize(path.state), { state: newConversation(definition, 'en').state, snapshot, finished: false });
      continue;
    }
    const where = describePath(path);
    const shorter = replayed.get(serialize((path.steps[path.steps.length - 2] as Path['steps'][number]).state));
    if (!shorter) throw new Error(`${where}: the path one step shorter was not replayed`);
    const step = path.steps[path.steps.length - 1] as Path['steps'][number];
    const [snapshot] = transition(definition.machine, shorter.snapshot, step.event);
    const outcome = expectOk(advance(definition, shorter.state, inputFor(step.event), NOW));
    expect(outcome.stale, where).toBeUndefined();
    expect(outcome.state.machine.value, where).toBe(String(snapshot.value));
    expect(outcome.state.machine.context, where).toEqual(snapshot.context);
    expect(snapshot.context, where).toEqual(path.state.context);
    expect(serialize(snapshot), where).toBe(serialize(path.state));
    checkInvariants(definition, snapshot, where);
    const finished = step.event.type === 'CONFIRM' ? false : shorter.finished || outcome.state.machine.value === 'result';
    expect(outcome.state.status, where).toBe(finished ? 'finished' : 'active');
    // The conversation survives storage at every step.
    replayed.set(serialize(path.state), { state: JSON.parse(JSON.stringify(outcome.state)) as ConversationState, snapshot, finished });
  }
  expect(replayed.size).toBe(paths.length);
}

/** Snapshots from which the result cannot be reached any more (walking the adjacency map backwards from every result). */
function deadEnds(definition: AssessmentDefinition, model: Model): { nodes: number; stuck: string[] } {
  const adjacency = getAdjacencyMap(definition.machine, { events: eventsFor(definition, model), serializeState: serialize });
  const nodes = Object.values(adjacency) as AdjacencyValue<AssessmentSnapshot, PathEvent>[];
  const keys = nodes.map((n) => serialize(n.state));
  const incoming = new Map<string, string[]>();
  for (const node of nodes) {
    const from = serialize(node.state);
    for (const { state } of Object.values(node.transitions)) {
      const to = serialize(state);
      incoming.set(to, [...(incoming.get(to) ?? []), from]);
    }
  }
  const canFinish = new Set(nodes.filter((n) => String(n.state.value) === 'result').map((n) => serialize(n.state)));
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
  return { nodes: keys.length, stuck: keys.filter((k) => !canFinish.has(k)) };
}

const expectedStates = (definition: AssessmentDefinition) =>
  ['intro', 'unit', ...definition.questions.map((q) => questionState(q.id)), 'review', 'settle', 'settleNote', 'result', 'confirmRestart'].sort();

/** Every path that reaches the result shows it only with every question answered. */
function expectResultOnlyComplete(definition: AssessmentDefinition, paths: readonly Path[]): number {
  let results = 0;
  for (const path of paths) {
    for (const step of [...path.steps, { state: path.state }]) {
      if (String(step.state.value) !== 'result') continue;
      results++;
      expect(Object.keys(step.state.context.answers).sort(), describePath(path)).toEqual(definition.questions.map((q) => q.id).sort());
    }
  }
  return results;
}

describe('the three-question framework machine, explored exactly', () => {
  let definition: AssessmentDefinition;
  let paths: Path[];
  /** Every answer to every question: "no" to the legal framework means the limitation holds, so no–yes–yes contradicts. */
  const model: Model = { answers: () => ['yes', 'no', 'unsure'], back: true };
  const CONTRADICTION = 'early-legal-framework~advanced-enabling-framework';
  beforeAll(async () => {
    definition = await smallDefinition();
    paths = pathsOf(definition.machine, { events: eventsFor(definition, model), serializeState: serialize });
  });

  it('is built from the three questions of the framework theme and reaches every state: intro, unit, each question, review, settle, settleNote, result and the restart confirmation', () => {
    expect(definition.questions.map((q) => q.id)).toEqual(['legal-framework', 'enabling-framework', 'participation-skills']);
    expect(Object.keys(definition.machine.states).sort()).toEqual(expectedStates(definition));
    expect([...new Set(paths.map((p) => String(p.state.value)))].sort()).toEqual(expectedStates(definition));
  });

  it('explores a real state space of a known size', () => {
    // Each question unanswered, yes, no or not sure: 4^3 = 64 answer sets, every one reachable.
    expect(new Set(paths.map((p) => answersKey(p.state))).size).toBe(4 ** 3);
    // Exactly one of them contradicts (the limitation holds, both parts of the enabling framework hold),
    // and only it reaches the settle steps.
    const settling = paths.filter((p) => ['settle', 'settleNote'].includes(String(p.state.value)));
    expect(new Set(settling.map((p) => answersKey(p.state)))).toEqual(new Set(['enabling-framework=yes,legal-framework=no,participation-skills=yes']));
    // What a person can have said at any step: one of the 64 answer sets, or, once the contradicting set is
    // complete and the contradiction kept or deferred, any of the 27 complete sets with that decision (answers
    // can be changed afterwards; only a restart removes them): 64 + 27 + 27 = 118.
    const records = 4 ** 3 + 27 + 27;
    const expected: Record<string, number> = {
      intro: 1,
      // Unit unknown (start, or a confirmed restart), or known with each record and nowhere to return (back from the
      // first question), or returning to the question or review it was changed from: 1 + 5 × 118.
      unit: 1 + 5 * records,
      // The first question with no return target, or changed from either later question or from the review: 4 × 118.
      'q-legal-framework': 4 * records,
      'q-enabling-framework': records,
      'q-participation-skills': records,
      review: records,
      // Only the contradicting answers, undecided.
      settle: 1,
      settleNote: 1,
      // Complete and nothing open: 27 − 1 undecided, 27 kept, 27 deferred.
      result: 26 + 27 + 27,
    };
    // A restart can be asked for from every other snapshot, and keeps it (as its cancel target) to return to.
    expected.confirmRestart = Object.values(expected).reduce((a, b) => a + b, 0);
    const byValue: Record<string, number> = {};
    for (const p of paths) byValue[String(p.state.value)] = (byValue[String(p.state.value)] ?? 0) + 1;
    expect(byValue).toEqual(expected);
    expect(paths).toHaveLength(3000);
  });

  it('reaches every return target a detour or a restart can set', () => {
    const returnTargets = new Set(paths.map((p) => p.state.context.returnAfterAnswer));
    // EDIT of the first question from each later question, and from the review, settle or result (back to the review);
    // EDIT of the unit from each question, and from the review, settle or result.
    expect(returnTargets).toEqual(new Set([null, 'q-legal-framework', 'q-enabling-framework', 'q-participation-skills', 'review']));
    const cancelTargets = new Set(paths.map((p) => p.state.context.returnAfterCancel));
    expect(cancelTargets).toEqual(new Set([null, 'intro', 'unit', 'q-legal-framework', 'q-enabling-framework', 'q-participation-skills', 'review', 'settle', 'settleNote', 'result']));
  });

  it('settles the contradiction every way: kept with a note, deferred, and an empty note refused', () => {
    const results = paths.filter((p) => String(p.state.value) === 'result' && answersKey(p.state) === 'enabling-framework=yes,legal-framework=no,participation-skills=yes');
    expect(results.map((p) => [Object.keys(p.state.context.settled), p.state.context.deferred])).toEqual(expect.arrayContaining([[[CONTRADICTION], []], [[], [CONTRADICTION]]]));
    const atNote = paths.find((p) => String(p.state.value) === 'settleNote');
    expect(atNote?.state.can({ type: 'SETTLE_NOTE', note: '   ' })).toBe(false);
    expect(atNote?.state.can({ type: 'SETTLE_NOTE', note: SETTLE_NOTE })).toBe(true);
  });

  it('shows the result only with every question answered, on every path that reaches it', () => {
    expect(expectResultOnlyComplete(definition, paths)).toBeGreaterThan(0);
  });

  it('keeps its invariants in every reachable snapshot', () => {
    // Every step of every shortest path ends another one: checking where each ends checks every step.
    for (const path of paths) checkInvariants(definition, path.state, describePath(path));
  });

  it('has no dead end: from every reachable snapshot the result can still be reached', () => {
    const { nodes, stuck } = deadEnds(definition, model);
    expect(nodes).toBe(paths.length);
    expect(stuck).toEqual([]);
  });

  it('the turn function, fed the matching channel inputs, follows the machine on every shortest path', () => {
    replayThroughAdvance(definition, paths);
  });
});

describe('the real fourteen-question machine', () => {
  let definition: AssessmentDefinition;
  let paths: Path[];
  /**
   * One answer per question, so that the answered questions say which answers
   * were given: top-down decisions with regular digital engagement, and open
   * data counted in datasets with regularly re-usable data: two
   * contradictions once all are answered.
   */
  const PROFILE: Record<string, string> = {
    'ict-purpose': 'no', 'ict-engagement': 'yes', 'decision-style': 'yes', 'citizen-preferences': 'partly', 'outside-ideas': 'no', 'outside-preferences': 'no',
    'legal-framework': 'yes', 'enabling-framework': 'partly', 'participation-skills': 'partly',
    'open-data-focus': 'yes', 'open-data-reusable': 'yes', 'open-data-quality': 'partly', 'open-data-portal': 'no', 'open-data-ecosystem': 'no',
  };
  /**
   * Without BACK. With it, a person can reach the last question from the
   * review and answer backwards, so every one of the 2^14 answered subsets is
   * reachable: about 311,000 snapshots and four minutes of exploration. The
   * three-question machine above explores BACK exhaustively; here answering
   * only moves forward, so the answered questions are always a prefix of the
   * fourteen.
   */
  const model: Model = { answers: (questionId) => [PROFILE[questionId] as string], back: false };
  beforeAll(async () => {
    definition = await realDefinition();
    paths = pathsOf(definition.machine, { events: eventsFor(definition, model), serializeState: serialize });
  });

  it('has and reaches every one of its states: intro, unit, each question, review, settle, settleNote, result and the restart confirmation', () => {
    expect(Object.keys(definition.machine.states).sort()).toEqual(expectedStates(definition));
    expect([...new Set(paths.map((p) => String(p.state.value)))].sort()).toEqual(expectedStates(definition));
  });

  it('explores a state space of a known size: the 15 prefixes of the questions, two contradictions settled in turn', () => {
    const total = definition.questions.length;
    const answered = (p: Path) => Object.keys(p.state.context.answers).sort();
    expect(new Set(paths.map((p) => answered(p).length))).toEqual(new Set(Array.from({ length: total + 1 }, (_, i) => i)));
    for (const p of paths) expect(answered(p)).toEqual(definition.questions.slice(0, answered(p).length).map((q) => q.id).sort());
    const decided = new Set(paths.flatMap((p) => [...Object.keys(p.state.context.settled), ...p.state.context.deferred]));
    expect(decided).toEqual(new Set(['early-top-down~intermediate-ict-engagement-channel', 'early-ogd-dataset-count~intermediate-open-data-reusable']));
    // What a person can have said: 14 incomplete prefixes, or all 14 answers with the two contradictions undecided,
    // or the first kept or deferred and the second undecided, kept or deferred (the second is put only after the first):
    // 14 + 1 + 2 × 3 = 21 records.
    const records = 14 + 1 + 2 * 3;
    const expected: Record<string, number> = { intro: 1, review: records, settle: 3, settleNote: 3, result: 4 };
    // Question i (1-based) is reached with a prefix of at least i − 1 answers (14 − (i − 1) of them) or complete (7): 22 − i.
    const atQuestion = (i: number) => 22 - i;
    definition.questions.forEach((q, index) => {
      expected[questionState(q.id)] = atQuestion(index + 1);
    });
    const laterQuestions = definition.questions.slice(1).reduce((sum, _q, index) => sum + atQuestion(index + 2), 0);
    // The first question, also as a detour ("change 1") from each later question or from the review.
    expected[questionState(definition.questions[0]?.id as string)] = atQuestion(1) + laterQuestions + records;
    // The unit unknown (start, or a confirmed restart), or changed from any question or from the review (no BACK: never without a return target).
    expected.unit = 1 + atQuestion(1) + laterQuestions + records;
    expected.confirmRestart = Object.values(expected).reduce((a, b) => a + b, 0);
    const byValue: Record<string, number> = {};
    for (const p of paths) byValue[String(p.state.value)] = (byValue[String(p.state.value)] ?? 0) + 1;
    expect(byValue).toEqual(expected);
    expect(paths).toHaveLength(1326);
  });

  it('shows the result only with every question answered, on every path that reaches it', () => {
    expect(expectResultOnlyComplete(definition, paths)).toBeGreaterThan(0);
  });

  it('keeps its invariants in every reachable snapshot', () => {
    for (const path of paths) checkInvariants(definition, path.state, describePath(path));
  });

  it('has no dead end: from every reachable snapshot the result can still be reached', () => {
    const { nodes, stuck } = deadEnds(definition, model);
    expect(nodes).toBe(paths.length);
    expect(stuck).toEqual([]);
  });

  it('agrees with the turn function on every path', () => {
    replayThroughAdvance(definition, paths);
  });
});
