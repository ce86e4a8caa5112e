/**
 * The widget and the report page in a pseudo-locale (en-XA: every word
 * accented and about 40% longer, generated from English at test time, see
 * test/helpers/pseudo.ts), in real Chromium, on a phone and on a desktop:
 * nothing is cut off or overflows (no element wider than its box, no
 * horizontal scrolling, every button's label whole), and axe finds nothing.
 * Adding the locale took only data: the server validated it at start-up.
 */
import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudoContent, PSEUDO } from '../../helpers/pseudo.js';
import { axe, currentQuestion, launchBrowser, startServer } from './helpers.js';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let content: string;

beforeAll(async () => {
  content = await pseudoContent();
  [server, browser] = await Promise.all([startServer({ CONTENT_DIR: content }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (content) await rm(content, { recursive: true, force: true });
});

async function hostPage(page: Page): Promise<void> {
  const html = `<!doctype html><html lang="${PSEUDO}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Host</title></head><body><main><h1>Host</h1><div id="a"></div></main>
<script src="/widget.js" data-mode="inline" data-target="#a" defer></script></body></html>`;
  await page.route(`${server.url}/host.html`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  await page.goto(`${server.url}/host.html`);
}

/**
 * What does not fit, in the widget (its shadow root) or a page: an element
 * that scrolls sideways or cuts its content (overflow hidden), a button whose
 * label is wider or taller than the button, anything reaching past the
 * right edge of its panel or of the page. Visually hidden helper text aside.
 */
const misfits = (page: Page) =>
  page.evaluate(() => {
    const root: Document | ShadowRoot = document.querySelector('.govstage-widget')?.shadowRoot ?? document;
    const frame = (root instanceof ShadowRoot ? root.querySelector('.gs-panel') : document.documentElement)?.getBoundingClientRect();
    const out: string[] = [];
    const name = (el: Element) => `${el.tagName.toLowerCase()}.${(el.getAttribute('class') ?? '').replace(/\s+/g, '.')} "${(el.textContent ?? '').slice(0, 40)}"`;
    // Visually hidden on purpose (a screen reader's text, a stacked table's header row): clipped to a pixel.
    const clippedAway = (el: Element | null): boolean => {
      for (let a = el; a; a = a.parentElement) {
        const style = getComputedStyle(a);
        if ((style.clip !== 'auto' || style.clipPath !== 'none') && a.getBoundingClientRect().width <= 1) return true;
      }
      return false;
    };
    for (const el of Array.from(root.querySelectorAll('*'))) {
      if (!(el instanceof HTMLElement) || el.offsetParent === null || clippedAway(el)) continue;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible' && el.clientWidth > 0) out.push(`cut off or scrolling sideways: ${name(el)} (${el.scrollWidth} > ${el.clientWidth})`);
      if (el.tagName === 'BUTTON' && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) out.push(`button label does not fit: ${name(el)}`);
      if (frame && box.right > frame.right + 1 && style.position !== 'fixed') out.push(`past the right edge: ${name(el)} (${Math.round(box.right)} > ${Math.round(frame.right)})`);
    }
    if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${window.innerWidth})`);
    return out;
  });

async function expectFits(page: Page, where: string) {
  expect(await misfits(page), where).toEqual([]);
  const violations = await axe(page);
  expect(violations.map((v) => `${where}: ${v.id} ${v.help}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
}

async function answer(page: Page, n: number) {
  const before = await page.locator('.gs-msg').count();
  await currentQuestion(page).locator('.gs-choices button').nth(n - 1).click();
  await page.waitForFunction((count) => document.querySelector('.govstage-widget')?.shadowRoot?.querySelectorAll('.gs-msg').length !== count && !document.querySelector('.govstage-widget')?.shadowRoot?.querySelector('.gs-log[aria-busy]'), before);
}

for (const [device, viewport] of [['a phone', { width: 360, height: 740 }], ['a desktop', { width: 1100, height: 900 }]] as const) {
  describe(`the pseudo-locale on ${device}`, () => {
    it('the widget from the introduction to the result, and the report page: nothing cut off or overflowing, axe clean', async () => {
      const context = await browser.newContext({ viewport, ...(device === 'a phone' ? { isMobile: true, hasTouch: true } : {}) });
      const page = await context.newPage();
      await hostPage(page);
      const start = page.locator('.gs-choices button').first();
      await start.waitFor();
      // It is the pseudo-locale: accented, and longer than the English.
      expect(await start.textContent()).toMatch(/^Šţ/);
      expect((await start.textContent())?.length ?? 0).toBeGreaterThan('Start the assessment'.length * 1.3);
      await expectFits(page, 'introduction');
      // The check finds what does not fit: a button whose label cannot wrap, planted and taken away again.
      await page.evaluate(() => {
        const log = document.querySelector('.govstage-widget')?.shadowRoot?.querySelector('.gs-log');
        const b = document.createElement('button');
        b.id = 'planted';
        b.style.setProperty('white-space', 'nowrap');
        b.style.setProperty('width', '60px');
        b.textContent = 'Šţåŕţ ţĥé åššéššméñţ åñð ñéŵéŕ ŵŕåþ';
        log?.append(b);
      });
      expect((await misfits(page)).join('\n')).toContain('button label does not fit');
      await page.evaluate(() => document.querySelector('.govstage-widget')?.shadowRoot?.getElementById('planted')?.remove());
      await start.click();
      await currentQuestion(page).locator('.gs-choices button').first().click();
      await currentQuestion(page).locator('.gs-meta').waitFor();
      await currentQuestion(page).locator('.gs-cmds button').first().click();
      await page.locator('.gs-help').last().waitFor();
      await expectFits(page, 'question and why');
      for (let q = 1; q <= 14; q++) {
        await currentQuestion(page).locator('.gs-meta').waitFor();
        await answer(page, q === 4 ? 4 : 3);
      }
      await page.locator('.gs-review').waitFor();
      await expectFits(page, 'review');
      await page.locator('.gs-review .gs-choices button').first().click();
      await page.locator('.gs-result').waitFor();
      // Every disclosure of the OECD's original open, so that what it holds is laid out too.
      await page.evaluate(() => document.querySelector('.govstage-widget')?.shadowRoot?.querySelectorAll('details').forEach((d) => d.setAttribute('open', '')));
      expect(await page.locator('.gs-result details[open] p[lang="en"]').count()).toBeGreaterThan(0);
      await expectFits(page, 'result');
      await page.locator('.gs-result button[data-action="report-link"]').click();
      const href = await page.locator('.gs-report-link a').getAttribute('href');
      await page.goto(href ?? '');
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => d.setAttribute('open', '')));
      expect(await page.locator('html').getAttribute('lang')).toBe(PSEUDO);
      await expectFits(page, 'report page');
      await context.close();
    }, 120_000);
  });
}
