/**
 * The locale catalogues: `locales/<locale>.yaml`, every word a person reads
 * that is not the conversation itself (the widget, the report page and
 * downloads, the terminal, Slack, Teams, error messages, the coordinator's
 * page). Loaded and validated at start-up and by `npm run validate`: a key
 * missing in a locale, one it has that English does not, or a placeholder
 * missing or extra fails, with file and path. The keys and placeholders are
 * those of English (locales/en.yaml), from which src/i18n/keys.ts is
 * generated (`npm run locales:keys`) so that code is typed from them.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type DataProblem, problemsError, readDataFile } from '../core/data-file.js';
import { MessageSyntaxError, parseMessage, placeholdersOf } from '../core/i18n/message-format.js';
import { GovError } from '../errors.js';

/** The locale every other is checked against, and the fallback. */
export const SOURCE_LOCALE = 'en';
const LOCALE_FILE = /^([a-z]{2}(?:-[A-Z]{2})?)\.ya?ml$/;
const Segment = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$/, 'must be a key of letters and digits (dots between parts)');

type Tree = { [key: string]: string | string[] | Tree };
const TreeNode: z.ZodType<Tree> = z.lazy(() => z.record(Segment, z.union([z.string().min(1, 'must not be empty'), z.array(z.string().trim().min(1)).min(1, 'must list at least one word'), TreeNode])));
/** A catalogue file: sections (widget, report, slack…) of messages and word lists, nested maps allowed. */
export const CatalogueFile = z.record(Segment, TreeNode);

/** A flattened catalogue: "section.key" → a message, or a list of words. */
export type Entries = ReadonlyMap<string, string | readonly string[]>;

/** What the code expects of every catalogue: each message's placeholders, and which keys are word lists. */
export interface Signature {
  messages: Readonly<Record<string, readonly string[]>>;
  lists: readonly string[];
}

function flatten(tree: Tree, prefix: string, out: Map<string, string | string[]>, problems: DataProblem[], file: string): void {
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string' || Array.isArray(value)) {
      if (out.has(full)) problems.push({ file, path: full, message: 'is given twice (once nested, once with dots)' });
      out.set(full, value);
    } else flatten(value, full, out, problems, file);
  }
}

/** The signature a catalogue's own entries have (what keys.ts is generated from). */
export function signatureOf(entries: Entries): Signature {
  const messages: Record<string, string[]> = {};
  const lists: string[] = [];
  for (const [key, value] of entries) {
    if (typeof value === 'string') messages[key] = [...placeholdersOf(parseMessage(value)).names].sort();
    else lists.push(key);
  }
  return { messages, lists };
}

/** Every problem of one locale's entries against the expected signature (each with its path in the file). */
export function checkEntries(locale: string, entries: Entries, expected: Signature, file: string, source = `locales/${SOURCE_LOCALE}.yaml`): DataProblem[] {
  const problems: DataProblem[] = [];
  const add = (p: string, message: string) => problems.push({ file, path: p, message });
  let categories: readonly string[] = [];
  try {
    categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
  } catch {
    add('(file name)', `"${locale}" is not a locale this platform knows`);
  }
  const lists = new Set(expected.lists);
  for (const key of [...Object.keys(expected.messages), ...expected.lists]) {
    if (!entries.has(key)) add(key, `is missing (${source} has it)`);
  }
  for (const [key, value] of entries) {
    const wantsList = lists.has(key);
    const wanted = Object.hasOwn(expected.messages, key) ? expected.messages[key] : undefined;
    if (!wantsList && !wanted) {
      add(key, `is not a key of ${source} (misspelt, or left over?)`);
      continue;
    }
    if (wantsList !== Array.isArray(value)) {
      add(key, wantsList ? 'must be a list of words' : 'must be a message (a string), not a list');
      continue;
    }
    if (typeof value !== 'string' || !wanted) continue;
    let parsed;
    try {
      parsed = parseMessage(value);
    } catch (error) {
      if (!(error instanceof MessageSyntaxError)) throw error;
      add(key, `is not a valid message: ${error.message}`);
      continue;
    }
    const { names, pluralCases } = placeholdersOf(parsed);
    for (const name of wanted) if (!names.has(name)) add(key, `lacks the placeholder {${name}} (${source} uses it)`);
    for (const name of names) if (!wanted.includes(name)) add(key, `uses a placeholder {${name}} that ${source} does not`);
    for (const c of pluralCases) {
      if (!/^=\d+$/.test(c) && !categories.includes(c)) add(key, `plural case "${c}" is not one of ${locale}'s (${categories.join(', ')}, or =N)`);
    }
  }
  return problems;
}

/** Reads one catalogue file, flattened; structural problems throw with file and path. */
export async function readCatalogueFile(file: string): Promise<{ entries: Entries; problems: DataProblem[] }> {
  const tree = await readDataFile(file, CatalogueFile);
  const out = new Map<string, string | string[]>();
  const problems: DataProblem[] = [];
  flatten(tree, '', out, problems, file);
  return { entries: out, problems };
}

/** Every catalogue under `root/locales`, checked against `expected`; all problems of all files are reported at once. */
export async function loadCatalogueEntries(root: string, expected: Signature): Promise<Map<string, Entries>> {
  const dir = path.join(root, 'locales');
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    throw problemsError(dir, [{ file: dir, path: '(folder)', message: `cannot be read: ${(error as Error).message}` }]);
  }
  const byLocale = new Map<string, Entries>();
  const problems: DataProblem[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const match = LOCALE_FILE.exec(name);
    if (!match) {
      if (/\.ya?ml$/.test(name)) problems.push({ file, path: '(file name)', message: 'must be named after its locale, like fr.yaml or fr-CA.yaml' });
      continue;
    }
    const locale = match[1] as string;
    try {
      const { entries, problems: own } = await readCatalogueFile(file);
      problems.push(...own, ...checkEntries(locale, entries, expected, file));
      byLocale.set(locale, entries);
    } catch (error) {
      const found = error instanceof GovError ? (error.details?.problems as DataProblem[] | undefined) : undefined;
      if (!found) throw error;
      problems.push(...found);
    }
  }
  if (!byLocale.has(SOURCE_LOCALE) && problems.length === 0) problems.push({ file: dir, path: '(folder)', message: `has no ${SOURCE_LOCALE}.yaml, the catalogue every other is checked against` });
  if (problems.length > 0) throw problemsError('The locale catalogues', problems);
  return byLocale;
}
