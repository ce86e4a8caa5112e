/**
 * The one way code reads the locale catalogues: `words.t('slack.gone')`,
 * typed from the English catalogue (src/i18n/keys.ts): a key that does not
 * exist, or a message called without the values its placeholders need, does
 * not compile.
 */
import path from 'node:path';
import { formatMessage, parseMessage, type MessagePart, type MessageValues } from '../core/i18n/message-format.js';
import { languageName, negotiateLocale } from '../core/i18n/negotiate.js';
import { problemsError, type DataProblem } from '../core/data-file.js';
import { GovError } from '../errors.js';
import { checkEntries, loadCatalogueEntries, readCatalogueFile, SOURCE_LOCALE, type Entries, type Signature } from './catalogue.js';
import { SIGNATURE } from './keys.js';

type Messages = typeof SIGNATURE.messages;
export type MessageKey = keyof Messages;
export type ListKey = (typeof SIGNATURE.lists)[number];
type Names<K extends MessageKey> = Messages[K][number];
/** The values a message needs: none, or one per placeholder. */
export type ArgsOf<K extends MessageKey> = [Names<K>] extends [never] ? [] : [Record<Names<K>, string | number | Date>];
export type Section = MessageKey extends `${infer S}.${string}` ? S : never;
/** A section's keys without the section's name ("widget.title" → "title"). */
export type KeyIn<S extends Section> = MessageKey extends infer K ? (K extends `${S}.${infer R}` ? R : never) : never;

export class Words {
  constructor(
    readonly locale: string,
    private readonly entries: Entries,
    /** Dates and times in messages: the server renders in UTC and says so. */
    private readonly timeZone = 'UTC',
  ) {}

  t<K extends MessageKey>(key: K, ...args: ArgsOf<K>): string {
    return this.format(key, (args[0] ?? {}) as MessageValues);
  }

  /** `t` for a key chosen at run time (an error's `say`), whose values the compiler cannot check. */
  format(key: MessageKey, values: MessageValues = {}): string {
    const text = this.entries.get(key);
    // Validated at start-up: every key is there as a message. A miss is a bug, shown as its key rather than a crash.
    if (typeof text !== 'string') return key;
    return formatMessage(text, values, { locale: this.locale, timeZone: this.timeZone });
  }

  list(key: ListKey): readonly string[] {
    const words = this.entries.get(key);
    return Array.isArray(words) ? words : [];
  }

  /** A section's messages as written (placeholders unfilled), for a page script that formats them itself. */
  section<S extends Section>(section: S): Record<KeyIn<S>, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of this.entries) if (typeof value === 'string' && key.startsWith(`${section}.`)) out[key.slice(section.length + 1)] = value;
    return out as Record<KeyIn<S>, string>;
  }

  /** A section's messages, parsed (placeholders unfilled), for a client that formats them itself: the widget (see renderParts). */
  parsedSection<S extends Section>(section: S): Record<KeyIn<S>, MessagePart[]> {
    const out: Record<string, MessagePart[]> = {};
    for (const [key, value] of this.entries) if (typeof value === 'string' && key.startsWith(`${section}.`)) out[key.slice(section.length + 1)] = parseMessage(value);
    return out as Record<KeyIn<S>, MessagePart[]>;
  }
}

/** The locale catalogues of a deployment: which locales are offered, and their words. */
export class Locales {
  private readonly words_ = new Map<string, Words>();

  constructor(
    catalogues: ReadonlyMap<string, Entries>,
    /** The locales the conversation is offered in (the flow's): the ones people can choose. */
    readonly offered: readonly string[],
    readonly defaultLocale: string = SOURCE_LOCALE,
  ) {
    for (const [locale, entries] of catalogues) this.words_.set(locale, new Words(locale, entries));
  }

  /** The offered locale that best fits what is asked (tags like "fr-CA" or "fr_FR", most wanted first); the default otherwise. */
  negotiate(requested: readonly (string | undefined | null)[]): string {
    return negotiateLocale(this.offered, requested) ?? this.defaultLocale;
  }

  /** The words of a locale (negotiated: "fr-CA" gets French), or of the default one. */
  words(locale: string | undefined | null): Words {
    const found = locale ? this.words_.get(locale) ?? this.words_.get(this.negotiate([locale])) : undefined;
    return found ?? (this.words_.get(this.defaultLocale) as Words);
  }

  /** Every offered locale with its name in its own language, for a language switch. */
  languages(): { locale: string; name: string }[] {
    return this.offered.map((locale) => ({ locale, name: languageName(locale) }));
  }

  /** A word list in every offered locale at once: typed commands are understood whatever the conversation's language. */
  anyLocale(key: ListKey): string[] {
    return [...new Set(this.offered.flatMap((locale) => [...this.words(locale).list(key)]))];
  }
}

const EXPECTED: Signature = SIGNATURE;

/**
 * Loads `root/locales`, checked against the keys the code is typed from,
 * and requires a catalogue for every locale the flows offer. Throws
 * INVALID_DATA listing every problem, with file and path.
 */
export async function loadLocales(root: string, flow: { locales: readonly string[]; defaultLocale: string }, flowFile = 'the flow'): Promise<Locales> {
  const offered = flow.locales;
  // English first, against the generated keys: an edit of en.yaml without `npm run locales:keys` is caught here.
  const sourceFile = path.join(root, 'locales', `${SOURCE_LOCALE}.yaml`);
  const source = await readCatalogueFile(sourceFile).catch(() => undefined);
  const problems: DataProblem[] = source ? [...source.problems, ...checkEntries(SOURCE_LOCALE, source.entries, EXPECTED, sourceFile, 'src/i18n/keys.ts (run npm run locales:keys after changing en.yaml)')] : [];
  if (problems.length > 0) throw problemsError('The locale catalogues', problems);
  const catalogues = await loadCatalogueEntries(root, EXPECTED);
  const missing = offered.filter((locale) => !catalogues.has(locale));
  if (missing.length > 0) {
    throw problemsError(
      'The locale catalogues',
      missing.map((locale) => ({ file: path.join(root, 'locales', `${locale}.yaml`), path: '(file)', message: `is missing: ${flowFile} offers "${locale}", so every interface text needs a "${locale}" catalogue (copy en.yaml and translate it)` })),
    );
  }
  if (!catalogues.has(SOURCE_LOCALE)) throw new GovError('INVALID_DATA', `No ${SOURCE_LOCALE}.yaml in ${path.join(root, 'locales')}`);
  return new Locales(catalogues, offered, flow.defaultLocale);
}
