/**
 * Govstage in Slack: what a DM, a slash command, a button click or opening
 * the App Home does. Translation only: every turn goes through the
 * ConversationService, exactly as the web and the terminal do. Inputs arrive
 * already validated (see payloads.ts) and already acknowledged to Slack.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { GovError, toGovError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { Message, ResultMessage, type Progress, type ResultView, type TurnInput } from '../../core/messages.js';
import type { ConversationService, ConversationView, TurnReply } from '../../service/conversation-service.js';
import { RateLimiter } from '../../service/rate-limiter.js';
import { ConcurrencyLimit } from '../../service/concurrency-limit.js';
import type { Owner } from '../../store/types.js';
import {
  CHOICE_PREFIX,
  consumedBlocks,
  escapeMrkdwn,
  forgetConfirmMessage,
  helpMessage,
  homeView,
  isActionable,
  progressOf,
  renderMessages,
  reportLinkMessage,
  SlackAction,
  standingOf,
  statusMessage,
  stepKeyOf,
  textMessage,
  type SlackMessage,
  type Standing,
} from './blocks.js';
import { SeenKeys } from './dedupe.js';
import { parseButtonValue, type BlockActions, type SlashCommand } from './payloads.js';
import type { SlackApi } from './slack-api.js';

export interface SlackBotOptions {
  service: ConversationService;
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

type SlackOwner = Extract<Owner, { kind: 'slack' }>;

/** Longest typed reply taken (as on the web). */
export const TEXT_LIMIT = 2000;

/** The /assess subcommands; anything else gets the help. */
export const SUBCOMMANDS = ['start', 'resume', 'status', 'restart', 'report', 'help', 'forget-me'] as const;

/** First word (lower case) and the rest; "forget me" and "forgetme" read as forget-me. */
export function splitCommand(text: string): { verb: string; arg: string } {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (/^forget(?:[ -]?me)?$/i.test(trimmed)) return { verb: 'forget-me', arg: '' };
  const space = trimmed.indexOf(' ');
  return space < 0 ? { verb: trimmed.toLowerCase(), arg: '' } : { verb: trimmed.slice(0, space).toLowerCase(), arg: trimmed.slice(space + 1).trim() };
}

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);

type Click = { owner: SlackOwner; action: BlockActions['actions'][number]; channel: string | undefined; messageTs: string | undefined };

export class SlackBot {
  private readonly service: ConversationService;
  private readonly api: SlackApi;
  private readonly log: Logger;
  private readonly publicUrl: string | undefined;
  /** Buttons already clicked (per message and button), so a double click is processed once. */
  private readonly clicks: SeenKeys;
  /** Users' DM channel ids (conversations.open), bounded. */
  private readonly dmChannels = new Map<string, string>();
  private readonly resumeAttempts: RateLimiter;
  private readonly inputs: RateLimiter;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Work after the acknowledgement, a bounded number at once: a burst of events queues instead of delaying every ack. */
  private readonly workers = new ConcurrencyLimit(8);

  constructor(options: SlackBotOptions) {
    this.service = options.service;
    this.api = options.api;
    this.log = options.logger.child({ channel: 'slack' });
    this.publicUrl = options.publicUrl?.replace(/\/$/, '');
    const now = options.now ?? Date.now;
    this.clicks = new SeenKeys(10_000, 60 * 60_000, now);
    this.resumeAttempts = new RateLimiter(10, 60_000, now);
    this.inputs = new RateLimiter(60, 60_000, now);
  }

  /** Resolves when the work in flight is done (for a graceful shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  // ---------------------------------------------------------------- entry points

  async handleDirectMessage(dm: DirectMessage): Promise<void> {
    const owner = this.owner(dm.teamId, dm.userId);
    this.remember(this.dmChannels, owner, dm.channel);
    await this.guard(owner, () => dm.channel, undefined, async () => {
      this.inputs.hit(this.userKey(owner), 'messages');
      if (dm.text.length > TEXT_LIMIT) throw new GovError('BAD_INPUT', `That message is too long for me (at most ${TEXT_LIMIT} characters). Put a long note in a document and send its link with "note".`);
      const turnId = `slack-dm:${hash(dm.teamId, dm.userId, dm.messageId)}`;
      const { verb, arg } = splitCommand(dm.text);
      if (verb === 'resume' && arg) return this.resumeWithCode(owner, dm.channel, arg, turnId);
      if (verb === 'forget-me') return this.askForget(owner, dm.channel);
      if (verb === 'status' && !arg) return this.status(owner, dm.channel);
      if (verb === 'report' && !arg) return this.report(owner, dm.channel);
      if (verb === 'start' && !arg) return this.startOrContinue(owner, dm.channel, turnId);

      const conversationId = await this.conversationOf(owner);
      if (!conversationId) {
        if (verb === 'help') return void (await this.api.post(dm.channel, helpMessage()));
        // First contact: introduce the assessment (with its Start button), whatever was said.
        const started = await this.service.start({ channel: 'slack', owner });
        await this.postReply(owner, dm.channel, started.conversationId, started.messages);
        return;
      }
      const reply = await this.turn(owner, conversationId, turnId, { kind: 'text', text: dm.text });
      if (reply.replayed) return;
      await this.postTurnReply(owner, dm.channel, reply);
      if (verb === 'help' && !arg) await this.api.post(dm.channel, helpMessage());
    });
  }

  async handleCommand(command: SlashCommand): Promise<void> {
    const owner = this.owner(command.team_id, command.user_id);
    const { verb, arg } = splitCommand(command.text);
    const turnId = `slack-cmd:${hash(command.team_id, command.user_id, command.trigger_id)}`;
    let dm: string | undefined;
    await this.guard(owner, () => dm, command.response_url, async () => {
      if (verb === 'help' || !(SUBCOMMANDS as readonly string[]).includes(verb)) {
        const unknown = verb === '' || verb === 'help' ? '' : `I don't know \`${escapeMrkdwn(`${command.command} ${verb.slice(0, 40)}`.replace(/`/g, "'"))}\`. Here is what I can do:\n`;
        const help = helpMessage(command.command, unknown);
        await this.api.respond(command.response_url, { response_type: 'ephemeral', text: help.text, blocks: help.blocks });
        return;
      }
      this.inputs.hit(this.userKey(owner), 'commands');
      dm = await this.dmChannel(owner);
      switch (verb) {
        case 'start':
          await this.startOrContinue(owner, dm, turnId);
          break;
        case 'resume':
          if (arg) await this.resumeWithCode(owner, dm, arg, turnId);
          else await this.continueCurrent(owner, dm, turnId);
          break;
        case 'status':
          await this.status(owner, dm);
          break;
        case 'restart': {
          const active = await this.activeConversation(owner);
          if (!active) await this.startOrContinue(owner, dm, turnId);
          // The core asks to confirm, with buttons.
          else await this.postTurnReply(owner, dm, await this.turn(owner, active, turnId, { kind: 'text', text: 'restart' }));
          break;
        }
        case 'report':
          await this.report(owner, dm);
          break;
        case 'forget-me':
          await this.askForget(owner, dm);
          break;
      }
      if (command.channel_id !== dm) {
        await this.api.respond(command.response_url, { response_type: 'ephemeral', text: "I've answered in our direct messages (the Messages tab of the Govstage app)." });
      }
    });
  }

  /** A click on one of our `gov:` buttons: a core choice. */
  async handleChoice(payload: BlockActions): Promise<void> {
    const click = this.click(payload);
    if (!click) return;
    const { owner, action, channel, messageTs } = click;
    if (this.clicks.seen(`${this.userKey(owner)}|${channel ?? ''}|${messageTs ?? action.action_ts}|${action.action_id}`)) {
      this.log.info({ action: action.action_id }, 'repeated click ignored');
      return;
    }
    let dm = channel;
    await this.guard(owner, () => dm, undefined, async () => {
      this.inputs.hit(this.userKey(owner), 'clicks');
      dm ??= await this.dmChannel(owner);
      const choice = action.action_id.slice(CHOICE_PREFIX.length);
      const value = parseButtonValue(action.value);
      if (!value) throw new GovError('BAD_INPUT', 'That button is not one Govstage made.');
      // The button names its conversation; the service checks it is this user's.
      const view = await this.service.view(value.c, { kind: 'owner', owner });
      if (stepKeyOf(view.current) !== value.s) {
        await this.outdated(owner, dm, payload, view);
        return;
      }
      const turnId = `slack-click:${hash(owner.teamId, owner.userId, channel ?? '', messageTs ?? '', action.action_id, action.action_ts)}`;
      const reply = await this.turn(owner, value.c, turnId, { kind: 'choice', choice });
      if (reply.replayed) return;
      // The clicked message is spent when the conversation moved to another step; "why" or "help" leave it usable.
      const spent = reply.switchTo !== undefined || reply.messages.some((m) => isActionable(m) || m.kind === 'paused');
      // Slack echoes the button's plain_text label unescaped; in mrkdwn it needs escaping.
      if (spent) await this.markClicked(payload, dm, `:ballot_box_with_check: You chose: *${escapeMrkdwn(action.text?.text ?? choice)}*`);
      await this.postTurnReply(owner, dm, reply);
    });
  }

  /** A click on one of Slack's own buttons (`govslack:`): continue, start, report, forget-me. */
  async handleSlackAction(payload: BlockActions): Promise<void> {
    const click = this.click(payload);
    if (!click) return;
    const { owner, action, channel, messageTs } = click;
    // App Home buttons have no message; each published home view has a new hash.
    const where = messageTs ?? `${payload.view?.id ?? ''}:${payload.view?.hash ?? action.action_ts}`;
    if (this.clicks.seen(`${this.userKey(owner)}|${channel ?? ''}|${where}|${action.action_id}`)) {
      this.log.info({ action: action.action_id }, 'repeated click ignored');
      return;
    }
    let dm = channel;
    await this.guard(owner, () => dm, undefined, async () => {
      this.inputs.hit(this.userKey(owner), 'clicks');
      dm ??= await this.dmChannel(owner);
      const turnId = `slack-click:${hash(owner.teamId, owner.userId, channel ?? '', messageTs ?? '', action.action_id, action.action_ts)}`;
      switch (action.action_id) {
        case SlackAction.continue: {
          if (messageTs) await this.markClicked(payload, dm, ':arrow_forward: Continuing.');
          await this.continueCurrent(owner, dm, turnId);
          return;
        }
        case SlackAction.start:
          await this.startOrContinue(owner, dm, turnId);
          return;
        case SlackAction.report:
          await this.report(owner, dm);
          return;
        case SlackAction.reportLink: {
          const value = parseButtonValue(action.value);
          if (!value) throw new GovError('BAD_INPUT', 'That button is not one Govstage made.');
          await this.api.post(dm, reportLinkMessage(await this.service.issueReportLink(value.c, { kind: 'owner', owner })));
          return;
        }
        case SlackAction.forgetYes: {
          const removed = await this.service.forget(owner);
          this.log.info({ removed }, 'forget-me: conversations deleted');
          const done = `:wastebasket: Done: ${removed === 1 ? 'one assessment was' : `${removed} assessments were`} deleted from Govstage. Type \`start\` whenever you want to begin again.`;
          await this.replaceClicked(payload, dm, textMessage(done));
          await this.publishHome(owner);
          return;
        }
        case SlackAction.forgetNo:
          await this.replaceClicked(payload, dm, textMessage('Nothing was deleted.'));
          return;
        default:
          throw new GovError('BAD_INPUT', 'That button is not one Govstage knows.');
      }
    });
  }

  async handleHomeOpened(teamId: string, userId: string): Promise<void> {
    await this.publishHome(this.owner(teamId, userId));
  }

  // ---------------------------------------------------------------- the work

  /** `start`: starts the questions, continues the assessment in progress, or begins a new one after a finished one. */
  private async startOrContinue(owner: SlackOwner, dm: string, turnId: string): Promise<void> {
    const active = await this.activeConversation(owner);
    if (active) {
      // Typed "start": at the introduction it starts the questions, elsewhere it shows the current step.
      await this.postTurnReply(owner, dm, await this.turn(owner, active, turnId, { kind: 'text', text: 'start' }));
      return;
    }
    const started = await this.service.start({ channel: 'slack', owner });
    const reply = await this.turn(owner, started.conversationId, turnId, { kind: 'text', text: 'start' });
    // The introduction without its Start button (it has just been pressed), then the first question.
    const intro = started.messages.map((m) => (m.kind === 'text' ? { ...m, choices: undefined } : m));
    await this.postReply(owner, dm, started.conversationId, [...intro, ...reply.messages]);
  }

  private async continueCurrent(owner: SlackOwner, dm: string, turnId: string): Promise<void> {
    const conversationId = await this.conversationOf(owner);
    if (!conversationId) return this.startOrContinue(owner, dm, turnId);
    await this.postTurnReply(owner, dm, await this.turn(owner, conversationId, turnId, { kind: 'start' }));
  }

  private async resumeWithCode(owner: SlackOwner, dm: string, code: string, turnId: string): Promise<void> {
    this.resumeAttempts.hit(this.userKey(owner), 'resume attempts');
    const { conversationId } = await this.service.resume(code, { owner });
    this.log.info({ conversationId }, 'conversation moved to Slack with a resume code');
    await this.postTurnReply(owner, dm, await this.turn(owner, conversationId, turnId, { kind: 'start' }));
  }

  private async status(owner: SlackOwner, dm: string): Promise<void> {
    const conversationId = await this.conversationOf(owner);
    if (!conversationId) {
      await this.api.post(dm, textMessage('You have no assessment yet. Type `start` (or use `/assess start`) to begin.'));
      return;
    }
    const view = await this.service.view(conversationId, { kind: 'owner', owner });
    const resume = await this.service.issueResumeCode(conversationId, { kind: 'owner', owner });
    await this.api.post(dm, statusMessage(this.standing(view), resume));
  }

  private async report(owner: SlackOwner, dm: string): Promise<void> {
    const conversationId = await this.conversationOf(owner);
    const view = conversationId ? await this.service.view(conversationId, { kind: 'owner', owner }) : undefined;
    const standing = view ? this.standing(view) : undefined;
    if (!view || !standing?.result) {
      const answered = standing?.progress ? ` You have answered ${standing.progress.answered} of ${standing.progress.total} questions.` : '';
      await this.api.post(dm, textMessage(`There is no result yet.${answered} Type \`start\` (or use \`/assess start\`) to continue.`));
      return;
    }
    const current = view.current.some((m) => m.kind === 'result');
    // When the result is the current step its buttons work; an earlier result is shown for reading only.
    const shown: Message[] = current ? view.current : [{ kind: 'result', text: standing.result.texts.heading, result: standing.result, choices: [] }];
    await this.postReply(owner, dm, view.conversationId, shown);
    if (this.publicUrl && view.status === 'finished') {
      await this.api.post(dm, reportLinkMessage(await this.service.issueReportLink(view.conversationId, { kind: 'owner', owner })));
    }
  }

  private async askForget(owner: SlackOwner, dm: string): Promise<void> {
    const any = (await this.service.latestFor(owner)) !== undefined;
    await this.api.post(dm, forgetConfirmMessage(any));
  }

  /** A click on a message whose step is no longer current: a polite note, the buttons removed, the current step again. */
  private async outdated(owner: SlackOwner, dm: string, payload: BlockActions, view: ConversationView): Promise<void> {
    await this.api.postEphemeral(dm, owner.userId, textMessage(':information_source: That message is out of date: the conversation has moved on since. Here is where you are now.'));
    await this.markClicked(payload, dm, '_This message is out of date; its buttons were removed._');
    await this.postReply(owner, dm, view.conversationId, view.current);
  }

  // ---------------------------------------------------------------- helpers

  private owner(teamId: string, userId: string): SlackOwner {
    return { kind: 'slack', teamId, userId };
  }

  private userKey(owner: SlackOwner): string {
    return `${owner.teamId}:${owner.userId}`;
  }

  private remember(map: Map<string, string>, owner: SlackOwner, value: string): void {
    if (map.size >= 10_000 && !map.has(this.userKey(owner))) map.clear();
    map.set(this.userKey(owner), value);
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
    return { owner: this.owner(teamId, payload.user.id), action, channel, messageTs };
  }

  private async dmChannel(owner: SlackOwner): Promise<string> {
    const known = this.dmChannels.get(this.userKey(owner));
    if (known) return known;
    const channel = await this.api.openDm(owner.userId);
    this.remember(this.dmChannels, owner, channel);
    return channel;
  }

  /**
   * The conversation the user is working on: their most recently active one
   * (a turn or a resume updates it), whichever instance served it.
   */
  private conversationOf(owner: SlackOwner): Promise<string | undefined> {
    return this.service.latestFor(owner);
  }

  /** True the first time an event key is seen by any instance (Slack's retries carry the same event id for an hour at most). */
  claimEvent(key: string): Promise<boolean> {
    return this.service.claimOnce(key, 60 * 60_000);
  }

  private async activeConversation(owner: SlackOwner): Promise<string | undefined> {
    const conversationId = await this.conversationOf(owner);
    if (!conversationId) return undefined;
    const view = await this.service.view(conversationId, { kind: 'owner', owner });
    return view.status === 'active' ? conversationId : undefined;
  }

  private turn(owner: SlackOwner, conversationId: string, turnId: string, input: TurnInput): Promise<TurnReply> {
    return this.service.turn({ conversationId, access: { kind: 'owner', owner }, channel: 'slack', turnId, input });
  }

  private standing(view: ConversationView): Standing {
    const standing = standingOf(view.current, view.status, lastResult(view));
    // A step that shows no progress of its own (a contradiction to settle, a confirmation) is where the last question or the review left the person, not "not started".
    return standing.progress || standing.finished ? standing : { ...standing, progress: lastProgress(view) };
  }

  private async postTurnReply(owner: SlackOwner, dm: string, reply: TurnReply): Promise<void> {
    await this.postReply(owner, dm, reply.switchTo?.conversationId ?? reply.conversationId, reply.messages);
  }

  /** Posts messages of a conversation, then refreshes the App Home. */
  private async postReply(owner: SlackOwner, dm: string, conversationId: string, messages: readonly Message[]): Promise<void> {
    for (const part of renderMessages(messages, { conversationId, stepKey: stepKeyOf(messages), publicUrl: this.publicUrl })) await this.api.post(dm, part);
    await this.publishHome(owner);
  }

  /** Updates a clicked message: its buttons removed, a note in their place. */
  private async markClicked(payload: BlockActions, dm: string, note: string): Promise<void> {
    const blocks = consumedBlocks(payload.message?.blocks ?? [], note);
    await this.replaceClicked(payload, dm, { text: payload.message?.text ?? note.replace(/[*_:]/g, ''), blocks });
  }

  private async replaceClicked(payload: BlockActions, dm: string, message: SlackMessage): Promise<void> {
    const ts = payload.container.message_ts ?? payload.message?.ts;
    if (payload.container.is_ephemeral || !ts) {
      if (payload.response_url) await this.api.respond(payload.response_url, { replace_original: true, text: message.text, blocks: message.blocks });
      else await this.api.post(dm, message);
      return;
    }
    await this.api.update(payload.channel?.id ?? payload.container.channel_id ?? dm, ts, message);
  }

  private async publishHome(owner: SlackOwner): Promise<void> {
    try {
      const conversationId = await this.conversationOf(owner);
      const view = conversationId ? await this.service.view(conversationId, { kind: 'owner', owner }) : undefined;
      await this.api.publishHome(owner.userId, homeView({ conversationId, standing: view ? this.standing(view) : undefined, publicUrl: this.publicUrl }));
    } catch (error) {
      // The home tab is a convenience: a failure is logged, the conversation goes on.
      this.log.warn({ err: error }, 'could not publish the App Home');
    }
  }

  /**
   * Runs one piece of work for a user. Whatever goes wrong reaches the user as
   * a clear message (in the DM, or via the command's response_url) and the
   * log; never silence.
   */
  private async guard(owner: SlackOwner, where: () => string | undefined, responseUrl: string | undefined, work: () => Promise<void>): Promise<void> {
    const run = this.workers.run(work).catch((error: unknown) => this.tellError(owner, where(), responseUrl, error));
    this.inFlight.add(run);
    try {
      await run;
    } finally {
      this.inFlight.delete(run);
    }
  }

  private async tellError(owner: SlackOwner, dm: string | undefined, responseUrl: string | undefined, error: unknown): Promise<void> {
    const gov = toGovError(error);
    const fields = { kind: gov.kind, team: owner.teamId, user: owner.userId };
    if (gov.httpStatus >= 500) this.log.error({ ...fields, err: error }, 'Slack request failed');
    else this.log.info(fields, gov.message);
    try {
      const stale = z.array(Message).safeParse(gov.details?.messages);
      if (gov.kind === 'CONFLICT' && stale.success && stale.data.length > 0) {
        // A stale answer: the core says so and shows the current step.
        const channel = dm ?? (await this.dmChannel(owner));
        const conversationId = await this.conversationOf(owner);
        if (conversationId) return await this.postReply(owner, channel, conversationId, stale.data);
      }
      const text =
        gov.kind === 'INTERNAL' || gov.kind === 'UNAVAILABLE'
          ? ':warning: Something went wrong on our side, so your last action may not have been taken into account. Please try again in a moment.'
          : gov.kind === 'NOT_FOUND' && /conversation/i.test(gov.message)
            ? ':warning: That assessment no longer exists (it may have been deleted). Type `start` to begin a new one.'
            : `:warning: ${escapeMrkdwn(gov.message)}`;
      if (responseUrl) await this.api.respond(responseUrl, { response_type: 'ephemeral', text });
      else await this.api.post(dm ?? (await this.dmChannel(owner)), textMessage(text));
    } catch (secondary) {
      this.log.error({ ...fields, err: secondary }, 'could not tell the Slack user about an error');
    }
  }
}

/** The progress the transcript last showed (a question or the review), validated like lastResult. */
export function lastProgress(view: ConversationView): Progress | undefined {
  for (let i = view.transcript.length - 1; i >= 0; i--) {
    const messages = view.transcript[i]?.messages ?? [];
    for (let j = messages.length - 1; j >= 0; j--) {
      const parsed = Message.safeParse(messages[j]);
      const progress = parsed.success ? progressOf(parsed.data) : undefined;
      if (progress) return progress;
    }
  }
  return undefined;
}

/** The most recent result in a conversation's transcript (stored as data: validated on the way out). */
export function lastResult(view: ConversationView): ResultView | undefined {
  for (let i = view.transcript.length - 1; i >= 0; i--) {
    const messages = view.transcript[i]?.messages ?? [];
    for (let j = messages.length - 1; j >= 0; j--) {
      const parsed = ResultMessage.safeParse(messages[j]);
      if (parsed.success) return parsed.data.result;
    }
  }
  return undefined;
}
