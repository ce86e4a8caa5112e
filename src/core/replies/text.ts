/**
 * Tokenising typed replies, and the edit distance used for typos. Structure
 * only: no words of any language here (they are in the flow's `replies:`
 * vocabulary). Every token keeps its offsets in the typed text, so a note can
 * be cut out of the text exactly as typed.
 */

export type TokenKind = 'word' | 'number' | 'url' | 'emoji' | 'symbol';

export interface Token {
  kind: TokenKind;
  /** UTF-16 offsets into the typed text. */
  start: number;
  end: number;
  /**
   * The comparable form: lower case, no accents, no apostrophes ("Don’t" → "dont");
   * for a symbol the character (fullwidth folded); for an emoji its base pictograph.
   */
  norm: string;
  /** Lower case with apostrophes unified to ', for affix patterns such as "*n't". */
  lower: string;
}

const APOSTROPHES = /[’‘`´ʼ']/gu;
const LETTER_OR_DIGIT = /[\p{L}\p{M}\p{N}]/u;
const LETTER = /[\p{L}\p{M}]/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
/** What may follow a pictograph inside one emoji: joiner, variation selector, skin tones, keycap. */
const EMOJI_TAIL = /[\u200d\ufe0f\u20e3\u{1f3fb}-\u{1f3ff}]/u;
const SPACE = /[\s\u200b\u2060\ufeff]/u;

/** Where a link or an e-mail address begins in a run of non-space characters (a bounded scheme, so no backtracking blow-up). */
const LINK_START = /(?:[a-z][a-z0-9+.-]{0,20}:\/\/|www\.)/iu;
const BARE_LINK = /^[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){1,10}\/\S*$/u;
const EMAIL = /^[^\s@]{1,64}@[^\s@.]{1,63}(?:\.[^\s@.]{1,63}){1,10}$/u;

export function foldWord(text: string): { norm: string; lower: string } {
  const lower = text.toLowerCase().replace(APOSTROPHES, "'");
  const norm = lower.normalize('NFKD').replace(/\p{M}/gu, '').replace(/'/g, '');
  return { norm, lower };
}

/** Splits a typed text into tokens. Links and e-mail addresses are single opaque tokens. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  // Whitespace-separated chunks first: links live inside one chunk.
  const chunk = /\S+/gu;
  for (let m = chunk.exec(text); m; m = chunk.exec(text)) {
    const start = m.index;
    const body = m[0];
    const link = findLink(body);
    if (link === null) tokenizeRun(text, start, start + body.length, tokens);
    else {
      tokenizeRun(text, start, start + link, tokens);
      tokens.push({ kind: 'url', start: start + link, end: start + body.length, norm: body.slice(link), lower: body.slice(link) });
    }
  }
  return tokens;
}

/** Offset of a link inside a chunk, or null. */
function findLink(chunk: string): number | null {
  const scheme = LINK_START.exec(chunk);
  if (scheme) return scheme.index;
  const bare = chunk.replace(/^[(["'“‘«]+/u, '');
  const lead = chunk.length - bare.length;
  const trimmed = bare.replace(/[)\]"'”’».,;:!?]+$/u, '');
  if (EMAIL.test(trimmed) || BARE_LINK.test(trimmed)) return lead;
  return null;
}

function tokenizeRun(text: string, from: number, to: number, out: Token[]): void {
  let i = from;
  while (i < to) {
    const cp = text.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    const width = ch.length;
    if (SPACE.test(ch)) {
      i += width;
    } else if (LETTER_OR_DIGIT.test(ch)) {
      i = readWord(text, i, to, out);
    } else if (PICTOGRAPH.test(ch)) {
      let j = i + width;
      while (j < to) {
        const next = String.fromCodePoint(text.codePointAt(j) ?? 0);
        if (EMOJI_TAIL.test(next)) {
          j += next.length;
          // A joiner glues the next pictograph into the same emoji.
          if (next === '\u200d' && j < to) {
            const after = String.fromCodePoint(text.codePointAt(j) ?? 0);
            if (PICTOGRAPH.test(after)) j += after.length;
          }
        } else break;
      }
      out.push({ kind: 'emoji', start: i, end: j, norm: ch, lower: ch });
      i = j;
    } else {
      const folded = ch.normalize('NFKC');
      const norm = folded.length > 0 ? (String.fromCodePoint(folded.codePointAt(0) ?? 0)) : ch;
      out.push({ kind: 'symbol', start: i, end: i + width, norm, lower: norm });
      i += width;
    }
  }
}

/**
 * One word: letters and digits, with apostrophes between letters ("don't").
 * A hyphen between letters or digits splits the word without being a
 * separator ("top-down" is "top" "down"; "yes - see" has a separator).
 */
function readWord(text: string, from: number, to: number, out: Token[]): number {
  let i = from;
  let start = from;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const { norm, lower } = foldWord(raw);
    out.push({ kind: /^[0-9]+$/.test(norm) ? 'number' : 'word', start, end, norm, lower });
  };
  while (i < to) {
    const cp = text.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    if (LETTER_OR_DIGIT.test(ch)) {
      i += ch.length;
      continue;
    }
    const prev = i > from ? String.fromCodePoint(text.codePointAt(i - 1) ?? 0) : '';
    const next = i + 1 < to ? String.fromCodePoint(text.codePointAt(i + 1) ?? 0) : '';
    if (/[’‘`´ʼ']/u.test(ch) && LETTER.test(prev) && LETTER.test(next)) {
      i += ch.length;
      continue;
    }
    if (ch === '-' && LETTER_OR_DIGIT.test(prev) && LETTER_OR_DIGIT.test(next) && !(/\p{N}/u.test(prev) && /\p{N}/u.test(next))) {
      push(i);
      i += 1;
      start = i;
      continue;
    }
    break;
  }
  push(i);
  return i;
}

/**
 * Optimal-string-alignment distance (Levenshtein plus swapping two
 * neighbouring letters, the commonest typo), bounded: returns max + 1 once past `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  // Three rolling rows (the one before last is for swaps).
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (before[j - 2] as number) + 1);
      row[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [before, prev, row] = [prev, row, before];
  }
  return prev[b.length] ?? max + 1;
}

/**
 * Typos tolerated in a word of this length: one from four letters ("nevr"), two
 * from ten ("ocasionaly"); in three letters only a swap ("yse"), none in fewer,
 * since a short word one letter off is often another word ("portally" is not "partially").
 */
export function typoAllowance(length: number): number {
  return length <= 3 ? 0 : length <= 9 ? 1 : 2;
}

/** "yesss" → ["yess", "yes"]: forms with stretched letters shortened, to try against the vocabulary. */
export function unstretched(word: string): string[] {
  const two = word.replace(/(.)\1{2,}/gu, '$1$1');
  const one = word.replace(/(.)\1+/gu, '$1');
  return [...new Set([two, one])].filter((w) => w !== word);
}

/** Case, accents and punctuation aside, spaces folded: for matching the words of a button or a short reply as a whole. */
export function normalizeText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}
