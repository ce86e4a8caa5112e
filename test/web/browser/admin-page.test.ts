/**
 * The coordinator's overview page in a real browser: the token is asked
 * for, the overview is shown as a chart and a table, and small groups stay
 * hidden.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES } from '../../helpers/assessment.js';
import { axe, launchBrowser, recordErrors, startServer } from './helpers.js';

const ADMIN = 'coordinator-token-for-the-browser-test';
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

async function finishOne(replies: readonly string[]): Promise<void> {
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<Record<string, unknown>>);
  const started = await post('/api/conversations', {});
  const id = String(started.conversationId);
  const token = String(started.resumeToken);
  let n = 0;
  let last: Record<string, unknown> = {};
  for (const text of ['start', ...replies, 'see my result']) last = await post(`/api/conversations/${id}/turns`, { turnId: `a${++n}`, text }, token);
  if (last.status !== 'finished') throw new Error(`assessment did not finish: ${JSON.stringify(last)}`);
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ ADMIN_TOKEN: ADMIN, MIN_GROUP_SIZE: '2', RATE_LIMIT_PER_MINUTE: '10000' }), launchBrowser()]);
  await finishOne(PROFILES.early);
  await finishOne(PROFILES.early);
  await finishOne(PROFILES.intermediate);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the coordinator's overview page", () => {
  it('shows counts, a chart and a table once the token is given, hiding groups below the minimum', async () => {
    const page = await browser.newPage();
    const errors = recordErrors(page);
    await page.goto(`${server.url}/admin.html`);
    await page.getByLabel('Admin token').fill('wrong-token');
    await page.getByRole('button', { name: 'Show the overview' }).click();
    await page.getByRole('status').filter({ hasText: 'ADMIN_TOKEN' }).waitFor();
    expect(await page.locator('#overview').isVisible()).toBe(false);

    await page.getByLabel('Admin token').fill(ADMIN);
    await page.getByRole('button', { name: 'Show the overview' }).click();
    await page.locator('#overview').waitFor();
    expect(await page.locator('#counts').textContent()).toContain('3 started, 3 finished');
    expect(await page.locator('svg.stage-chart').getAttribute('aria-label')).toContain('Overall');
    const overall = page.locator('#table tbody tr', { hasText: 'Overall' });
    // The single intermediate result is hidden, and the early count (2) with it: shown next to the
    // total of 3, it would give the hidden one away.
    const cells = await overall.locator('td').allTextContents();
    expect(cells).toEqual(['fewer than 2', 'fewer than 2', '0', '0']);
    expect(await axe(page)).toEqual([]);
    // The only console errors are the browser's note of the refused wrong token.
    expect(errors.filter((e) => !e.includes('401')), errors.join('\n')).toEqual([]);
    await page.close();
  });
});
