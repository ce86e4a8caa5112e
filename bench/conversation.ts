/** One web conversation driven over the HTTP API, as the load generators do it. */
import { randomUUID } from 'node:crypto';
import type { Agent } from 'node:http';
import { send } from './http.js';

// The unit, then 14 answers with no contradiction to settle, then the result.
export const REPLIES = ['start', '1', 'no', 'yes', 'partly', 'yes', 'no', 'no', 'partly', 'no', 'yes', 'no', 'yes', 'partly', 'no', 'no', 'see my result'] as const;

export interface Conversation {
  id: string;
  token: string;
  /** How many of REPLIES were answered. */
  step: number;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

export async function createConversation(agent: Agent, url: string): Promise<Conversation> {
  const reply = await send(agent, `${url}/api/conversations`, { method: 'POST', headers: JSON_HEADERS, body: '{}' });
  if (reply.status !== 201 && reply.status !== 200) throw new Error(`starting a conversation answered ${reply.status}: ${reply.body.slice(0, 300)}`);
  const started = JSON.parse(reply.body) as { conversationId: string; resumeToken: string };
  return { id: started.conversationId, token: started.resumeToken, step: 0 };
}

/** Sends the conversation's next reply; returns the HTTP status and the conversation's status after it. */
export async function nextTurn(agent: Agent, url: string, conversation: Conversation): Promise<{ status: number; finished: boolean }> {
  const text = REPLIES[conversation.step];
  if (text === undefined) throw new Error(`conversation ${conversation.id} has no reply left (step ${conversation.step})`);
  const reply = await send(agent, `${url}/api/conversations/${conversation.id}/turns`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, authorization: `Bearer ${conversation.token}` },
    body: JSON.stringify({ turnId: randomUUID(), text }),
  });
  if (reply.status !== 200) return { status: reply.status, finished: false };
  conversation.step++;
  return { status: 200, finished: (JSON.parse(reply.body) as { status?: string }).status === 'finished' };
}
