/**
 * Govstage in Slack: what a DM, a slash command, a button click or opening
 * the App Home does. Translation only: every conversation decision is made by
 * PersonSessions (the person is the Slack team and user); this file reads
 * the payload (already validated, see payloads.ts, and already acknowledged
 * to Slack), calls it, and renders the typed outcome as Block Kit. What is
 * Slack's own stays here: the DM channel, updating a clicked message, the App
 * Home, deduplicating clicks, limits per user.
 */
import { createHash } from 'node:crypto';
import { toGovError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Message } from '../../core/messages.js';
import { personMessage } from '../../i18n/person-message.js';
import type { Locales, Words } from '../../i18n/words.js';
import type { Identity, PersonSessions, ResumeOutcome, SessionOutcome, StepRef } from '../../service/person-sessions-api.js';
import type { GroupService } from '../../service/groups/group-service.js';
import { ownerOf } from '../../service/person-sessions.js';
import { RateLimiter } from '../../service/rate-limiter.js';
import { commandWords, personCommand, splitCommand, type CommandWords, type Verb } from '../commands.js';
import {
  CHOICE_PREFIX,
  consumedBlocks,
  escapeMrkdwn,
  forgetConfirmMessage,
  helpMessage,
  homeView,
  isActionable,
  noResultMessage,
  renderMessages,
  reportLinkMessage,
  SlackAction,
  statusMessage,
  textMessage,
  type SlackMessage,
} from './blocks.js';
import {
  coordinatorMessage,
  finishedMessage,
  GroupAction,
  groupResultMessage,
  invitationMessage,
  parseGroupButtonValue,
  parseRoundButtonValue,
  perspectiveMessage,
  reminderMessage,
  REMINDER_INTERVAL_MS,
  SLACK_ROUND_UNIT,
} from './group-blocks.js';
import { parseButtonValue, type BlockActions, type SlashCommand } from './payloads.js';
import type { SlackApi } from './slack-api.js';

export interface SlackBotOptions {
  sessions: PersonSessions;
  /** The locale catalogues: Slack's own words, in the person's language. */
  locales: Locales;
  /** Group rounds: `/assess group new <name>` in a channel, and its "Take part" button. */
  groups?: GroupService | undefined;
  api: SlackApi;
  logger: Logger;
  /** PUBLIC_URL, for links to the web. */
  publicUrl?: string | undefined;
  now?: () => number;
}

export interface DirectMessage {
  teamId: string;
  userId: string;
  channel: string;
  text: string;
  /** Stable id of the Slack message (client_msg_id, else ts): a re-delivered message is the same turn. */
  messageId: string;
}

type SlackIdentity = Extract<Identity, { channel: 'slack' }>;

/** Longest typed reply taken (as on the web). */
export const TEXT_LIMIT = 2000;

/** The /assess subcommands (in every offered locale's words: `/assess aide`); anything else gets the help. */
export const SUBCOMMANDS: readonly Verb[] = ['start', 'resume', 'status', 'restart', 'report', 'help', 'forget-me', 'language', 'group'];

/** Longest round name taken from `/assess group new <name>`. */
export const ROUND_NAME_LIMIT = 120;

/** How long a click is remembered, across instances, so a double click is processed once (and an event's delivery, as Slack retries it for an hour at most). */
const DELIVERY_TTL_MS = 60 * 60_000;
/** How long a person's Slack locale is trusted before asking users.info again. */
const LOCALE_TTL_MS = 60 * 60_000;

/** A finished conversation stays finished (a new assessment is a new one): its coordinator is told once, remembered this long. */
const FINISHED_TTL_MS = 400 * 86_400_000;

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);

/** Where one piece of work answers: the person, their DM, and a slash command's response_url. */
interface Reply {
  identity: SlackIdentity;
  /** Slack's own words for this person: their conversation's language once known, else their Slack locale's (see wordsFor). */
  words?: Words;
  /** The DM channel: known from the event or the click, else opened when first needed. */
  dm: string | undefined;
  /** A slash command's response_url: notes and errors go there, ephemerally. */
  responseUrl?: string | undefined;
  /** Set once something was posted in the DM (a command used elsewhere then says where to look). */
  postedInDm?: boolean;
}

type Click = { reply: Reply; action: BlockActions['actions'][number]; messageTs: string | undefined; where: string };

export class SlackBot {
  private readonly sessions: PersonSessions;
  private readonly groups: GroupService | undefined;
  private readonly api: SlackApi;
  private readonly log: Logger;
  private readonly publicUrl: string | undefined;
  /** Users' DM channel ids (conversations.open), bounded. */
  private readonly dmChannels = new Map<string, string>();
  private readonly inputs: RateLimiter;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly locales: Locales;
  private readonly commands: CommandWords;
  /** People's Slack locales (users.info), bounded, for a while. */
  private readonly slackLocales = new Map<string, { locale: string | undefined; at: number }>();
  private readonly now: () => number;

  constructor(options: SlackBotOptions) {
    this.sessions = options.sessions;
    this.groups = options.groups;
    this.api = options.api;
    this.log = options.logger.child({ channel: 'slack' });
    this.publicUrl = options.publicUrl?.replace(/\/$/, '');
    this.inputs = new RateLimiter(60, 60_000, options.now ?? Date.now);
    this.locales = options.locales;
    this.commands = commandWords(options.locales);
    this.now = options.now ?? Date.now;
  }

  /** Resolves when the work in flight is done (for a graceful shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** True the first time an event key is seen by any instance (Slack's retries carry the same event id for an hour at most). */
  claimEvent(key: string): Promise<boolean> {
    return this.sessions.claimOnce(key, DELIVERY_TTL_MS);
  }

  // ---------------------------------------------------------------- entry points

  async handleDirectMessage(message: DirectMessage): Promise<void> {
    const identity = this.identity(message.teamId, message.userId);
    this.rememberDm(identity, message.channel);
    const reply: Reply = { identity, dm: message.channel };
    await this.guard(reply, async () => {
      this.inputs.hit(this.userKey(identity), 'messages');
      await this.learnLocale(identity);
      if (message.text.length > TEXT_LIMIT) return this.note(reply, (w) => w.t('slack.tooLong', { limit: TEXT_LIMIT }));
      const delivery = `dm:${message.messageId}`;
      const command = personCommand(message.text, this.commands);
      switch (command?.kind) {
        case 'start':
          return this.show(reply, await this.sessions.begin(identity, delivery));
        case 'continue':
          return this.show(reply, await this.sessions.continueCurrent(identity, delivery));
        case 'resume':
          return this.resumed(reply, await this.sessions.resume(identity, delivery, command.code));
        case 'status':
          return this.status(reply);
        case 'report':
          return this.report(reply);
        case 'forget-me':
          return this.askForget(reply);
        case 'language':
          return this.language(reply, delivery, command.locale);
        case 'help': {
          // During an assessment the core's own help (how to answer) comes first.
          if (await this.sessions.hasAny(identity)) {
            const outcome = await this.sessions.say(identity, delivery, message.text);
            if (outcome.kind === 'replayed') return;
            await this.show(reply, outcome);
          }
          return this.post(reply, this.help(await this.wordsFor(reply)));
        }
        case undefined:
          return this.show(reply, await this.sessions.say(identity, delivery, message.text));
      }
    });
  }

  async handleCommand(command: SlashCommand): Promise<void> {
    const identity = this.identity(command.team_id, command.user_id);
    const { verb, arg, first } = splitCommand(command.text, this.commands);
    const reply: Reply = { identity, dm: undefined, responseUrl: command.response_url };
    await this.guard(reply, async () => {
      await this.learnLocale(identity);
      if (verb === 'help' || verb === undefined || !SUBCOMMANDS.includes(verb)) {
        const w = await this.wordsFor(reply);
        const unknown = verb === undefined && first !== '' ? `${w.t('slack.unknownCommand', { command: escapeMrkdwn(`${command.command} ${first.slice(0, 40)}`.replace(/`/g, "'")) })}\n` : '';
        const help = this.help(w, command.command, unknown);
        await this.api.respond(command.response_url, { response_type: 'ephemeral', text: help.text, blocks: help.blocks });
        return;
      }
      this.inputs.hit(this.userKey(identity), 'commands');
      if (verb === 'group') return this.newRound(command, reply, arg);
      const dm = await this.dmOf(reply);
      const delivery = `cmd:${command.trigger_id}`;
      switch (verb) {
        case 'start':
          await this.show(reply, await this.sessions.begin(identity, delivery));
          break;
        case 'resume':
          if (arg) await this.resumed(reply, await this.sessions.resume(identity, delivery, arg));
          else await this.show(reply, await this.sessions.continueCurrent(identity, delivery));
          break;
        case 'restart':
          await this.show(reply, await this.sessions.restart(identity, delivery));
          break;
        case 'status':
          await this.status(reply);
          break;
        case 'report':
          await this.report(reply);
          break;
        case 'forget-me':
          await this.askForget(reply);
          break;
        case 'language':
          await this.language(reply, delivery, arg);
          break;
      }
      if (reply.postedInDm && command.channel_id !== dm) {
        await this.api.respond(command.response_url, { response_type: 'ephemeral', text: (await this.wordsFor(reply)).t('slack.answeredInDm') });
      }
    });
  }

  /** A click on one of our `gov:` buttons: a core choice, at the step its message was rendered at. */
  async handleChoice(payload: BlockActions): Promise<void> {
    const click = this.click(payload);
    if (!click) return;
    const { reply, action } = click;
    await this.guard(reply, async () => {
      if (!(await this.firstClick(click))) return;
      this.inputs.hit(this.userKey(reply.identity), 'clicks');
      await this.learnLocale(reply.identity);
      const value = parseButtonValue(action.value);
      if (!value) return this.note(reply, (w) => w.t('slack.notOurButton'));
      const at: StepRef = { conversationId: value.c, step: value.s ?? '' };
      const choice = action.action_id.slice(CHOICE_PREFIX.length);
      const outcome = await this.sessions.press(reply.identity, this.clickDelivery(click), at, choice);
      switch (outcome.kind) {
        case 'shown': {
          // The clicked message is spent once the conversation moved on, or the reply brings buttons of its
          // own (or a resume code); "why" or "help" leave it usable.
          const movedOn = outcome.ref.conversationId !== at.conversationId || outcome.ref.step !== at.step;
          reply.words = this.locales.words(outcome.locale);
          if (movedOn || outcome.messages.some((m) => isActionable(m) || m.kind === 'paused')) {
            // Slack echoes the button's plain_text label unescaped: escaped here for mrkdwn.
            await this.markClicked(payload, reply, reply.words.t('slack.chose', { label: escapeMrkdwn(action.text?.text ?? choice) }));
          }
          await this.postMessages(reply, outcome.ref, outcome.messages);
          return this.tellCoordinator(reply.identity, outcome);
        }
        case 'stale': {
          // Nothing changed: a note to the person alone, the buttons removed, the current step again.
          const w = (reply.words = this.locales.words(outcome.locale));
          await this.api.postEphemeral(await this.dmOf(reply), reply.identity.userId, textMessage(w.t('slack.outdated')));
          await this.markClicked(payload, reply, w.t('slack.outdatedNote'));
          return this.postMessages(reply, outcome.ref, outcome.current);
        }
        case 'replayed':
          return;
        case 'gone':
          return this.note(reply, (w) => w.t('slack.gone'));
      }
    });
  }

  /** A click on one of Slack's own buttons (`govslack:`): continue, start, report, forget-me. */
  async handleSlackAction(payload: BlockActions): Promise<void> {
    const click = this.click(payload);
    if (!click) return;
    const { reply, action, messageTs } = click;
    const { identity } = reply;
    await this.guard(reply, async () => {
      if (!(await this.firstClick(click))) return;
      this.inputs.hit(this.userKey(identity), 'clicks');
      await this.learnLocale(identity);
      const delivery = this.clickDelivery(click);
      if (action.action_id.startsWith(`${GroupAction.perspective}:`)) return this.joinRound(payload, reply, delivery);
      switch (action.action_id) {
        case GroupAction.takePart:
          return this.takePart(reply, action.value);
        case GroupAction.remind:
          return this.remind(reply, action.value);
        case GroupAction.postResult:
          return this.postResult(reply, action.value);
        case SlackAction.continue:
          if (messageTs) await this.markClicked(payload, reply, (await this.wordsFor(reply)).t('slack.continuing'));
          return this.show(reply, await this.sessions.continueCurrent(identity, delivery));
        case SlackAction.start:
          return this.show(reply, await this.sessions.begin(identity, delivery));
        case SlackAction.report:
          return this.report(reply);
        case SlackAction.reportLink: {
          const value = parseButtonValue(action.value);
          if (!value) return this.note(reply, (w) => w.t('slack.notOurButton'));
          const link = await this.sessions.reportLink(identity, value.c);
          return 'kind' in link ? this.note(reply, (w) => w.t('slack.gone')) : this.post(reply, reportLinkMessage(link, await this.wordsFor(reply)));
        }
        case SlackAction.forgetYes: {
          // The words first: once everything is deleted, only the Slack locale is left to say it in.
          const w = await this.wordsFor(reply);
          const removed = await this.sessions.forget(identity);
          this.log.info({ removed }, 'forget-me: conversations deleted');
          await this.replaceClicked(payload, reply, textMessage(w.t('slack.forgotten', { count: removed })));
          await this.publishHome(identity);
          return;
        }
        case SlackAction.forgetNo:
          return this.replaceClicked(payload, reply, textMessage((await this.wordsFor(reply)).t('slack.kept')));
        default:
          return this.note(reply, (w) => w.t('slack.unknownButton'));
      }
    });
  }

  // ---------------------------------------------------------------- group rounds

  /** `/assess group new <name>` in a channel: a round for its members; the coordinator is who typed it. */
  private async newRound(command: SlashCommand, reply: Reply, arg: string): Promise<void> {
    const w = await this.wordsFor(reply);
    const respond = (text: string) => this.api.respond(command.response_url, { response_type: 'ephemeral', text });
    // "new <name>", in any offered language's word ("nouveau <nom>").
    const [first = '', ...rest] = arg.trim().split(/\s+/);
    const isNew = this.locales.anyLocale('commands.groupNew').some((word) => word.toLowerCase() === first.toLowerCase());
    if (!isNew) return respond(w.t('slack.group.needName'));
    const name = rest.join(' ').trim();
    if (!name) return respond(w.t('slack.group.needName'));
    if (name.length > ROUND_NAME_LIMIT) return respond(w.t('slack.group.nameTooLong', { max: ROUND_NAME_LIMIT }));
    if (!this.groups) return respond(w.t('slack.group.unavailable'));
    // Rounds invite a channel's members: a DM (channel ids starting with D) has none to invite.
    if (command.channel_id.startsWith('D')) return respond(w.t('slack.group.inChannelOnly'));
    const chat = { kind: 'slack' as const, teamId: command.team_id, userId: command.user_id, channelId: command.channel_id };
    const created = await this.groups.create({ name, assessing: { name: '', unit: SLACK_ROUND_UNIT }, closesAt: null, respondentsSeePicture: false, chat });
    this.log.info({ roundId: created.roundId }, 'group round created in Slack');
    await this.post(reply, coordinatorMessage(created.roundId, name, created.coordinatorLink.url, created.invitation.code, w));
    // The channel's post is in the coordinator's language: the round is theirs.
    await this.api.post(command.channel_id, invitationMessage(name, command.user_id, created.invitation.code, w));
  }

  /** "Take part" in a channel: the perspective question, privately in the member's DM. */
  private async takePart(clicked: Reply, value: string | undefined): Promise<void> {
    const reply: Reply = { identity: clicked.identity, dm: undefined };
    const code = parseGroupButtonValue(value)?.code;
    if (!code || !this.groups) return this.note(reply, (w) => w.t('slack.group.badButton'));
    const round = await this.groups.lookupInvitation(code);
    const w = await this.wordsFor(reply);
    await this.post(reply, perspectiveMessage(round.name, code, round.perspectives, w));
    if (clicked.dm && clicked.dm !== reply.dm) await this.api.postEphemeral(clicked.dm, clicked.identity.userId, textMessage(w.t('slack.group.answeredInDm')));
  }

  /** A perspective chosen: the member's own conversation in the round begins, in their DM. */
  private async joinRound(payload: BlockActions, reply: Reply, delivery: string): Promise<void> {
    const action = payload.actions[0];
    const value = parseGroupButtonValue(action?.value);
    if (!action || !value?.p) return this.note(reply, (w) => w.t('slack.group.badButton'));
    const outcome = await this.sessions.joinRound(reply.identity, delivery, value.code, value.p);
    if (outcome.kind === 'shown') {
      reply.words = this.locales.words(outcome.locale);
      await this.markClicked(payload, reply, reply.words.t('slack.group.chosePerspective', { label: escapeMrkdwn(action.text?.text ?? value.p) }));
    }
    return this.show(reply, outcome);
  }

  /** The coordinator's reminder to members who started but have not finished: at most one per round an hour, across instances. */
  private async remind(reply: Reply, value: string | undefined): Promise<void> {
    const roundId = parseRoundButtonValue(value);
    if (!roundId || !this.groups) return this.note(reply, (w) => w.t('slack.group.badButton'));
    const { name, owners } = await this.groups.unfinishedForChat(roundId, ownerOf(reply.identity));
    const members = owners.flatMap((o) => (o.kind === 'slack' && o.teamId === reply.identity.teamId ? [o.userId] : []));
    if (members.length === 0) return this.note(reply, (w) => w.t('slack.group.nobodyToRemind'));
    if (!(await this.sessions.claimOnce(`slack:group-remind:${roundId}`, REMINDER_INTERVAL_MS))) return this.note(reply, (w) => w.t('slack.group.remindedRecently'));
    for (const userId of new Set(members)) {
      // Each member in their own conversation's language.
      const member: Reply = { identity: this.identity(reply.identity.teamId, userId), dm: undefined };
      await this.post(member, reminderMessage(name, await this.wordsFor(member)));
    }
    this.log.info({ roundId, reminded: members.length }, 'group round reminder sent');
    return this.note(reply, (w) => w.t('slack.group.reminded', { count: members.length }));
  }

  /** The group result, posted in the round's channel: what the group report shows, nothing more. */
  private async postResult(reply: Reply, value: string | undefined): Promise<void> {
    const roundId = parseRoundButtonValue(value);
    if (!roundId || !this.groups) return this.note(reply, (w) => w.t('slack.group.badButton'));
    const { report, channelId } = await this.groups.reportForChat(roundId, ownerOf(reply.identity));
    await this.api.post(channelId, groupResultMessage(report, await this.wordsFor(reply)));
    return this.note(reply, (w) => w.t('slack.group.posted'));
  }

  /** A member of a round made in Slack just finished: its coordinator is told, once, in counts. */
  private async tellCoordinator(identity: SlackIdentity, outcome: SessionOutcome): Promise<void> {
    if (!this.groups || outcome.kind !== 'shown' || outcome.status !== 'finished') return;
    const { conversationId } = outcome.ref;
    try {
      const done = await this.groups.finishedInChatRound(conversationId, { kind: 'owner', owner: ownerOf(identity) });
      if (!done || done.coordinator.teamId !== identity.teamId) return;
      if (!(await this.sessions.claimOnce(`slack:group-finished:${conversationId}`, FINISHED_TTL_MS))) return;
      const coordinator: Reply = { identity: this.identity(done.coordinator.teamId, done.coordinator.userId), dm: undefined };
      await this.post(coordinator, finishedMessage(done.roundId, done.name, done.finished, done.joined, await this.wordsFor(coordinator)));
    } catch (error) {
      // The member's own result is shown whatever happens to the coordinator's note; the failure is logged.
      this.log.warn({ err: error }, 'could not tell a group round coordinator that a member finished');
    }
  }

  async handleHomeOpened(teamId: string, userId: string): Promise<void> {
    const identity = this.identity(teamId, userId);
    await this.learnLocale(identity);
    await this.publishHome(identity);
  }

  // ---------------------------------------------------------------- rendering outcomes

  /** An outcome in the DM: its messages with buttons that carry the step they belong to. */
  private async show(reply: Reply, outcome: SessionOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'shown':
        reply.words = this.locales.words(outcome.locale);
        await this.postMessages(reply, outcome.ref, outcome.messages);
        return this.tellCoordinator(reply.identity, outcome);
      case 'stale':
        reply.words = this.locales.words(outcome.locale);
        return this.postMessages(reply, outcome.ref, outcome.messages);
      case 'replayed':
        return;
      case 'gone':
        return this.note(reply, (w) => w.t('slack.gone'));
    }
  }

  /** `/assess language fr`, or "language fr" in the DM. */
  private async language(reply: Reply, delivery: string, asked: string): Promise<void> {
    const outcome = await this.sessions.switchLanguage(reply.identity, delivery, asked);
    if (outcome.kind !== 'not-offered') return this.show(reply, outcome);
    const offered = this.locales.languages();
    return this.note(reply, (w) => w.t('slack.unknownLanguage', { languages: offered.map((l) => `\`${l.locale}\` (${l.name})`).join(', '), example: offered.find((l) => l.locale !== w.locale)?.locale ?? w.locale }));
  }

  private help(w: Words, command = '/assess', prefix = ''): SlackMessage {
    return helpMessage(w, this.locales.languages().map((l) => `\`${l.locale}\` ${l.name}`).join(', '), command, prefix);
  }

  private async resumed(reply: Reply, outcome: ResumeOutcome): Promise<void> {
    if (outcome.kind === 'code-invalid') return this.note(reply, (w) => w.t('slack.codeInvalid'));
    if (outcome.kind === 'code-expired') return this.note(reply, (w) => w.t('slack.codeExpired'));
    if (outcome.kind !== 'gone') this.log.info({ conversationId: outcome.ref.conversationId }, 'conversation moved to Slack with a resume code');
    return this.show(reply, outcome);
  }

  private async status(reply: Reply): Promise<void> {
    const status = await this.sessions.status(reply.identity);
    if (status.kind === 'status') reply.words = this.locales.words(status.locale);
    const w = await this.wordsFor(reply);
    await this.post(reply, status.kind === 'none' ? textMessage(w.t('slack.noAssessment')) : statusMessage(status, w));
  }

  private async report(reply: Reply): Promise<void> {
    const report = await this.sessions.report(reply.identity, { link: this.publicUrl !== undefined });
    if (report.kind === 'report') reply.words = this.locales.words(report.locale);
    const w = await this.wordsFor(reply);
    if (report.kind === 'none') return this.post(reply, noResultMessage(w));
    if (report.kind === 'not-finished') return this.post(reply, noResultMessage(w, report));
    await this.postMessages(reply, report.ref, report.messages);
    if (report.link) await this.post(reply, reportLinkMessage(report.link, w));
  }

  private async askForget(reply: Reply): Promise<void> {
    await this.post(reply, forgetConfirmMessage(await this.sessions.hasAny(reply.identity), await this.wordsFor(reply)));
  }

  /** Posts messages of a conversation, rendered at `ref`, then refreshes the App Home. */
  private async postMessages(reply: Reply, ref: StepRef, messages: readonly Message[]): Promise<void> {
    for (const part of renderMessages(messages, { ref, publicUrl: this.publicUrl, words: await this.wordsFor(reply) })) await this.post(reply, part);
    await this.publishHome(reply.identity);
  }

  private async post(reply: Reply, message: SlackMessage): Promise<void> {
    await this.api.post(await this.dmOf(reply), message);
    reply.postedInDm = true;
  }

  /** A short note (an outcome that shows nothing of the conversation), in the person's words: to the command ephemerally, else in the DM. */
  private async note(reply: Reply, say: (w: Words) => string): Promise<void> {
    const text = say(await this.wordsFor(reply));
    if (reply.responseUrl) await this.api.respond(reply.responseUrl, { response_type: 'ephemeral', text });
    else await this.post(reply, textMessage(text));
  }

  /** Updates a clicked message: its buttons removed, a note in their place. */
  private async markClicked(payload: BlockActions, reply: Reply, note: string): Promise<void> {
    const blocks = consumedBlocks(payload.message?.blocks ?? [], note);
    await this.replaceClicked(payload, reply, { text: payload.message?.text ?? note.replace(/[*_:]/g, ''), blocks });
  }

  private async replaceClicked(payload: BlockActions, reply: Reply, message: SlackMessage): Promise<void> {
    const ts = payload.container.message_ts ?? payload.message?.ts;
    if (payload.container.is_ephemeral || !ts) {
      if (payload.response_url) await this.api.respond(payload.response_url, { replace_original: true, text: message.text, blocks: message.blocks });
      else await this.post(reply, message);
      return;
    }
    await this.api.update(payload.channel?.id ?? payload.container.channel_id ?? (await this.dmOf(reply)), ts, message);
  }

  private async publishHome(identity: SlackIdentity): Promise<void> {
    try {
      const standing = await this.sessions.standing(identity);
      const words = this.locales.words(standing.kind === 'standing' ? standing.locale : identity.locale);
      await this.api.publishHome(identity.userId, homeView({ standing: standing.kind === 'none' ? undefined : standing, publicUrl: this.publicUrl, words }));
    } catch (error) {
      // The home tab is a convenience: a failure is logged, the conversation goes on.
      this.log.warn({ err: error }, 'could not publish the App Home');
    }
  }

  // ---------------------------------------------------------------- Slack's own bookkeeping

  private identity(teamId: string, userId: string): SlackIdentity {
    return { channel: 'slack', teamId, userId };
  }

  /**
   * The person's Slack locale (users.info with include_locale; the users:read
   * scope), remembered for an hour: a conversation they start begins in it.
   * Unknown when Slack does not say (or the scope is missing): the default.
   */
  private async learnLocale(identity: SlackIdentity): Promise<void> {
    const key = this.userKey(identity);
    const known = this.slackLocales.get(key);
    if (known && this.now() - known.at < LOCALE_TTL_MS) {
      if (known.locale) identity.locale = known.locale;
      return;
    }
    let locale: string | undefined;
    try {
      locale = await this.api.userLocale(identity.userId);
    } catch (error) {
      // A convenience: without it the conversation starts in the default language.
      this.log.warn({ err: error }, 'could not read the Slack user locale (users.info needs the users:read scope)');
    }
    if (this.slackLocales.size >= 10_000) this.slackLocales.clear();
    this.slackLocales.set(key, { locale, at: this.now() });
    if (locale) identity.locale = locale;
  }

  /** Slack's own words for this reply: the conversation's language once an outcome said it, else the person's latest conversation's, else their Slack locale's. */
  private async wordsFor(reply: Reply): Promise<Words> {
    if (reply.words) return reply.words;
    const standing = await this.sessions.standing(reply.identity).catch(() => ({ kind: 'none' as const }));
    reply.words = this.locales.words(standing.kind === 'standing' ? standing.locale : reply.identity.locale);
    return reply.words;
  }

  private userKey(identity: SlackIdentity): string {
    return `${identity.teamId}:${identity.userId}`;
  }

  private rememberDm(identity: SlackIdentity, channel: string): void {
    if (this.dmChannels.size >= 10_000 && !this.dmChannels.has(this.userKey(identity))) this.dmChannels.clear();
    this.dmChannels.set(this.userKey(identity), channel);
  }

  private async dmOf(reply: Reply): Promise<string> {
    if (reply.dm) return reply.dm;
    const known = this.dmChannels.get(this.userKey(reply.identity));
    const channel = known ?? (await this.api.openDm(reply.identity.userId));
    if (!known) this.rememberDm(reply.identity, channel);
    reply.dm = channel;
    return channel;
  }

  private click(payload: BlockActions): Click | undefined {
    const teamId = payload.team?.id ?? payload.user.team_id;
    const action = payload.actions[0];
    if (!teamId || !action) {
      this.log.warn('block_actions payload without a team or an action: ignored');
      return undefined;
    }
    const channel = payload.channel?.id ?? payload.container.channel_id;
    const messageTs = payload.container.message_ts ?? payload.message?.ts;
    // App Home buttons have no message; each published home view has a new hash.
    const where = `${channel ?? ''}|${messageTs ?? `${payload.view?.id ?? ''}:${payload.view?.hash ?? action.action_ts}`}`;
    return { reply: { identity: this.identity(teamId, payload.user.id), dm: channel }, action, messageTs, where };
  }

  /**
   * True for the first click on this button of this message, across every
   * instance: a double click (or one delivered twice) is processed once.
   */
  private async firstClick(click: Click): Promise<boolean> {
    const { identity } = click.reply;
    const first = await this.sessions.claimOnce(`slack:click:${hash(identity.teamId, identity.userId, click.where, click.action.action_id)}`, DELIVERY_TTL_MS);
    if (!first) this.log.info({ action: click.action.action_id }, 'repeated click ignored');
    return first;
  }

  /** The click as one delivery: the turn it takes is taken once, whichever instance sees it. */
  private clickDelivery(click: Click): string {
    return `click:${click.where}|${click.action.action_id}|${click.action.action_ts}`;
  }

  /**
   * Runs one piece of work for a user. Whatever goes wrong reaches the user as
   * a clear message (in the DM, or via the command's response_url) and the
   * log; never silence.
   */
  private async guard(reply: Reply, work: () => Promise<void>): Promise<void> {
    // Already acknowledged, and run a bounded number at once, one person's in order (the receivers' DeliveryQueue).
    const run = work().catch((error: unknown) => this.tellError(reply, error));
    this.inFlight.add(run);
    try {
      await run;
    } finally {
      this.inFlight.delete(run);
    }
  }

  private async tellError(reply: Reply, error: unknown): Promise<void> {
    const gov = toGovError(error);
    const fields = { kind: gov.kind, team: reply.identity.teamId, user: reply.identity.userId };
    if (gov.httpStatus >= 500) this.log.error({ ...fields, err: error }, 'Slack request failed');
    else this.log.info(fields, gov.message);
    try {
      await this.note(reply, (w) => w.t('slack.error', { text: escapeMrkdwn(personMessage(gov, w)) }));
    } catch (secondary) {
      this.log.error({ ...fields, err: secondary }, 'could not tell the Slack user about an error');
    }
  }
}
