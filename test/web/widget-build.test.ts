/**
 * The widget bundle: built with the real build script into a temp folder,
 * within its size budget, plain ES2019 (no syntax newer than the target),
 * and free of the ways data could become markup or code.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget, GZIP_BUDGET, HASHED_NAME, type WidgetBuild } from '../../scripts/build-widget.js';
import { tempDir } from '../helpers/server.js';

let out: string;
let result: WidgetBuild;
let js: string;
let css: string;
let loader: string;

beforeAll(async () => {
  out = await tempDir('govstage-widget-');
  result = await buildWidget({ outDir: out });
  const read = (name: string) => readFile(path.join(out, name), 'utf8');
  [js, css, loader] = await Promise.all([read(result.files.js), read(result.files.css), read(result.files.loader)]);
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('the widget build', () => {
  it(`stays within ${GZIP_BUDGET / 1024} KB gzipped, loader, JS and CSS together`, () => {
    expect(result.jsBytes).toBe(Buffer.byteLength(js));
    expect(result.cssBytes).toBe(Buffer.byteLength(css));
    expect(result.loaderBytes).toBe(Buffer.byteLength(loader));
    expect(result.gzipBytes).toBeLessThanOrEqual(GZIP_BUDGET);
  });

  it('is one self-contained IIFE with no syntax newer than ES2019', () => {
    expect(js).toMatch(/^("use strict";)?\(\(\)=>\{/);
    expect(js).not.toMatch(/\bimport\s*\(|\bexport\b/);
    // Optional chaining, nullish coalescing (ES2020) and logical assignment (ES2021) are lowered.
    expect(js).not.toMatch(/\?\.[\w$[(]|\?\?|\|\|=|&&=/);
  });

  it('the stable widget.js is a small loader of the content-hashed bundle, which names the hashed stylesheet', () => {
    expect(result.files.js).toMatch(HASHED_NAME);
    expect(result.files.css).toMatch(HASHED_NAME);
    expect(loader.length).toBeLessThan(1024);
    expect(loader).toContain(JSON.stringify(result.files.js));
    expect(js).toContain(JSON.stringify(result.files.css));
    expect(loader).not.toMatch(/\?\.[\w$[(]|\?\?|\|\|=|&&=/);
  });

  it('never turns data into markup or code', () => {
    expect(loader).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    // No inline style attributes either: custom properties go through the CSSOM, which a strict CSP allows.
    expect(js).not.toMatch(/setAttribute\(["']style["']|\.cssText/);
  });

  it('ships its own stylesheet with visible focus and reduced-motion rules', () => {
    expect(css).toContain(':focus-visible');
    expect(css).toContain('prefers-reduced-motion');
  });
});
