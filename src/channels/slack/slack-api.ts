/**
 * The few Slack Web API calls Govstage makes, behind a small interface so the
 * bot's logic does not depend on Bolt. Built on Bolt's WebClient: rate-limited
 * calls (HTTP 429) wait for Retry-After and are retried, network failures are
 * retried with backoff, and every rate limit is logged.
 */
import { webApi, type types } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { slackLogger } from './slack-logger.js';
import type { AnyBlock, SlackMessage } from './blocks.js';

export interface SlackApi {
  /** The app's DM channel with a user (conversations.open). */
  openDm(userId: string): Promise<string>;
  post(channel: string, message: SlackMessage): Promise<{ ts: string; channel: string }>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  postEphemeral(channel: string, userId: string, message: SlackMessage): Promise<void>;
  publishHome(userId: string, view: types.HomeView): Promise<void>;
  /** The user's Slack locale ("fr-FR"; users.info with include_locale, which needs the users:read scope), if Slack says. */
  userLocale(userId: string): Promise<string | undefined>;
  /** Posts to an interaction's response_url (ephemeral replies, replacing an ephemeral message). */
  respond(responseUrl: string, body: { text: string; blocks?: AnyBlock[]; response_type?: 'ephemeral' | 'in_channel'; replace_original?: boolean }): Promise<void>;
}

export interface WebApiOptions {
  token: string;
  /** SLACK_API_URL; a trailing slash is added when missing. */
  slackApiUrl?: string | undefined;
  logger: Logger;
  /** Attempts after the first, for rate limits and network failures. */
  retries?: number;
  fetch?: typeof fetch;
}

/** Slack's base URLs end with a slash (`https://slack.com/api/`); WebClient appends the method name. */
export const normalizeApiUrl = (url: string): string => (url.endsWith('/') ? url : `${url}/`);

export function webClientOptions(options: Pick<WebApiOptions, 'slackApiUrl' | 'logger' | 'retries'>): webApi.WebClientOptions {
  return {
    ...(options.slackApiUrl ? { slackApiUrl: normalizeApiUrl(options.slackApiUrl) } : {}),
    logger: slackLogger(options.logger, { quietDebug: true }),
    retryConfig: { retries: options.retries ?? 4, factor: 2, minTimeout: 250, maxTimeout: 10_000, randomize: true },
    rejectRateLimitedCalls: false,
    timeout: 10_000,
  };
}

export function createSlackApi(options: WebApiOptions): SlackApi {
  const client = new webApi.WebClient(options.token, webClientOptions(options));
  const log = options.logger;
  client.on(webApi.WebClientEvent.RATE_LIMITED, (retryAfterSeconds: number, details: { url?: string }) => {
    log.warn({ retryAfterSeconds, url: details.url }, 'Slack rate limit: waiting before retrying');
  });
  const doFetch = options.fetch ?? fetch;

  return {
    async openDm(userId) {
      const result = await client.conversations.open({ users: userId });
      const id = result.channel?.id;
      if (!id) throw new Error('conversations.open returned no channel id');
      return id;
    },
    async post(channel, message) {
      const result = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
      return { ts: result.ts ?? '', channel: result.channel ?? channel };
    },
    async update(channel, ts, message) {
      await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
    },
    async postEphemeral(channel, userId, message) {
      await client.chat.postEphemeral({ channel, user: userId, text: message.text, blocks: message.blocks });
    },
    async publishHome(userId, view) {
      await client.views.publish({ user_id: userId, view });
    },
    async userLocale(userId) {
      const result = await client.users.info({ user: userId, include_locale: true });
      return typeof result.user?.locale === 'string' ? result.user.locale : undefined;
    },
    async respond(responseUrl, body) {
      for (let attempt = 0; ; attempt++) {
        const response = await doFetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
        if (response.ok) return;
        const retryAfter = Number(response.headers.get('retry-after') ?? '1');
        if (response.status === 429 && attempt < 3) {
          log.warn({ retryAfterSeconds: retryAfter }, 'Slack rate limit on response_url: waiting before retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min(30, Math.max(1, retryAfter)) * 1000));
          continue;
        }
        throw new Error(`response_url answered ${response.status}`);
      }
    },
  };
}
