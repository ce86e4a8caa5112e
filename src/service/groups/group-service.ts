/**
 * Group rounds: many respondents answer the same assessment, each in their
 * own conversation, and a coordinator sees the group picture, records the
 * consensus in a workshop and hands out the group report. Channel-neutral:
 * the web API and page, the terminal and Slack (and later Teams) only call
 * this. Every read of the picture first releases the respondents who can
 * now enter it (release-blocks.ts), so every view shows the same picture.
 *
 * Access: the coordinator holds a capability token (hashed in the round,
 * compared in constant time, replaceable and revocable); respondents hold
 * their own conversation's access; a read-only report link can be handed
 * out. Unknown rounds and wrong tokens answer the same.
 */
import type { Locales } from '../../i18n/words.js';
import type { AssessmentDefinition } from '../../core/definition.js';
import { GovError } from '../../errors.js';
import { buildGroupReport, type GroupReport } from '../../reports/group-report.js';
import type { GroupRoundRecord } from '../../store/group-record.js';
import { KeyedMutex } from '../../store/keyed-mutex.js';
import type { ChannelName, ConversationStore, Owner } from '../../store/types.js';
import type { Access, ConversationService, Started } from '../conversation-service.js';
import { withSettings, type SettingsChange } from './change-settings.js';
import { newRound, type ChatCoordinator, type RoundSettings } from './create-round.js';
import { membershipFor, welcomeFor, type JoinChoices } from './join-round.js';
import { loadMembers, type Member } from './load-members.js';
import { withCoordinatorRevoked, withJoiningClosed, withNewCoordinator, withNewInvitation, withReportLink, withReportLinkRevoked } from './manage-access.js';
import { checkConsensus, withConsensus, withoutConsensus, type ConsensusEntry } from './record-consensus.js';
import { planRelease } from './release-blocks.js';
import { hashInvitationCode, newInvitationCode, newToken, normalizeInvitationCode, openInvitation, tokenMatches } from './round-secrets.js';

export type { SettingsChange } from './change-settings.js';
export type { ChatCoordinator } from './create-round.js';

export interface GroupServiceOptions {
  definition: AssessmentDefinition;
  store: ConversationStore;
  conversations: ConversationService;
  /** The locale catalogues: the group report's words. */
  locales: Locales;
  /** No respondent who keeps their answers to themselves is shown in a group smaller than this. */
  minGroupSize: number;
  reportLinkTtlMs?: number;
  now?: () => Date;
  /** The absolute URL of a path on this server, when its public URL is known. */
  publicUrl?: (path: string) => string | undefined;
}

export interface Link {
  path: string;
  url?: string;
}

export interface RoundCreated {
  roundId: string;
  /** The coordinator's capability: shown once, kept by the coordinator. */
  coordinatorToken: string;
  coordinatorLink: Link;
  invitation: Link & { code: string };
}

export interface RoundView {
  roundId: string;
  revision: number;
  name: string;
  assessing: { name: string; unit: string | null };
  createdAt: string;
  closesAt: string | null;
  closed: boolean;
  perspectives: { id: string; label: string }[];
  respondentsSeePicture: boolean;
  previousRoundId: string | null;
  invitation: Link & { code: string };
  reportLink: { active: boolean; expiresAt: string | null };
}

export interface InvitationInfo {
  name: string;
  assessing: { name: string; unit: string | null; unitLabel: string | null };
  perspectives: { id: string; label: string }[];
  closesAt: string | null;
  minGroupSize: number;
}

/** See ConversationService: attempts at a write that keeps losing the compare-and-swap. */
const CAS_ATTEMPTS = 20;
const ROUND_NOT_FOUND = 'No group round with that id for these credentials.';

export class GroupService {
  private readonly now: () => Date;
  private readonly locks = new KeyedMutex();

  constructor(private readonly options: GroupServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get minGroupSize(): number {
    return this.options.minGroupSize;
  }

  private link(path: string): Link {
    const url = this.options.publicUrl?.(path);
    return { path, ...(url ? { url } : {}) };
  }

  private coordinatorLink(roundId: string, token: string): Link {
    return this.link(`/group.html#round=${encodeURIComponent(roundId)}&key=${encodeURIComponent(token)}`);
  }

  private invitationLink(code: string): Link & { code: string } {
    return { code, ...this.link(`/?join=${encodeURIComponent(code)}`) };
  }

  // --- creating --------------------------------------------------------------

  async create(settings: RoundSettings & { locale?: string | undefined; chat?: ChatCoordinator | undefined }, previousRoundId?: string): Promise<RoundCreated> {
    for (let attempt = 1; ; attempt++) {
      const { round, coordinatorToken, invitationCode } = newRound({ definition: this.options.definition, settings, locale: settings.locale, now: this.now(), previousRoundId, chat: settings.chat });
      try {
        await this.options.store.createGroupRound(round);
      } catch (error) {
        // A fresh invitation code that happens to be taken: draw another (50 random bits make this rare).
        if (error instanceof GovError && error.details?.reason === 'invitation-taken' && attempt < 5) continue;
        throw error;
      }
      return { roundId: round.id, coordinatorToken, coordinatorLink: this.coordinatorLink(round.id, coordinatorToken), invitation: this.invitationLink(invitationCode) };
    }
  }

  /** The next round of the same group (same settings, open, its report compares with this one); the caller is this round's coordinator. */
  async followUp(roundId: string, token: string): Promise<RoundCreated> {
    const round = await this.forCoordinator(roundId, token);
    return this.create(
      { name: round.name, assessing: round.assessing, closesAt: null, perspectives: round.perspectives, respondentsSeePicture: round.respondentsSeePicture, locale: round.locale },
      round.id,
    );
  }

  // --- the coordinator's capability ------------------------------------------

  /** The round, for the holder of its coordinator token; unknown, revoked and wrong look the same. */
  private async forCoordinator(roundId: string, token: string): Promise<GroupRoundRecord> {
    const round = await this.options.store.getGroupRound(roundId);
    if (!round || round.coordinator.revokedAt !== null || !tokenMatches(token, round.coordinator.hash)) throw new GovError('UNAUTHORIZED', ROUND_NOT_FOUND, undefined, { say: { key: 'groupNotYours' } });
    return round;
  }

  async view(roundId: string, token: string): Promise<RoundView> {
    return this.viewOf(await this.forCoordinator(roundId, token), token);
  }

  private viewOf(round: GroupRoundRecord, token: string): RoundView {
    const now = this.now().getTime();
    const link = round.reportLink;
    return {
      roundId: round.id,
      revision: round.revision,
      name: round.name,
      assessing: round.assessing,
      createdAt: round.createdAt,
      closesAt: round.closesAt,
      closed: round.closesAt !== null && Date.parse(round.closesAt) <= now,
      perspectives: round.perspectives.map((p) => ({ id: p.id, label: p.label })),
      respondentsSeePicture: round.respondentsSeePicture,
      previousRoundId: round.previousRoundId ?? null,
      invitation: this.invitationLink(openInvitation(round.invitation.sealed, token, round.id)),
      reportLink: link && link.revokedAt === null && Date.parse(link.expiresAt) > now ? { active: true, expiresAt: link.expiresAt } : { active: false, expiresAt: null },
    };
  }

  /** A new coordinator token; the old one stops working. The invitation code is resealed under the new one. */
  async rotateCoordinatorLink(roundId: string, token: string): Promise<{ coordinatorToken: string; coordinatorLink: Link }> {
    const fresh = newToken();
    await this.changeAsCoordinator(roundId, token, (round, at) => withNewCoordinator(round, token, fresh, at));
    return { coordinatorToken: fresh, coordinatorLink: this.coordinatorLink(roundId, fresh) };
  }

  /** Ends coordinator access for good, and closes joining; the round, its report link and its members stay. */
  async revokeCoordinatorLink(roundId: string, token: string): Promise<void> {
    await this.changeAsCoordinator(roundId, token, (round, at) => withCoordinatorRevoked(round, at));
  }

  /** A new invitation code; the old one stops working (respondents who joined with it carry on). */
  async replaceInvitation(roundId: string, token: string): Promise<RoundView> {
    for (let attempt = 1; ; attempt++) {
      const code = newInvitationCode();
      try {
        const round = await this.changeAsCoordinator(roundId, token, (r, at) => withNewInvitation(r, code, token, at));
        return this.viewOf(round, token);
      } catch (error) {
        if (error instanceof GovError && error.details?.reason === 'invitation-taken' && attempt < 5) continue;
        throw error;
      }
    }
  }

  async changeSettings(roundId: string, token: string, change: SettingsChange): Promise<RoundView> {
    const { definition, store } = this.options;
    const round = await this.changeAsCoordinator(roundId, token, async (r) => {
      const used = change.perspectives ? new Set((await loadMembers(store, definition, r.id)).members.map((m) => m.membership.perspective)) : new Set<string>();
      return withSettings(definition, r, change, used, this.now());
    });
    return this.viewOf(round, token);
  }

  /** Closes joining now (respondents already in can still finish). */
  async close(roundId: string, token: string): Promise<RoundView> {
    const round = await this.changeAsCoordinator(roundId, token, (r, at) => withJoiningClosed(r, at));
    return this.viewOf(round, token);
  }

  async reopen(roundId: string, token: string): Promise<RoundView> {
    const round = await this.changeAsCoordinator(roundId, token, (r) => ({ ...r, closesAt: null }));
    return this.viewOf(round, token);
  }

  // --- joining -----------------------------------------------------------------

  private async roundOfCode(codeInput: string): Promise<GroupRoundRecord> {
    const invalid = () => new GovError('NOT_FOUND', 'That invitation code is not valid. Check it and try again.', undefined, { say: { key: 'invitationInvalid' } });
    const code = normalizeInvitationCode(codeInput);
    if (!code) throw invalid();
    const id = await this.options.store.findGroupRoundByInvitationHash(hashInvitationCode(code));
    const round = id ? await this.options.store.getGroupRound(id) : undefined;
    if (!round || round.invitation.hash !== hashInvitationCode(code)) throw invalid();
    if (round.closesAt !== null && Date.parse(round.closesAt) <= this.now().getTime()) {
      throw new GovError('EXPIRED', `The group round "${round.name}" closed on ${round.closesAt.slice(0, 10)}; ask its coordinator if you still want to take part.`, undefined, { say: { key: 'invitationClosed', values: { name: round.name, date: round.closesAt } } });
    }
    return round;
  }

  /** What a respondent needs to decide how to join: the round, its perspectives, the privacy rule. */
  async lookupInvitation(code: string): Promise<InvitationInfo> {
    const round = await this.roundOfCode(code);
    const unit = this.options.definition.flow.unit.options.find((o) => o.id === round.assessing.unit);
    return {
      name: round.name,
      assessing: { name: round.assessing.name, unit: round.assessing.unit, unitLabel: unit ? (unit.label[round.locale] ?? Object.values(unit.label)[0] ?? null) : null },
      perspectives: round.perspectives.map((p) => ({ id: p.id, label: p.label })),
      closesAt: round.closesAt,
      minGroupSize: this.options.minGroupSize,
    };
  }

  /** Starts the respondent's own conversation in the round: the same flow, resume and report as an individual's. */
  async join(params: { code: string; choices: JoinChoices; channel: ChannelName; locale?: string | undefined; owner?: Owner | undefined }): Promise<Started> {
    const round = await this.roundOfCode(params.code);
    const membership = membershipFor(round, params.choices, this.now().toISOString());
    const locale = params.locale ?? round.locale;
    return this.options.conversations.start({
      channel: params.channel,
      locale,
      ...(params.owner ? { owner: params.owner } : {}),
      round: { membership, unit: round.assessing.unit, welcome: welcomeFor(this.options.definition, round, membership, this.options.minGroupSize, locale) },
    });
  }

  // --- the picture and the report ----------------------------------------------

  /** The round with everyone who can now enter the picture released, and its members. */
  private async released(roundId: string): Promise<{ round: GroupRoundRecord; members: Member[]; unreadable: number }> {
    const { store, definition } = this.options;
    const ids = definition.rubric.oecd.characteristics.map((c) => c.id);
    return this.locks.runExclusive(roundId, () => this.retryingLostRaces(async () => {
      const round = await store.getGroupRound(roundId);
      if (!round) throw new GovError('NOT_FOUND', ROUND_NOT_FOUND, undefined, { say: { key: 'groupNotYours' } });
      const loaded = await loadMembers(store, definition, round.id);
      const at = this.now().toISOString();
      const fresh = planRelease({ members: loaded.members, blocks: round.blocks, perspectives: round.perspectives, minGroupSize: this.options.minGroupSize, characteristicIds: ids, at });
      if (fresh.length === 0) return { round, ...loaded };
      const next: GroupRoundRecord = { ...round, revision: round.revision + 1, updatedAt: at, blocks: [...round.blocks, ...fresh] };
      await store.updateGroupRound(next, round.revision);
      return { round: next, ...loaded };
    }));
  }

  private async reportOf(roundId: string): Promise<GroupReport> {
    const { round, members, unreadable } = await this.released(roundId);
    let previous: GroupReport | undefined;
    if (round.previousRoundId) {
      try {
        const earlier = await this.released(round.previousRoundId);
        previous = buildGroupReport({ definition: this.options.definition, locales: this.options.locales, round: earlier.round, members: earlier.members, unreadable: earlier.unreadable, minGroupSize: this.options.minGroupSize, now: this.now() });
      } catch (error) {
        // A previous round since deleted, or damaged, must not hide this one's report: only the comparison is left out.
        if (!(error instanceof GovError && (error.kind === 'NOT_FOUND' || error.kind === 'UNRESTORABLE'))) throw error;
      }
    }
    return buildGroupReport({ definition: this.options.definition, locales: this.options.locales, round, members, unreadable, minGroupSize: this.options.minGroupSize, now: this.now(), previous });
  }

  /** The group report (and picture), for the coordinator. */
  async report(roundId: string, token: string): Promise<GroupReport> {
    await this.forCoordinator(roundId, token);
    return this.reportOf(roundId);
  }

  /** The same report, for a respondent who finished, when the coordinator lets respondents see it. */
  async reportForMember(conversationId: string, access: Access): Promise<GroupReport> {
    const { group, status } = await this.options.conversations.membership(conversationId, access);
    if (!group) throw new GovError('NOT_FOUND', 'This assessment is not part of a group round.');
    const round = await this.options.store.getGroupRound(group.roundId);
    if (!round) throw new GovError('NOT_FOUND', 'The group round of this assessment no longer exists.');
    if (!round.respondentsSeePicture) throw new GovError('FORBIDDEN', "The round's coordinator has not shared the group picture with respondents.");
    if (status !== 'finished') throw new GovError('FORBIDDEN', 'The group picture is shown once you have finished your own assessment.');
    return this.reportOf(round.id);
  }

  /** Where a respondent's conversation belongs: the round's name and their perspective, and whether they may see the picture. */
  async membershipOf(conversationId: string, access: Access): Promise<{ roundName: string; perspective: string; pictureShared: boolean } | null> {
    const { group } = await this.options.conversations.membership(conversationId, access);
    if (!group) return null;
    const round = await this.options.store.getGroupRound(group.roundId);
    if (!round) return null;
    return { roundName: round.name, perspective: round.perspectives.find((p) => p.id === group.perspective)?.label ?? group.perspective, pictureShared: round.respondentsSeePicture };
  }

  // --- the coordinator in a chat channel -----------------------------------------
  // A round made in Slack knows its coordinator there (the platform vouches for who they are, as it
  // does for a respondent's own conversation): they alone may see its progress, remind and post the
  // result, until coordinator access ends.

  private async forChatCoordinator(roundId: string, who: Owner): Promise<GroupRoundRecord & { chat: ChatCoordinator }> {
    const round = await this.options.store.getGroupRound(roundId);
    const chat = round?.chat;
    if (!round || !chat || round.coordinator.revokedAt !== null || who.kind !== chat.kind || chat.teamId !== who.teamId || chat.userId !== who.userId) {
      throw new GovError('UNAUTHORIZED', ROUND_NOT_FOUND, undefined, { say: { key: 'groupNotYours' } });
    }
    return { ...round, chat };
  }

  /** The group report, for the round's coordinator in its chat channel; the channel to post it in. */
  async reportForChat(roundId: string, who: Owner): Promise<{ report: GroupReport; channelId: string }> {
    const round = await this.forChatCoordinator(roundId, who);
    return { report: await this.reportOf(roundId), channelId: round.chat.channelId };
  }

  /** The chat owners of members who joined but have not finished (whom a reminder goes to). */
  async unfinishedForChat(roundId: string, who: Owner): Promise<{ name: string; owners: Owner[] }> {
    const round = await this.forChatCoordinator(roundId, who);
    const { members } = await loadMembers(this.options.store, this.options.definition, roundId);
    const owners = members.flatMap((m) => (m.status !== 'finished' && m.owner?.kind === round.chat.kind ? [m.owner] : []));
    return { name: round.name, owners };
  }

  /**
   * For a respondent's finished conversation in a round made in a chat channel: who to tell, and the
   * round's progress in counts only (who finished is never said).
   */
  async finishedInChatRound(conversationId: string, access: Access): Promise<{ roundId: string; name: string; coordinator: ChatCoordinator; finished: number; joined: number } | null> {
    const { group, status } = await this.options.conversations.membership(conversationId, access);
    if (!group || status !== 'finished') return null;
    const round = await this.options.store.getGroupRound(group.roundId);
    if (!round?.chat || round.coordinator.revokedAt !== null) return null;
    const { members } = await loadMembers(this.options.store, this.options.definition, round.id);
    return { roundId: round.id, name: round.name, coordinator: round.chat, finished: members.filter((m) => m.status === 'finished').length, joined: members.length };
  }

  // --- consensus ---------------------------------------------------------------

  /** Records the agreed answer to one characteristic with its rationale, and the spread the group saw then. */
  async recordConsensus(roundId: string, token: string, entry: ConsensusEntry): Promise<GroupReport> {
    const checked = checkConsensus(this.options.definition, entry);
    await this.forCoordinator(roundId, token);
    // The basis is the picture as released now: release first, then record against it.
    const { members } = await this.released(roundId);
    await this.changeAsCoordinator(roundId, token, (round, at) => withConsensus(this.options.definition, round, checked, members, at));
    return this.reportOf(roundId);
  }

  async clearConsensus(roundId: string, token: string, characteristicId: string): Promise<GroupReport> {
    await this.changeAsCoordinator(roundId, token, (round) => withoutConsensus(round, characteristicId));
    return this.reportOf(roundId);
  }

  // --- the shareable report link -------------------------------------------------

  /** A read-only link to the group report to hand out; a new one replaces the old. */
  async issueReportLink(roundId: string, token: string): Promise<Link & { expiresAt: string }> {
    const linkToken = newToken();
    const round = await this.changeAsCoordinator(roundId, token, (r, at) => withReportLink(r, linkToken, at, this.options.reportLinkTtlMs ?? 30 * 86_400_000));
    return { ...this.link(`/group-reports/${round.id}/${linkToken}`), expiresAt: round.reportLink?.expiresAt ?? '' };
  }

  async revokeReportLink(roundId: string, token: string): Promise<void> {
    await this.changeAsCoordinator(roundId, token, (r, at) => withReportLinkRevoked(r, at));
  }

  /** The report behind a shared link. Wrong, revoked and unknown links look the same. */
  async reportByLink(roundId: string, linkToken: string): Promise<GroupReport> {
    const round = await this.options.store.getGroupRound(roundId);
    const link = round?.reportLink;
    if (!round || !link || link.revokedAt !== null || !tokenMatches(linkToken, link.hash)) throw new GovError('NOT_FOUND', 'This report link is not valid (it may have been revoked).', undefined, { say: { key: 'reportLinkInvalid' } });
    if (Date.parse(link.expiresAt) <= this.now().getTime()) throw new GovError('EXPIRED', 'This report link has expired. Ask the coordinator for a new one.', undefined, { say: { key: 'groupReportLinkExpired' } });
    return this.reportOf(round.id);
  }

  // --- plumbing ------------------------------------------------------------------

  /** Loads the round as its coordinator, applies `change`, and saves it by compare-and-swap (re-applied on a lost race). */
  private async changeAsCoordinator(roundId: string, token: string, change: (round: GroupRoundRecord, at: string) => GroupRoundRecord | Promise<GroupRoundRecord>): Promise<GroupRoundRecord> {
    return this.locks.runExclusive(roundId, () => this.retryingLostRaces(async () => {
      const round = await this.forCoordinator(roundId, token);
      const at = this.now().toISOString();
      const changed = await change(round, at);
      if (changed === round) return round;
      const next = { ...changed, revision: round.revision + 1, updatedAt: at };
      await this.options.store.updateGroupRound(next, round.revision);
      return next;
    }));
  }

  private async retryingLostRaces<T>(attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof GovError && error.kind === 'CONFLICT' && error.details?.reason === 'revision')) throw error;
        if (n >= CAS_ATTEMPTS) throw new GovError('UNAVAILABLE', 'This group round is busy with other changes right now; nothing was changed. Please try again.', { retryAfterSeconds: 1 }, { say: { key: 'groupBusy' }, cause: error });
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** n)));
      }
    }
  }
}
