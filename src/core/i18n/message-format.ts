/**
 * The message syntax of every interface text (the flow's `text` table and the
 * locale catalogues): a subset of ICU MessageFormat, formatted with the
 * platform's Intl, so that it runs the same on the server and in the widget
 * (which is why it is ours and small rather than a library: intl-messageformat
 * alone would be most of the widget's gzip budget).
 *
 *   {name}                                   the value as is
 *   {name, number}                           Intl.NumberFormat
 *   {name, date, short|medium|long|full}     Intl.DateTimeFormat's dateStyle (the value: an ISO string or a Date)
 *   {name, time, short|medium}               Intl.DateTimeFormat's timeStyle
 *   {name, plural, =0 {…} one {…} other {…}}  Intl.PluralRules; `#` inside is the number
 *   {name, select, a {…} other {…}}           by the value
 *
 * Unlike ICU, an apostrophe is always a plain apostrophe ("l'OCDE", "don't"):
 * there is no quoting, so a literal brace cannot be written.
 */

export type MessagePart =
  | string
  | { kind: 'pound' }
  | { kind: 'arg'; name: string; type?: 'number' | 'date' | 'time'; style?: string }
  | { kind: 'plural'; name: string; branches: Record<string, MessagePart[]> }
  | { kind: 'select'; name: string; branches: Record<string, MessagePart[]> };

export type MessageValues = Record<string, string | number | Date>;

export class MessageSyntaxError extends Error {}

const NAME = /^[A-Za-z_][\w.]*$/;
const DATE_STYLES = ['short', 'medium', 'long', 'full'];

/** Parses a message; throws MessageSyntaxError saying what is wrong. */
export function parseMessage(text: string): MessagePart[] {
  let i = 0;
  const fail = (why: string): never => {
    throw new MessageSyntaxError(`${why} (at character ${i + 1})`);
  };
  const word = (): string => {
    while (text[i] === ' ') i++;
    const start = i;
    while (i < text.length && !/[\s,{}]/.test(text[i] as string)) i++;
    return text.slice(start, i);
  };
  const skip = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  // Parts up to the end, or up to the `}` closing a branch (`inBranch`); `#` is the number inside a plural.
  const parts = (inBranch: boolean, inPlural: boolean): MessagePart[] => {
    const out: MessagePart[] = [];
    let literal = '';
    const flush = () => {
      if (literal) out.push(literal);
      literal = '';
    };
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === '}') {
        if (!inBranch) fail('a "}" that closes nothing');
        break;
      }
      if (ch === '#' && inPlural) {
        flush();
        out.push({ kind: 'pound' });
        i++;
      } else if (ch === '{') {
        flush();
        i++;
        out.push(argument());
      } else {
        literal += ch;
        i++;
      }
    }
    if (inBranch && text[i] !== '}') fail('a "{" that is never closed');
    flush();
    return out;
  };
  const argument = (): MessagePart => {
    const name = word();
    if (!NAME.test(name)) fail(`"${name}" is not a placeholder name`);
    skip();
    if (text[i] === '}') {
      i++;
      return { kind: 'arg', name };
    }
    if (text[i] !== ',') fail(`expected "," or "}" after "{${name}"`);
    i++;
    const type = word();
    skip();
    if (type === 'plural' || type === 'select') {
      if (text[i] !== ',') fail(`expected "," after "${type}"`);
      i++;
      const branches: Record<string, MessagePart[]> = {};
      for (;;) {
        skip();
        if (i >= text.length) fail(`a "{" that is never closed`);
        if (text[i] === '}') break;
        const key = word();
        if (!key) fail(`expected a ${type} case`);
        if (Object.hasOwn(branches, key)) fail(`the case "${key}" is given twice`);
        skip();
        if (text[i] !== '{') fail(`expected "{" after the case "${key}"`);
        i++;
        branches[key] = parts(true, type === 'plural');
        i++;
      }
      i++;
      if (!Object.hasOwn(branches, 'other')) fail(`{${name}, ${type}} needs an "other" case`);
      return type === 'plural' ? { kind: 'plural', name, branches } : { kind: 'select', name, branches };
    }
    if (type !== 'number' && type !== 'date' && type !== 'time') fail(`unknown format "${type}" (number, date, time, plural or select)`);
    let style: string | undefined;
    if (text[i] === ',') {
      i++;
      style = word();
      skip();
    }
    if (type !== 'number' && !DATE_STYLES.includes(style ?? '')) fail(`{${name}, ${type}} needs a style: ${DATE_STYLES.join(', ')}`);
    if (text[i] !== '}') fail(`expected "}" to close "{${name}, ${type}"`);
    i++;
    return { kind: 'arg', name, type: type as 'number' | 'date' | 'time', ...(style ? { style } : {}) };
  };
  return parts(false, false);
}

/** Every placeholder a message uses, and the plural cases it gives (to check them against the locale's rules). */
export function placeholdersOf(parts: readonly MessagePart[], into = new Set<string>(), cases: string[] = []): { names: Set<string>; pluralCases: string[] } {
  for (const part of parts) {
    if (typeof part === 'string' || part.kind === 'pound') continue;
    into.add(part.name);
    if (part.kind === 'plural' || part.kind === 'select') {
      for (const [key, branch] of Object.entries(part.branches)) {
        if (part.kind === 'plural') cases.push(key);
        placeholdersOf(branch, into, cases);
      }
    }
  }
  return { names: into, pluralCases: cases };
}

export interface FormatOptions {
  locale: string;
  /** For dates and times (the server renders in UTC and says so). */
  timeZone?: string;
}

let cache: Map<string, MessagePart[]> | undefined;

/**
 * Formats a message with its values. A placeholder without a value is left
 * as written (`{name}`), so that a missing value shows rather than vanishes;
 * the catalogues' validation makes sure the messages and their callers agree.
 */
export function formatMessage(text: string, values: MessageValues, options: FormatOptions): string {
  cache ??= new Map();
  let parts = cache.get(text);
  if (!parts) {
    parts = parseMessage(text);
    if (cache.size > 2000) cache.clear();
    cache.set(text, parts);
  }
  return renderParts(parts, values, options);
}

/**
 * Formats a message already parsed: the widget gets its words parsed by the
 * server, so that the parser (and its error messages) stays out of its bundle.
 */
export function renderParts(parts: readonly MessagePart[], values: MessageValues, options: FormatOptions, pound?: number): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    if (part.kind === 'pound') {
      out += pound === undefined ? '#' : new Intl.NumberFormat(options.locale).format(pound);
      continue;
    }
    const value = Object.hasOwn(values, part.name) ? values[part.name] : undefined;
    if (value === undefined) {
      out += `{${part.name}}`;
      continue;
    }
    if (part.kind === 'plural') {
      const n = Number(value);
      const exact = `=${n}`;
      const key = Object.hasOwn(part.branches, exact) ? exact : new Intl.PluralRules(options.locale).select(n);
      out += renderParts(part.branches[key] ?? part.branches.other ?? [], values, options, n);
    } else if (part.kind === 'select') {
      const key = String(value);
      out += renderParts((Object.hasOwn(part.branches, key) ? part.branches[key] : part.branches.other) ?? [], values, options, pound);
    } else if (part.type === 'number') {
      out += new Intl.NumberFormat(options.locale).format(Number(value));
    } else if (part.type === 'date' || part.type === 'time') {
      const date = value instanceof Date ? value : new Date(String(value));
      const style = part.style as 'short' | 'medium' | 'long' | 'full';
      out += Number.isNaN(date.getTime())
        ? String(value)
        : new Intl.DateTimeFormat(options.locale, { ...(part.type === 'date' ? { dateStyle: style } : { timeStyle: style }), ...(options.timeZone ? { timeZone: options.timeZone } : {}) }).format(date);
    } else {
      out += String(value);
    }
  }
  return out;
}
