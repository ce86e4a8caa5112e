/**
 * A Govstage server with Teams on, in front of a fake Microsoft (issuer,
 * sidecar, Bot Connector: fake-microsoft.ts), and Teams users who send
 * activities shaped as the Bot Connector sends them (from Microsoft's
 * documentation of Teams bot activities and the SDK's own tests) and click
 * the buttons of the cards the connector received.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { clearJwksClients } from '@microsoft/agents-hosting';
import { configuredChannels } from '../../src/channels/configured.js';
import type { Channel } from '../../src/channels/channel.js';
import { createApp } from '../../src/channels/web/app.js';
import { createLogger } from '../../src/log.js';
import { testServices } from '../helpers/server.js';
import { FakeConnector, FakeIssuer, FakeSidecar, type ConnectorCall } from './fake-microsoft.js';

export const APP_ID = '6f1d3a2b-9c8e-4f70-a1b2-c3d4e5f60718';

export interface TeamsWorld {
  url: string;
  issuer: FakeIssuer;
  sidecar: FakeSidecar;
  connector: FakeConnector;
  services: Awaited<ReturnType<typeof testServices>>;
  channels: Channel[];
  /** Everything logged, one JSON line each. */
  logs: () => string;
  /** A token as the Bot Connector's: for this bot, from this tenant's issuer, for this serviceUrl. */
  token: (claims?: Record<string, unknown>, options?: Parameters<FakeIssuer['token']>[1]) => string;
  /** POSTs an activity to /api/messages; `token: null` sends none. */
  post: (activity: object, token?: string | null) => Promise<{ status: number; body: unknown }>;
  stop: () => Promise<void>;
}

/** Everything on, in process, with a logger whose lines the test can read. */
export async function startTeamsWorld(env: Record<string, string> = {}): Promise<TeamsWorld> {
  const [issuer, sidecar, connector] = await Promise.all([FakeIssuer.start(), FakeSidecar.start(), FakeConnector.start()]);
  // The SDK keeps JWKS clients (and their keys) per key URL for the whole process.
  clearJwksClients();
  const services = await testServices({
    TEAMS_APP_ID: APP_ID,
    TEAMS_TENANT_ID: issuer.tenantId,
    TEAMS_AUTHORITY: issuer.authority,
    TEAMS_SIDECAR_URL: sidecar.url,
    ...env,
  });
  let lines = '';
  const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk, _encoding, done) => ((lines += String(chunk)), done()) }) });
  const channels = await configuredChannels({ ...services, logger });
  const app = createApp({ ...services, logger }, { channels });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  for (const channel of channels) await channel.start();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const world: TeamsWorld = {
    url,
    issuer,
    sidecar,
    connector,
    services,
    channels,
    logs: () => lines,
    token: (claims = {}, options = {}) => issuer.token({ aud: APP_ID, serviceurl: connector.serviceUrl, ...claims }, options),
    async post(activity, token) {
      const bearer = token === undefined ? world.token() : token;
      const response = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...(bearer !== null ? { authorization: `Bearer ${bearer}` } : {}) },
        body: JSON.stringify(activity),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: kept as text
      }
      return { status: response.status, body };
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const channel of channels) await channel.stop();
      await services.cleanup();
      await Promise.all([issuer.stop(), sidecar.stop(), connector.stop()]);
      clearJwksClients();
    },
  };
  return world;
}

export interface AdaptiveCardJson {
  type: 'AdaptiveCard';
  version: string;
  body: unknown[];
}

export interface ExecuteJson {
  type: 'Action.Execute';
  title: string;
  verb: string;
  data: Record<string, unknown> & { action: string; choice?: string };
}

/** The Adaptive Cards of a connector call. */
export function cardsOf(call: ConnectorCall): AdaptiveCardJson[] {
  const attachments = (call.body.attachments ?? []) as { contentType: string; content: AdaptiveCardJson }[];
  return attachments.filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content);
}

/** Every Action.Execute in a card, wherever it is nested. */
export function actionsOf(card: unknown): ExecuteJson[] {
  const found: ExecuteJson[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    if ((node as { type?: unknown }).type === 'Action.Execute') found.push(node as ExecuteJson);
    Object.values(node).forEach(walk);
  };
  walk(card);
  return found;
}

/** All the text of a card, in order. */
export function textOf(card: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    if ((node as { type?: unknown }).type === 'TextBlock') parts.push(String((node as { text?: unknown }).text));
    if ((node as { type?: unknown }).type === 'Action.Execute') parts.push(`[${String((node as { title?: unknown }).title)}]`);
    Object.values(node).forEach(walk);
  };
  walk(card);
  return parts.join('\n');
}

/** What a Teams user needs of the world: where replies go, the tenant, and a way to post. */
export type UserWorld = { connector: { serviceUrl: string }; issuer: { tenantId: string }; post: TeamsWorld['post'] };

/** A person in Teams, in a personal chat with the bot (or in a channel). */
export class TeamsUser {
  readonly id = `29:${randomUUID()}`;
  readonly aadObjectId = randomUUID();
  readonly personalConversation = `a:${randomUUID().replace(/-/g, '')}`;
  private seq = 0;

  constructor(
    private readonly world: UserWorld,
    readonly name = 'Megan Bowen',
  ) {}

  private base(conversation: Record<string, unknown>) {
    const now = new Date().toISOString();
    return {
      timestamp: now,
      localTimestamp: now,
      id: `${Date.now()}${++this.seq}`,
      channelId: 'msteams',
      serviceUrl: this.world.connector.serviceUrl,
      from: { id: this.id, name: this.name, aadObjectId: this.aadObjectId },
      conversation,
      recipient: { id: `28:${APP_ID}`, name: 'Govstage' },
      entities: [{ locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/Paris', type: 'clientInfo' }],
      channelData: { tenant: { id: this.world.issuer.tenantId } },
      locale: 'en-US',
      localTimezone: 'Europe/Paris',
    };
  }

  get personal() {
    return { conversationType: 'personal', tenantId: this.world.issuer.tenantId, id: this.personalConversation };
  }

  /** The activity a typed message in the personal chat is. */
  message(text: string, overrides: Record<string, unknown> = {}) {
    return { ...this.base(this.personal), type: 'message', text, textFormat: 'plain', ...overrides };
  }

  /** A message in a team channel, starting with an @mention of the bot (as Teams writes it). */
  channelMessage(text: string, options: { mention?: boolean } = {}) {
    const channelId = '19:9a1b2c3d4e5f@thread.tacv2';
    const base = this.base({ isGroup: true, conversationType: 'channel', tenantId: this.world.issuer.tenantId, id: `${channelId};messageid=1700000000000` });
    const mention = options.mention ?? true;
    return {
      ...base,
      type: 'message',
      text: mention ? `<at>Govstage</at> ${text}` : text,
      textFormat: 'plain',
      entities: [...base.entities, ...(mention ? [{ type: 'mention', mentioned: { id: `28:${APP_ID}`, name: 'Govstage' }, text: '<at>Govstage</at>' }] : [])],
      channelData: { teamsChannelId: channelId, teamsTeamId: '19:team0001@thread.tacv2', channel: { id: channelId }, team: { id: '19:team0001@thread.tacv2' }, tenant: { id: this.world.issuer.tenantId } },
    };
  }

  /** The bot installed in the personal scope. */
  installed() {
    return { ...this.base(this.personal), type: 'conversationUpdate', membersAdded: [{ id: `28:${APP_ID}` }] };
  }

  /** A click on an Action.Execute button of the card in `call` (the message the connector received). */
  clickActivity(call: ConnectorCall, action: ExecuteJson) {
    return {
      ...this.base(call.conversationId === this.personalConversation ? this.personal : { isGroup: true, conversationType: 'channel', tenantId: this.world.issuer.tenantId, id: call.conversationId }),
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: call.id,
      value: { action: { type: 'Action.Execute', title: action.title, verb: action.verb, data: action.data }, trigger: 'manual' },
      channelData: { tenant: { id: this.world.issuer.tenantId }, source: { name: 'message' }, legacy: { replyToId: call.id } },
    };
  }

  async send(text: string) {
    return this.world.post(this.message(text));
  }

  /** Clicks the button for `choice` (a core choice id, or one of Teams' own actions) on the card of `call`. */
  async click(call: ConnectorCall, choice: string) {
    const action = cardsOf(call).flatMap(actionsOf).find((a) => a.data.choice === choice || (a.data.action === choice && a.data.action !== 'choose'));
    if (!action) throw new Error(`no button "${choice}" on that card; it has: ${cardsOf(call).flatMap(actionsOf).map((a) => a.data.choice ?? a.data.action).join(', ')}`);
    return this.world.post(this.clickActivity(call, action));
  }
}
