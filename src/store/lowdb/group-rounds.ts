/**
 * Group rounds in the lowdb store's folder, for one instance:
 *
 *   groups/<id>.json                   one round (a `Low` over a durable file)
 *   group-invitations/<hash>.json      { id }: which round holds that invitation code
 *   group-members/<roundId>.json       { ids }: the conversations that joined it
 *
 * As for conversations, index entries are written ahead of the record and
 * cleaned after it, and readers check every entry against the record, so a
 * stale entry left by a crash is invisible.
 */
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { z } from 'zod';
import { GovError, isGovError } from '../../errors.js';
import { checkIncomingRound, parseStoredRound, type GroupRoundRecord } from '../group-record.js';
import { isSafeStoreName } from '../record.js';
import { DurableJsonFile, isTempFileName } from './durable-json-file.js';

const InvitationEntry = z.strictObject({ id: z.string() });
type InvitationEntry = z.infer<typeof InvitationEntry>;
const MembersEntry = z.strictObject({ ids: z.array(z.string()) });
type MembersEntry = z.infer<typeof MembersEntry>;

export const GROUP_FOLDERS = ['groups', 'group-invitations', 'group-members'] as const;

function entry<S extends z.ZodType>(schema: S, what: string) {
  return (value: unknown): z.infer<S> => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new GovError('UNRESTORABLE', `Stored ${what} is damaged`);
    return parsed.data;
  };
}

export class GroupRoundFolder {
  constructor(
    private readonly dir: string,
    private readonly exclusive: <T>(space: string, key: string, fn: () => Promise<T>) => Promise<T>,
  ) {}

  async create(round: GroupRoundRecord): Promise<void> {
    const next = checkIncomingRound(round);
    await this.exclusive('group', next.id, async () => {
      if ((await this.roundFile(next.id).read().catch(keepDamaged)) !== null) throw exists(next.id);
      await this.claimInvitation(next);
      if (!(await this.roundFile(next.id).create(next))) throw exists(next.id);
    });
  }

  async get(id: string): Promise<GroupRoundRecord | undefined> {
    if (!isSafeStoreName(id)) return undefined;
    return (await this.roundFile(id).read()) ?? undefined;
  }

  async update(next: GroupRoundRecord, expectedRevision: number): Promise<void> {
    const round = checkIncomingRound(next);
    await this.exclusive('group', round.id, async () => {
      const db = new Low<GroupRoundRecord | null>(this.roundFile(round.id), null);
      await db.read();
      const stored = db.data;
      if (!stored) throw new GovError('NOT_FOUND', `No group round "${round.id}" to update`, { id: round.id });
      if (stored.revision !== expectedRevision) {
        throw new GovError('CONFLICT', `Group round "${round.id}" is at revision ${stored.revision}, not ${expectedRevision}: it changed meanwhile`, {
          id: round.id,
          reason: 'revision',
          expectedRevision,
          storedRevision: stored.revision,
        });
      }
      if (round.revision !== expectedRevision + 1) {
        throw new GovError('CONFLICT', `An update of group round "${round.id}" from revision ${expectedRevision} must carry revision ${expectedRevision + 1}, not ${round.revision}`, { id: round.id });
      }
      if (round.invitation.hash !== stored.invitation.hash) await this.claimInvitation(round);
      db.data = round;
      await db.write();
      if (round.invitation.hash !== stored.invitation.hash) await this.releaseInvitation(stored.invitation.hash, round.id);
    });
  }

  async findByInvitationHash(hash: string): Promise<string | undefined> {
    if (!isSafeStoreName(hash)) return undefined;
    const found = await this.invitationFile(hash).read();
    if (!found || !isSafeStoreName(found.id)) return undefined;
    const round = await this.get(found.id).catch((error: unknown) => {
      if (isGovError(error) && error.kind === 'UNRESTORABLE') return undefined;
      throw error;
    });
    return round?.invitation.hash === hash ? found.id : undefined;
  }

  async delete(id: string): Promise<boolean> {
    if (!isSafeStoreName(id)) return false;
    return this.exclusive('group', id, async () => {
      const round = await this.roundFile(id).read().catch(keepDamaged);
      const removed = await this.roundFile(id).remove();
      if (round) await this.releaseInvitation(round.invitation.hash, id);
      await this.exclusive('group-members', id, () => this.membersFile(id).remove());
      return removed;
    });
  }

  /** The ids of the round files in the folder (read lazily), for moving them elsewhere. */
  async *ids(): AsyncIterable<string> {
    for await (const entry of await opendir(join(this.dir, 'groups'))) {
      if (isTempFileName(entry.name) || !entry.name.endsWith('.json')) continue;
      const id = entry.name.slice(0, -'.json'.length);
      if (isSafeStoreName(id)) yield id;
    }
  }

  // --- the members index (maintained by the conversation writes) -------------

  async addMember(roundId: string, conversationId: string): Promise<void> {
    if (!isSafeStoreName(roundId)) throw new GovError('BAD_INPUT', 'A group round id may only use letters, digits, "_" and "-"');
    await this.exclusive('group-members', roundId, async () => {
      const db = new Low<MembersEntry | null>(this.membersFile(roundId), null);
      await db.read();
      const ids = db.data?.ids ?? [];
      if (ids.includes(conversationId)) return;
      db.data = { ids: [...ids, conversationId] };
      await db.write();
    });
  }

  async removeMember(roundId: string, conversationId: string): Promise<void> {
    if (!isSafeStoreName(roundId)) return;
    await this.exclusive('group-members', roundId, async () => {
      const file = this.membersFile(roundId);
      const db = new Low<MembersEntry | null>(file, null);
      await db.read();
      if (!db.data?.ids.includes(conversationId)) return;
      db.data = { ids: db.data.ids.filter((other) => other !== conversationId) };
      await db.write();
    });
  }

  /** The ids the index lists (possibly stale: the caller checks each record). */
  async memberIds(roundId: string): Promise<string[]> {
    if (!isSafeStoreName(roundId)) return [];
    const found = await this.membersFile(roundId).read();
    return [...new Set(found?.ids ?? [])].filter(isSafeStoreName);
  }

  // --- files ----------------------------------------------------------------

  /** Written ahead of the round: CONFLICT when a live round holds this code (a stale entry is taken over). */
  private async claimInvitation(round: GroupRoundRecord): Promise<void> {
    const hash = round.invitation.hash;
    await this.exclusive('group-invitation', hash, async () => {
      const file = this.invitationFile(hash);
      const current = await file.read().catch(keepDamaged);
      if (current && current.id !== round.id && isSafeStoreName(current.id)) {
        const holder = await this.roundFile(current.id).read().catch(keepDamaged);
        if (holder?.invitation.hash === hash) throw new GovError('CONFLICT', `Another group round already holds the invitation code given to "${round.id}"`, { id: round.id, reason: 'invitation-taken' });
      }
      await file.write({ id: round.id });
    });
  }

  private async releaseInvitation(hash: string, roundId: string): Promise<void> {
    await this.exclusive('group-invitation', hash, async () => {
      const file = this.invitationFile(hash);
      const current = await file.read().catch(keepDamaged);
      // Only our own entry: the code may since belong to another round.
      if (current === null || current.id === roundId) await file.remove();
    });
  }

  private roundFile(id: string): DurableJsonFile<GroupRoundRecord | null> {
    return new DurableJsonFile<GroupRoundRecord | null>(join(this.dir, 'groups', `${id}.json`), { label: `group round "${id}"`, parse: (value) => parseStoredRound(value, id, 'file') });
  }

  private invitationFile(hash: string): DurableJsonFile<InvitationEntry | null> {
    return new DurableJsonFile<InvitationEntry | null>(join(this.dir, 'group-invitations', `${hash}.json`), { label: 'invitation index entry', parse: entry(InvitationEntry, 'invitation index entry') });
  }

  private membersFile(roundId: string): DurableJsonFile<MembersEntry | null> {
    return new DurableJsonFile<MembersEntry | null>(join(this.dir, 'group-members', `${roundId}.json`), { label: `members index of group round "${roundId}"`, parse: entry(MembersEntry, 'group members index') });
  }
}

/** A damaged file is no one's: null, so it is overwritten or removed rather than blocking the operation. */
function keepDamaged(error: unknown): null {
  if (isGovError(error) && error.kind === 'UNRESTORABLE') return null;
  throw error;
}

function exists(id: string): GovError {
  return new GovError('CONFLICT', `Group round "${id}" already exists`, { id });
}
