/**
 * The widget bundle: built with the real build script into a temp folder,
 * one file with its stylesheet inside, within its size budget, plain ES2019
 * (no syntax newer than the target), and free of the ways data could become
 * markup or code.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget, GZIP_BUDGET, type WidgetBuild } from '../../scripts/build-widget.js';
import { build as esbuild } from 'esbuild';
import { ROOT, tempDir } from '../helpers/server.js';

let out: string;
let result: WidgetBuild;
let js: string;
/** The stylesheet as esbuild minifies it on its own, to find inside the bundle. */
let css: string;

beforeAll(async () => {
  out = await tempDir('govstage-widget-');
  result = await buildWidget({ outDir: out });
  js = await readFile(path.join(out, result.files.js), 'utf8');
  const built = await esbuild({ entryPoints: [path.join(ROOT, 'src/channels/web/widget/widget.css')], bundle: true, minify: true, write: false, logLevel: 'warning' });
  css = (built.outputFiles[0]?.text ?? '').trim();
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('the widget build', () => {
  it(`stays within ${GZIP_BUDGET / 1024} KB gzipped, JS and CSS together in one file`, () => {
    expect(result.jsBytes).toBe(Buffer.byteLength(js));
    expect(result.gzipBytes).toBe(gzipSync(js, { level: 9 }).length);
    expect(result.gzipBytes).toBeLessThanOrEqual(GZIP_BUDGET);
  });

  it('is one self-contained IIFE with no syntax newer than ES2019', () => {
    expect(js).toMatch(/^("use strict";)?\(\(\)=>\{/);
    expect(js).not.toMatch(/\bimport\s*\(|\bexport\b/);
    // Optional chaining, nullish coalescing (ES2020) and logical assignment (ES2021) are lowered.
    expect(js).not.toMatch(/\?\.[\w$[(]|\?\?|\|\|=|&&=/);
  });

  it('is the stable widget.js itself, stylesheet inside: nothing else to fetch before the first question', async () => {
    expect(result.files.js).toBe('widget.js');
    expect(css.length).toBeGreaterThan(1000);
    expect(result.cssBytes).toBeGreaterThanOrEqual(css.length);
    // Its start and end as written (esbuild re-quotes the string, so the whole of it is not compared).
    expect(js).toContain(css.slice(0, 200));
    expect(js).toContain(css.slice(-200));
    const written = (await readdir(out)).filter((name) => name.startsWith('widget')).sort();
    expect(written).toEqual(['widget.js', 'widget.js.br', 'widget.js.gz']);
  });

  it('never turns data into markup or code', () => {
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    // No inline style attributes either: custom properties go through the CSSOM, which a strict CSP allows.
    expect(js).not.toMatch(/setAttribute\(["']style["']|\.cssText/);
  });

  it('ships its own stylesheet with visible focus and reduced-motion rules', () => {
    expect(css).toContain(':focus-visible');
    expect(css).toContain('prefers-reduced-motion');
  });
});
