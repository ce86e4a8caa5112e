/**
 * Builds the web assets into dist/public/ (never into public/, which holds
 * only hand-written files):
 *
 *   widget.<hash>.js    the widget (one minified IIFE, ES2019), content-hashed
 *   widget.<hash>.css   its stylesheet, content-hashed
 *   widget.js           the stable name the embed uses: a tiny loader of the hashed bundle
 *   admin.js            the coordinator overview page's script
 *   group.js            the group-round coordinator page's script (public/group.html)
 *
 * each with a brotli (.br) and a gzip (.gz) copy, so the server sends them
 * compressed without compressing per request. Prints the widget's sizes; the
 * budget is 12 KB gzipped for the loader, JS and CSS together.
 *
 *   npx tsx scripts/build-widget.ts
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src/channels/web/widget');
/** Where the server looks for built assets (see BUILT_PUBLIC_DIR in src/channels/web/app.ts). */
export const ASSETS_DIR = path.join(ROOT, 'dist/public');
/** Gzipped bytes allowed for the loader, widget bundle and stylesheet together. */
export const GZIP_BUDGET = 12 * 1024;
/** Hashed names: `widget.` + 10 hex digits of the content's sha256. */
export const HASHED_NAME = /^widget\.[0-9a-f]{10}\.(js|css)$/;

export interface WidgetBuild {
  /** The file names written (without their .br/.gz copies). */
  files: { loader: 'widget.js'; js: string; css: string; admin: 'admin.js'; group: 'group.js' };
  jsBytes: number;
  cssBytes: number;
  loaderBytes: number;
  /** The loader, widget bundle and stylesheet gzipped separately (as served), summed. */
  gzipBytes: number;
}

const hashedName = (data: Buffer, ext: 'js' | 'css') => `widget.${createHash('sha256').update(data).digest('hex').slice(0, 10)}.${ext}`;

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

  // The stylesheet first: the bundle carries its hashed name, and the loader the bundle's.
  const css = contents(await build({ ...common, entryPoints: [path.join(SRC, 'widget.css')], outfile: path.join(outDir, 'widget.css') }));
  const cssName = hashedName(css, 'css');
  const js = contents(
    await build({ ...common, entryPoints: [path.join(SRC, 'index.ts')], outfile: path.join(outDir, 'widget.js'), format: 'iife', platform: 'browser', define: { __GOVSTAGE_WIDGET_CSS__: JSON.stringify(cssName) } }),
  );
  const jsName = hashedName(js, 'js');
  const loader = contents(
    await build({ ...common, entryPoints: [path.join(ROOT, 'src/channels/web/widget-loader.ts')], outfile: path.join(outDir, 'widget.js'), format: 'iife', platform: 'browser', define: { __GOVSTAGE_WIDGET_JS__: JSON.stringify(jsName) } }),
  );
  // The coordinator's overview page script is built alongside (it is not part of the widget's budget).
  const admin = contents(await build({ ...common, entryPoints: [path.join(ROOT, 'src/channels/web/admin-page/admin.ts')], outfile: path.join(outDir, 'admin.js'), format: 'iife', platform: 'browser' }));
  const group = contents(await build({ ...common, entryPoints: [path.join(ROOT, 'src/channels/web/group-page/group.ts')], outfile: path.join(outDir, 'group.js'), format: 'iife', platform: 'browser' }));

  // Hashed files first, the loader that names them last: a page never gets a loader pointing at nothing.
  await Promise.all([writeWithCompressed(outDir, cssName, css), writeWithCompressed(outDir, jsName, js), writeWithCompressed(outDir, 'admin.js', admin), writeWithCompressed(outDir, 'group.js', group)]);
  await writeWithCompressed(outDir, 'widget.js', loader);
  // Earlier builds' hashed files (and the unhashed widget.css of builds before hashing) go.
  const keep = new Set([cssName, jsName]);
  for (const name of await readdir(outDir)) {
    const base = name.replace(/\.(br|gz)$/, '');
    if ((HASHED_NAME.test(base) && !keep.has(base)) || base === 'widget.css') await rm(path.join(outDir, name), { force: true });
  }

  const gz = (b: Buffer) => gzipSync(b, { level: 9 }).length;
  return { files: { loader: 'widget.js', js: jsName, css: cssName, admin: 'admin.js', group: 'group.js' }, jsBytes: js.length, cssBytes: css.length, loaderBytes: loader.length, gzipBytes: gz(loader) + gz(js) + gz(css) };
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  buildWidget().then(
    ({ jsBytes, cssBytes, loaderBytes, gzipBytes }) => {
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      const within = gzipBytes <= GZIP_BUDGET;
      process.stdout.write(`widget: loader ${loaderBytes} bytes, bundle ${kb(jsBytes)}, stylesheet ${kb(cssBytes)}; gzipped together ${kb(gzipBytes)} (${gzipBytes} bytes) of the ${kb(GZIP_BUDGET)} budget${within ? '' : ' - OVER BUDGET'}\n`);
      if (!within) process.exitCode = 1;
    },
    (error: unknown) => {
      process.stderr.write(`widget build failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
