/**
 * The widget as a bubble on someone else's site: a page on another origin
 * (its own tiny server, listed in ALLOWED_ORIGINS, with a strict CSP that
 * only trusts the Govstage origin) embeds it with one script tag. The
 * launcher opens a labelled dialog, Escape closes it and gives focus back,
 * the cross-origin API works, a light custom colour keeps readable text, and
 * on a phone the panel takes the whole screen.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, currentQuestion, focused, launchBrowser, recordErrors, startServer, waitForQuestion } from './helpers.js';

let site: Server;
let siteUrl = '';
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

beforeAll(async () => {
  const template = await readFile(path.join(import.meta.dirname, 'fixtures/bubble.html'), 'utf8');
  site = createServer((req, res) => {
    if (req.url !== '/' && req.url !== '/?x' && req.url !== '/?no-csp') {
      res.writeHead(404).end();
      return;
    }
    const gov = server.url;
    // /?no-csp: a site without a CSP, where the widget's <style> fallback may run.
    const csp = req.url === '/?no-csp' ? {} : { 'Content-Security-Policy': `default-src 'none'; script-src ${gov}; style-src ${gov}; connect-src ${gov}; img-src data:` };
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...csp });
    res.end(template.replaceAll('%GOVSTAGE%', gov));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  [server, browser] = await Promise.all([startServer({ ALLOWED_ORIGINS: siteUrl }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => site?.close(resolve));
});

const launcher = (page: Page) => page.getByRole('button', { name: 'Ask Govstage' });
const dialog = (page: Page) => page.getByRole('dialog', { name: 'Ask Govstage' });

describe('the widget as a bubble on another site', () => {
  it('opens from the launcher, works across origins, and closes with Escape, focus back on the launcher', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const errors = recordErrors(page);
    await page.goto(siteUrl + '/');
    await launcher(page).waitFor();
    expect(await launcher(page).getAttribute('aria-expanded')).toBe('false');
    expect(await dialog(page).count()).toBe(0);

    await launcher(page).click();
    await dialog(page).waitFor();
    expect(await launcher(page).getAttribute('aria-expanded')).toBe('true');
    await page.locator('.gs-choices button', { hasText: 'Start the assessment' }).waitFor();
    expect((await focused(page)).text).toBe('Start the assessment');

    // Cross-origin turns with a bearer token (CORS preflight) from the keyboard: the opening question, then question 1.
    await page.keyboard.press('Enter');
    await currentQuestion(page).getByRole('button', { name: 'A national government as a whole' }).waitFor();
    expect((await focused(page)).text).toBe('A national government as a whole');
    await page.keyboard.press('Enter');
    await waitForQuestion(page, 1);
    expect((await focused(page)).firstChoice).toBe(true);

    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'hidden' });
    expect(await launcher(page).getAttribute('aria-expanded')).toBe('false');
    expect((await focused(page)).className).toContain('gs-launcher');

    // Reopening with the keyboard returns to the same question, focus on its first choice.
    await page.keyboard.press('Enter');
    await dialog(page).waitFor();
    expect((await focused(page)).firstChoice).toBe(true);
    await page.getByRole('button', { name: 'Close' }).click();
    await dialog(page).waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is styled under the strict CSP with no stylesheet request: its CSS comes inside widget.js', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const errors = recordErrors(page);
    const requested: string[] = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(siteUrl + '/');
    await launcher(page).waitFor();
    expect(await launcher(page).evaluate((el) => getComputedStyle(el).position)).toBe('fixed');
    expect(await page.evaluate(() => document.querySelector('.govstage-widget')?.shadowRoot?.adoptedStyleSheets.length)).toBe(1);
    expect(requested.filter((p) => p !== '/' && !p.startsWith('/api/'))).toEqual(['/widget.js']);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('falls back to a <style> element where constructed stylesheets are unsupported', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    // As in a browser without them (Safari before 16.4): the widget checks for the property on its shadow root.
    await context.addInitScript('delete ShadowRoot.prototype.adoptedStyleSheets; delete Document.prototype.adoptedStyleSheets;');
    const page = await context.newPage();
    await page.goto(siteUrl + '/?no-csp');
    await launcher(page).waitFor();
    expect(await launcher(page).evaluate((el) => getComputedStyle(el).position)).toBe('fixed');
    expect(await page.evaluate(() => document.querySelector('.govstage-widget')?.shadowRoot?.querySelectorAll('style').length)).toBe(1);
    await context.close();
  });

  it('keeps text readable on a light custom colour and passes axe with the panel open', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    await page.goto(siteUrl + '/');
    await launcher(page).click();
    await page.locator('.gs-choices button', { hasText: 'Start the assessment' }).waitFor();
    // #fbbf24 (amber) is too light for white text: the widget picks black on it.
    expect(await launcher(page).evaluate((el) => getComputedStyle(el).color)).toBe('rgb(0, 0, 0)');
    const violations = await axe(page);
    expect(violations.map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
    await context.close();
  });

  it('takes the whole screen on a phone', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(siteUrl + '/');
    await launcher(page).tap();
    await dialog(page).waitFor();
    const box = await page.locator('.gs-bubble').boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 375, height: 667 });
    await page.getByRole('button', { name: 'Close' }).tap();
    await launcher(page).waitFor();
    await context.close();
  });

  it('on a phone, fits the panel to the visible area when the on-screen keyboard shrinks the visual viewport', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(siteUrl + '/');
    await launcher(page).tap();
    await page.locator('.gs-choices button', { hasText: 'Start the assessment' }).waitFor();
    await page.getByRole('textbox', { name: 'Your reply' }).tap();
    /*
     * Headless Chromium shows no on-screen keyboard. A keyboard (on Android
     * and iOS alike) shrinks the visual viewport and may scroll it, while the
     * layout viewport, and so a position:fixed panel, stays as it was; the
     * browser then fires resize and scroll on window.visualViewport. This
     * does the same: own properties on the VisualViewport object shadow its
     * prototype's getters, then the events are dispatched.
     */
    const keyboard = (height: number | null, offsetTop = 0) =>
      page.evaluate(([h, top]) => {
        const vv = window.visualViewport as VisualViewport;
        if (h === null) {
          delete (vv as unknown as Record<string, unknown>).height;
          delete (vv as unknown as Record<string, unknown>).offsetTop;
        } else {
          Object.defineProperty(vv, 'height', { configurable: true, get: () => h });
          Object.defineProperty(vv, 'offsetTop', { configurable: true, get: () => top });
        }
        vv.dispatchEvent(new Event('resize'));
        vv.dispatchEvent(new Event('scroll'));
      }, [height, offsetTop] as const);
    await keyboard(360, 40);
    await expect.poll(() => page.locator('.gs-bubble').boundingBox()).toEqual({ x: 0, y: 40, width: 375, height: 360 });
    const reply = await page.getByRole('textbox', { name: 'Your reply' }).boundingBox();
    expect((reply?.y ?? 0) + (reply?.height ?? 0)).toBeLessThanOrEqual(400);
    expect((reply?.y ?? 0)).toBeGreaterThanOrEqual(40);
    // The keyboard goes away: the whole screen again.
    await keyboard(null);
    await expect.poll(() => page.locator('.gs-bubble').boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
    // Pinch-zoom also shrinks the visual viewport (here for real, through the DevTools protocol), but then the panel holds still.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 2 });
    await expect.poll(() => page.evaluate(() => window.visualViewport?.scale)).toBe(2);
    await page.waitForTimeout(100);
    expect(await page.locator('.gs-bubble').evaluate((el) => getComputedStyle(el).height)).toBe('667px');
    await context.close();
  });
});
