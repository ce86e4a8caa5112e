/**
 * The real server (express app with Slack's HTTP receiver mounted) on a
 * random port, a fake Slack Web API, and a Slack user who sends signed
 * requests exactly as Slack does: JSON events, form-encoded slash commands
 * and form-encoded `payload=` interactivity.
 */
import { once } from 'node:events';
import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/channels/web/app.js';
import { createSlackChannel, type SlackChannel } from '../../src/channels/slack/slack-app.js';
import { signSlackRequest } from '../../src/channels/slack/signature.js';
import { createLogger, type Logger } from '../../src/log.js';
import { testServices } from '../helpers/server.js';
import { FakeSlack, type RecordedCall } from './fake-slack.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const PUBLIC_URL = 'https://govstage.example.gov';

export interface SlackTestServer {
  url: string;
  fake: FakeSlack;
  slack: SlackChannel;
  services: Awaited<ReturnType<typeof testServices>>;
  /** Waits until every Slack request sent so far has been processed. */
  idle: () => Promise<void>;
  close: () => Promise<void>;
}

export async function startSlackServer(env: Record<string, string> = {}, options: { logger?: Logger; now?: () => number } = {}): Promise<SlackTestServer> {
  const fake = await FakeSlack.start();
  const services = await testServices({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    PUBLIC_URL,
    ...env,
  });
  const slack = createSlackChannel({ config: services.config, logger: options.logger ?? services.logger, sessions: services.sessions, locales: services.locales, groups: services.groups, metrics: services.metrics, ...(options.now ? { now: options.now } : {}) });
  const app = createApp(services, { channels: [slack] });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    fake,
    slack,
    services,
    idle: () => slack.drain(),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await slack.stop();
      await fake.close();
      await services.cleanup();
    },
  };
}

export interface SignedOptions {
  secret?: string;
  /** Seconds since the epoch; now by default. */
  timestamp?: number;
  headers?: Record<string, string>;
  signature?: string;
}

export async function signedPost(url: string, body: string, contentType: string, options: SignedOptions = {}): Promise<Response> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': options.signature ?? signSlackRequest(options.secret ?? SIGNING_SECRET, timestamp, body),
      ...options.headers,
    },
    body,
  });
}

export interface Button {
  action_id: string;
  value?: string;
  text: string;
  block_id: string | undefined;
}

type Block = { type: string; block_id?: string; elements?: unknown[]; accessory?: unknown; text?: { text?: string } };

export function blocksOf(call: RecordedCall): Block[] {
  return Array.isArray(call.body.blocks) ? (call.body.blocks as Block[]) : [];
}

export function buttonsOf(call: RecordedCall): Button[] {
  const out: Button[] = [];
  const add = (element: unknown, blockId: string | undefined) => {
    const e = element as { type?: string; action_id?: string; value?: string; text?: { text?: string } };
    if (e?.type === 'button' && e.action_id) out.push({ action_id: e.action_id, ...(e.value !== undefined ? { value: e.value } : {}), text: e.text?.text ?? '', block_id: blockId });
  };
  for (const block of blocksOf(call)) {
    for (const element of block.elements ?? []) add(element, block.block_id);
    if (block.accessory) add(block.accessory, block.block_id);
  }
  return out;
}

/** All the text a message shows (sections, contexts, headers). */
export function textOf(call: RecordedCall): string {
  const parts: string[] = [];
  for (const block of blocksOf(call)) {
    if (block.text?.text) parts.push(block.text.text);
    for (const element of block.elements ?? []) {
      const e = element as { type?: string; text?: string };
      if ((e.type === 'mrkdwn' || e.type === 'plain_text') && typeof e.text === 'string') parts.push(e.text);
    }
    const fields = (block as { fields?: { text: string }[] }).fields;
    for (const f of fields ?? []) parts.push(f.text);
  }
  return parts.join('\n');
}

/**
 * The question a posted message asks (from its answer buttons' choice ids), if
 * any: a question id, or "unit" for the opening question (what is assessed),
 * whose choices are `unit:<option>`.
 */
export function questionOf(call: RecordedCall): string | undefined {
  const answer = buttonsOf(call).find((b) => b.block_id === 'gov-answers');
  const match = answer ? /^gov:(?:answer:([^:]+)|(unit)):/.exec(answer.action_id) : null;
  return match ? (match[1] ?? match[2]) : undefined;
}

export class SlackUser {
  private seq = 0;

  constructor(
    private readonly server: SlackTestServer,
    readonly teamId = 'T1',
    readonly userId = 'U1',
  ) {}

  get dmChannel(): string {
    return `D${this.userId}`;
  }

  private get endpoint(): string {
    return `${this.server.url}/slack/events`;
  }

  /** An Events API delivery (JSON). */
  event(event: Record<string, unknown>, options: { eventId?: string; retryNum?: number } & SignedOptions = {}): Promise<Response> {
    const body = JSON.stringify({
      token: 'legacy-verification-token',
      team_id: this.teamId,
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: options.eventId ?? `Ev${this.userId}${Date.now()}${++this.seq}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: this.teamId, user_id: 'UBOT', is_bot: true }],
      event,
    });
    const headers = options.retryNum !== undefined ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout', ...options.headers } : options.headers;
    return signedPost(this.endpoint, body, 'application/json', { ...options, ...(headers ? { headers } : {}) });
  }

  /** The user writes in the app's DM. */
  dm(text: string, options: { eventId?: string; retryNum?: number; messageId?: string } & SignedOptions = {}): Promise<Response> {
    const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
    return this.event(
      { type: 'message', channel: this.dmChannel, channel_type: 'im', user: this.userId, text, ts, event_ts: ts, client_msg_id: options.messageId ?? `msg-${this.userId}-${this.seq}-${Date.now()}` },
      options,
    );
  }

  /** A slash command (form-encoded), from the DM unless another channel is named. */
  command(text: string, options: { channel?: string; command?: string } & SignedOptions = {}): Promise<Response> {
    const body = new URLSearchParams({
      token: 'legacy-verification-token',
      team_id: this.teamId,
      team_domain: 'example',
      channel_id: options.channel ?? this.dmChannel,
      channel_name: 'directmessage',
      user_id: this.userId,
      user_name: 'pat',
      command: options.command ?? '/assess',
      text,
      api_app_id: 'A1',
      response_url: this.server.fake.responseUrl(),
      trigger_id: `trig-${this.userId}-${++this.seq}-${Date.now()}`,
    }).toString();
    return signedPost(this.endpoint, body, 'application/x-www-form-urlencoded', options);
  }

  /** Clicks a button of a message the bot posted (form-encoded `payload=`). */
  click(message: RecordedCall, pick: string | ((b: Button) => boolean), options: { actionTs?: string } & SignedOptions = {}): Promise<Response> {
    const buttons = buttonsOf(message);
    const button = buttons.find((b) => (typeof pick === 'string' ? b.action_id === pick : pick(b)));
    if (!button) throw new Error(`no such button; the message has: ${buttons.map((b) => b.action_id).join(', ')}`);
    const ts = String(message.result.ts);
    const channel = String(message.body.channel);
    const payload = {
      type: 'block_actions',
      user: { id: this.userId, username: 'pat', name: 'pat', team_id: this.teamId },
      api_app_id: 'A1',
      token: 'legacy-verification-token',
      container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
      trigger_id: `trig-${++this.seq}`,
      team: { id: this.teamId, domain: 'example' },
      channel: { id: channel, name: 'directmessage' },
      message: { type: 'message', user: 'UBOT', ts, bot_id: 'BBOT', text: message.body.text, blocks: message.body.blocks },
      state: { values: {} },
      response_url: this.server.fake.responseUrl(),
      actions: [
        {
          type: 'button',
          action_id: button.action_id,
          block_id: button.block_id ?? 'b',
          text: { type: 'plain_text', text: button.text, emoji: true },
          ...(button.value !== undefined ? { value: button.value } : {}),
          action_ts: options.actionTs ?? `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`,
        },
      ],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return signedPost(this.endpoint, body, 'application/x-www-form-urlencoded', options);
  }

  /** Clicks a button in the App Home view last published for this user. */
  clickHome(view: RecordedCall, actionId: string): Promise<Response> {
    const blocks = (view.body.view as { blocks: unknown[] }).blocks;
    const button = buttonsOf({ ...view, body: { blocks } }).find((b) => b.action_id === actionId);
    if (!button) throw new Error(`no ${actionId} in the home view`);
    const payload = {
      type: 'block_actions',
      user: { id: this.userId, team_id: this.teamId },
      team: { id: this.teamId },
      container: { type: 'view', view_id: 'VHOME' },
      view: { id: 'VHOME', type: 'home', hash: String((view.result.view as { hash: string }).hash) },
      trigger_id: `trig-${++this.seq}`,
      actions: [{ type: 'button', action_id: actionId, block_id: button.block_id, text: { type: 'plain_text', text: button.text }, value: button.value, action_ts: `${Date.now() / 1000}` }],
    };
    return signedPost(this.endpoint, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
  }
}

/** A logger that keeps its lines, for asserting on what was logged. */
export function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  return { logger, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** The last message the bot posted to a channel after `after` (a seq). */
export function lastPost(fake: FakeSlack, after = 0, channel?: string): RecordedCall {
  const posts = fake.callsOf('chat.postMessage', after).filter((c) => channel === undefined || c.body.channel === channel);
  const last = posts.at(-1);
  if (!last) throw new Error(`nothing was posted; calls: ${fake.calls.slice(-10).map((c) => c.method).join(', ')}`);
  return last;
}

/**
 * Interaction payloads no listener of ours handles, as Slack sends them: a
 * global and a message shortcut, a button of an older release, and a
 * block_actions without actions. Slack shows the person an error unless each
 * is acknowledged.
 */
export function unhandledInteractions(teamId = 'T1', userId = 'U1'): { name: string; body: Record<string, unknown> }[] {
  const user = { id: userId, username: 'pat', name: 'pat', team_id: teamId };
  const team = { id: teamId, domain: 'example' };
  const ts = `${Math.floor(Date.now() / 1000)}.000100`;
  const blockActions = (actions: unknown[]) => ({
    type: 'block_actions',
    user,
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: ts, channel_id: `D${userId}`, is_ephemeral: false },
    trigger_id: `trig-${ts}`,
    team,
    channel: { id: `D${userId}`, name: 'directmessage' },
    message: { type: 'message', user: 'UBOT', ts, bot_id: 'BBOT', text: 'an old question', blocks: [] },
    state: { values: {} },
    response_url: 'https://hooks.slack.invalid/actions/T1/1/x',
    actions,
  });
  return [
    { name: 'a global shortcut', body: { type: 'shortcut', token: 'legacy-verification-token', action_ts: ts, team, user, callback_id: 'open_assessment', trigger_id: `trig-s-${ts}` } },
    {
      name: 'a message shortcut',
      body: {
        type: 'message_action',
        token: 'legacy-verification-token',
        action_ts: ts,
        team,
        user,
        channel: { id: `D${userId}`, name: 'directmessage' },
        callback_id: 'save_as_note',
        trigger_id: `trig-m-${ts}`,
        message_ts: ts,
        message: { type: 'message', user: userId, ts, text: 'hello' },
        response_url: 'https://hooks.slack.invalid/actions/T1/2/x',
      },
    },
    {
      name: 'a button of an older release',
      body: blockActions([{ type: 'button', action_id: 'answer_yes', block_id: 'answers', text: { type: 'plain_text', text: 'Yes' }, value: 'yes', action_ts: ts }]),
    },
    { name: 'block_actions without actions', body: blockActions([]) },
  ];
}
