/**
 * A small HTTP client for the multi-process tests, on node:http so that each
 * failure keeps its socket-level code (ECONNREFUSED: never accepted;
 * ECONNRESET: the connection died before an answer) and the connection
 * policy (keep-alive or one connection per request) is the test's choice.
 */
import http from 'node:http';
import type { Message } from '../../src/core/messages.js';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: any;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (with the content-type from `headers`), instead of `body` as JSON. */
  rawBody?: string | Buffer;
  token?: string;
  /** false: a fresh connection, closed after the answer. Default: a fresh connection. */
  agent?: http.Agent | false;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** A network-level failure: no HTTP answer arrived. `code` says how. */
export class NetworkError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<HttpResult> {
  const url = new URL(path, base);
  const payload = options.rawBody !== undefined ? Buffer.from(options.rawBody) : options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = { accept: 'application/json', ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers };
  if (payload) headers['content-length'] = String(payload.length);
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return new Promise<HttpResult>((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method, headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) => reject(new NetworkError(error.code ?? 'ERESPONSE', error.message)));
        res.on('end', () => {
          if (!res.complete) return reject(new NetworkError('EINCOMPLETE', 'the answer was cut off'));
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
      },
    );
    req.setTimeout(options.timeoutMs ?? 20_000, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => reject(new NetworkError(error.code ?? 'EUNKNOWN', error.message)));
    req.end(payload);
  });
}

export const QUESTION_COUNT = 10;

/** How many questions the messages say are answered: the progress of the question shown, or all of them at the review or result. */
export function answeredIn(messages: Message[] | undefined): number | undefined {
  for (const message of messages ?? []) {
    if (message.kind === 'question') return message.progress.answered;
    if (message.kind === 'review' || message.kind === 'result') return QUESTION_COUNT;
  }
  return undefined;
}

/** The question the messages ask, if any. */
export function questionIn(messages: Message[] | undefined): { questionId: string; choices: string[] } | undefined {
  for (const message of messages ?? []) {
    if (message.kind === 'question') return { questionId: message.questionId, choices: message.choices.map((c) => c.id) };
  }
  return undefined;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with the exit code (or signal name) once the child has exited. */
export function exited(child: import('node:child_process').ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}
