/**
 * The deployment-wide overview page (admin.html) as a coordinator reads it:
 * shares of all finished assessments (hidden cells drawn as one part, not
 * left out), every theme's label whole, a plain sentence when cells or the
 * whole distribution are hidden, and an export with the page's cells.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/reports/csv.js';
import { PROFILES } from '../../helpers/assessment.js';
import { axe, launchBrowser, recordErrors, startServer } from './helpers.js';

const ADMIN = 'coordinator-token-for-the-overview-test';
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

async function finishOne(replies: readonly string[]): Promise<void> {
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<Record<string, unknown>>);
  const started = await post('/api/conversations', {});
  let n = 0;
  for (const text of ['start', ...replies, 'see my result']) await post(`/api/conversations/${String(started.conversationId)}/turns`, { turnId: `o${++n}`, text }, String(started.resumeToken));
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ ADMIN_TOKEN: ADMIN, MIN_GROUP_SIZE: '3', RATE_LIMIT_PER_MINUTE: '10000' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  const errors = recordErrors(page);
  await page.goto(`${server.url}/admin.html`);
  await page.getByLabel('Admin token').fill(ADMIN);
  await page.getByRole('button', { name: 'Show the overview' }).click();
  await page.locator('#overview').waitFor();
  return { page, errors };
}

describe("the deployment's overview page", () => {
  it('with fewer finished than the minimum, says so plainly and offers no table or export', async () => {
    await finishOne(PROFILES.early);
    await finishOne(PROFILES.early);
    const { page } = await open();
    expect(await page.locator('#notes').textContent()).toContain('Only 2 of the 3 finished assessments needed so far');
    expect(await page.locator('#distribution').isVisible()).toBe(false);
    await page.close();
  });

  it('draws shares of all finished, hidden cells included, with whole labels; explains hidden cells; exports the same table', async () => {
    // Now 4 early, 2 intermediate, 1 advanced (7): intermediate and advanced are hidden together.
    await finishOne(PROFILES.early);
    await finishOne(PROFILES.early);
    await finishOne(PROFILES.intermediate);
    await finishOne(PROFILES.intermediate);
    await finishOne(PROFILES.advanced);
    const { page, errors } = await open();
    expect(await page.locator('#counts').textContent()).toContain('7 started, 7 finished');
    const chart = page.locator('svg.overview-chart');
    // Each bar spans the whole width: 4 of 7 early, and the 3 hidden as one part, not 4 of 4 drawn as 100%.
    const widths = await chart.locator('rect').evaluateAll((rects) => rects.map((r) => ({ cls: r.getAttribute('class'), w: Number(r.getAttribute('width')) })));
    const overall = widths.slice(-2);
    expect(overall.map((r) => r.cls)).toEqual(['bar bar-early', 'bar bar-hidden']);
    expect(overall[0]?.w).toBeCloseTo((4 / 7) * 560, 1);
    expect(overall[1]?.w).toBeCloseTo((3 / 7) * 560, 1);
    // Every label is drawn whole, inside the drawing.
    const cut = await chart.evaluate((svg) => {
      const box = (svg as SVGSVGElement).getBoundingClientRect();
      return Array.from(svg.querySelectorAll('text.label')).filter((t) => {
        const r = t.getBoundingClientRect();
        return r.left < box.left - 0.5 || r.right > box.right + 0.5;
      }).length;
    });
    expect(cut).toBe(0);
    expect(await page.locator('#notes').textContent()).toContain('Counts below 3 are hidden');
    expect(await chart.getAttribute('aria-label')).toContain('hidden (fewer than 3 each): 3');
    const cells = await page.locator('#table tbody tr', { hasText: 'Overall' }).locator('td').allTextContents();
    expect(cells).toEqual(['4', 'fewer than 3', 'fewer than 3', '0']);
    const csv = await page.evaluate(async (token) => (await fetch('/api/admin/results.csv', { headers: { Authorization: `Bearer ${token}` } })).text(), ADMIN);
    const overallRow = parseCsv(csv).find((r) => r[0] === 'overall');
    expect(overallRow).toEqual(['overall', 'Overall', '4', 'hidden', 'hidden', '0', '3']);
    const before = errors.length;
    expect(await axe(page)).toEqual([]);
    errors.splice(before);
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });
});
