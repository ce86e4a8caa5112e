/** Valid conversation records for store tests. */
import { createHash, randomBytes } from 'node:crypto';
import { CONVERSATION_SCHEMA_VERSION, type MachineContext } from '../../src/core/conversation/state.js';
import {
  ConversationRecord,
  RECORD_SCHEMA_VERSION,
  type Owner,
  type TranscriptEntry,
} from '../../src/store/types.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A fresh id that is safe as a file name. */
export function newId(prefix = 'conv'): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** The machine context of a conversation nothing has been answered in yet. */
export function emptyContext(): MachineContext {
  return { answers: {}, pendingNotes: {}, returnAfterAnswer: null, returnAfterCancel: null, unit: null, settled: {}, deferred: [], settling: null, fillGaps: false };
}

/**
 * A valid record at revision 0 (state "intro", nothing answered), with
 * `overrides` laid over the top level. Validated, so a test that gets a
 * record from here knows any failure is the store's.
 */
export function makeRecord(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  const now = new Date().toISOString();
  const base: ConversationRecord = {
    recordVersion: RECORD_SCHEMA_VERSION,
    id: newId(),
    revision: 0,
    createdAt: now,
    updatedAt: now,
    channel: 'web',
    tokenHash: sha256Hex(randomBytes(16).toString('hex')),
    resumeCode: null,
    owner: null,
    state: {
      schemaVersion: CONVERSATION_SCHEMA_VERSION,
      flow: { id: 'principle-2-chat', version: 1 },
      rubric: { id: 'oecd-dg-principle-2', version: 1 },
      locale: 'en',
      machine: { value: 'intro', context: emptyContext() },
      answerLog: [],
      status: 'active',
      finishedAt: null,
    },
    transcript: [],
    receipts: [],
  };
  return ConversationRecord.parse({ ...base, ...overrides });
}

/** The record as the next update would write it: revision + 1, with `changes` applied. */
export function nextVersion(record: ConversationRecord, changes: Partial<ConversationRecord> = {}): ConversationRecord {
  return ConversationRecord.parse({
    ...structuredClone(record),
    ...changes,
    revision: record.revision + 1,
    updatedAt: new Date().toISOString(),
  });
}

/** A hashed resume code as stored, expiring in a day unless told. */
export function resumeCode(code: string, expiresAt = new Date(Date.now() + 86_400_000).toISOString()): ConversationRecord['resumeCode'] {
  return { hash: sha256Hex(code), expiresAt };
}

export function slackOwner(userId: string, teamId = 'T0001'): Owner {
  return { kind: 'slack', teamId, userId };
}

export function userLine(text: string): TranscriptEntry {
  return { at: new Date().toISOString(), from: 'user', channel: 'web', text };
}

/** A record with every part filled in, to prove the store keeps all of it. */
export function makeRichRecord(): ConversationRecord {
  const at = '2024-05-06T07:08:09.010Z';
  return makeRecord({
    channel: 'slack',
    createdAt: at,
    updatedAt: '2024-05-06T07:18:09.010Z',
    revision: 0,
    resumeCode: resumeCode('K7Q-2MX', '2024-05-13T07:08:09.010Z'),
    owner: slackOwner('U0042'),
    state: {
      schemaVersion: CONVERSATION_SCHEMA_VERSION,
      flow: { id: 'principle-2-chat', version: 3 },
      rubric: { id: 'oecd-dg-principle-2', version: 2 },
      locale: 'fr',
      machine: {
        value: 'review',
        context: {
          answers: { 'ict-purpose': { option: 'partly', note: 'Only for some services — "beta" ✓' }, other: { option: 'unsure' } },
          pendingNotes: { later: 'a note with\nnew lines' },
          unit: 'ministry',
          settled: { 'early-top-down~intermediate-ict-engagement-channel': { note: 'top-down budget, open drafting' } },
          deferred: [],
          settling: null,
          fillGaps: false,
          returnAfterAnswer: 'review',
          returnAfterCancel: null,
        },
      },
      answerLog: [
        { at, questionId: 'ict-purpose', option: 'partly' },
        { at, questionId: 'ict-purpose', note: 'Only for some services' },
        { at, questionId: '*', cleared: true },
      ],
      status: 'finished',
      finishedAt: at,
    },
    transcript: [
      { at, from: 'user', channel: 'slack', text: 'Partly' },
      { at, from: 'bot', channel: 'slack', messages: [{ kind: 'text', text: 'Thanks', nested: { list: [1, 2.5, null, true] } }] },
    ],
    receipts: [
      { turnId: 'turn-1', at, inputHash: sha256Hex('Partly'), messages: [{ kind: 'text', text: 'Thanks' }] },
      { turnId: 'turn-2', at, inputHash: sha256Hex('new assessment'), reply: 1, opened: 'c_0123456789abcdefghijkl' },
    ],
  });
}
