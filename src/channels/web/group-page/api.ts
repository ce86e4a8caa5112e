/**
 * The coordinator page's calls to the group-round API, with the token it
 * was given in the page's fragment (kept in memory, never in storage).
 * A failure is an Error carrying the server's message.
 */
import { WORDS_ID } from './page.js';
import type { z } from 'zod';
import type { GroupReport } from '../../../reports/group-report.js';
import type { CoordinatorLinkBody, RoundCreatedBody, RoundViewBody } from '../group-schemas.js';

export type RoundView = z.infer<typeof RoundViewBody>;
export type RoundCreated = z.infer<typeof RoundCreatedBody>;
export type CoordinatorLink = z.infer<typeof CoordinatorLinkBody>;
export type { GroupReport };

export class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The page's language (its lang), sent so that the server's words (errors) come in it. */
const pageLocale = () => document.documentElement.lang || 'en';
/** A word of the page's data block (see page.ts), for what this module says itself. */
const word = (key: 'network'): string => (JSON.parse(document.getElementById(WORDS_ID)?.textContent ?? '{}') as Record<string, string>)[key] ?? key;

async function call(method: string, path: string, token: string | null, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': pageLocale() };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'omit', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new PageError(0, word('network'));
  }
  if (!response.ok) {
    const data = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new PageError(response.status, data?.error?.message ?? `Request failed (${response.status})`);
  }
  return response;
}

const json = async <T>(response: Promise<Response>): Promise<T> => (await response).json() as Promise<T>;

export function roundApi(roundId: string, token: string) {
  const base = `/api/groups/${encodeURIComponent(roundId)}`;
  return {
    view: () => json<RoundView>(call('GET', base, token)),
    picture: () => json<GroupReport>(call('GET', `${base}/picture`, token)),
    settings: (change: Record<string, unknown>) => json<RoundView>(call('POST', `${base}/settings`, token, change)),
    close: () => json<RoundView>(call('POST', `${base}/close`, token)),
    reopen: () => json<RoundView>(call('POST', `${base}/reopen`, token)),
    replaceInvitation: () => json<RoundView>(call('POST', `${base}/invitation`, token)),
    rotate: () => json<CoordinatorLink>(call('POST', `${base}/coordinator-link`, token)),
    revoke: () => call('DELETE', `${base}/coordinator-link`, token).then(() => undefined),
    followUp: () => json<RoundCreated>(call('POST', `${base}/follow-up`, token)),
    consensus: (entry: { characteristicId: string; standing: string; rationale: string }) => json<GroupReport>(call('POST', `${base}/consensus`, token, entry)),
    clearConsensus: (characteristicId: string) => json<GroupReport>(call('DELETE', `${base}/consensus/${encodeURIComponent(characteristicId)}`, token)),
    reportLink: () => json<{ path: string; url?: string; expiresAt: string }>(call('POST', `${base}/report-link`, token)),
    revokeReportLink: () => call('DELETE', `${base}/report-link`, token).then(() => undefined),
    /** A download as a file the browser saves. */
    async download(format: 'md' | 'json' | 'csv'): Promise<{ blob: Blob; name: string }> {
      const response = await call('GET', `${base}/report.${format}`, token);
      const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `govstage-group-report.${format}`;
      return { blob: await response.blob(), name };
    },
  };
}
export type RoundApi = ReturnType<typeof roundApi>;

/** A new round, in the page's language (its report's words, its default perspectives). */
export const createRound = (body: Record<string, unknown>) => json<RoundCreated>(call('POST', '/api/groups', null, { locale: pageLocale(), ...body }));
export const memberReport = (conversationId: string, token: string) => json<GroupReport>(call('GET', `/api/conversations/${encodeURIComponent(conversationId)}/group-report`, token));
