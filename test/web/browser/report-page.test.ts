/**
 * The full report as a person meets it: from the widget's result, a link to
 * the report page (chart, suggestions, print stylesheet) and the downloads.
 */
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnswersCsv } from '../../../src/reports/csv.js';
import { PROFILES } from '../../helpers/assessment.js';
import { axe, CLICKS, completeByClicking, launchBrowser, recordErrors, startServer } from './helpers.js';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the report from the widget', () => {
  it('opens the report page with its chart and suggestions, prints cleanly and downloads the exports', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    const errors = recordErrors(page);
    await page.goto(server.url);
    // The early profile: limitations confirmed, achievements denied.
    await completeByClicking(page, CLICKS.early);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV of answers' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^govstage-\d{4}-\d{2}-\d{2}-answers\.csv$/);
    const csv = parseAnswersCsv(await readFile((await download.path()) as string, 'utf8'));
    expect(csv).toHaveLength(14);
    expect(csv[0]?.states).toBe('holds');

    await page.getByRole('button', { name: 'Get a link to the full report' }).click();
    const link = page.getByRole('link', { name: 'Open the full report (new tab)' });
    await link.waitFor();
    const href = (await link.getAttribute('href')) as string;
    expect(href).toMatch(/\/reports\/c_[\w-]+\/[\w-]{40,}$/);

    const report = await context.newPage();
    const reportErrors = recordErrors(report);
    await report.goto(href);
    expect(await report.locator('h1').textContent()).toMatch(/Digital Government self-assessment/);
    expect(await report.locator('header').textContent()).toContain('A national government as a whole');
    expect(await report.locator('svg.stage-chart rect.bar-early').count()).toBe(4);
    expect(await report.locator('svg.stage-chart').getAttribute('aria-label')).toContain('Overall: Early');
    expect(await report.locator('.suggestion').count()).toBe(3);
    expect(await report.locator('.suggestion').first().textContent()).toContain('Because you said');
    expect(await report.locator('table.answers tbody tr').count()).toBe(14);
    expect(await axe(report)).toEqual([]);

    expect(await report.locator('.downloads').isVisible()).toBe(true);
    await report.emulateMedia({ media: 'print' });
    expect(await report.locator('.downloads').isVisible()).toBe(false);
    expect(await report.locator('svg.stage-chart').isVisible()).toBe(true);
    const pdf = await report.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');

    expect(errors).toEqual([]);
    expect(reportErrors, reportErrors.join('\n')).toEqual([]);
    await context.close();
  });

  it("labels every theme as Govstage's wording, shows an 'at least' stage for a 'Not sure', and the report page says the same", async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    await page.goto(server.url);
    // The advanced profile, except "Not sure" for the last question (the open data ecosystem, a part of open data's advanced characteristic).
    await completeByClicking(page, [...CLICKS.advanced.slice(0, -1), 4]);
    const result = page.locator('.gs-result');
    const themes = result.locator('section.gs-theme');
    expect(await themes.locator('h4').allTextContents()).toEqual(['Engaging people in policy and services', 'Legal and enabling framework', 'Open government data']);
    // Each theme's title is ours, and says so right under it.
    for (let i = 0; i < 3; i++) expect(await themes.nth(i).locator('h4 + p').textContent()).toBe("Govstage's wording, not the OECD's");
    expect(await themes.locator('.gs-badge').allTextContents()).toEqual(['Stage: Advanced', 'Stage: Advanced', 'Stage: Intermediate, at least']);
    expect(await result.locator('.gs-overall').textContent()).toBe('Overall stage: Intermediate, at least');
    const openData = themes.nth(2);
    expect(await openData.locator('.gs-sub', { hasText: 'Needs an answer:' }).locator('+ ul').textContent()).toBe('an open data ecosystem around the portal: “Not sure”');
    expect(await result.locator('svg.gs-chart').getAttribute('aria-label')).toContain('Open government data: Intermediate, at least.');

    await result.getByRole('button', { name: 'Get a link to the full report' }).click();
    const href = (await page.getByRole('link', { name: 'Open the full report (new tab)' }).getAttribute('href')) as string;
    const report = await context.newPage();
    const reportErrors = recordErrors(report);
    await report.goto(href);
    const articles = report.locator('article.theme');
    expect(await articles.locator('h3 .stage').allTextContents()).toEqual(['Advanced', 'Advanced', 'Intermediate, at least']);
    for (let i = 0; i < 3; i++) expect(await articles.nth(i).locator('p.ours').textContent()).toBe("Govstage's wording, not the OECD's");
    expect(await report.locator('header strong.stage').textContent()).toBe('Intermediate, at least');
    const chart = (await report.locator('svg.stage-chart').getAttribute('aria-label')) ?? '';
    expect(chart).toContain('Open government data: Intermediate, at least;');
    expect(chart).toContain('Overall: Intermediate, at least');
    expect(await articles.nth(2).textContent()).toContain('an open data ecosystem around the portal: “Not sure”');
    expect(await axe(report)).toEqual([]);
    expect(reportErrors, reportErrors.join('\n')).toEqual([]);
    await context.close();
  });
});

/** Calls the server's API as the widget would. */
async function api(method: string, path: string, body?: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(server.url + path, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}

/** A finished re-assessment (so the page has its widest table, the changes) with a long evidence link as a note; its report page's path. */
async function reassessmentReportPath(): Promise<string> {
  const run = async (conversation: Record<string, unknown>, replies: readonly string[]) => {
    const say = (text: string) => api('POST', `/api/conversations/${conversation.conversationId as string}/turns`, { turnId: randomUUID(), text }, conversation.resumeToken as string);
    await say('start');
    for (const reply of replies) await say(reply);
    return say('see my result');
  };
  const first = await api('POST', '/api/conversations', {});
  const done = await run(first, PROFILES.early);
  expect(done.status).toBe('finished');
  const again = (await api('POST', `/api/conversations/${first.conversationId as string}/turns`, { turnId: randomUUID(), text: 'new assessment' }, first.resumeToken as string)).switchTo as Record<string, unknown>;
  // Mixed, with no contradiction, so that "see my result" finishes it.
  const redone = await run(again, ['1', 'partly, https://example.gov/consultations/2024/evidence-of-engagement-with-citizens.pdf', 'yes', 'no', 'yes', 'yes', 'no', 'yes', 'yes', 'partly', 'no', 'yes', 'partly', 'yes', 'not sure']);
  expect(redone.status).toBe('finished');
  const link = await api('POST', `/api/conversations/${again.conversationId as string}/report-link`, {}, again.resumeToken as string);
  return link.path as string;
}

/**
 * The margins of the first page of a PDF made by Chromium, in millimetres:
 * its content stream starts with the page transform, then clips to the
 * content area (`x y w h re W* n`), which @page margins shrink.
 */
function firstPageMarginsMm(pdf: Buffer): { left: number; top: number; right: number; bottom: number } {
  const text = pdf.toString('latin1');
  const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(text);
  const streams = /stream\r?\n/g;
  for (let m = streams.exec(text); m; m = streams.exec(text)) {
    const start = m.index + m[0].length;
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, text.indexOf('endstream', start))).toString('latin1');
    } catch {
      continue; // not a Flate stream (fonts, images)
    }
    const clip = /^([\d.]+) 0 0 -[\d.]+ 0 [\d.]+ cm\s+q\s+([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re\s+W\*? n/.exec(content);
    if (!clip || !box) continue;
    const [scale, x, y, w, h] = clip.slice(1).map(Number) as [number, number, number, number, number];
    const mm = (pt: number) => (pt * 25.4) / 72;
    return { left: mm(x * scale), top: mm(y * scale), right: mm(Number(box[1]) - (x + w) * scale), bottom: mm(Number(box[2]) - (y + h) * scale) };
  }
  throw new Error('no page content stream with a clip found in the PDF');
}

describe('the report page on a phone and on paper', () => {
  it('fits a 390 px phone: no horizontal overflow, chart text at least 12 px', async () => {
    const path = await reassessmentReportPath();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(server.url + path);
    await page.locator('table.answers').waitFor();
    // Against the phone's width, not innerWidth: a mobile browser widens its layout viewport to fit content that overflows.
    const fit = await page.evaluate((phone) => ({
      scrollWidth: document.documentElement.scrollWidth,
      width: phone,
      tooWide: Array.from(document.querySelectorAll('main *'))
        .filter((el) => el.getBoundingClientRect().right > phone + 0.5)
        .map((el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? `.${el.className}` : '')),
      // Rendered font size: the computed size in the SVG's user units times the SVG's scale on screen.
      chartText: Array.from(document.querySelectorAll<SVGTextElement>('svg.stage-chart text')).map((t) => (t.getScreenCTM()?.a ?? 0) * parseFloat(getComputedStyle(t).fontSize)),
    }), 390);
    expect(fit.tooWide).toEqual([]);
    expect(fit.scrollWidth).toBeLessThanOrEqual(fit.width);
    expect(fit.chartText.length).toBeGreaterThan(0);
    expect(Math.min(...fit.chartText)).toBeGreaterThanOrEqual(12);
    // Each row of a table is a block there, still a table to assistive technology.
    expect(await page.getByRole('table').count()).toBe(2);
    expect(await page.getByRole('table').last().getByRole('row').count()).toBe(15);
    expect(await axe(page)).toEqual([]);
    // Still readable, not huge, on a desktop screen.
    await page.setViewportSize({ width: 1200, height: 900 });
    const desktop = await page.evaluate(() => Array.from(document.querySelectorAll<SVGTextElement>('svg.stage-chart text')).map((t) => (t.getScreenCTM()?.a ?? 0) * parseFloat(getComputedStyle(t).fontSize)));
    expect(Math.min(...desktop)).toBeGreaterThanOrEqual(12);
    expect(Math.max(...desktop)).toBeLessThanOrEqual(20);
    await context.close();
  });

  it('prints with page margins (an @page rule), whatever the printer defaults', async () => {
    const path = await reassessmentReportPath();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url + path);
    // page.pdf() asks for no margins of its own, like a browser's "print to PDF" with margins "default".
    const margins = firstPageMarginsMm(await page.pdf({ format: 'A4' }));
    for (const side of ['left', 'top', 'right', 'bottom'] as const) expect(margins[side], side).toBeGreaterThanOrEqual(12);
    for (const side of ['left', 'top', 'right', 'bottom'] as const) expect(margins[side], side).toBeLessThanOrEqual(30);
    await context.close();
  });
});
