/**
 * The reply parser read with the French vocabulary (`replies.fr`) and the
 * French labels of the real questions: the properties test/core/replies.test.ts
 * holds for English, in French. The parser's code is the same for every
 * language; what these pin is that the French vocabulary gives it no way to
 * record a wrong meaning.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseReply, UNSURE, type Intent, type ReplyContext, type Vocabulary } from '../../src/core/replies/parse.js';
import { allQuestionContexts, corpusContexts, vocabularyOf } from '../fixtures/reply-contexts.js';

let vocab: Vocabulary;
beforeAll(async () => {
  vocab = await vocabularyOf('fr');
});

const outsideQuestion: ReplyContext = { options: [], qualifier: null, confirming: false };
const confirmingRestart: ReplyContext = { options: [], qualifier: null, confirming: true };
const contexts = () => [...corpusContexts('fr').map((c) => c.context), outsideQuestion, confirmingRestart];

/** Words that mean nothing to the vocabulary, to make a note that is a note. */
const CONTENT = ['Ministère', 'portail', 'Decidim', 'budget', 'https://x.exemple/a_(b)', 'e-consultation', 'stratégie', 'Article', 'communes', '2027'];
const anyText = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }));

function recordedReply(intent: Intent, context: ReplyContext): string | null {
  if (intent.type === 'unsure') return 'unsure';
  if (intent.type !== 'answer') return null;
  return context.options.find((o) => o.id === intent.option)?.reply ?? null;
}

describe('parseReply in French on arbitrary text (properties)', () => {
  it('never throws and always returns a well-formed intent', () => {
    const words = ['oui', 'non', 'en partie', 'note', 'modifier', 'je ne sais pas', ',', ' - ', '(', ')', 'parce que', 'mais', 'seulement', '?', 'https://x.org/a?b=c', '1', '4', 'régulièrement', 'pas', "n'est", 'ne', 'fini', 'l’encourage'];
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      fc.array(fc.oneof(fc.constantFrom(...words), fc.string({ unit: 'grapheme-composite', maxLength: 6 })), { maxLength: 8 }).map((parts) => parts.join(' ')),
    );
    fc.assert(
      fc.property(text, fc.nat(), (input, pick) => {
        const all = contexts();
        const ctx = all[pick % all.length] as ReplyContext;
        const intent = parseReply(input, ctx, vocab);
        const ids = [...ctx.options.map((o) => o.id), UNSURE];
        if (intent.type === 'answer') expect(ctx.options.map((o) => o.id)).toContain(intent.option);
        if (intent.type === 'clarify') for (const id of intent.options) expect(ids).toContain(id);
        if (intent.type === 'confirm' || intent.type === 'cancel') expect(ctx.confirming).toBe(true);
        if ((intent.type === 'answer' || intent.type === 'unsure' || intent.type === 'clarify') && intent.note !== undefined) expect(input).toContain(intent.note);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the answer (or asks) when a note follows ", ", and the note is exactly the text appended', () => {
    const base = fc.constantFrom(
      ['oui', 'yes'], ['Oui', 'yes'], ['ouais', 'yes'], ['1', 'yes'], ['en partie', 'partly'], ['parfois', 'partly'], ['2', 'partly'],
      ['non', 'no'], ['nan', 'no'], ['pas encore', 'no'], ['3', 'no'], ['je ne sais pas', 'unsure'], ['aucune idée', 'unsure'], ['4', 'unsure'],
    );
    fc.assert(
      fc.property(base, fc.constantFrom(...corpusContexts('fr')), fc.constantFrom(...CONTENT), anyText, ([head, cls], { context }, first, more) => {
        const note = `${first}${more}`;
        const intent = parseReply(`${head}, ${note}`, context, vocab);
        const got = recordedReply(intent, context);
        if (got === null) {
          expect(intent.type).toBe('clarify');
          return;
        }
        expect(got === cls || (cls === 'yes' && got === 'partly'), `${head}, ${note} → ${JSON.stringify(intent)}`).toBe(true);
        expect((intent as { note?: string }).note).toBe(note.trim());
      }),
      { numRuns: 2000 },
    );
  });

  it('never reads a reply containing a French negation word (or an elided "n\'…") as yes', () => {
    const negations = [...vocab.negations.filter((w) => !w.includes('*')), "n'existe", 'n’encourage', "n'a", "n'y"];
    const yesWords = ['oui', 'ouais', 'absolument', 'toujours', 'on le fait', 'bien sûr', '1', 'régulièrement', 'systématiquement', 'tout à fait', "c'est le cas", 'il y a'];
    const part = fc.oneof(fc.constantFrom(...yesWords), anyText, fc.constant(''));
    fc.assert(
      fc.property(part, fc.constantFrom(...negations), part, fc.constantFrom(' ', ', ', ' - '), fc.constantFrom(...contexts()), (before, negation, after, glue, context) => {
        const text = `${before}${glue}${negation} ${after}`;
        const intent = parseReply(text, context, vocab);
        expect(recordedReply(intent, context), `${JSON.stringify(text)} → ${JSON.stringify(intent)}`).not.toBe('yes');
        expect(intent.type, text).not.toBe('confirm');
      }),
      { numRuns: 3000 },
    );
  });

  it('never records a yes qualified by a limiting or turning phrase of the French vocabulary as a full yes', () => {
    const markers = [...vocab.partlyMarkers, ...vocab.weakPartlyMarkers, ...vocab.contrasts, ...vocab.notNow].map((m) => m.replace('{n}', '2'));
    fc.assert(
      fc.property(fc.constantFrom('oui', 'Oui,', 'oui -', 'oui !', '1,', 'on le fait,', 'toujours,', 'tout à fait,'), fc.constantFrom(...markers), fc.constantFrom(...CONTENT), fc.constantFrom(...corpusContexts('fr')), (head, marker, word, { context }) => {
        const text = `${head} ${marker} ${word}`;
        const intent = parseReply(text, context, vocab);
        expect(recordedReply(intent, context), `${text} → ${JSON.stringify(intent)}`).not.toBe('yes');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('every real question, in French', () => {
  it('reads each of its French option labels, typed as shown or in lower case without accents or punctuation, as that option with no note', () => {
    for (const { questionId, context } of allQuestionContexts('fr')) {
      for (const option of context.options) {
        const bare = option.label.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/[^\p{L}\p{N}' -]/gu, '');
        for (const typed of [option.label, bare]) {
          expect(parseReply(typed, context, vocab), `${questionId}: ${typed}`).toEqual({ type: 'answer', option: option.id });
        }
      }
      expect(parseReply('je ne sais pas', context, vocab), questionId).toEqual({ type: 'unsure' });
      expect(parseReply(String(context.options.length + 1), context, vocab), questionId).toEqual({ type: 'unsure' });
    }
  });

  it('never records "yes" or "partly" for a denial, on any question', () => {
    const denials = ["ça ne l'encourage pas", 'pas vraiment', 'je ne pense pas', 'je pense pas', 'rarement', 'jamais', 'pas encore', 'absolument pas', 'non, pas du tout', "ce n'est pas le cas", 'toujours pas', 'plus maintenant'];
    for (const { questionId, context } of allQuestionContexts('fr')) {
      for (const typed of denials) {
        const got = parseReply(typed, context, vocab);
        const option = got.type === 'answer' ? context.options.find((o) => o.id === got.option)?.reply : undefined;
        expect(option, `${questionId}: ${typed} → ${JSON.stringify(got)}`).not.toBe('yes');
        expect(option, `${questionId}: ${typed} → ${JSON.stringify(got)}`).not.toBe('partly');
      }
      for (const typed of ['je ne sais pas', 'je sais pas', 'chais pas', 'aucune idée', 'pas sûr', 'jsp']) expect(parseReply(typed, context, vocab).type, `${questionId}: ${typed}`).toBe('unsure');
      for (const typed of ['non 1', 'oui 3', 'oui ou non', 'ok', 'suivant']) expect(['clarify', 'command', 'unknown'], `${questionId}: ${typed}`).toContain(parseReply(typed, context, vocab).type);
    }
  });

  it('reads the commands the French help text names, at a question and outside one', () => {
    const commands: Array<[string, Intent]> = [
      ['aide', { type: 'command', command: 'help' }],
      ['pourquoi', { type: 'command', command: 'why' }],
      ['retour', { type: 'command', command: 'back' }],
      ['progression', { type: 'command', command: 'progress' }],
      ['revoir', { type: 'command', command: 'review' }],
      ['pause', { type: 'command', command: 'pause' }],
      ['recommencer', { type: 'command', command: 'restart' }],
      ['modifier 3', { type: 'edit', questionNumber: 3 }],
      ['note notre portail de consultation : https://example.org/consultation', { type: 'note', text: 'notre portail de consultation : https://example.org/consultation' }],
    ];
    for (const context of [...corpusContexts('fr').map((c) => c.context), outsideQuestion]) {
      for (const [typed, intent] of commands) expect(parseReply(typed, context, vocab), typed).toEqual(intent);
    }
    for (const typed of ['passer', 'je ne sais pas']) expect(parseReply(typed, corpusContexts('fr')[0]?.context ?? outsideQuestion, vocab), typed).toEqual({ type: 'unsure' });
    expect(parseReply('oui', confirmingRestart, vocab)).toEqual({ type: 'confirm' });
    expect(parseReply('non', confirmingRestart, vocab)).toEqual({ type: 'cancel' });
  });
});
