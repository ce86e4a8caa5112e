/**
 * The HTTP API routes: thin translation between HTTP and the turn pipeline.
 */
import { Router, type Request } from 'express';
import { GovError } from '../../errors.js';
import type { TurnInput } from '../../core/messages.js';
import { negotiateLocale } from '../../core/i18n/negotiate.js';
import { isStaleTurn, type ConversationService } from '../../service/conversation-service.js';
import type { RateLimiter } from '../../service/rate-limiter.js';
import { hashToken } from '../../service/secrets.js';
import { CachedJson } from './cached-json.js';
import { addressKey } from './client-key.js';
import { parseInput } from './http-errors.js';
import { ConversationId, CreateConversationBody, IntroductionQuery, ResumeBody, TurnBody } from './schemas.js';

export interface ApiLimits {
  perConversation: RateLimiter;
  /** New conversations per client address: each is a stored file, so creating them is bounded apart from other requests. */
  starts: RateLimiter;
  resumeAttempts: RateLimiter;
}

export function bearer(req: Request): string {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+([A-Za-z0-9_-]{16,200})$/.exec(header);
  if (!match?.[1]) throw new GovError('UNAUTHORIZED', 'Send the resume token as "Authorization: Bearer <token>".');
  return match[1];
}

/** The client a request counts against: its address, IPv6 per /64 (see client-key.ts). */
export const clientKey = (req: Request): string => addressKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');

const STALE_MESSAGE = {
  'moved-on': 'The conversation has moved on since this answer was given (another tab or device answered first).',
  'not-current': 'That answer belongs to a question that is no longer the current one; nothing was changed.',
} as const;

export function apiRouter(service: ConversationService, limits: ApiLimits): Router {
  const router = Router();

  // The introduction, without creating anything: the widget shows it on page load and creates the
  // conversation on the person's first reply, so a visit that never answers leaves nothing stored.
  const introductions = new CachedJson(300);
  router.get('/introduction', (req, res) => {
    const query = parseInput(IntroductionQuery, req.query, 'query');
    // Keyed by the locale served, a closed set: whatever is asked for, at most one copy per language is kept.
    const { flow } = service.definition;
    const locale = negotiateLocale(flow.locales, [query.locale]) ?? flow.defaultLocale;
    introductions.send(req, res, locale, () => ({ messages: service.introduction(locale) }));
  });

  router.post('/conversations', async (req, res) => {
    limits.starts.hit(clientKey(req), 'new assessments');
    const body = parseInput(CreateConversationBody, req.body ?? {}, 'body');
    const started = await service.start({ channel: 'web', ...(body.locale ? { locale: body.locale } : {}) });
    res.status(201).json(started);
  });

  router.get('/conversations/:id', async (req, res) => {
    const token = bearer(req);
    const id = parseInput(ConversationId, req.params.id, 'id');
    res.json(await service.view(id, { kind: 'token', token }));
  });

  router.post('/conversations/:id/turns', async (req, res) => {
    const token = bearer(req);
    const id = parseInput(ConversationId, req.params.id, 'id');
    // Keyed by the token as well: the id alone is not a secret, so turns sent with a wrong token
    // must not use up the allowance of the person who holds the right one.
    await limits.perConversation.hit(`${id}:${hashToken(token)}`, 'answers to this conversation');
    const body = parseInput(TurnBody, req.body, 'body');
    const input: TurnInput = body.choice !== undefined ? { kind: 'choice', choice: body.choice } : { kind: 'text', text: body.text ?? '' };
    const reply = await service.turn({
      conversationId: id,
      access: { kind: 'token', token },
      channel: 'web',
      turnId: body.turnId,
      input,
      ...(body.revision !== undefined ? { revision: body.revision } : {}),
    });
    // A stale turn is an outcome, not a failure: over HTTP it is a 409 that shows where the conversation stands.
    if (isStaleTurn(reply)) throw new GovError('CONFLICT', STALE_MESSAGE[reply.reason], { messages: reply.messages, revision: reply.revision });
    res.json(reply);
  });

  router.post('/conversations/:id/resume-code', async (req, res) => {
    const token = bearer(req);
    const id = parseInput(ConversationId, req.params.id, 'id');
    res.json(await service.issueResumeCode(id, { kind: 'token', token }));
  });

  router.post('/resume', async (req, res) => {
    await limits.resumeAttempts.hit(clientKey(req), 'resume attempts');
    const body = parseInput(ResumeBody, req.body, 'body');
    res.json(await service.resume(body.code));
  });

  return router;
}
