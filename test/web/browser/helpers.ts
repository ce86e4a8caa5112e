/**
 * Shared set-up for the widget's browser tests: the widget built into
 * dist/public/, the real server as a child process on a free port with a fresh
 * data folder, and Debian's Chromium driven by playwright-core (never a
 * downloaded browser).
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { buildWidget } from '../../../scripts/build-widget.js';
import { ROOT, startChildServer, type ChildServer } from '../../helpers/server.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Builds the widget, then starts the server on a free port over a fresh temp data folder. */
export async function startServer(env: Record<string, string> = {}): Promise<ChildServer & { close: () => Promise<void> }> {
  await buildWidget();
  const server = await startChildServer({ env });
  return {
    ...server,
    close: async () => {
      await server.stop();
      await rm(server.dataDir, { recursive: true, force: true });
    },
  };
}

export const AXE_PATH = path.join(ROOT, 'node_modules/axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core with the WCAG 2.0/2.1/2.2 A and AA rules; returns the violations, summarised.
 * axe goes in through page.evaluate (the DevTools protocol), not addScriptTag: the pages
 * under test forbid inline scripts by CSP, and the scan should see them as shipped, CSP on.
 */
let axeSource: string | undefined;
export async function axe(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(AXE_PATH, 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // axe is the global the injected axe.min.js defines; the test's tsconfig has no types for it.
    const run = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe.run;
    const result = await run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

// ---- the widget, as a person sees it --------------------------------------

export const log = (page: Page): Locator => page.getByRole('log');

/** The current question: the last question block whose answer buttons are enabled. */
export const currentQuestion = (page: Page): Locator => page.locator('.gs-q:has(.gs-choices button:enabled)').last();

export const questionText = async (page: Page): Promise<string> => (await currentQuestion(page).locator('.gs-text').textContent()) ?? '';

/** How many numbered questions the flow asks (after the unnumbered opening question: what is assessed). */
export const QUESTIONS = 14;

/** Waits until the widget shows a live question numbered `index`. */
export async function waitForQuestion(page: Page, index: number, total = QUESTIONS): Promise<void> {
  await currentQuestion(page).locator('.gs-meta', { hasText: `Question ${index} of ${total}` }).waitFor();
}

/** Answers the current question by clicking its option `n` (1-based), and waits for the next step. */
export async function clickAnswer(page: Page, n: number): Promise<void> {
  const q = currentQuestion(page);
  const before = await page.locator('.gs-msg').count();
  await q.locator('.gs-choices button').nth(n - 1).click();
  await page.waitForFunction((count) => document.querySelector('.govstage-widget')?.shadowRoot?.querySelectorAll('.gs-msg').length !== count && !document.querySelector('.govstage-widget')?.shadowRoot?.querySelector('.gs-log[aria-busy]'), before);
}

export const NATIONAL = 'A national government as a whole';

/** Answers the opening question (what is assessed) by clicking `label`, and waits for question 1. */
export async function chooseUnit(page: Page, label = NATIONAL): Promise<void> {
  await currentQuestion(page).locator('.gs-choices').getByRole('button', { name: label, exact: true }).click();
  await waitForQuestion(page, 1);
}

/** From the intro: start, choose what is assessed, and wait for question 1. */
export async function startAssessment(page: Page, unit = NATIONAL): Promise<void> {
  await page.getByRole('button', { name: 'Start the assessment' }).click();
  await chooseUnit(page, unit);
}

/**
 * Answers every question, from question 1, with options from `answers` (1-based; for every
 * question 1 is its "yes" option, 3 its "no" option and 4 "Not sure"), and waits for the review.
 */
export async function answerByClicking(page: Page, answers: readonly number[]): Promise<void> {
  if (answers.length !== QUESTIONS) throw new Error(`${answers.length} answers given for ${QUESTIONS} questions`);
  for (let i = 0; i < answers.length; i++) {
    await waitForQuestion(page, i + 1);
    await clickAnswer(page, answers[i] as number);
  }
  await page.locator('.gs-review .gs-choices button:enabled', { hasText: 'See my result' }).last().waitFor();
}

/** From the intro: start, choose what is assessed, answer all the questions (see `answerByClicking`), see the result. */
export async function completeByClicking(page: Page, answers: readonly number[], unit = NATIONAL): Promise<void> {
  await startAssessment(page, unit);
  await answerByClicking(page, answers);
  await page.locator('.gs-review .gs-choices button:enabled', { hasText: 'See my result' }).last().click();
  await page.getByRole('heading', { name: 'Your result' }).waitFor();
}

/**
 * The canonical profiles by clicking (test/helpers/assessment.ts has them typed): option 1 is
 * "yes", 3 is "no". None has a contradiction.
 */
export const CLICKS = {
  early: [1, 3, 1, 3, 3, 3, 3, 3, 3, 1, 3, 3, 3, 3],
  intermediate: [3, 1, 3, 1, 3, 3, 1, 3, 3, 3, 1, 3, 3, 3],
  advanced: [3, 1, 3, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1],
} as const;

/** Dialogs (alert/confirm) are recorded so a test can assert none appeared. */
export function recordDialogs(page: Page): string[] {
  const seen: string[] = [];
  page.on('dialog', (dialog) => {
    seen.push(dialog.message());
    void dialog.dismiss();
  });
  return seen;
}

/** Console errors and page errors, so a test can fail on a CSP violation or an exception. */
export function recordErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

/** The deepest focused element, through the widget's shadow root: its tag, text and classes. */
export async function focused(page: Page): Promise<{ tag: string; text: string; className: string; inChoices: boolean; firstChoice: boolean }> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const group = el?.closest('.gs-choices');
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      text: el?.textContent ?? '',
      className: typeof el?.className === 'string' ? el.className : '',
      inChoices: Boolean(group),
      firstChoice: Boolean(group && group.querySelector('button') === el),
    };
  });
}

/** Counts elements matching `selector` in the page and inside the widget's shadow root. */
export async function countEverywhere(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    let n = document.querySelectorAll(sel).length;
    for (const host of Array.from(document.querySelectorAll('.govstage-widget'))) n += host.shadowRoot?.querySelectorAll(sel).length ?? 0;
    return n;
  }, selector);
}

/** Types a reply in the widget's text box and sends it with Enter; waits for the reply and an answer (a message, or a confirmation under the reply). */
export async function typeReply(page: Page, text: string): Promise<void> {
  const before = await page.locator('.gs-msg, .gs-ack').count();
  const box = page.getByRole('textbox', { name: 'Your reply' });
  await box.fill(text);
  await box.press('Enter');
  await page.waitForFunction((count) => {
    const root = document.querySelector('.govstage-widget')?.shadowRoot;
    return root !== null && root !== undefined && root.querySelectorAll('.gs-msg, .gs-ack').length > count + 1 && !root.querySelector('.gs-log[aria-busy]');
  }, before);
}
