/**
 * `.env` support for the entry points (`npm start`, the CLIs): the file is
 * read when present and fills in only the variables the real environment
 * does not set, so the environment always wins. Node's own parser
 * (util.parseEnv, Node 20.12+) reads it, with the same syntax as `node
 * --env-file`; that flag is not used because `--env-file-if-exists` arrived
 * only in a later Node 20 minor than the ones supported.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/** Loads `file` (default ./.env) into `env`; returns the names it set, or undefined when there is no file. */
export function loadEnvFile(file = '.env', env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(path.resolve(file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}
