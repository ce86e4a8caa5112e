/**
 * A fake Slack Web API on 127.0.0.1: records every call (form or JSON
 * bodies, with JSON-valued fields like `blocks` and `view` decoded) and
 * answers like Slack does. It is also the target of `response_url`s.
 * Point SLACK_API_URL at `apiUrl`.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  /** Web API method (`chat.postMessage`…), or `response_url` for posts to a response URL. */
  method: string;
  body: Record<string, unknown>;
  /** What the fake answered (for postMessage: the `ts` given to the message). */
  result: Record<string, unknown>;
  /** Order of arrival, from 1. */
  seq: number;
  /** For `response_url`: the path it was posted to. */
  path: string;
}

type Failure = { status: number; retryAfter?: number } | { error: string };

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  private server: Server | undefined;
  private base = '';
  private seq = 0;
  private ts = 1_700_000_000;
  private readonly failures = new Map<string, Failure[]>();
  private readonly waiters = new Set<() => void>();
  private readonly delays = new Map<string, number>();
  /** The locale users.info (include_locale) gives each user id; none: Slack says nothing. */
  readonly userLocales = new Map<string, string>();

  static async start(): Promise<FakeSlack> {
    const fake = new FakeSlack();
    const server = createServer((req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    fake.server = server;
    fake.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** A fresh response_url on this fake. */
  responseUrl(): string {
    return `${this.base}/response/${++this.ts}`;
  }

  /** Makes the next call(s) of a method fail: an HTTP status (429 with Retry-After) or a Slack error. */
  failNext(method: string, failure: Failure, times = 1): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...Array.from({ length: times }, () => failure)]);
  }

  /** Makes every call of a method answer only after `ms` (0 to stop). */
  delay(method: string, ms: number): void {
    this.delays.set(method, ms);
  }

  callsOf(method: string, after = 0): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.seq > after);
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** The first call of `method` after `after` that matches, waiting for it if need be. */
  async waitFor(method: string, matches: (call: RecordedCall) => boolean = () => true, options: { after?: number; timeoutMs?: number } = {}): Promise<RecordedCall> {
    const find = () => this.calls.find((c) => c.method === method && c.seq > (options.after ?? 0) && matches(c));
    const deadline = Date.now() + (options.timeoutMs ?? 5_000);
    for (;;) {
      const found = find();
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${method} call arrived; calls so far: ${this.calls.map((c) => c.method).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    const body = decode(raw, req.headers['content-type'] ?? '');
    const method = url.pathname.startsWith('/api/') ? url.pathname.slice('/api/'.length) : url.pathname.startsWith('/response/') ? 'response_url' : url.pathname;

    const delay = this.delays.get(method) ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const failure = this.failures.get(method)?.shift();
    if (failure && 'status' in failure) {
      res.writeHead(failure.status, { 'content-type': 'application/json', ...(failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {}) });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      this.record(method, body, { ok: false, status: failure.status }, url.pathname);
      return;
    }
    if (failure && 'error' in failure) {
      this.reply(res, { ok: false, error: failure.error });
      this.record(method, body, { ok: false, error: failure.error }, url.pathname);
      return;
    }
    const result = this.answer(method, body);
    // Recorded before answering, so a caller that saw the answer finds the call recorded.
    this.record(method, body, result, url.pathname);
    if (method === 'response_url') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    this.reply(res, result);
  }

  private answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    const channel = typeof body.channel === 'string' ? body.channel : undefined;
    switch (method) {
      case 'chat.postMessage': {
        const ts = `${++this.ts}.000100`;
        return { ok: true, channel, ts, message: { type: 'message', ts, text: body.text, blocks: body.blocks } };
      }
      case 'chat.update':
        return { ok: true, channel, ts: body.ts, text: body.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${++this.ts}.000200` };
      case 'views.publish':
        return { ok: true, view: { id: `V${String(body.user_id)}`, hash: `h${++this.ts}` } };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(body.users)}` } };
      case 'users.info': {
        const id = String(body.user);
        const locale = body.include_locale === 'true' || body.include_locale === true ? this.userLocales.get(id) : undefined;
        return { ok: true, user: { id, ...(locale ? { locale } : {}) } };
      }
      case 'auth.test':
        return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' };
      case 'apps.connections.open':
        return { ok: false, error: 'invalid_auth' };
      default:
        return { ok: true };
    }
  }

  private reply(res: ServerResponse, result: Record<string, unknown>): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result));
  }

  private record(method: string, body: Record<string, unknown>, result: Record<string, unknown>, path: string): void {
    this.calls.push({ method, body, result, seq: ++this.seq, path });
    for (const wake of [...this.waiters]) {
      this.waiters.delete(wake);
      wake();
    }
  }
}

/** Fields WebClient sends JSON-encoded inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata']);

/** Form bodies (what WebClient sends) with JSON-valued fields decoded, or JSON bodies (response_url). */
function decode(raw: string, contentType: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = JSON_FIELDS.has(key) ? JSON.parse(value) : value;
  }
  return out;
}
