/**
 * The one turn pipeline every channel uses: load the conversation, advance
 * it with the pure core, save it (compare-and-swap on the revision), answer.
 * Channels only translate; they never touch the store or the machine.
 */
import { createHash } from 'node:crypto';
import { GovError } from '../errors.js';
import { textsFor, type AssessmentDefinition } from '../core/definition.js';
import type { Message, Progress, ResultView, TurnInput } from '../core/messages.js';
import { choiceLabel, progressOf, renderStep, stepOf } from '../core/conversation/render.js';
import { explain } from '../core/scoring/explain.js';
import { advance, newConversation, restore, upgrade } from '../core/conversation/turn.js';
import type { ConversationState } from '../core/conversation/state.js';
import { buildReport, type AssessmentReport } from '../reports/report.js';
import { KeyedMutex } from '../store/keyed-mutex.js';
import { sameOwner } from '../store/record.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { RECORD_SCHEMA_VERSION, type ChannelName, type ConversationRecord, type ConversationStore, type GroupMembership, type Owner, type TranscriptEntry, type TurnReceipt } from '../store/types.js';
import {
  deriveResumeCode,
  deriveToken,
  hashResumeCode,
  hashToken,
  newConversationId,
  newResumeCode,
  newToken,
  normalizeResumeCode,
  openedConversationId,
  sha256Hex,
  tokenMatches,
} from './secrets.js';
import { TEXT_PROBLEMS, textProblem } from '../safe-text.js';
import { answerOf, openingLine, openingMessages, renderTranscript, turnLine } from './transcript.js';

/** How a caller proves the conversation is theirs. */
export type Access = { kind: 'token'; token: string } | { kind: 'owner'; owner: Owner };

export interface ServiceOptions {
  definition: AssessmentDefinition;
  store: ConversationStore;
  resumeCodeTtlMs: number;
  /** How long a shared report link stays valid. */
  reportLinkTtlMs?: number;
  /** Turns processed at once in this process (the others queue). */
  maxTurnsInFlight?: number;
  now?: () => Date;
  /** Builds a resume link for a code, when the server knows its public URL. */
  resumeUrl?: (code: string) => string | undefined;
  /** Builds the absolute URL of a report path, when the server knows its public URL. */
  publicUrl?: (path: string) => string | undefined;
}

/** A conversation started as a respondent of a group round (src/service/groups). */
export interface RoundStart {
  membership: GroupMembership;
  /** What the round assesses: the flow's unit option, answered for the respondent. */
  unit: string | null;
  /** Messages shown before the introduction (the round's welcome). */
  welcome: Message[];
}

export interface ReportLink {
  /** Path on this server: /reports/<id>/<token>. */
  path: string;
  url?: string;
  expiresAt: string;
}

export interface Started {
  conversationId: string;
  resumeToken: string;
  resumeCode: string;
  resumeCodeExpiresAt: string;
  revision: number;
  status: ConversationRecord['state']['status'];
  /** The conversation's language (the one asked for, negotiated against the flow's). */
  locale: string;
  messages: Message[];
}

export interface TurnRequest {
  conversationId: string;
  access: Access;
  channel: ChannelName;
  /** Client-chosen id: a retried turn with the same id returns the same answer. */
  turnId: string;
  input: TurnInput;
  /** The revision the client last saw; if the conversation moved on since, the turn is refused as stale. */
  revision?: number;
}

/**
 * The conversation a "new assessment" turn opened. Its token and resume code
 * are given to a caller that holds a token (web, terminal), derived from it;
 * a Slack user reaches it as its owner and is given no secret.
 */
export type SwitchTo = Omit<Started, 'resumeToken' | 'resumeCode' | 'resumeCodeExpiresAt' | 'locale'> & Partial<Pick<Started, 'resumeToken' | 'resumeCode' | 'resumeCodeExpiresAt'>>;

export interface TurnReply {
  conversationId: string;
  revision: number;
  status: ConversationRecord['state']['status'];
  messages: Message[];
  /** True when this was a retry of a turn already processed. */
  replayed: boolean;
  /** Set when the person asked for a new assessment: continue with this conversation (the same one on every retry). */
  switchTo?: SwitchTo;
}

/**
 * A turn that names a step or revision the conversation has moved past: an
 * expected outcome (another tab or device answered first, an old button), not
 * an error. Nothing changed; `messages` say so and show where it stands.
 */
export interface StaleTurn {
  stale: true;
  /** moved-on: the client's revision is behind; not-current: the choice belongs to an earlier step. */
  reason: 'moved-on' | 'not-current';
  conversationId: string;
  revision: number;
  status: ConversationRecord['state']['status'];
  messages: Message[];
}

export type TurnResult = (TurnReply & { stale?: false }) | StaleTurn;

export const isStaleTurn = (result: TurnResult): result is StaleTurn => result.stale === true;

export interface ConversationView {
  conversationId: string;
  revision: number;
  status: ConversationRecord['state']['status'];
  createdAt: string;
  updatedAt: string;
  /** The conversation's language: a channel shows its own words in it. */
  locale: string;
  transcript: TranscriptEntry[];
  /** The current step, rendered: what to show to continue. */
  current: Message[];
}

export interface Standing {
  conversationId: string;
  revision: number;
  status: ConversationRecord['state']['status'];
  locale: string;
  /** stepOf the state: what a button rendered now is valid for. */
  step: string;
  progress: Progress;
  /** The result of the answers as they stand, once the assessment is finished. */
  result: ResultView | null;
  /** The current step, rendered. */
  current: Message[];
  /** True when the turn id asked about was processed already. */
  handled: boolean;
  /** The earlier assessment this one re-takes. */
  previousId?: string;
}

/**
 * How long a turn id is honoured (its retry replays the first answer instead
 * of applying again): the receipts of the conversation's last 256 turns and
 * every one younger than 24 hours, at most 1024. A whole assessment, notes
 * and changes included, is far below 256 turns, so in practice a turn id is
 * honoured for the conversation's life; the day covers a client that comes
 * back online and retries much later. A receipt is ~150 bytes (it points into
 * the transcript instead of copying the answer): the bound is a small part of
 * what the transcript of so many turns already holds.
 */
const RECEIPTS_KEPT = 256;
const RECEIPTS_KEPT_MS = 24 * 3_600_000;
const RECEIPTS_MAX = 1024;
/**
 * Attempts at a write that keeps losing the compare-and-swap to other
 * instances (each re-loads and re-applies), before answering "busy, try
 * again". Turns on one conversation take turns within a process, so only
 * other instances compete, and one of them wins every round.
 */
const CAS_ATTEMPTS = 20;

/** A new assessment a turn opened. Everything about it follows from that turn, so every retry reaches the same one. */
interface Opening {
  id: string;
  /** When the turn was taken: the conversation's creation, and the start of its resume code's validity. */
  at: string;
  channel: ChannelName;
  locale: string;
  owner: Owner | null;
  previousId: string | undefined;
  messages: Message[];
  /** Derived from the caller's token, for a caller that has one; never stored. */
  secrets?: { resumeToken: string; resumeCode: string; resumeCodeExpiresAt: string };
}

export class ConversationService {
  readonly definition: AssessmentDefinition;
  private readonly store: ConversationStore;
  private readonly now: () => Date;
  private readonly locks = new KeyedMutex();
  private readonly turnSlots: ConcurrencyLimit;

  constructor(private readonly options: ServiceOptions) {
    this.definition = options.definition;
    this.store = options.store;
    this.now = options.now ?? (() => new Date());
    this.turnSlots = new ConcurrencyLimit(options.maxTurnsInFlight ?? 64);
  }

  /**
   * Starts a conversation. `previousId` links a re-assessment to the earlier
   * one (its report then shows what changed); for an owner (Slack) it
   * defaults to their latest finished assessment.
   */
  async start(params: { channel: ChannelName; locale?: string; owner?: Owner; previousId?: string; round?: RoundStart }): Promise<Started> {
    const previousId = params.previousId ?? (params.owner ? (await this.store.findByOwner(params.owner)).find((c) => c.status === 'finished')?.id : undefined);
    const at = this.now().toISOString();
    const resumeToken = newToken();
    const resumeCode = newResumeCode();
    const resumeCodeExpiresAt = this.resumeCodeExpiry(at);
    const record = this.newRecord({ id: newConversationId(), at, channel: params.channel, locale: params.locale, owner: params.owner ?? null, previousId, secrets: { resumeToken, resumeCode, resumeCodeExpiresAt }, round: params.round });
    await this.store.create(record);
    const messages = openingMessages(this.definition, record.state, params.round?.welcome ?? []);
    return { conversationId: record.id, resumeToken, resumeCode, resumeCodeExpiresAt, revision: 0, status: record.state.status, locale: record.state.locale, messages };
  }

  /** What a new conversation opens with, without creating one (the web creates it on the first reply). */
  introduction(locale?: string): Message[] {
    return newConversation(this.definition, locale).messages;
  }

  private newRecord(params: { id: string; at: string; channel: ChannelName; locale: string | undefined; owner: Owner | null; previousId: string | undefined; secrets?: Opening['secrets']; round?: RoundStart | undefined }): ConversationRecord {
    const { at, channel, secrets, round } = params;
    const opened = newConversation(this.definition, params.locale).state;
    // A round says what is assessed: its members go from the introduction straight to the first question.
    const state = round?.unit ? { ...opened, machine: { ...opened.machine, context: { ...opened.machine.context, unit: round.unit } } } : opened;
    return {
      recordVersion: RECORD_SCHEMA_VERSION,
      id: params.id,
      revision: 0,
      createdAt: at,
      updatedAt: at,
      channel,
      // Without a token to give (a Slack user's), one nobody knows: the owner is how it is reached.
      tokenHash: hashToken(secrets?.resumeToken ?? newToken()),
      resumeCode: secrets ? { hash: hashResumeCode(secrets.resumeCode), expiresAt: secrets.resumeCodeExpiresAt } : null,
      owner: params.owner,
      state,
      transcript: [openingLine({ at, channel, state, lead: round?.welcome ?? [] })],
      receipts: [],
      ...(params.previousId ? { previousId: params.previousId } : {}),
      ...(round ? { group: round.membership } : {}),
    };
  }

  private resumeCodeExpiry(from: string): string {
    return new Date(Date.parse(from) + this.options.resumeCodeTtlMs).toISOString();
  }

  /** Loads a conversation the caller may access. Unknown and not-yours look the same (no leak). */
  private async load(conversationId: string, access: Access): Promise<ConversationRecord> {
    const record = await this.store.get(conversationId);
    const allowed =
      record !== undefined &&
      (access.kind === 'token'
        ? tokenMatches(access.token, record.tokenHash)
        : sameOwner(record.owner, access.owner));
    if (!record || !allowed) {
      throw new GovError(access.kind === 'token' ? 'UNAUTHORIZED' : 'NOT_FOUND', 'No conversation with that id for these credentials.', undefined, { say: { key: 'notYours' } });
    }
    return record;
  }

  async view(conversationId: string, access: Access): Promise<ConversationView> {
    const record = await this.load(conversationId, access);
    const state = this.restorable(record);
    return {
      conversationId: record.id,
      revision: record.revision,
      status: state.status,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      locale: state.locale,
      transcript: renderTranscript(this.definition, record),
      current: renderStep(this.definition, textsFor(this.definition, state.locale), state),
    };
  }

  /**
   * Where a conversation stands, from its state (never from rendered
   * messages): the step a button rendered now is valid for, the progress,
   * the result of a finished assessment. For person-facing channels.
   * `turnId`: whether a turn with that id was processed already.
   */
  async standing(conversationId: string, access: Access, turnId?: string): Promise<Standing> {
    const record = await this.load(conversationId, access);
    const state = this.restorable(record);
    const texts = textsFor(this.definition, state.locale);
    return {
      conversationId: record.id,
      revision: record.revision,
      status: state.status,
      locale: state.locale,
      step: stepOf(this.definition, state),
      progress: progressOf(this.definition, state),
      result: state.status === 'finished' ? explain(this.definition, texts, state.machine.context) : null,
      current: renderStep(this.definition, texts, state),
      handled: turnId !== undefined && record.receipts.some((r) => r.turnId === turnId),
      ...(record.previousId ? { previousId: record.previousId } : {}),
    };
  }

  async turn(request: TurnRequest): Promise<TurnResult> {
    const unsafe = unsafeText(request.input);
    if (unsafe) throw unsafe;
    // One turn at a time per conversation in this process; the revision check guards across processes.
    // And a bounded number of turns at once overall: past what the disk absorbs, more in flight only
    // holds more conversations in memory, so the rest wait their turn as small requests.
    return this.locks.runExclusive(request.conversationId, () =>
      this.turnSlots.run(async () => {
        const once = await this.retryingLostRaces(() => this.turnOnce(request));
        if ('stale' in once) return once.stale;
        const { reply, opening } = once;
        if (!opening) return reply;
        // Only once the turn is recorded, and outside its retried compare-and-swap: created once, whatever
        // the retries (of the request, or of a lost race), because its id comes from the turn.
        await this.open(opening);
        return { ...reply, switchTo: { conversationId: opening.id, revision: 0, status: 'active', messages: opening.messages, ...opening.secrets } };
      }),
    );
  }

  private async turnOnce(request: TurnRequest): Promise<{ reply: TurnReply; opening?: Opening } | { stale: StaleTurn }> {
    const record = await this.load(request.conversationId, request.access);
    const inputHash = inputDigest(request.input);
    const receipt = record.receipts.find((r) => r.turnId === request.turnId);
    if (receipt) {
      if (!sameInput(receipt, request.input)) throw new GovError('CONFLICT', 'This turn id was already used for a different answer. Use a new turn id for a new answer.');
      const replayed = ((receipt.reply !== undefined ? renderTranscript(this.definition, record)[receipt.reply]?.messages : receipt.messages) ?? []) as Message[];
      const reply: TurnReply = { conversationId: record.id, revision: record.revision, status: record.state.status, messages: replayed, replayed: true };
      return { reply, ...(receipt.opened ? { opening: this.opening(record, request, receipt.opened, receipt.at, replayed) } : {}) };
    }
    const texts = () => textsFor(this.definition, record.state.locale);
    const stale = (reason: StaleTurn['reason'], messages: Message[]) => ({
      stale: { stale: true as const, reason, conversationId: record.id, revision: record.revision, status: record.state.status, messages },
    });
    if (request.revision !== undefined && request.revision !== record.revision) {
      return stale('moved-on', [{ kind: 'text', tone: 'warning', text: texts().t('staleChoice') }, ...renderStep(this.definition, texts(), this.restorable(record))]);
    }

    const now = this.now();
    const at = now.toISOString();
    const outcome = this.unwrap(advance(this.definition, record.state, request.input, now));
    if (outcome.stale) return stale('not-current', outcome.messages);

    let messages = answerOf(this.definition, record.state, outcome);
    let resumeCode = record.resumeCode;
    let opened: string | undefined;
    if (outcome.signal === 'pause') {
      const code = newResumeCode();
      const expiresAt = new Date(now.getTime() + this.options.resumeCodeTtlMs).toISOString();
      resumeCode = { hash: hashResumeCode(code), expiresAt };
      const url = this.options.resumeUrl?.(code);
      messages = messages.map((m) => (m.kind === 'paused' ? { ...m, resume: { code, expiresAt, ...(url ? { url } : {}) } } : m));
    } else if (outcome.signal === 'newAssessment') {
      // Not created here: this attempt may lose the revision race and run again (see turn()).
      opened = openedConversationId(record.id, request.turnId);
    }

    const userText = request.input.kind === 'text' ? request.input.text : request.input.kind === 'choice' ? choiceLabel(this.definition, textsFor(this.definition, outcome.state.locale), request.input.choice) : undefined;
    const transcript: TranscriptEntry[] = [
      ...record.transcript,
      ...(userText !== undefined ? [{ at, from: 'user' as const, channel: request.channel, text: userText }] : []),
      // What the answer follows from, not the messages: they are rendered again on read (transcript.ts).
      turnLine(this.definition, record, { at, channel: request.channel, input: request.input }),
    ];
    const next: ConversationRecord = {
      ...record,
      revision: record.revision + 1,
      updatedAt: at,
      resumeCode,
      state: outcome.state,
      transcript,
      // The receipt points at the bot's answer in the transcript rather than holding a second copy of it.
      receipts: keptReceipts([...record.receipts, { turnId: request.turnId, at, inputHash, reply: transcript.length - 1, ...(opened ? { opened } : {}) }], now),
    };
    await this.store.update(next, record.revision);
    const reply: TurnReply = { conversationId: record.id, revision: next.revision, status: next.state.status, messages, replayed: false };
    return { reply, ...(opened ? { opening: this.opening(record, request, opened, at, messages) } : {}) };
  }

  /** The new assessment a turn opened (or, retried, had opened): all of it follows from the turn and the caller's token. */
  private opening(record: ConversationRecord, request: TurnRequest, id: string, at: string, messages: Message[]): Opening {
    const key = request.access.kind === 'token' ? request.access.token : undefined;
    return {
      id,
      at,
      channel: request.channel,
      locale: record.state.locale,
      owner: record.owner,
      // The new assessment re-takes this one if it is finished, else whatever this one re-took.
      previousId: record.state.status === 'finished' ? record.id : record.previousId,
      messages,
      ...(key
        ? { secrets: { resumeToken: deriveToken(key, `opened-token:${id}`), resumeCode: deriveResumeCode(key, `opened-code:${id}`), resumeCodeExpiresAt: this.resumeCodeExpiry(at) } }
        : {}),
    };
  }

  /** Creates the conversation a turn opened, unless an earlier attempt (here or on another instance) already did. */
  private async open(opening: Opening): Promise<void> {
    try {
      await this.store.create(this.newRecord(opening));
    } catch (error) {
      if (!(error instanceof GovError && error.kind === 'CONFLICT') || (await this.store.get(opening.id)) === undefined) throw error;
    }
  }

  /**
   * Runs a load, change, compare-and-swap attempt again, from a fresh load,
   * while it loses the race to another instance's write: a change that did
   * not name a revision must apply, not fail because of someone else's.
   */
  private async retryingLostRaces<T>(attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (!lostRace(error)) throw error;
        if (n >= CAS_ATTEMPTS) {
          throw new GovError('UNAVAILABLE', 'This conversation is busy with other answers right now; nothing was changed. Please try again.', { retryAfterSeconds: 1 }, { cause: error, say: { key: 'busy' } });
        }
        // A little random backoff, so instances racing for one conversation do not collide in lock-step.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** n)));
      }
    }
  }

  /** A fresh resume code for "save and continue later" (the old one stops working). */
  async issueResumeCode(conversationId: string, access: Access): Promise<{ code: string; expiresAt: string; url?: string; revision: number }> {
    return this.locks.runExclusive(conversationId, () => this.retryingLostRaces(async () => {
      const record = await this.load(conversationId, access);
      const code = newResumeCode();
      const now = this.now();
      const expiresAt = new Date(now.getTime() + this.options.resumeCodeTtlMs).toISOString();
      await this.store.update({ ...record, revision: record.revision + 1, updatedAt: now.toISOString(), resumeCode: { hash: hashResumeCode(code), expiresAt } }, record.revision);
      const url = this.options.resumeUrl?.(code);
      return { code, expiresAt, revision: record.revision + 1, ...(url ? { url } : {}) };
    }));
  }

  /**
   * Exchanges a resume code for access on this device or channel. A new bearer
   * token is issued (the previous one stops working) and, in Slack, the
   * conversation becomes the Slack user's.
   */
  async resume(codeInput: string, params: { owner?: Owner } = {}): Promise<{ conversationId: string; resumeToken: string }> {
    const code = normalizeResumeCode(codeInput);
    const invalid = () => new GovError('NOT_FOUND', 'That resume code is not valid. Check it and try again.', undefined, { say: { key: 'resumeCodeInvalid' } });
    if (!code) throw invalid();
    const id = await this.store.findByResumeCodeHash(hashResumeCode(code));
    if (!id) throw invalid();
    return this.locks.runExclusive(id, () => this.retryingLostRaces(async () => {
      const record = await this.store.get(id);
      if (!record || record.resumeCode?.hash !== hashResumeCode(code)) throw invalid();
      if (Date.parse(record.resumeCode.expiresAt) <= this.now().getTime()) throw new GovError('EXPIRED', 'That resume code has expired. Start a new assessment, or ask for a new code where you saved it.', undefined, { say: { key: 'resumeCodeExpired' } });
      const resumeToken = newToken();
      await this.store.update(
        { ...record, revision: record.revision + 1, updatedAt: this.now().toISOString(), tokenHash: hashToken(resumeToken), ...(params.owner ? { owner: params.owner } : {}) },
        record.revision,
      );
      return { conversationId: id, resumeToken };
    }));
  }

  /** A conversation's group membership and status, for the caller who may access it (the round's own checks follow). */
  async membership(conversationId: string, access: Access): Promise<{ group: GroupMembership | undefined; status: ConversationRecord['state']['status'] }> {
    const record = await this.load(conversationId, access);
    return { group: record.group, status: record.state.status };
  }

  /** The report of a finished assessment the caller may access: in the conversation's language, or in `locale` if the flow offers it. */
  async report(conversationId: string, access: Access, locale?: string): Promise<AssessmentReport> {
    return this.reportOf(await this.load(conversationId, access), locale);
  }

  private async reportOf(record: ConversationRecord, locale?: string): Promise<AssessmentReport> {
    const state = this.unwrap(upgrade(this.definition, record.state));
    if (state.status !== 'finished') throw new GovError('CONFLICT', 'The report is ready once the assessment is finished (see your result first).', undefined, { say: { key: 'reportNotReady' } });
    let previous: ConversationState | undefined;
    if (record.previousId) {
      try {
        const earlier = await this.store.get(record.previousId);
        const migrated = earlier ? upgrade(this.definition, earlier.state) : undefined;
        if (migrated?.ok && migrated.value.status === 'finished') previous = migrated.value;
      } catch (error) {
        // A damaged earlier assessment must not hide this one's report: only the comparison is left out.
        if (!(error instanceof GovError && error.kind === 'UNRESTORABLE')) throw error;
      }
    }
    return buildReport(this.definition, state, this.now(), previous, locale);
  }

  /** Creates (or replaces) the shareable report link of a finished assessment. */
  async issueReportLink(conversationId: string, access: Access): Promise<ReportLink> {
    return this.locks.runExclusive(conversationId, () => this.retryingLostRaces(async () => {
      const record = await this.load(conversationId, access);
      if (record.state.status !== 'finished') throw new GovError('CONFLICT', 'The report is ready once the assessment is finished (see your result first).', undefined, { say: { key: 'reportNotReady' } });
      const token = newToken();
      const now = this.now();
      const expiresAt = new Date(now.getTime() + (this.options.reportLinkTtlMs ?? 30 * 86_400_000)).toISOString();
      await this.store.update(
        { ...record, revision: record.revision + 1, updatedAt: now.toISOString(), reportLink: { hash: hashToken(token), createdAt: now.toISOString(), expiresAt, revokedAt: null } },
        record.revision,
      );
      const path = `/reports/${record.id}/${token}`;
      const url = this.options.publicUrl?.(path);
      return { path, expiresAt, ...(url ? { url } : {}) };
    }));
  }

  /** Revokes the report link: it stops working at once. */
  async revokeReportLink(conversationId: string, access: Access): Promise<void> {
    await this.locks.runExclusive(conversationId, () => this.retryingLostRaces(async () => {
      const record = await this.load(conversationId, access);
      if (!record.reportLink || record.reportLink.revokedAt) return;
      const at = this.now().toISOString();
      await this.store.update({ ...record, revision: record.revision + 1, updatedAt: at, reportLink: { ...record.reportLink, revokedAt: at } }, record.revision);
    }));
  }

  /** The report behind a shared link. Wrong, revoked and unknown links look the same. */
  async reportByLink(conversationId: string, token: string, locale?: string): Promise<AssessmentReport> {
    const notFound = () => new GovError('NOT_FOUND', 'This report link is not valid (it may have been revoked).', undefined, { say: { key: 'reportLinkInvalid' } });
    const record = await this.store.get(conversationId);
    const link = record?.reportLink;
    if (!record || !link || link.revokedAt !== null || !tokenMatches(token, link.hash)) throw notFound();
    if (Date.parse(link.expiresAt) <= this.now().getTime()) throw new GovError('EXPIRED', 'This report link has expired. Ask for a new one from the assessment.', undefined, { say: { key: 'reportLinkExpired' } });
    return this.reportOf(record, locale);
  }

  /** The owner's most recently active conversation (last updated), if any. */
  async latestFor(owner: Owner): Promise<string | undefined> {
    const owned = await this.store.findByOwner(owner);
    return owned.reduce<(typeof owned)[number] | undefined>((latest, c) => (!latest || c.updatedAt > latest.updatedAt ? c : latest), undefined)?.id;
  }

  /**
   * True the first time `key` is claimed within `ttlMs`, across every
   * instance sharing the store: for deduplicating deliveries (Slack events).
   */
  claimOnce(key: string, ttlMs: number): Promise<boolean> {
    return this.store.claimOnce(key, ttlMs);
  }

  /** Deletes every conversation of an owner; returns how many. */
  async forget(owner: Owner): Promise<number> {
    let removed = 0;
    for (const summary of await this.store.findByOwner(owner)) if (await this.store.delete(summary.id)) removed++;
    return removed;
  }

  /**
   * The stored state, brought up to date and checked to be one this version
   * can continue (a step it has): UNRESTORABLE otherwise, before anything
   * tries to render it.
   */
  private restorable(record: ConversationRecord): ConversationState {
    const state = this.unwrap(upgrade(this.definition, record.state));
    this.unwrap(restore(this.definition, state));
    return state;
  }

  private unwrap<T>(result: { ok: true; value: T } | { ok: false; error: GovError }): T {
    if (!result.ok) throw result.error;
    return result.value;
  }
}

/** The receipts still honoured after a turn (see RECEIPTS_KEPT). */
function keptReceipts(receipts: TurnReceipt[], now: Date): TurnReceipt[] {
  const since = now.getTime() - RECEIPTS_KEPT_MS;
  return receipts.filter((receipt, i) => i >= receipts.length - RECEIPTS_KEPT || Date.parse(receipt.at) > since).slice(-RECEIPTS_MAX);
}

/** A write that lost the compare-and-swap (the store says so), or a fresh resume code that happened to be taken: worth another attempt. */
function lostRace(error: unknown): boolean {
  return error instanceof GovError && error.kind === 'CONFLICT' && (error.details?.reason === 'revision' || error.details?.reason === 'resume-code-taken');
}

/**
 * The refusal of a turn whose text no store may keep (see safe-text.ts),
 * checked here so every channel gets it, before anything is loaded.
 */
function unsafeText(input: TurnInput): GovError | undefined {
  const [field, text] = input.kind === 'text' ? ['text', input.text] : input.kind === 'choice' ? ['choice', input.choice] : [undefined, undefined];
  const problem = text === undefined ? undefined : textProblem(text);
  if (!problem) return undefined;
  return new GovError('BAD_INPUT', `That message ${TEXT_PROBLEMS[problem]}; nothing was changed. Send it again without it.`, { field, problem }, { say: { key: `text.${problem}` } });
}

/**
 * What a receipt keeps of a turn's input, to tell a retry from another answer
 * under the same turn id: 128 bits of its sha256 (base64url), plenty against
 * accidents and a third of the hex's size on every receipt.
 */
function inputDigest(input: TurnInput): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('base64url').slice(0, 22);
}

/** Receipts written before the digest was shortened hold the whole sha256 in hex. */
function sameInput(receipt: TurnReceipt, input: TurnInput): boolean {
  return receipt.inputHash === (receipt.inputHash.length === 64 ? sha256Hex(JSON.stringify(input)) : inputDigest(input));
}
