/**
 * The widget in a real browser against the real server: completing an
 * assessment by mouse and by keyboard, surviving a reload, saving and
 * resuming elsewhere with a code, hostile text, stale answers and network
 * failures. One server and one browser for the file; a fresh browser
 * context (own localStorage) per test.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  clickAnswer,
  CLICKS,
  completeByClicking,
  countEverywhere,
  currentQuestion,
  focused,
  launchBrowser,
  questionText,
  recordDialogs,
  recordErrors,
  startAssessment,
  startServer,
  typeReply,
  waitForQuestion,
  answerByClicking,
} from './helpers.js';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  // PUBLIC_URL makes the server add a resume link to the codes it issues.
  [server, browser] = await Promise.all([startServer({ PUBLIC_URL: 'http://govstage.test' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

async function openDemo(path = '/'): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  const errors = recordErrors(page);
  await page.goto(server.url + path);
  return { page, context, errors };
}

/** From the intro to question 1: start, and assess a national government. */
const start = (page: Page) => startAssessment(page);

const liveAnswerButtons = (page: Page) => page.locator('.gs-q .gs-choices button:enabled');

describe('the widget on the demo page', () => {
  it('completes an assessment by clicking and shows the result with its chart and suggestions', async () => {
    const { page, errors } = await openDemo();
    // A mixed profile with no contradiction (so "See my result" goes straight to the result).
    await completeByClicking(page, [1, 2, 2, 2, 3, 2, 2, 1, 2, 2, 1, 2, 3, 2], 'A ministry or agency');
    const overall = await page.locator('.gs-overall').textContent();
    expect(overall).toMatch(/^Overall stage: (Early|Intermediate|Advanced)$/);
    const chart = page.locator('svg.gs-chart[role="img"]');
    expect(await chart.count()).toBe(1);
    const label = (await chart.getAttribute('aria-label')) ?? '';
    for (const theme of ['Engaging people in policy and services', 'Legal and enabling framework', 'Open government data']) expect(label).toContain(theme);
    expect(await chart.locator('rect.f').count()).toBeGreaterThan(0);
    const suggestions = page.locator('.gs-sugg > li');
    expect(await suggestions.count()).toBeGreaterThan(0);
    expect(await suggestions.first().locator('blockquote').textContent()).not.toBe('');
    expect(await page.locator('.gs-sugg').textContent()).toContain('Because you said:');
    expect(await page.locator('.gs-source').textContent()).toMatch(/^Source: OECD/);
    // Every answer was echoed as the person's own bubble: start, what is assessed, 14 answers, see my result.
    expect(await page.locator('.gs-user').count()).toBe(17);
    expect(await page.locator('.gs-user').nth(1).textContent()).toBe('You said: A ministry or agency');
    // What is assessed words the questions and the result.
    expect(await page.locator('.gs-q .gs-text').nth(1).textContent()).toContain('your ministry or agency');
    expect(await page.locator('.gs-result').textContent()).toContain('Overall stage of development for your ministry or agency:');
    // Starting again from the result switches to a fresh conversation.
    const before = await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith('govstage:'))?.[1]);
    await page.locator('.gs-result').getByRole('button', { name: 'Start a new assessment' }).click();
    await page.locator('.gs-choices button:enabled', { hasText: 'Start the assessment' }).waitFor();
    const after = await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith('govstage:'))?.[1]);
    expect(JSON.parse(after ?? '{}').conversationId).not.toBe(JSON.parse(before ?? '{}').conversationId);
    expect(errors).toEqual([]);
  });

  it('completes an assessment with the keyboard only, focus following each new question', async () => {
    const { page, errors } = await openDemo();
    await page.locator('.gs-choices button', { hasText: 'Start the assessment' }).waitFor();
    // Tab from the top of the page to the Start button.
    for (let i = 0; i < 30 && (await focused(page)).text !== 'Start the assessment'; i++) await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Start the assessment');
    await page.keyboard.press('Enter');
    // The opening question (what is assessed): focus on its first choice, a national government.
    await currentQuestion(page).getByRole('button', { name: 'A national government as a whole' }).waitFor();
    expect((await focused(page)).text).toBe('A national government as a whole');
    await page.keyboard.press('Enter');
    // Every kind of answer, Not sure included, and no contradiction.
    const answers = [2, 1, 3, 4, 1, 2, 1, 1, 2, 3, 1, 2, 4, 2];
    for (let q = 1; q <= answers.length; q++) {
      await waitForQuestion(page, q);
      const now = await focused(page);
      expect(now.firstChoice, `focus on the first choice of question ${q}`).toBe(true);
      for (let t = 1; t < (answers[q - 1] as number); t++) await page.keyboard.press('Tab');
      await page.keyboard.press(q % 2 === 0 ? 'Space' : 'Enter');
    }
    await page.locator('.gs-review .gs-choices button:enabled').first().waitFor();
    expect((await focused(page)).text).toBe('See my result');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your result' }).waitFor();
    const heading = await focused(page);
    expect(heading.tag).toBe('h3');
    expect(heading.text).toBe('Your result');
    expect(await page.locator('svg.gs-chart').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('changes an answer from the review and comes back to the review', async () => {
    const { page } = await openDemo();
    await start(page);
    await answerByClicking(page, CLICKS.intermediate);
    const review = page.locator('.gs-review').last();
    // What is assessed comes first, with no number; the questions are numbered as they were asked.
    const unit = review.locator('li').first();
    expect(await unit.locator('.gs-ans').textContent()).toBe('A national government as a whole');
    expect(await unit.getByRole('button', { name: 'Change what you are assessing', exact: true }).count()).toBe(1);
    const second = review.locator('li').nth(2);
    expect(await second.textContent()).toContain('regularly use digital channels');
    const before = await second.locator('.gs-ans').textContent();
    await second.getByRole('button', { name: 'Change the answer to question 2', exact: true }).click();
    await waitForQuestion(page, 2);
    expect(await currentQuestion(page).locator('.gs-cur').textContent()).toBe(`Your current answer: ${before}`);
    expect(await currentQuestion(page).locator('.gs-choices button.gs-chosen').textContent()).toBe(before);
    expect(await page.locator('.gs-user').last().textContent()).toMatch(/^You said: Change: Does your government regularly use digital channels/);
    const replacement = (await currentQuestion(page).locator('.gs-choices button').nth(2).textContent()) ?? '';
    await clickAnswer(page, 3);
    await page.locator('.gs-review').nth(1).waitFor();
    expect(await page.locator('.gs-review').last().locator('li').nth(2).locator('.gs-ans').textContent()).toBe(replacement);
    expect(await page.locator('.gs-review').first().locator('button:enabled').count()).toBe(0);
  });

  it('after a reload half-way, continues at the same question with the transcript restored', async () => {
    const { page } = await openDemo();
    await start(page);
    for (let q = 1; q <= 4; q++) await clickAnswer(page, (q % 3) + 1);
    await waitForQuestion(page, 5);
    const fifth = await questionText(page);
    const bubbles = await page.locator('.gs-user').allTextContents();

    await page.reload();
    await waitForQuestion(page, 5);
    expect(await questionText(page)).toBe(fifth);
    expect(await page.locator('.gs-user').allTextContents()).toEqual(bubbles);
    // Earlier questions are there (what is assessed, then four), spent; only the current one answers.
    expect(await page.locator('.gs-q').count()).toBe(6);
    expect(await liveAnswerButtons(page).count()).toBe(4);
    expect(await page.locator('.gs-q', { hasText: fifth }).count()).toBe(1);

    await clickAnswer(page, 2);
    await waitForQuestion(page, 6);
  });

  it('saves to continue later and resumes with the code in a fresh browser, and by a ?resume= link', async () => {
    const a = await openDemo();
    await start(a.page);
    for (const n of [1, 3, 1]) await clickAnswer(a.page, n);
    await waitForQuestion(a.page, 4);
    const fourth = await questionText(a.page);

    // The question's own "Save and continue later" command shows a code.
    await currentQuestion(a.page).getByRole('button', { name: 'Save and continue later' }).click();
    const paused = a.page.locator('.gs-paused').last();
    await paused.locator('.gs-code').waitFor();
    expect(await paused.textContent()).toContain('Resume with a code');
    const firstCode = (await paused.locator('.gs-code').textContent()) ?? '';
    expect(await paused.getByRole('link').getAttribute('href')).toBe(`http://govstage.test/?resume=${encodeURIComponent(firstCode)}`);
    // The footer button issues a fresh code (the first stops working) without making the next answer stale.
    await a.page.getByRole('button', { name: 'Get a code to continue later' }).click();
    await a.page.locator('.gs-paused .gs-code').nth(1).waitFor();
    const code = (await a.page.locator('.gs-paused .gs-code').nth(1).textContent()) ?? '';
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    await clickAnswer(a.page, 2);
    await waitForQuestion(a.page, 5);
    expect(await a.page.locator('.gs-warning').count()).toBe(0);
    const fifth = await questionText(a.page);
    expect(fifth).not.toBe(fourth);

    // A fresh browser (no localStorage): enter the code in "Resume with a code".
    const b = await openDemo();
    await b.page.locator('.gs-choices button', { hasText: 'Start the assessment' }).waitFor();
    await b.page.getByRole('button', { name: 'Resume with a code' }).click();
    await b.page.getByRole('textbox', { name: 'Resume code' }).fill(code.toLowerCase());
    await b.page.getByRole('textbox', { name: 'Resume code' }).press('Enter');
    await waitForQuestion(b.page, 5);
    expect(await questionText(b.page)).toBe(fifth);
    expect(await b.page.locator('.gs-sep', { hasText: 'Your saved assessment is open again.' }).count()).toBe(1);
    expect(await b.page.locator('.gs-user', { hasText: 'Yes, mainly internal processes' }).count()).toBe(1);
    expect(await b.page.locator('.gs-paused', { hasText: 'A resume code was shown here.' }).count()).toBe(1);
    // The focus went to the resumed question.
    expect((await focused(b.page)).firstChoice).toBe(true);

    // The first browser's access is gone now: it says so and offers the ways on.
    await currentQuestion(a.page).locator('.gs-choices button').first().click();
    await a.page.locator('.gs-err', { hasText: 'continued somewhere else' }).waitFor();
    expect(await a.page.locator('.gs-err').last().getByRole('button', { name: 'Start a new assessment' }).count()).toBe(1);
    expect(await a.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('govstage:')).length)).toBe(0);

    // A third browser opens the resume link.
    const c = await openDemo(`/?resume=${encodeURIComponent(code)}`);
    await waitForQuestion(c.page, 5);
    expect(await questionText(c.page)).toBe(fifth);
    expect(new URL(c.page.url()).search).toBe('');
    await clickAnswer(c.page, 1);
    await waitForQuestion(c.page, 6);
  });

  it('shows hostile text typed as a note or a reply as literal text, and nothing runs', async () => {
    const { page, errors } = await openDemo();
    const dialogs = recordDialogs(page);
    const evil = '<img src=x onerror=alert(1)>';
    await start(page);
    await typeReply(page, `note ${evil}`);
    await page.locator('.gs-ack', { hasText: 'Your note is saved' }).waitFor();
    await typeReply(page, evil);
    expect(await page.locator('.gs-user').last().textContent()).toBe(`You said: ${evil}`);
    expect(await page.locator('.gs-warning').last().textContent()).toContain(`"${evil}"`);
    await clickAnswer(page, 2);
    await currentQuestion(page).getByRole('button', { name: 'Review my answers' }).click();
    await page.locator('.gs-review').waitFor();
    // The first item is what is assessed; the note is on question 1.
    expect(await page.locator('.gs-review li').nth(1).textContent()).toContain(`Note: ${evil}`);
    expect(await countEverywhere(page, 'img')).toBe(0);
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('answers from a tab that fell behind are refused politely and the tab catches up', async () => {
    const { page, context } = await openDemo();
    await start(page);
    const other = await context.newPage();
    await other.goto(server.url + '/');
    await waitForQuestion(other, 1);
    await clickAnswer(page, 1);
    await waitForQuestion(page, 2);
    await clickAnswer(other, 3);
    await other.locator('.gs-warning', { hasText: 'earlier step' }).waitFor();
    await waitForQuestion(other, 2);
    await clickAnswer(other, 1);
    await waitForQuestion(other, 3);
  });

  it('retries a failed request once with the same turn id, and keeps what was typed when it fails for good', async () => {
    const { page } = await openDemo();
    await start(page);
    // First attempt dropped, the retry goes through: the person notices nothing.
    const bodies: string[] = [];
    let attempts = 0;
    await page.route('**/turns', async (route) => {
      bodies.push(route.request().postData() ?? '');
      if (attempts++ === 0) await route.abort('failed');
      else await route.continue();
    });
    await clickAnswer(page, 1);
    await waitForQuestion(page, 2);
    expect(bodies).toHaveLength(2);
    expect(JSON.parse(bodies[0] as string).turnId).toBe(JSON.parse(bodies[1] as string).turnId);
    expect(await page.locator('.gs-err').count()).toBe(0);
    await page.unrouteAll();

    // Offline for good: a clear error line, the text stays in the box, the buttons work again.
    await page.route('**/turns', (route) => route.abort('internetdisconnected'));
    const box = page.getByRole('textbox', { name: 'Your reply' });
    await box.fill('partly, only in two ministries');
    await box.press('Enter');
    await page.locator('.gs-err', { hasText: 'could not be reached' }).waitFor();
    expect(await box.inputValue()).toBe('partly, only in two ministries');
    expect(await page.locator('.gs-user.gs-failed').textContent()).toContain('(not sent)');
    expect(await liveAnswerButtons(page).count()).toBe(4);
    expect((await focused(page)).tag).toBe('input');
    await page.unrouteAll();
    await box.press('Enter');
    await waitForQuestion(page, 3);
    expect(await box.inputValue()).toBe('');
  });

  it('after finishing, a reload and a resume code both keep the report link and the three downloads working', async () => {
    const { page, context } = await openDemo();
    await completeByClicking(page, CLICKS.early);
    const reportWorks = async (p: Page) => {
      const result = p.locator('.gs-result').last();
      for (const name of ['Markdown', 'JSON', 'CSV of answers']) {
        const button = result.getByRole('button', { name, exact: true });
        expect(await button.isEnabled(), name).toBe(true);
        const [download] = await Promise.all([p.waitForEvent('download'), button.click()]);
        expect(download.suggestedFilename()).toMatch(/^govstage-\d{4}-\d{2}-\d{2}-(report\.md|report\.json|answers\.csv)$/);
      }
      await result.getByRole('button', { name: 'Get a link to the full report' }).click();
      const href = await p.getByRole('link', { name: 'Open the full report (new tab)' }).last().getAttribute('href');
      expect(href).toMatch(/\/reports\/c_[\w-]+\/[\w-]{40,}$/);
    };
    await page.reload();
    await page.getByRole('heading', { name: 'Your result' }).waitFor();
    await reportWorks(page);

    // Someone who comes back later on another device, with a code.
    await page.getByRole('button', { name: 'Get a code to continue later' }).click();
    const code = (await page.locator('.gs-paused .gs-code').last().textContent()) ?? '';
    const other = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
    contexts.push(other);
    const later = await other.newPage();
    await later.goto(`${server.url}/?resume=${encodeURIComponent(code)}`);
    await later.getByRole('heading', { name: 'Your result' }).waitFor();
    await reportWorks(later);
    expect(context).toBeDefined();
  });

  it('a ?resume= link opens the inline widget with the current question in view, not at the top of the transcript', async () => {
    const a = await openDemo();
    await start(a.page);
    for (let q = 1; q <= 7; q++) {
      await currentQuestion(a.page).getByRole('button', { name: 'Why we ask' }).click();
      await a.page.locator('.gs-help').nth(q - 1).waitFor();
      await clickAnswer(a.page, 2);
    }
    await waitForQuestion(a.page, 8);
    await currentQuestion(a.page).getByRole('button', { name: 'Save and continue later' }).click();
    const code = (await a.page.locator('.gs-paused .gs-code').last().textContent()) ?? '';

    const b = await openDemo(`/?resume=${encodeURIComponent(code)}`);
    await waitForQuestion(b.page, 8);
    await b.page.waitForFunction(() => !document.querySelector('.govstage-widget')?.shadowRoot?.querySelector('.gs-log[aria-busy]'));
    const where = await b.page.evaluate(() => {
      const root = document.querySelector('.govstage-widget')?.shadowRoot;
      const log = root?.querySelector('.gs-log') as HTMLElement;
      const questions = Array.from(root?.querySelectorAll('.gs-q') ?? []);
      const current = questions[questions.length - 1] as HTMLElement;
      const first = current.querySelector('.gs-choices button') as HTMLElement;
      const [l, q, f] = [log, current, first].map((el) => el.getBoundingClientRect()) as [DOMRect, DOMRect, DOMRect];
      return { scrollHeight: log.scrollHeight, logTop: l.top, logBottom: l.bottom, questionTop: q.top, firstTop: f.top, firstBottom: f.bottom, windowHeight: window.innerHeight };
    });
    expect(where.scrollHeight).toBeGreaterThan(3000);
    // The question's text and its first choice are inside the log's visible part, and on screen.
    expect(where.questionTop).toBeGreaterThanOrEqual(where.logTop - 1);
    expect(where.firstBottom).toBeLessThanOrEqual(where.logBottom + 1);
    expect(where.firstTop).toBeGreaterThanOrEqual(0);
    expect(where.firstBottom).toBeLessThanOrEqual(where.windowHeight);
  });

  it('a note typed with an answer: the confirmation is attached to the person’s own words, not to the next question', async () => {
    const { page } = await openDemo();
    await start(page);
    await typeReply(page, 'partly, only in two ministries');
    await waitForQuestion(page, 2);
    const order = await page.evaluate(() => {
      const log = document.querySelector('.govstage-widget')?.shadowRoot?.querySelector('.gs-log') as HTMLElement;
      return Array.from(log.children).map((el) => ({ cls: el.className, text: el.textContent ?? '', right: Math.round(el.getBoundingClientRect().right) }));
    });
    const mine = order.findIndex((el) => el.cls.includes('gs-user') && el.text.includes('partly, only in two ministries'));
    // One confirmation names the answer and the note.
    const saved = order.findIndex((el) => el.text === 'Noted: Partly: some tools are built around people, with your note: only in two ministries');
    const next = order.findIndex((el, i) => i > mine && el.cls.includes('gs-q'));
    expect(mine).toBeGreaterThan(-1);
    // Between the person's bubble and the next question, on the person's side, not a bot bubble of its own.
    expect(saved).toBeGreaterThan(mine);
    expect(saved).toBeLessThan(next);
    expect(order[saved]?.cls).not.toContain('gs-bot');
    expect(order[saved]?.right).toBe(order[mine]?.right);
    expect(order.slice(mine + 1, saved).every((el) => !el.cls.includes('gs-bot'))).toBe(true);
    // The person's note is in their own bubble, as typed.
    expect(order[mine]?.text).toBe('You said: partly, only in two ministries');

    // A note on its own ("note …") is attached to the words that carried it, under the current question.
    await typeReply(page, 'note see our consultation portal');
    const last = await page.locator('.gs-log > *').last();
    expect(await last.textContent()).toBe('Your note is saved with this question.');
    expect(await last.getAttribute('class')).not.toContain('gs-bot');
  });

  it('hovering an answer looks different from the chosen answer', async () => {
    const { page } = await openDemo();
    await start(page);
    await clickAnswer(page, 2);
    await waitForQuestion(page, 2);
    const style = (el: Element) => {
      const c = getComputedStyle(el);
      return `${c.backgroundColor} ${c.color} ${c.borderColor}`;
    };
    // Question 1's chosen answer (the opening question is the first .gs-q).
    const chosen = await page.locator('.gs-q').nth(1).locator('.gs-choices button.gs-chosen').evaluate(style);
    const button = currentQuestion(page).locator('.gs-choices button').nth(1);
    await page.mouse.move(1, 1);
    const resting = await button.evaluate(style);
    await button.hover();
    const hovered = await button.evaluate(style);
    expect(hovered).not.toBe(resting);
    expect(hovered).not.toBe(chosen);
    // Not just a shade apart: the chosen answer is filled, a hovered one is not.
    expect(await button.evaluate((el) => getComputedStyle(el).color)).not.toBe('rgb(255, 255, 255)');
  });

  it('copies the resume code with a button and says so; without a clipboard it selects the code instead', async () => {
    const { page, context } = await openDemo();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await start(page);
    await page.getByRole('button', { name: 'Get a code to continue later' }).click();
    const paused = page.locator('.gs-paused').last();
    const code = (await paused.locator('.gs-code').textContent()) ?? '';
    const copy = paused.getByRole('button', { name: `Copy the resume code ${code}` });
    await copy.click();
    await paused.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);

    // No clipboard (an insecure page, or permission refused): the code is selected, ready to copy by hand.
    const bare = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    contexts.push(bare);
    await bare.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
    const p2 = await bare.newPage();
    await p2.goto(server.url);
    await start(p2);
    await p2.getByRole('button', { name: 'Get a code to continue later' }).click();
    const paused2 = p2.locator('.gs-paused').last();
    const code2 = (await paused2.locator('.gs-code').textContent()) ?? '';
    await paused2.getByRole('button', { name: `Copy the resume code ${code2}` }).click();
    await paused2.getByText('Copying is not available here: the code is selected, copy it yourself.').waitFor();
    expect(await p2.evaluate(() => {
      const root = document.querySelector('.govstage-widget')?.shadowRoot as ShadowRoot & { getSelection?: () => Selection | null };
      return (root.getSelection?.() ?? document.getSelection())?.toString();
    })).toBe(code2);
  });
});
