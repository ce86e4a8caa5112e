/**
 * `npm run build`: everything production runs, into dist/ (gitignored):
 *
 *   dist/main.js, dist/migrate.js, dist/migrate-store.js   the server and its CLIs,
 *       bundled by esbuild from src/ with the npm packages left as imports, so
 *       running needs only `node` and the production dependencies (no tsx, no esbuild)
 *   dist/public/        the widget and overview page assets (scripts/build-widget.ts)
 *   dist/build-info.json  the hash of the sources built, for scripts/ensure-build.mjs
 *
 * rubric/, flows/, locales/ and public/ are read from the package folder at run time.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUILD_INFO, ROOT, inputsHash } from './build-inputs.mjs';
import { buildWidget, GZIP_BUDGET } from './build-widget.js';

export const SERVER_ENTRIES = { main: 'src/main.ts', migrate: 'scripts/migrate.ts', 'migrate-store': 'scripts/migrate-store.ts' } as const;

export async function buildAll(): Promise<void> {
  const dist = path.join(ROOT, 'dist');
  const hash = inputsHash();
  // A half-finished build must not look current: the record goes first, and comes back last.
  await rm(BUILD_INFO, { force: true });
  await rm(path.join(dist, 'chunks'), { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(SERVER_ENTRIES).map(([name, file]) => [name, path.join(ROOT, file)])),
    outdir: dist,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  const widget = await buildWidget();
  if (widget.gzipBytes > GZIP_BUDGET) throw new Error(`the widget is ${widget.gzipBytes} bytes gzipped, over its ${GZIP_BUDGET}-byte budget`);
  await writeFile(BUILD_INFO, `${JSON.stringify({ inputsHash: hash, builtAt: new Date().toISOString(), widget: widget.files }, null, 2)}\n`);
  process.stdout.write(`built dist/: ${Object.keys(SERVER_ENTRIES).map((n) => `${n}.js`).join(', ')}; public/${widget.files.js} (its stylesheet inside, ${widget.gzipBytes} bytes gzipped)\n`);
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  buildAll().catch((error: unknown) => {
    process.stderr.write(`build failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
