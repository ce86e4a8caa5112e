/**
 * Bolt's `Receiver` for HTTP mode, as an express handler mounted on our own
 * server at POST /slack/events: events (JSON), slash commands (form) and
 * interactivity (form `payload=`) all arrive on that one URL.
 *
 * It reads the raw body (Slack signs the exact bytes), refuses anything not
 * signed with the signing secret or older than five minutes (401, nothing
 * processed), answers url_verification and ssl_check itself, and hands the
 * rest to Bolt by the path both receivers share (dispatch.ts). The HTTP
 * answer is the listener's `ack()`; a request no listener acknowledges gets
 * an empty 200 all the same (at the latest within Slack's three seconds), so
 * Slack does not retry or show an error.
 */
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { App, Receiver } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { dispatchToBolt } from './dispatch.js';
import { UrlVerification } from './payloads.js';
import { verifySlackSignature } from './signature.js';

export interface HttpReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /** Clock for the signature's age check (ms since the epoch). */
  now?: () => number;
  /** Send an empty 200 if nothing acknowledged the request by then. */
  ackTimeoutMs?: number;
  maxBodyBytes?: number;
}

/** Slack's payloads are small; this is generous. */
const DEFAULT_MAX_BODY = 1024 * 1024;

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyError(413, 'The request body is too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Parses the body by content type; the result is what Bolt expects as `body`. */
export function parseSlackBody(raw: string, contentType: string): Record<string, unknown> {
  const object = (value: unknown): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BodyError(400, 'The request body is not an object.');
    return value as Record<string, unknown>;
  };
  try {
    if (contentType.includes('application/json')) return object(JSON.parse(raw));
    if (contentType.includes('application/x-www-form-urlencoded')) {
      const params = new URLSearchParams(raw);
      const payload = params.get('payload');
      return payload !== null ? object(JSON.parse(payload)) : Object.fromEntries(params);
    }
  } catch (error) {
    if (error instanceof BodyError) throw error;
    throw new BodyError(400, 'The request body could not be parsed.');
  }
  throw new BodyError(415, 'Slack sends JSON or form-encoded bodies.');
}

export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: HttpReceiverOptions) {
    this.log = options.logger.child({ component: 'slack-http' });
    this.now = options.now ?? Date.now;
  }

  init(app: App): void {
    this.app = app;
  }

  /** Our express server is started by main.ts; nothing to listen on here. */
  async start(): Promise<void> {}

  /** Resolves when every request received so far has been processed (listeners included). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async stop(): Promise<void> {
    await this.drain();
  }

  readonly requestHandler: RequestHandler = (req, res, next) => {
    this.handle(req, res).catch(next);
  };

  private async handle(req: Request, res: Response): Promise<void> {
    const app = this.app;
    if (!app) throw new Error('the Slack receiver was used before Bolt initialised it');
    let raw: Buffer;
    let body: Record<string, unknown>;
    try {
      // Mounted before any body parser; if one ran anyway it must have kept the raw bytes.
      raw = Buffer.isBuffer(req.body) ? req.body : await readRawBody(req, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY);
      const check = verifySlackSignature({
        signingSecret: this.options.signingSecret,
        body: raw,
        timestamp: req.get('x-slack-request-timestamp'),
        signature: req.get('x-slack-signature'),
        now: this.now(),
      });
      if (!check.ok) {
        this.log.warn({ reason: check.reason, ip: req.ip }, 'refused a Slack request that is not correctly signed');
        res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'The request is not signed by Slack.' } });
        return;
      }
      body = parseSlackBody(raw.toString('utf8'), req.get('content-type') ?? '');
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      res.status(error.status).json({ error: { code: error.status === 413 ? 'TOO_LARGE' : 'BAD_INPUT', message: error.message } });
      return;
    }

    if (body.ssl_check !== undefined) {
      res.status(200).end();
      return;
    }
    const verification = UrlVerification.safeParse(body);
    if (verification.success) {
      res.status(200).json({ challenge: verification.data.challenge });
      return;
    }

    const retryHeader = req.get('x-slack-retry-num');
    const ack = async (response?: unknown): Promise<void> => {
      if (response === undefined || response === '') res.status(200).end();
      else if (typeof response === 'string') res.status(200).type('text/plain').send(response);
      else res.status(200).json(response);
    };
    const work = dispatchToBolt(
      app,
      { body, ack, retryNum: retryHeader !== undefined && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined, retryReason: req.get('x-slack-retry-reason') },
      { log: this.log, ackTimeoutMs: this.options.ackTimeoutMs },
    ).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }
}
