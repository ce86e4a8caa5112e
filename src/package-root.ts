/**
 * The package's own folder (the one holding its package.json), found from
 * this module's location, so that rubric/, flows/, locales/, public/ and the build in
 * dist/ resolve the same whether the code runs from src/ (tsx) or from the
 * bundle in dist/, and whatever the working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

function findPackage(start: string): { root: string; version: string } {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'govstage') return { root: dir, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0' };
    }
    if (path.dirname(dir) === dir) throw new Error(`Govstage's package.json was not found above ${start}`);
  }
}

const found = findPackage(import.meta.dirname);
export const PACKAGE_ROOT = found.root;
export const PACKAGE_VERSION = found.version;
/** Where `npm run build` writes: the server bundle and the built web assets (dist/public). */
export const DIST_DIR = path.join(PACKAGE_ROOT, 'dist');
