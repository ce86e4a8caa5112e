/**
 * Microsoft, played on 127.0.0.1 by three small HTTP servers:
 *
 * - an issuer: an RSA key pair whose public half is served as JWKS at
 *   `<authority>/<tenant>/discovery/v2.0/keys`, where the SDK looks for the
 *   keys of any issuer other than the Bot Framework's own; it signs RS256
 *   tokens as the Bot Connector's are (no azp/appid: those would change the
 *   scope of the replies' tokens);
 * - an Entra Agent ID sidecar answering `/AuthorizationHeaderUnauthenticated/…`
 *   with a bearer header, for the replies' tokens;
 * - the Bot Connector at the activities' `serviceUrl`, recording every
 *   reply (POST) and card update (PUT) with the token it came with.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      Promise.resolve(handler(req, res, body)).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
const b64url = (value: object | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

interface KeyPair {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function keyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomUUID(), privateKey, publicKey };
}

export class FakeIssuer {
  /** Requests for the keys, so a test can tell start-up called nobody. */
  keyRequests = 0;
  private current: KeyPair = keyPair();
  /** A key Microsoft never published: what a forger signs with. */
  private readonly stranger: KeyPair = keyPair();

  private constructor(
    private readonly server: Server,
    /** TEAMS_AUTHORITY. */
    readonly authority: string,
    /** TEAMS_TENANT_ID. */
    readonly tenantId: string,
  ) {}

  static async start(tenantId = randomUUID()): Promise<FakeIssuer> {
    let issuer: FakeIssuer | undefined;
    const { server, url } = await listen((req, res) => {
      if (req.method === 'GET' && req.url === `/${tenantId}/discovery/v2.0/keys` && issuer) {
        issuer.keyRequests++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [{ ...issuer.current.publicKey.export({ format: 'jwk' }), kid: issuer.current.kid, use: 'sig', alg: 'RS256' }] }));
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    issuer = new FakeIssuer(server, url, tenantId);
    return issuer;
  }

  /** The issuer a token of this tenant names (one of the SDK's default issuers for it). */
  get issuer(): string {
    return `${this.authority}/${this.tenantId}/v2.0`;
  }

  /** New keys: tokens signed before are no longer valid (clear the SDK's JWKS cache after this). */
  rotate(): void {
    this.current = keyPair();
  }

  /** A signed token; `claims` override the defaults, `signWith: 'stranger'` signs with an unpublished key under the published kid. */
  token(claims: Record<string, unknown>, options: { signWith?: 'current' | 'stranger'; alg?: 'RS256' | 'none' } = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: this.issuer, nbf: now - 60, iat: now - 60, exp: now + 3600, tid: this.tenantId, ...claims };
    const alg = options.alg ?? 'RS256';
    const header = { alg, typ: 'JWT', kid: this.current.kid };
    const unsigned = `${b64url(header)}.${b64url(payload)}`;
    if (alg === 'none') return `${unsigned}.`;
    const key = options.signWith === 'stranger' ? this.stranger.privateKey : this.current.privateKey;
    return `${unsigned}.${b64url(sign('sha256', Buffer.from(unsigned), key))}`;
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}

export class FakeSidecar {
  readonly requests: string[] = [];
  /** The token the replies must carry. */
  readonly token = `sidecar-token-${randomUUID()}`;

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<FakeSidecar> {
    let sidecar: FakeSidecar | undefined;
    const { server, url } = await listen((req, res) => {
      if (!sidecar || req.method !== 'GET' || !req.url?.startsWith('/AuthorizationHeaderUnauthenticated/')) {
        res.statusCode = 404;
        res.end();
        return;
      }
      sidecar.requests.push(req.url);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ authorizationHeader: `Bearer ${sidecar.token}` }));
    });
    sidecar = new FakeSidecar(server, url);
    return sidecar;
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}

export interface ConnectorCall {
  method: 'POST' | 'PUT';
  /** The conversation id, decoded from the path. */
  conversationId: string;
  /** For POST: the activity replied to (absent for a new message); for PUT: the activity replaced. */
  activityId: string | undefined;
  authorization: string | undefined;
  body: Record<string, unknown>;
  /** The id the fake gave the new activity (POST). */
  id: string;
}

export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  private seq = 0;
  private readonly failures: { status: number; retryAfter?: string }[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly server: Server, private readonly base: string) {}

  static async start(): Promise<FakeConnector> {
    let connector: FakeConnector | undefined;
    const { server, url } = await listen((req, res, body) => connector?.handle(req, res, body));
    connector = new FakeConnector(server, url);
    return connector;
  }

  /** The serviceUrl activities name (with a region path, as Teams' do). */
  get serviceUrl(): string {
    return `${this.base}/amer/`;
  }

  /** The next reply (or replies) are refused with this status. */
  failNext(status: number, times = 1, retryAfter?: string): void {
    for (let i = 0; i < times; i++) this.failures.push({ status, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  }

  /** Resolves once `count` calls in all have arrived. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.calls.length < count) {
      if (Date.now() > deadline) throw new Error(`the connector got ${this.calls.length} calls, not ${count}`);
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          resolve();
        };
        this.waiters.add(done);
        setTimeout(done, 50);
      });
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const match = /^\/amer\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
    if (!match || (req.method !== 'POST' && req.method !== 'PUT')) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const failure = this.failures.shift();
    if (failure) {
      res.statusCode = failure.status;
      if (failure.retryAfter !== undefined) res.setHeader('retry-after', failure.retryAfter);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: { code: 'Throttled', message: 'slow down' } }));
      return;
    }
    const id = req.method === 'PUT' ? decodeURIComponent(match[2] ?? '') : `1:${++this.seq}`;
    this.calls.push({
      method: req.method,
      conversationId: decodeURIComponent(match[1] ?? ''),
      activityId: match[2] !== undefined ? decodeURIComponent(match[2]) : undefined,
      authorization: req.headers.authorization,
      body: JSON.parse(body) as Record<string, unknown>,
      id,
    });
    for (const wake of [...this.waiters]) wake();
    res.statusCode = req.method === 'POST' ? 201 : 200;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id }));
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}
