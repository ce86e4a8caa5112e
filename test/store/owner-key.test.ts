/**
 * Owners of every kind, in both stores: one shared key, Teams owners kept
 * apart from Slack owners with the same ids, and the Slack key unchanged
 * (conversations indexed under it must stay findable after an upgrade).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { ownerKey, sameOwner } from '../../src/store/record.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { ConversationStore, Owner } from '../../src/store/types.js';
import { makeRecord, nextVersion, slackOwner } from './fixtures.js';
import { openTestDatabase, type TestDatabase } from './postgres-test-db.js';

const teamsOwner = (userId: string, tenantId = 'tenant-1'): Owner => ({ kind: 'teams', tenantId, userId });

describe('ownerKey', () => {
  it('keeps the Slack encoding stored since the first release', () => {
    expect(ownerKey(slackOwner('U1', 'T1'))).toBe('["slack","T1","U1"]');
  });

  it('tells kinds and id boundaries apart', () => {
    expect(ownerKey(teamsOwner('U1', 'T1'))).toBe('["teams","T1","U1"]');
    expect(sameOwner(teamsOwner('U1', 'T1'), slackOwner('U1', 'T1'))).toBe(false);
    expect(ownerKey(teamsOwner('bc', 'a'))).not.toBe(ownerKey(teamsOwner('c', 'ab')));
    expect(sameOwner(teamsOwner('U1'), teamsOwner('U1'))).toBe(true);
    expect(sameOwner(null, null)).toBe(true);
    expect(sameOwner(teamsOwner('U1'), null)).toBe(false);
  });
});

async function ownersInStore(store: ConversationStore): Promise<void> {
  const teams = teamsOwner('29:alice', 'T1');
  const slackTwin: Owner = { kind: 'slack', teamId: 'T1', userId: '29:alice' };
  const teamsRecord = makeRecord({ owner: teams, channel: 'teams' });
  const slackRecord = makeRecord({ owner: slackTwin, channel: 'slack' });
  await store.create(teamsRecord);
  await store.create(slackRecord);
  expect((await store.findByOwner(teams)).map((s) => s.id)).toEqual([teamsRecord.id]);
  expect((await store.findByOwner(slackTwin)).map((s) => s.id)).toEqual([slackRecord.id]);
  expect((await store.get(teamsRecord.id))?.owner).toEqual(teams);
  // A conversation moved from Slack to Teams (a resume code) changes index.
  await store.update(nextVersion(slackRecord, { owner: teams }), 0);
  expect((await store.findByOwner(teams)).map((s) => s.id).sort()).toEqual([teamsRecord.id, slackRecord.id].sort());
  expect(await store.findByOwner(slackTwin)).toEqual([]);
}

describe('Teams owners in the lowdb store', () => {
  it('are indexed apart from Slack owners with the same ids', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'govstage-owner-'));
    const store = new LowdbStore({ dir });
    await store.open();
    try {
      await ownersInStore(store);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Teams owners in the PostgreSQL store', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('are indexed apart from Slack owners with the same ids', async () => {
    const schema = await db.freshSchema();
    const store = new PostgresStore({ connectionString: schema.url });
    await store.open();
    try {
      await ownersInStore(store);
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});
