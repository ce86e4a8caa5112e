/**
 * Understanding typed replies with the English vocabulary of the real flow.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AssessmentDefinition } from '../../src/core/definition.js';
import { editDistance, normalize, parseReply, type Intent, type ReplyContext, type Vocabulary } from '../../src/core/replies/parse.js';
import { realDefinition } from './helpers.js';

let definition: AssessmentDefinition;
let vocab: Vocabulary;
beforeAll(async () => {
  definition = await realDefinition();
  const en = definition.flow.replies.en;
  if (!en) throw new Error('no English vocabulary');
  vocab = en;
});

/** The reply context at one of the real questions. */
function at(questionId: string): ReplyContext {
  const question = definition.questionById.get(questionId);
  if (!question) throw new Error(`no question ${questionId}`);
  return { options: question.options.map((o) => ({ id: o.id, label: o.label.en ?? '', reply: o.reply })), qualifier: null, confirming: false };
}
const outside: ReplyContext = { options: [], qualifier: null, confirming: false };
const confirming: ReplyContext = { options: [], qualifier: null, confirming: true };

const read = (text: string, context: ReplyContext = at('ict-purpose')): Intent => parseReply(text, context, vocab);

describe('option numbers', () => {
  it('pick the options in order, and the number after the last option means "not sure"', () => {
    expect(read('1')).toEqual({ type: 'answer', option: 'yes' });
    expect(read('2')).toEqual({ type: 'answer', option: 'partly' });
    expect(read('3')).toEqual({ type: 'answer', option: 'no' });
    expect(read('4')).toEqual({ type: 'unsure' });
  });

  it('accept "option 2", "#3", spelled-out numbers and surrounding spaces', () => {
    expect(read('option 2')).toEqual({ type: 'answer', option: 'partly' });
    expect(read('#3')).toEqual({ type: 'answer', option: 'no' });
    expect(read('  one ')).toEqual({ type: 'answer', option: 'yes' });
    expect(read('four')).toEqual({ type: 'unsure' });
  });

  it('refuse numbers past "not sure" and zero', () => {
    expect(read('5')).toEqual({ type: 'unknown' });
    expect(read('0')).toEqual({ type: 'unknown' });
    expect(read('12')).toEqual({ type: 'unknown' });
  });

  it('mean nothing outside a question', () => {
    expect(read('1', outside)).toEqual({ type: 'unknown' });
  });
});

describe('answer labels', () => {
  it('match the full label whatever the case and punctuation', () => {
    expect(read('Yes, mainly internal processes')).toEqual({ type: 'answer', option: 'yes' });
    expect(read('NO, THEY ARE BUILT AROUND PEOPLE AND ENGAGEMENT')).toEqual({ type: 'answer', option: 'no' });
    expect(read('partly: some tools are built around people.')).toEqual({ type: 'answer', option: 'partly' });
  });

  it('ignore accents', () => {
    expect(read('Pàrtly: sòme tools àre buílt around péople')).toEqual({ type: 'answer', option: 'partly' });
    expect(read('NÓ')).toEqual({ type: 'answer', option: 'no' });
  });

  it('tolerate small typos in a label', () => {
    expect(read('yes, mainly internl processes')).toEqual({ type: 'answer', option: 'yes' });
    expect(read('Sometimes, or only in some plces', at('ict-engagement'))).toEqual({ type: 'answer', option: 'partly' });
  });

  it('accept the start of a label or a distinctive part of it', () => {
    expect(read('no, they are built')).toEqual({ type: 'answer', option: 'no' });
    expect(read('mainly internal')).toEqual({ type: 'answer', option: 'yes' });
    expect(read('some use, but no lively community', at('open-data-ecosystem'))).toEqual({ type: 'answer', option: 'partly' });
  });
});

describe('yes / partly / no synonyms', () => {
  it.each([
    ['yes', 'yes'], ['Y', 'yes'], ['yeah', 'yes'], ['Yep', 'yes'], ['we do', 'yes'], ['absolutely', 'yes'],
    ['partly', 'partly'], ['Partially', 'partly'], ['partialy', 'partly'], ['somewhat', 'partly'], ['to some extent', 'partly'], ['more or less', 'partly'],
    ['no', 'no'], ['N', 'no'], ['nope', 'no'], ['Not really', 'no'], ["we don't", 'no'], ['not at all', 'no'],
  ])('"%s" answers %s', (text, option) => {
    expect(read(text)).toEqual({ type: 'answer', option });
  });

  it('map onto whichever option carries that evidence, whatever its label', () => {
    // The "partly" option of ict-engagement is labelled "Sometimes, or only in some places".
    expect(read('partly', at('ict-engagement'))).toEqual({ type: 'answer', option: 'partly' });
    expect(read('no', at('outside-ideas'))).toEqual({ type: 'answer', option: 'no' });
  });

  it('do not guess when two options carry the same evidence', () => {
    const twoYes: ReplyContext = {
      options: [
        { id: 'always', label: 'Always', reply: 'yes' },
        { id: 'usually', label: 'Usually', reply: 'yes' },
        { id: 'never', label: 'Never', reply: 'no' },
      ],
      qualifier: null,
      confirming: false,
    };
    expect(read('yes', twoYes)).toEqual({ type: 'unknown' });
    expect(read('usually', twoYes)).toEqual({ type: 'answer', option: 'usually' });
    expect(read('nope', twoYes)).toEqual({ type: 'answer', option: 'never' });
  });

  it('do not let a typo on a short word become another word', () => {
    // "yet" is one letter from "yes", and "nob" from "no": too short to guess.
    expect(read('yet')).toEqual({ type: 'unknown' });
    expect(read('nob')).toEqual({ type: 'unknown' });
  });
});

describe('"not sure"', () => {
  it.each(['not sure', 'Not sure', 'unsure', "I don't know", 'dont know', 'skip', 'no idea', '?', 'dunno'])('"%s" is not sure', (text) => {
    expect(read(text)).toEqual({ type: 'unsure' });
  });
});

describe('an answer followed by a note', () => {
  it('splits at the first comma', () => {
    expect(read('partly, only in two ministries')).toEqual({ type: 'answer', option: 'partly', note: 'only in two ministries' });
  });

  it('splits at a dash, a semicolon, brackets or "because"', () => {
    expect(read('yes - the portal has a comment box')).toEqual({ type: 'answer', option: 'yes', note: 'the portal has a comment box' });
    expect(read('no; the law is silent')).toEqual({ type: 'answer', option: 'no', note: 'the law is silent' });
    expect(read('not sure (never checked)')).toEqual({ type: 'unsure', note: 'never checked' });
    expect(read('yes because we run consultations')).toEqual({ type: 'answer', option: 'yes', note: 'we run consultations' });
  });

  it('keeps a link in the note intact', () => {
    expect(read('Partly, see https://example.org/consult?a=1&b=two,three#part-2')).toEqual({
      type: 'answer',
      option: 'partly',
      note: 'see https://example.org/consult?a=1&b=two,three#part-2',
    });
  });

  it('keeps the note as typed (case, accents)', () => {
    expect(read('2, Ministère de la Santé only')).toEqual({ type: 'answer', option: 'partly', note: 'Ministère de la Santé only' });
  });

  it('is not read as an answer when the head is not an answer', () => {
    expect(read('the weather, mostly')).toEqual({ type: 'unknown' });
  });
});

describe('the note command', () => {
  it('keeps everything after the keyword, links included, exactly as typed', () => {
    expect(read('note our portal: https://Example.org/Consult_Page?x=1&y=%20z#Top')).toEqual({ type: 'note', text: 'our portal: https://Example.org/Consult_Page?x=1&y=%20z#Top' });
    expect(read('Note: https://data.example.gov/dataset/a-b_c')).toEqual({ type: 'note', text: 'https://data.example.gov/dataset/a-b_c' });
    expect(read('evidence https://example.org/report.pdf')).toEqual({ type: 'note', text: 'https://example.org/report.pdf' });
  });

  it('works outside a question too (the turn decides what to do with it)', () => {
    expect(read('comment we are reorganising', outside)).toEqual({ type: 'note', text: 'we are reorganising' });
  });

  it('with nothing after it gives an empty note', () => {
    expect(read('note')).toEqual({ type: 'note', text: '' });
  });

  it('needs the keyword as a whole word', () => {
    expect(read('notes are elsewhere')).toEqual({ type: 'unknown' });
  });
});

describe('changing an earlier answer', () => {
  it.each([
    ['change 3', 3], ['Change 10', 10], ['edit question 2', 2], ['go to 7', 7], ['change q 4', 4], ['change three', 3], ['question 5', 5],
  ])('"%s" edits question %i', (text, n) => {
    expect(read(text)).toEqual({ type: 'edit', questionNumber: n });
    expect(read(text, outside)).toEqual({ type: 'edit', questionNumber: n });
  });

  it('"change" without a number is not an edit', () => {
    expect(read('change my mind')).not.toMatchObject({ type: 'edit' });
  });
});

describe('commands', () => {
  it.each([
    ['why', 'why'], ['Why do you ask?', 'why'], ['go back', 'back'], ['previous', 'back'], ['help', 'help'], ['what can I say', 'help'],
    ['progress', 'progress'], ['where am I', 'progress'], ['pause', 'pause'], ['save and continue later', 'pause'], ['restart', 'restart'],
    ['start over', 'restart'], ['review my answers', 'review'], ['see my result', 'seeResult'], ['results', 'seeResult'],
    ['new assessment', 'newAssessment'],
  ])('"%s" is the %s command at a question', (text, command) => {
    expect(read(text)).toEqual({ type: 'command', command });
  });

  it.each([['start', 'start'], ["let's go", 'start'], ['continue', 'continue'], ['next', 'continue']])('"%s" is the %s command outside a question', (text, command) => {
    expect(read(text, outside)).toEqual({ type: 'command', command });
  });

  it('tolerate typos in longer commands', () => {
    expect(read('progres')).toEqual({ type: 'command', command: 'progress' });
    expect(read('reveiw my answers')).toEqual({ type: 'command', command: 'review' });
  });
});

describe('confirmations', () => {
  it('read yes / no words as confirm / cancel while a confirmation is pending', () => {
    expect(read('yes', confirming)).toEqual({ type: 'confirm' });
    expect(read('Yep', confirming)).toEqual({ type: 'confirm' });
    expect(read('no', confirming)).toEqual({ type: 'cancel' });
    expect(read('nope', confirming)).toEqual({ type: 'cancel' });
  });

  it('are not produced when nothing is pending', () => {
    expect(read('yes', outside)).toEqual({ type: 'unknown' });
  });
});

describe('unknown text', () => {
  it.each(['asdfgh', 'the weather is lovely today', '', '   ', '!!!', 'https://example.org'])('%j is unknown at a question', (text) => {
    expect(read(text)).toEqual({ type: 'unknown' });
  });
});

describe('normalising', () => {
  it('folds case, accents, curly quotes and punctuation', () => {
    expect(normalize('  Dón’t   KNOW!! ')).toBe("don't know");
  });

  it('bounds the edit distance', () => {
    expect(editDistance('partialy', 'partially', 2)).toBe(1);
    expect(editDistance('abc', 'xyzxyz', 1)).toBe(2);
  });
});

describe('parseReply on arbitrary text (property)', () => {
  const KNOWN = new Set(['answer', 'unsure', 'command', 'edit', 'note', 'confirm', 'cancel', 'unknown']);
  const COMMANDS = new Set(['why', 'back', 'help', 'progress', 'pause', 'restart', 'review', 'start', 'continue', 'seeResult', 'newAssessment']);

  it('never throws and always returns a well-formed intent', () => {
    const words = ['yes', 'no', 'partly', 'note', 'change', 'not sure', ',', ' - ', '(', 'because', '?', 'https://x.org/a?b=c', '1', '4'];
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      fc.array(fc.oneof(fc.constantFrom(...words), fc.string({ unit: 'grapheme-composite', maxLength: 6 })), { maxLength: 6 }).map((parts) => parts.join(' ')),
    );
    const context = fc.constantFrom('none', 'confirming', ...['ict-purpose', 'ict-engagement', 'outside-ideas', 'open-data-ecosystem']);
    fc.assert(
      fc.property(text, context, (input, where) => {
        const ctx = where === 'none' ? outside : where === 'confirming' ? confirming : at(where);
        const intent = parseReply(input, ctx, vocab);
        expect(KNOWN.has(intent.type)).toBe(true);
        if (intent.type === 'answer') expect(ctx.options.map((o) => o.id)).toContain(intent.option);
        if (intent.type === 'command') expect(COMMANDS.has(intent.command)).toBe(true);
        if (intent.type === 'edit') expect(Number.isInteger(intent.questionNumber)).toBe(true);
        if (intent.type === 'confirm' || intent.type === 'cancel') expect(ctx.confirming).toBe(true);
        if (intent.type === 'note') expect(input).toContain(intent.text);
        if ((intent.type === 'answer' || intent.type === 'unsure') && intent.note !== undefined) {
          expect(intent.note).not.toBe('');
          expect(input).toContain(intent.note);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reads any option number as that option, whatever surrounds it in whitespace', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.constantFrom('', ' ', '\t', '  '), fc.constantFrom('', ' ', '\n'), (n, before, after) => {
        const intent = parseReply(`${before}${n}${after}`, at('ict-purpose'), vocab);
        expect(intent).toEqual(n === 4 ? { type: 'unsure' } : { type: 'answer', option: ['yes', 'partly', 'no'][n - 1] });
      }),
    );
  });
});
