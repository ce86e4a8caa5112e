/**
 * Builds the web assets into dist/public/ (never into public/, which holds
 * only hand-written files):
 *
 *   widget.js   the widget: one minified IIFE (ES2019) with its stylesheet inside, as a string
 *   admin.js    the coordinator overview page's script
 *   group.js    the group-round coordinator page's script (public/group.html)
 *
 * each with a brotli (.br) and a gzip (.gz) copy, so the server sends them
 * compressed without compressing per request. Prints the widget's sizes; the
 * budget is 12 KB gzipped for the one file.
 *
 * Why one file under the stable name, not a loader of content-hashed files:
 * the first question waits for every serial round trip, and the loader and
 * the stylesheet were one each (page → loader → bundle → stylesheet). The
 * embed's script tag now fetches the widget itself, and its stylesheet comes
 * in the same reply. widget.js is cached for 5 minutes in production and then
 * revalidated by ETag (src/channels/web/built-assets.ts): a loader cost that
 * same conditional request after 5 minutes, so nothing is lost on a repeat
 * visit either.
 *
 *   npx tsx scripts/build-widget.ts
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src/channels/web/widget');
/** Where the server looks for built assets (see BUILT_PUBLIC_DIR in src/channels/web/app.ts). */
export const ASSETS_DIR = path.join(ROOT, 'dist/public');
/** Gzipped bytes allowed for the widget (its script, stylesheet inside). */
export const GZIP_BUDGET = 12 * 1024;
/** What builds before this one wrote and nothing loads any more: the loader's content-hashed bundle and stylesheet, and the unhashed widget.css before them. */
const STALE = /^widget(\.[0-9a-f]{10})?\.css$|^widget\.[0-9a-f]{10}\.js$/;

export interface WidgetBuild {
  /** The file names written (without their .br/.gz copies). */
  files: { js: 'widget.js'; admin: 'admin.js'; group: 'group.js' };
  /** widget.js, stylesheet included. */
  jsBytes: number;
  /** The minified stylesheet inlined into widget.js. */
  cssBytes: number;
  /** widget.js gzipped, as served. */
  gzipBytes: number;
}

/** Write then rename: a server reading the folder (or a parallel build) never sees half a file. */
async function writeAtomic(file: string, data: Buffer): Promise<void> {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, data);
  await rename(temp, file);
}

/** The file and its precompressed copies. */
async function writeWithCompressed(dir: string, name: string, data: Buffer): Promise<void> {
  const br = brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length } });
  const gz = gzipSync(data, { level: 9 });
  await Promise.all([writeAtomic(path.join(dir, name), data), writeAtomic(path.join(dir, `${name}.br`), br), writeAtomic(path.join(dir, `${name}.gz`), gz)]);
}

export async function buildWidget(options: { outDir?: string } = {}): Promise<WidgetBuild> {
  const outDir = options.outDir ?? ASSETS_DIR;
  await mkdir(outDir, { recursive: true });
  const common = { bundle: true, minify: true, target: 'es2019', legalComments: 'none', logLevel: 'warning', write: false } as const;
  const contents = (result: { outputFiles?: { contents: Uint8Array }[] }) => Buffer.from(result.outputFiles?.[0]?.contents ?? new Uint8Array());

  // The stylesheet first: the bundle carries it as a string, applied to the widget's shadow root (src/channels/web/widget/widget.ts).
  const css = contents(await build({ ...common, entryPoints: [path.join(SRC, 'widget.css')], outfile: path.join(outDir, 'widget.css') }));
  const js = contents(
    await build({
      ...common,
      entryPoints: [path.join(SRC, 'index.ts')],
      outfile: path.join(outDir, 'widget.js'),
      format: 'iife',
      platform: 'browser',
      define: { __GOVSTAGE_WIDGET_CSS__: JSON.stringify(css.toString('utf8').trim()) },
    }),
  );
  // The coordinator's overview page script is built alongside (it is not part of the widget's budget).
  const admin = contents(await build({ ...common, entryPoints: [path.join(ROOT, 'src/channels/web/admin-page/admin.ts')], outfile: path.join(outDir, 'admin.js'), format: 'iife', platform: 'browser' }));
  const group = contents(await build({ ...common, entryPoints: [path.join(ROOT, 'src/channels/web/group-page/group.ts')], outfile: path.join(outDir, 'group.js'), format: 'iife', platform: 'browser' }));

  await Promise.all([writeWithCompressed(outDir, 'widget.js', js), writeWithCompressed(outDir, 'admin.js', admin), writeWithCompressed(outDir, 'group.js', group)]);
  // Earlier builds' files that nothing loads any more go, so the server cannot serve them either.
  for (const name of await readdir(outDir)) {
    if (STALE.test(name.replace(/\.(br|gz)$/, ''))) await rm(path.join(outDir, name), { force: true });
  }

  return { files: { js: 'widget.js', admin: 'admin.js', group: 'group.js' }, jsBytes: js.length, cssBytes: css.length, gzipBytes: gzipSync(js, { level: 9 }).length };
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  buildWidget().then(
    ({ jsBytes, cssBytes, gzipBytes }) => {
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      const within = gzipBytes <= GZIP_BUDGET;
      process.stdout.write(`widget: ${kb(jsBytes)} (stylesheet ${kb(cssBytes)} inside); gzipped ${kb(gzipBytes)} (${gzipBytes} bytes) of the ${kb(GZIP_BUDGET)} budget${within ? '' : ' - OVER BUDGET'}\n`);
      if (!within) process.exitCode = 1;
    },
    (error: unknown) => {
      process.stderr.write(`widget build failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
