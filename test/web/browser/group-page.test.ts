/**
 * The coordinator's page in a real browser, with the keyboard alone: a
 * round is started from the page, ten respondents in three perspectives
 * answer, the picture shows where views differ most first, a consensus
 * workshop records agreed answers, and the handed-out report page prints
 * cleanly. axe finds nothing at each step.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, launchBrowser, recordErrors, startServer } from './helpers.js';
import { MEMBER_PROFILES } from '../../helpers/groups.js';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ MIN_GROUP_SIZE: '3', RATE_LIMIT_PER_MINUTE: '100000', RESUME_RATE_LIMIT_PER_MINUTE: '1000', START_RATE_LIMIT_PER_MINUTE: '1000' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function post(path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const data = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(data)}`);
  return data;
}

let turn = 0;
async function respondent(code: string, perspective: string, replies: readonly string[], extra: Record<string, unknown> = {}): Promise<void> {
  const started = await post('/api/groups/join', { code, perspective, shareNotes: false, shareAnswers: false, ...extra });
  for (const text of ['start', ...replies, 'see my result']) await post(`/api/conversations/${String(started.conversationId)}/turns`, { turnId: `bp-${++turn}`, text }, String(started.resumeToken));
}

/** Presses Tab until the focused element matches (at most `limit` times); fails otherwise. */
async function tabTo(page: Page, matches: (el: { tag: string; text: string; name: string; type: string }) => boolean, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return { tag: a?.tagName.toLowerCase() ?? '', text: a?.textContent?.trim() ?? '', name: a?.getAttribute('name') ?? a?.id ?? '', type: a?.getAttribute('type') ?? '' };
    });
    if (matches(el)) return;
  }
  throw new Error('did not reach the element with Tab');
}

const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

describe("the coordinator's page, keyboard only", () => {
  it('starts a round from the page, then shows ten respondents\' picture and runs a consensus workshop', async () => {
    const page = await browser.newPage();
    const errors = recordErrors(page);
    await page.goto(`${server.url}/group.html`);
    expect(await axe(page)).toEqual([]);

    // The form, by keyboard: the name has focus; Tab through the fields.
    await page.keyboard.type('Ministry of Health review');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Ministry of Health');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, (el) => el.tag === 'textarea');
    await page.keyboard.type('Central government units\nCivil society\nAcademia');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Create the round');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Round: Ministry of Health review' }).waitFor();
    const hash = new URL(page.url()).hash;
    const roundId = /round=([^&]+)/.exec(hash)?.[1] ?? '';
    const key = decodeURIComponent(/key=([^&]+)/.exec(hash)?.[1] ?? '');
    expect(roundId).toMatch(/^g_/);
    const code = await page.getByLabel('Invitation code').inputValue();
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(await page.getByText('A ministry or agency').count()).toBeGreaterThan(0);

    // Ten respondents in three perspectives: views differ.
    const { early, intermediate, advanced } = MEMBER_PROFILES;
    for (const profile of [early, early, intermediate, advanced]) await respondent(code, 'central-government-units', profile);
    for (const profile of [early, early, intermediate]) await respondent(code, 'civil-society', profile);
    for (const profile of [advanced, advanced, intermediate]) await respondent(code, 'academia', profile, { shareNotes: true });

    await page.reload();
    await page.getByRole('heading', { name: 'Where views differ' }).waitFor();
    const heatmap = page.locator('table.heatmap');
    expect(await heatmap.locator('thead th').allTextContents()).toEqual(['Characteristic', 'Disagreement', 'Everyone (10)', 'Central government units (4)', 'Civil society (3)', 'Academia (3)']);
    const disagreements = (await heatmap.locator('tbody .disagreement').allTextContents()).map((t) => Number(t.trim()));
    expect(disagreements).toEqual([...disagreements].sort((a, b) => b - a));
    expect(disagreements[0]).toBeGreaterThan(0.5);
    // Every cell says in words what its bar shows.
    expect(await heatmap.locator('tbody td .vh').count()).toBe(10 * 4);
    expect(await axe(page)).toEqual([]);
    const heatmapBefore = await heatmap.locator('tbody').textContent();

    // The workshop: start it with the keyboard; focus lands on the first characteristic.
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Start the workshop');
    await page.keyboard.press('Enter');
    await page.locator('.workshop h3').waitFor();
    expect(await focusedText(page)).toMatch(/^Characteristic 1 of 10: /);
    expect(await axe(page)).toEqual([]);
    const first = (await focusedText(page)).replace(/^Characteristic 1 of 10: /, '');

    // Choose "Met" with the arrow keys, write why, save with Enter on the button.
    await tabTo(page, (el) => el.tag === 'input' && el.type === 'radio');
    await page.keyboard.press('Space');
    expect(await page.locator('.workshop input[value="met"]').isChecked()).toBe(true);
    await tabTo(page, (el) => el.tag === 'textarea');
    await page.keyboard.type('Agreed: every ministry now consults online.');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Save and go to the next');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: `Saved: ${first}.` }).waitFor();
    expect(await focusedText(page)).toMatch(/^Characteristic 2 of 10: /);

    // Saving without a rationale is refused, with focus on the text box.
    await tabTo(page, (el) => el.tag === 'input' && el.type === 'radio');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Save and go to the next');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Write a short rationale first.' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.type('Only some policies are consulted on.');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Save and go to the next');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Saved:' }).waitFor();
    expect(await focusedText(page)).toMatch(/^Characteristic 3 of 10: /);

    // The agreed answers are in the picture, beside the spread, which stays as it was.
    expect(await page.getByText('Agreed answers recorded: 2 of 10 characteristics.').count()).toBe(1);
    expect(await heatmap.locator('tbody').textContent()).toBe(heatmapBefore);
    const stored = await fetch(`${server.url}/api/groups/${roundId}/picture`, { headers: { authorization: `Bearer ${key}` } }).then(
      (r) => r.json() as Promise<{ characteristics: { consensus: { rationale: string; standing: string } | null }[]; result: { agreed: { overall: { stageLabel: string } } } }>,
    );
    expect(stored.characteristics.slice(0, 2).map((c) => [c.consensus?.standing, c.consensus?.rationale])).toEqual([
      ['met', 'Agreed: every ministry now consults online.'],
      ['partial', 'Only some policies are consulted on.'],
    ]);
    expect(await page.locator('table.result tbody tr').last().locator('td').last().textContent()).toBe(stored.result.agreed.overall.stageLabel);
    expect(await axe(page)).toEqual([]);
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('replaces the coordinator link (the old one stops working), closes joining, and ends access for good', async () => {
    const created = await post('/api/groups', { name: 'Settings round' });
    const page = await browser.newPage();
    const errors = recordErrors(page);
    await page.goto(`${server.url}${String((created.coordinatorLink as { path: string }).path)}`);
    await page.getByRole('heading', { name: 'Round: Settings round' }).waitFor();
    const oldKey = String(created.coordinatorToken);
    await page.getByRole('button', { name: 'Replace my coordinator link' }).click();
    await page.getByRole('status').filter({ hasText: 'the old one no longer works' }).waitFor();
    await expect.poll(() => new URL(page.url()).hash).not.toContain(encodeURIComponent(oldKey));
    expect((await fetch(`${server.url}/api/groups/${String(created.roundId)}`, { headers: { authorization: `Bearer ${oldKey}` } })).status).toBe(401);
    await page.getByRole('button', { name: 'Close joining now' }).click();
    await page.getByRole('status').filter({ hasText: 'Joining is closed.' }).waitFor();
    await page.getByRole('button', { name: 'Reopen joining' }).waitFor();
    await page.getByRole('button', { name: 'End coordinator access' }).click();
    const confirm = page.getByRole('button', { name: 'Yes, end coordinator access for good' });
    await confirm.waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Yes, end coordinator access for good');
    await confirm.click();
    await page.getByText('Coordinator access has ended.').first().waitFor();
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'No group round with that id' }).waitFor();
    expect(errors.filter((e) => !e.includes('401')), errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('hands out a report page that is axe clean and prints without the page controls', async () => {
    const created = await post('/api/groups', { name: 'Printed round', assessing: { name: 'City of Example', unit: 'subnational' } });
    const code = String((created.invitation as { code: string }).code);
    for (let i = 0; i < 3; i++) await respondent(code, 'civil-society', MEMBER_PROFILES.intermediate);
    const page = await browser.newPage();
    const errors = recordErrors(page);
    await page.goto(`${server.url}${String((created.coordinatorLink as { path: string }).path)}`);
    await page.getByRole('button', { name: 'Get a link to hand out the report' }).focus();
    await page.keyboard.press('Enter');
    const field = page.getByLabel(/Anyone with this link can read the report until/);
    await field.waitFor();
    const link = await field.inputValue();
    expect(link).toMatch(/\/group-reports\/g_/);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Printed round' }).waitFor();
    expect(await axe(page)).toEqual([]);
    expect(await page.locator('table.heatmap thead th').allTextContents()).toEqual(['Characteristic', 'Disagreement', 'Everyone (3)', 'Civil society (3)']);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav.downloads').isVisible()).toBe(false);
    expect(await page.locator('table.heatmap').isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });
});
