/**
 * Slack, wired as a Channel: a Bolt 5 app in Socket Mode when SLACK_APP_TOKEN
 * is set (no public URL needed), otherwise in HTTP mode behind our own
 * express server at POST /slack/events. Starting never calls Slack (no
 * auth.test): authorisation is the configured bot token, and the bot's own
 * messages are recognised by their bot_id rather than by asking Slack who we
 * are.
 */
import { App, type AnyMiddlewareArgs, type Middleware } from '@slack/bolt';
import type { SocketModeClient } from '@slack/socket-mode';
import type { Express, RequestHandler } from 'express';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import type { Locales } from '../../i18n/words.js';
import type { GroupService } from '../../service/groups/group-service.js';
import type { PersonSessions } from '../../service/person-sessions-api.js';
import type { Channel } from '../channel.js';
import { CHOICE_PREFIX, SLACK_PREFIX } from './blocks.js';
import { SlackBot } from './bot.js';
import { SlackHttpReceiver } from './http-receiver.js';
import { SlackSocketReceiver } from './socket-receiver.js';
import { AppHomeOpenedEvent, BlockActions, DirectMessageEvent, EventEnvelope, SlashCommand } from './payloads.js';
import { createSlackApi, webClientOptions, type SlackApi } from './slack-api.js';
import { slackConfigured, type SlackConfig } from './slack-config.js';
import { slackLogger } from './slack-logger.js';

export const EVENTS_PATH = '/slack/events';

export interface SlackChannel extends Channel {
  mode: 'http' | 'socket';
  bot: SlackBot;
  /** Socket Mode's client (Socket Mode only); tests deliver envelopes through it. */
  socketClient: SocketModeClient | undefined;
}

export interface SlackChannelOptions {
  config: SlackConfig;
  logger: Logger;
  sessions: PersonSessions;
  /** The locale catalogues: Slack's own words. */
  locales: Locales;
  /** Group rounds (`/assess group new` in a channel); without it the command says they are not available. */
  groups?: GroupService | undefined;
  /** Counts the answers to POST /slack/events by status (govstage_slack_requests_total). */
  metrics?: Metrics;
  /** Replaces the Web API (tests). */
  api?: SlackApi;
  now?: () => number;
}

export function createSlackChannel(options: SlackChannelOptions): SlackChannel {
  const { config, logger, sessions, metrics } = options;
  if (!slackConfigured(config)) throw new Error('Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');
  const log = logger.child({ component: 'slack' });
  const botToken = config.SLACK_BOT_TOKEN;
  const api = options.api ?? createSlackApi({ token: botToken, slackApiUrl: config.SLACK_API_URL, logger });
  const bot = new SlackBot({ sessions, locales: options.locales, groups: options.groups, api, logger, publicUrl: config.PUBLIC_URL, ...(options.now ? { now: options.now } : {}) });

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
    name: 'slack',
    mode: socketReceiver ? 'socket' : 'http',
    socketClient: socketReceiver?.client,
    bot,
    mount(app: Express) {
      if (!httpReceiver) return;
      const handler = httpReceiver.requestHandler;
      const counted: RequestHandler = (req, res, next) => {
        res.once('finish', () => metrics?.slackRequests.inc({ status: String(res.statusCode) }));
        handler(req, res, next);
      };
      // Slack signs the raw body: the receiver reads it itself, so this comes before any body parser.
      app.post(EVENTS_PATH, counted);
    },
    async start() {
      if (!socketReceiver) {
        log.info({ mode: 'http' }, `Slack: HTTP mode at POST ${EVENTS_PATH}`);
        return;
      }
      // Socket Mode connects in the background: the web chat does not wait for (or depend on) Slack.
      log.info({ mode: 'socket' }, 'Slack: Socket Mode');
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
  // once, across every instance sharing the store (a retry may reach another instance). This runs after
  // the acknowledgement (dispatch.ts) and before any processing, one person's deliveries in order, so a
  // retry on this instance finds its original's claim, and one on another loses the store's race to it.
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
