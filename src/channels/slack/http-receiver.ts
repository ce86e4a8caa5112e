/**
 * Bolt's `Receiver` for HTTP mode, as an express handler mounted on our own
 * server at POST /slack/events: events (JSON), slash commands (form) and
 * interactivity (form `payload=`) all arrive on that one URL.
 *
 * Before reading a byte of the body it checks the signature headers (both
 * present, the timestamp within five minutes) and the client address's
 * recent refusals; then it reads the raw body (Slack signs the exact bytes),
 * up to MAX_BODY_BYTES, and checks the signature. What fails is refused
 * (401, 413, 429) with a JSON answer the client can read, nothing processed.
 * It answers url_verification and ssl_check itself, and hands the rest to
 * Bolt by the path both receivers share (dispatch.ts): events, slash
 * commands and clicks get their empty 200 there as soon as they are
 * verified, and are processed afterwards; for the other kinds the HTTP
 * answer is the listener's `ack()`, and one no listener acknowledges gets an
 * empty 200 all the same (at the latest within Slack's three seconds), so
 * Slack does not retry or show an error.
 */
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { App, Receiver } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { DeliveryQueue } from './delivery-queue.js';
import { dispatchToBolt } from './dispatch.js';
import { UrlVerification } from './payloads.js';
import { RefusalCounter } from './refusals.js';
import { checkSignatureHeaders, verifySlackSignature, type SignatureCheck } from './signature.js';

export interface HttpReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /** Clock for the signature's age check and the refusal windows (ms since the epoch). */
  now?: () => number;
  /** Send an empty 200 if nothing acknowledged the request by then. */
  ackTimeoutMs?: number;
}

/**
 * The largest body read. Slack's largest deliveries are a message event (its
 * text is cut at 40,000 characters, and comes twice: `text` and the rich-text
 * `blocks`; at up to 4 bytes a character in UTF-8 that is 320 KB) and a click
 * on one of our messages (Slack echoes the message: at most 50 blocks, which
 * we keep far below their 3,000 characters each; our largest, the result, is
 * about 12 KB, some 20 KB form-encoded). 512 KiB holds both with room to
 * spare, and is what an unsigned client can make us read and hash.
 */
export const MAX_BODY_BYTES = 512 * 1024;

/** Refused requests (bad or missing signature) taken per client address and minute before answering 429 unread. */
export const REFUSALS_PER_MINUTE = 10;

/**
 * After an early answer (401, 413, 429) the rest of the body is read and
 * dropped, so the client can finish sending and read the answer (closing on
 * unread data resets the connection, and the answer is lost). Up to this
 * much, for this long; then the connection is cut.
 */
const DRAIN_BYTES = 4 * MAX_BODY_BYTES;
const DRAIN_MS = 5_000;

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The body, or `too-large` as soon as it passes the limit (what follows is left unread). */
function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const done = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
      req.pause();
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
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
  private readonly refusals: RefusalCounter;
  /** Verified requests, acknowledged, waiting to be processed. */
  private readonly queue = new DeliveryQueue();

  constructor(private readonly options: HttpReceiverOptions) {
    this.log = options.logger.child({ component: 'slack-http' });
    this.now = options.now ?? Date.now;
    this.refusals = new RefusalCounter(REFUSALS_PER_MINUTE, 60_000, this.now);
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
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const retryAfter = this.refusals.retryAfterSeconds(address);
    if (retryAfter > 0) {
      res.set('Retry-After', String(retryAfter));
      this.answerEarly(req, res, 429, 'RATE_LIMITED', `Too many requests that are not signed by Slack. Please wait ${retryAfter} seconds.`);
      return;
    }
    const timestamp = req.get('x-slack-request-timestamp');
    const signature = req.get('x-slack-signature');
    const headers = checkSignatureHeaders({ timestamp, signature, now: this.now() });
    if (!headers.ok) return this.refuse(req, res, address, headers.reason);

    let raw: Buffer;
    // Mounted before any body parser; if one ran anyway it must have kept the raw bytes.
    if (Buffer.isBuffer(req.body)) raw = req.body;
    else {
      const declared = Number(req.get('content-length') ?? 0);
      const read = declared > MAX_BODY_BYTES ? 'too-large' : await readRawBody(req, MAX_BODY_BYTES);
      // Counted as a refusal too: its signature cannot be checked without reading all of it.
      if (read === 'too-large') return this.refuse(req, res, address, 'too-large');
      raw = read;
    }
    const check = verifySlackSignature({ signingSecret: this.options.signingSecret, body: raw, timestamp, signature, now: this.now() });
    if (!check.ok) return this.refuse(req, res, address, check.reason);

    let body: Record<string, unknown>;
    try {
      body = parseSlackBody(raw.toString('utf8'), req.get('content-type') ?? '');
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      res.status(error.status).json({ error: { code: 'BAD_INPUT', message: error.message } });
      return;
    }

    if (body.ssl_check !== undefined) {
      res.status(200).end();
      return;
    }
    // Only a url_verification is parsed for its challenge: the rest go on to their acknowledgement unparsed here.
    const verification = body.type === 'url_verification' ? UrlVerification.safeParse(body) : undefined;
    if (verification?.success) {
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
      { log: this.log, queue: this.queue, ackTimeoutMs: this.options.ackTimeoutMs },
    ).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  /**
   * 401 for a request not signed by Slack, 413 for a body over the limit.
   * Counted against the client address (past the limit it gets 429 unread),
   * and logged once per address and window, however many there are.
   */
  private refuse(req: Request, res: Response, address: string, reason: Exclude<SignatureCheck, { ok: true }>['reason'] | 'too-large'): void {
    const tooLarge = reason === 'too-large';
    if (this.refusals.count(address).log) {
      const line = tooLarge ? 'refused a Slack request whose body is over the limit' : 'refused a Slack request that is not correctly signed';
      this.log.warn({ reason, ip: address, logged: 'the first refusal per address and minute' }, line);
    }
    if (tooLarge) this.answerEarly(req, res, 413, 'TOO_LARGE', `The request body is too large (at most ${MAX_BODY_BYTES} bytes).`);
    else this.answerEarly(req, res, 401, 'UNAUTHORIZED', 'The request is not signed by Slack.');
  }

  /**
   * Answers before the body is read (or all of it), then closes the
   * connection. The rest of the body is read and dropped meanwhile, up to
   * DRAIN_BYTES and DRAIN_MS, so the client gets to read the answer.
   */
  private answerEarly(req: Request, res: Response, status: number, code: string, message: string): void {
    res.set('Connection', 'close');
    res.status(status).json({ error: { code, message } });
    if (req.readableEnded) return;
    let drained = 0;
    const cut = () => req.socket.destroy();
    const timer = setTimeout(cut, DRAIN_MS);
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_BYTES) cut();
    });
    req.once('close', () => clearTimeout(timer));
    req.resume();
  }
}
