/**
 * Stored conversations: restoring a saved state and carrying on, refusing
 * states that cannot be restored (as error values, never exceptions), and
 * migrating a conversation saved under an older flow version: a real one
 * written by version 1, and made-up later versions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDefinition, textsFor, type AssessmentDefinition } from '../../src/core/definition.js';
import { advance, migrate, newConversation, restore } from '../../src/core/conversation/turn.js';
import { choiceIds } from '../../src/core/conversation/render.js';
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

/** A typed reply, or a button. */
type Step = string | { choice: string };
const play = (d: Driver, steps: readonly Step[]) => {
  for (const step of steps) d.send(typeof step === 'string' ? { kind: 'text', text: step } : { kind: 'choice', choice: step.choice });
};

/** Top-down decisions (question 3) and regular digital engagement (question 2, as changed) both said to hold. */
const KEPT = 'early-top-down~intermediate-ict-engagement-channel';
/**
 * A full run: start, the unit by its number, fourteen typed answers (some
 * with notes, one changed on the way), the result asked for, the one
 * contradiction kept with a note, then the result.
 */
const RUN: Step[] = [
  'start', '2',
  'no', 'partly, in two ministries', 'yes', 'not sure', 'note see https://example.org/x', 'no', 'change 2', 'yes',
  'yes', 'partly', 'no', 'yes', 'yes', 'no', 'partly', 'no', 'yes',
  'see my result',
  { choice: choiceIds.keepBoth(KEPT) },
  'Budgets are decided top-down; every draft regulation is open for comment online.',
];
/** Where the run stands after its first N steps, for the cuts that matter. */
const AT_CUT: Record<number, string> = { 1: 'unit', 2: 'q-ict-purpose', 7: 'q-outside-ideas', 9: 'q-ict-engagement', 13: 'q-participation-skills', 20: 'settle', 21: 'settleNote' };

describe('restore and continue', () => {
  it('a state that went through JSON mid-way continues to the same result as an uninterrupted run', () => {
    const straight = new Driver(definition);
    play(straight, RUN);
    expect(straight.value).toBe('result');
    expect(straight.state.machine.context.unit).toBe('ministry');
    expect(straight.state.machine.context.settled).toEqual({ [KEPT]: { note: RUN[RUN.length - 1] } });

    for (const cut of [1, 2, 7, 9, 13, 20, 21]) {
      const first = new Driver(definition);
      play(first, RUN.slice(0, cut));
      expect(first.value, `after ${cut} steps`).toBe(AT_CUT[cut]);
      const saved = JSON.parse(JSON.stringify(first.state)) as unknown;
      const resumed = new Driver(definition, ConversationState.parse(saved));
      play(resumed, RUN.slice(cut));
      expect(resumed.state, `cut after ${cut} steps`).toEqual(straight.state);
      expect(messageOf(resumed.last.messages, 'result')).toEqual(messageOf(straight.last.messages, 'result'));
    }
  });

  it('restore rebuilds the machine snapshot at the saved step with the saved context', () => {
    const d = new Driver(definition);
    d.text('start', '1', 'yes', 'no', 'note a pending note');
    const snapshot = expectOk(restore(definition, JSON.parse(JSON.stringify(d.state)) as ConversationState));
    expect(snapshot.value).toBe(`q-${ids[2]}`);
    expect(snapshot.context).toEqual(d.state.machine.context);
    expect(snapshot.context.unit).toBe('national');
    expect(snapshot.context.pendingNotes).toEqual({ [ids[2] as string]: 'a pending note' });
  });

  it('a restored confirmation still knows where a cancel returns to', () => {
    const d = new Driver(definition);
    d.text('start', '1', 'yes', 'yes', 'restart');
    const resumed = new Driver(definition, JSON.parse(JSON.stringify(d.state)) as ConversationState);
    resumed.text('no');
    expect(resumed.value).toBe(`q-${ids[2]}`);
    expect(Object.keys(resumed.answers)).toHaveLength(2);
  });
});

describe('unrestorable snapshots are error values, not exceptions', () => {
  const started = () => {
    const d = new Driver(definition);
    d.choice('start', 'unit:national');
    d.text('yes');
    return d.state;
  };

  it.each(['q-no-such-question', 'finished', 'Review', 'Unit', ''])('an unknown state value (%j) is UNRESTORABLE', (value) => {
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
    ['the unit is a number', { unit: 2 }],
    ['deferred is not a list', { deferred: 'later' }],
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

/** A time in the version-1 conversation, minutes after it began. */
const v1At = (minute: number) => new Date(Date.UTC(2024, 2, 4, 9, minute)).toISOString();

/**
 * A finished conversation exactly as version 1 stored it: flow and rubric
 * version 1, ten questions answered with the options yes/partly/no/unsure, a
 * context without the unit or settling (version 1 had neither), and its
 * answer log. Version 1 asked legal-framework the negative way round ("does
 * your legal framework fail to support…"), so its "yes" says the limitation
 * holds; outside-ideas, enabling-framework and open-data-ecosystem each asked
 * several things at once.
 */
function versionOneFinished(): unknown {
  return {
    schemaVersion: 1,
    flow: { id: 'principle-2-chat', version: 1 },
    rubric: { id: 'oecd-dg-principle-2', version: 1 },
    locale: 'en',
    machine: {
      value: 'result',
      context: {
        answers: {
          'ict-purpose': { option: 'no' },
          'ict-engagement': { option: 'partly', note: 'a pilot portal https://example.org/pilot' },
          'decision-style': { option: 'partly' },
          'citizen-preferences': { option: 'unsure' },
          'outside-ideas': { option: 'yes' },
          'legal-framework': { option: 'yes', note: 'the 2009 act says nothing about it' },
          'enabling-framework': { option: 'partly', note: 'guidance in two ministries' },
          'open-data-focus': { option: 'no' },
          'open-data-reusable': { option: 'yes', note: 'see https://example.org/data' },
          'open-data-ecosystem': { option: 'no' },
        },
        pendingNotes: {},
        returnAfterAnswer: null,
        returnAfterCancel: null,
      },
    },
    answerLog: [
      { at: v1At(0), questionId: 'ict-purpose', option: 'no' },
      { at: v1At(1), questionId: 'ict-engagement', option: 'partly' },
      { at: v1At(2), questionId: 'ict-engagement', note: 'a pilot portal https://example.org/pilot' },
      { at: v1At(3), questionId: 'decision-style', option: 'yes' },
      { at: v1At(4), questionId: 'citizen-preferences', option: 'unsure' },
      { at: v1At(5), questionId: 'outside-ideas', option: 'yes' },
      { at: v1At(6), questionId: 'legal-framework', option: 'yes', note: 'the 2009 act says nothing about it' },
      { at: v1At(7), questionId: 'enabling-framework', option: 'partly' },
      { at: v1At(8), questionId: 'enabling-framework', note: 'guidance in two ministries' },
      { at: v1At(9), questionId: 'open-data-focus', option: 'no' },
      // A note typed before its answer.
      { at: v1At(10), questionId: 'open-data-reusable', note: 'see https://example.org/data' },
      { at: v1At(11), questionId: 'open-data-reusable', option: 'yes' },
      { at: v1At(12), questionId: 'open-data-ecosystem', option: 'no' },
      // Changed from the review before the result.
      { at: v1At(13), questionId: 'decision-style', option: 'partly' },
    ],
    status: 'finished',
    finishedAt: v1At(14),
  };
}

/** What the version-1 answers mean in version 2: the seven questions that did not change, legal-framework turned round. */
const V1_IN_V2 = {
  'ict-purpose': { option: 'no' },
  'ict-engagement': { option: 'partly', note: 'a pilot portal https://example.org/pilot' },
  'decision-style': { option: 'partly' },
  'citizen-preferences': { option: 'unsure' },
  'legal-framework': { option: 'no', note: 'the 2009 act says nothing about it' },
  'open-data-focus': { option: 'no' },
  'open-data-reusable': { option: 'yes', note: 'see https://example.org/data' },
};

describe('a conversation saved by version 1', () => {
  it('keeps the answers to the seven unchanged questions with their notes, turns legal-framework round, drops the three compound ones', () => {
    const migrated = expectOk(migrate(definition, versionOneFinished()));
    expect(migrated.flow).toEqual({ id: 'principle-2-chat', version: 2 });
    expect(migrated.rubric).toEqual({ id: 'oecd-dg-principle-2', version: 2 });
    // Exactly these: outside-ideas, enabling-framework and open-data-ecosystem exist in version 2, as parts, and must not inherit an answer to the whole.
    expect(migrated.machine.context.answers).toEqual(V1_IN_V2);
    expect(migrated.machine.context.pendingNotes).toEqual({});
  });

  it('on the next turn puts the person at the unit question, says why, then on to the new part-questions until the result', () => {
    const texts = textsFor(definition, 'en');
    const d = new Driver(definition, ConversationState.parse(versionOneFinished()));
    const outcome = d.send({ kind: 'start' });
    expect(d.value).toBe('unit');
    expect(d.state.status).toBe('active');
    expect(d.state.flow.version).toBe(2);
    expect(textsOf(outcome.messages)[0]).toBe(texts.t('upgradedNotice', { from: 1, to: 2 }));
    expect(messageOf(outcome.messages, 'question').questionId).toBe('unit');
    // Said once: the state saved now is version 2's.
    expect(textsOf(d.send({ kind: 'start' }).messages)).not.toContain(texts.t('upgradedNotice', { from: 1, to: 2 }));

    d.choice('unit:national');
    expect(d.value).toBe('q-outside-ideas');
    d.choice(choiceIds.answer('outside-ideas', 'yes'));
    expect(d.value).toBe('q-outside-preferences');
    d.choice(choiceIds.answer('outside-preferences', 'yes'));
    // Answering skips the kept answers (here legal-framework, kept turned round) and goes on to the next new question.
    expect(d.value).toBe('q-enabling-framework');
    expect(d.answers['legal-framework']).toEqual(V1_IN_V2['legal-framework']);
    d.choice(choiceIds.answer('enabling-framework', 'partly'), choiceIds.answer('participation-skills', 'yes'));
    expect(d.value).toBe('q-open-data-quality');
    d.choice(choiceIds.answer('open-data-quality', 'yes'), choiceIds.answer('open-data-portal', 'partly'), choiceIds.answer('open-data-ecosystem', 'no'));
    expect(d.value).toBe('review');
    d.choice(choiceIds.command('seeResult'));
    expect(d.value).toBe('result');
    expect(d.state.status).toBe('finished');
    // The date is the new result's, not version 1's.
    expect(d.state.finishedAt).toBe(NOW.toISOString());
    expect(d.answers).toEqual({
      ...V1_IN_V2,
      'outside-ideas': { option: 'yes' }, 'outside-preferences': { option: 'yes' },
      'enabling-framework': { option: 'partly' }, 'participation-skills': { option: 'yes' },
      'open-data-quality': { option: 'yes' }, 'open-data-portal': { option: 'partly' }, 'open-data-ecosystem': { option: 'no' },
    });
    // Version 1's "yes, it fails to support engagement" is the early-stage limitation holding: the framework theme stays early.
    const { result } = messageOf(d.last.messages, 'result');
    expect(result.themes.find((t) => t.themeId === 'framework')?.stage).toBe('early');
  });

  it('a version-1 conversation still at the introduction, with no answers, stays there', () => {
    const fresh = { ...(versionOneFinished() as Record<string, unknown>), machine: { value: 'intro', context: { answers: {}, pendingNotes: {}, returnAfterAnswer: null, returnAfterCancel: null } }, answerLog: [], status: 'active', finishedAt: null };
    const migrated = expectOk(migrate(definition, fresh));
    expect(migrated.machine.value).toBe('intro');
    expect(migrated.machine.context.answers).toEqual({});
    expect(migrated.flow.version).toBe(2);
    expect(migrated.status).toBe('active');
    const d = new Driver(definition, ConversationState.parse(fresh));
    d.send({ kind: 'start' });
    expect(d.value).toBe('intro');
    d.choice('start');
    expect(d.value).toBe('unit');
  });
});

/** Every v3 option of a question, as itself. */
const identity = (flow: FlowFile, questionId: string) => {
  const question = flow.questions.find((q) => q.id === questionId);
  if (!question) throw new Error(`no question ${questionId}`);
  return { question: questionId, options: Object.fromEntries(question.options.map((o) => [o.id, o.id])) };
};

/**
 * A made-up version 3 of the flow: outside-ideas renamed (its answers carry
 * over), ict-engagement without "partly", open-data-ecosystem asked anew (not
 * listed in the upgrade), and a question added at the end.
 */
function flowV3(): FlowFile {
  const flow = structuredClone(definition.flow) as FlowFile;
  flow.version = 3;
  const outside = flow.questions.find((q) => q.id === 'outside-ideas');
  const engagement = flow.questions.find((q) => q.id === 'ict-engagement');
  if (!outside || !engagement) throw new Error('fixture questions missing');
  outside.id = 'outside-ideas-systematic';
  engagement.options = engagement.options.filter((o) => o.id !== 'partly');
  // A second question on an already-asked characteristic, at the end.
  flow.questions.push({ ...structuredClone(definition.questionById.get('open-data-reusable')), id: 'open-data-licences' } as FlowFile['questions'][number]);
  const fromV2 = Object.fromEntries(
    definition.questions.filter((q) => q.id !== 'open-data-ecosystem').map((q) => [q.id, identity(flow, q.id === 'outside-ideas' ? 'outside-ideas-systematic' : q.id)]),
  );
  // Version 1's entry must name version 3's options too: its "partly" to ict-engagement has no counterpart any more.
  const fromV1 = structuredClone(flow.upgrades).map((u) => {
    const { partly: _gone, ...options } = u.answers['ict-engagement']?.options ?? {};
    return { ...u, answers: { ...u.answers, 'ict-engagement': { question: 'ict-engagement', options } } };
  });
  flow.upgrades = [...fromV1, { fromVersion: 2, answers: fromV2 }];
  return FlowFile.parse(flow);
}

/** Version 3 with version 2's questions, every answer carried over as it is. */
function sameQuestionsV3(): FlowFile {
  const flow = structuredClone(definition.flow) as FlowFile;
  flow.version = 3;
  flow.upgrades = [...flow.upgrades, { fromVersion: 2, answers: Object.fromEntries(flow.questions.map((q) => [q.id, identity(flow, q.id)])) }];
  return FlowFile.parse(flow);
}

/** Fourteen answers with no contradiction among them, the first with a note. */
const V2_ANSWERS = ['no, see https://example.org/a', 'partly', 'no', 'yes', 'yes', 'no', 'yes', 'no', 'yes', 'no', 'yes', 'yes', 'no', 'yes'];

describe('migrating a conversation saved under an older flow version', () => {
  let v3: AssessmentDefinition;
  let bumped: AssessmentDefinition;
  beforeAll(() => {
    v3 = buildDefinition(definition.rubric, flowV3(), '(flow v3)');
    bumped = buildDefinition(definition.rubric, sameQuestionsV3(), '(flow v3, same questions)');
  });

  /** A v2 conversation at the review: ict-engagement "partly" (an option v3 lacks), a note on question 1. */
  function savedUnderV2(): ConversationState {
    const d = new Driver(definition);
    d.choice('start', 'unit:national');
    d.text(...V2_ANSWERS);
    expect(d.value).toBe('review');
    return JSON.parse(JSON.stringify(d.state)) as ConversationState;
  }

  it('keeps mapped answers (with notes and the unit), carries a renamed question, drops removed options and unlisted questions, lands at the first open question', () => {
    const saved = savedUnderV2();
    const migrated = expectOk(migrate(v3, saved));
    expect(migrated.flow).toEqual({ id: 'principle-2-chat', version: 3 });
    const { answers, unit } = migrated.machine.context;
    expect(unit).toBe('national');
    expect(answers['ict-purpose']).toEqual({ option: 'no', note: 'see https://example.org/a' });
    expect(answers['ict-engagement']).toBeUndefined(); // "partly" is gone
    expect(answers['outside-ideas']).toBeUndefined(); // renamed: the old id means nothing now…
    expect(answers['outside-ideas-systematic']).toEqual(saved.machine.context.answers['outside-ideas']); // …the upgrade maps it
    expect(answers['open-data-ecosystem']).toBeUndefined(); // not listed: asked anew
    expect(answers['open-data-licences']).toBeUndefined();
    expect(answers['decision-style']).toEqual({ option: 'no' });
    expect(Object.keys(answers).sort()).toEqual(
      [...ids.filter((id) => !['ict-engagement', 'outside-ideas', 'open-data-ecosystem'].includes(id)), 'outside-ideas-systematic'].sort(),
    );
    expect(migrated.machine.value).toBe('q-ict-engagement');
    expect(migrated.status).toBe('active');
    // The log saved with it speaks version 3, so that the next upgrade reads it with version 3's meaning.
    for (const entry of migrated.answerLog) expect(entry.questionId === '*' || v3.questionById.has(entry.questionId), entry.questionId).toBe(true);
  });

  it('a turn on the old state migrates it first, says so, and continues from there', () => {
    const texts = textsFor(v3, 'en');
    const outcome = expectOk(advance(v3, savedUnderV2(), { kind: 'start' }, NOW));
    expect(outcome.state.flow.version).toBe(3);
    expect(textsOf(outcome.messages)[0]).toBe(texts.t('upgradedNotice', { from: 2, to: 3 }));
    expect(messageOf(outcome.messages, 'question').questionId).toBe('ict-engagement');
    const d = new Driver(v3, outcome.state);
    d.text('yes');
    expect(d.answers['ict-engagement']).toEqual({ option: 'yes' });
    // Answering skips the answers kept from the older version and goes on to the next open question.
    expect(d.value).toBe('q-open-data-ecosystem');
    d.text('no');
    expect(d.value).toBe('q-open-data-licences');
    d.text('yes');
    expect(d.value).toBe('review');
    d.text('see my result');
    expect(d.value).toBe('result');
  });

  it('replays the log: the latest answer wins, a restart clears what came before it', () => {
    const d = new Driver(definition);
    d.choice('start', 'unit:national');
    d.text('yes', 'yes', 'back', 'no', 'restart', 'yes');
    expect(d.value).toBe('unit');
    d.choice('unit:ministry');
    d.text('partly');
    const migrated = expectOk(migrate(v3, JSON.parse(JSON.stringify(d.state))));
    expect(migrated.machine.context.answers).toEqual({ 'ict-purpose': { option: 'partly' } });
    expect(migrated.machine.context.unit).toBe('ministry');
    expect(migrated.machine.value).toBe('q-ict-engagement');
  });

  it('keeps a changed answer, not the first one', () => {
    const d = new Driver(definition);
    d.choice('start', 'unit:national');
    d.text('yes', 'yes', 'change 1', 'no');
    const migrated = expectOk(migrate(v3, JSON.parse(JSON.stringify(d.state))));
    expect(migrated.machine.context.answers['ict-purpose']).toEqual({ option: 'no' });
    expect(migrated.machine.context.answers['ict-engagement']).toEqual({ option: 'yes' });
  });

  it('drops an answer changed to an option with no counterpart, rather than bring back the answer it replaced', () => {
    const d = new Driver(definition);
    d.choice('start', 'unit:national');
    d.text('no', 'yes', 'change 2', 'partly');
    expect(d.answers['ict-engagement']).toEqual({ option: 'partly' });
    const migrated = expectOk(migrate(v3, JSON.parse(JSON.stringify(d.state))));
    expect(migrated.machine.context.answers).toEqual({ 'ict-purpose': { option: 'no' } });
    expect(migrated.machine.value).toBe('q-ict-engagement');
  });

  it('keeps a note typed before its answer', () => {
    const d = new Driver(definition);
    d.choice('start', 'unit:national');
    d.text('note our portal https://example.org/p', 'yes');
    expect(d.answers['ict-purpose']).toEqual({ option: 'yes', note: 'our portal https://example.org/p' });
    const migrated = expectOk(migrate(v3, JSON.parse(JSON.stringify(d.state))));
    expect(migrated.machine.context.answers['ict-purpose']).toEqual({ option: 'yes', note: 'our portal https://example.org/p' });
  });

  it('keeps a note on a question not answered yet, and attaches it once answered', () => {
    const d = new Driver(definition);
    d.choice('start', 'unit:national');
    d.text('yes', 'note draft consultation https://example.org/d');
    const migrated = expectOk(migrate(v3, JSON.parse(JSON.stringify(d.state))));
    expect(migrated.machine.context.pendingNotes).toEqual({ 'ict-engagement': 'draft consultation https://example.org/d' });
    const resumed = new Driver(v3, migrated);
    resumed.text('no');
    expect(resumed.answers['ict-engagement']).toEqual({ option: 'no', note: 'draft consultation https://example.org/d' });
  });

  it('a conversation not yet started stays at the introduction', () => {
    const migrated = expectOk(migrate(v3, newConversation(definition, 'en').state));
    expect(migrated.machine.value).toBe('intro');
    expect(migrated.flow.version).toBe(3);
  });

  it('a conversation upgraded once keeps its meaning through the next upgrade', () => {
    // Version 1 → 2 on a turn (saved as version 2), then 2 → 3 with every answer carried as it is.
    const once = expectOk(advance(definition, ConversationState.parse(versionOneFinished()), { kind: 'start' }, NOW)).state;
    const saved = JSON.parse(JSON.stringify(once)) as ConversationState;
    expect(saved.machine.context.answers).toEqual(V1_IN_V2);
    const twice = expectOk(migrate(bumped, saved));
    // Not version 1's "yes" read as version 2's, nor version 1's compound answers brought back as parts.
    expect(twice.machine.context.answers).toEqual(V1_IN_V2);
  });

  it('a finished conversation whose answers all survive lands at the review', () => {
    const d = new Driver(definition);
    d.choice('start', 'unit:national');
    d.text(...V2_ANSWERS, 'see my result');
    expect(d.value).toBe('result');
    expect(d.state.status).toBe('finished');
    const migrated = expectOk(migrate(bumped, JSON.parse(JSON.stringify(d.state))));
    expect(migrated.machine.value).toBe('review');
    expect(migrated.machine.context.answers).toEqual(d.answers);
    expect(migrated.machine.context.unit).toBe('national');
    expect(migrated.status).toBe('finished');
  });

  it('a state of the current version is returned as it is', () => {
    const d = new Driver(definition);
    d.choice('start', 'unit:national');
    d.text('yes', 'change 1');
    expect(expectOk(migrate(definition, d.state))).toEqual(d.state);
  });

  it('a state from a different flow is refused with UNRESTORABLE', () => {
    const state = { ...savedUnderV2(), flow: { id: 'another-flow', version: 2 } };
    const error = expectFail(migrate(v3, state), 'UNRESTORABLE');
    expect(error.message).toContain('another-flow');
    expectFail(advance(v3, state, { kind: 'start' }, NOW), 'UNRESTORABLE');
  });

  it('a state from a newer flow version is refused with UNRESTORABLE', () => {
    const state = { ...savedUnderV2(), flow: { id: 'principle-2-chat', version: 4 } };
    const error = expectFail(migrate(v3, state), 'UNRESTORABLE');
    expect(error.message).toMatch(/newer version \(4\)/);
    expectFail(advance(definition, { ...state, flow: { id: 'principle-2-chat', version: 3 } }, { kind: 'text', text: 'yes' }, NOW), 'UNRESTORABLE');
  });

  it('migrated answers only name questions and options the new flow has', () => {
    const migrated = expectOk(migrate(v3, savedUnderV2()));
    for (const [questionId, answer] of Object.entries(migrated.machine.context.answers)) {
      const question = v3.questionById.get(questionId);
      expect(question, questionId).toBeDefined();
      expect(answer.option === 'unsure' || question?.options.some((o) => o.id === answer.option), `${questionId}: ${answer.option}`).toBe(true);
    }
    expect(textsOf(expectOk(advance(v3, migrated, { kind: 'start' }, NOW)).messages)).toContain('Welcome back! Here is where you left off.');
  });
});
