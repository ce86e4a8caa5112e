/** Valid conversation records for store tests, and records as other versions wrote them. */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CONVERSATION_SCHEMA_VERSION, type MachineContext } from '../../src/core/conversation/state.js';
import { GROUP_ROUND_RECORD_VERSION, GroupRoundRecord } from '../../src/store/group-record.js';
import {
  ConversationRecord,
  RECORD_SCHEMA_VERSION,
  type GroupMembership,
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
    previousId: 'c_earlier0123456789abcd',
    reportLink: { hash: sha256Hex('report-token'), createdAt: at, expiresAt: '2024-06-05T07:08:09.010Z', revokedAt: null },
  });
}

/**
 * A real record exactly as version 1 wrote it (a Slack conversation, paused
 * after two answers, one with a note), taken byte for byte from a version-1
 * store's conversation file.
 */
export function versionOneRecord(): { id: string; revision: number; owner: { kind: 'slack'; teamId: string; userId: string }; resumeCode: { hash: string; expiresAt: string } } & Record<string, unknown> {
  return JSON.parse(readFileSync(new URL('./fixtures/record-v1.json', import.meta.url), 'utf8'));
}

/**
 * How version 1 keyed owners, frozen here so tests can write indexes as it
 * did: PostgreSQL's owner_key column held this JSON, and the lowdb owner
 * index file was named by its sha256.
 */
export function versionOneOwnerKey(owner: { kind: string; teamId: string; userId: string }): string {
  return JSON.stringify([owner.kind, owner.teamId, owner.userId]);
}

/** The owner index file name version 1 gave the fixture's owner (read off its data folder). */
export const VERSION_ONE_FIXTURE_OWNER_FILE = '934490de2d3789db04755dcd2460f33ad4994ae2450e9133e43f5b99ab29e724';

/**
 * `record` as a later version (one above this one) would write it: its
 * version number, and fields this version does not know at the top level
 * and inside every object the record defines (owner, resume code, report
 * link, transcript entries, receipts).
 */
export function asLaterVersion(record: ConversationRecord): Record<string, unknown> {
  const later = { addedLater: { by: 'a later version', list: [1, 'two', null] } };
  return {
    ...structuredClone(record),
    ...later,
    recordVersion: RECORD_SCHEMA_VERSION + 1,
    owner: record.owner && { ...record.owner, ...later },
    resumeCode: record.resumeCode && { ...record.resumeCode, ...later },
    ...(record.reportLink ? { reportLink: { ...record.reportLink, ...later } } : {}),
    transcript: record.transcript.map((entry) => ({ ...entry, ...later })),
    receipts: record.receipts.map((receipt) => ({ ...receipt, ...later })),
  };
}

/** A valid group round at revision 0, with `overrides` laid over the top level. */
export function makeRound(overrides: Partial<GroupRoundRecord> = {}): GroupRoundRecord {
  const now = new Date().toISOString();
  const base: GroupRoundRecord = {
    recordVersion: GROUP_ROUND_RECORD_VERSION,
    id: newId('g'),
    revision: 0,
    createdAt: now,
    updatedAt: now,
    locale: 'en',
    flow: { id: 'principle-2-chat', version: 2 },
    name: 'Digital engagement review',
    assessing: { unit: 'ministry', name: 'Ministry of Health' },
    closesAt: null,
    perspectives: [
      { id: 'central', label: 'Central government units' },
      { id: 'civil-society', label: 'Civil society' },
    ],
    respondentsSeePicture: false,
    coordinator: { hash: sha256Hex(randomBytes(16).toString('hex')), createdAt: now, revokedAt: null },
    invitation: { hash: sha256Hex(randomBytes(16).toString('hex')), createdAt: now, sealed: { iv: 'aXY', data: 'ZGF0YQ', tag: 'dGFn' } },
    blocks: [],
    consensus: {},
  };
  return GroupRoundRecord.parse({ ...base, ...overrides });
}

/** The round as the next update would write it: revision + 1, with `changes` applied. */
export function nextRound(round: GroupRoundRecord, changes: Partial<GroupRoundRecord> = {}): GroupRoundRecord {
  return GroupRoundRecord.parse({ ...structuredClone(round), ...changes, revision: round.revision + 1, updatedAt: new Date().toISOString() });
}

/** A respondent's membership of a round. */
export function membership(roundId: string, overrides: Partial<GroupMembership> = {}): GroupMembership {
  return { roundId, perspective: 'central', shareNotes: false, shareAnswers: false, joinedAt: new Date().toISOString(), ...overrides };
}
