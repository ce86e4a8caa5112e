/**
 * The typed-reply parser and the whole pure turn function never throw:
 * arbitrary strings (odd Unicode, controls, lone surrogates, very long),
 * arbitrary button ids and arbitrary stored states give an intent or an
 * error value, and what comes back always validates. Adversarial texts are
 * parsed quickly (no catastrophic backtracking).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConversationState } from '../../src/core/conversation/state.js';
import { advance, newConversation } from '../../src/core/conversation/turn.js';
import type { AssessmentDefinition } from '../../src/core/definition.js';
import { Message, type TurnInput } from '../../src/core/messages.js';
import { parseReply, UNSURE, type ReplyContext, type Vocabulary } from '../../src/core/replies/parse.js';
import { GovError } from '../../src/errors.js';
import { realDefinition } from '../core/helpers.js';
import { corpusContexts } from '../fixtures/reply-contexts.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const NOW = new Date('2024-05-01T10:00:00.000Z');
const INTENT_TYPES = ['answer', 'unsure', 'clarify', 'command', 'edit', 'note', 'confirm', 'cancel', 'unknown'];

let definition: AssessmentDefinition;
let vocab: Vocabulary;
let contexts: ReplyContext[];
let tried = 0;
/** Machine states the random conversations reached (coverage). */
const reached = new Set<string>();

beforeAll(async () => {
  definition = await realDefinition();
  vocab = definition.flow.replies.en as Vocabulary;
  contexts = [
    { options: [], qualifier: null, confirming: false },
    { options: [], qualifier: null, confirming: true },
    ...corpusContexts().map((c) => c.context),
    ...definition.questions.map((q) => ({
      options: q.options.map((o) => ({ id: o.id, label: o.label.en as string, reply: o.reply })),
      qualifier: definition.characteristics.get(q.characteristic)?.qualifier ?? null,
      confirming: false,
    })),
  ];
});

const oddChar = fc.oneof(
  fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u200b', '\u200d', '\u202e', '\u2066', '\ufeff', '\ud800', '\udfff', '\ufffd', '😀', '👩‍👩‍👧', 'e\u0301', 'ﬁ', 'İ', 'ß', '\n', '\t', '\u2028', ',', ';', ':', '(', ')', ' - ', ' because ', 'note', 'change ', '#', '?', '1', '10', 'yes', 'partly', 'no', '\\', '$&', '.*', '[', '('),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: oddChar, maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 200 }));

describe('typed-reply parser', () => {
  it('never throws and always returns a known intent, for any string in any context', () => {
    fc.assert(
      fc.property(anyText, fc.nat(), (text, pick) => {
        tried++;
        const context = contexts[pick % contexts.length] as ReplyContext;
        const intent = parseReply(text, context, vocab);
        expect(INTENT_TYPES).toContain(intent.type);
        if (intent.type === 'answer') expect(context.options.map((o) => o.id)).toContain(intent.option);
        if (intent.type === 'clarify') for (const id of intent.options) expect([...context.options.map((o) => o.id), UNSURE]).toContain(id);
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it('parses adversarial long texts quickly (no catastrophic backtracking)', () => {
    const limit = 2000;
    const shapes = [
      'a' + ' '.repeat(limit - 2) + 'b',
      ' ,'.repeat(limit / 2),
      'because '.repeat(limit / 8),
      ' - '.repeat(limit / 3),
      'yes' + ' '.repeat(limit - 4) + ',',
      'note' + ' '.repeat(limit - 4),
      'note ' + ':,-'.repeat(600),
      'change ' + '9'.repeat(limit - 7),
      'change question ' + ' '.repeat(limit - 20) + 'x',
      'e\u0301'.repeat(limit / 2),
      '\u202e'.repeat(limit),
      '😀'.repeat(limit / 2),
      'partly'.repeat(limit / 6),
      'x'.repeat(limit),
      // Every word unknown and different: each one is looked up for typos.
      Array.from({ length: limit / 7 }, (_, i) => `zq${i.toString(36).padStart(4, 'k')}`).join(' '),
      'yes, ' + 'only in some '.repeat(limit / 13),
      'not '.repeat(limit / 4),
      'no 1 '.repeat(limit / 5),
      'in 2 ministries, '.repeat(limit / 17),
      'yes ' + 'https://x.example/' + 'a('.repeat(limit / 2 - 20),
      '(((((' + 'yes '.repeat(limit / 4 - 2),
    ];
    for (const text of shapes) {
      for (const context of [contexts[0], contexts[2], contexts[5]] as ReplyContext[]) {
        tried++;
        const started = performance.now();
        parseReply(text, context, vocab);
        expect(performance.now() - started, JSON.stringify(text.slice(0, 30))).toBeLessThan(250);
      }
    }
  });
});

describe('the pure turn function', () => {
  /** Inputs a person or a client could send: typed text, offered buttons, forged button ids. */
  const input = (choicesOffered: string[]): fc.Arbitrary<TurnInput> =>
    fc.oneof(
      anyText.map((text) => ({ kind: 'text' as const, text })),
      fc.constantFrom('yes', 'no', 'partly', '1', '2', 'not sure', 'back', 'review', 'restart', 'yes', 'change 3', 'result', 'continue', 'pause', 'new', 'note see https://x.example').map((text) => ({ kind: 'text' as const, text })),
      fc.constantFrom(...choicesOffered).map((choice) => ({ kind: 'choice' as const, choice })),
      fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.constantFrom('start', 'confirm:yes', 'confirm:no', 'cmd:constructor', 'cmd:__proto__', 'cmd:toString', 'edit:constructor', 'answer:ict-purpose:maybe', 'answer:__proto__:yes', 'cmd:seeResult', 'cmd:newAssessment', 'edit:ict-purpose'),
        fc.tuple(fc.constantFrom('answer', 'edit', 'cmd'), fc.string({ unit: 'binary-ascii', maxLength: 20 }), fc.string({ maxLength: 10 })).map(([a, b, c]) => `${a}:${b}:${c}`),
      ).map((choice) => ({ kind: 'choice' as const, choice })),
      fc.constant({ kind: 'start' as const }),
    );

  it('never throws over long random conversations; every state and message it returns validates', () => {
    const offered = (messages: Message[]) => messages.flatMap((m) => [...('choices' in m && m.choices ? m.choices.map((c) => c.id) : []), ...(m.kind === 'question' ? m.commands.map((c) => c.id) : []), ...(m.kind === 'review' ? m.items.map((i) => i.editChoiceId) : [])]);
    const allChoices = [
      'start', 'confirm:yes', 'confirm:no', 'cmd:why', 'cmd:back', 'cmd:review', 'cmd:pause', 'cmd:restart', 'cmd:help', 'cmd:progress', 'cmd:continue', 'cmd:seeResult', 'cmd:newAssessment',
      ...definition.questions.flatMap((q) => [...q.options.map((o) => `answer:${q.id}:${o.id}`), `answer:${q.id}:unsure`, `edit:${q.id}`]),
    ];
    fc.assert(
      fc.property(fc.array(fc.tuple(input(allChoices), fc.nat()), { minLength: 1, maxLength: 80, size: 'max' }), (steps) => {
        let { state, messages } = newConversation(definition, 'en');
        for (const [turnInput, pick] of steps) {
          tried++;
          // A third of the time, move on with a button the last answer offered; a third, any button it offered; else the random input.
          const shown = offered(messages);
          const onward = shown.filter((id) => id.startsWith('answer:') || id === 'start' || id === 'cmd:seeResult' || id === 'confirm:yes');
          const pool = pick % 3 === 0 ? onward : pick % 3 === 1 ? shown : [];
          const chosen: TurnInput = pool.length > 0 ? { kind: 'choice', choice: pool[Math.floor(pick / 3) % pool.length] as string } : turnInput;
          const result = advance(definition, state, chosen, NOW);
          if (!result.ok) {
            expect(result.error).toBeInstanceOf(GovError);
            expect(result.error.kind).toBe('BAD_INPUT');
            continue;
          }
          expect(ConversationState.safeParse(result.value.state).success).toBe(true);
          for (const message of result.value.messages) expect(Message.safeParse(message).success, JSON.stringify(message).slice(0, 200)).toBe(true);
          state = result.value.state;
          reached.add(state.machine.value);
          messages = result.value.messages.length > 0 ? result.value.messages : messages;
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on an arbitrary or damaged stored state: it answers with an error value', () => {
    const { state: valid } = newConversation(definition, 'en');
    const damaged = fc.oneof(
      fc.anything(),
      fc.record({ key: fc.constantFrom(...Object.keys(valid)), value: fc.anything() }).map(({ key, value }) => ({ ...valid, [key]: value })),
      fc.record({ value: fc.oneof(fc.string(), fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'q:nope', 'result', 'review')) }).map(({ value }) => ({ ...valid, machine: { ...valid.machine, value } })),
      fc.record({ answers: fc.dictionary(fc.string(), fc.record({ option: fc.string({ minLength: 1 }) })) }).map(({ answers }) => ({ ...valid, machine: { ...valid.machine, context: { ...valid.machine.context, answers } } })),
      fc.record({ version: fc.integer(), locale: fc.oneof(fc.string(), fc.constantFrom('valueOf', 'constructor', '__proto__', 'toString', 'hasOwnProperty')) }).map(({ version, locale }) => ({ ...valid, flow: { ...valid.flow, version }, locale })),
    );
    fc.assert(
      fc.property(damaged, input(['start', 'cmd:review', 'answer:ict-purpose:yes']), (stored, turnInput) => {
        tried++;
        const result = advance(definition, stored as ConversationState, turnInput, NOW);
        if (!result.ok) expect(result.error).toBeInstanceOf(GovError);
        else expect(ConversationState.safeParse(result.value.state).success).toBe(true);
      }),
      { numRuns: RUNS * 3 },
    );
    console.log(`[reply-parser-fuzz] inputs tried on the parser and the turn function: ${tried}; exceptions: 0; steps reached by random conversations: ${reached.size}`);
    expect(reached).toContain('result');
    expect(reached).toContain('confirmRestart');
  });

  // Found by this fuzzing (fixed in src/core/definition.ts): a stored locale named like an
  // Object.prototype member made textsFor() pick the inherited function as the text table.
  it('a stored locale named like an Object.prototype member falls back to the default locale', () => {
    const { state } = newConversation(definition, 'en');
    for (const locale of ['valueOf', 'constructor', '__proto__', 'toString']) {
      tried++;
      const result = advance(definition, { ...state, locale }, { kind: 'text', text: 'start' }, NOW);
      expect(result.ok, locale).toBe(true);
    }
  });
});
