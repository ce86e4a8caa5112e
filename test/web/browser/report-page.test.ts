/**
 * The full report as a person meets it: from the widget's result, a link to
 * the report page (chart, suggestions, print stylesheet) and the downloads.
 */
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnswersCsv } from '../../../src/reports/csv.js';
import { axe, completeByClicking, launchBrowser, recordErrors, startServer } from './helpers.js';

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
    // The early profile: limitations confirmed (option 1), achievements denied (option 3).
    await completeByClicking(page, [1, 3, 1, 3, 3, 1, 3, 1, 3, 3]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV of answers' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^govstage-\d{4}-\d{2}-\d{2}-answers\.csv$/);
    const csv = parseAnswersCsv(await readFile((await download.path()) as string, 'utf8'));
    expect(csv).toHaveLength(10);
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
    expect(await report.locator('svg.stage-chart rect.bar-early').count()).toBe(4);
    expect(await report.locator('svg.stage-chart').getAttribute('aria-label')).toContain('Overall: Early');
    expect(await report.locator('.suggestion').count()).toBe(3);
    expect(await report.locator('.suggestion').first().textContent()).toContain('Because you said');
    expect(await report.locator('table.answers tbody tr').count()).toBe(10);
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
});
