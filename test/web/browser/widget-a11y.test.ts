/**
 * axe-core (WCAG 2.0/2.1/2.2, A and AA) on the demo page with the inline
 * widget at each kind of step: the intro, the opening question (what is
 * assessed), a question (with a "why" answer), the review, a resume code,
 * a contradiction put to the person, the note that settles it, and the
 * result; also on a phone-sized viewport and with reduced motion asked for. (Console errors are not checked here:
 * axe's own style injection trips the page's CSP; widget-flow checks them.)
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerByClicking, axe, chooseUnit, clickAnswer, currentQuestion, focused, launchBrowser, startAssessment, startServer, typeReply, waitForQuestion } from './helpers.js';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const CONTRADICTIONS = "Answers that pull in different directions (Govstage's check)";

/** No violations, with a readable failure listing rule, help and elements. */
async function expectAccessible(page: Page, where: string) {
  const violations = await axe(page);
  expect(violations.map((v) => `${where}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
}

describe('accessibility of the demo page and the widget', () => {
  it('has no axe violations at the intro, the opening question, a question, the review, a resume code and the result', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await page.locator('.gs-choices button', { hasText: 'Start the assessment' }).waitFor();
    await expectAccessible(page, 'intro');

    await page.getByRole('button', { name: 'Start the assessment' }).click();
    await currentQuestion(page).getByRole('button', { name: 'A national government as a whole' }).waitFor();
    await expectAccessible(page, 'opening question');
    await chooseUnit(page);
    await currentQuestion(page).getByRole('button', { name: 'Why we ask' }).click();
    await page.locator('.gs-help').waitFor();
    await expectAccessible(page, 'question');

    // Every kind of answer, Not sure included, and no contradiction.
    for (let q = 1; q <= 14; q++) {
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
    await expectAccessible(page, 'result');
    await context.close();
  });

  it('has no violations on a phone-sized screen with reduced motion, and the question and its choices fit', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, reducedMotion: 'reduce', hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await startAssessment(page);
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
    // The opening question (what is assessed): its choices are labelled by it; it has no number and no progress bar.
    const opening = currentQuestion(page);
    await opening.getByRole('button', { name: 'A national government as a whole' }).waitFor();
    const unitGroup = opening.locator('.gs-choices');
    expect(await unitGroup.getAttribute('role')).toBe('group');
    expect(await opening.locator(`[id="${(await unitGroup.getAttribute('aria-labelledby')) ?? ''}"]`).textContent()).toMatch(/what are you assessing/);
    expect(await opening.getByRole('progressbar').count()).toBe(0);
    await chooseUnit(page);
    const log = page.getByRole('log', { name: 'Conversation' });
    expect(await log.getAttribute('aria-live')).toBe('polite');
    const bar = currentQuestion(page).getByRole('progressbar');
    expect(await bar.getAttribute('aria-valuenow')).toBe('1');
    expect(await bar.getAttribute('aria-valuemax')).toBe('14');
    const group = currentQuestion(page).locator('.gs-choices');
    expect(await group.getAttribute('role')).toBe('group');
    const labelledBy = (await group.getAttribute('aria-labelledby')) ?? '';
    expect(await currentQuestion(page).locator(`[id="${labelledBy}"]`).textContent()).toMatch(/digital tools/);
    expect(await page.getByRole('textbox', { name: 'Your reply' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Send' }).count()).toBe(1);
    // A chosen answer becomes the person's own bubble; the spent buttons are disabled (question 1's, after the opening question's).
    await clickAnswer(page, 1);
    expect(await page.locator('.gs-q').first().locator('.gs-choices button:disabled').count()).toBe(4);
    expect(await page.locator('.gs-q').nth(1).locator('.gs-choices button:disabled').count()).toBe(4);
    expect(await page.locator('.gs-user').last().textContent()).toBe('You said: Yes, mainly internal processes');
    await context.close();
  });

  it('the result: headed contradictions and caveats, and only a short summary of it is announced', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(server.url + '/');
    // Limitations and achievements all confirmed (three contradictions), one "not sure" (a caveat).
    await startAssessment(page);
    await answerByClicking(page, [1, 1, 1, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    await page.getByRole('button', { name: 'See my result' }).click();
    // Each contradiction is put to the person before the result; all three are left for later (another caveat).
    for (let i = 1; i <= 3; i++) {
      const settle = page.locator('.gs-msg', { hasText: `answers to look at again (${i} of 3)` });
      await settle.getByRole('button', { name: 'Decide later' }).click();
    }
    await page.getByRole('heading', { name: 'Your result' }).waitFor();
    const result = page.locator('.gs-result');
    const headings = await result.getByRole('heading').allTextContents();
    expect(headings).toContain(CONTRADICTIONS);
    expect(headings).toContain('Please note');
    expect(await result.locator('h4', { hasText: 'Please note' }).locator('+ ul > li').count()).toBe(2);
    expect(await result.locator('h4', { hasText: CONTRADICTIONS }).locator('+ ul > li').count()).toBe(3);
    // Each heading is followed by its list.
    for (const name of [CONTRADICTIONS, 'Please note']) {
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
  it('a contradiction is put as a bubble with its buttons, kept with a typed note, and the result shows the note under its heading', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(server.url + '/');
    // The intermediate profile, except that digital tools follow government's own logic: an early-stage
    // characteristic of the theme holds fully with two intermediate ones, one contradiction.
    await startAssessment(page);
    await answerByClicking(page, [1, 1, 3, 1, 3, 3, 1, 3, 3, 3, 1, 3, 3, 3]);
    await page.getByRole('button', { name: 'See my result' }).click();
    const settle = page.locator('.gs-msg', { hasText: 'answers to look at again (1 of 1)' });
    await settle.waitFor();
    expect(await page.getByRole('heading', { name: 'Your result' }).count()).toBe(0);
    expect(await settle.textContent()).toContain("You said digital tools follow government's own logic");
    const buttons = await settle.locator('.gs-choices button').allTextContents();
    expect(buttons).toEqual(["Change: digital tools follow government's own logic", 'Change: digital channels used to engage people', "Change: collecting and anticipating citizens' preferences", 'Keep both answers', 'Decide later']);
    expect((await focused(page)).text).toBe(buttons[0]);
    await expectAccessible(page, 'contradiction');

    await settle.getByRole('button', { name: 'Keep both answers' }).click();
    await page.locator('.gs-msg', { hasText: 'Type a short note saying why both answers stand' }).waitFor();
    expect(await settle.locator('button:enabled').count()).toBe(0);
    // The step waits for a typed note: focus is in the reply box, not on its Back button.
    await page.waitForFunction(() => document.querySelector('.govstage-widget')?.shadowRoot?.activeElement?.tagName.toLowerCase() === 'textarea' || document.querySelector('.govstage-widget')?.shadowRoot?.activeElement?.tagName.toLowerCase() === 'input');
    await expectAccessible(page, 'note for a contradiction');
    const note = 'Built for internal processes, yet every draft policy is open for comment online';
    await typeReply(page, note);
    await page.getByRole('heading', { name: 'Your result' }).waitFor();
    // The confirmation sits under the person's own words.
    expect(await page.locator('.gs-ack', { hasText: `Kept both answers, with your note: ${note}` }).count()).toBe(1);

    const result = page.locator('.gs-result');
    const kept = result.locator('h4', { hasText: CONTRADICTIONS }).locator('+ ul > li');
    expect(await kept.count()).toBe(1);
    expect(await kept.textContent()).toContain("You said digital tools follow government's own logic");
    expect(await kept.textContent()).toContain(note);
    // Settled, so no caveat about contradictions left standing.
    expect(await result.getByRole('heading', { name: 'Please note' }).count()).toBe(0);
    await expectAccessible(page, 'result with a kept contradiction');
    await context.close();
  });
});
