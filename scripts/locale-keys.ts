/**
 * Generates src/i18n/keys.ts from locales/en.yaml: the keys and placeholders
 * of every interface text, which the code is typed from and every locale is
 * checked against. Run after adding, removing or renaming a key or a
 * placeholder in the English catalogue:
 *
 *   npm run locales:keys            (writes the file)
 *   npm run locales:keys -- --check (fails if the file is out of date)
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readCatalogueFile, signatureOf, SOURCE_LOCALE } from '../src/i18n/catalogue.js';

const ROOT = path.resolve(import.meta.dirname, '..');
export const KEYS_FILE = path.join(ROOT, 'src/i18n/keys.ts');

/** The text of keys.ts for the English catalogue under `root`. */
export async function keysSource(root = ROOT): Promise<string> {
  const { entries, problems } = await readCatalogueFile(path.join(root, 'locales', `${SOURCE_LOCALE}.yaml`));
  if (problems.length > 0) throw new Error(problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join('\n'));
  const { messages, lists } = signatureOf(entries);
  const q = (s: string) => `'${s}'`;
  const lines = Object.entries(messages).map(([key, names]) => `    ${q(key)}: [${names.map(q).join(', ')}],`);
  return [
    '/**',
    ` * Generated from locales/${SOURCE_LOCALE}.yaml by \`npm run locales:keys\`: do not edit.`,
    ' * Every message key with its placeholders, and the keys that are word lists:',
    ' * the code is typed from these (src/i18n/words.ts), and every catalogue is',
    ' * checked against them at start-up and by `npm run validate`.',
    ' */',
    'export const SIGNATURE = {',
    '  messages: {',
    ...lines,
    '  },',
    `  lists: [${lists.map(q).join(', ')}],`,
    '} as const;',
    '',
  ].join('\n');
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  const check = process.argv.includes('--check');
  keysSource().then(
    async (source) => {
      const current = await readFile(KEYS_FILE, 'utf8').catch(() => '');
      if (current === source) return void process.stdout.write(`${path.relative(ROOT, KEYS_FILE)} is up to date\n`);
      if (check) {
        process.stderr.write(`${path.relative(ROOT, KEYS_FILE)} is out of date: run npm run locales:keys\n`);
        process.exitCode = 1;
        return;
      }
      await writeFile(KEYS_FILE, source);
      process.stdout.write(`wrote ${path.relative(ROOT, KEYS_FILE)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
