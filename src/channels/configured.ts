/**
 * The chat channels this configuration turns on, as `Channel`s the server
 * mounts, starts and stops in a loop. Each platform's SDK is loaded only
 * when its channel is on.
 */
import type { Services } from '../bootstrap.js';
import type { Channel } from './channel.js';
import { slackConfigured, slackHalfConfigured } from './slack/slack-config.js';
import { teamsConfigured } from './teams/teams-config.js';

export async function configuredChannels(services: Pick<Services, 'config' | 'logger' | 'sessions' | 'metrics' | 'locales'> & Partial<Pick<Services, 'groups'>>): Promise<Channel[]> {
  const { config, logger, sessions, metrics, locales, groups } = services;
  const channels: Channel[] = [];
  // Slack runs when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set: Socket Mode with SLACK_APP_TOKEN, else HTTP at POST /slack/events.
  if (slackConfigured(config)) {
    const { createSlackChannel } = await import('./slack/slack-app.js');
    channels.push(createSlackChannel({ config, logger, sessions, metrics, locales, groups }));
  } else {
    const half = slackHalfConfigured(config);
    if (half) logger.warn(half);
  }
  // Teams runs when TEAMS_APP_ID is set (or, in development, TEAMS_ALLOW_ANONYMOUS=true).
  if (teamsConfigured(config)) {
    const { createTeamsChannel } = await import('./teams/teams-channel.js');
    channels.push(createTeamsChannel({ config, logger, sessions, locales }));
  }
  return channels;
}
