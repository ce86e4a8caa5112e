/**
 * The typed commands chat channels offer besides the assessment's own
 * replies: read here once, so "forget me" means the same in every channel.
 * Their words are the locale catalogues' `commands` lists, every offered
 * locale's at once (a French conversation still understands "status").
 * Anything else a person types is a reply for the assessment (`say`).
 */
import type { ListKey, Locales } from '../i18n/words.js';

export type PersonCommand =
  | { kind: 'start' }
  | { kind: 'status' }
  | { kind: 'report' }
  | { kind: 'help' }
  | { kind: 'forget-me' }
  | { kind: 'resume'; code: string }
  /** "resume" without a code: continue where the person is. */
  | { kind: 'continue' }
  /** "language fr": continue in another language (`locale` as typed; the channel negotiates it). */
  | { kind: 'language'; locale: string };

/** The verbs a command line can start with (Slack's /assess subcommands are these too). */
export type Verb = 'start' | 'status' | 'report' | 'help' | 'forget-me' | 'resume' | 'restart' | 'language' | 'group';

const LISTS: Record<Verb, ListKey> = {
  start: 'commands.start',
  status: 'commands.status',
  report: 'commands.report',
  help: 'commands.help',
  'forget-me': 'commands.forgetMe',
  resume: 'commands.resume',
  restart: 'commands.restart',
  language: 'commands.language',
  group: 'commands.group',
};

/** Case, accents and spacing aside. */
const tidy = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();

/** Every offered locale's words for each verb, longest first (so "forget me" wins over "forget"). */
export type CommandWords = readonly { verb: Verb; words: string }[];

export function commandWords(locales: Locales): CommandWords {
  const out: { verb: Verb; words: string }[] = [];
  for (const [verb, key] of Object.entries(LISTS) as [Verb, ListKey][]) for (const words of locales.anyLocale(key)) out.push({ verb, words: tidy(words) });
  return out.sort((a, b) => b.words.length - a.words.length);
}

/** The verb a line starts with and the rest (as typed); `verb` undefined when it starts with none. */
export function splitCommand(text: string, words: CommandWords): { verb: Verb | undefined; arg: string; first: string } {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const line = tidy(trimmed);
  const first = line.split(' ')[0] ?? '';
  for (const { verb, words: w } of words) {
    if (line === w) return { verb, arg: '', first };
    // The rest as typed: the words after as many as the command's.
    if (line.startsWith(`${w} `)) return { verb, arg: trimmed.split(' ').slice(w.split(' ').length).join(' '), first };
  }
  return { verb: undefined, arg: '', first };
}

/** The command a message is, or undefined when it is a reply for the assessment. */
export function personCommand(text: string, words: CommandWords): PersonCommand | undefined {
  const { verb, arg } = splitCommand(text, words);
  if (verb === 'resume') return arg ? { kind: 'resume', code: arg } : { kind: 'continue' };
  if (verb === 'language') return arg ? { kind: 'language', locale: arg } : undefined;
  if (arg) return undefined;
  switch (verb) {
    case 'start':
    case 'status':
    case 'report':
    case 'help':
    case 'forget-me':
      return { kind: verb };
    default:
      return undefined;
  }
}
