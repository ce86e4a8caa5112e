/**
 * Microsoft Teams, wired: the Microsoft 365 Agents SDK's CloudAdapter
 * behind our own express app at POST /api/messages (never the SDK's
 * startServer, which listens on every interface with its own express).
 * Creating it calls nobody: incoming tokens are checked against keys
 * fetched when the first request comes, replies get their token when the
 * first reply is sent.
 */
import express, { type Express, type RequestHandler } from 'express';
import { CardFactory, CloudAdapter, type TurnContext, type WebResponse } from '@microsoft/agents-hosting';
import { Activity } from '@microsoft/agents-activity';
import { GovError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Locales } from '../../i18n/words.js';
import type { PersonSessions } from '../../service/person-sessions-api.js';
import type { Channel } from '../channel.js';
import type { AdaptiveCard } from './cards.js';
import { loggableError, TeamsBot, type TeamsTurn } from './teams-bot.js';
import { teamsAuthConfiguration, teamsConfigured, type TeamsConfig } from './teams-config.js';

export const MESSAGES_PATH = '/api/messages';
/** Activities are small; a conversationUpdate in a large team is the biggest Teams sends. */
const BODY_LIMIT = '256kb';

export interface TeamsChannelOptions {
  config: TeamsConfig;
  logger: Logger;
  sessions: PersonSessions;
  /** The locale catalogues: Teams' own words. */
  locales: Locales;
  now?: () => number;
}

export interface TeamsChannel extends Channel {
  readonly bot: TeamsBot;
  readonly adapter: CloudAdapter;
}

/** Attempts at one reply when Teams answers 429 (throttled) or 502-504. */
const SEND_ATTEMPTS = 3;

export function createTeamsChannel(options: TeamsChannelOptions): TeamsChannel {
  const { config, logger } = options;
  if (!teamsConfigured(config)) throw new Error('Teams is not configured: set TEAMS_APP_ID and TEAMS_APP_PASSWORD');
  const log = logger.child({ component: 'teams' });
  // validateServiceUrl: an activity must name the service URL its token was issued for.
  const adapter = new CloudAdapter(teamsAuthConfiguration(config), undefined, undefined, { validateServiceUrl: true });
  // The bot answers its own errors; this sees only the SDK's own failures inside a turn (and says nothing internal).
  adapter.onTurnError = async (_context, error) => {
    log.error({ err: loggableError(error) }, 'Teams turn failed in the SDK');
  };
  const bot = new TeamsBot({ sessions: options.sessions, locales: options.locales, logger, publicUrl: config.PUBLIC_URL, acceptEmulator: !config.TEAMS_APP_ID, ...(options.now ? { now: options.now } : {}) });
  // Teams' Retry-After, else 2 s then 4 s; never more than 10 s (an invoke must be answered within Teams' timeout).
  const delay = (attempt: number, retryAfter: number | undefined) => Math.min(10_000, (retryAfter ?? 2 ** attempt) * 1000);

  const inFlight = new Set<Promise<unknown>>();
  let stopping = false;

  async function retrying<T>(send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const throttled = throttling(error);
        if (!throttled || attempt >= SEND_ATTEMPTS) throw error;
        log.warn({ status: throttled.status, attempt }, 'Teams throttled a reply: retrying');
        await new Promise((resolve) => setTimeout(resolve, delay(attempt, throttled.retryAfterSeconds)));
      }
    }
  }

  function turnOf(context: TurnContext): TeamsTurn {
    const message = (card: AdaptiveCard, extra: Record<string, unknown>) => Activity.fromObject({ type: 'message', attachments: [CardFactory.adaptiveCard(card)], ...extra });
    return {
      activity: context.activity,
      async post(cards, summary) {
        for (const card of cards) await retrying(() => context.sendActivity(message(card, { summary })));
      },
      async update(activityId, card) {
        await retrying(() => context.updateActivity(message(card, { id: activityId })));
      },
      async invokeResponse(body) {
        await context.sendActivity(Activity.fromObject({ type: 'invokeResponse', value: { status: 200, body } }));
      },
    };
  }

  /**
   * The SDK's token check, its refusal in our error shape: the SDK writes its
   * own 401 body, so it writes to a stand-in and we answer.
   */
  const authorize: RequestHandler = async (req, _res, next) => {
    let passed = false;
    let refusal: unknown;
    const standIn: WebResponse = {
      status() {
        return this;
      },
      setHeader() {
        return this;
      },
      send(body?: unknown) {
        refusal = body;
        return this;
      },
      end() {
        return this;
      },
      headersSent: false,
      writableEnded: false,
    };
    await adapter.authorizeRequest(req, standIn, (error?: unknown) => {
      passed = error === undefined;
    });
    if (!passed) {
      const reason = typeof refusal === 'object' && refusal !== null ? Object.values(refusal)[0] : undefined;
      log.info({ reason: typeof reason === 'string' ? reason.slice(0, 200) : undefined }, 'Teams request refused: not signed for this bot');
      throw new GovError('UNAUTHORIZED', 'This endpoint takes only activities that the Bot Framework signed for this bot.');
    }
    next();
  };

  const handle: RequestHandler = async (req, res) => {
    if (stopping) throw new GovError('UNAVAILABLE', 'Govstage is restarting. Please try again in a moment.');
    const body: unknown = req.body;
    if (!req.is(['application/json', 'application/*+json']) || typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new GovError('BAD_INPUT', 'Send one Bot Framework activity as JSON.');
    }
    const work = adapter.process(req, res, (context) => bot.handle(turnOf(context)));
    inFlight.add(work);
    try {
      await work;
    } catch (error) {
      // Outside the turn (a reply token that could not be had, a malformed activity): logged here, without
      // the request it made (its bearer token), and answered as ours.
      log.error({ err: loggableError(error) }, 'Teams activity could not be processed');
      throw new GovError('INTERNAL', 'The activity could not be processed.');
    } finally {
      inFlight.delete(work);
    }
  };

  const drain = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  return {
    name: 'teams',
    bot,
    adapter,
    mount(app: Express) {
      app.post(MESSAGES_PATH, authorize, express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] }), handle);
    },
    async start() {
      log.info({ path: MESSAGES_PATH, anonymous: !config.TEAMS_APP_ID }, config.TEAMS_APP_ID ? 'Teams: messages at POST /api/messages' : 'Teams: ANONYMOUS development mode at POST /api/messages (no request is checked)');
    },
    drain,
    async stop() {
      stopping = true;
      await drain();
    },
  };
}

/** A reply Teams refused for now: 429 (with its Retry-After) or a gateway error. */
function throttling(error: unknown): { status: number; retryAfterSeconds: number | undefined } | undefined {
  if (!(error instanceof Error) || error.name !== 'HttpError') return undefined;
  const { status, response } = error as Error & { status?: unknown; response?: { headers?: { get?: (name: string) => string | null } } };
  if (typeof status !== 'number' || !(status === 429 || (status >= 502 && status <= 504))) return undefined;
  const header = response?.headers?.get?.('retry-after');
  const seconds = header && /^\d+$/.test(header) ? Number(header) : undefined;
  return { status, retryAfterSeconds: seconds };
}
