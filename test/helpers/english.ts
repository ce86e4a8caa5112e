/**
 * "Nothing English in the French": the phrases of the English catalogue
 * (locales/en.yaml) and of the flow's English texts (its text table,
 * questions, options, help, short labels, the unit question) that no French
 * text also uses, and a check that a French rendering contains none of
 * them. The OECD's English originals are the one English allowed (they are
 * shown labelled, beside our translation): they are taken out first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseMessage, type MessagePart } from '../../src/core/i18n/message-format.js';
import { ROOT } from './server.js';

type Tree = { [key: string]: unknown };

/** Every string under a YAML tree (lists and nested maps included). */
function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) for (const item of node) strings(item, out);
  else if (node && typeof node === 'object') for (const value of Object.values(node)) strings(value, out);
  return out;
}

/** A flow's or rubric's texts for one locale: every `{<locale>: text}` found, and its text and replies tables. */
function localized(node: unknown, locale: string, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) localized(item, locale, out);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Tree)) {
      if (key === locale) strings(value, out);
      else if (key !== 'oecd' && key !== 'replies' && key !== 'synonyms') localized(value, locale, out);
    }
  }
  return out;
}

/** The literal runs of a message, placeholders taken out (a plural's branches each give theirs). */
function literals(text: string): string[] {
  let parts: MessagePart[];
  try {
    parts = parseMessage(text);
  } catch {
    return [text];
  }
  const out: string[] = [];
  const walk = (list: readonly MessagePart[]) => {
    for (const part of list) {
      if (typeof part === 'string') out.push(part);
      else if (part.kind === 'plural' || part.kind === 'select') for (const branch of Object.values(part.branches)) walk(branch);
    }
  };
  walk(parts);
  return out;
}

const tidy = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
const read = (file: string) => parseYaml(readFileSync(path.join(ROOT, file), 'utf8')) as Tree;

/** The OECD's own English: characteristics, policies, the source's publisher and title. */
export function oecdOriginals(): string[] {
  const rubric = read('rubric/principle-2.yaml') as { oecd: { source: { publisher: string; title: string }; characteristics: { text: string }[]; policies: { text: string }[] } };
  return [...rubric.oecd.characteristics.map((c) => c.text), ...rubric.oecd.policies.map((p) => p.text), rubric.oecd.source.title].map(tidy).sort((a, b) => b.length - a.length);
}

const OWN_NAMES = new Set(['English']);

let cached: string[] | undefined;
/**
 * English-only phrases: literal runs of the English texts, split at
 * sentence punctuation, of two words or more (or one long word), that no
 * French text contains (shared words such as "Markdown", "JSON" or
 * `npm run chat -- --resume CODE` are not English-only).
 */
export function englishPhrases(): string[] {
  if (cached) return cached;
  const catalogue = { en: read('locales/en.yaml'), fr: read('locales/fr.yaml') };
  const flow = read('flows/principle-2.yaml');
  const rubric = read('rubric/principle-2.yaml');
  const english = [...strings(catalogue.en), ...localized(flow, 'en'), ...localized((rubric as { govstage: unknown }).govstage, 'en')];
  const french = tidy([...strings(catalogue.fr), ...localized(flow, 'fr'), ...localized((rubric as { govstage: unknown }).govstage, 'fr')].join('\n'));
  const phrases = new Set<string>();
  for (const text of english) {
    for (const run of literals(text)) {
      for (const piece of run.split(/[.;:!?()“”"«»\n•]+/)) {
        const phrase = tidy(piece).replace(/^[-–,*_`\s]+|[-–,*_`\s]+$/g, '');
        const words = phrase.split(' ').filter((w) => /\p{L}{2,}/u.test(w));
        if (words.length < 2 && !(words.length === 1 && phrase.length >= 7)) continue;
        // A language's name in its own language (the switch, the help's list) is not English left over.
        if (french.includes(phrase) || OWN_NAMES.has(phrase)) continue;
        phrases.add(phrase);
      }
    }
  }
  cached = [...phrases];
  return cached;
}

/** The English-only phrases in `text` (a French rendering), the OECD's originals taken out first. */
export function englishIn(text: string, allowed: readonly string[] = []): string[] {
  let rest = tidy(text);
  for (const original of [...oecdOriginals(), ...allowed.map(tidy)]) rest = rest.split(original).join(' ');
  return englishPhrases().filter((phrase) => (phrase.includes(' ') ? rest.includes(phrase) : new RegExp(`(?<![\\p{L}])${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}])`, 'u').test(rest)));
}

/** Fails, listing them, if a French rendering has English in it. */
export function expectNoEnglish(text: string, where: string, allowed: readonly string[] = []): void {
  expect(englishIn(text, allowed), `English in the French ${where}`).toEqual([]);
}
