/**
 * Slack's settings: whether it runs, and why not when half of it is set.
 * Loading this module does not load Bolt.
 */
import type { Config } from '../../config.js';

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
