/** Drives whole assessments through the real turn pipeline. */
import { isStaleTurn, type ConversationService, type TurnReply, type TurnResult } from '../../src/service/conversation-service.js';

/** The reply of a turn the test expects to apply (or replay): a stale turn here is a test failure. */
export function applied(result: TurnResult): TurnReply {
  if (isStaleTurn(result)) throw new Error(`unexpected stale turn (${result.reason})`);
  return result;
}

/**
 * Typed replies for the canonical profiles: what is assessed (1: a national
 * government), then one reply per question in order. Question 7 (the legal
 * framework) is asked the positive way round, so "yes" there leaves the
 * early-stage characteristic behind.
 */
export const PROFILES = {
  early: ['1', 'yes', 'no', 'yes', 'no', 'no', 'no', 'no', 'no', 'no', 'yes', 'no', 'no', 'no', 'no'],
  intermediate: ['1', 'no', 'yes', 'no', 'yes', 'no', 'no', 'yes', 'no', 'no', 'no', 'yes', 'no', 'no', 'no'],
  advanced: ['1', 'no', 'yes', 'no', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'no', 'yes', 'yes', 'yes', 'yes'],
} as const;

let counter = 0;

/** Starts a web conversation and answers it to the result; returns its id and token. */
export async function completeAssessment(service: ConversationService, replies: readonly string[], options: { previousId?: string } = {}) {
  const started = await service.start({ channel: 'web', ...(options.previousId ? { previousId: options.previousId } : {}) });
  const access = { kind: 'token' as const, token: started.resumeToken };
  const say = (text: string) => service.turn({ conversationId: started.conversationId, access, channel: 'web', turnId: `h-${++counter}`, input: { kind: 'text', text } }).then(applied);
  await say('start');
  for (const reply of replies) await say(reply);
  const last = await say('see my result');
  if (last.status !== 'finished') throw new Error(`assessment did not finish: ${JSON.stringify(last.messages.map((m) => m.kind))}`);
  return { conversationId: started.conversationId, token: started.resumeToken, access, say };
}
