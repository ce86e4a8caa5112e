/**
 * checkIncoming with a checked base (what lowdb does on every update) must
 * decide exactly as checking the whole record does: the same record out,
 * the same refusals.
 */
import { describe, expect, it } from 'vitest';
import { GovError } from '../../src/errors.js';
import { checkIncoming, deepFreeze, type ConversationRecord } from '../../src/store/record.js';
import { makeRecord } from './fixtures.js';

function outcome(fn: () => ConversationRecord): unknown {
  try {
    return { ok: fn() };
  } catch (error) {
    if (!(error instanceof GovError)) throw error;
    return { kind: error.kind, message: error.message };
  }
}

function base(): ConversationRecord {
  return deepFreeze(
    checkIncoming(
      makeRecord({
        transcript: [
          { at: 'a', from: 'bot', channel: 'web', messages: [{ kind: 'text', text: 'hello' }] },
          { at: 'b', from: 'user', channel: 'web', text: 'hi' },
        ],
        receipts: [{ turnId: 't1', at: 'b', inputHash: 'h', reply: 0 }],
      }),
    ),
  );
}

describe('checkIncoming against a checked base', () => {
  const cases: [string, (b: ConversationRecord) => unknown][] = [
    ['an appended turn', (b) => ({ ...b, revision: 1, transcript: [...b.transcript, { at: 'c', from: 'user', channel: 'web', text: 'yes' }] })],
    ['nothing changed but the revision', (b) => ({ ...b, revision: 1 })],
    ['an appended entry of the wrong shape', (b) => ({ ...b, transcript: [...b.transcript, { at: 'c', from: 'robot', channel: 'web' }] })],
    ['an appended receipt missing its hash', (b) => ({ ...b, receipts: [...b.receipts, { turnId: 't2', at: 'c' }] })],
    ['a NUL in an appended entry', (b) => ({ ...b, transcript: [...b.transcript, { at: 'c', from: 'user', channel: 'web', text: 'a\u0000' }] })],
    ['a lone surrogate in a new field of a newer version', (b) => ({ ...b, extra: { note: '\uDC00' } })],
    ['a control character in a key of a new object', (b) => ({ ...b, state: { ...b.state, machine: { ...b.state.machine, context: { ...b.state.machine.context, answers: { 'q\u0001': { option: 'yes' } } } } } })],
    ['a state missing a field', (b) => ({ ...b, state: { ...b.state, status: undefined } })],
    ['a state whose defaults are filled in', (b) => ({ ...b, state: { ...b.state, machine: { ...b.state.machine, context: { answers: {}, pendingNotes: {}, returnAfterAnswer: null, returnAfterCancel: null } } } })],
    ['a required field removed', (b) => {
      const { tokenHash: _dropped, ...rest } = b;
      return rest;
    }],
    ['an unsafe id', (b) => ({ ...b, id: '../x' })],
    ['a transcript that is not a list', (b) => ({ ...b, transcript: 'no' })],
  ];
  for (const [name, make] of cases) {
    it(`decides as a whole check does: ${name}`, () => {
      const b = base();
      const next = make(b) as ConversationRecord;
      expect(outcome(() => checkIncoming(next, b))).toEqual(outcome(() => checkIncoming(next)));
    });
  }

  it('shares the base record\'s parts instead of copying them', () => {
    const b = base();
    const next = checkIncoming({ ...b, revision: 1, transcript: [...b.transcript, { at: 'c', from: 'user', channel: 'web', text: 'yes' }] }, b);
    expect(next.transcript[0]).toBe(b.transcript[0]);
    expect(next.state).toBe(b.state);
    // Without a base, a copy.
    expect(checkIncoming({ ...b }).transcript[0]).not.toBe(b.transcript[0]);
  });
});
