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
import type { Identity, PersonSessions, ResumeOutcome, SessionOutcome, StepRef } from '../../service/person-sessions-api.js';
import type { GroupService } from '../../service/groups/group-service.js';
import { ownerOf } from '../../service/person-sessions.js';
import { RateLimiter } from '../../service/rate-limiter.js';
import { ConcurrencyLimit } from '../../service/concurrency-limit.js';
import { personCommand, splitCommand } from '../commands.js';
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
  GROUP_TEXT,
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

/** The /assess subcommands; anything else gets the help. */
export const SUBCOMMANDS = ['start', 'resume', 'status', 'restart', 'report', 'help', 'forget-me', 'group'] as const;

/** Longest round name taken from `/assess group new <name>`. */
export const ROUND_NAME_LIMIT = 120;

/** How long a click is remembered, across instances, so a double click is processed once (and an event's delivery, as Slack retries it for an hour at most). */
const DELIVERY_TTL_MS = 60 * 60_000;

/** A finished conversation stays finished (a new assessment is a new one): its coordinator is told once, remembered this long. */
const FINISHED_TTL_MS = 400 * 86_400_000;

/** Slack's own words in the DM (the assessment's come from the core). */
const TEXT = {
  tooLong: `:warning: That message is too long for me (at most ${TEXT_LIMIT} characters). Put a long note in a document and send its link with "note".`,
  answeredInDm: "I've answered in our direct messages (the Messages tab of the Govstage app).",
  noAssessment: 'You have no assessment yet. Type `start` (or use `/assess start`) to begin.',
  outdated: ':information_source: That message is out of date: the conversation has moved on since. Here is where you are now.',
  outdatedNote: '_This message is out of date; its buttons were removed._',
  continuing: ':arrow_forward: Continuing.',
  gone: ':warning: That assessment no longer exists (it may have been deleted). Type `start` to begin a new one.',
  codeInvalid: ':warning: That resume code is not valid. Check it and try again.',
  codeExpired: ':warning: That resume code has expired. Start a new assessment, or ask for a new code where you saved it.',
  notOurButton: ':warning: That button is not one Govstage made.',
  unknownButton: ':warning: That button is not one Govstage knows.',
  kept: 'Nothing was deleted.',
  failed: ':warning: Something went wrong on our side, so your last action may not have been taken into account. Please try again in a moment.',
  chose: (label: string) => `:ballot_box_with_check: You chose: *${escapeMrkdwn(label)}*`,
  unknownCommand: (command: string) => `I don't know \`${escapeMrkdwn(command.replace(/`/g, "'"))}\`. Here is what I can do:\n`,
  forgotten: (removed: number) =>
    `:wastebasket: Done: ${removed === 1 ? 'one assessment was' : `${removed} assessments were`} deleted from Govstage. Type \`start\` whenever you want to begin again.`,
} as const;

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);

/** Where one piece of work answers: the person, their DM, and a slash command's response_url. */
interface Reply {
  identity: SlackIdentity;
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
  /** Work after the acknowledgement, a bounded number at once: a burst of events queues instead of delaying every ack. */
  private readonly workers = new ConcurrencyLimit(8);

  constructor(options: SlackBotOptions) {
    this.sessions = options.sessions;
    this.groups = options.groups;
    this.api = options.api;
    this.log = options.logger.child({ channel: 'slack' });
    this.publicUrl = options.publicUrl?.replace(/\/$/, '');
    this.inputs = new RateLimiter(60, 60_000, options.now ?? Date.now);
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
      if (message.text.length > TEXT_LIMIT) return this.note(reply, TEXT.tooLong);
      const delivery = `dm:${message.messageId}`;
      const command = personCommand(message.text);
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
        case 'help': {
          // During an assessment the core's own help (how to answer) comes first.
          if (await this.sessions.hasAny(identity)) {
            const outcome = await this.sessions.say(identity, delivery, message.text);
            if (outcome.kind === 'replayed') return;
            await this.show(reply, outcome);
          }
          return this.post(reply, helpMessage());
        }
        case undefined:
          return this.show(reply, await this.sessions.say(identity, delivery, message.text));
      }
    });
  }

  async handleCommand(command: SlashCommand): Promise<void> {
    const identity = this.identity(command.team_id, command.user_id);
    const { verb, arg } = splitCommand(command.text);
    const reply: Reply = { identity, dm: undefined, responseUrl: command.response_url };
    await this.guard(reply, async () => {
      if (verb === 'help' || !(SUBCOMMANDS as readonly string[]).includes(verb)) {
        const unknown = verb === '' || verb === 'help' ? '' : TEXT.unknownCommand(`${command.command} ${verb.slice(0, 40)}`);
        const help = helpMessage(command.command, unknown);
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
      }
      if (reply.postedInDm && command.channel_id !== dm) {
        await this.api.respond(command.response_url, { response_type: 'ephemeral', text: TEXT.answeredInDm });
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
      const value = parseButtonValue(action.value);
      if (!value) return this.note(reply, TEXT.notOurButton);
      const at: StepRef = { conversationId: value.c, step: value.s ?? '' };
      const choice = action.action_id.slice(CHOICE_PREFIX.length);
      const outcome = await this.sessions.press(reply.identity, this.clickDelivery(click), at, choice);
      switch (outcome.kind) {
        case 'shown': {
          // The clicked message is spent once the conversation moved on, or the reply brings buttons of its
          // own (or a resume code); "why" or "help" leave it usable.
          const movedOn = outcome.ref.conversationId !== at.conversationId || outcome.ref.step !== at.step;
          if (movedOn || outcome.messages.some((m) => isActionable(m) || m.kind === 'paused')) {
            // Slack echoes the button's plain_text label unescaped; TEXT.chose escapes it for mrkdwn.
            await this.markClicked(payload, reply, TEXT.chose(action.text?.text ?? choice));
          }
          await this.postMessages(reply, outcome.ref, outcome.messages);
          return this.tellCoordinator(reply.identity, outcome);
        }
        case 'stale': {
          // Nothing changed: a note to the person alone, the buttons removed, the current step again.
          await this.api.postEphemeral(await this.dmOf(reply), reply.identity.userId, textMessage(TEXT.outdated));
          await this.markClicked(payload, reply, TEXT.outdatedNote);
          return this.postMessages(reply, outcome.ref, outcome.current);
        }
        case 'replayed':
          return;
        case 'gone':
          return this.note(reply, TEXT.gone);
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
          if (messageTs) await this.markClicked(payload, reply, TEXT.continuing);
          return this.show(reply, await this.sessions.continueCurrent(identity, delivery));
        case SlackAction.start:
          return this.show(reply, await this.sessions.begin(identity, delivery));
        case SlackAction.report:
          return this.report(reply);
        case SlackAction.reportLink: {
          const value = parseButtonValue(action.value);
          if (!value) return this.note(reply, TEXT.notOurButton);
          const link = await this.sessions.reportLink(identity, value.c);
          return 'kind' in link ? this.note(reply, TEXT.gone) : this.post(reply, reportLinkMessage(link));
        }
        case SlackAction.forgetYes: {
          const removed = await this.sessions.forget(identity);
          this.log.info({ removed }, 'forget-me: conversations deleted');
          await this.replaceClicked(payload, reply, textMessage(TEXT.forgotten(removed)));
          await this.publishHome(identity);
          return;
        }
        case SlackAction.forgetNo:
          return this.replaceClicked(payload, reply, textMessage(TEXT.kept));
        default:
          return this.note(reply, TEXT.unknownButton);
      }
    });
  }

  // ---------------------------------------------------------------- group rounds

  /** `/assess group new <name>` in a channel: a round for its members; the coordinator is who typed it. */
  private async newRound(command: SlashCommand, reply: Reply, arg: string): Promise<void> {
    const respond = (text: string) => this.api.respond(command.response_url, { response_type: 'ephemeral', text });
    const match = /^new(?:\s+(.*))?$/is.exec(arg);
    if (!match) return respond(GROUP_TEXT.needName);
    const name = (match[1] ?? '').trim();
    if (!name) return respond(GROUP_TEXT.needName);
    if (name.length > ROUND_NAME_LIMIT) return respond(GROUP_TEXT.nameTooLong(ROUND_NAME_LIMIT));
    if (!this.groups) return respond(GROUP_TEXT.unavailable);
    // Rounds invite a channel's members: a DM (channel ids starting with D) has none to invite.
    if (command.channel_id.startsWith('D')) return respond(GROUP_TEXT.inChannelOnly);
    const chat = { kind: 'slack' as const, teamId: command.team_id, userId: command.user_id, channelId: command.channel_id };
    const created = await this.groups.create({ name, assessing: { name: '', unit: SLACK_ROUND_UNIT }, closesAt: null, respondentsSeePicture: false, chat });
    this.log.info({ roundId: created.roundId }, 'group round created in Slack');
    await this.post(reply, coordinatorMessage(created.roundId, name, created.coordinatorLink.url, created.invitation.code));
    await this.api.post(command.channel_id, invitationMessage(name, command.user_id, created.invitation.code));
  }

  /** "Take part" in a channel: the perspective question, privately in the member's DM. */
  private async takePart(clicked: Reply, value: string | undefined): Promise<void> {
    const reply: Reply = { identity: clicked.identity, dm: undefined };
    const code = parseGroupButtonValue(value)?.code;
    if (!code || !this.groups) return this.note(reply, GROUP_TEXT.badButton);
    const round = await this.groups.lookupInvitation(code);
    await this.post(reply, perspectiveMessage(round.name, code, round.perspectives));
    if (clicked.dm && clicked.dm !== reply.dm) await this.api.postEphemeral(clicked.dm, clicked.identity.userId, textMessage(GROUP_TEXT.answeredInDm));
  }

  /** A perspective chosen: the member's own conversation in the round begins, in their DM. */
  private async joinRound(payload: BlockActions, reply: Reply, delivery: string): Promise<void> {
    const action = payload.actions[0];
    const value = parseGroupButtonValue(action?.value);
    if (!action || !value?.p) return this.note(reply, GROUP_TEXT.badButton);
    const outcome = await this.sessions.joinRound(reply.identity, delivery, value.code, value.p);
    if (outcome.kind === 'shown') await this.markClicked(payload, reply, GROUP_TEXT.chosePerspective(action.text?.text ?? value.p));
    return this.show(reply, outcome);
  }

  /** The coordinator's reminder to members who started but have not finished: at most one per round an hour, across instances. */
  private async remind(reply: Reply, value: string | undefined): Promise<void> {
    const roundId = parseRoundButtonValue(value);
    if (!roundId || !this.groups) return this.note(reply, GROUP_TEXT.badButton);
    const { name, owners } = await this.groups.unfinishedForChat(roundId, ownerOf(reply.identity));
    const members = owners.flatMap((o) => (o.kind === 'slack' && o.teamId === reply.identity.teamId ? [o.userId] : []));
    if (members.length === 0) return this.note(reply, GROUP_TEXT.nobodyToRemind);
    if (!(await this.sessions.claimOnce(`slack:group-remind:${roundId}`, REMINDER_INTERVAL_MS))) return this.note(reply, GROUP_TEXT.remindedRecently);
    for (const userId of new Set(members)) await this.post({ identity: this.identity(reply.identity.teamId, userId), dm: undefined }, reminderMessage(name));
    this.log.info({ roundId, reminded: members.length }, 'group round reminder sent');
    return this.note(reply, GROUP_TEXT.reminded(members.length));
  }

  /** The group result, posted in the round's channel: what the group report shows, nothing more. */
  private async postResult(reply: Reply, value: string | undefined): Promise<void> {
    const roundId = parseRoundButtonValue(value);
    if (!roundId || !this.groups) return this.note(reply, GROUP_TEXT.badButton);
    const { report, channelId } = await this.groups.reportForChat(roundId, ownerOf(reply.identity));
    await this.api.post(channelId, groupResultMessage(report));
    return this.note(reply, GROUP_TEXT.posted);
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
      await this.post(coordinator, finishedMessage(done.roundId, done.name, done.finished, done.joined));
    } catch (error) {
      // The member's own result is shown whatever happens to the coordinator's note; the failure is logged.
      this.log.warn({ err: error }, 'could not tell a group round coordinator that a member finished');
    }
  }

  async handleHomeOpened(teamId: string, userId: string): Promise<void> {
    await this.publishHome(this.identity(teamId, userId));
  }

  // ---------------------------------------------------------------- rendering outcomes

  /** An outcome in the DM: its messages with buttons that carry the step they belong to. */
  private async show(reply: Reply, outcome: SessionOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'shown':
        await this.postMessages(reply, outcome.ref, outcome.messages);
        return this.tellCoordinator(reply.identity, outcome);
      case 'stale':
        return this.postMessages(reply, outcome.ref, outcome.messages);
      case 'replayed':
        return;
      case 'gone':
        return this.note(reply, TEXT.gone);
    }
  }

  private async resumed(reply: Reply, outcome: ResumeOutcome): Promise<void> {
    if (outcome.kind === 'code-invalid') return this.note(reply, TEXT.codeInvalid);
    if (outcome.kind === 'code-expired') return this.note(reply, TEXT.codeExpired);
    if (outcome.kind !== 'gone') this.log.info({ conversationId: outcome.ref.conversationId }, 'conversation moved to Slack with a resume code');
    return this.show(reply, outcome);
  }

  private async status(reply: Reply): Promise<void> {
    const status = await this.sessions.status(reply.identity);
    await this.post(reply, status.kind === 'none' ? textMessage(TEXT.noAssessment) : statusMessage(status));
  }

  private async report(reply: Reply): Promise<void> {
    const report = await this.sessions.report(reply.identity, { link: this.publicUrl !== undefined });
    if (report.kind === 'none') return this.post(reply, noResultMessage());
    if (report.kind === 'not-finished') return this.post(reply, noResultMessage(report));
    await this.postMessages(reply, report.ref, report.messages);
    if (report.link) await this.post(reply, reportLinkMessage(report.link));
  }

  private async askForget(reply: Reply): Promise<void> {
    await this.post(reply, forgetConfirmMessage(await this.sessions.hasAny(reply.identity)));
  }

  /** Posts messages of a conversation, rendered at `ref`, then refreshes the App Home. */
  private async postMessages(reply: Reply, ref: StepRef, messages: readonly Message[]): Promise<void> {
    for (const part of renderMessages(messages, { ref, publicUrl: this.publicUrl })) await this.post(reply, part);
    await this.publishHome(reply.identity);
  }

  private async post(reply: Reply, message: SlackMessage): Promise<void> {
    await this.api.post(await this.dmOf(reply), message);
    reply.postedInDm = true;
  }

  /** A short note (an outcome that shows nothing of the conversation): to the command ephemerally, else in the DM. */
  private async note(reply: Reply, text: string): Promise<void> {
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
      await this.api.publishHome(identity.userId, homeView({ standing: standing.kind === 'none' ? undefined : standing, publicUrl: this.publicUrl }));
    } catch (error) {
      // The home tab is a convenience: a failure is logged, the conversation goes on.
      this.log.warn({ err: error }, 'could not publish the App Home');
    }
  }

  // ---------------------------------------------------------------- Slack's own bookkeeping

  private identity(teamId: string, userId: string): SlackIdentity {
    return { channel: 'slack', teamId, userId };
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
    const run = this.workers.run(work).catch((error: unknown) => this.tellError(reply, error));
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
      await this.note(reply, gov.kind === 'INTERNAL' || gov.kind === 'UNAVAILABLE' ? TEXT.failed : `:warning: ${escapeMrkdwn(gov.message)}`);
    } catch (secondary) {
      this.log.error({ ...fields, err: secondary }, 'could not tell the Slack user about an error');
    }
  }
}
