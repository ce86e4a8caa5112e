/**
 * Govstage in Microsoft Teams: what a message, a card click or an install
 * does. Translation only: every conversation decision is made by
 * PersonSessions; this file reads the activity, calls it, and renders the
 * typed outcome as Adaptive Cards.
 */
import { createHash, randomUUID } from 'node:crypto';
import { GovError, toGovError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Message } from '../../core/messages.js';
import type { PersonSessions, SessionOutcome, StepRef } from '../../service/person-sessions-api.js';
import { RateLimiter } from '../../service/rate-limiter.js';
import { commandWords, personCommand, type CommandWords } from '../commands.js';
import { personMessage } from '../../i18n/person-message.js';
import type { Locales, Words } from '../../i18n/words.js';
import { ACTION_INVOKE, cardDataOf, identityOf, IncomingActivity, isPersonal, mentionsBot, typedText, type TeamsIdentity } from './activity.js';
import { choseNote, consumedCard, forgetConfirmCard, helpCard, helpText, renderCards, reportLinkText, statusCard, textCard, type AdaptiveCard, type CardData } from './cards.js';

/** Longest typed reply taken (as on the web and in Slack). */
export const TEXT_LIMIT = 2000;
/** How long a delivery id is remembered, across instances, to process a re-delivery once. */
const DELIVERY_TTL_MS = 60 * 60_000;

/** What the bot needs from a turn: the activity, and ways to answer. The SDK's TurnContext, adapted (teams-channel.ts). */
export interface TeamsTurn {
  readonly activity: unknown;
  /** Posts cards to the conversation (in a channel: in the thread). */
  post(cards: readonly AdaptiveCard[], summary: string): Promise<void>;
  /** Replaces an earlier message (the clicked card). */
  update(activityId: string, card: AdaptiveCard): Promise<void>;
  /** The HTTP answer to an invoke. */
  invokeResponse(body: unknown): Promise<void>;
}

export interface TeamsBotOptions {
  sessions: PersonSessions;
  /** The locale catalogues: Teams' own words, in the person's language. */
  locales: Locales;
  logger: Logger;
  /** PUBLIC_URL, for links to the web. */
  publicUrl?: string | undefined;
  /** Also accept the Bot Framework Emulator's channel (anonymous development only). */
  acceptEmulator?: boolean;
  now?: () => number;
}

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
/** Names a person in a card's data without writing their ids into it. */
const whoOf = (identity: TeamsIdentity) => hash('who', identity.tenantId, identity.userId);

/** An Action.Execute answer that leaves the card as it is. */
const KEEP_CARD = { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: '' } as const;
const replaceCard = (card: AdaptiveCard) => ({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });
const toast = (text: string) => ({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text });

export class TeamsBot {
  private readonly sessions: PersonSessions;
  private readonly log: Logger;
  private readonly publicUrl: string | undefined;
  private readonly acceptEmulator: boolean;
  private readonly inputs: RateLimiter;
  private readonly locales: Locales;
  private readonly commands: CommandWords;
  /** Per turn: the words of the person's language once known (see wordsOf). */
  private readonly spoken = new WeakMap<TeamsTurn, Words>();

  constructor(options: TeamsBotOptions) {
    this.sessions = options.sessions;
    this.locales = options.locales;
    this.commands = commandWords(options.locales);
    this.log = options.logger.child({ channel: 'teams' });
    this.publicUrl = options.publicUrl?.replace(/\/$/, '');
    this.acceptEmulator = options.acceptEmulator ?? false;
    this.inputs = new RateLimiter(60, 60_000, options.now);
  }

  /** One incoming activity. Never throws: whatever goes wrong reaches the person as a message and the log. */
  async handle(turn: TeamsTurn): Promise<void> {
    const parsed = IncomingActivity.safeParse(turn.activity);
    if (!parsed.success) {
      this.log.warn({ issue: parsed.error.issues[0]?.message, path: parsed.error.issues[0]?.path.join('.') }, 'an activity that does not look like Teams sends them: ignored');
      return;
    }
    const activity = parsed.data;
    const isClick = activity.type === 'invoke' && activity.name === ACTION_INVOKE;
    if (activity.channelId !== 'msteams' && !(this.acceptEmulator && activity.channelId === 'emulator')) {
      this.log.info({ channelId: activity.channelId }, 'an activity from a channel other than Teams: ignored');
      return;
    }
    const identity: TeamsIdentity | undefined = identityOf(activity) ?? (activity.channelId === 'emulator' ? { channel: 'teams', tenantId: 'emulator', userId: activity.from.id } : undefined);
    if (!identity) {
      this.log.warn('a Teams activity without a tenant: ignored');
      if (isClick) await turn.invokeResponse(KEEP_CARD);
      return;
    }
    try {
      // Delivered again (a retry, possibly to another instance): handled once.
      const deliveryId = activity.id ? hash(activity.conversation.id, activity.id) : undefined;
      if (deliveryId && !(await this.sessions.claimOnce(`teams:activity:${deliveryId}`, DELIVERY_TTL_MS))) {
        this.log.info({ type: activity.type }, 'repeated Teams delivery ignored');
        if (isClick) await turn.invokeResponse(KEEP_CARD);
        return;
      }
      // Without an id a delivery cannot be recognised again: it counts as new.
      const delivery = deliveryId ?? randomUUID();
      const data = cardDataOf(activity);
      if (data) await this.click(turn, activity, identity, delivery, data);
      else if (activity.type === 'message') await this.message(turn, activity, identity, delivery);
      else if (activity.type === 'conversationUpdate') await this.installed(turn, activity, identity, delivery);
      else if (isClick) await turn.invokeResponse(KEEP_CARD);
    } catch (error) {
      await this.tellError(turn, identity, error, isClick);
    }
  }

  // ---------------------------------------------------------------- entry points

  private async message(turn: TeamsTurn, activity: IncomingActivity, identity: TeamsIdentity, delivery: string): Promise<void> {
    // In a channel or group chat, only what is addressed to us.
    if (!isPersonal(activity) && !mentionsBot(activity)) return;
    this.inputs.hit(`${identity.channel}:${identity.tenantId}:${identity.userId}`, 'messages');
    const text = typedText(activity);
    if (text.length > TEXT_LIMIT) {
      await this.say(turn, (await this.wordsOf(turn, identity)).t('teams.tooLong', { limit: TEXT_LIMIT }));
      return;
    }
    const command = personCommand(text, this.commands);
    switch (command?.kind) {
      case 'start':
        return this.show(turn, await this.sessions.begin(identity, delivery));
      case 'continue':
        return this.show(turn, await this.sessions.continueCurrent(identity, delivery));
      case 'resume': {
        const outcome = await this.sessions.resume(identity, delivery, command.code);
        if (outcome.kind === 'code-invalid') return this.say(turn, (await this.wordsOf(turn, identity)).t('teams.codeInvalid'));
        if (outcome.kind === 'code-expired') return this.say(turn, (await this.wordsOf(turn, identity)).t('teams.codeExpired'));
        this.log.info({ conversationId: outcome.kind === 'gone' ? undefined : outcome.ref.conversationId }, 'conversation moved to Teams with a resume code');
        return this.show(turn, outcome);
      }
      case 'status':
        return this.status(turn, identity);
      case 'report':
        return this.report(turn, identity);
      case 'forget-me': {
        const w = await this.wordsOf(turn, identity);
        await turn.post([(await this.sessions.hasAny(identity)) ? forgetConfirmCard(whoOf(identity), w) : textCard(w.t('teams.forgetNothing'))], w.t('teams.forgetAsk'));
        return;
      }
      case 'language': {
        const outcome = await this.sessions.switchLanguage(identity, delivery, command.locale);
        if (outcome.kind !== 'not-offered') return this.show(turn, outcome);
        const w = await this.wordsOf(turn, identity);
        const offered = this.locales.languages();
        return this.say(turn, w.t('teams.unknownLanguage', { languages: offered.map((l) => `**${l.locale}** (${l.name})`).join(', '), example: offered.find((l) => l.locale !== w.locale)?.locale ?? w.locale }));
      }
      case 'help': {
        // During an assessment the core's own help (how to answer) comes first.
        if (await this.sessions.hasAny(identity)) await this.show(turn, await this.sessions.say(identity, delivery, text));
        const w = await this.wordsOf(turn, identity);
        await turn.post([helpCard(w, this.languageList())], helpText(w, this.languageList()));
        return;
      }
      case undefined:
        return this.show(turn, await this.sessions.say(identity, delivery, text));
    }
  }

  /** A click on one of our buttons (Action.Execute, or Action.Submit from older clients). */
  private async click(turn: TeamsTurn, activity: IncomingActivity, identity: TeamsIdentity, delivery: string, data: CardData): Promise<void> {
    const cardId = activity.replyToId ?? undefined;
    const answer = async (card: AdaptiveCard | undefined, fallback: object = KEEP_CARD) => {
      if (card && cardId) {
        try {
          await turn.update(cardId, card);
        } catch (error) {
          // The card is only a view of the answer (deleted meanwhile, say): the conversation goes on.
          this.log.warn({ err: loggableError(error) }, 'could not update the clicked card');
        }
      }
      if (activity.type === 'invoke') await turn.invokeResponse(card ? replaceCard(card) : fallback);
    };
    this.inputs.hit(`${identity.channel}:${identity.tenantId}:${identity.userId}`, 'clicks');
    switch (data.action) {
      case 'choose': {
        const at: StepRef = { conversationId: data.conversationId, step: data.step };
        const outcome = await this.sessions.press(identity, delivery, at, data.choice);
        switch (outcome.kind) {
          case 'shown': {
            // The card is spent once the conversation moved on; "why" or "help" leave it usable.
            const spent = outcome.ref.conversationId !== at.conversationId || outcome.ref.step !== at.step;
            await answer(spent ? consumedCard(choseNote(data.label, this.heard(turn, outcome.locale)), data.title) : undefined);
            return this.show(turn, outcome);
          }
          case 'stale':
            await answer(consumedCard(this.heard(turn, outcome.locale).t('teams.outdated'), data.title));
            return this.show(turn, outcome);
          case 'replayed':
            return answer(undefined);
          case 'gone': {
            // Someone else's card (in a channel) stays as it is for its owner.
            const gone = (await this.wordsOf(turn, identity)).t('teams.gone');
            await answer(undefined, toast(gone));
            return this.say(turn, gone);
          }
        }
        return;
      }
      case 'continue':
        await answer(consumedCard((await this.wordsOf(turn, identity)).t('teams.continuing')));
        return this.show(turn, await this.sessions.continueCurrent(identity, delivery));
      case 'forget-yes':
      case 'forget-no': {
        const w = await this.wordsOf(turn, identity);
        // Someone else's confirmation (in a channel): not theirs to answer.
        if (data.who !== whoOf(identity)) return answer(undefined, toast(w.t('teams.notYours')));
        if (data.action === 'forget-no') return answer(consumedCard(w.t('teams.forgetKept')));
        const removed = await this.sessions.forget(identity);
        this.log.info({ removed }, 'forget-me: conversations deleted');
        return answer(consumedCard(w.t('teams.forgetDone', { count: removed })));
      }
      case 'report-link': {
        await answer(undefined);
        const link = await this.sessions.reportLink(identity, data.conversationId);
        const w = await this.wordsOf(turn, identity);
        return this.say(turn, 'kind' in link ? w.t('teams.gone') : reportLinkText(link, w));
      }
    }
  }

  /** Installed: in a personal chat, first contact introduces the assessment; in a team, a short hello in the channel. */
  private async installed(turn: TeamsTurn, activity: IncomingActivity, identity: TeamsIdentity, delivery: string): Promise<void> {
    if (!(activity.membersAdded ?? []).some((m) => m.id === activity.recipient.id)) return;
    const w = await this.wordsOf(turn, identity);
    if (!isPersonal(activity)) return this.say(turn, w.t('teams.channelWelcome'));
    if (await this.sessions.hasAny(identity)) {
      await turn.post([helpCard(w, this.languageList(), w.t('teams.welcomeBack'))], w.t('teams.welcomeBack'));
      return;
    }
    await this.show(turn, await this.sessions.say(identity, delivery, ''));
  }

  // ---------------------------------------------------------------- the work

  private async status(turn: TeamsTurn, identity: TeamsIdentity): Promise<void> {
    const status = await this.sessions.status(identity);
    if (status.kind === 'status') this.heard(turn, status.locale);
    const w = await this.wordsOf(turn, identity);
    if (status.kind === 'none') return this.say(turn, w.t('teams.noAssessment'));
    await turn.post([statusCard(status, w)], w.t('teams.statusAnswered', { answered: status.progress.answered, total: status.progress.total }));
  }

  private async report(turn: TeamsTurn, identity: TeamsIdentity): Promise<void> {
    const report = await this.sessions.report(identity, { link: this.publicUrl !== undefined });
    if (report.kind === 'report') this.heard(turn, report.locale);
    const w = await this.wordsOf(turn, identity);
    if (report.kind === 'none') return this.say(turn, w.t('teams.noAssessment'));
    if (report.kind === 'not-finished') return this.say(turn, w.t('teams.noResult', { answered: report.progress.answered, total: report.progress.total }));
    await this.post(turn, report.ref, report.messages);
    if (report.link) await this.say(turn, reportLinkText(report.link, w));
  }

  /** Renders an outcome: its messages as cards whose buttons carry the step they belong to. */
  private async show(turn: TeamsTurn, outcome: SessionOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'shown':
      case 'stale':
        this.heard(turn, outcome.locale);
        return this.post(turn, outcome.ref, outcome.messages);
      case 'replayed':
        return;
      case 'gone':
        return this.say(turn, (this.spoken.get(turn) ?? this.locales.words(undefined)).t('teams.gone'));
    }
  }

  private async post(turn: TeamsTurn, ref: StepRef, messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    const words = this.spoken.get(turn) ?? this.locales.words(undefined);
    await turn.post(renderCards(messages, { ref, publicUrl: this.publicUrl, words }), summaryOf(messages));
  }

  /** The words of a conversation's language, from an outcome that said it: the rest of the turn speaks it. */
  private heard(turn: TeamsTurn, locale: string): Words {
    const words = this.locales.words(locale);
    this.spoken.set(turn, words);
    return words;
  }

  /**
   * Teams' own words for this turn: the conversation's language once an outcome said it, else the person's
   * latest conversation's, else the language of their Teams client (the activity's locale).
   */
  private async wordsOf(turn: TeamsTurn, identity: TeamsIdentity): Promise<Words> {
    const known = this.spoken.get(turn);
    if (known) return known;
    const standing = await this.sessions.standing(identity).catch(() => ({ kind: 'none' as const }));
    const words = this.locales.words(standing.kind === 'standing' ? standing.locale : identity.locale);
    this.spoken.set(turn, words);
    return words;
  }

  private languageList(): string {
    return this.locales.languages().map((l) => `**${l.locale}** ${l.name}`).join(', ');
  }

  private async say(turn: TeamsTurn, text: string): Promise<void> {
    await turn.post([textCard(text)], text);
  }

  private async tellError(turn: TeamsTurn, identity: TeamsIdentity, error: unknown, isClick: boolean): Promise<void> {
    const gov = toGovError(error);
    const fields = { kind: gov.kind, tenant: identity.tenantId };
    if (gov.httpStatus >= 500) this.log.error({ ...fields, err: loggableError(error) }, 'Teams request failed');
    else this.log.info(fields, gov.message);
    const w = this.spoken.get(turn) ?? this.locales.words(identity.locale);
    const text = gov.httpStatus >= 500 && !gov.say ? w.t('teams.failed') : personMessage(gov, w);
    try {
      if (isClick) await turn.invokeResponse(toast(text));
      await this.say(turn, text);
    } catch (secondary) {
      this.log.error({ ...fields, err: loggableError(secondary) }, 'could not tell the Teams user about an error');
    }
  }
}

/** A short plain text for notifications: the first words of the reply (after an "answer recorded"). */
function summaryOf(messages: readonly Message[]): string {
  const text = (messages.find((m) => m.kind !== 'text' || m.tone !== 'success') ?? messages[0])?.text ?? '';
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/**
 * An error fit for a log line. The SDK's HTTP errors carry the request they
 * made, bearer token included: only their status and path are kept.
 */
export function loggableError(error: unknown): unknown {
  if (error instanceof GovError) return error;
  if (error instanceof Error && error.name === 'HttpError') {
    const { status, config } = error as Error & { status?: unknown; config?: { method?: unknown; url?: unknown } };
    const path = typeof config?.url === 'string' ? config.url.split('?')[0] : undefined;
    return { type: 'HttpError', status, method: config?.method, path };
  }
  if (error instanceof Error) return { type: error.name, message: error.message.slice(0, 500) };
  return { type: typeof error };
}
