/**
 * The load generators' HTTP client: node:http over a keep-alive agent with
 * room for every request in flight (node's fetch pools per origin too, but
 * costs the generator more CPU per request, and the generator shares two
 * cores with the server it measures).
 */
import { Agent, request } from 'node:http';

export interface Reply {
  status: number;
  body: string;
  /** Bytes of the body as they came over the wire (still compressed, if they were). */
  wireBytes: number;
  headers: Record<string, string | string[] | undefined>;
}

export function keepAliveAgent(maxSockets = 1024): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/** One request; the body is never decoded (so `wireBytes` is what was sent), only read as text. */
export function send(agent: Agent, url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: options.method ?? 'GET', headers: { ...options.headers, ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: raw.toString('utf8'), wireBytes: raw.length, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The p-th percentile (0–100) of already sorted values, nearest rank; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((sorted.length * p) / 100) - 1))] ?? 0;
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
