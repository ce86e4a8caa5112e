/**
 * The reply vocabulary of one locale, compiled for matching: every phrase as a
 * token sequence with the roles the vocabulary gives it, and the dictionary of
 * known words that typos are corrected against. Compiled once per vocabulary
 * object (the flow is loaded once).
 */
import type { ReplyWord } from '../flow/schema.js';
import { foldWord, tokenize } from './text.js';

export type Vocabulary = Record<ReplyWord, string[]>;

export type Command = 'why' | 'back' | 'help' | 'progress' | 'pause' | 'restart' | 'review' | 'start' | 'continue' | 'seeResult' | 'newAssessment';
export const COMMANDS: readonly Command[] = ['why', 'back', 'help', 'progress', 'pause', 'restart', 'review', 'seeResult', 'continue', 'newAssessment', 'start'];

/** What a phrase can be in a reply. */
export type Role =
  | 'yes' | 'partly' | 'no' | 'unsure' | 'yesOrPartly' | 'partlyOrNo'
  | 'regularly' | 'systematically'
  | 'negation' | 'notNow' | 'partlyMarker' | 'weakPartlyMarker' | 'contrast' | 'connector' | 'clauseStarter' | 'alternative' | 'filler' | 'standalone';

const ROLE_LISTS: ReadonlyArray<[ReplyWord, Role]> = [
  ['yes', 'yes'], ['partly', 'partly'], ['no', 'no'], ['unsure', 'unsure'], ['yesOrPartly', 'yesOrPartly'], ['partlyOrNo', 'partlyOrNo'],
  ['regularly', 'regularly'], ['systematically', 'systematically'],
  ['negations', 'negation'], ['notNow', 'notNow'], ['partlyMarkers', 'partlyMarker'], ['weakPartlyMarkers', 'weakPartlyMarker'], ['contrasts', 'contrast'], ['noteConnectors', 'connector'],
  ['clauseStarters', 'clauseStarter'], ['alternatives', 'alternative'], ['fillers', 'filler'], ['standalone', 'standalone'],
];

/** The roles that say what a word means on its own (the others say where it stands). */
const MEANING_ROLES: ReadonlySet<Role> = new Set(['yes', 'partly', 'no', 'unsure', 'yesOrPartly', 'partlyOrNo', 'regularly', 'systematically', 'negation', 'notNow']);

/** Stands for any count in a phrase ("in {n}"): digits below 1000 or a number word (years are not counts). */
export const COUNT = '{n}';

export interface Phrase {
  tokens: readonly string[];
  roles: ReadonlySet<Role>;
}

export interface CompiledVocabulary {
  /** Phrases by their first token (COUNT for those starting with a count), longest first. */
  phrases: ReadonlyMap<string, readonly Phrase[]>;
  /** Every word the vocabulary knows (answers, commands, everything): typos are corrected towards these. */
  dictionary: ReadonlySet<string>;
  /** The same words by length, so a typo is only compared with words of about its length. */
  byLength: ReadonlyMap<number, readonly string[]>;
  /**
   * What a word means on its own (its single-word phrase's roles, or its command), for telling typo
   * candidates apart: "partialy" may be "partial" or "partially", both partly; "halp" may be "help" or "half".
   */
  senses: ReadonlyMap<string, string>;
  /** Single words that mean an answer or deny one: a command word close to one of them is ambiguous at a question. */
  readingWords: ReadonlySet<string>;
  negationWords: ReadonlySet<string>;
  negationSuffixes: readonly string[];
  negationPrefixes: readonly string[];
  separators: ReadonlySet<string>;
  /** Number words and ordinals, by value: "two" and "second" are 2. */
  numbers: ReadonlyMap<string, number>;
  /** Number words that are counts in phrases ("in two regions"), ordinals not. */
  countWords: ReadonlySet<string>;
  optionWords: ReadonlySet<string>;
  questionWords: ReadonlySet<string>;
  commands: ReadonlyArray<{ command: Command; tokens: readonly string[] }>;
  note: ReadonlyArray<readonly string[]>;
  change: ReadonlyArray<readonly string[]>;
  /** Corrections already worked out, by typed word (bounded). */
  corrections: Map<string, Correction>;
}

/** A typed word not in the dictionary: the known word it was meant to be, or the several it could be. */
export type Correction = { kind: 'none' } | { kind: 'word'; word: string } | { kind: 'ambiguous'; words: string[] };

/** A phrase's tokens, as typed replies are tokenised ("{n}" becomes COUNT). */
export function phraseTokens(phrase: string): string[] {
  const parts = phrase.split(COUNT);
  const out: string[] = [];
  parts.forEach((part, i) => {
    if (i > 0) out.push(COUNT);
    for (const t of tokenize(part)) out.push(t.norm);
  });
  return out;
}

const compiledCache = new WeakMap<Vocabulary, CompiledVocabulary>();

export function compile(vocab: Vocabulary): CompiledVocabulary {
  const cached = compiledCache.get(vocab);
  if (cached) return cached;
  const byKey = new Map<string, { tokens: string[]; roles: Set<Role> }>();
  const dictionary = new Set<string>();
  const readingWords = new Set<string>();
  const negationWords = new Set<string>();
  const negationSuffixes: string[] = [];
  const negationPrefixes: string[] = [];
  const know = (tokens: readonly string[]) => tokens.forEach((t) => t !== COUNT && dictionary.add(t));
  const senseParts = new Map<string, Set<string>>();
  const sense = (tokens: readonly string[], what: string) => {
    if (tokens.length !== 1) return;
    const set = senseParts.get(tokens[0] as string) ?? new Set<string>();
    set.add(what);
    senseParts.set(tokens[0] as string, set);
  };

  for (const [key, role] of ROLE_LISTS) {
    for (const phrase of vocab[key] ?? []) {
      if (key === 'negations' && (phrase.startsWith('*') || phrase.endsWith('*'))) {
        const affix = foldWord(phrase.replace(/\*/g, '')).lower;
        if (affix === '') continue;
        (phrase.startsWith('*') ? negationSuffixes : negationPrefixes).push(affix);
        continue;
      }
      const tokens = phraseTokens(phrase);
      if (tokens.length === 0) continue;
      know(tokens);
      if (MEANING_ROLES.has(role)) sense(tokens, role);
      if (key === 'negations' && tokens.length === 1) negationWords.add(tokens[0] as string);
      if (['yes', 'partly', 'no', 'unsure', 'yesOrPartly', 'partlyOrNo', 'regularly', 'systematically', 'negations'].includes(key) && tokens.length === 1) readingWords.add(tokens[0] as string);
      const id = tokens.join(' ');
      const entry = byKey.get(id) ?? { tokens, roles: new Set<Role>() };
      entry.roles.add(role);
      byKey.set(id, entry);
    }
  }
  const phrases = new Map<string, Phrase[]>();
  for (const entry of byKey.values()) {
    const first = entry.tokens[0] as string;
    const list = phrases.get(first) ?? [];
    list.push(entry);
    phrases.set(first, list);
  }
  for (const list of phrases.values()) list.sort((a, b) => b.tokens.length - a.tokens.length);

  const single = (key: ReplyWord) => new Set((vocab[key] ?? []).map(phraseTokens).filter((t) => t.length === 1).map((t) => t[0] as string));
  const numbers = new Map<string, number>();
  (vocab.numberWords ?? []).forEach((w, i) => numbers.set(phraseTokens(w).join(' '), i + 1));
  const countWords = new Set((vocab.numberWords ?? []).map((w) => phraseTokens(w).join(' ')));
  (vocab.ordinalWords ?? []).forEach((w, i) => numbers.set(phraseTokens(w).join(' '), i + 1));
  for (const w of numbers.keys()) dictionary.add(w);
  const separators = single('noteSeparators');
  const optionWords = single('optionWords');
  const questionWords = single('questionWords');
  [...optionWords, ...questionWords].forEach((w) => dictionary.add(w));

  const commands: Array<{ command: Command; tokens: string[] }> = [];
  for (const command of COMMANDS) {
    for (const phrase of vocab[command] ?? []) {
      const tokens = phraseTokens(phrase).filter((t) => t !== '?');
      if (tokens.length > 0) commands.push({ command, tokens });
      know(tokens);
      sense(tokens, `command:${command}`);
    }
  }
  const keywords = (key: ReplyWord) => (vocab[key] ?? []).map(phraseTokens).filter((t) => t.length > 0);
  const note = keywords('note');
  const change = keywords('change');
  note.forEach(know);
  change.forEach(know);
  note.forEach((t) => sense(t, 'note'));
  change.forEach((t) => sense(t, 'change'));
  const senses = new Map([...senseParts].map(([w, set]) => [w, [...set].sort().join('+')]));
  const byLength = new Map<number, string[]>();
  for (const w of dictionary) byLength.set(w.length, [...(byLength.get(w.length) ?? []), w]);

  const compiled: CompiledVocabulary = {
    phrases, dictionary, byLength, senses, readingWords, negationWords, negationSuffixes, negationPrefixes, separators, numbers, countWords, optionWords, questionWords,
    commands, note, change, corrections: new Map(),
  };
  compiledCache.set(vocab, compiled);
  return compiled;
}

export interface VocabularyProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Mistakes in a vocabulary that would make the parser record a wrong meaning,
 * reported by `npm run validate`: a "yes" phrase containing a negation word
 * ("no doubt") would make a denial readable as "yes".
 */
export function vocabularyProblems(vocab: Partial<Vocabulary>): VocabularyProblem[] {
  const problems: VocabularyProblem[] = [];
  const negations = new Set((vocab.negations ?? []).filter((w) => !w.includes('*')).flatMap(phraseTokens));
  const suffixes = (vocab.negations ?? []).filter((w) => w.startsWith('*')).map((w) => foldWord(w.slice(1)).lower);
  for (const key of ['yes', 'regularly', 'systematically'] as const) {
    // (notNow words are not checked here: they never make a yes, and "no longer" is both.)
    (vocab[key] ?? []).forEach((phrase, i) => {
      const denying = tokenize(phrase).find((t) => negations.has(t.norm) || suffixes.some((s) => s !== '' && t.lower.endsWith(s)));
      if (denying) problems.push({ path: [key, i], message: `"${phrase}" contains the negation "${denying.norm}": a denial could be read as yes` });
    });
  }
  (vocab.negations ?? []).forEach((phrase, i) => {
    if (phrase.includes('*') && !(/^\*[^*]+$/.test(phrase) || /^[^*]+\*$/.test(phrase))) problems.push({ path: ['negations', i], message: `"${phrase}": a pattern has one "*", at its start or its end` });
  });
  for (const key of ['numberWords', 'ordinalWords'] as const) {
    (vocab[key] ?? []).forEach((phrase, i) => {
      if (phraseTokens(phrase).length !== 1) problems.push({ path: [key, i], message: `"${phrase}" must be one word` });
    });
  }
  return problems;
}
