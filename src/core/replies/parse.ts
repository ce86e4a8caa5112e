/**
 * Understanding typed replies. Pure: (text, what is on offer, vocabulary) →
 * intent. All words come from the flow's `replies:` vocabulary; this code
 * tokenises, matches phrases and decides.
 *
 * The rule above all: a wrong record is the worst outcome, a re-ask is
 * acceptable. So a reply is recorded only when everything in its answer part
 * agrees (and a qualified "yes" counts as "partly"); anything doubtful
 * becomes `clarify` ("Did you mean …?") with the plausible options, or
 * `unknown`.
 *
 * How a reply is read:
 * - Its head is the answer part: answer phrases, option numbers, option labels,
 *   qualifiers ("regularly"), fillers ("well"), up to a separator ("," ":" " - "
 *   "("), a connector ("because", "but") or a new clause ("we …"). What follows
 *   is the note, kept exactly as typed.
 * - The note still counts: after "yes", a limiting phrase ("only in two
 *   ministries") makes it "partly"; a contrast ("but …"), a negation or a
 *   weaker qualifier makes us ask.
 * - A reply whose head is not clean (free text) is never recorded as yes or
 *   no: it is asked about, with the options its words point to.
 */
import { editDistance, tokenize, typoAllowance, unstretched, type Token } from './text.js';
import { compile, COUNT, type Command, type CompiledVocabulary, type Correction, type Role, type Vocabulary } from './vocabulary.js';

export type { Command, Vocabulary };
export { editDistance };

/** What an option answers to the question as worded. */
export type Reply = 'yes' | 'partly' | 'no';
export type Qualifier = 'regularly' | 'systematically';
/** The id the engine gives "Not sure". */
export const UNSURE = 'unsure';

export interface OfferedOption {
  id: string;
  label: string;
  reply: Reply;
}

/** What the current step accepts, which shapes how a reply is read. */
export interface ReplyContext {
  /** The answer options of the current question, in display order (empty outside questions). */
  options: readonly OfferedOption[];
  /** The question's qualifier ("Do you regularly …?"), which "yes, sometimes" or "not regularly" is read against. */
  qualifier: Qualifier | null;
  /** True while a yes/no confirmation is pending (restart). */
  confirming: boolean;
}

export type Intent =
  | { type: 'answer'; option: string; note?: string }
  | { type: 'unsure'; note?: string }
  /** "Did you mean …?": candidate option ids (may include "unsure"), best first; the note to keep once one is picked. */
  | { type: 'clarify'; options: string[]; note?: string }
  | { type: 'command'; command: Command }
  | { type: 'edit'; questionNumber: number }
  | { type: 'note'; text: string }
  | { type: 'confirm' }
  | { type: 'cancel' }
  | { type: 'unknown' };

/** An answer class: what a reply says to the question. */
type Cls = Reply | 'unsure';
type Candidate = { cls: Cls } | { option: string };
type Reading = { kind: 'decided'; cls: Cls; option?: string } | { kind: 'candidates'; list: Candidate[] };

/** A token, with the word it is matched as (a typo corrected) and the words it might be (an ambiguous typo). */
interface Tok extends Token {
  word: string;
  doubt: readonly string[];
}

/** Brackets open a note and stay in it: "no (we plan to in 2027)". */
const OPENERS = new Set(['(', '[', '{']);
/**
 * Tokens read of a reply. The channels take at most 2000 characters, so every
 * reply they accept is read whole (a long note after "partly," is still a
 * note); past it, a reply is only ever asked about.
 */
const MAX_READ_TOKENS = 2000;
/** Free text longer than this (in words) is only ever asked about. */
const MAX_FREE_WORDS = 25;
/** Commands that are no-ops at a question ("ok", "next", "new"): typed there, they probably meant something else. */
const OUT_OF_PLACE_AT_QUESTION: ReadonlySet<Command> = new Set(['start', 'continue', 'newAssessment']);
const CORRECTION_CACHE_LIMIT = 5000;

export function parseReply(text: string, context: ReplyContext, vocab: Vocabulary): Intent {
  const cv = compile(vocab);
  const raw = text.trim();
  if (raw === '') return { type: 'unknown' };
  const labels = labelTokens(context.options);
  const all = tokenize(raw);
  const toks = prepare(all, cv, labels.words);
  if (toks.length === 0) return { type: 'unknown' };
  const truncated = all.length > toks.length;

  // Restarting clears the answers: only words confirm it, never a number.
  if (context.confirming && !toks.some((t) => t.kind === 'number')) {
    const answer = readAnswer(raw, toks, { options: CONFIRM_OPTIONS, qualifier: null, confirming: false }, cv, labelTokens([]), truncated);
    if (answer.type === 'answer') return { type: answer.option === 'yes' ? 'confirm' : 'cancel' };
  }

  const note = readNoteCommand(raw, toks, cv);
  if (note) return note;
  const edit = readEdit(toks, cv);
  if (edit) return edit;

  const command = readCommand(toks, cv);
  if (command && context.options.length === 0) return { type: 'command', command };
  if (command) {
    const single = toks.filter((t) => t.kind !== 'symbol');
    const nearAnswer = single.length === 1 && nearReadingWord((single[0] as Tok).norm, cv);
    if (!OUT_OF_PLACE_AT_QUESTION.has(command) && !nearAnswer) return { type: 'command', command };
    return { type: 'clarify', options: [...context.options.map((o) => o.id), UNSURE] };
  }
  if (context.options.length === 0) return { type: 'unknown' };
  return readAnswer(raw, toks, context, cv, labels, truncated);
}

const CONFIRM_OPTIONS: readonly OfferedOption[] = [
  { id: 'yes', label: '', reply: 'yes' },
  { id: 'no', label: '', reply: 'no' },
];

// ---------------------------------------------------------------------------
// Tokens and typos

function prepare(tokens: Token[], cv: CompiledVocabulary, labelWords: ReadonlySet<string>): Tok[] {
  return tokens.slice(0, MAX_READ_TOKENS).map((t) => {
    if (t.kind === 'url') return { ...t, word: '', doubt: [] };
    if (t.kind !== 'word') return { ...t, word: t.norm, doubt: [] };
    const c = correct(t.norm, cv, labelWords);
    return { ...t, word: c.kind === 'word' ? c.word : t.norm, doubt: c.kind === 'ambiguous' ? c.words : [] };
  });
}

/** The known word a typed word was meant to be, if exactly one is within typo reach. */
function correct(word: string, cv: CompiledVocabulary, labelWords: ReadonlySet<string>): Correction {
  if (cv.dictionary.has(word) || labelWords.has(word)) return { kind: 'none' };
  const cached = cv.corrections.get(word);
  const fromVocab = cached ?? nearest(word, cv.dictionary, cv.senses, cv.byLength);
  if (!cached) {
    if (cv.corrections.size >= CORRECTION_CACHE_LIMIT) cv.corrections.clear();
    cv.corrections.set(word, fromVocab);
  }
  if (fromVocab.kind !== 'none' || labelWords.size === 0) return fromVocab;
  return nearest(word, labelWords, new Map());
}

function nearest(word: string, known: ReadonlySet<string>, senses: ReadonlyMap<string, string>, byLength?: ReadonlyMap<number, readonly string[]>): Correction {
  if (word.length > 30 || /[0-9]/.test(word)) return { kind: 'none' };
  for (const form of unstretched(word)) if (known.has(form)) return { kind: 'word', word: form };
  if (word.length < 3) return { kind: 'none' };
  let best = Infinity;
  let found: string[] = [];
  const near = byLength ? [-2, -1, 0, 1, 2].flatMap((d) => byLength.get(word.length + d) ?? []) : known;
  for (const candidate of near) {
    if (Math.abs(candidate.length - word.length) > 2 || candidate.includes(' ')) continue;
    // Three letters: only a swap of two neighbours ("yse"). Longer: by the shorter word's length.
    const allowance = word.length === 3 ? (candidate.length === 3 ? 1 : 0) : Math.min(typoAllowance(word.length), typoAllowance(candidate.length));
    if (allowance === 0) continue;
    const d = editDistance(word, candidate, allowance);
    if (d > allowance || (word.length === 3 && !isSwap(word, candidate))) continue;
    // Four letters: a letter missing, doubled or swapped ("nevr", "noep"), not another letter, which is often another word ("come" / "some").
    if (word.length === 4 && candidate.length === word.length && !isSwap(word, candidate)) continue;
    if (d < best) {
      best = d;
      found = [candidate];
    } else if (d === best) found.push(candidate);
  }
  if (found.length > 1) found = narrow(word, found, senses);
  if (found.length === 1) return { kind: 'word', word: found[0] as string };
  return found.length > 1 ? { kind: 'ambiguous', words: found } : { kind: 'none' };
}

/**
 * Several known words equally close: keep those with the typed first letter (typos rarely hit it),
 * then those the typed word is one letter short of (the commonest typo: "placs", "regulary");
 * if they all mean the same, any will do, else it stays ambiguous ("halp": help or half?).
 */
function narrow(word: string, found: string[], senses: ReadonlyMap<string, string>): string[] {
  const keep = (list: string[], test: (w: string) => boolean) => (list.some(test) ? list.filter(test) : list);
  let list = keep(found, (w) => w[0] === word[0]);
  list = keep(list, (w) => w.length === word.length + 1);
  const meanings = new Set(list.map((w) => senses.get(w) ?? `word:${w}`));
  return meanings.size === 1 ? [list[0] as string] : list;
}

function isSwap(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const i = [...a].findIndex((ch, k) => ch !== b[k]);
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** A typed word one letter from a word that means an answer ("done" / "none"). */
function nearReadingWord(word: string, cv: CompiledVocabulary): boolean {
  if (word.length < 4) return false;
  for (const w of cv.readingWords) if (w !== word && w.length >= 3 && editDistance(word, w, 1) <= 1) return true;
  return false;
}

const isSeparator = (t: Tok | undefined, cv: CompiledVocabulary) => t !== undefined && t.kind === 'symbol' && cv.separators.has(t.norm);
const isOpener = (t: Tok | undefined) => t !== undefined && t.kind === 'symbol' && OPENERS.has(t.norm);

function countValue(t: Tok | undefined, cv: CompiledVocabulary): number | null {
  if (!t) return null;
  if (t.kind === 'number') return t.norm.length <= 3 ? Number(t.norm) : null;
  if (t.kind === 'word' && cv.countWords.has(t.word)) return cv.numbers.get(t.word) ?? null;
  return null;
}

/** The longest vocabulary phrase starting at token i. */
function matchAt(toks: readonly Tok[], i: number, cv: CompiledVocabulary): { length: number; roles: Set<Role>; counted: boolean } | null {
  const t = toks[i];
  if (!t || t.kind === 'url') return null;
  const lists = [cv.phrases.get(t.word), countValue(t, cv) !== null ? cv.phrases.get(COUNT) : undefined];
  let length = 0;
  let roles = new Set<Role>();
  let counted = false;
  for (const list of lists) {
    for (const phrase of list ?? []) {
      const n = phrase.tokens.length;
      if (n < length) break;
      let ok = i + n <= toks.length;
      for (let k = 0; ok && k < n; k++) {
        const want = phrase.tokens[k] as string;
        const got = toks[i + k] as Tok;
        ok = got.kind !== 'url' && (want === COUNT ? countValue(got, cv) !== null : got.word === want);
      }
      if (!ok) continue;
      if (n > length) {
        length = n;
        roles = new Set(phrase.roles);
        counted = false;
      } else for (const r of phrase.roles) roles.add(r);
      counted ||= phrase.tokens.includes(COUNT);
    }
  }
  return length > 0 ? { length, roles, counted } : null;
}

function hasNegationAffix(t: Tok, cv: CompiledVocabulary): boolean {
  return t.kind === 'word' && (cv.negationSuffixes.some((s) => t.lower.endsWith(s) && t.lower.length > s.length) || cv.negationPrefixes.some((p) => t.lower.startsWith(p) && t.lower.length > p.length));
}

// ---------------------------------------------------------------------------
// Commands, notes, edits

function readCommand(toks: readonly Tok[], cv: CompiledVocabulary): Command | null {
  const words = toks.filter((t) => t.kind !== 'symbol');
  if (words.length === 0 || words.length > 8) return null;
  const content = words.filter((t, i) => !matchAt(words, i, cv)?.roles.has('filler'));
  for (const list of [words, content]) {
    if (list.length === 0) continue;
    for (const { command, tokens } of cv.commands) {
      if (tokens.length === list.length && tokens.every((w, k) => (list[k] as Tok).word === w)) return command;
    }
  }
  return null;
}

/** "note …", "evidence …": the text after the keyword, exactly as typed. */
function readNoteCommand(raw: string, toks: readonly Tok[], cv: CompiledVocabulary): Intent | null {
  for (const keyword of cv.note) {
    if (!keyword.every((w, k) => toks[k]?.kind === 'word' && toks[k]?.norm === w)) continue;
    let i = keyword.length;
    while (isSeparator(toks[i], cv)) i++;
    const next = toks[i];
    return { type: 'note', text: next ? raw.slice(next.start).trim() : '' };
  }
  return null;
}

/** "change 3", "edit question 3", "go to 3". */
function readEdit(toks: readonly Tok[], cv: CompiledVocabulary): Intent | null {
  const words = toks.filter((t) => t.kind !== 'symbol' || t.norm === '#');
  for (const keyword of cv.change) {
    if (!keyword.every((w, k) => words[k]?.word === w)) continue;
    let i = keyword.length;
    while (words[i] && cv.questionWords.has((words[i] as Tok).word) && i < words.length - 1) i++;
    if (i !== words.length - 1) continue;
    const last = words[i] as Tok;
    const n = last.kind === 'number' ? (last.norm.length <= 4 ? Number(last.norm) : undefined) : cv.numbers.get(last.word);
    if (n !== undefined) return { type: 'edit', questionNumber: n };
  }
  return null;
}

// ---------------------------------------------------------------------------
// Labels

interface Labels {
  /** Each option's label as comparable words. */
  byOption: ReadonlyArray<{ option: OfferedOption; words: readonly string[] }>;
  words: ReadonlySet<string>;
  /** Word pairs found in one option's label only, with that option's reply. */
  bigrams: ReadonlyMap<string, Reply>;
}

function labelTokens(options: readonly OfferedOption[]): Labels {
  const byOption = options.map((option) => ({ option, words: tokenize(option.label).filter((t) => t.kind !== 'symbol').map((t) => t.norm) }));
  const counts = new Map<string, Set<Reply>>();
  for (const { option, words } of byOption) {
    for (let i = 0; i + 1 < words.length; i++) {
      const key = `${words[i]} ${words[i + 1]}`;
      const set = counts.get(key) ?? new Set();
      set.add(option.reply);
      counts.set(key, set);
    }
  }
  const bigrams = new Map<string, Reply>();
  for (const [key, replies] of counts) if (replies.size === 1) bigrams.set(key, [...replies][0] as Reply);
  return { byOption, words: new Set(byOption.flatMap((l) => l.words)), bigrams };
}

/** Indices of the non-symbol tokens from i on (labels are compared without punctuation). */
function wordIndices(toks: readonly Tok[], i: number, limit: number): number[] {
  const out: number[] = [];
  for (let k = i; k < toks.length && out.length < limit; k++) {
    const t = toks[k] as Tok;
    if (t.kind === 'url') break;
    if (t.kind !== 'symbol') out.push(k);
  }
  return out;
}

/** A whole option label typed at i ("Sometimes, or only in some places"); the longest. */
function labelAt(toks: readonly Tok[], i: number, labels: Labels): { option: OfferedOption; end: number; words: number } | null {
  if (toks[i]?.kind === 'symbol') return null;
  let best: { option: OfferedOption; end: number; words: number } | null = null;
  for (const { option, words } of labels.byOption) {
    if (words.length === 0 || (best && words.length <= best.words)) continue;
    const at = wordIndices(toks, i, words.length);
    if (at.length === words.length && at.every((k, n) => (toks[k] as Tok).word === words[n])) best = { option, end: (at[at.length - 1] as number) + 1, words: words.length };
  }
  return best;
}

/** A distinctive part of one label ("predominantly top-down"), at least two words, one of them not a vocabulary word. */
function labelPartAt(toks: readonly Tok[], i: number, labels: Labels, cv: CompiledVocabulary): { option: OfferedOption; end: number } | null {
  if (toks[i]?.kind === 'symbol') return null;
  let best: { option: OfferedOption; end: number; n: number } | null = null;
  let tie = false;
  for (const { option, words } of labels.byOption) {
    for (let s = 0; s < words.length; s++) {
      const at = wordIndices(toks, i, words.length - s);
      let n = 0;
      while (n < at.length && (toks[at[n] as number] as Tok).word === words[s + n]) n++;
      if (n < 2) continue;
      const part = words.slice(s, s + n);
      if (!part.some((w) => !cv.dictionary.has(w))) continue;
      if (best && n < best.n) continue;
      if (best && n === best.n && best.option.id !== option.id) tie = true;
      else if (!best || n > best.n) {
        best = { option, end: (at[n - 1] as number) + 1, n };
        tie = false;
      }
    }
  }
  if (!best || tie) return null;
  // Distinctive: no other label has the same words in a row.
  const part = wordIndices(toks, i, best.n).map((k) => (toks[k] as Tok).word).join(' ');
  const chosen = best.option.id;
  if (labels.byOption.some((l) => l.option.id !== chosen && ` ${l.words.join(' ')} `.includes(` ${part} `))) return null;
  return { option: best.option, end: best.end };
}

// ---------------------------------------------------------------------------
// Reading an answer

type Unit =
  | { kind: 'answer'; classes: Cls[]; either: boolean; standalone: boolean; end: number; counted?: boolean }
  | { kind: 'option'; option: string; cls: Cls; standalone: boolean; end: number }
  | { kind: 'qualifier'; strength: 1 | 2; end: number }
  | { kind: 'negQualifier'; strength: 1 | 2; end: number }
  | { kind: 'filler'; end: number };

const ANSWER_ROLES = ['yes', 'partly', 'no', 'unsure'] as const;

function qualifierStrength(roles: ReadonlySet<Role>): 1 | 2 | null {
  return roles.has('systematically') ? 2 : roles.has('regularly') ? 1 : null;
}

/** An option number: "2", "option two", "#3", "the second one". */
function numberAt(toks: readonly Tok[], i: number, context: ReplyContext, cv: CompiledVocabulary): Unit | null {
  let k = i;
  while (toks[k] && cv.optionWords.has((toks[k] as Tok).word) && !cv.numbers.has((toks[k] as Tok).word) && k - i < 3) k++;
  const t = toks[k];
  if (!t) return null;
  const n = t.kind === 'number' ? (t.norm.length <= 3 ? Number(t.norm) : NaN) : t.kind === 'word' ? cv.numbers.get(t.word) ?? NaN : NaN;
  if (!Number.isInteger(n) || n < 1 || n > context.options.length + 1) return null;
  let end = k + 1;
  while (toks[end] && cv.optionWords.has((toks[end] as Tok).word) && end - k <= 2) end++;
  const option = context.options[n - 1];
  return option ? { kind: 'option', option: option.id, cls: option.reply, standalone: false, end } : { kind: 'option', option: UNSURE, cls: 'unsure', standalone: false, end };
}

function unitAt(toks: readonly Tok[], i: number, context: ReplyContext, cv: CompiledVocabulary, labels: Labels, atStart: boolean): Unit | null {
  const t = toks[i];
  if (!t || t.kind === 'url') return null;
  const m = matchAt(toks, i, cv);
  const label = labelAt(toks, i, labels);
  if (label && label.end - i >= (m?.length ?? 0)) {
    // A label of two words or more is complete; a one-word label ("No") as much as the same word is.
    const standalone = label.words >= 2 || (m !== null && m.length === label.end - i && m.roles.has('standalone'));
    return { kind: 'option', option: label.option.id, cls: label.option.reply, standalone, end: label.end };
  }
  const number = numberAt(toks, i, context, cv);
  if (number && number.end - i >= (m?.length ?? 0)) return number;
  if (m) {
    const { roles, length } = m;
    const classes = ANSWER_ROLES.filter((r) => roles.has(r));
    if (classes.length > 0) return { kind: 'answer', classes, either: classes.length > 1, standalone: roles.has('standalone'), end: i + length, counted: m.counted };
    if (roles.has('yesOrPartly')) return { kind: 'answer', classes: ['yes', 'partly'], either: true, standalone: false, end: i + length };
    if (roles.has('partlyOrNo')) return { kind: 'answer', classes: ['partly', 'no'], either: true, standalone: false, end: i + length };
    const strength = qualifierStrength(roles);
    if (strength) return { kind: 'qualifier', strength, end: i + length };
    if (roles.has('negation')) {
      const after = matchAt(toks, i + length, cv);
      const s = after ? qualifierStrength(after.roles) : null;
      if (after && s) return { kind: 'negQualifier', strength: s, end: i + length + after.length };
    }
    if (roles.has('filler')) return { kind: 'filler', end: i + length };
  }
  if (atStart) {
    const part = labelPartAt(toks, i, labels, cv);
    if (part) return { kind: 'option', option: part.option.id, cls: part.option.reply, standalone: false, end: part.end };
  }
  // Emoji and symbols the vocabulary does not know carry nothing ("yes 🙂", quotes).
  if (t.kind === 'emoji' || (t.kind === 'symbol' && !cv.separators.has(t.norm) && !OPENERS.has(t.norm) && !roleAt(toks, i, cv, 'alternative'))) return { kind: 'filler', end: i + 1 };
  return null;
}

/** The length of the longest phrase at i that has this role (not only the longest phrase: "we" starts a clause even in "we have …"). */
function roleAt(toks: readonly Tok[], i: number, cv: CompiledVocabulary, role: Role): number {
  const t = toks[i];
  if (!t || t.kind === 'url') return 0;
  for (const list of [cv.phrases.get(t.word), countValue(t, cv) !== null ? cv.phrases.get(COUNT) : undefined]) {
    for (const phrase of list ?? []) {
      if (!phrase.roles.has(role) || i + phrase.tokens.length > toks.length) continue;
      let ok = true;
      for (let k = 0; ok && k < phrase.tokens.length; k++) {
        const want = phrase.tokens[k] as string;
        const got = toks[i + k] as Tok;
        ok = got.kind !== 'url' && (want === COUNT ? countValue(got, cv) !== null : got.word === want);
      }
      if (ok) return phrase.tokens.length;
    }
  }
  return 0;
}

interface Head {
  units: Unit[];
  /** Where each unit starts. */
  starts: number[];
  alternatives: boolean;
  /** Index of the first token of the note, or toks.length. */
  restStart: number;
}

/** Reads the answer part at the start of a reply; null when the start is not a clean answer (free text). */
function readHead(toks: readonly Tok[], context: ReplyContext, cv: CompiledVocabulary, labels: Labels): Head | null {
  const units: Unit[] = [];
  const starts: number[] = [];
  let alternatives = false;
  let pos = 0;
  const answered = (list: readonly Unit[] = units) => list.some((u) => u.kind !== 'filler');
  const beginsNote = (i: number) => roleAt(toks, i, cv, 'connector') > 0 || roleAt(toks, i, cv, 'contrast') > 0 || roleAt(toks, i, cv, 'clauseStarter') > 0;
  const boundaryAt = (i: number) => isSeparator(toks[i], cv) || isOpener(toks[i]) || roleAt(toks, i, cv, 'connector') > 0 || roleAt(toks, i, cv, 'contrast') > 0;

  while (pos < toks.length) {
    const t = toks[pos] as Tok;
    if (isSeparator(t, cv) || isOpener(t)) {
      // A separated segment that is all answer ("yes, regularly", "no. 3") belongs to the head; otherwise the note starts.
      let s = pos;
      let opener = -1;
      while (s < toks.length && (isSeparator(toks[s], cv) || isOpener(toks[s]))) {
        if (opener < 0 && isOpener(toks[s])) opener = s;
        s++;
      }
      // Only a segment of one answer word joins the head: "some ministries yes" after "partly:" says more (a note).
      const segment = readSegment(toks, s, context, cv, labels, boundaryAt);
      if (segment && (!answered() || segment.units.filter((u) => u.kind !== 'filler').length <= 1)) {
        units.push(...segment.units);
        starts.push(...segment.starts);
        alternatives ||= segment.alternatives;
        pos = segment.end;
        continue;
      }
      return answered() ? { units, starts, alternatives, restStart: opener >= 0 ? opener : s } : null;
    }
    const unit = unitAt(toks, pos, context, cv, labels, !answered());
    if (unit) {
      units.push(unit);
      starts.push(pos);
      pos = unit.end;
      continue;
    }
    const alt = roleAt(toks, pos, cv, 'alternative');
    if (alt && answered()) {
      alternatives = true;
      pos += alt;
      continue;
    }
    if (!answered()) return null;
    if (beginsNote(pos)) return { units, starts, alternatives, restStart: pos };
    // Words run on after the answer, with no separator. The note begins where a clause does
    // ("no we plan to …", "yes we have a portal …"), or right after an answer complete on its own
    // ("yes see …"). Otherwise the words may be what is denied ("no outside input"): free text.
    for (let u = units.length - 1; u >= 1; u--) {
      if (beginsNote(starts[u] as number) && answered(units.slice(0, u))) return { units: units.slice(0, u), starts: starts.slice(0, u), alternatives, restStart: starts[u] as number };
    }
    const last = [...units].reverse().find((x) => x.kind !== 'filler');
    if (last && (last.kind === 'answer' || last.kind === 'option') && last.standalone) return { units, starts, alternatives, restStart: pos };
    return null;
  }
  return answered() ? { units, starts, alternatives, restStart: toks.length } : null;
}

/** The segment from s to the next separator, if it is made only of answer units and fillers. */
function readSegment(toks: readonly Tok[], s: number, context: ReplyContext, cv: CompiledVocabulary, labels: Labels, boundaryAt: (i: number) => boolean): { units: Unit[]; starts: number[]; alternatives: boolean; end: number } | null {
  const units: Unit[] = [];
  const starts: number[] = [];
  let alternatives = false;
  let i = s;
  if (i < toks.length && boundaryAt(i) && !isSeparator(toks[i], cv) && !isOpener(toks[i])) return null; // "…, but only …"
  while (i < toks.length && !isSeparator(toks[i], cv) && !isOpener(toks[i])) {
    const unit = unitAt(toks, i, context, cv, labels, i === s);
    if (unit) {
      units.push(unit);
      starts.push(i);
      i = unit.end;
      continue;
    }
    const alt = roleAt(toks, i, cv, 'alternative');
    if (alt) {
      alternatives = true;
      i += alt;
      continue;
    }
    return null;
  }
  return { units, starts, alternatives, end: i };
}

/** What the units of a head say together. */
function combine(units: readonly Unit[], alternatives: boolean, q: number): Reading {
  const list: Candidate[] = [];
  const classes: Cls[] = [];
  const options: Array<{ option: string; cls: Cls }> = [];
  let either = alternatives;
  const add = (c: Candidate) => {
    if (!list.some((x) => JSON.stringify(x) === JSON.stringify(c))) list.push(c);
  };
  const addClass = (c: Cls) => {
    if (!classes.includes(c)) classes.push(c);
    add({ cls: c });
  };
  const negQualifiers: Array<1 | 2> = [];
  for (const u of units) {
    if (u.kind === 'answer') {
      if (u.either) either = true;
      u.classes.forEach(addClass);
    } else if (u.kind === 'option') {
      options.push(u);
      if (!classes.includes(u.cls)) classes.push(u.cls);
      add({ option: u.option });
    } else if (u.kind === 'qualifier') {
      if (u.strength >= q) addClass('yes');
      else {
        either = true;
        addClass('yes');
        addClass('partly');
      }
    } else if (u.kind === 'negQualifier') negQualifiers.push(u.strength);
  }
  for (const s of negQualifiers) {
    const saidYes = classes.includes('yes');
    if (q === 0 || (s <= q && saidYes)) {
      // "not always" to a plain question, "yes, but not regularly" to a "regularly" one: partly.
      addClass('partly');
    } else if (s <= q && classes.includes('partly')) {
      // "not systematically, case by case".
      addClass('partly');
    } else if (s <= q) {
      // "not regularly" alone: sometimes, or not at all?
      either = true;
      addClass('partly');
      addClass('no');
    } else {
      // "not always" to a "regularly" question: the weaker claim asked about may still hold.
      either = true;
      addClass(saidYes ? 'yes' : 'partly');
      addClass(saidYes ? 'partly' : 'yes');
    }
  }
  if (classes.length === 0) return { kind: 'candidates', list: [] };
  const distinctOptions = new Set(options.map((o) => o.option));
  if (either || distinctOptions.size > 1) return { kind: 'candidates', list };
  let cls: Cls | null = null;
  if (classes.length === 1) cls = classes[0] as Cls;
  else if (classes.length === 2 && classes.includes('yes') && classes.includes('partly')) cls = 'partly'; // a qualified yes
  if (!cls) return { kind: 'candidates', list };
  const option = options.find((o) => o.cls === cls)?.option;
  return option ? { kind: 'decided', cls, option } : { kind: 'decided', cls };
}

interface Signals {
  yes: boolean;
  partly: boolean;
  /** A partly phrase that may be recorded even in free text ("in some places", "sometimes"). */
  firmPartly: boolean;
  no: boolean;
  /** A denial that is a whole answer ("not anymore", "not yet"), not a word inside a sentence ("isn't"). */
  firmNo: boolean;
  unsure: boolean;
  negation: boolean;
  /** Not so now: planned, wished, stopped, years ago. */
  notNow: boolean;
  marker: boolean;
  weakMarker: boolean;
  contrast: boolean;
  either: Cls[];
  weakQualifier: boolean;
  /** Replies of options whose distinctive label words appear. */
  labels: Cls[];
  /** Classes in the order their words appear. */
  order: Cls[];
  doubt: boolean;
  words: number;
}

/** Everything the words from `from` on point to (links skipped). */
function scan(toks: readonly Tok[], from: number, q: number, cv: CompiledVocabulary, labels: Labels): Signals {
  const sig: Signals = { yes: false, partly: false, firmPartly: false, no: false, firmNo: false, unsure: false, negation: false, notNow: false, marker: false, weakMarker: false, contrast: false, either: [], weakQualifier: false, labels: [], order: [], doubt: false, words: 0 };
  const saw = (c: Cls) => {
    if (!sig.order.includes(c)) sig.order.push(c);
  };
  let i = from;
  while (i < toks.length) {
    const t = toks[i] as Tok;
    if (t.kind === 'word' || t.kind === 'number') sig.words++;
    const m = matchAt(toks, i, cv);
    if (!m) {
      if (hasNegationAffix(t, cv) || t.doubt.some((w) => cv.negationWords.has(w))) {
        sig.negation = true;
        saw('no');
      } else if (t.doubt.length > 0) sig.doubt = true;
      i++;
      continue;
    }
    const r = m.roles;
    if (r.has('unsure')) {
      sig.unsure = true;
      saw('unsure');
    } else if (r.has('partly') || r.has('partlyMarker')) {
      sig.partly = true;
      // A partly phrase limits a yes ("yes, more or less working"), except a weak one ("yes, some NGOs use it").
      if (r.has('partlyMarker') || !r.has('weakPartlyMarker')) sig.marker = true;
      if (r.has('partly') && (m.length > 1 || r.has('standalone'))) sig.firmPartly = true;
      saw('partly');
    } else if (r.has('no') || r.has('negation')) {
      const after = matchAt(toks, i + m.length, cv);
      const s = after && r.has('negation') ? qualifierStrength(after.roles) : null;
      if (after && s) {
        // "not regularly": limits a yes when it denies the question's own qualifier; else makes us ask.
        if (q === 0 || s <= q) {
          sig.marker = true;
          sig.partly = true;
          saw('partly');
        } else sig.weakQualifier = true;
        i += m.length + after.length;
        continue;
      }
      if (r.has('no')) sig.no = true;
      if (r.has('no') && (m.length > 1 || r.has('standalone'))) sig.firmNo = true;
      sig.negation = true;
      saw('no');
    } else if (r.has('yes')) {
      // "there is no budget", "we have no portal": the denial that follows wins.
      const after = matchAt(toks, i + m.length, cv);
      if (!(after && (after.roles.has('negation') || after.roles.has('no')))) {
        sig.yes = true;
        saw('yes');
      }
    } else if (r.has('yesOrPartly')) {
      sig.either.push('yes', 'partly');
      saw('yes');
      saw('partly');
    } else if (r.has('partlyOrNo')) {
      sig.either.push('partly', 'no');
      saw('partly');
      saw('no');
    } else if (qualifierStrength(r)) {
      if ((qualifierStrength(r) as number) < q) sig.weakQualifier = true;
      else {
        sig.yes = true;
        saw('yes');
      }
    }
    if (r.has('weakPartlyMarker')) sig.weakMarker = true;
    if (r.has('contrast')) sig.contrast = true;
    // "planned", "we would like to", "years ago": not so now, whatever the other words say.
    if (r.has('notNow')) {
      sig.negation = true;
      sig.notNow = true;
      saw('no');
    }
    i += m.length;
  }
  // Distinctive label words: "no, it's all top-down" says the "yes" option's words.
  const words = toks.slice(from).filter((t) => t.kind === 'word' || t.kind === 'number');
  for (let k = 0; k + 1 < words.length; k++) {
    const reply = labels.bigrams.get(`${(words[k] as Tok).word} ${(words[k + 1] as Tok).word}`);
    if (reply && !sig.labels.includes(reply)) sig.labels.push(reply);
  }
  return sig;
}

/** What the note part does to the head's reading. */
function withRest(head: Reading, rest: Signals | null, startClass: Cls | null): Reading {
  if (head.kind !== 'decided' || !rest) return head;
  const ask = (...classes: Cls[]): Reading => {
    const list: Candidate[] = [];
    for (const c of [head.cls, ...classes]) {
      const cand: Candidate = c === head.cls && head.option ? { option: head.option } : { cls: c };
      if (!list.some((x) => JSON.stringify(x) === JSON.stringify(cand))) list.push(cand);
    }
    return { kind: 'candidates', list };
  };
  const others = (cls: Cls) => rest.labels.filter((c) => c !== cls);
  const conflict = startClass !== null && startClass !== head.cls ? [startClass] : [];
  switch (head.cls) {
    case 'yes': {
      const against = [...conflict, ...others('yes')];
      if (against.some((c) => c !== 'partly') || rest.unsure) return ask('partly', ...against, ...(rest.unsure ? ['unsure' as const] : []));
      if (rest.negation) return ask('partly', 'no');
      if (rest.either.length > 0 || rest.weakQualifier) return ask('partly');
      // "yes, mostly top-down" to "predominantly top-down?": the limiting word may restate the option's own.
      if (rest.marker && rest.labels.includes('yes')) return ask('partly');
      if (rest.marker || against.includes('partly')) return { kind: 'decided', cls: 'partly' };
      if (rest.contrast || rest.weakMarker || rest.doubt) return ask('partly');
      return head;
    }
    case 'partly': {
      // The other options' words in a partial answer say which part: "partly, big decisions are top-down".
      const against = conflict;
      if (against.length > 0 || rest.unsure) return ask(...against, ...(rest.unsure ? ['unsure' as const] : []));
      // "sometimes, but no longer", "sometimes, a few years ago": not even partly now?
      if ((rest.contrast && rest.firmNo) || rest.notNow) return ask('no');
      return head;
    }
    case 'no': {
      const against = [...conflict, ...others('no')];
      if (against.length > 0 || rest.unsure) return ask(...against, ...(rest.unsure ? ['unsure' as const] : []));
      // "no, but some ministries do", "no, only in two ministries": partly after all? ("no, only paper forms" stays no.)
      if (rest.marker || rest.either.length > 0 || (rest.contrast && rest.partly)) return ask('partly');
      return head;
    }
    case 'unsure': {
      const against = [...conflict, ...rest.labels];
      if (against.length > 0) return ask(...against);
      if (rest.marker) return ask('partly');
      return head;
    }
  }
}

/** Free text (no clean answer at its start): recorded only when it is plainly "not sure" or plainly partial; else asked about. */
function readFree(toks: readonly Tok[], q: number, cv: CompiledVocabulary, labels: Labels): Reading | null {
  const sig = scan(toks, 0, q, cv, labels);
  const last = toks[toks.length - 1];
  // A question back to us ("what counts as regularly?") is not an answer.
  if (last?.kind === 'symbol' && last.norm === '?' && sig.words > 1) return null;
  const classes = [...sig.order];
  for (const c of [...sig.either, ...sig.labels]) if (!classes.includes(c)) classes.push(c);
  if (sig.weakQualifier && !classes.includes('partly')) classes.push('yes', 'partly');
  if ((sig.weakMarker || sig.contrast) && classes.length > 0 && !classes.includes('partly')) classes.push('partly');
  if (sig.weakMarker && classes.length === 0) classes.push('partly');
  if (classes.length === 0) return null;
  const plain = !sig.negation && !sig.contrast && sig.either.length === 0 && !sig.weakQualifier && !sig.doubt && sig.words <= MAX_FREE_WORDS;
  if (plain && classes.every((c) => c === 'unsure') && !sig.marker && !sig.weakMarker) return { kind: 'decided', cls: 'unsure' };
  if (plain && sig.firmPartly && !sig.unsure && !sig.no && classes.every((c) => c === 'yes' || c === 'partly')) return { kind: 'decided', cls: 'partly' };
  // A denial in free text may deny something else than the question ("outside input doesn't count"): any answer is possible.
  if (sig.negation) for (const c of ['no', 'partly', 'yes'] as const) if (!classes.includes(c)) classes.push(c);
  return { kind: 'candidates', list: classes.map((cls) => ({ cls })) };
}

function readAnswer(raw: string, toks: readonly Tok[], context: ReplyContext, cv: CompiledVocabulary, labels: Labels, truncated: boolean): Intent {
  const q = context.qualifier === 'systematically' ? 2 : context.qualifier === 'regularly' ? 1 : 0;
  // The whole reply is an option's label, exactly or with small typos.
  const whole = labelAt(toks, 0, labels);
  if (whole && toks.slice(whole.end).every((t, k) => isSeparator(t, cv) || (t.kind === 'symbol' && !isOpener(t) && !matchAt(toks, whole.end + k, cv)))) return { type: 'answer', option: whole.option.id };

  const head = readHead(toks, context, cv, labels);
  if (head) {
    let reading = combine(head.units, head.alternatives, q);
    const hasRest = head.restStart < toks.length;
    const qualification = reading.kind === 'decided' && reading.cls === 'partly' ? qualificationStart(head) : null;
    const noteText = qualification !== null ? noteFrom(raw, toks, qualification) : hasRest ? noteFrom(raw, toks, head.restStart) : undefined;
    if (hasRest) {
      const rest = { ...scan(toks, head.restStart, q, cv, labels), unsure: unsureSegment(toks, head.restStart, cv) };
      const first = unitAt(toks, skipFillers(toks, head.restStart, cv), context, cv, labels, false);
      const startClass = first && first.kind === 'answer' && first.standalone && !first.either ? (first.classes[0] as Cls) : null;
      // "1.5", "2,5", "yes, 5": a number after the answer may be a decimal, a range or another option.
      if (bareNumberAt(toks, head.restStart, cv)) reading = reading.kind === 'decided' ? { kind: 'candidates', list: [reading.option ? { option: reading.option } : { cls: reading.cls }] } : reading;
      // "often, but only in some places", "regularly, but not systematically": between yes and partly, the limit decides.
      if (reading.kind === 'candidates' && rest.marker && !rest.negation && !rest.unsure && sameClasses(reading.list, ['yes', 'partly'])) reading = { kind: 'decided', cls: 'partly' };
      else reading = withRest(reading, rest, startClass);
    }
    if (reading.kind === 'candidates' && reading.list.length === 0) return { type: 'unknown' };
    // Past what was read, a word could turn the answer: ask.
    if (truncated && reading.kind === 'decided' && reading.cls !== 'unsure') reading = { kind: 'candidates', list: [reading.option ? { option: reading.option } : { cls: reading.cls }] };
    return toIntent(reading, noteText, context);
  }
  const free = readFree(toks, q, cv, labels);
  if (!free) return { type: 'unknown' };
  // Free text is kept whole as the note, unless it is a single word ("none").
  const words = toks.filter((t) => t.kind === 'word' || t.kind === 'number' || t.kind === 'url').length;
  return toIntent(free, words > 1 ? noteFrom(raw, toks, 0) : undefined, context);
}

/** Where a count in the answer begins ("in two regions"): the count says more than "partly", so the note keeps it. */
function qualificationStart(head: Head): number | null {
  const k = head.units.findIndex((u) => u.kind === 'answer' && u.counted);
  return k >= 0 ? (head.starts[k] as number) : null;
}

/** A part of the note, between separators, that only says "not sure" ("yes, not sure though"). A "maybe" inside a sentence does not count. */
function unsureSegment(toks: readonly Tok[], from: number, cv: CompiledVocabulary): boolean {
  let i = from;
  let unsure = false;
  let clean = true;
  const end = () => {
    const found = unsure && clean;
    unsure = false;
    clean = true;
    return found;
  };
  while (i < toks.length) {
    const t = toks[i] as Tok;
    if (isSeparator(t, cv) || isOpener(t)) {
      if (end()) return true;
      i++;
      continue;
    }
    const m = matchAt(toks, i, cv);
    if (m && m.roles.has('unsure')) unsure = true;
    else if (!(m && (m.roles.has('filler') || m.roles.has('contrast'))) && t.kind !== 'emoji') clean = false;
    i += m ? m.length : 1;
  }
  return end();
}

/** The note's first part (up to a separator) is a number and nothing else. */
function bareNumberAt(toks: readonly Tok[], i: number, cv: CompiledVocabulary): boolean {
  const next = toks[i + 1];
  return toks[i]?.kind === 'number' && (next === undefined || isSeparator(next, cv) || isOpener(next));
}

function sameClasses(list: readonly Candidate[], classes: readonly Cls[]): boolean {
  const got = new Set(list.map((c) => ('cls' in c ? c.cls : null)));
  return got.size === classes.length && classes.every((c) => got.has(c));
}

function skipFillers(toks: readonly Tok[], i: number, cv: CompiledVocabulary): number {
  let k = i;
  while (k < toks.length) {
    const t = toks[k] as Tok;
    if (isSeparator(t, cv) || isOpener(t) || t.kind === 'emoji') k++;
    else {
      const f = roleAt(toks, k, cv, 'filler');
      if (!f) break;
      k += f;
    }
  }
  return k;
}

/** The note: the typed text from token i on, exactly as typed (only surrounding whitespace trimmed); none without a letter or digit. */
function noteFrom(raw: string, toks: readonly Tok[], i: number): string | undefined {
  const t = toks[i];
  if (!t) return undefined;
  const text = raw.slice(t.start).trim();
  return /[\p{L}\p{N}]/u.test(text) ? text : undefined;
}

function toIntent(reading: Reading, note: string | undefined, context: ReplyContext): Intent {
  const withNote = <T extends object>(intent: T): T & { note?: string } => (note === undefined ? intent : { ...intent, note });
  if (reading.kind === 'decided') {
    if (reading.cls === 'unsure') return withNote({ type: 'unsure' as const });
    const option = reading.option ?? onlyOption(context, reading.cls);
    if (option) return withNote({ type: 'answer' as const, option });
    reading = { kind: 'candidates', list: [{ cls: reading.cls }] };
  }
  const ids: string[] = [];
  for (const c of reading.list) {
    const found = 'option' in c ? [c.option] : c.cls === 'unsure' ? [UNSURE] : context.options.filter((o) => o.reply === c.cls).map((o) => o.id);
    for (const id of found) if (!ids.includes(id)) ids.push(id);
  }
  if (ids.length === 0) return { type: 'unknown' };
  return withNote({ type: 'clarify' as const, options: ids });
}

function onlyOption(context: ReplyContext, cls: Reply): string | undefined {
  const matching = context.options.filter((o) => o.reply === cls);
  return matching.length === 1 ? (matching[0] as OfferedOption).id : undefined;
}
