/**
 * The locale catalogues and the message syntax: the real catalogues load;
 * every kind of mistake in a locale is named with its file and path; a
 * third language is a data change whose gaps `npm run validate` lists.
 */
import { spawnSync } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { formatMessage, MessageSyntaxError, parseMessage } from '../../src/core/i18n/message-format.js';
import { acceptLanguages, languageName, negotiateLocale } from '../../src/core/i18n/negotiate.js';
import { loadLocales } from '../../src/i18n/words.js';
import { keysSource, KEYS_FILE } from '../../scripts/locale-keys.js';
import { ROOT, tempDir } from '../helpers/server.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A copy of the content (rubric, flows, locales) to break. */
async function contentCopy(): Promise<string> {
  const dir = await tempDir('govstage-locales-');
  dirs.push(dir);
  for (const sub of ['rubric', 'flows', 'locales']) await cp(path.join(ROOT, sub), path.join(dir, sub), { recursive: true });
  return dir;
}

const FLOW = { locales: ['en', 'fr'], defaultLocale: 'en' };

async function problemsOf(root: string, flow = FLOW): Promise<string> {
  try {
    await loadLocales(root, flow);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

async function editYaml(file: string, edit: (data: Record<string, Record<string, unknown>>) => void): Promise<void> {
  const data = parseYaml(await readFile(file, 'utf8')) as Record<string, Record<string, unknown>>;
  edit(data);
  await writeFile(file, stringify(data));
}

describe('the message syntax', () => {
  const fmt = (text: string, values: Record<string, string | number>, locale = 'en') => formatMessage(text, values, { locale, timeZone: 'UTC' });

  it('fills placeholders, plurals by the locale\'s rules, selects, numbers and dates', () => {
    const plural = '{n, plural, one {# question} other {# questions}}';
    expect(fmt(plural, { n: 1 })).toBe('1 question');
    expect(fmt(plural, { n: 0 })).toBe('0 questions');
    // French: 0 and 1 are singular.
    expect(fmt(plural, { n: 0 }, 'fr')).toBe('0 question');
    expect(fmt(plural, { n: 1500 }, 'fr')).toBe('1\u202f500 questions');
    expect(fmt('{n, plural, =0 {none} one {one} other {#}}', { n: 0 })).toBe('none');
    expect(fmt('{kind, select, a {Alpha} other {Other: {kind}}}', { kind: 'b' })).toBe('Other: b');
    expect(fmt('{n, number}', { n: 2000 }, 'fr')).toBe('2\u202f000');
    expect(fmt('{d, date, long}', { d: '2025-03-04T10:00:00Z' }, 'fr')).toBe('4 mars 2025');
    expect(fmt('{d, time, short}', { d: '2025-03-04T10:05:00Z' }, 'fr')).toBe('10:05');
    expect(fmt('Govstage\'s {x}, l\'OCDE', { x: 'y' })).toBe("Govstage's y, l'OCDE");
    // A value not given shows as its placeholder rather than vanishing.
    expect(fmt('Hello {name}', {})).toBe('Hello {name}');
  });

  it('says what is wrong with a broken message', () => {
    for (const [text, why] of [
      ['{n, plural, one {x}}', 'needs an "other" case'],
      ['Hello {name', 'expected "," or "}"'],
      ['{n, plural, one {x} other {y}', 'never closed'],
      ['a } b', 'closes nothing'],
      ['{d, date}', 'needs a style'],
      ['{n, money}', 'unknown format'],
    ] as const) {
      expect(() => parseMessage(text), text).toThrow(MessageSyntaxError);
      expect(() => parseMessage(text), text).toThrow(why);
    }
  });
});

describe('choosing a locale', () => {
  it('serves a regional tag the language, and reads Accept-Language in order of preference', () => {
    expect(negotiateLocale(['en', 'fr'], ['fr-CA'])).toBe('fr');
    expect(negotiateLocale(['en', 'fr'], ['fr_FR'])).toBe('fr');
    expect(negotiateLocale(['en', 'fr'], ['de', 'FR'])).toBe('fr');
    expect(negotiateLocale(['en', 'fr-CA'], ['fr'])).toBe('fr-CA');
    expect(negotiateLocale(['en', 'fr'], ['de', undefined, ''])).toBeUndefined();
    expect(acceptLanguages('de;q=0.5, fr-CA, en;q=0.8, *;q=0.1')).toEqual(['fr-CA', 'en', 'de']);
    expect(languageName('fr')).toBe('Français');
    expect(languageName('en')).toBe('English');
  });
});

describe('the locale catalogues', () => {
  it('load: every locale the flow offers has every key of English, with the same placeholders', async () => {
    const locales = await loadLocales(ROOT, FLOW);
    expect(locales.offered).toEqual(['en', 'fr']);
    expect(locales.words('fr').t('widget.send')).toBe('Envoyer');
    expect(locales.words('fr-CA').locale).toBe('fr');
    expect(locales.words('de').locale).toBe('en');
    expect(locales.words('fr').t('slack.forgotten', { count: 2 })).toContain('2 évaluations ont été supprimées');
    expect(locales.anyLocale('commands.help')).toEqual(['help', 'aide']);
  });

  it('src/i18n/keys.ts is what npm run locales:keys makes of locales/en.yaml', async () => {
    expect(await readFile(KEYS_FILE, 'utf8')).toBe(await keysSource());
    const check = spawnSync('npm', ['run', 'locales:keys', '--silent', '--', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('src/i18n/keys.ts is up to date');
  });

  it('name every mistake of a locale with its file and path', async () => {
    const root = await contentCopy();
    const fr = path.join(root, 'locales/fr.yaml');
    await editYaml(fr, (data) => {
      delete (data.widget as Record<string, unknown>).send;
      (data.widget as Record<string, unknown>).sned = 'Envoyer';
      (data.widget as Record<string, unknown>).current = 'Votre réponse actuelle';
      (data.widget as Record<string, unknown>).note = 'Note : {note} {extra}';
      (data.slack as Record<string, unknown>).forgotten = '{count, plural, one {#} few {#} other {#}}';
      (data.slack as Record<string, unknown>).gone = '{oops';
      (data.commands as Record<string, unknown>).help = 'aide';
    });
    const message = await problemsOf(root);
    for (const line of [
      'fr.yaml: widget.send: is missing (locales/en.yaml has it)',
      'fr.yaml: widget.sned: is not a key of locales/en.yaml',
      'fr.yaml: widget.current: lacks the placeholder {answer}',
      'fr.yaml: widget.note: uses a placeholder {extra}',
      'fr.yaml: slack.forgotten: plural case "few" is not one of fr\'s',
      'fr.yaml: slack.gone: is not a valid message',
      'fr.yaml: commands.help: must be a list of words',
    ]) expect(message).toContain(line);
  });

  it('refuse a flow locale without a catalogue, and an English catalogue the code was not regenerated from', async () => {
    const root = await contentCopy();
    expect(await problemsOf(root, { locales: ['en', 'fr', 'de'], defaultLocale: 'en' })).toMatch(/de\.yaml: \(file\): is missing: the flow offers "de"/);
    await editYaml(path.join(root, 'locales/en.yaml'), (data) => {
      (data.widget as Record<string, unknown>).brandNew = 'New';
    });
    expect(await problemsOf(root)).toContain('en.yaml: widget.brandNew: is not a key of src/i18n/keys.ts (run npm run locales:keys after changing en.yaml)');
  });

  it('a third language is a data change: npm run validate lists every gap, in the flow, the rubric and the catalogue, then passes', async () => {
    const root = await contentCopy();
    const flowFile = path.join(root, 'flows/principle-2.yaml');
    const flowText = await readFile(flowFile, 'utf8');
    await writeFile(flowFile, flowText.replace(/^locales: \[en, fr\]$/m, 'locales: [en, fr, de]'));
    const en = parseYaml(await readFile(path.join(ROOT, 'locales/en.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    // Half done: the widget translated (here: copied), the rest not yet.
    await writeFile(path.join(root, 'locales/de.yaml'), stringify({ widget: en.widget }));
    const validate = () => spawnSync('npm', ['run', 'validate', '--silent', '--', root], { cwd: ROOT, encoding: 'utf8' });
    const first = validate();
    expect(first.status).toBe(1);
    // The flow's texts, the rubric's, and the catalogue's, each with file and path.
    expect(first.stderr).toMatch(/principle-2\.yaml: text: missing the "de" text/);
    expect(first.stderr).toMatch(/principle-2\.yaml: questions\[0\]\.prompt: missing the "de" text/);
    expect(first.stderr).toMatch(/de\.yaml: report\.kicker: is missing \(locales\/en\.yaml has it\)/);
    expect(first.stderr).toMatch(/de\.yaml: slack\.gone: is missing/);
    expect(first.stderr).not.toMatch(/de\.yaml: widget\./);

    // Filling every gap (with the English words, as a translator's first draft would start) makes it pass.
    await writeFile(path.join(root, 'locales/de.yaml'), await readFile(path.join(ROOT, 'locales/en.yaml'), 'utf8'));
    const flow = parseYaml(await readFile(flowFile, 'utf8')) as Record<string, unknown>;
    const addDe = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(addDe);
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      if (typeof record.en === 'string' && typeof record.fr === 'string') record.de = record.en;
      for (const value of Object.values(record)) addDe(value);
    };
    addDe(flow);
    const tables = flow as { text: Record<string, unknown>; replies: Record<string, unknown> };
    tables.text.de = tables.text.en;
    tables.replies.de = tables.replies.en;
    await writeFile(flowFile, stringify(flow));
    const rubricFile = path.join(root, 'rubric/principle-2.yaml');
    const rubric = parseYaml(await readFile(rubricFile, 'utf8')) as Record<string, unknown>;
    addDe(rubric);
    await writeFile(rubricFile, stringify(rubric));
    const second = validate();
    expect(second.stderr).toBe('');
    expect(second.stdout).toContain('locales en, fr, de');
  });
});
