/**
 * The person-facing conversation service (see person-sessions-api.ts): every
 * conversation decision a chat platform needs, made once for all of them on
 * top of the ConversationService. A person's active conversation is their
 * most recently updated one; the core is driven by its choice ids and
 * `{ kind: 'start' }` only, never by words; a stale turn, a missing
 * conversation and a bad resume code come back as typed outcomes.
 */
import { createHash } from 'node:crypto';
import { GovError } from '../errors.js';
import { textsFor } from '../core/definition.js';
import { choiceIds } from '../core/conversation/render.js';
import { negotiateLocale } from '../core/i18n/negotiate.js';
import type { Message, TurnInput } from '../core/messages.js';
import { ownerKey } from '../store/record.js';
import type { Owner } from '../store/types.js';
import { isStaleTurn, type Access, type ConversationService, type Standing } from './conversation-service.js';
import type { Identity, PersonSessions, PersonStanding, ReportOutcome, ResumeOutcome, SessionOutcome, StandingOutcome, StatusOutcome, StepRef } from './person-sessions-api.js';
import type { GroupService } from './groups/group-service.js';
import { RateLimiter } from './rate-limiter.js';

export interface PersonSessionOptions {
  service: ConversationService;
  /** Group rounds, for joining one (a channel's "Take part"); without it joining is refused. */
  groups?: GroupService | undefined;
  /** Resume-code attempts per person per minute (codes are short: guessing must stay slow). */
  resumeAttemptsPerMinute?: number;
  now?: () => number;
}

/**
 * The step named by buttons rendered with messages that are already out of
 * date when they are shown (another turn came in between): stepOf never
 * returns it, so such a button is refused as stale rather than accepted.
 */
const MOVED_ON = '~moved-on';

/** The step of the introduction (the core's state before the questions). */
const INTRO = 'intro';

/** The store's owner for a channel's identity. */
export function ownerOf(identity: Identity): Owner {
  return identity.channel === 'slack'
    ? { kind: 'slack', teamId: identity.teamId, userId: identity.userId }
    : { kind: 'teams', tenantId: identity.tenantId, userId: identity.userId };
}

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);

const isKind = (error: unknown, ...kinds: GovError['kind'][]): error is GovError => error instanceof GovError && kinds.includes(error.kind);

/** A stale turn as the service reports it: an earlier step's button, or another device answering first. */

export class PersonSessionService implements PersonSessions {
  private readonly service: ConversationService;
  private readonly resumeAttempts: RateLimiter;
  private readonly groups: GroupService | undefined;

  constructor(options: PersonSessionOptions) {
    this.service = options.service;
    this.groups = options.groups;
    this.resumeAttempts = new RateLimiter(options.resumeAttemptsPerMinute ?? 10, 60_000, options.now);
  }

  async say(identity: Identity, deliveryId: string, text: string): Promise<SessionOutcome> {
    const latest = await this.service.latestFor(ownerOf(identity));
    // First contact: introduce the assessment (with its Start button), whatever was said.
    if (!latest) return this.introduce(identity);
    return this.turn(identity, latest, deliveryId, { kind: 'text', text });
  }

  async begin(identity: Identity, deliveryId: string): Promise<SessionOutcome> {
    const active = await this.active(identity, deliveryId);
    // Delivered again: what it began, or continued, is the latest conversation, and its input differed by step.
    if (active?.handled) return { kind: 'replayed', ref: refOf(active) };
    if (active) {
      // At the introduction "start" starts the questions; anywhere else it shows the current step.
      const input: TurnInput = active.step === INTRO ? { kind: 'choice', choice: choiceIds.start } : { kind: 'start' };
      return this.turn(identity, active.conversationId, deliveryId, input);
    }
    // None yet, or the latest is finished: a new assessment (the service links it to the latest finished one).
    const started = await this.service.start({ channel: identity.channel, owner: ownerOf(identity), ...(identity.locale ? { locale: identity.locale } : {}) });
    const outcome = await this.turn(identity, started.conversationId, deliveryId, { kind: 'choice', choice: choiceIds.start });
    if (outcome.kind !== 'shown') return outcome;
    // The introduction without its Start button (it has just been pressed), then the first question.
    const intro = started.messages.map((m) => (m.kind === 'text' ? { ...m, choices: undefined } : m));
    return { ...outcome, messages: [...intro, ...outcome.messages] };
  }

  async joinRound(identity: Identity, deliveryId: string, code: string, perspective: string): Promise<SessionOutcome> {
    if (!this.groups) throw new GovError('NOT_FOUND', 'Group rounds are not available on this server.');
    // Answers and notes stay private by default: a member who wants to be named can say so on the web.
    const started = await this.groups.join({ code, choices: { perspective, shareNotes: false, shareAnswers: false }, channel: identity.channel, owner: ownerOf(identity) });
    const outcome = await this.turn(identity, started.conversationId, deliveryId, { kind: 'choice', choice: choiceIds.start });
    if (outcome.kind !== 'shown') return outcome;
    // As in begin: the welcome without its Start button (pressed just now), then the first question.
    const intro = started.messages.map((m) => (m.kind === 'text' ? { ...m, choices: undefined } : m));
    return { ...outcome, messages: [...intro, ...outcome.messages] };
  }

  async continueCurrent(identity: Identity, deliveryId: string): Promise<SessionOutcome> {
    const latest = await this.service.latestFor(ownerOf(identity));
    if (!latest) return this.begin(identity, deliveryId);
    return this.turn(identity, latest, deliveryId, { kind: 'start' });
  }

  async press(identity: Identity, deliveryId: string, at: StepRef, choice: string): Promise<SessionOutcome> {
    let now: Standing;
    try {
      // The button names its conversation; it must be this person's.
      now = await this.service.standing(at.conversationId, this.access(identity), this.turnId(identity, deliveryId));
    } catch (error) {
      if (isKind(error, 'NOT_FOUND')) return { kind: 'gone' };
      throw error;
    }
    if (now.handled) return { kind: 'replayed', ref: refOf(now) };
    if (now.step !== at.step) return this.staleOf(now);
    // The revision read here: should another turn slip in before this one, the service refuses it as stale.
    return this.turn(identity, at.conversationId, deliveryId, { kind: 'choice', choice }, now.revision);
  }

  async restart(identity: Identity, deliveryId: string): Promise<SessionOutcome> {
    const active = await this.active(identity);
    if (!active) return this.begin(identity, deliveryId);
    // The core asks to confirm, with buttons.
    return this.turn(identity, active.conversationId, deliveryId, { kind: 'choice', choice: choiceIds.command('restart') });
  }

  async switchLanguage(identity: Identity, deliveryId: string, asked: string): Promise<SessionOutcome | { kind: 'not-offered'; offered: readonly string[] }> {
    const offered = this.service.definition.flow.locales;
    const locale = negotiateLocale(offered, [asked]);
    if (!locale) return { kind: 'not-offered', offered };
    const latest = await this.service.latestFor(ownerOf(identity));
    if (!latest) return this.introduce({ ...identity, locale });
    // Valid at any step: no revision, so another device's answer in between does not refuse it.
    return this.turn(identity, latest, deliveryId, { kind: 'choice', choice: choiceIds.language(locale) });
  }

  async resume(identity: Identity, deliveryId: string, code: string): Promise<ResumeOutcome> {
    this.resumeAttempts.hit(ownerKey(ownerOf(identity)), 'resume attempts');
    let conversationId: string;
    try {
      ({ conversationId } = await this.service.resume(code, { owner: ownerOf(identity) }));
    } catch (error) {
      if (isKind(error, 'NOT_FOUND')) return { kind: 'code-invalid' };
      if (isKind(error, 'EXPIRED')) return { kind: 'code-expired' };
      throw error;
    }
    return this.turn(identity, conversationId, deliveryId, { kind: 'start' });
  }

  async status(identity: Identity): Promise<StatusOutcome> {
    const now = await this.latest(identity);
    if (!now) return { kind: 'none' };
    const { code, expiresAt, url } = await this.service.issueResumeCode(now.conversationId, this.access(identity));
    return { kind: 'status', ...(await this.standingOf(identity, now)), resume: { code, expiresAt, ...(url ? { url } : {}) } };
  }

  async standing(identity: Identity): Promise<StandingOutcome> {
    const now = await this.latest(identity);
    return now ? { kind: 'standing', ...(await this.standingOf(identity, now)) } : { kind: 'none' };
  }

  async report(identity: Identity, options: { link?: boolean } = {}): Promise<ReportOutcome> {
    const now = await this.latest(identity);
    if (!now) return { kind: 'none' };
    // The latest result: this conversation's, or (during a re-assessment) the one it re-takes.
    const holder = now.result ? now : await this.earlier(identity, now);
    if (!holder?.result) return { kind: 'not-finished', progress: now.progress, started: now.step !== INTRO };
    const result = holder.result;
    // When the result is the current step of the person's active conversation its buttons work; an
    // earlier assessment's result is shown for reading only (its "new assessment" would fork a third).
    const messages: Message[] = holder === now && holder.step === 'result' ? holder.current : [{ kind: 'result', text: result.texts.heading, result, choices: [] }];
    const link = options.link ? await this.service.issueReportLink(holder.conversationId, this.access(identity)) : undefined;
    return { kind: 'report', ref: refOf(holder), locale: holder.locale, result, messages, ...(link ? { link } : {}) };
  }

  async reportLink(identity: Identity, conversationId: string): Promise<{ path: string; url?: string; expiresAt: string } | { kind: 'gone' }> {
    try {
      return await this.service.issueReportLink(conversationId, this.access(identity));
    } catch (error) {
      if (isKind(error, 'NOT_FOUND')) return { kind: 'gone' };
      throw error;
    }
  }

  async hasAny(identity: Identity): Promise<boolean> {
    return (await this.service.latestFor(ownerOf(identity))) !== undefined;
  }

  forget(identity: Identity): Promise<number> {
    return this.service.forget(ownerOf(identity));
  }

  claimOnce(key: string, ttlMs: number): Promise<boolean> {
    return this.service.claimOnce(key, ttlMs);
  }

  // ---------------------------------------------------------------- helpers

  private access(identity: Identity): Access {
    return { kind: 'owner', owner: ownerOf(identity) };
  }

  /** A platform delivery as a turn id: a re-delivery is the same turn (replayed, not advanced twice). */
  private turnId(identity: Identity, deliveryId: string): string {
    return `${identity.channel}:${hash(ownerKey(ownerOf(identity)), deliveryId)}`;
  }

  private async introduce(identity: Identity): Promise<SessionOutcome> {
    const started = await this.service.start({ channel: identity.channel, owner: ownerOf(identity), ...(identity.locale ? { locale: identity.locale } : {}) });
    return { kind: 'shown', ref: { conversationId: started.conversationId, step: INTRO }, status: started.status, locale: started.locale, messages: started.messages };
  }

  /** The person's most recently updated conversation, as it stands. */
  private async latest(identity: Identity): Promise<Standing | undefined> {
    const id = await this.service.latestFor(ownerOf(identity));
    return id ? this.standingOrUndefined(identity, id) : undefined;
  }

  /**
   * The latest conversation while it is in progress (a finished one is not continued by "start" or "restart");
   * with `deliveryId`, its `handled` says whether that delivery was processed already.
   */
  private async active(identity: Identity, deliveryId?: string): Promise<Standing | undefined> {
    const id = await this.service.latestFor(ownerOf(identity));
    const now = id ? await this.standingOrUndefined(identity, id, {}, deliveryId) : undefined;
    return now?.status === 'active' ? now : undefined;
  }

  private async standingOf(identity: Identity, now: Standing): Promise<PersonStanding> {
    const latestResult = now.result ?? (await this.earlier(identity, now))?.result ?? null;
    return { ref: refOf(now), status: now.status, locale: now.locale, started: now.step !== INTRO, progress: now.progress, latestResult };
  }

  /** The earlier assessment a conversation re-takes, if it is still there. */
  private earlier(identity: Identity, now: Standing): Promise<Standing | undefined> {
    return now.previousId ? this.standingOrUndefined(identity, now.previousId, { damagedIsMissing: true }) : Promise.resolve(undefined);
  }

  private async standingOrUndefined(identity: Identity, conversationId: string, options: { damagedIsMissing?: boolean } = {}, deliveryId?: string): Promise<Standing | undefined> {
    try {
      return await this.service.standing(conversationId, this.access(identity), deliveryId === undefined ? undefined : this.turnId(identity, deliveryId));
    } catch (error) {
      // Deleted meanwhile (forget-me on another instance); a damaged earlier assessment only loses its comparison.
      if (isKind(error, 'NOT_FOUND') || (options.damagedIsMissing && isKind(error, 'UNRESTORABLE'))) return undefined;
      throw error;
    }
  }

  private async turn(identity: Identity, conversationId: string, deliveryId: string, input: TurnInput, revision?: number): Promise<SessionOutcome> {
    const access = this.access(identity);
    try {
      const reply = await this.service.turn({ conversationId, access, channel: identity.channel, turnId: this.turnId(identity, deliveryId), input, ...(revision !== undefined ? { revision } : {}) });
      if (isStaleTurn(reply)) {
        const now = await this.standingOrUndefined(identity, conversationId);
        return now ? this.staleOf(now) : { kind: 'gone' };
      }
      // "Start a new assessment" continues in the conversation it opened.
      const shownId = reply.switchTo?.conversationId ?? reply.conversationId;
      const shownRevision = reply.switchTo?.revision ?? reply.revision;
      const now = await this.service.standing(shownId, access);
      const ref = { conversationId: shownId, step: now.revision === shownRevision ? now.step : MOVED_ON };
      if (reply.replayed) return { kind: 'replayed', ref: refOf(now) };
      return { kind: 'shown', ref, status: reply.switchTo?.status ?? reply.status, locale: now.locale, messages: reply.messages };
    } catch (error) {
      if (isKind(error, 'NOT_FOUND')) return { kind: 'gone' };
      throw error;
    }
  }

  /** Nothing changed: the core's own words for a stale button, then where the conversation stands. */
  private staleOf(now: Standing): SessionOutcome {
    const notice: Message = { kind: 'text', tone: 'warning', text: textsFor(this.service.definition, now.locale).t('staleChoice') };
    return { kind: 'stale', ref: refOf(now), locale: now.locale, messages: [notice, ...now.current], current: now.current };
  }
}

function refOf(standing: Standing): StepRef {
  return { conversationId: standing.conversationId, step: standing.step };
}
