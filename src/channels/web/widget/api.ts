/**
 * The widget's HTTP client for the Govstage API. Every call is JSON; a
 * failure is an ApiError carrying the HTTP status (0 when the network failed)
 * and the server's error code and message. Network failures and gateway
 * errors are retried once: turns carry a client-chosen turnId, so the server
 * answers a retried turn with the same reply instead of advancing twice.
 */
import type { z } from 'zod';
import type { Message } from '../../../core/messages.js';
import type { ConversationViewBody, ReportLinkBody, ResumeCodeBody, StartedBody, TurnReplyBody, WidgetWordsBody } from '../schemas.js';
import type { WidgetWords } from './strings.js';
import type { InvitationInfoBody } from '../group-schemas.js';

// The response shapes are the server's own zod schemas (type-only imports: nothing of zod reaches the bundle).
export type Started = z.infer<typeof StartedBody>;
export type TurnReply = z.infer<typeof TurnReplyBody>;
export type ConversationView = z.infer<typeof ConversationViewBody>;
export type TranscriptEntry = ConversationView['transcript'][number];
export type ResumeCode = z.infer<typeof ResumeCodeBody>;
export type ReportLink = z.infer<typeof ReportLinkBody>;
export type WidgetWordsReply = Omit<z.infer<typeof WidgetWordsBody>, 'words'> & { words: WidgetWords };
export type InvitationInfo = z.infer<typeof InvitationInfoBody>;
export interface JoinChoices {
  perspective: string;
  name?: string;
  unit?: string;
  shareNotes: boolean;
  shareAnswers: boolean;
}

/** What the browser keeps to come back to a conversation. */
export interface Session {
  conversationId: string;
  resumeToken: string;
  revision: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** With a 409 for a stale answer: where the conversation stands now. */
    readonly messages?: Message[],
    readonly revision?: number,
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string };
  messages?: Message[];
  revision?: number;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function newTurnId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `locale`: the widget's language, sent as Accept-Language so that what the server says (errors) is in it too. */
export function createApi(base: string, locale: () => string = () => '') {
  async function once<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (locale()) headers['Accept-Language'] = locale();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(base + path, { method, headers, credentials: 'omit', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch {
      throw new ApiError(0, 'NETWORK', 'network');
    }
    const data = (await response.json().catch(() => null)) as (T & ErrorBody) | null;
    if (!response.ok || data === null) {
      const error = data?.error;
      throw new ApiError(response.status, error?.code ?? 'HTTP', error?.message ?? '', data?.messages, data?.revision);
    }
    return data;
  }

  async function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
    try {
      return await once<T>(method, path, body, token);
    } catch (error) {
      const status = error instanceof ApiError ? error.status : -1;
      if (status !== 0 && status !== 502 && status !== 503 && status !== 504) throw error;
      await wait(600);
      return once<T>(method, path, body, token);
    }
  }

  const conv = (s: Session) => `/api/conversations/${encodeURIComponent(s.conversationId)}`;

  return {
    start: (locale?: string) => call<Started>('POST', '/api/conversations', locale ? { locale } : {}),
    /** The opening messages, without creating a conversation (it is created at the first reply). */
    invitation: (code: string) => call<InvitationInfo>('POST', '/api/groups/invitation', { code }),
    join: (code: string, choices: JoinChoices, locale?: string) => call<Started>('POST', '/api/groups/join', { code, ...choices, ...(locale ? { locale } : {}) }),
    view: (s: Session) => call<ConversationView>('GET', conv(s), undefined, s.resumeToken),
    turn: (s: Session, input: { choice: string } | { text: string }, turnId: string) =>
      call<TurnReply>('POST', `${conv(s)}/turns`, { turnId, revision: s.revision, ...input }, s.resumeToken),
    resumeCode: (s: Session) => call<ResumeCode>('POST', `${conv(s)}/resume-code`, {}, s.resumeToken),
    resume: (code: string) => call<{ conversationId: string; resumeToken: string }>('POST', '/api/resume', { code }),
    /** The widget's words in the first offered locale of `prefer`. */
    words: (prefer: string[]) => call<WidgetWordsReply>('GET', `/api/widget-words?prefer=${encodeURIComponent(prefer.filter((l) => /^[A-Za-z0-9_-]{2,35}$/.test(l)).join(','))}`),
    /** Continues the conversation in another language, whatever step it stands at (so without a revision). */
    switchLanguage: (s: Session, to: string, turnId: string) => call<TurnReply>('POST', `${conv(s)}/turns`, { turnId, choice: `cmd:language:${to}` }, s.resumeToken),
    reportLink: (s: Session) => call<ReportLink>('POST', `${conv(s)}/report-link`, {}, s.resumeToken),
    /** A report download (md, json or csv) as a file the browser saves. */
    async download(s: Session, format: 'md' | 'json' | 'csv'): Promise<{ blob: Blob; name: string }> {
      let response: Response;
      try {
        // In the widget's language (the conversation's, unless the person just switched).
        response = await fetch(`${base}${conv(s)}/report.${format}${locale() ? `?locale=${encodeURIComponent(locale())}` : ''}`, { headers: { Authorization: `Bearer ${s.resumeToken}` }, credentials: 'omit' });
      } catch {
        throw new ApiError(0, 'NETWORK', 'network');
      }
      if (!response.ok) {
        const data = (await response.json().catch(() => null)) as ErrorBody | null;
        throw new ApiError(response.status, data?.error?.code ?? 'HTTP', data?.error?.message ?? '');
      }
      const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `govstage-report.${format}`;
      return { blob: await response.blob(), name };
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/** localStorage, one entry per server; quietly absent where storage is blocked. */
export function sessionStore(base: string) {
  const key = `govstage:${base}`;
  return {
    /** The language the person chose with the switch, if any. */
    loadLocale(): string | null {
      try {
        return localStorage.getItem(`${key}:locale`);
      } catch {
        return null;
      }
    },
    saveLocale(locale: string): void {
      try {
        localStorage.setItem(`${key}:locale`, locale);
      } catch {
        /* see save */
      }
    },
    load(): Session | null {
      try {
        const value = JSON.parse(localStorage.getItem(key) ?? 'null') as Partial<Session> | null;
        return value && typeof value.conversationId === 'string' && typeof value.resumeToken === 'string'
          ? { conversationId: value.conversationId, resumeToken: value.resumeToken, revision: typeof value.revision === 'number' ? value.revision : 0 }
          : null;
      } catch {
        return null;
      }
    },
    save(session: Session): void {
      try {
        localStorage.setItem(key, JSON.stringify(session));
      } catch {
        /* storage blocked (private mode, sandbox): the session lives in memory only */
      }
    },
    clear(): void {
      try {
        localStorage.removeItem(key);
      } catch {
        /* see save */
      }
    },
  };
}
