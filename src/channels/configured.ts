/**
 * The chat channels this configuration turns on, as `Channel`s the server
 * mounts, starts and stops in a loop. (Slack is still wired on its own in
 * main.ts until it moves onto this interface.)
 */
import type { Services } from '../bootstrap.js';
import type { Channel } from './channel.js';
import { teamsConfigured } from './teams/teams-config.js';

export async function configuredChannels(services: Pick<Services, 'config' | 'logger' | 'sessions'>): Promise<Channel[]> {
  const channels: Channel[] = [];
  if (teamsConfigured(services.config)) {
    // The SDK is loaded only when Teams is on.
    const { createTeamsChannel } = await import('./teams/teams-channel.js');
    channels.push(createTeamsChannel({ config: services.config, logger: services.logger, sessions: services.sessions }));
  }
  return channels;
}
