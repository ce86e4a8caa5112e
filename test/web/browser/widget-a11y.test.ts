/**
 * axe-core (WCAG 2.0/2.1/2.2, A and AA) on the demo page with the inline
 * widget at each kind of step: the intro, a question (with a "why" answer),
 * the review, a resume code, and the result; also on a phone-sized viewport
 * and with reduced motion asked for. (Console errors are not checked here:
 * axe's own style injection trips the page's CSP; widget-flow checks them.)
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, clickAnswer, completeByClicking, currentQuestion, launchBrowser, startServer, waitForQuestion } from './helpers.js';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** No violations, with a readable failure listing rule, help and elements. */
async function expectAccessible(page: Page, where: string) {
  const violations = await axe(page);
  expect(violations.map((v) => `${where}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
}

describe('accessibility of the demo page and the widget', () => {
  it('has no axe violations at the intro, a question, the review, a resume code and the result', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await page.locator('.gs-choices button', { hasText: 'Start the assessment' }).waitFor();
    await expectAccessible(page, 'intro');

    await page.getByRole('button', { name: 'Start the assessment' }).click();
    await waitForQuestion(page, 1);
    await currentQuestion(page).getByRole('button', { name: 'Why we ask' }).click();
    await page.locator('.gs-help').waitFor();
    await expectAccessible(page, 'question');

    for (let q = 1; q <= 10; q++) {
      await waitForQuestion(page, q);
      await clickAnswer(page, q === 4 ? 4 : (q % 3) + 1);
    }
    await page.locator('.gs-review').waitFor();
    await expectAccessible(page, 'review');

    await page.locator('.gs-review').getByRole('button', { name: 'Save and continue later' }).click();
    await page.locator('.gs-paused .gs-code').waitFor();
    await expectAccessible(page, 'resume code');

    await page.locator('.gs-review .gs-choices').getByRole('button', { name: 'See my result' }).click();
    await page.getByRole('heading', { name: 'Your result' }).waitFor();
    await page.locator('.gs-result details').first().locator('summary').click();
    await expectAccessible(page, 'result');
    await context.close();
  });

  it('has no violations on a phone-sized screen with reduced motion, and the question and its choices fit', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, reducedMotion: 'reduce', hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await page.getByRole('button', { name: 'Start the assessment' }).click();
    await waitForQuestion(page, 1);
    await expectAccessible(page, 'phone question');
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    const box = await currentQuestion(page).locator('.gs-choices button').first().boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
    await context.close();
  });

  it('labels everything a screen reader meets: log, progress bar, choice groups, text box', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await page.getByRole('button', { name: 'Start the assessment' }).click();
    await waitForQuestion(page, 1);
    const log = page.getByRole('log', { name: 'Conversation' });
    expect(await log.getAttribute('aria-live')).toBe('polite');
    const bar = currentQuestion(page).getByRole('progressbar');
    expect(await bar.getAttribute('aria-valuenow')).toBe('1');
    expect(await bar.getAttribute('aria-valuemax')).toBe('10');
    const group = currentQuestion(page).locator('.gs-choices');
    expect(await group.getAttribute('role')).toBe('group');
    const labelledBy = (await group.getAttribute('aria-labelledby')) ?? '';
    expect(await currentQuestion(page).locator(`[id="${labelledBy}"]`).textContent()).toMatch(/digital tools/);
    expect(await page.getByRole('textbox', { name: 'Your reply' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Send' }).count()).toBe(1);
    // A chosen answer becomes the person's own bubble; the spent buttons are disabled.
    await clickAnswer(page, 1);
    expect(await page.locator('.gs-q').first().locator('.gs-choices button:disabled').count()).toBe(4);
    expect(await page.locator('.gs-user').last().textContent()).toBe('You said: Yes, mostly internal processes');
    await context.close();
  });

  it('the result: headed contradictions and caveats, and only a short summary of it is announced', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(server.url + '/');
    // Limitations and achievements all confirmed (contradictions), one "not sure" (a caveat).
    await completeByClicking(page, [1, 1, 1, 4, 1, 1, 1, 1, 1, 1]);
    const result = page.locator('.gs-result');
    const headings = await result.getByRole('heading').allTextContents();
    expect(headings).toContain('Answers that pull in different directions');
    expect(headings).toContain('Caveats');
    // Each heading is followed by its list.
    for (const name of ['Answers that pull in different directions', 'Caveats']) {
      const next = await result.getByRole('heading', { name, exact: true }).evaluate((el) => el.nextElementSibling?.tagName.toLowerCase());
      expect(next, name).toBe('ul');
    }
    await expectAccessible(page, 'result with contradictions and caveats');

    // What a polite live region announces of it: text whose nearest aria-live setting (WAI-ARIA: the nearest ancestor's applies) is polite.
    const live = await result.evaluate((el) => {
      const out: Record<string, string[]> = {};
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const setting = node.parentElement?.closest('[aria-live]')?.getAttribute('aria-live') ?? 'none';
        (out[setting] ??= []).push(node.textContent ?? '');
      }
      return out;
    });
    const announced = (live.polite ?? []).join(' ');
    const suggestion = (await result.locator('.gs-sugg blockquote').first().textContent()) ?? '';
    expect(announced).toBe('Your result Overall stage: Early');
    // The full result is there to read, in the log, outside the announcement.
    expect((live.off ?? []).join(' ').length).toBeGreaterThan(5000);
    expect(live.off).toContain(suggestion);
    expect(await page.getByRole('log').getAttribute('aria-live')).toBe('polite');
    expect(await page.getByRole('log').locator('.gs-result').count()).toBe(1);
    await context.close();
  });
});
