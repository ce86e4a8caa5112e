/**
 * Slack, wired: a Bolt 5 app in Socket Mode when SLACK_APP_TOKEN is set
 * (no public URL needed), otherwise in HTTP mode behind our own express
 * server at POST /slack/events. Starting never calls Slack (no auth.test):
 * authorisation is the configured bot token, and the bot's own messages are
 * recognised by their bot_id rather than by asking Slack who we are.
 */
import { App, type AnyMiddlewareArgs, type Middleware } from '@slack/bolt';
import type { SocketModeClient } from '@slack/socket-mode';
import type { RequestHandler } from 'express';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import type { ConversationService } from '../../service/conversation-service.js';
import { CHOICE_PREFIX, SLACK_PREFIX } from './blocks.js';
import { SlackBot } from './bot.js';
import { SlackHttpReceiver } from './http-receiver.js';
import { SlackSocketReceiver } from './socket-receiver.js';
import { AppHomeOpenedEvent, BlockActions, DirectMessageEvent, EventEnvelope, SlashCommand } from './payloads.js';
import { createSlackApi, webClientOptions, type SlackApi } from './slack-api.js';
import { slackLogger } from './slack-logger.js';

export type SlackConfig = Pick<Config, 'SLACK_BOT_TOKEN' | 'SLACK_SIGNING_SECRET' | 'SLACK_APP_TOKEN' | 'SLACK_API_URL' | 'PUBLIC_URL'>;

/** Slack runs when both the bot token and the signing secret are set. */
export function slackConfigured(config: SlackConfig): config is SlackConfig & { SLACK_BOT_TOKEN: string; SLACK_SIGNING_SECRET: string } {
  return Boolean(config.SLACK_BOT_TOKEN && config.SLACK_SIGNING_SECRET);
}

/** Why Slack is off although something was configured, for a start-up warning. */
export function slackHalfConfigured(config: SlackConfig): string | undefined {
  if (slackConfigured(config)) return undefined;
  const set = (['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'] as const).filter((k) => config[k]);
  return set.length > 0 ? `Slack is off: ${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set, but both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are needed.` : undefined;
}

export interface SlackChannel {
  mode: 'http' | 'socket';
  /** The express handler for POST /slack/events (HTTP mode only). */
  httpHandler: RequestHandler | undefined;
  bot: SlackBot;
  /** Socket Mode's client (Socket Mode only); tests deliver envelopes through it. */
  socketClient: SocketModeClient | undefined;
  /** Socket Mode connects here; never rejects (a failure is logged and the web chat goes on). */
  start(): Promise<void>;
  /** Resolves when the requests received so far have been processed. */
  drain(): Promise<void>;
  /** Disconnects and waits for the work in flight. */
  stop(): Promise<void>;
}

export interface SlackChannelOptions {
  config: SlackConfig;
  logger: Logger;
  service: ConversationService;
  /** Replaces the Web API (tests). */
  api?: SlackApi;
  now?: () => number;
}

export function createSlackChannel(options: SlackChannelOptions): SlackChannel {
  const { config, logger, service } = options;
  if (!slackConfigured(config)) throw new Error('Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');
  const log = logger.child({ component: 'slack' });
  const botToken = config.SLACK_BOT_TOKEN;
  const api = options.api ?? createSlackApi({ token: botToken, slackApiUrl: config.SLACK_API_URL, logger });
  const bot = new SlackBot({ service, api, logger, publicUrl: config.PUBLIC_URL, ...(options.now ? { now: options.now } : {}) });

  // Our own receivers in both modes: they share the path that acknowledges every request (dispatch.ts).
  const receiver = config.SLACK_APP_TOKEN
    ? new SlackSocketReceiver({ appToken: config.SLACK_APP_TOKEN, logger, slackApiUrl: config.SLACK_API_URL })
    : new SlackHttpReceiver({ signingSecret: config.SLACK_SIGNING_SECRET, logger, ...(options.now ? { now: options.now } : {}) });
  const socketReceiver = receiver instanceof SlackSocketReceiver ? receiver : undefined;
  const httpReceiver = receiver instanceof SlackHttpReceiver ? receiver : undefined;
  const app = new App({
    receiver,
    // A single workspace: the configured token, without asking Slack (auth.test) first.
    authorize: async () => ({ botToken }),
    logger: slackLogger(logger, { quietDebug: true }),
    clientOptions: webClientOptions({ slackApiUrl: config.SLACK_API_URL, logger }),
    // Bolt's ignoreSelf needs our bot id from auth.test; bot messages are skipped by bot_id below instead.
    ignoreSelf: false,
    convoStore: false,
  });
  registerListeners(app, bot, log);

  return {
    mode: socketReceiver ? 'socket' : 'http',
    httpHandler: httpReceiver?.requestHandler,
    socketClient: socketReceiver?.client,
    bot,
    async start() {
      if (!socketReceiver) return;
      try {
        await app.start();
        log.info('Slack Socket Mode connected');
      } catch (error) {
        log.error({ err: error }, 'Slack Socket Mode could not connect; the web chat runs on without Slack');
      }
    },
    async drain() {
      await httpReceiver?.drain();
      await socketReceiver?.drain();
      await bot.drain();
    },
    async stop() {
      if (socketReceiver) {
        try {
          await app.stop();
        } catch (error) {
          log.warn({ err: error }, 'Slack Socket Mode did not disconnect cleanly');
        }
      }
      await httpReceiver?.stop();
      await bot.drain();
    },
  };
}

export function registerListeners(app: App, bot: SlackBot, log: Logger): void {
  // Slack retries a delivery it thinks failed (X-Slack-Retry-Num, same event_id): process each event
  // once, across every instance sharing the store (a retry may reach another instance).
  const dedupeEvents: Middleware<AnyMiddlewareArgs> = async ({ body, context, next }) => {
    const envelope = EventEnvelope.safeParse(body);
    if (envelope.success && !(await bot.claimEvent(`slack:event:${envelope.data.team_id}:${envelope.data.event_id}`))) {
      log.info({ eventId: envelope.data.event_id, retryNum: context.retryNum, retryReason: context.retryReason }, 'duplicate Slack event delivery ignored');
      return;
    }
    await next();
  };
  app.use(dedupeEvents);

  app.event('message', async ({ event, body }) => {
    const envelope = EventEnvelope.safeParse(body);
    const message = DirectMessageEvent.safeParse(event);
    if (!envelope.success || !message.success) {
      log.warn('a message event that does not look like Slack sends them: ignored');
      return;
    }
    const m = message.data;
    // Only people writing in our DM: not our own posts, edits, joins or other subtypes.
    if (m.subtype !== undefined || m.bot_id !== undefined || !m.user) return;
    if (m.channel_type !== undefined ? m.channel_type !== 'im' : !m.channel.startsWith('D')) return;
    await bot.handleDirectMessage({ teamId: envelope.data.team_id, userId: m.user, channel: m.channel, text: m.text, messageId: m.client_msg_id ?? m.ts });
  });

  app.event('app_home_opened', async ({ event, body }) => {
    const envelope = EventEnvelope.safeParse(body);
    const opened = AppHomeOpenedEvent.safeParse(event);
    if (!envelope.success || !opened.success) return;
    if (opened.data.tab !== undefined && opened.data.tab !== 'home') return;
    await bot.handleHomeOpened(envelope.data.team_id, opened.data.user);
  });

  // Any slash command routed to this app (the manifest names it /assess; a workspace may rename it).
  app.command(/^\/.+/, async ({ ack, body }) => {
    await ack();
    const command = SlashCommand.safeParse(body);
    if (!command.success) {
      log.warn({ issue: command.error.issues[0]?.message }, 'a slash command payload that does not look like Slack sends them: ignored');
      return;
    }
    await bot.handleCommand(command.data);
  });

  const onAction = (handle: (payload: BlockActions) => Promise<void>) => async ({ ack, body }: { ack: () => Promise<void>; body: unknown }) => {
    await ack();
    const payload = BlockActions.safeParse(body);
    if (!payload.success) {
      log.warn({ issue: payload.error.issues[0]?.message }, 'a block_actions payload that does not look like Slack sends them: ignored');
      return;
    }
    await handle(payload.data);
  };
  app.action(new RegExp(`^${CHOICE_PREFIX}`), onAction((p) => bot.handleChoice(p)));
  app.action(new RegExp(`^${SLACK_PREFIX}`), onAction((p) => bot.handleSlackAction(p)));

  app.error(async (error) => {
    log.error({ err: error }, 'unhandled error in a Slack listener');
  });
}
