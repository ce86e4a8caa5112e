/**
 * The widget's API client with a stand-in fetch: one retry with the same
 * body (so the same turnId) on a network failure or a gateway error, none
 * on answers that a retry cannot fix, and errors that carry what the widget
 * needs (status, server message, the messages of a stale answer).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, createApi, newTurnId, sessionStore } from '../../src/channels/web/widget/api.js';

type Call = { url: string; init: RequestInit };

function stubFetch(...answers: (Response | Error)[]): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  });
  return calls;
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const session = { conversationId: 'c_abcdefghijkl', resumeToken: 'token-token-token-token', revision: 3 };
const reply = { conversationId: session.conversationId, revision: 4, status: 'active', messages: [], replayed: false };

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('widget API client', () => {
  it('sends a turn with the bearer token, turnId and revision', async () => {
    const calls = stubFetch(json(200, reply));
    const api = createApi('http://gov.test');
    expect(await api.turn(session, { choice: 'answer:q:yes' }, 'turn-1')).toEqual(reply);
    expect(calls[0]?.url).toBe('http://gov.test/api/conversations/c_abcdefghijkl/turns');
    expect((calls[0]?.init.headers as Record<string, string>).Authorization).toBe('Bearer token-token-token-token');
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({ turnId: 'turn-1', revision: 3, choice: 'answer:q:yes' });
    expect(calls[0]?.init.credentials).toBe('omit');
  });

  it('retries once, with the same body, after a network failure or a 503', async () => {
    for (const first of [new TypeError('Failed to fetch'), json(503, { error: { code: 'UNAVAILABLE', message: 'down' } })]) {
      const calls = stubFetch(first, json(200, reply));
      await createApi('http://gov.test').turn(session, { text: 'yes' }, 'turn-2');
      expect(calls).toHaveLength(2);
      expect(calls[1]?.init.body).toBe(calls[0]?.init.body);
    }
  });

  it('gives up after the one retry, as a network error (status 0)', async () => {
    stubFetch(new TypeError('Failed to fetch'), new TypeError('Failed to fetch'));
    const error = await createApi('http://gov.test').turn(session, { text: 'yes' }, 't').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(0);
  });

  it('does not retry a 4xx, and carries the stale answer\'s messages and revision', async () => {
    const stale = { error: { code: 'CONFLICT', message: 'moved on' }, messages: [{ kind: 'text', tone: 'warning', text: 'earlier step' }], revision: 7 };
    const calls = stubFetch(json(409, stale));
    const error = (await createApi('http://gov.test').turn(session, { text: 'yes' }, 't').catch((e: unknown) => e)) as ApiError;
    expect(calls).toHaveLength(1);
    expect([error.status, error.code, error.message, error.revision]).toEqual([409, 'CONFLICT', 'moved on', 7]);
    expect(error.messages).toEqual(stale.messages);
  });

  it('makes turn ids the server accepts, even without crypto.randomUUID', () => {
    expect(newTurnId()).toMatch(/^[A-Za-z0-9_-]{1,100}$/);
    vi.stubGlobal('crypto', { getRandomValues: (a: Uint8Array) => a.fill(7) });
    expect(newTurnId()).toBe('07'.repeat(16));
    vi.stubGlobal('crypto', undefined);
    expect(newTurnId()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps the session per server and survives storage that throws', () => {
    const data = new Map<string, string>();
    vi.stubGlobal('localStorage', { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => data.set(k, v), removeItem: (k: string) => data.delete(k) });
    const a = sessionStore('http://a.test');
    a.save(session);
    expect(a.load()).toEqual(session);
    expect(sessionStore('http://b.test').load()).toBeNull();
    data.set('govstage:http://a.test', '{"conversationId":42}');
    expect(a.load()).toBeNull();
    a.clear();
    vi.stubGlobal('localStorage', { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => { throw new Error('denied'); } });
    expect(a.load()).toBeNull();
    expect(() => a.save(session)).not.toThrow();
    expect(() => a.clear()).not.toThrow();
  });
});
