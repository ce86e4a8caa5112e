/**
 * How long a person on a slow connection waits for the widget's first
 * question: Debian's Chromium (driven by playwright-core, never a downloaded
 * browser) loads the server's demo page, which embeds the widget with one
 * script tag, with the DevTools protocol's network throttling (slow 3G:
 * 400 ms round trip, 400 kbit/s each way) and the cache off. The time is
 * from navigation start (performance.timeOrigin) until the introduction's
 * first choice button (its opening question) is on screen and enabled, taken inside the page on
 * the first animation frame that shows it.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const SLOW_3G = { offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 } as const;

export interface FirstQuestion {
  /** Median over the runs, ms. */
  ms: number;
  runs: number[];
  /**
   * What the page fetched in the last run (path, bytes received on the wire as Chromium counted them, with headers),
   * with when each was sent and finished, ms after the page's own request was sent: the critical path.
   */
  requests: { path: string; wireBytes: number; sentMs: number; doneMs: number }[];
}

/**
 * Runs in the page from its start: on every animation frame, looks in the widget's shadow root for
 * an enabled choice button of the conversation's log that has a box on screen (the introduction's
 * "Start the assessment", styled from the start as its stylesheet comes inside widget.js), and notes
 * the time since navigation start when one first appears.
 */
const FIRST_QUESTION_PROBE = `(() => {
  const look = () => {
    const root = document.querySelector('.govstage-widget')?.shadowRoot;
    const buttons = root ? Array.from(root.querySelectorAll('.gs-log .gs-choices button')) : [];
    if (buttons.some((b) => !b.disabled && b.getClientRects().length > 0)) window.__firstQuestionMs = performance.now();
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();`;

/** Undefined when there is no Chromium to run (the figure is then skipped). */
export async function firstQuestionMsSlow3g(url: string, runs: number): Promise<FirstQuestion | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const times: number[] = [];
    let requests: FirstQuestion['requests'] = [];
    for (let run = 0; run < runs; run++) {
      // A fresh context each run: no cookies, storage (a saved session would skip the introduction) or cache.
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
        await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
        const seen = new Map<string, FirstQuestion['requests'][number]>();
        // CDP timestamps are seconds on a monotonic clock; the page's own request is the zero.
        let zero: number | undefined;
        const ms = (timestamp: number) => Math.round((timestamp - (zero ??= timestamp)) * 1000);
        cdp.on('Network.requestWillBeSent', (e: { requestId: string; timestamp: number; request: { url: string } }) => {
          const u = new URL(e.request.url);
          seen.set(e.requestId, { path: u.pathname + u.search, wireBytes: 0, sentMs: ms(e.timestamp), doneMs: -1 });
        });
        cdp.on('Network.loadingFinished', (e: { requestId: string; timestamp: number; encodedDataLength: number }) => {
          const r = seen.get(e.requestId);
          if (r) {
            r.wireBytes = e.encodedDataLength;
            r.doneMs = ms(e.timestamp);
          }
        });
        // A string, not a function: tsx's compiler would wrap a function's inner functions in a
        // helper (__name) that the page does not have.
        await page.addInitScript(FIRST_QUESTION_PROBE);
        await page.goto(`${url}/`, { waitUntil: 'commit', timeout: 60_000 });
        // A function (the page's CSP forbids evaluating a string); it has no inner functions for the compiler to wrap.
        const handle = await page.waitForFunction(() => (window as unknown as { __firstQuestionMs?: number }).__firstQuestionMs, undefined, { timeout: 60_000, polling: 100 });
        times.push(Math.round(Number(await handle.jsonValue())));
        requests = Array.from(seen.values());
      } finally {
        await context.close();
      }
    }
    const sorted = [...times].sort((a, b) => a - b);
    return { ms: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0, runs: times, requests };
  } finally {
    await browser.close();
  }
}
