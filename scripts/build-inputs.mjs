// What `npm run build` is made from, and a hash of it: dist/build-info.json
// records the hash, so `npm start` can tell whether dist/ is stale. Plain
// JavaScript (no TypeScript, no dependencies): scripts/ensure-build.mjs runs
// before `npm start` where tsx and esbuild may not be installed.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const BUILD_INFO = path.join(ROOT, 'dist', 'build-info.json');
/** Folders and files whose contents make the build. */
export const INPUTS = ['src', 'scripts/build.ts', 'scripts/build-widget.ts', 'scripts/migrate.ts', 'scripts/migrate-store.ts', 'package.json', 'package-lock.json'];

function files(relative) {
  const full = path.join(ROOT, relative);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => files(path.join(relative, entry.name)));
}

/** sha256 over every input file's path and content; undefined when the sources are not there (a production image). */
export function inputsHash() {
  if (!existsSync(path.join(ROOT, 'src'))) return undefined;
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(files)) hash.update(`${file}\0`).update(readFileSync(path.join(ROOT, file))).update('\0');
  return hash.digest('hex');
}
