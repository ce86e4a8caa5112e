/**
 * Who can reach a round, as changes to its record (pure): the coordinator's
 * capability replaced or revoked, the invitation code replaced, joining
 * closed or reopened, the handed-out report link issued or revoked.
 */
import type { GroupRoundRecord } from '../../store/group-record.js';
import { hashInvitationCode, hashToken, openInvitation, sealInvitation } from './round-secrets.js';

/** A new coordinator token; the invitation code resealed under it (opened with the old one, which the caller checked). */
export function withNewCoordinator(round: GroupRoundRecord, oldToken: string, newToken: string, at: string): GroupRoundRecord {
  const code = openInvitation(round.invitation.sealed, oldToken, round.id);
  return { ...round, coordinator: { hash: hashToken(newToken), createdAt: at, revokedAt: null }, invitation: { ...round.invitation, sealed: sealInvitation(code, newToken, round.id) } };
}

/** Coordinator access ended for good; joining closes with it. */
export function withCoordinatorRevoked(round: GroupRoundRecord, at: string): GroupRoundRecord {
  return withJoiningClosed({ ...round, coordinator: { ...round.coordinator, revokedAt: at } }, at);
}

export function withNewInvitation(round: GroupRoundRecord, code: string, coordinatorToken: string, at: string): GroupRoundRecord {
  return { ...round, invitation: { hash: hashInvitationCode(code), createdAt: at, sealed: sealInvitation(code, coordinatorToken, round.id) } };
}

/** Joining closed now (a closing date already past stays as it was). */
export function withJoiningClosed(round: GroupRoundRecord, at: string): GroupRoundRecord {
  return round.closesAt !== null && round.closesAt <= at ? round : { ...round, closesAt: at };
}

export function withReportLink(round: GroupRoundRecord, linkToken: string, at: string, ttlMs: number): GroupRoundRecord {
  return { ...round, reportLink: { hash: hashToken(linkToken), createdAt: at, expiresAt: new Date(Date.parse(at) + ttlMs).toISOString(), revokedAt: null } };
}

export function withReportLinkRevoked(round: GroupRoundRecord, at: string): GroupRoundRecord {
  return round.reportLink && round.reportLink.revokedAt === null ? { ...round, reportLink: { ...round.reportLink, revokedAt: at } } : round;
}
