/**
 * The inline widget on a phone-sized screen: after a typed reply the new
 * step's answer buttons are in view, not scrolled away above or below.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseUnit, launchBrowser, startServer, typeReply, waitForQuestion } from './helpers.js';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** How much of each answer button of the current question is visible: inside the log's scrolled view and on the screen. */
async function choicesInView(page: Page): Promise<{ visible: boolean[]; count: number }> {
  return page.evaluate(() => {
    const root = document.querySelector('.govstage-widget')?.shadowRoot;
    const log = (root?.querySelector('.gs-log') as HTMLElement).getBoundingClientRect();
    const current = Array.from(root?.querySelectorAll('.gs-q') ?? []).pop() as HTMLElement;
    const buttons = Array.from(current.querySelectorAll('.gs-choices button'));
    const top = Math.max(log.top, 0);
    const bottom = Math.min(log.bottom, window.innerHeight);
    return { count: buttons.length, visible: buttons.map((b) => b.getBoundingClientRect()).map((r) => r.top >= top - 1 && r.bottom <= bottom + 1) };
  });
}

describe('the inline widget on a phone', () => {
  it('keeps the answer buttons in view after a typed note, with the answer and alone', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await page.getByRole('button', { name: 'Start the assessment' }).tap();
    await chooseUnit(page);

    await typeReply(page, 'partly, only in two ministries');
    await waitForQuestion(page, 2);
    let view = await choicesInView(page);
    expect(view.count).toBe(4);
    expect(view.visible).toEqual([true, true, true, true]);

    await typeReply(page, 'note see our consultation portal');
    view = await choicesInView(page);
    expect(view.visible).toEqual([true, true, true, true]);
    await context.close();
  });
});
