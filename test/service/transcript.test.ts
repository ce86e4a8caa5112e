/**
 * The transcript is stored as what the bot's lines follow from and rendered
 * again on read (src/service/transcript.ts). What must always hold: every
 * bot line reads back exactly as it was sent, whatever the person did; what
 * cannot be replayed faithfully is never shown as if it had been said.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, TurnInput } from '../../src/core/messages.js';
import { GovError } from '../../src/errors.js';
import type { Access, TurnRequest } from '../../src/service/conversation-service.js';
import { isStaleTurn } from '../../src/service/conversation-service.js';
import type { ConversationRecord } from '../../src/store/record.js';
import { testServices } from '../helpers/server.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
beforeAll(async () => {
  services = await testServices();
});
afterAll(async () => {
  await services.cleanup();
});

/** A resume code is shown once and never kept: a line read back has the pause without it. */
const withoutResume = (messages: readonly Message[]): Message[] =>
  messages.map((m) => {
    if (m.kind !== 'paused' || !m.resume) return m;
    const { resume: _code, ...rest } = m;
    return rest;
  });

const TYPED = ['start', '1', '2', 'yes', 'no', 'partly', 'not sure', 'yes, regularly, in every ministry', 'no - only the ministry of finance', 'help', 'why', 'back', 'progress', 'pause', 'restart', 'review', 'change 3', 'done', 'see my result', 'continue', 'a note about it (see the 2019 act)', 'new assessment', 'oui'];

/** Choices that move a conversation on: answers, the unit, settling, the result, a new assessment. */
const FORWARD = /^(start|unit:|answer:|settle:|cmd:(seeResult|newAssessment|continue)|confirm:yes)/;

/** One step of a person: a button of the last answer (by position), something typed, or a language switch. */
const Step = fc.oneof(
  // Mostly forward, so that runs reach the review, contradictions, the result and what follows it.
  { weight: 8, arbitrary: fc.nat(20).map((n) => ({ kind: 'forward' as const, n })) },
  { weight: 3, arbitrary: fc.nat(20).map((n) => ({ kind: 'button' as const, n })) },
  { weight: 3, arbitrary: fc.constantFrom(...TYPED).map((text) => ({ kind: 'typed' as const, text })) },
  { weight: 1, arbitrary: fc.constantFrom('fr', 'en').map((locale) => ({ kind: 'language' as const, locale })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'start' as const }) },
);
type Step = typeof Step extends fc.Arbitrary<infer T> ? T : never;

function inputOf(step: Step, last: readonly Message[]): TurnInput {
  switch (step.kind) {
    case 'forward': {
      const onward = last.flatMap((m) => ('choices' in m && m.choices ? m.choices : [])).filter((c) => FORWARD.test(c.id));
      const choice = onward[step.n % Math.max(1, onward.length)];
      return choice ? { kind: 'choice', choice: choice.id } : { kind: 'text', text: step.n % 2 ? 'see my result' : 'new assessment' };
    }
    case 'button': {
      const choices = last.flatMap((m) => ('choices' in m && m.choices ? m.choices : []));
      const choice = choices[step.n % Math.max(1, choices.length)];
      return choice ? { kind: 'choice', choice: choice.id } : { kind: 'text', text: 'yes' };
    }
    case 'typed':
      return { kind: 'text', text: step.text };
    case 'language':
      return { kind: 'choice', choice: `cmd:language:${step.locale}` };
    case 'start':
      return { kind: 'start' };
  }
}

/** Runs the steps on a new conversation; returns every bot line as it was sent, in order. */
async function converse(steps: readonly Step[], start: Parameters<Services['service']['start']>[0] = { channel: 'web' }): Promise<{ id: string; access: Access; sent: Message[][] }> {
  const started = await services.service.start(start);
  const access: Access = { kind: 'token', token: started.resumeToken };
  const sent: Message[][] = [started.messages];
  let last: readonly Message[] = started.messages;
  for (const step of steps) {
    const request: TurnRequest = { conversationId: started.conversationId, access, channel: 'web', turnId: randomUUID(), input: inputOf(step, last) };
    try {
      const result = await services.service.turn(request);
      // A stale turn changes nothing and adds no line.
      if (isStaleTurn(result)) continue;
      sent.push(result.messages);
      last = result.messages;
    } catch (error) {
      // Refused input (a choice no step offers) changes nothing either.
      if (!(error instanceof GovError && error.kind === 'BAD_INPUT')) throw error;
    }
  }
  return { id: started.conversationId, access, sent };
}

const botLines = async (id: string, access: Access) => (await services.service.view(id, access)).transcript.filter((line) => line.from === 'bot').map((line) => line.messages);

describe('the transcript read back', () => {
  it('shows every bot line exactly as it was sent, whatever the person did', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(Step, { minLength: 1, maxLength: 70, size: 'max' }), async (steps) => {
        const { id, access, sent } = await converse(steps);
        expect(await botLines(id, access)).toEqual(sent.map(withoutResume));
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('stores no bot messages, only what they follow from', async () => {
    const { id } = await converse(Array.from({ length: 30 }, (_, n) => ({ kind: 'button' as const, n: n % 3 })));
    const record = (await services.store.get(id)) as ConversationRecord;
    const bot = record.transcript.filter((line) => line.from === 'bot');
    expect(bot.length).toBeGreaterThan(10);
    for (const line of bot) expect(line.messages).toBeUndefined();
  });

  it('keeps a finished assessment under 8 KB', async () => {
    const replies = ['start', '1', 'no', 'yes', 'partly', 'yes', 'no', 'no', 'partly', 'no', 'yes', 'no', 'yes', 'partly', 'no', 'no', 'see my result'];
    const { id } = await converse(replies.map((text) => ({ kind: 'typed' as const, text })));
    const record = (await services.store.get(id)) as ConversationRecord;
    expect(record.state.status).toBe('finished');
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThanOrEqual(8192);
  });

  it("replays a round member's opening with the round's welcome, which only the record holds", async () => {
    const welcome: Message[] = [{ kind: 'text', tone: 'normal', text: 'Welcome to the round of the Ministry of the Interior.' }];
    const membership = { roundId: 'r_1', perspective: 'central', shareNotes: false, shareAnswers: false, joinedAt: new Date().toISOString() };
    const { id, access, sent } = await converse([{ kind: 'button', n: 0 }, { kind: 'typed', text: 'yes' }], { channel: 'web', round: { membership, unit: 'national', welcome } });
    expect(sent[0]?.[0]).toEqual(welcome[0]);
    expect(await botLines(id, access)).toEqual(sent);
  });

  it('a retried turn answers what the first attempt answered', async () => {
    const started = await services.service.start({ channel: 'web' });
    const access: Access = { kind: 'token', token: started.resumeToken };
    const first: TurnRequest = { conversationId: started.conversationId, access, channel: 'web', turnId: randomUUID(), input: { kind: 'text', text: 'start' } };
    const answered = await services.service.turn(first);
    await services.service.turn({ ...first, turnId: randomUUID(), input: { kind: 'text', text: '1' } });
    const again = await services.service.turn(first);
    expect(again).toMatchObject({ replayed: true, messages: (answered as { messages: Message[] }).messages });
    await expect(services.service.turn({ ...first, input: { kind: 'text', text: 'no' } })).rejects.toMatchObject({ kind: 'CONFLICT' });
  });
});

describe('records the replay cannot fully derive', () => {
  it('a record written with its messages shows them, and its later lines are replayed', async () => {
    const { id, access, sent } = await converse([{ kind: 'typed', text: 'start' }, { kind: 'typed', text: '1' }]);
    // As the release before stored it: every bot line with its messages, no inputs.
    const record = (await services.store.get(id)) as ConversationRecord;
    let bot = 0;
    const legacy: ConversationRecord = {
      ...record,
      revision: record.revision + 1,
      transcript: record.transcript.map((line) => (line.from === 'bot' ? { at: line.at, from: 'bot', channel: line.channel, messages: sent[bot++] ?? [] } : line)),
    };
    await services.store.update(legacy, record.revision);
    const more = await services.service.turn({ conversationId: id, access, channel: 'web', turnId: randomUUID(), input: { kind: 'text', text: 'yes' } });
    const help = await services.service.turn({ conversationId: id, access, channel: 'web', turnId: randomUUID(), input: { kind: 'text', text: 'help' } });
    expect(await botLines(id, access)).toEqual([...sent, (more as { messages: Message[] }).messages, (help as { messages: Message[] }).messages]);
  });

  it('a conversation saved under an earlier version of the assessment replays the turn that upgraded it', async () => {
    const { id, access } = await converse(['start', '1', 'yes', 'no'].map((text) => ({ kind: 'typed' as const, text })));
    const record = (await services.store.get(id)) as ConversationRecord;
    // The same answers, as if saved by flow version 1 (whose lines this release cannot render).
    const older: ConversationRecord = {
      ...record,
      revision: record.revision + 1,
      state: { ...record.state, flow: { ...record.state.flow, version: 1 }, rubric: { ...record.state.rubric, version: 1 } },
      transcript: record.transcript.map((line) => (line.from === 'bot' && line.start ? { ...line, start: { ...line.start, flow: { ...line.start.flow, version: 1 }, rubric: { ...line.start.rubric, version: 1 } } } : line)),
    };
    await services.store.update(older, record.revision);
    const upgraded = (await services.service.turn({ conversationId: id, access, channel: 'web', turnId: randomUUID(), input: { kind: 'start' } })) as { messages: Message[] };
    const next = (await services.service.turn({ conversationId: id, access, channel: 'web', turnId: randomUUID(), input: { kind: 'text', text: 'partly' } })) as { messages: Message[] };
    const lines = await botLines(id, access);
    const notice = lines[0];
    // The earlier version's lines: a notice, never this version's wording passed off as what was said.
    expect(lines.slice(0, -2)).toEqual(lines.slice(0, -2).map(() => notice));
    expect(JSON.stringify(notice)).toContain('earlier version');
    expect(lines.slice(-2)).toEqual([upgraded.messages, next.messages]);
  });

  it('a stretch whose replay does not arrive at the saved state shows a notice instead', async () => {
    const { id, access } = await converse(['start', '1', 'yes', 'no'].map((text) => ({ kind: 'typed' as const, text })));
    const record = (await services.store.get(id)) as ConversationRecord;
    const context = record.state.machine.context;
    // The saved answers changed behind the transcript's back: replaying would show answers never given.
    const tampered: ConversationRecord = {
      ...record,
      revision: record.revision + 1,
      state: { ...record.state, machine: { ...record.state.machine, context: { ...context, answers: { ...context.answers, 'ict-purpose': { option: 'partly' } } } } },
    };
    await services.store.update(tampered, record.revision);
    const lines = await botLines(id, access);
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(JSON.stringify(line)).toContain('earlier version');
  });
});
