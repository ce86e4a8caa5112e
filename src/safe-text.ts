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

/** What is wrong with `text`, or undefined when it is fine. */
export function textProblem(text: string): TextProblem | undefined {
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

/** The first string anywhere in `value` (objects and arrays, keys included) that has a problem, with its path. */
export function findTextProblem(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; problem: TextProblem } | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path, problem } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findTextProblem(value[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      const problem = textProblem(key);
      if (problem) return { path: [...path, key], problem };
      const found = findTextProblem(inner, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}
