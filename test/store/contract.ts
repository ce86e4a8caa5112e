/**
 * The executable specification of `ConversationStore`. Every backend runs
 * it: `describeStoreContract('postgres', makeStore)` in that backend's test
 * file. Each test gets a fresh, empty store from `makeStore`; the suite opens
 * it, closes it, then calls `cleanup` to throw the storage away.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GovError, isGovError, type ErrorKind } from '../../src/errors.js';
import { RECORD_SCHEMA_VERSION, RecordV1, type ConversationRecord, type Owner } from '../../src/store/record.js';
import type { ConversationStore, ConversationSummary } from '../../src/store/types.js';
import { GROUP_ROUND_RECORD_VERSION, type GroupRoundRecord } from '../../src/store/group-record.js';
import { asLaterVersion, makeRecord, makeRichRecord, makeRound, membership, newId, nextRound, nextVersion, resumeCode, sha256Hex, slackOwner, userLine, versionOneRecord } from './fixtures.js';

export interface StoreUnderTest {
  store: ConversationStore;
  /** Removes the storage (temp folder, schema). Called after the store is closed. */
  cleanup: () => Promise<void>;
  /**
   * A new store object on the same storage (same folder, same database), to
   * prove data outlives a close. Without it the persistence test is skipped.
   */
  reopen?: () => Promise<ConversationStore>;
  /**
   * Puts a stored value in place directly, with its index entries, exactly
   * as an instance of another version would have written it (a file and its
   * index files, a row and its columns): for records of older and newer
   * versions, and damaged ones.
   */
  writeRaw: (value: StoredValue) => Promise<void>;
  /** The stored value of a conversation as it is on disk or in its row. */
  readRaw: (id: string) => Promise<unknown>;
  /** Puts a stored group round in place directly (its file and invitation index, or its row). */
  writeRawRound: (value: StoredValue) => Promise<void>;
  readRawRound: (id: string) => Promise<unknown>;
}

/** A stored record as another version (or damage) left it: only its id, revision and the index fields are relied on. */
export interface StoredValue {
  id: string;
  revision: number;
  [field: string]: unknown;
}

export function describeStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`ConversationStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: ConversationStore;
    const reopened: ConversationStore[] = [];

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
      await store.open();
    });

    afterEach(async () => {
      for (const other of reopened.splice(0)) await other.close();
      await store.close();
      await subject.cleanup();
    });

    describe('create and get', () => {
      it('gives back exactly what was created, every field included', async () => {
        const record = makeRichRecord();
        await store.create(record);
        expect(await store.get(record.id)).toEqual(record);
      });

      it('keeps its own copy: changing objects afterwards changes nothing stored', async () => {
        const record = makeRecord();
        await store.create(record);
        const snapshot = structuredClone(record);
        record.transcript.push(userLine('sneaky'));
        record.state.machine.context.answers['q'] = { option: 'yes' };
        const first = await store.get(record.id);
        expect(first).toEqual(snapshot);
        // A store may hand out a copy (changing it changes nothing) or a frozen record it shares (changing it throws).
        try {
          first?.transcript.push(userLine('also sneaky'));
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
        }
        expect(await store.get(record.id)).toEqual(snapshot);
      });

      it('answers undefined for an unknown id', async () => {
        expect(await store.get('conv_does_not_exist')).toBeUndefined();
      });

      it('refuses a second create with the same id (CONFLICT) and keeps the first', async () => {
        const record = makeRecord();
        await store.create(record);
        const impostor = makeRecord({ id: record.id, channel: 'terminal' });
        await expectGovError(store.create(impostor), 'CONFLICT');
        expect(await store.get(record.id)).toEqual(record);
      });

      it('lets exactly one of many simultaneous creates of one id win', async () => {
        const id = makeRecord().id;
        const candidates = Array.from({ length: 10 }, (_, i) => makeRecord({ id, transcript: [userLine(`candidate ${i}`)] }));
        const results = await Promise.allSettled(candidates.map((record) => store.create(record)));
        const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const result of results) if (result.status === 'rejected') expectKind(result.reason, 'CONFLICT');
        expect(await store.get(id)).toEqual(candidates[winners[0] ?? -1]);
      });

      it('refuses text no backend can keep (NUL, other control characters, an unpaired surrogate): BAD_INPUT naming where, on create and update, storing nothing', async () => {
        for (const bad of ['before\u0000after', 'bell\u0007', 'lone \ud800 high', 'lone \udc00 low']) {
          const record = makeRecord({ transcript: [userLine(bad)] });
          const error = await expectGovError(store.create(record), 'BAD_INPUT');
          expect(error.message).toContain('transcript[0].text');
          expect(await store.get(record.id)).toBeUndefined();

          const clean = makeRecord();
          await store.create(clean);
          const noted = nextVersion(clean, { state: { ...clean.state, machine: { ...clean.state.machine, context: { ...clean.state.machine.context, pendingNotes: { q: bad } } } } });
          await expectGovError(store.update(noted, 0), 'BAD_INPUT');
          expect(await store.get(clean.id)).toEqual(clean);
        }
        // Tabs, line breaks and paired surrogates (emoji) are ordinary text.
        const fine = makeRecord({ transcript: [userLine('tab\there\r\nnew line 👍🏽 café')] });
        await store.create(fine);
        expect(await store.get(fine.id)).toEqual(fine);
      });

      it('refuses a record that fails the schema (BAD_INPUT) and stores nothing', async () => {
        const record = makeRecord();
        const broken = { ...record, revision: -1 } as ConversationRecord;
        await expectGovError(store.create(broken), 'BAD_INPUT');
        expect(await store.get(record.id)).toBeUndefined();
      });
    });

    describe('update (compare-and-swap on revision)', () => {
      it('stores the next version when the revision matches, and bumps the revision', async () => {
        const record = makeRecord();
        await store.create(record);
        const next = nextVersion(record, { transcript: [userLine('hello')] });
        await store.update(next, 0);
        const stored = await store.get(record.id);
        expect(stored).toEqual(next);
        expect(stored?.revision).toBe(1);

        const third = nextVersion(next, { state: { ...next.state, status: 'finished', finishedAt: next.updatedAt } });
        await store.update(third, 1);
        expect(await store.get(record.id)).toEqual(third);
      });

      it('refuses a stale revision (CONFLICT) and leaves the stored record as it was', async () => {
        const record = makeRecord();
        await store.create(record);
        const winner = nextVersion(record, { transcript: [userLine('first')] });
        await store.update(winner, 0);
        const loser = nextVersion(record, { transcript: [userLine('second, based on revision 0')] });
        await expectGovError(store.update(loser, 0), 'CONFLICT');
        expect(await store.get(record.id)).toEqual(winner);
      });

      it('says a lost race is one (CONFLICT with details.reason "revision" and the stored revision), so callers know to re-load and retry', async () => {
        const record = makeRecord();
        await store.create(record);
        await store.update(nextVersion(record, { transcript: [userLine('first')] }), 0);
        const error = await expectGovError(store.update(nextVersion(record, { transcript: [userLine('late')] }), 0), 'CONFLICT');
        expect(error.details).toMatchObject({ reason: 'revision', expectedRevision: 0, storedRevision: 1 });
      });

      it('refuses a next revision that is not expectedRevision + 1 (CONFLICT)', async () => {
        const record = makeRecord();
        await store.create(record);
        const skipping = { ...nextVersion(record), revision: 2 };
        await expectGovError(store.update(skipping, 0), 'CONFLICT');
        const standing = { ...nextVersion(record), revision: 0 };
        await expectGovError(store.update(standing, 0), 'CONFLICT');
        expect(await store.get(record.id)).toEqual(record);
      });

      it('answers NOT_FOUND for a conversation that does not exist', async () => {
        const record = makeRecord();
        await expectGovError(store.update(nextVersion(record), 0), 'NOT_FOUND');
        expect(await store.get(record.id)).toBeUndefined();
      });

      it('lets exactly one of 20 simultaneous updates from the same revision win; the rest get CONFLICT', async () => {
        const record = makeRecord();
        await store.create(record);
        const attempts = Array.from({ length: 20 }, (_, i) => nextVersion(record, { transcript: [userLine(`writer ${i}`)] }));
        const results = await Promise.allSettled(attempts.map((next) => store.update(next, 0)));
        const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const result of results) if (result.status === 'rejected') expectKind(result.reason, 'CONFLICT');
        const stored = await store.get(record.id);
        expect(stored?.revision).toBe(1);
        expect(stored).toEqual(attempts[winners[0] ?? -1]);
      });

      it('loses no update when 10 workers read-modify-write with retry on conflict', async () => {
        const WORKERS = 10;
        const PER_WORKER = 5;
        const record = makeRecord();
        await store.create(record);

        const incrementOnce = async (worker: number): Promise<void> => {
          for (let attempt = 0; attempt < 500; attempt += 1) {
            const current = await store.get(record.id);
            if (!current) throw new Error('the conversation vanished');
            const next = nextVersion(current, { transcript: [...current.transcript, userLine(`worker ${worker}`)] });
            try {
              await store.update(next, current.revision);
              return;
            } catch (error) {
              if (!isGovError(error) || error.kind !== 'CONFLICT') throw error;
              // Jitter so the retries do not march in lock-step.
              await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
            }
          }
          throw new Error(`worker ${worker} gave up after 500 conflicts`);
        };

        await Promise.all(
          Array.from({ length: WORKERS }, async (_, worker) => {
            for (let i = 0; i < PER_WORKER; i += 1) await incrementOnce(worker);
          }),
        );

        const stored = await store.get(record.id);
        expect(stored?.revision).toBe(WORKERS * PER_WORKER);
        expect(stored?.transcript).toHaveLength(WORKERS * PER_WORKER);
        for (let worker = 0; worker < WORKERS; worker += 1) {
          expect(stored?.transcript.filter((line) => line.text === `worker ${worker}`)).toHaveLength(PER_WORKER);
        }
      });
    });

    describe('resume-code index', () => {
      it('finds a conversation by the hash of its current code only', async () => {
        const codeA = resumeCode('AAA-111');
        const record = makeRecord({ resumeCode: codeA });
        await store.create(record);
        expect(await store.findByResumeCodeHash(codeA?.hash ?? '')).toBe(record.id);
        expect(await store.findByResumeCodeHash(sha256Hex('never issued'))).toBeUndefined();

        const codeB = resumeCode('BBB-222');
        const second = nextVersion(record, { resumeCode: codeB });
        await store.update(second, 0);
        expect(await store.findByResumeCodeHash(codeA?.hash ?? '')).toBeUndefined();
        expect(await store.findByResumeCodeHash(codeB?.hash ?? '')).toBe(record.id);

        await store.update(nextVersion(second, { resumeCode: null }), 1);
        expect(await store.findByResumeCodeHash(codeB?.hash ?? '')).toBeUndefined();
      });

      it('finds a code that has expired (callers check expiry)', async () => {
        const code = resumeCode('OLD-000', '2000-01-01T00:00:00.000Z');
        const record = makeRecord({ resumeCode: code });
        await store.create(record);
        expect(await store.findByResumeCodeHash(code?.hash ?? '')).toBe(record.id);
      });

      it('forgets the code when the conversation is deleted', async () => {
        const code = resumeCode('DEL-333');
        const record = makeRecord({ resumeCode: code });
        await store.create(record);
        await store.delete(record.id);
        expect(await store.findByResumeCodeHash(code?.hash ?? '')).toBeUndefined();
      });

      it('finds a code a conversation gave up once another conversation takes it', async () => {
        const code = resumeCode('REUSED-1');
        const first = makeRecord({ resumeCode: code });
        await store.create(first);
        await store.update(nextVersion(first, { resumeCode: resumeCode('FRESH-1') }), 0);
        const second = makeRecord({ resumeCode: code });
        await store.create(second);
        expect(await store.findByResumeCodeHash(code?.hash ?? '')).toBe(second.id);
      });
    });

    describe('findByOwner', () => {
      it("lists an owner's conversations newest first, and no one else's", async () => {
        const alice = slackOwner('U_ALICE');
        const bob = slackOwner('U_BOB');
        const at = (month: string): Partial<ConversationRecord> => ({
          createdAt: `2024-${month}-01T00:00:00.000Z`,
          updatedAt: `2024-${month}-02T00:00:00.000Z`,
        });
        const middle = makeRecord({ owner: alice, ...at('02') });
        const oldest = makeRecord({ owner: alice, ...at('01') });
        const newest = makeRecord({ owner: alice, ...at('03') });
        const bobs = makeRecord({ owner: bob, ...at('04') });
        const nobodys = makeRecord({ owner: null, ...at('05') });
        for (const record of [middle, oldest, newest, bobs, nobodys]) await store.create(record);

        const found = await store.findByOwner(alice);
        expect(found.map((summary) => summary.id)).toEqual([newest.id, middle.id, oldest.id]);
        expect(found[0]).toEqual(summaryOf(newest));
        expect((await store.findByOwner(bob)).map((summary) => summary.id)).toEqual([bobs.id]);
        // Same user id in another workspace is another person.
        expect(await store.findByOwner(slackOwner('U_ALICE', 'T_OTHER'))).toEqual([]);
        expect(await store.findByOwner(slackOwner('U_NOBODY'))).toEqual([]);
      });

      it('follows an owner change and a delete', async () => {
        const alice = slackOwner('U_ALICE');
        const bob = slackOwner('U_BOB');
        const record = makeRecord({ owner: null });
        await store.create(record);
        expect(await store.findByOwner(alice)).toEqual([]);

        const claimed = nextVersion(record, { owner: alice });
        await store.update(claimed, 0);
        expect((await store.findByOwner(alice)).map((summary) => summary.id)).toEqual([record.id]);

        const handedOver = nextVersion(claimed, { owner: bob });
        await store.update(handedOver, 1);
        expect(await store.findByOwner(alice)).toEqual([]);
        expect(await store.findByOwner(bob)).toEqual([summaryOf(handedOver)]);

        await store.delete(record.id);
        expect(await store.findByOwner(bob)).toEqual([]);
      });
    });

    describe('list', () => {
      it('yields a summary of every conversation', async () => {
        const records = [
          makeRecord(),
          makeRecord({ owner: slackOwner('U1') }),
          makeRecord({ channel: 'terminal' }),
          makeRichRecord(),
          makeRecord(),
        ];
        for (const record of records) await store.create(record);
        const summaries = await collect(store.list());
        expect(sortById(summaries)).toEqual(sortById(records.map(summaryOf)));
      });

      it('yields nothing for an empty store', async () => {
        expect(await collect(store.list())).toEqual([]);
      });
    });

    describe('delete', () => {
      it('removes the conversation: true the first time, false after', async () => {
        const record = makeRecord();
        const other = makeRecord();
        await store.create(record);
        await store.create(other);
        expect(await store.delete(record.id)).toBe(true);
        expect(await store.get(record.id)).toBeUndefined();
        expect(await store.delete(record.id)).toBe(false);
        expect(await store.delete('conv_never_existed')).toBe(false);
        expect(await store.get(other.id)).toEqual(other);
        expect((await collect(store.list())).map((summary) => summary.id)).toEqual([other.id]);
      });

      it('frees the id for a new conversation', async () => {
        const record = makeRecord();
        await store.create(record);
        await store.delete(record.id);
        const again = makeRecord({ id: record.id, channel: 'slack' });
        await store.create(again);
        expect(await store.get(record.id)).toEqual(again);
      });
    });

    describe('claimOnce (deduplicating deliveries across instances)', () => {
      it('is true for the first claim, false while it lasts, and true again once it expired', async () => {
        const key = `evt_${newId()}`;
        expect(await store.claimOnce(key, 300)).toBe(true);
        expect(await store.claimOnce(key, 300)).toBe(false);
        expect(await store.claimOnce(key, 300)).toBe(false);
        // Another key is its own claim.
        expect(await store.claimOnce(`${key}_other`, 300)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 450));
        expect(await store.claimOnce(key, 60_000)).toBe(true);
        expect(await store.claimOnce(key, 60_000)).toBe(false);
      });

      it('lets exactly one of 10 simultaneous claims of one key win', async () => {
        const key = `evt_${newId()}`;
        const results = await Promise.all(Array.from({ length: 10 }, () => store.claimOnce(key, 60_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('refuses an empty key or a ttl that is not positive (BAD_INPUT)', async () => {
        await expectGovError(store.claimOnce('', 1000), 'BAD_INPUT');
        await expectGovError(store.claimOnce('evt_1', 0), 'BAD_INPUT');
        await expectGovError(store.claimOnce('evt_1', Number.NaN), 'BAD_INPUT');
      });

      it('remembers a claim across close and a new store object on the same storage', async (context) => {
        if (!subject.reopen) {
          context.skip();
          return;
        }
        const key = `evt_${newId()}`;
        expect(await store.claimOnce(key, 60_000)).toBe(true);
        await store.close();
        const again = await subject.reopen();
        reopened.push(again);
        await again.open();
        expect(await again.claimOnce(key, 60_000)).toBe(false);
      });
    });

    describe('records other versions wrote', () => {
      it('reads a record exactly as version 1 wrote it as the current version, finds it by owner and resume code, and carries on', async () => {
        const old = versionOneRecord();
        await subject.writeRaw(old);
        const record = await store.get(old.id);
        expect(record).toEqual({ ...old, recordVersion: RECORD_SCHEMA_VERSION });
        expect(await store.findByOwner(old.owner)).toEqual([summaryOf(record as ConversationRecord)]);
        expect(await store.findByResumeCodeHash(old.resumeCode.hash)).toBe(old.id);
        expect((await collect(store.list())).map((summary) => summary.id)).toEqual([old.id]);

        const next = nextVersion(record as ConversationRecord, { transcript: [...(record as ConversationRecord).transcript, userLine('carry on')] });
        await store.update(next, old.revision);
        expect(await store.get(old.id)).toEqual(next);
        expect(await store.findByOwner(old.owner)).toEqual([summaryOf(next)]);
      });

      it('stores a record that holds nothing version 1 lacks in the form version 1 reads, so an instance one release behind can still load it', async () => {
        const record = makeRichRecord();
        await store.create(record);
        const raw = await subject.readRaw(record.id);
        expect(RecordV1.safeParse(raw).error?.issues).toBeUndefined();
        expect(raw).toEqual({ ...record, recordVersion: 1 });
        const next = nextVersion(record, { transcript: [...record.transcript, userLine('still readable')] });
        await store.update(next, 0);
        expect(RecordV1.safeParse(await subject.readRaw(record.id)).success).toBe(true);
      });

      it('stores a Teams conversation as version 2 (version 1 has no Teams owner or channel) and reads it back', async () => {
        const owner: Owner = { kind: 'teams', tenantId: 'T0001', userId: 'U_ALICE' };
        const record = makeRecord({ owner, channel: 'teams', transcript: [{ ...userLine('hello'), channel: 'teams' }] });
        await store.create(record);
        expect(await store.get(record.id)).toEqual(record);
        expect(await subject.readRaw(record.id)).toMatchObject({ recordVersion: RECORD_SCHEMA_VERSION });
        expect(RecordV1.safeParse(await subject.readRaw(record.id)).success).toBe(false);
        expect(await store.findByOwner(owner)).toEqual([summaryOf(record)]);
        // The same ids in Slack are another person.
        expect(await store.findByOwner(slackOwner('U_ALICE', 'T0001'))).toEqual([]);
      });

      it('reads a record a later version wrote (a newer version number, fields it does not know at every level), and keeps all of it through an update', async () => {
        const later = asLaterVersion(makeRichRecord()) as StoredValue;
        await subject.writeRaw(later);
        const record = await store.get(later.id);
        expect(record).toEqual(later);

        const next = nextVersion(record as ConversationRecord, { transcript: [...(record as ConversationRecord).transcript, userLine('from the older instance')] });
        await store.update(next, later.revision);
        const raw = await subject.readRaw(later.id);
        expect(raw).toEqual({ ...later, revision: later.revision + 1, updatedAt: next.updatedAt, transcript: next.transcript });
        expect(raw).toMatchObject({ recordVersion: RECORD_SCHEMA_VERSION + 1, addedLater: later.addedLater, owner: later.owner, receipts: later.receipts });
        expect(await store.get(later.id)).toEqual(next);
        expect(await store.findByOwner(next.owner as Owner)).toEqual([summaryOf(next)]);
      });

      it('refuses a damaged record as UNRESTORABLE for that conversation only, naming it and what is wrong', async () => {
        const healthy = makeRecord({ owner: slackOwner('U_DAMAGE') });
        await store.create(healthy);
        const damage: [string, (value: StoredValue) => void, RegExp][] = [
          ['a step that is not a string', (v) => void ((v.state as { machine: { value: unknown } }).machine.value = 42), /state\.machine\.value/],
          ['no version', (v) => void delete v.recordVersion, /recordVersion/],
          ['a version that never existed', (v) => void (v.recordVersion = 0), /recordVersion/],
          ['a version 1 record with a field version 1 never wrote', (v) => void ((v.recordVersion = 1), (v.extra = true)), /extra/],
          ['a later version whose known fields do not fit', (v) => void ((v.recordVersion = RECORD_SCHEMA_VERSION + 1), (v.tokenHash = 7)), /newer version.*tokenHash/],
        ];
        for (const [what, harm, names] of damage) {
          const value = structuredClone(makeRecord({ owner: slackOwner('U_DAMAGE') })) as unknown as StoredValue;
          harm(value);
          await subject.writeRaw(value);
          const error = await expectGovError(store.get(value.id), 'UNRESTORABLE');
          expect(error.message, what).toContain(value.id);
          expect(error.message, what).toMatch(names);
          // Retention can still remove it.
          expect(await store.delete(value.id), what).toBe(true);
          expect(await store.get(value.id), what).toBeUndefined();
        }
        expect(await store.get(healthy.id)).toEqual(healthy);
        await store.update(nextVersion(healthy, { transcript: [userLine('fine')] }), 0);
        expect((await store.get(healthy.id))?.revision).toBe(1);
        expect((await store.findByOwner(slackOwner('U_DAMAGE'))).map((summary) => summary.id)).toEqual([healthy.id]);
      });
    });

    describe('group rounds', () => {
      it('gives back exactly the round created, finds it by its invitation code, and refuses a second one with the same id', async () => {
        const round = makeRound({ closesAt: '2030-01-01T00:00:00.000Z', previousRoundId: 'g_earlier0123456789', reportLink: { hash: sha256Hex('r'), createdAt: '2024-01-01T00:00:00.000Z', expiresAt: '2024-02-01T00:00:00.000Z', revokedAt: null } });
        await store.createGroupRound(round);
        expect(await store.getGroupRound(round.id)).toEqual(round);
        expect(await store.findGroupRoundByInvitationHash(round.invitation.hash)).toBe(round.id);
        expect(await store.findGroupRoundByInvitationHash(sha256Hex('never issued'))).toBeUndefined();
        expect(await store.getGroupRound('g_does_not_exist')).toBeUndefined();
        await expectGovError(store.createGroupRound(makeRound({ id: round.id })), 'CONFLICT');
        expect(await store.getGroupRound(round.id)).toEqual(round);
      });

      it('refuses a round whose invitation code another round holds (CONFLICT, reason "invitation-taken"), on create and on update', async () => {
        const first = makeRound();
        await store.createGroupRound(first);
        const clash = makeRound({ invitation: first.invitation });
        const error = await expectGovError(store.createGroupRound(clash), 'CONFLICT');
        expect(error.details?.reason).toBe('invitation-taken');
        expect(await store.getGroupRound(clash.id)).toBeUndefined();
        const second = makeRound();
        await store.createGroupRound(second);
        expect((await expectGovError(store.updateGroupRound(nextRound(second, { invitation: first.invitation }), 0), 'CONFLICT')).details?.reason).toBe('invitation-taken');
        expect(await store.findGroupRoundByInvitationHash(first.invitation.hash)).toBe(first.id);
        expect(await store.getGroupRound(second.id)).toEqual(second);
      });

      it('updates by compare-and-swap: a stale revision is CONFLICT "revision", a missing round NOT_FOUND, one of 10 racing writers wins', async () => {
        const round = makeRound();
        await store.createGroupRound(round);
        const named = nextRound(round, { name: 'Renamed' });
        await store.updateGroupRound(named, 0);
        expect(await store.getGroupRound(round.id)).toEqual(named);
        expect((await expectGovError(store.updateGroupRound(nextRound(round, { name: 'late' }), 0), 'CONFLICT')).details).toMatchObject({ reason: 'revision', storedRevision: 1 });
        await expectGovError(store.updateGroupRound({ ...nextRound(named), revision: 3 }, 1), 'CONFLICT');
        await expectGovError(store.updateGroupRound(nextRound(makeRound()), 0), 'NOT_FOUND');
        const racers = Array.from({ length: 10 }, (_, i) => nextRound(named, { name: `writer ${i}` }));
        const results = await Promise.allSettled(racers.map((r) => store.updateGroupRound(r, 1)));
        const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        expect(await store.getGroupRound(round.id)).toEqual(racers[winners[0] ?? -1]);
      });

      it('keeps released blocks and consensus exactly, and follows a replaced invitation code', async () => {
        const round = makeRound();
        await store.createGroupRound(round);
        const counts = { holds: 3, partly: 1, absent: 1, unknown: 0, answered: 5 };
        const next = nextRound(round, {
          invitation: { ...round.invitation, hash: sha256Hex('a new code') },
          blocks: [{ releasedAt: round.createdAt, perspective: null, perspectives: ['central', 'civil-society'], members: ['c_one', 'c_two', 'c_three', 'c_four', 'c_five'], counts: { 'early-top-down': counts } }],
          consensus: { 'early-top-down': { level: 'partly', rationale: 'Top-down for budgets — “open” drafting ✓', recordedAt: round.createdAt, basis: counts } },
        });
        await store.updateGroupRound(next, 0);
        expect(await store.getGroupRound(round.id)).toEqual(next);
        expect(await store.findGroupRoundByInvitationHash(round.invitation.hash)).toBeUndefined();
        expect(await store.findGroupRoundByInvitationHash(next.invitation.hash)).toBe(round.id);
        // The old code is free for another round.
        await store.createGroupRound(makeRound({ invitation: round.invitation }));
      });

      it('refuses text no backend can keep in a round (BAD_INPUT) and stores nothing', async () => {
        const round = makeRound({ name: 'bad\u0000name' });
        await expectGovError(store.createGroupRound(round), 'BAD_INPUT');
        expect(await store.getGroupRound(round.id)).toBeUndefined();
      });

      it("lists a round's members oldest first, and follows their deletion; other conversations are not members", async () => {
        const round = makeRound();
        const other = makeRound();
        await store.createGroupRound(round);
        await store.createGroupRound(other);
        const at = (minute: string) => ({ createdAt: `2024-05-06T07:${minute}:00.000Z`, updatedAt: `2024-05-06T07:${minute}:00.000Z` });
        const second = makeRecord({ group: membership(round.id, { perspective: 'civil-society', name: 'Ana', unit: 'NGO “Open”', shareNotes: true }), ...at('20') });
        const first = makeRecord({ group: membership(round.id), ...at('10') });
        const elsewhere = makeRecord({ group: membership(other.id), ...at('15') });
        for (const record of [second, first, elsewhere, makeRecord()]) await store.create(record);
        expect((await store.findByGroupRound(round.id)).map((s) => s.id)).toEqual([first.id, second.id]);
        expect((await store.findByGroupRound(other.id)).map((s) => s.id)).toEqual([elsewhere.id]);
        expect(await store.findByGroupRound('g_nobody_here_0000')).toEqual([]);
        expect(await store.get(second.id)).toEqual(second);
        // A member keeps its membership through a turn, and stops being one when deleted.
        await store.update(nextVersion(first, { transcript: [userLine('an answer')] }), 0);
        expect((await store.findByGroupRound(round.id)).map((s) => s.id)).toEqual([first.id, second.id]);
        await store.delete(first.id);
        expect((await store.findByGroupRound(round.id)).map((s) => s.id)).toEqual([second.id]);
      });

      it('stores a member conversation as version 2 (version 1 has no membership) and reads it back', async () => {
        const record = makeRecord({ group: membership('g_round_0123456789') });
        await store.create(record);
        expect(await subject.readRaw(record.id)).toMatchObject({ recordVersion: RECORD_SCHEMA_VERSION, group: record.group });
        expect(RecordV1.safeParse(await subject.readRaw(record.id)).success).toBe(false);
      });

      it('reads a round a later version wrote (newer number, unknown fields) and keeps all of it through an update', async () => {
        const round = makeRound();
        const later = { ...structuredClone(round), recordVersion: GROUP_ROUND_RECORD_VERSION + 1, addedLater: { list: [1, 'two'] }, coordinator: { ...round.coordinator, addedLater: true } };
        await subject.writeRawRound(later);
        expect(await store.getGroupRound(round.id)).toEqual(later);
        const next = nextRound(later as GroupRoundRecord, { name: 'From the older instance' });
        await store.updateGroupRound(next, 0);
        expect(await subject.readRawRound(round.id)).toEqual({ ...later, revision: 1, updatedAt: next.updatedAt, name: 'From the older instance' });
      });

      it('refuses a damaged round as UNRESTORABLE naming it, and can still delete it', async () => {
        const round = makeRound();
        const damaged = { ...structuredClone(round), blocks: [{ members: [] }] };
        await subject.writeRawRound(damaged);
        const error = await expectGovError(store.getGroupRound(round.id), 'UNRESTORABLE');
        expect(error.message).toContain(round.id);
        expect(error.message).toMatch(/blocks/);
        expect(await store.deleteGroupRound(round.id)).toBe(true);
        expect(await store.getGroupRound(round.id)).toBeUndefined();
      });

      it('deletes a round and its invitation code; its members stay as conversations', async () => {
        const round = makeRound();
        await store.createGroupRound(round);
        const member = makeRecord({ group: membership(round.id) });
        await store.create(member);
        expect(await store.deleteGroupRound(round.id)).toBe(true);
        expect(await store.deleteGroupRound(round.id)).toBe(false);
        expect(await store.getGroupRound(round.id)).toBeUndefined();
        expect(await store.findGroupRoundByInvitationHash(round.invitation.hash)).toBeUndefined();
        expect(await store.get(member.id)).toEqual(member);
      });

      it('keeps rounds and their members across close and a new store object on the same storage', async (context) => {
        if (!subject.reopen) {
          context.skip();
          return;
        }
        const round = makeRound();
        await store.createGroupRound(round);
        const member = makeRecord({ group: membership(round.id) });
        await store.create(member);
        await store.close();
        const again = await subject.reopen();
        reopened.push(again);
        await again.open();
        expect(await again.getGroupRound(round.id)).toEqual(round);
        expect(await again.findGroupRoundByInvitationHash(round.invitation.hash)).toBe(round.id);
        expect((await again.findByGroupRound(round.id)).map((s) => s.id)).toEqual([member.id]);
      });
    });

    it('answers ping when healthy', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('keeps everything across close and a new store object on the same storage', async (context) => {
      if (!subject.reopen) {
        context.skip();
        return;
      }
      const owner = slackOwner('U_KEEP');
      const code = resumeCode('KEEP-777');
      const record = makeRecord({ owner, resumeCode: code });
      await store.create(record);
      const next = nextVersion(record, { transcript: [userLine('still here?')] });
      await store.update(next, 0);
      await store.close();

      const again = await subject.reopen();
      reopened.push(again);
      await again.open();
      expect(await again.get(record.id)).toEqual(next);
      expect(await again.findByResumeCodeHash(code?.hash ?? '')).toBe(record.id);
      expect(await again.findByOwner(owner)).toEqual([summaryOf(next)]);
      expect((await collect(again.list())).map((summary) => summary.id)).toEqual([record.id]);
      // And it keeps working: the revision carried over.
      await again.update(nextVersion(next), 1);
      expect((await again.get(record.id))?.revision).toBe(2);
    });
  });
}

function summaryOf(record: ConversationRecord): ConversationSummary {
  return {
    id: record.id,
    status: record.state.status,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    owner: record.owner,
  };
}

function sortById(summaries: ConversationSummary[]): ConversationSummary[] {
  return [...summaries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export function expectKind(error: unknown, kind: ErrorKind): asserts error is GovError {
  if (!isGovError(error)) throw new Error(`expected a GovError ${kind}, got: ${String(error)}`);
  expect(error.kind, error.message).toBe(kind);
}

/** Awaits `promise`, which must reject with a GovError of `kind`; returns the error. */
export async function expectGovError(promise: Promise<unknown>, kind: ErrorKind): Promise<GovError> {
  const error = await promise.then(
    () => new Error(`expected a GovError ${kind}, but it succeeded`),
    (reason: unknown) => reason,
  );
  expectKind(error, kind);
  return error;
}
