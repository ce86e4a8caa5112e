/**
 * Understanding typed replies. Pure: (text, what is on offer, vocabulary) →
 * intent. Matching ignores case, accents and punctuation, and tolerates
 * small typos, so "Partialy" or "OUI" in a French flow still land.
 */
import type { ReplyWord } from '../flow/schema.js';
import type { Reply } from '../flow/schema.js';
import type { Qualifier } from '../rubric/schema.js';

export type Vocabulary = Record<ReplyWord, string[]>;

export type Command = 'why' | 'back' | 'help' | 'progress' | 'pause' | 'restart' | 'review' | 'start' | 'continue' | 'seeResult' | 'newAssessment';

export type Intent =
  | { type: 'answer'; option: string; note?: string }
  | { type: 'unsure'; note?: string }
  /** "Did you mean …?": candidate option ids (may include "unsure"), best first. */
  | { type: 'clarify'; options: string[]; note?: string }
  | { type: 'command'; command: Command }
  | { type: 'edit'; questionNumber: number }
  | { type: 'note'; text: string }
  | { type: 'confirm' }
  | { type: 'cancel' }
  | { type: 'unknown' };

export interface OfferedOption {
  id: string;
  label: string;
  reply: Reply;
}

/** What the current step accepts, which shapes how a reply is read. */
export interface ReplyContext {
  /** The answer options of the current question (empty outside questions). */
  options: readonly OfferedOption[];
  /** The OECD qualifier the question asks about ("regularly", "systematically"), if any. */
  qualifier: Qualifier | null;
  /** True while a yes/no confirmation is pending (restart). */
  confirming: boolean;
}

export function normalize(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[’‘`´]/g, "'")
    .replace(/[^\p{L}\p{N}'? ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Levenshtein distance, bounded: gives up (returns max + 1) once past `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length] ?? max + 1;
}

/** Typos allowed for a word of this length: none for short words, where a typo often is another word. */
const typoAllowance = (length: number) => (length <= 3 ? 0 : length <= 7 ? 1 : 2);

/** Two neighbouring letters swapped ("yse" for "yes"): the commonest typo in short words. */
function isSwap(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const i = [...a].findIndex((ch, k) => ch !== b[k]);
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

function matchesPhrase(input: string, phrases: readonly string[]): boolean {
  return phrases.some((phrase) => {
    const p = normalize(phrase);
    if (p === '') return false;
    if (input === p || (p.length >= 3 && isSwap(input, p))) return true;
    return editDistance(input, p, typoAllowance(p.length)) <= typoAllowance(p.length);
  });
}

const NUMBER_WORDS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function parseNumber(input: string): number | null {
  const m = /^(?:option |number |no |#)?(\d{1,3})$/.exec(input.replace(/^#\s*/, '#'));
  if (m?.[1]) return Number(m[1]);
  const word = NUMBER_WORDS.indexOf(input);
  return word >= 0 ? word + 1 : null;
}

/** Reads one reply that should carry nothing but an answer (no note). */
function readAnswer(input: string, context: ReplyContext, vocab: Vocabulary): Intent | null {
  const { options } = context;
  if (options.length === 0) return null;
  const n = parseNumber(input);
  if (n !== null) {
    if (n >= 1 && n <= options.length) return { type: 'answer', option: (options[n - 1] as OfferedOption).id };
    if (n === options.length + 1) return { type: 'unsure' };
    return null;
  }
  if (matchesPhrase(input, vocab.unsure)) return { type: 'unsure' };
  // Exact label, then a label the input starts (at least four letters), then a label within typo reach.
  const labels = options.map((o) => ({ option: o, label: normalize(o.label) }));
  const exact = labels.find((l) => l.label === input);
  if (exact) return { type: 'answer', option: exact.option.id };
  for (const holds of ['yes', 'partly', 'no'] as const) {
    if (matchesPhrase(input, vocab[holds])) {
      const candidates = options.filter((o) => o.reply === holds);
      if (candidates.length === 1) return { type: 'answer', option: (candidates[0] as OfferedOption).id };
    }
  }
  if (input.length >= 4) {
    const prefixed = labels.filter((l) => l.label.startsWith(input));
    if (prefixed.length === 1) return { type: 'answer', option: (prefixed[0] as (typeof labels)[number]).option.id };
  }
  // A distinctive part of one label ("mostly internal").
  if (input.length >= 6) {
    const containing = labels.filter((l) => l.label.includes(input));
    if (containing.length === 1) return { type: 'answer', option: (containing[0] as (typeof labels)[number]).option.id };
  }
  const near = labels.filter((l) => editDistance(input, l.label, typoAllowance(l.label.length)) <= typoAllowance(l.label.length));
  if (near.length === 1) return { type: 'answer', option: (near[0] as (typeof labels)[number]).option.id };
  return null;
}

const COMMANDS: Command[] = ['why', 'back', 'help', 'progress', 'pause', 'restart', 'review', 'seeResult', 'continue', 'newAssessment', 'start'];

/** Where an answer ends and a note begins: "partly, only in two ministries". */
const NOTE_SEPARATOR = /\s*(?:[,;:(]|\s[-–—]\s|\s(?:because|but|as|since)\s)\s*/;

export function parseReply(text: string, context: ReplyContext, vocab: Vocabulary): Intent {
  const raw = text.trim();
  const input = normalize(raw);
  if (input === '' && raw !== '?') return { type: 'unknown' };

  if (context.confirming) {
    if (matchesPhrase(input, vocab.yes)) return { type: 'confirm' };
    if (matchesPhrase(input, vocab.no)) return { type: 'cancel' };
  }

  // "note …" attaches a note or link; keep the note's own characters (links!), only drop the keyword.
  for (const keyword of vocab.note) {
    const k = normalize(keyword);
    const m = new RegExp(`^\\s*${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b[\\s:,-]*`, 'i').exec(raw.normalize('NFKD').replace(/\p{M}/gu, ''));
    if (k !== '' && m && normalize(raw.slice(0, m[0].length)) === k) {
      return { type: 'note', text: raw.slice(m[0].length).trim() };
    }
  }

  // "change 3", "edit question 3", "go to 3".
  for (const keyword of vocab.change) {
    const k = normalize(keyword);
    if (input.startsWith(`${k} `)) {
      const rest = input.slice(k.length + 1).replace(/^(?:question|answer|q) ?/, '');
      const n = parseNumber(rest);
      if (n !== null) return { type: 'edit', questionNumber: n };
    }
  }

  const answer = readAnswer(input, context, vocab);
  if (answer) return answer;

  for (const command of COMMANDS) if (matchesPhrase(input, vocab[command])) return { type: 'command', command };

  // An answer followed by a note: split on the first separator and read the head as an answer.
  const split = NOTE_SEPARATOR.exec(raw);
  if (split && split.index > 0 && context.options.length > 0) {
    const head = readAnswer(normalize(raw.slice(0, split.index)), context, vocab);
    const note = raw.slice(split.index + split[0].length).replace(/\)\s*$/, '').trim();
    if (head && (head.type === 'answer' || head.type === 'unsure') && note !== '') return { ...head, note };
  }
  return { type: 'unknown' };
}
