/**
 * Which text Govstage accepts, in one place for every layer: the HTTP
 * schemas, the turn pipeline (so Slack and the terminal get the same rule)
 * and the stores (so both backends refuse what one of them could not keep).
 *
 * Refused: NUL and the other C0 control characters except tab, line feed
 * and carriage return (nobody types them; they corrupt terminals, CSV cells
 * and logs), and unpaired UTF-16 surrogates (not Unicode text at all:
 * PostgreSQL's jsonb refuses them, and so does NUL).
 */

export type TextProblem = 'nul' | 'control' | 'surrogate';

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Either of the above, or a paired surrogate: one quick test that nearly every string passes (stores check every string written). */
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF]/;

/** What is wrong with `text`, or undefined when it is fine. */
export function textProblem(text: string): TextProblem | undefined {
  if (!SUSPECT.test(text)) return undefined;
  if (text.includes('\u0000')) return 'nul';
  if (CONTROL.test(text)) return 'control';
  if (LONE_SURROGATE.test(text)) return 'surrogate';
  return undefined;
}

/** Says what is wrong, after the name of the field ("body.text contains …"). */
export const TEXT_PROBLEMS: Readonly<Record<TextProblem, string>> = {
  nul: 'contains a NUL character',
  control: 'contains a control character (only tab and line breaks are allowed)',
  surrogate: 'is not valid Unicode text (it has an unpaired surrogate)',
};

/**
 * The first string anywhere in `value` (objects and arrays, keys included)
 * that has a problem, with its path. `checked`, when given, is a value whose
 * every string was checked and which cannot change (frozen): what `value`
 * shares with it at the same place (the same object, or the same string) is
 * skipped, so a record built from the last one is walked only where it is new.
 */
export function findTextProblem(value: unknown, checked?: unknown): { path: (string | number)[]; problem: TextProblem } | undefined {
  const path: (string | number)[] = [];
  const problem = search(value, checked, path);
  // The path is collected on the way back out, so a clean record (the usual case) allocates nothing for it.
  return problem ? { path: path.reverse(), problem } : undefined;
}

function search(value: unknown, checked: unknown, path: (string | number)[]): TextProblem | undefined {
  if (checked !== undefined && value === checked) return undefined;
  if (typeof value === 'string') return textProblem(value);
  if (Array.isArray(value)) {
    const checkedItems: readonly unknown[] | undefined = Array.isArray(checked) ? checked : undefined;
    for (let i = 0; i < value.length; i++) {
      const problem = search(value[i], checkedItems?.[i], path);
      if (problem) {
        path.push(i);
        return problem;
      }
    }
  } else if (typeof value === 'object' && value !== null) {
    const checkedFields = typeof checked === 'object' && checked !== null && !Array.isArray(checked) ? (checked as Record<string, unknown>) : undefined;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const problem = textProblem(key) ?? search((value as Record<string, unknown>)[key], checkedFields && Object.hasOwn(checkedFields, key) ? checkedFields[key] : undefined, path);
      if (problem) {
        path.push(key);
        return problem;
      }
    }
  }
  return undefined;
}
