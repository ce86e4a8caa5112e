/**
 * The typed-reply corpora (test/fixtures/typed-replies.yaml, and
 * typed-replies.fr.yaml in French): several hundred things people type to a
 * chat question, each with what it means, read against every question kind
 * with the question's labels and the reply vocabulary of the corpus's
 * language. Fails on any reply recorded with another meaning (or another
 * note), or read as something else entirely; a re-ask where an answer was
 * expected only counts in the re-ask rate.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseReply, UNSURE, type Intent, type ReplyContext, type Vocabulary } from '../../src/core/replies/parse.js';
import { corpusContexts, QuestionKind, repoRoot, vocabularyOf } from '../fixtures/reply-contexts.js';

const Class = z.enum(['yes', 'partly', 'no', 'unsure']);
const Expect = z.union([Class, z.enum(['clarify', 'unknown', 'note']), z.string().regex(/^command:[a-zA-Z]+$/), z.string().regex(/^edit:\d+$/)]);
const Expectation = z.strictObject({ expect: Expect, note: z.string().optional(), candidates: z.array(Class).optional() });
const Entry = Expectation.extend({
  text: z.string(),
  only: z.array(QuestionKind).min(1).optional(),
  kinds: z.partialRecord(QuestionKind, z.union([Expect, Expectation])).optional(),
});
const Corpus = z.array(Entry).min(300);
type Expectation = z.infer<typeof Expectation>;

const RECORDS = new Set(['yes', 'partly', 'no', 'unsure']);

/** Each corpus, with the locale whose labels and vocabulary it is read with. */
const CORPORA = [
  { locale: 'en', file: 'test/fixtures/typed-replies.yaml' },
  { locale: 'fr', file: 'test/fixtures/typed-replies.fr.yaml' },
] as const;

/** The answer class an intent records, if it records one. */
function recorded(intent: Intent, context: ReplyContext): string | null {
  if (intent.type === 'unsure') return 'unsure';
  if (intent.type !== 'answer') return null;
  return context.options.find((o) => o.id === intent.option)?.reply ?? `?${intent.option}`;
}

function describeIntent(intent: Intent): string {
  return JSON.stringify(intent);
}

for (const { locale, file } of CORPORA) describe(`the typed-reply corpus (${locale})`, () => {
  let vocab: Vocabulary;
  let corpus: z.infer<typeof Corpus>;
  beforeAll(async () => {
    vocab = await vocabularyOf(locale);
    corpus = Corpus.parse(parseYaml(await readFile(path.join(repoRoot, file), 'utf8')));
  });

  it('has no duplicate replies', () => {
    const seen = new Set<string>();
    const duplicates = corpus.map((e) => e.text).filter((t) => (seen.has(t) ? true : (seen.add(t), false)));
    expect(duplicates).toEqual([]);
  });

  it('records no reply with a wrong meaning, on any question kind', () => {
    let total = 0;
    /** Each reply weighs one in the re-ask rate, spread over the question kinds it is read against. */
    let weightedReasks = 0;
    let records = 0;
    let rightRecords = 0;
    /** Readings of replies with a plain meaning (an answer expected), and how many of those were asked again. */
    let plain = 0;
    let reasks = 0;
    const wrong: string[] = [];
    const misread: string[] = [];
    const reasked: string[] = [];
    for (const entry of corpus) {
      const kinds = corpusContexts(locale).filter(({ kind }) => !entry.only || entry.only.includes(kind));
      for (const { kind, context } of kinds) {
        const override = entry.kinds?.[kind];
        const want: Expectation = override === undefined ? entry : typeof override === 'string' ? { expect: override } : override;
        const got = parseReply(entry.text, context, vocab);
        total++;
        const where = `[${kind}] ${JSON.stringify(entry.text)}: expected ${want.expect}${want.note ? ` (note ${JSON.stringify(want.note)})` : ''}, got ${describeIntent(got)}`;
        const cls = recorded(got, context);
        if (RECORDS.has(want.expect)) plain++;
        const isReask = got.type === 'clarify' || got.type === 'unknown';
        if (isReask) {
          reasks++;
          weightedReasks += 1 / kinds.length;
        }
        if (cls !== null) {
          records++;
          const note = got.type === 'answer' || got.type === 'unsure' ? got.note : undefined;
          if (RECORDS.has(want.expect) && cls === want.expect && note === want.note) rightRecords++;
          else wrong.push(where);
          continue;
        }
        if (RECORDS.has(want.expect)) {
          if (isReask) reasked.push(where);
          else misread.push(where);
          continue;
        }
        if (want.expect === 'clarify' || want.expect === 'unknown') {
          if (!isReask) misread.push(where);
          else if (got.type === 'clarify' && want.candidates) {
            const offered = new Set(got.options.map((id) => (id === UNSURE ? 'unsure' : context.options.find((o) => o.id === id)?.reply)));
            if (!want.candidates.every((c) => offered.has(c))) misread.push(`${where} (should offer ${want.candidates.join(', ')})`);
          }
          continue;
        }
        if (want.expect === 'note') {
          if (!(got.type === 'note' && got.text === want.note)) misread.push(where);
          continue;
        }
        const [kindOfIntent, value] = want.expect.split(':');
        const ok =
          (kindOfIntent === 'command' && got.type === 'command' && got.command === value) ||
          (kindOfIntent === 'edit' && got.type === 'edit' && got.questionNumber === Number(value));
        // A command word answered with a question back is a re-ask, not a misreading.
        if (!ok && !isReask) misread.push(where);
        else if (!ok) reasked.push(where);
      }
    }
    const precision = records === 0 ? 1 : rightRecords / records;
    const reaskRate = weightedReasks / corpus.length;
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    console.log(
      `[reply-corpus ${locale}] ${corpus.length} replies, ${total} readings (reply × question kind): records ${records}, precision ${pct(precision)}, ` +
        `wrong records ${wrong.length}, misread ${misread.length}; re-ask rate ${pct(reaskRate)} of replies (${pct(reasks / total)} of readings), ` +
        `re-asked where the meaning is plain: ${pct(reasked.length / plain)} (${reasked.length} of ${plain} readings)`,
    );
    if (process.env.CORPUS_VERBOSE) console.log(reasked.join('\n'));
    expect(wrong, 'recorded with a wrong meaning or note').toEqual([]);
    expect(misread, 'read as something else').toEqual([]);
    // Replies where a re-ask is the right outcome ("no 1", "done", gibberish) are a deliberate part of the corpus;
    // the parser's own re-asks are those where the meaning is plain.
    expect(reaskRate).toBeLessThan(0.15);
    expect(reasked.length / plain).toBeLessThan(0.03);
  });
});
