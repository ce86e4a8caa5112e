/**
 * A round's members as the group picture needs them: membership, whether
 * and when they finished, and their view of every characteristic (as the
 * rule reads one person's answers) with the notes they typed. A member
 * whose conversation cannot be read is counted, not shown.
 */
import type { AssessmentDefinition } from '../../core/definition.js';
import { upgrade } from '../../core/conversation/turn.js';
import { respondentViews, type RespondentView } from '../../core/scoring/group.js';
import { isGovError } from '../../errors.js';
import type { ConversationStore, GroupMembership, Owner } from '../../store/types.js';

export type MemberStatus = 'joined' | 'answering' | 'finished';

export interface Member {
  id: string;
  membership: GroupMembership;
  /** Whose conversation it is in a chat channel (Slack, Teams), for reminders; null on the web and in the terminal. */
  owner: Owner | null;
  status: MemberStatus;
  /** When the member first reached their result; null while they have not. */
  finishedAt: string | null;
  /** Their view per characteristic id. */
  views: Map<string, RespondentView>;
  /** Notes per question id, as typed. */
  notes: Map<string, string>;
}

export async function loadMembers(store: ConversationStore, definition: AssessmentDefinition, roundId: string): Promise<{ members: Member[]; unreadable: number }> {
  const members: Member[] = [];
  let unreadable = 0;
  for (const summary of await store.findByGroupRound(roundId)) {
    try {
      const record = await store.get(summary.id);
      const membership = record?.group;
      if (!record || membership?.roundId !== roundId) continue;
      const upgraded = upgrade(definition, record.state);
      if (!upgraded.ok) {
        unreadable++;
        continue;
      }
      const state = upgraded.value;
      const { answers } = state.machine.context;
      members.push({
        id: record.id,
        membership,
        owner: record.owner,
        status: state.status === 'finished' ? 'finished' : Object.keys(answers).length > 0 ? 'answering' : 'joined',
        finishedAt: state.status === 'finished' ? state.finishedAt ?? record.updatedAt : null,
        views: respondentViews(definition, answers),
        notes: new Map(Object.entries(answers).flatMap(([questionId, a]) => (a.note ? [[questionId, a.note] as const] : []))),
      });
    } catch (error) {
      if (!isGovError(error) || error.kind !== 'UNRESTORABLE') throw error;
      unreadable++;
    }
  }
  return { members, unreadable };
}
