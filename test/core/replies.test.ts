/**
 * Understanding typed replies, with the English vocabulary of the real flow,
 * against the question kinds of test/fixtures/reply-contexts.ts. The broad
 * coverage is the corpus (reply-corpus.test.ts); these pin the rules one by
 * one, and the properties check them on arbitrary text.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReplyTable } from '../../src/core/flow/schema.js';
import { editDistance, parseReply, UNSURE, type Intent, type ReplyContext, type Vocabulary } from '../../src/core/replies/parse.js';
import { tokenize } from '../../src/core/replies/text.js';
import { confirmingRestart, contextOf, corpusContexts, englishVocabulary, outsideQuestion, type QuestionKind } from '../fixtures/reply-contexts.js';

let vocab: Vocabulary;
beforeAll(async () => {
  vocab = await englishVocabulary();
});

const read = (text: string, kind: QuestionKind | ReplyContext = 'regularly'): Intent => parseReply(text, typeof kind === 'string' ? contextOf(kind) : kind, vocab);
const answer = (option: string, note?: string): Intent => (note === undefined ? { type: 'answer', option } : { type: 'answer', option, note });
const clarify = (options: string[], note?: string): Intent => (note === undefined ? { type: 'clarify', options } : { type: 'clarify', options, note });

describe('option numbers', () => {
  it('pick the options in order, and the number after the last option means "not sure"', () => {
    expect(read('1')).toEqual(answer('yes'));
    expect(read('2')).toEqual(answer('partly'));
    expect(read('3')).toEqual(answer('no'));
    expect(read('4')).toEqual({ type: 'unsure' });
  });

  it('accept "option 2", "#3", numbers in words, ordinals and surrounding spaces', () => {
    expect(read('option 2')).toEqual(answer('partly'));
    expect(read('#3')).toEqual(answer('no'));
    expect(read('  one ')).toEqual(answer('yes'));
    expect(read('four')).toEqual({ type: 'unsure' });
    expect(read('the second one')).toEqual(answer('partly'));
  });

  it('refuse numbers past "not sure" and zero', () => {
    expect(read('5')).toEqual({ type: 'unknown' });
    expect(read('0')).toEqual({ type: 'unknown' });
    expect(read('12')).toEqual({ type: 'unknown' });
  });

  it('mean nothing outside a question', () => {
    expect(read('1', outsideQuestion)).toEqual({ type: 'unknown' });
  });

  it('are asked about when a reply word disagrees ("no 1" is not option 1)', () => {
    expect(read('no 1')).toEqual(clarify(['no', 'yes']));
    expect(read('No 1')).toEqual(clarify(['no', 'yes']));
    expect(read('yes 3')).toEqual(clarify(['yes', 'no']));
    expect(read('nope 2')).toEqual(clarify(['no', 'partly']));
    expect(read('1 yes')).toEqual(answer('yes'));
    expect(read('no. 3')).toEqual(answer('no'));
  });

  it('are counts, not options, when a word follows ("1 ministry")', () => {
    expect(read('1 ministry')).not.toMatchObject({ type: 'answer' });
    expect(read('3 regions')).not.toMatchObject({ type: 'answer' });
  });
});

describe('option labels', () => {
  it('match the whole label whatever the case, accents and punctuation', () => {
    expect(read('Sometimes, or only in some places')).toEqual(answer('partly'));
    expect(read('SOMETIMES OR ONLY IN SOME PLACES.')).toEqual(answer('partly'));
    expect(read('Sómetimes, or ónly in some placés')).toEqual(answer('partly'));
    expect(read('No: outside input routinely shapes decisions', 'limitation')).toEqual(answer('no'));
  });

  it('tolerate small typos in a label', () => {
    expect(read('Sometimes, or only in some placs')).toEqual(answer('partly'));
    expect(read('yes, predominatly top-down', 'limitation')).toEqual(answer('yes'));
  });

  it('accept a distinctive part of one label ("predominantly top-down")', () => {
    expect(read('predominantly top-down', 'limitation')).toEqual(answer('yes'));
    expect(read('outside input routinely shapes decisions', 'limitation')).toEqual(answer('no'));
  });

  it('ask when the words of another option follow an answer ("no, it\'s all top-down")', () => {
    expect(read("no, it's all top-down", 'limitation')).toMatchObject({ type: 'clarify' });
    expect(read('yes, outside input routinely shapes decisions', 'limitation')).toMatchObject({ type: 'clarify' });
  });
});

describe('negations and hedges, read against the question as worded', () => {
  it.each(["it doesn't", 'not really', "I don't think so", 'rarely', 'never', 'not yet', 'absolutely not', 'hardly', 'hardly ever', 'seldom', 'nope', 'we do not'])('"%s" is no', (text) => {
    for (const { kind } of corpusContexts()) expect(read(text, kind), kind).toEqual(answer('no'));
  });

  it.each(['no idea', 'idk', "I'm not sure", 'dunno', "can't say", 'not sure', "I don't know", '?'])('"%s" is not sure', (text) => {
    for (const { kind } of corpusContexts()) expect(read(text, kind), kind).toEqual({ type: 'unsure' });
  });

  it.each(['always', 'yes, regularly', 'systematically', 'all the time'])('"%s" is yes to a "regularly" question', (text) => {
    expect(read(text, 'regularly')).toEqual(answer('yes'));
  });

  it.each(['sometimes', 'occasionally', 'in some places', 'in some ministries', 'now and then', 'partly', 'mostly', 'largely'])('"%s" is partly, never a full yes', (text) => {
    for (const { kind } of corpusContexts()) expect(read(text, kind), kind).toEqual(answer('partly'));
  });

  it('"in two regions" is partly and keeps the count as the note', () => {
    expect(read('in two regions')).toEqual(answer('partly', 'in two regions'));
  });

  it('weighs a qualifier against the question\'s own', () => {
    // "regularly" does not reach "systematically"; "systematically" reaches "regularly".
    expect(read('yes, regularly', 'systematically')).toEqual(clarify(['yes', 'partly']));
    expect(read('systematically', 'regularly')).toEqual(answer('yes'));
    // Denying the question's qualifier limits the yes: partly.
    expect(read('we do it, but not regularly', 'regularly')).toEqual(answer('partly', 'but not regularly'));
    expect(read('yes but not systematically', 'systematically')).toEqual(answer('partly', 'but not systematically'));
    // Denying a stronger qualifier than asked may leave the question's own standing: ask.
    expect(read('yes but not systematically', 'regularly')).toMatchObject({ type: 'clarify' });
    // "not regularly" alone: sometimes, or never?
    expect(read('not regularly', 'regularly')).toEqual(clarify(['partly', 'no']));
    expect(read('not always', 'plain')).toEqual(answer('partly'));
  });

  it('asks about words that sit between two answers', () => {
    expect(read('often')).toEqual(clarify(['yes', 'partly']));
    expect(read('usually')).toEqual(clarify(['yes', 'partly']));
    expect(read('not much')).toEqual(clarify(['partly', 'no']));
  });

  it('does not read a denial in free text as an answer: it may deny something else than the question', () => {
    // To "Is decision-making predominantly top-down?", these mean yes.
    for (const text of ["we don't consult anyone", 'no outside input at all', 'never consulted anyone']) {
      expect(read(text, 'limitation'), text).toMatchObject({ type: 'clarify' });
    }
  });
});

describe('qualified answers', () => {
  it('record a qualified yes as partly, with the qualification as typed as the note', () => {
    expect(read('yes, but only in some ministries')).toEqual(answer('partly', 'but only in some ministries'));
    expect(read('yes although only for two services')).toEqual(answer('partly', 'although only for two services'));
    expect(read('yes, only for the health ministry')).toEqual(answer('partly', 'only for the health ministry'));
    expect(read('yes mostly')).toEqual(answer('partly'));
  });

  it('ask when a yes is turned but not clearly limited', () => {
    expect(read('yes, but')).toMatchObject({ type: 'clarify' });
    expect(read("yes but it doesn't work well")).toMatchObject({ type: 'clarify' });
    expect(read('yes if you count the pilot')).toMatchObject({ type: 'clarify' });
    expect(read('yes, just launched')).toMatchObject({ type: 'clarify' });
  });

  it('keep a plain no when the note only explains it', () => {
    expect(read('no, but we plan to')).toEqual(answer('no', 'but we plan to'));
    expect(read('no, but some ministries do')).toEqual(clarify(['no', 'partly'], 'but some ministries do'));
  });
});

describe('words that are also commands or other answers', () => {
  it('are never silently an answer at a question', () => {
    for (const text of ['done', 'none', 'non', 'ok', 'next', 'new']) expect(read(text), text).toMatchObject({ type: 'clarify' });
  });

  it('are the command outside questions', () => {
    expect(read('done', outsideQuestion)).toEqual({ type: 'command', command: 'seeResult' });
    expect(read('ok', outsideQuestion)).toEqual({ type: 'command', command: 'start' });
    expect(read('next', outsideQuestion)).toEqual({ type: 'command', command: 'continue' });
  });

  it('"done" at a question offers every option and "not sure"', () => {
    expect(read('done')).toEqual(clarify(['yes', 'partly', 'no', UNSURE]));
  });

  it('two options giving the same reply are asked about, not guessed', () => {
    const twoYes: ReplyContext = {
      qualifier: null,
      confirming: false,
      options: [
        { id: 'always', label: 'Always', reply: 'yes' },
        { id: 'usually', label: 'Usually', reply: 'yes' },
        { id: 'never', label: 'Never', reply: 'no' },
      ],
    };
    expect(read('yes', twoYes)).toEqual(clarify(['always', 'usually']));
    expect(read('usually', twoYes)).toEqual(answer('usually'));
    expect(read('nope', twoYes)).toEqual(answer('never'));
  });

  it('a typo on a short word is not taken for another word', () => {
    expect(read('yet')).toEqual({ type: 'unknown' });
    expect(read('nob')).not.toMatchObject({ type: 'answer' });
    expect(read('mot sure')).not.toMatchObject({ type: 'answer' });
  });

  it('a typo is corrected only where one meaning is meant', () => {
    expect(read('yse')).toEqual(answer('yes'));
    expect(read('nevr')).toEqual(answer('no'));
    expect(read('partialy')).toEqual(answer('partly'));
    expect(read('nto sure')).toEqual({ type: 'unsure' });
    // "halp": "help" or "half"?
    expect(read('halp')).not.toMatchObject({ type: 'answer' });
  });
});

describe('notes', () => {
  it('keep exactly what was typed after the separator, a closing bracket included', () => {
    expect(read('yes - see https://en.wikipedia.org/wiki/Open_data_(government)')).toEqual(answer('yes', 'see https://en.wikipedia.org/wiki/Open_data_(government)'));
    expect(read('partly, only in two ministries')).toEqual(answer('partly', 'only in two ministries'));
    expect(read('no; the law is silent', 'plain')).toEqual(answer('no', 'the law is silent'));
    expect(read('Partly, see https://example.org/consult?a=1&b=two,three#part-2')).toEqual(answer('partly', 'see https://example.org/consult?a=1&b=two,three#part-2'));
    expect(read('2, Ministère de la Santé only')).toEqual(answer('partly', 'Ministère de la Santé only'));
  });

  it('keep a bracketed note with its brackets', () => {
    expect(read('no (we plan to in 2027)')).toEqual(answer('no', '(we plan to in 2027)'));
    expect(read('not sure (never checked)')).toEqual({ type: 'unsure', note: '(never checked)' });
  });

  it('begin at a connector or a new clause without a comma', () => {
    expect(read('yes because we run consultations')).toEqual(answer('yes', 'because we run consultations'));
    expect(read('no we plan to in 2027')).toEqual(answer('no', 'we plan to in 2027'));
  });

  it('are not made of what restates the answer', () => {
    expect(read('yes, regularly')).toEqual(answer('yes'));
    expect(read('no, not at all')).toEqual(answer('no'));
    expect(read('Yes, thank you!')).toEqual(answer('yes'));
  });
});

describe('the note command', () => {
  it('keeps everything after the keyword, links included, exactly as typed', () => {
    expect(read('note our portal: https://Example.org/Consult_Page?x=1&y=%20z#Top')).toEqual({ type: 'note', text: 'our portal: https://Example.org/Consult_Page?x=1&y=%20z#Top' });
    expect(read('Note: https://data.example.gov/dataset/a-b_c')).toEqual({ type: 'note', text: 'https://data.example.gov/dataset/a-b_c' });
    expect(read('evidence https://example.org/report_(final).pdf')).toEqual({ type: 'note', text: 'https://example.org/report_(final).pdf' });
  });

  it('works outside a question too (the turn decides what to do with it)', () => {
    expect(read('comment we are reorganising', outsideQuestion)).toEqual({ type: 'note', text: 'we are reorganising' });
  });

  it('with nothing after it gives an empty note', () => {
    expect(read('note')).toEqual({ type: 'note', text: '' });
  });

  it('needs the keyword as a whole word', () => {
    expect(read('notes are elsewhere')).not.toMatchObject({ type: 'note' });
  });
});

describe('changing an earlier answer', () => {
  it.each([
    ['change 3', 3], ['Change 10', 10], ['edit question 2', 2], ['go to 7', 7], ['change q 4', 4], ['change three', 3], ['question 5', 5],
  ])('"%s" edits question %i', (text, n) => {
    expect(read(text)).toEqual({ type: 'edit', questionNumber: n });
    expect(read(text, outsideQuestion)).toEqual({ type: 'edit', questionNumber: n });
  });

  it('"change" without a number is not an edit', () => {
    expect(read('change my mind')).not.toMatchObject({ type: 'edit' });
  });
});

describe('commands', () => {
  it.each([
    ['why', 'why'], ['Why do you ask?', 'why'], ['go back', 'back'], ['back', 'back'], ['previous', 'back'], ['help', 'help'], ['what can I say', 'help'],
    ['progress', 'progress'], ['where am I', 'progress'], ['pause', 'pause'], ['save and continue later', 'pause'], ['restart', 'restart'],
    ['start over', 'restart'], ['review my answers', 'review'], ['see my result', 'seeResult'], ['results', 'seeResult'],
  ])('"%s" is the %s command at a question', (text, command) => {
    expect(read(text)).toEqual({ type: 'command', command });
  });

  it.each([['start', 'start'], ["let's go", 'start'], ['continue', 'continue'], ['next', 'continue'], ['new assessment', 'newAssessment']])('"%s" is the %s command outside a question', (text, command) => {
    expect(read(text, outsideQuestion)).toEqual({ type: 'command', command });
  });

  it('tolerate typos in longer commands', () => {
    expect(read('progres')).toEqual({ type: 'command', command: 'progress' });
    expect(read('reveiw my answers')).toEqual({ type: 'command', command: 'review' });
  });
});

describe('confirmations', () => {
  it('read yes / no words as confirm / cancel while a confirmation is pending', () => {
    expect(read('yes', confirmingRestart)).toEqual({ type: 'confirm' });
    expect(read('Yep, start again', confirmingRestart)).toEqual({ type: 'confirm' });
    expect(read('no', confirmingRestart)).toEqual({ type: 'cancel' });
    expect(read('no, keep my answers', confirmingRestart)).toEqual({ type: 'cancel' });
  });

  it('are not given by a number, a doubt or a denial in the note (restarting clears the answers)', () => {
    expect(read('1', confirmingRestart)).not.toEqual({ type: 'confirm' });
    expect(read('yes no', confirmingRestart)).not.toEqual({ type: 'confirm' });
    expect(read('yes, but not now', confirmingRestart)).not.toEqual({ type: 'confirm' });
    expect(read('not sure', confirmingRestart)).not.toEqual({ type: 'confirm' });
  });

  it('are not produced when nothing is pending', () => {
    expect(read('yes', outsideQuestion)).toEqual({ type: 'unknown' });
  });
});

describe('unknown text', () => {
  it.each(['asdfgh', 'the weather is lovely today', '', '   ', '!!!', 'https://example.org', 'What do you mean by digital channels?'])('%j is unknown at a question', (text) => {
    expect(read(text)).toEqual({ type: 'unknown' });
  });
});

describe('the vocabulary', () => {
  it('is refused when a yes phrase contains a negation (a denial could be read as yes)', () => {
    const bad = ReplyTable.safeParse({ ...vocab, yes: [...vocab.yes, 'no doubt'] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/"no doubt" contains the negation "no"/);
    expect(ReplyTable.safeParse(vocab).success).toBe(true);
  });

  it('carries all the language: another vocabulary reads another language with the same code', () => {
    // A sketch of French, only to show that no English lives in the code.
    const fr: Vocabulary = {
      ...vocab,
      yes: ['oui', 'bien sûr', 'nous le faisons'], partly: ['en partie', 'parfois', 'dans certains ministères'], no: ['non', 'jamais', 'pas encore', 'pas vraiment'],
      unsure: ['je ne sais pas', 'aucune idée', 'pas sûr'], yesOrPartly: ['souvent'], partlyOrNo: ['peu'], regularly: ['régulièrement'], systematically: ['systématiquement', 'toujours'],
      negations: ['ne', 'pas', 'non', 'jamais', "n'*"], partlyMarkers: ['seulement dans', 'sauf'], weakPartlyMarkers: ['seulement'], contrasts: ['mais', 'bien que'],
      noteConnectors: ['parce que', 'car', 'voir'], clauseStarters: ['nous', 'on', 'il', 'elle'], fillers: ['eh bien', 'merci'], standalone: ['oui', 'non merci', 'pas sûr', 'parfois'],
      numberWords: ['un', 'deux', 'trois', 'quatre'], ordinalWords: ['premier', 'deuxième', 'troisième', 'quatrième'], optionWords: ['option', 'le', 'la'],
    };
    const context: ReplyContext = {
      qualifier: 'regularly',
      confirming: false,
      options: [
        { id: 'yes', label: 'Oui, régulièrement', reply: 'yes' },
        { id: 'partly', label: 'Parfois, ou seulement à certains endroits', reply: 'partly' },
        { id: 'no', label: 'Non', reply: 'no' },
      ],
    };
    const fread = (text: string) => parseReply(text, context, fr);
    expect(fread('oui')).toEqual(answer('yes'));
    expect(fread('Non, pas encore')).toEqual(answer('no'));
    expect(fread('oui, mais seulement dans deux ministères')).toEqual(answer('partly', 'mais seulement dans deux ministères'));
    expect(fread("oui, mais ce n'est pas régulier")).toMatchObject({ type: 'clarify' });
    expect(fread('je ne sais pas')).toEqual({ type: 'unsure' });
    expect(fread('deux')).toEqual(answer('partly'));
    expect(fread('non 1')).toMatchObject({ type: 'clarify' });
    expect(fread('systématiquement')).toEqual(answer('yes'));
    expect(fread('souvent')).toEqual(clarify(['yes', 'partly']));
    expect(fread('non (prévu pour 2027)')).toEqual(answer('no', '(prévu pour 2027)'));
    // English means nothing to it.
    expect(fread('yes')).toEqual({ type: 'unknown' });
  });
});

describe('tokens and distance', () => {
  it('keep links whole, split hyphenated words, and fold case, accents and apostrophes', () => {
    const tokens = tokenize("Top-down? Don’t know: see https://x.org/a_(b), É.");
    expect(tokens.map((t) => [t.kind, t.norm])).toEqual([
      ['word', 'top'], ['word', 'down'], ['symbol', '?'], ['word', 'dont'], ['word', 'know'], ['symbol', ':'], ['word', 'see'], ['url', 'https://x.org/a_(b),'], ['word', 'e'], ['symbol', '.'],
    ]);
  });

  it('bounds the edit distance and counts a swap as one', () => {
    expect(editDistance('partialy', 'partially', 2)).toBe(1);
    expect(editDistance('reveiw', 'review', 1)).toBe(1);
    expect(editDistance('abc', 'xyzxyz', 1)).toBe(2);
  });
});

// ---------------------------------------------------------------------------
// Properties

const RECORDED = new Set(['answer', 'unsure']);
/** Words that mean nothing to the vocabulary, to make a note that is a note. */
const CONTENT = ['Ministère', 'portal', 'Decidim', 'budget', 'https://x.example/a_(b)', 'e-consultation', 'strategy', 'Article', 'municipalities', '2027'];
const anyText = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }));

function recordedReply(intent: Intent, context: ReplyContext): string | null {
  if (intent.type === 'unsure') return 'unsure';
  if (intent.type !== 'answer') return null;
  return context.options.find((o) => o.id === intent.option)?.reply ?? null;
}

describe('parseReply on arbitrary text (properties)', () => {
  const contexts = () => [...corpusContexts().map((c) => c.context), outsideQuestion, confirmingRestart];

  it('never throws and always returns a well-formed intent', () => {
    const words = ['yes', 'no', 'partly', 'note', 'change', 'not sure', ',', ' - ', '(', ')', 'because', 'but', 'only', '?', 'https://x.org/a?b=c', '1', '4', 'regularly', 'not', "don't", 'done'];
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
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
        if (intent.type === 'clarify') {
          expect(intent.options.length).toBeGreaterThan(0);
          expect(new Set(intent.options).size).toBe(intent.options.length);
          for (const id of intent.options) expect(ids).toContain(id);
        }
        if (intent.type === 'confirm' || intent.type === 'cancel') expect(ctx.confirming).toBe(true);
        if (intent.type === 'note') expect(input).toContain(intent.text);
        if ((intent.type === 'answer' || intent.type === 'unsure' || intent.type === 'clarify') && intent.note !== undefined) {
          expect(intent.note).not.toBe('');
          expect(intent.note).toBe(intent.note.trim());
          expect(input).toContain(intent.note);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('answers any option label typed exactly, whatever the case and surrounding spaces', () => {
    fc.assert(
      fc.property(fc.constantFrom(...corpusContexts()), fc.nat(), fc.constantFrom('', ' ', '  '), fc.constantFrom('', '.', '!', ' '), fc.boolean(), ({ context }, pick, before, after, upper) => {
        const option = context.options[pick % context.options.length];
        if (!option) return;
        const typed = `${before}${upper ? option.label.toUpperCase() : option.label}${after}`;
        expect(parseReply(typed, context, vocab)).toEqual(answer(option.id));
      }),
    );
  });

  it('reads any option number as that option, whatever surrounds it in whitespace', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.constantFrom('', ' ', '\t', '  '), fc.constantFrom('', ' ', '\n'), (n, before, after) => {
        const intent = parseReply(`${before}${n}${after}`, contextOf('regularly'), vocab);
        expect(intent).toEqual(n === 4 ? { type: 'unsure' } : answer(['yes', 'partly', 'no'][n - 1] as string));
      }),
    );
  });

  it('keeps the answer (or asks) when a note follows ", ", and the note is exactly the text appended', () => {
    const base = fc.constantFrom(
      ['yes', 'yes'], ['Yes', 'yes'], ['yep', 'yes'], ['1', 'yes'], ['partly', 'partly'], ['sometimes', 'partly'], ['2', 'partly'],
      ['no', 'no'], ['nope', 'no'], ['not yet', 'no'], ['3', 'no'], ['not sure', 'unsure'], ['4', 'unsure'],
    );
    fc.assert(
      fc.property(base, fc.constantFrom(...corpusContexts()), fc.constantFrom(...CONTENT), anyText, ([head, cls], { context }, first, more) => {
        const note = `${first}${more}`;
        const intent = parseReply(`${head}, ${note}`, context, vocab);
        const got = recordedReply(intent, context);
        if (got === null) {
          // Not recorded: asked about (never read as a command or anything else).
          expect(intent.type).toBe('clarify');
          return;
        }
        // A "yes" may become "partly" when the note limits it ("yes, only in …"); nothing else changes.
        expect(got === cls || (cls === 'yes' && got === 'partly'), `${head}, ${note} → ${JSON.stringify(intent)}`).toBe(true);
        expect(RECORDED.has(intent.type)).toBe(true);
        expect((intent as { note?: string }).note).toBe(note.trim());
      }),
      { numRuns: 2000 },
    );
  });

  it('never reads a reply containing a negation word of the vocabulary as yes', () => {
    const negations = vocab.negations.filter((w) => !w.includes('*'));
    const yesWords = ['yes', 'yep', 'absolutely', 'always', 'we do', 'sure', '1', 'regularly', 'systematically', 'of course'];
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

  it('never records a yes qualified by a limiting phrase of the vocabulary as a full yes', () => {
    const markers = [...vocab.partlyMarkers, ...vocab.weakPartlyMarkers, ...vocab.contrasts].map((m) => m.replace('{n}', '2'));
    fc.assert(
      fc.property(fc.constantFrom('yes', 'Yes,', 'yes -', 'yes!', '1,', 'we do,', 'always,'), fc.constantFrom(...markers), fc.constantFrom(...CONTENT), fc.constantFrom(...corpusContexts()), (head, marker, word, { context }) => {
        const text = `${head} ${marker} ${word}`;
        const intent = parseReply(text, context, vocab);
        expect(recordedReply(intent, context), `${text} → ${JSON.stringify(intent)}`).not.toBe('yes');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('every real question', () => {
  it('reads each of its option labels, typed as shown or in lower case without punctuation, as that option with no note', async () => {
    const { allQuestionContexts } = await import('../fixtures/reply-contexts.js');
    const vocabulary = await englishVocabulary();
    for (const { questionId, context } of allQuestionContexts()) {
      for (const option of context.options) {
        for (const typed of [option.label, option.label.toLowerCase().replace(/[^\p{L}\p{N} -]/gu, '')]) {
          expect(parseReply(typed, context, vocabulary), `${questionId}: ${typed}`).toEqual({ type: 'answer', option: option.id });
        }
      }
      expect(parseReply('not sure', context, vocabulary), questionId).toEqual({ type: 'unsure' });
      expect(parseReply(String(context.options.length + 1), context, vocabulary), questionId).toEqual({ type: 'unsure' });
    }
  });

  it('never records "yes" for a negated reply, on any question', async () => {
    const { allQuestionContexts } = await import('../fixtures/reply-contexts.js');
    const vocabulary = await englishVocabulary();
    for (const { questionId, context } of allQuestionContexts()) {
      for (const typed of ["it doesn't", 'not really', "I don't think so", 'rarely', 'never', 'not yet', 'absolutely not', 'no, not at all']) {
        const got = parseReply(typed, context, vocabulary);
        const option = got.type === 'answer' ? context.options.find((o) => o.id === got.option)?.reply : undefined;
        expect(option, `${questionId}: ${typed} → ${JSON.stringify(got)}`).not.toBe('yes');
        expect(option, `${questionId}: ${typed} → ${JSON.stringify(got)}`).not.toBe('partly');
      }
      for (const typed of ['idk', "I'm not sure", 'no idea', 'dunno']) expect(parseReply(typed, context, vocabulary).type, `${questionId}: ${typed}`).toBe('unsure');
      for (const typed of ['done', 'none', 'no 1', 'yes 3']) expect(['clarify', 'command', 'unknown'], `${questionId}: ${typed}`).toContain(parseReply(typed, context, vocabulary).type);
    }
  });
});
