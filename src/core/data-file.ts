import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { GovError } from '../errors.js';

/** One problem found in a data file: where it is and what is wrong. */
export interface DataProblem {
  file: string;
  /** A dotted path inside the file, e.g. `oecd.characteristics[3].stage`. */
  path: string;
  message: string;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

export function problemsError(what: string, problems: DataProblem[]): GovError {
  const lines = problems.map((p) => `  ${p.file}: ${p.path}: ${p.message}`);
  return new GovError('INVALID_DATA', `${what} is invalid:\n${lines.join('\n')}`, { problems });
}

/** Parse YAML text and validate it with a zod schema; every problem names the file and the path. */
export function parseDataText<S extends z.ZodType>(file: string, text: string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const message = error instanceof YAMLParseError ? error.message.split('\n')[0] ?? error.message : String(error);
    throw problemsError(file, [{ file, path: '(syntax)', message }]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw problemsError(
      file,
      parsed.error.issues.map((issue) => ({ file, path: formatPath(issue.path), message: issue.message })),
    );
  }
  return parsed.data;
}

export async function readDataFile<S extends z.ZodType>(file: string, schema: S): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw problemsError(file, [{ file, path: '(file)', message: `cannot be read: ${(error as Error).message}` }]);
  }
  return parseDataText(file, text, schema);
}
