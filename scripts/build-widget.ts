/**
 * Builds the embeddable web widget into public/: widget.js (one minified
 * IIFE, ES2019) and widget.css, and the coordinator overview page's
 * admin.js. Prints the widget's sizes; the budget is 12 KB gzipped for its
 * JS and CSS together.
 *
 *   npx tsx scripts/build-widget.ts
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src/channels/web/widget');
export const PUBLIC_DIR = path.join(ROOT, 'public');
/** Gzipped bytes allowed for widget.js and widget.css together. */
export const GZIP_BUDGET = 12 * 1024;

export interface WidgetBuild {
  jsBytes: number;
  cssBytes: number;
  /** widget.js and widget.css gzipped separately (as served), summed. */
  gzipBytes: number;
}

export async function buildWidget(options: { outDir?: string } = {}): Promise<WidgetBuild> {
  const outDir = options.outDir ?? PUBLIC_DIR;
  await mkdir(outDir, { recursive: true });
  const common = { bundle: true, minify: true, target: 'es2019', legalComments: 'none', logLevel: 'warning', write: false } as const;
  const [js, css] = await Promise.all([
    build({ ...common, entryPoints: [path.join(SRC, 'index.ts')], outfile: path.join(outDir, 'widget.js'), format: 'iife', platform: 'browser' }),
    build({ ...common, entryPoints: [path.join(SRC, 'widget.css')], outfile: path.join(outDir, 'widget.css') }),
  ]).then((results) => results.map((r) => Buffer.from(r.outputFiles[0]?.contents ?? new Uint8Array())) as [Buffer, Buffer]);
  // Write then rename: a server reading public/ (or a parallel build) never sees half a file.
  await Promise.all(
    ([['widget.js', js], ['widget.css', css]] as const).map(async ([name, data]) => {
      const file = path.join(outDir, name);
      const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temp, data);
      await rename(temp, file);
    }),
  );
  // The coordinator's overview page script is built alongside (it is not part of the widget's budget).
  await build({ ...common, write: true, entryPoints: [path.join(ROOT, 'src/channels/web/admin-page/admin.ts')], outfile: path.join(outDir, 'admin.js'), format: 'iife', platform: 'browser' });
  const gz = (b: Buffer) => gzipSync(b, { level: 9 }).length;
  return { jsBytes: js.length, cssBytes: css.length, gzipBytes: gz(js) + gz(css) };
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  buildWidget().then(
    ({ jsBytes, cssBytes, gzipBytes }) => {
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      const within = gzipBytes <= GZIP_BUDGET;
      process.stdout.write(`widget.js ${kb(jsBytes)}, widget.css ${kb(cssBytes)}; gzipped together ${kb(gzipBytes)} (${gzipBytes} bytes) of the ${kb(GZIP_BUDGET)} budget${within ? '' : ' - OVER BUDGET'}\n`);
      if (!within) process.exitCode = 1;
    },
    (error: unknown) => {
      process.stderr.write(`widget build failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
