/**
 * manifest.yml is what people paste into Slack: it must parse and declare
 * everything the code relies on.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { ROOT } from '../helpers/server.js';

const Manifest = z.object({
  display_information: z.object({ name: z.string(), description: z.string().max(140), long_description: z.string().min(175).max(4000) }),
  features: z.object({
    app_home: z.object({ home_tab_enabled: z.literal(true), messages_tab_enabled: z.literal(true), messages_tab_read_only_enabled: z.literal(false) }),
    bot_user: z.object({ display_name: z.string() }),
    slash_commands: z.array(z.object({ command: z.string(), description: z.string(), usage_hint: z.string() })),
  }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.literal(true) }),
    socket_mode_enabled: z.boolean(),
  }),
});

describe('manifest.yml', () => {
  it('declares the bot, App Home with the Messages tab, /assess, the scopes, events and interactivity', async () => {
    const manifest = Manifest.parse(parse(await readFile(path.join(ROOT, 'manifest.yml'), 'utf8')));
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/assess']);
    for (const sub of ['start', 'resume CODE', 'status', 'restart', 'report', 'language fr', 'help', 'forget-me']) expect(manifest.features.slash_commands[0]?.usage_hint).toContain(sub);
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['chat:write', 'commands', 'im:history', 'im:write', 'users:read']);
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['app_home_opened', 'message.im']);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });

  it('is described step by step for both modes in docs/slack-setup.md', async () => {
    const doc = await readFile(path.join(ROOT, 'docs/slack-setup.md'), 'utf8');
    for (const needle of ['Socket Mode', 'HTTP mode', 'https://YOUR-HOST/slack/events', 'SLACK_APP_TOKEN', 'connections:write', 'SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN', 'users:read', 'include_locale']) expect(doc).toContain(needle);
  });
});
