/**
 * Stored conversations: restoring a saved state and carrying on, refusing
 * states that cannot be restored (as error values, never exceptions), and
 * migrating a conversation saved under an older flow version.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDefinition, type AssessmentDefinition } from '../../src/core/definition.js';
import { advance, migrate, newConversation, restore } from '../../src/core/conversation/turn.js';
import { ConversationState } from '../../src/core/conversation/state.js';
import { FlowFile } from '../../src/core/flow/schema.js';
import type { TurnInput } from '../../src/core/messages.js';
import { Driver, expectFail, expectOk, messageOf, NOW, realDefinition, textsOf } from './helpers.js';

let definition: AssessmentDefinition;
let ids: string[];
beforeAll(async () => {
  definition = await realDefinition();
  ids = definition.questions.map((q) => q.id);
});

/** A full run: start, ten typed answers (some with notes), one change, then the result. */
const RUN: string[] = ['start', 'no', 'partly, in two ministries', 'yes', 'not sure', 'note see https://example.org/x', 'no', 'change 2', 'yes', 'yes', 'partly', 'no', 'yes', 'yes', 'see my result'];

describe('restore and continue', () => {
  it('a state that went through JSON mid-way continues to the same result as an uninterrupted run', () => {
    const straight = new Driver(definition);
    straight.text(...RUN);
    expect(straight.value).toBe('result');

    for (const cut of [1, 4, 7, 8, 12]) {
      const first = new Driver(definition);
      first.text(...RUN.slice(0, cut));
      const saved = JSON.parse(JSON.stringify(first.state)) as unknown;
      const resumed = new Driver(definition, ConversationState.parse(saved));
      resumed.text(...RUN.slice(cut));
      expect(resumed.state, `cut after ${cut} replies`).toEqual(straight.state);
      expect(messageOf(resumed.last.messages, 'result')).toEqual(messageOf(straight.last.messages, 'result'));
    }
  });

  it('restore rebuilds the machine snapshot at the saved step with the saved context', () => {
    const d = new Driver(definition);
    d.text('start', 'yes', 'no', 'note a pending note');
    const snapshot = expectOk(restore(definition, JSON.parse(JSON.stringify(d.state)) as ConversationState));
    expect(snapshot.value).toBe(`q-${ids[2]}`);
    expect(snapshot.context).toEqual(d.state.machine.context);
    expect(snapshot.context.pendingNotes).toEqual({ [ids[2] as string]: 'a pending note' });
  });

  it('a restored confirmation still knows where a cancel returns to', () => {
    const d = new Driver(definition);
    d.text('start', 'yes', 'yes', 'restart');
    const resumed = new Driver(definition, JSON.parse(JSON.stringify(d.state)) as ConversationState);
    resumed.text('no');
    expect(resumed.value).toBe(`q-${ids[2]}`);
    expect(Object.keys(resumed.answers)).toHaveLength(2);
  });
});

describe('unrestorable snapshots are error values, not exceptions', () => {
  const started = () => {
    const d = new Driver(definition);
    d.text('start', 'yes');
    return d.state;
  };

  it.each(['q-no-such-question', 'finished', 'Review', ''])('an unknown state value (%j) is UNRESTORABLE', (value) => {
    const state = { ...started(), machine: { ...started().machine, value } };
    const error = expectFail(restore(definition, state), 'UNRESTORABLE');
    if (value !== '') expect(error.message).toContain(value);
    expectFail(advance(definition, state, { kind: 'text', text: 'yes' }, NOW), 'UNRESTORABLE');
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('a state value that is an Object property name (%s) is UNRESTORABLE', (value) => {
    const state = { ...started(), machine: { ...started().machine, value } };
    expectFail(restore(definition, state), 'UNRESTORABLE');
    const inputs: TurnInput[] = [{ kind: 'start' }, { kind: 'text', text: 'yes' }, { kind: 'choice', choice: 'cmd:review' }];
    for (const input of inputs) {
      expect(() => advance(definition, state, input, NOW)).not.toThrow();
      expectFail(advance(definition, state, input, NOW), 'UNRESTORABLE');
    }
  });

  it.each([
    ['answers is not a record', { answers: 'yes' }],
    ['an answer without an option', { answers: { 'ict-purpose': { note: 'x' } } }],
    ['returnAfterAnswer is a number', { returnAfterAnswer: 3 }],
    ['an unknown context key', { extra: true }],
  ])('a broken context (%s) is UNRESTORABLE', (_name, patch) => {
    const base = started();
    const state = { ...base, machine: { ...base.machine, context: { ...base.machine.context, ...patch } } } as unknown as ConversationState;
    expectFail(restore(definition, state), 'UNRESTORABLE');
    expect(() => advance(definition, state, { kind: 'text', text: 'yes' }, NOW)).not.toThrow();
    expectFail(advance(definition, state, { kind: 'text', text: 'yes' }, NOW), 'UNRESTORABLE');
  });

  it.each([
    ['null', null],
    ['a string', 'hello'],
    ['no answer log', { schemaVersion: 1, flow: { id: 'principle-2-chat', version: 1 } }],
  ])('a stored value of the wrong shape (%s) is UNRESTORABLE', (_name, stored) => {
    expectFail(migrate(definition, stored), 'UNRESTORABLE');
    expectFail(advance(definition, stored as ConversationState, { kind: 'start' }, NOW), 'UNRESTORABLE');
  });

  it('a state of an unknown schema version is UNRESTORABLE', () => {
    const stored = { ...started(), schemaVersion: 2 };
    expectFail(migrate(definition, stored), 'UNRESTORABLE');
  });
});

/** Version 2 of the flow: one question renamed, one option removed, one question added. */
function flowV2(): FlowFile {
  const flow = structuredClone(definition.flow) as FlowFile;
  flow.version = 2;
  const outside = flow.questions.find((q) => q.id === 'outside-ideas');
  const engagement = flow.questions.find((q) => q.id === 'ict-engagement');
  if (!outside || !engagement) throw new Error('fixture questions missing');
  outside.id = 'outside-ideas-systematic';
  engagement.options = engagement.options.filter((o) => o.id !== 'partly');
  // A second question on an already-asked characteristic, at the end.
  flow.questions.push({ ...structuredClone(definition.questionById.get('open-data-reusable')), id: 'open-data-licences' } as FlowFile['questions'][number]);
  return FlowFile.parse(flow);
}

describe('migrating a conversation saved under an older flow version', () => {
  let v2: AssessmentDefinition;
  beforeAll(() => {
    v2 = buildDefinition(definition.rubric, flowV2(), '(flow v2)');
  });

  /** A v1 conversation: answers 1..10, ict-engagement "partly" (an option v2 lacks), a note on question 1. */
  function savedUnderV1(): ConversationState {
    const d = new Driver(definition);
    d.text('start', 'yes, see https://example.org/a', 'partly', 'no', 'yes', 'yes', 'no', 'yes', 'no', 'yes', 'yes');
    expect(d.value).toBe('review');
    return JSON.parse(JSON.stringify(d.state)) as ConversationState;
  }

  it('keeps still-valid answers (with notes), drops those to removed questions or options, and lands at the first unanswered question', () => {
    const migrated = expectOk(migrate(v2, savedUnderV1()));
    expect(migrated.flow).toEqual({ id: 'principle-2-chat', version: 2 });
    const { answers } = migrated.machine.context;
    expect(answers['ict-purpose']).toEqual({ option: 'yes', note: 'see https://example.org/a' });
    expect(answers['ict-engagement']).toBeUndefined(); // "partly" is gone
    expect(answers['outside-ideas']).toBeUndefined(); // renamed: the old id means nothing now
    expect(answers['outside-ideas-systematic']).toBeUndefined();
    expect(answers['open-data-licences']).toBeUndefined();
    expect(answers['decision-style']).toEqual({ option: 'no' });
    expect(Object.keys(answers).sort()).toEqual(
      ['ict-purpose', 'decision-style', 'citizen-preferences', 'legal-framework', 'enabling-framework', 'open-data-focus', 'open-data-reusable', 'open-data-ecosystem'].sort(),
    );
    expect(migrated.machine.value).toBe('q-ict-engagement');
    expect(migrated.status).toBe('active');
    // The log is kept as it was, so a later migration can replay it again.
    expect(migrated.answerLog).toEqual(savedUnderV1().answerLog);
  });

  it('a turn on the old state migrates it first and continues from there', () => {
    const outcome = expectOk(advance(v2, savedUnderV1(), { kind: 'start' }, NOW));
    expect(outcome.state.flow.version).toBe(2);
    expect(messageOf(outcome.messages, 'question').questionId).toBe('ict-engagement');
    const d = new Driver(v2, outcome.state);
    d.text('yes');
    expect(d.answers['ict-engagement']).toEqual({ option: 'yes' });
    // Answering moves on in question order; "review" then "continue" jumps to the next open question.
    expect(d.value).toBe('q-decision-style');
    d.text('review', 'continue');
    expect(d.value).toBe('q-outside-ideas-systematic');
    d.text('yes', 'review', 'continue');
    expect(d.value).toBe('q-open-data-licences');
    d.text('no');
    expect(d.value).toBe('review');
    d.text('see my result');
    expect(d.value).toBe('result');
  });

  it('replays the log: the latest answer wins, a restart clears what came before it', () => {
    const d = new Driver(definition);
    d.text('start', 'yes', 'yes', 'back', 'no', 'restart', 'yes', 'partly');
    const migrated = expectOk(migrate(v2, JSON.parse(JSON.stringify(d.state))));
    expect(migrated.machine.context.answers).toEqual({ 'ict-purpose': { option: 'partly' } });
    expect(migrated.machine.value).toBe('q-ict-engagement');
  });

  it('keeps a changed answer, not the first one', () => {
    const d = new Driver(definition);
    d.text('start', 'yes', 'yes', 'change 1', 'no');
    const migrated = expectOk(migrate(v2, JSON.parse(JSON.stringify(d.state))));
    expect(migrated.machine.context.answers['ict-purpose']).toEqual({ option: 'no' });
    expect(migrated.machine.context.answers['ict-engagement']).toEqual({ option: 'yes' });
  });

  it('keeps a note typed before its answer', () => {
    const d = new Driver(definition);
    d.text('start', 'note our portal https://example.org/p', 'yes');
    expect(d.answers['ict-purpose']).toEqual({ option: 'yes', note: 'our portal https://example.org/p' });
    const migrated = expectOk(migrate(v2, JSON.parse(JSON.stringify(d.state))));
    expect(migrated.machine.context.answers['ict-purpose']).toEqual({ option: 'yes', note: 'our portal https://example.org/p' });
  });

  it('keeps a note on a question not answered yet, and attaches it once answered', () => {
    const d = new Driver(definition);
    d.text('start', 'yes', 'note draft consultation https://example.org/d');
    const migrated = expectOk(migrate(v2, JSON.parse(JSON.stringify(d.state))));
    expect(migrated.machine.context.pendingNotes).toEqual({ 'ict-engagement': 'draft consultation https://example.org/d' });
    const resumed = new Driver(v2, migrated);
    resumed.text('no');
    expect(resumed.answers['ict-engagement']).toEqual({ option: 'no', note: 'draft consultation https://example.org/d' });
  });

  it('a conversation not yet started stays at the introduction', () => {
    const migrated = expectOk(migrate(v2, newConversation(definition, 'en').state));
    expect(migrated.machine.value).toBe('intro');
    expect(migrated.flow.version).toBe(2);
  });

  it('a finished conversation whose answers all survive lands at the review', () => {
    const d = new Driver(definition);
    d.text('start', 'yes', 'yes', 'no', 'yes', 'yes', 'no', 'yes', 'no', 'yes', 'yes', 'see my result');
    expect(d.state.status).toBe('finished');
    const bumped = buildDefinition(definition.rubric, FlowFile.parse({ ...structuredClone(definition.flow), version: 2 }), '(flow v2, same questions)');
    const migrated = expectOk(migrate(bumped, JSON.parse(JSON.stringify(d.state))));
    expect(migrated.machine.value).toBe('review');
    expect(migrated.machine.context.answers).toEqual(d.answers);
    expect(migrated.status).toBe('finished');
  });

  it('a state of the current version is returned as it is', () => {
    const d = new Driver(definition);
    d.text('start', 'yes', 'change 1');
    expect(expectOk(migrate(definition, d.state))).toEqual(d.state);
  });

  it('a state from a different flow is refused with UNRESTORABLE', () => {
    const state = { ...savedUnderV1(), flow: { id: 'another-flow', version: 1 } };
    const error = expectFail(migrate(v2, state), 'UNRESTORABLE');
    expect(error.message).toContain('another-flow');
    expectFail(advance(v2, state, { kind: 'start' }, NOW), 'UNRESTORABLE');
  });

  it('a state from a newer flow version is refused with UNRESTORABLE', () => {
    const state = { ...savedUnderV1(), flow: { id: 'principle-2-chat', version: 3 } };
    const error = expectFail(migrate(v2, state), 'UNRESTORABLE');
    expect(error.message).toMatch(/newer version \(3\)/);
    expectFail(advance(definition, { ...state, flow: { id: 'principle-2-chat', version: 2 } }, { kind: 'text', text: 'yes' }, NOW), 'UNRESTORABLE');
  });

  it('migrated answers only name questions and options the new flow has', () => {
    const migrated = expectOk(migrate(v2, savedUnderV1()));
    for (const [questionId, answer] of Object.entries(migrated.machine.context.answers)) {
      const question = v2.questionById.get(questionId);
      expect(question, questionId).toBeDefined();
      expect(answer.option === 'unsure' || question?.options.some((o) => o.id === answer.option), `${questionId}: ${answer.option}`).toBe(true);
    }
    expect(textsOf(expectOk(advance(v2, migrated, { kind: 'start' }, NOW)).messages)).toContain('Welcome back! Here is where you left off.');
  });
});
