/**
 * A pseudo-locale, en-XA, made from English at test time: every word
 * accented and about 40% longer (as French and German run), placeholders and
 * plurals kept, so that a layout that only fits English shows. Written as a
 * copy of the content (rubric, flows, locales) with en-XA added everywhere
 * English is, including our translation of the OECD text (so the labelled
 * translation and its original are laid out too). Reply words stay English:
 * people type them.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { parseMessage, type MessagePart } from '../../src/core/i18n/message-format.js';
import { ROOT, tempDir } from './server.js';

export const PSEUDO = 'en-XA';

const ACCENTS: Record<string, string> = {
  a: 'á', b: 'ƀ', c: 'ç', d: 'ð', e: 'é', f: 'ƒ', g: 'ĝ', h: 'ĥ', i: 'î', j: 'ĵ', k: 'ķ', l: 'ļ', m: 'ɱ', n: 'ñ', o: 'ö', p: 'þ', r: 'ŕ', s: 'š', t: 'ţ', u: 'ü', w: 'ŵ', y: 'ý', z: 'ž',
  A: 'Å', C: 'Ç', E: 'É', I: 'Î', N: 'Ñ', O: 'Ö', S: 'Š', U: 'Ü', Y: 'Ý',
};

/** A word accented and lengthened by 40% (its own vowels repeated), so it wraps where a long word would. */
const pseudoWord = (word: string) => {
  const accented = [...word].map((ch) => ACCENTS[ch] ?? ch).join('');
  const letters = word.replace(/[^A-Za-z]/g, '').length;
  if (letters < 3) return accented;
  const extra = Math.ceil(letters * 0.4);
  const vowels = accented.match(/[áéîöüýÅÉÎÖÜÝ]/g) ?? ['é'];
  return accented + Array.from({ length: extra }, (_, i) => vowels[i % vowels.length]).join('');
};

/** Literal text made pseudo; {placeholders}, URLs, `code` and <…> left as they are. */
export function pseudoText(text: string): string {
  return text.replace(/(\{[^}]*\}|https?:\/\/\S+|`[^`]*`|<[^>]*>)|([A-Za-z][A-Za-z']*)/g, (whole, kept: string | undefined, word: string | undefined) => (kept ? whole : pseudoWord(word ?? '')));
}

function serialize(parts: readonly MessagePart[]): string {
  return parts
    .map((part) => {
      if (typeof part === 'string') return pseudoText(part);
      if (part.kind === 'pound') return '#';
      if (part.kind === 'arg') return `{${part.name}${part.type ? `, ${part.type}${part.style ? `, ${part.style}` : ''}` : ''}}`;
      return `{${part.name}, ${part.kind}, ${Object.entries(part.branches).map(([key, branch]) => `${key} {${serialize(branch)}}`).join(' ')}}`;
    })
    .join('');
}

/** A message made pseudo: its literal runs only, so placeholders and plural cases still work. */
export const pseudoMessage = (text: string): string => serialize(parseMessage(text));

type Node = unknown;
/** Every `{en: text}` gets an en-XA beside it (`make` says how); walks everything but `skip`ped keys. */
function addPseudo(node: Node, make: (text: string) => string, skip: ReadonlySet<string> = new Set()): void {
  if (Array.isArray(node)) return node.forEach((n) => addPseudo(n, make, skip));
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record.en === 'string') record[PSEUDO] = make(record.en);
  else if (Array.isArray(record.en) && record.en.every((x) => typeof x === 'string')) record[PSEUDO] = [...record.en];
  for (const [key, value] of Object.entries(record)) if (!skip.has(key) && key !== PSEUDO) addPseudo(value, make, skip);
}

function pseudoTree(node: Node): Node {
  if (typeof node === 'string') return pseudoMessage(node);
  if (Array.isArray(node)) return [...node];
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, pseudoTree(v)]));
  return node;
}

/** A content folder (rubric, flows, locales) offering en, fr and en-XA; the caller removes it. */
export async function pseudoContent(): Promise<string> {
  const dir = await tempDir('govstage-pseudo-');
  for (const sub of ['rubric', 'flows', 'locales']) await cp(path.join(ROOT, sub), path.join(dir, sub), { recursive: true });
  const flowFile = path.join(dir, 'flows/principle-2.yaml');
  const flow = parseYaml(await readFile(flowFile, 'utf8')) as Record<string, unknown> & { locales: string[]; text: Record<string, Record<string, string>>; replies: Record<string, unknown> };
  flow.locales = [...flow.locales, PSEUDO];
  addPseudo(flow, pseudoText, new Set(['text', 'replies', 'synonyms']));
  flow.text[PSEUDO] = Object.fromEntries(Object.entries(flow.text.en ?? {}).map(([key, text]) => [key, pseudoMessage(text)]));
  flow.replies[PSEUDO] = flow.replies.en;
  await writeFile(flowFile, stringify(flow));
  const rubricFile = path.join(dir, 'rubric/principle-2.yaml');
  const rubric = parseYaml(await readFile(rubricFile, 'utf8')) as { oecd: { characteristics: { id: string; text: string }[]; policies: { id: string; text: string }[] }; govstage: Record<string, unknown> & { translations: Record<string, unknown> } };
  addPseudo(rubric.govstage, pseudoText, new Set(['translations']));
  rubric.govstage.translations[PSEUDO] = {
    characteristics: Object.fromEntries(rubric.oecd.characteristics.map((c) => [c.id, pseudoText(c.text)])),
    policies: Object.fromEntries(rubric.oecd.policies.map((p) => [p.id, pseudoText(p.text)])),
  };
  await writeFile(rubricFile, stringify(rubric));
  const en = parseYaml(await readFile(path.join(dir, 'locales/en.yaml'), 'utf8')) as Node;
  await writeFile(path.join(dir, `locales/${PSEUDO}.yaml`), stringify(pseudoTree(en)));
  return dir;
}
