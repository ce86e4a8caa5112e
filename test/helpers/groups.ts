/** Drives group rounds through the real services: create, join, answer to the result. */
import type { Message } from '../../src/core/messages.js';
import type { ConversationService } from '../../src/service/conversation-service.js';
import type { GroupService } from '../../src/service/groups/group-service.js';
import type { JoinChoices } from '../../src/service/groups/join-round.js';
import { PROFILES } from './assessment.js';

/** The canonical profiles without the opening question: a round already says what is assessed. */
export const MEMBER_PROFILES = {
  early: PROFILES.early.slice(1),
  intermediate: PROFILES.intermediate.slice(1),
  advanced: PROFILES.advanced.slice(1),
} as const;

let counter = 0;

export async function createRound(groups: GroupService, overrides: Partial<Parameters<GroupService['create']>[0]> = {}) {
  return groups.create({
    name: 'Digital engagement review 2025',
    assessing: { name: 'Ministry of Health', unit: 'ministry' },
    closesAt: null,
    perspectives: [{ label: 'Central government units' }, { label: 'Civil society' }, { label: 'Academia' }],
    respondentsSeePicture: false,
    ...overrides,
  });
}

/** Joins a round and answers every question with `replies` (typed), then asks for the result (unless `finish` is false). */
export async function joinAndAnswer(
  service: ConversationService,
  groups: GroupService,
  code: string,
  choices: Partial<JoinChoices> & { perspective: string },
  replies: readonly string[],
  options: { finish?: boolean; channel?: 'web' | 'terminal' } = {},
) {
  const started = await groups.join({ code, channel: options.channel ?? 'web', choices: { shareNotes: false, shareAnswers: false, ...choices } });
  const access = { kind: 'token' as const, token: started.resumeToken };
  let last: { status: string; messages: Message[] } = { status: started.status, messages: started.messages };
  const say = async (text: string) => {
    last = await service.turn({ conversationId: started.conversationId, access, channel: options.channel ?? 'web', turnId: `g-${++counter}`, input: { kind: 'text', text } });
    return last;
  };
  await say('start');
  for (const reply of replies) await say(reply);
  if (options.finish ?? true) {
    await say('see my result');
    if (last.status !== 'finished') throw new Error(`assessment did not finish: ${JSON.stringify(last.messages.map((m) => m.kind))}`);
  }
  return { conversationId: started.conversationId, token: started.resumeToken, access, started, say };
}
