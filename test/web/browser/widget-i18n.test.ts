/**
 * The widget in French, in real Chromium: chosen from the page's lang, the
 * browser's languages or data-locale (regional tags get their language);
 * complete from the introduction to the result with no English phrase of
 * our catalogues or the flow anywhere (the OECD's English originals aside,
 * which sit one click away behind our labelled translation); axe clean; and
 * a switch mid-way that keeps every answer and shows the current question
 * again in the other language, remembered after a reload.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoEnglish } from '../../helpers/english.js';
import { axe, currentQuestion, launchBrowser, recordErrors, startServer } from './helpers.js';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A page of the host site, served at the Govstage origin, with the widget inline and the lang and data-locale given. */
async function hostPage(context: BrowserContext, options: { lang?: string; dataLocale?: string } = {}): Promise<Page> {
  const page = await context.newPage();
  const html = `<!doctype html><html${options.lang ? ` lang="${options.lang}"` : ''}><head><meta charset="utf-8"><title>Host</title></head><body><main><h1>Host</h1><div id="a"></div></main>
<script src="/widget.js" data-mode="inline" data-target="#a"${options.dataLocale ? ` data-locale="${options.dataLocale}"` : ''} defer></script></body></html>`;
  await page.route(`${server.url}/host.html`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  await page.goto(`${server.url}/host.html`);
  return page;
}

/** Everything the widget shows (its shadow root's text, hidden labels and button names included). */
const widgetText = (page: Page) =>
  page.evaluate(() => {
    const root = document.querySelector('.govstage-widget')?.shadowRoot;
    if (!root) return '';
    const attrs = Array.from(root.querySelectorAll('[aria-label],[title],[data-label]')).map((el) => ['aria-label', 'title', 'data-label'].map((a) => el.getAttribute(a) ?? '').join('\n'));
    return `${root.textContent ?? ''}\n${attrs.join('\n')}`;
  });

async function expectFrenchOnly(page: Page, where: string) {
  expectNoEnglish(await widgetText(page), where);
  const violations = await axe(page);
  expect(violations.map((v) => `${where}: ${v.id} ${v.help}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
}

const meta = (page: Page, text: string) => currentQuestion(page).locator('.gs-meta', { hasText: text }).waitFor();

async function answer(page: Page, n: number) {
  const before = await page.locator('.gs-msg').count();
  await currentQuestion(page).locator('.gs-choices button').nth(n - 1).click();
  await page.waitForFunction((count) => document.querySelector('.govstage-widget')?.shadowRoot?.querySelectorAll('.gs-msg').length !== count && !document.querySelector('.govstage-widget')?.shadowRoot?.querySelector('.gs-log[aria-busy]'), before);
}

describe('the widget in French', () => {
  it('a French page (lang="fr-CA") gets it in French from the introduction to the result, with our translation of the OECD labelled and its original one click away', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await hostPage(context, { lang: 'fr-CA' });
    const errors = recordErrors(page);
    await page.getByRole('button', { name: "Commencer l'évaluation" }).waitFor();
    await expect(page.getByRole('textbox', { name: 'Votre réponse' }).count()).resolves.toBe(1);
    await expectFrenchOnly(page, 'introduction');
    // What the server says goes wrong is in French too (the widget sends its language).
    await page.getByRole('button', { name: 'Reprendre avec un code' }).click();
    await page.getByRole('textbox', { name: 'Code de reprise' }).fill('ZZZZZ-ZZZZZ');
    await page.getByRole('button', { name: 'Reprendre', exact: true }).click();
    await page.locator('.gs-err', { hasText: "Ce code de reprise n'est pas valide." }).waitFor();
    await page.getByRole('button', { name: "Commencer l'évaluation" }).click();
    await currentQuestion(page).getByRole('button', { name: 'Une administration nationale dans son ensemble' }).click();
    await meta(page, 'Question 1 sur 14');
    await currentQuestion(page).getByRole('button', { name: 'Pourquoi cette question' }).click();
    await page.locator('.gs-help', { hasText: 'traduction non officielle' }).waitFor();
    await expectFrenchOnly(page, 'question and why');
    // Every kind of answer, "Je ne sais pas" included, and a contradiction to settle (question 3: top-down, with later-stage ones).
    const clicks = [3, 1, 1, 4, 1, 1, 1, 1, 1, 3, 1, 2, 1, 1];
    for (let q = 1; q <= 14; q++) {
      await meta(page, `Question ${q} sur 14`);
      await answer(page, clicks[q - 1] as number);
    }
    await page.locator('.gs-review').waitFor();
    await expectFrenchOnly(page, 'review');
    await page.locator('.gs-review').getByRole('button', { name: 'Enregistrer et continuer plus tard' }).click();
    await page.locator('.gs-paused .gs-code').waitFor();
    await expectFrenchOnly(page, 'resume code');
    await page.locator('.gs-review .gs-choices').getByRole('button', { name: 'Voir mon résultat' }).click();
    // Contradictions are put to the person before the result: keep both with a note, each time.
    const keep = page.locator('.gs-choices button:enabled', { hasText: 'Garder les deux réponses' });
    const heading = page.getByRole('heading', { name: 'Votre résultat' });
    for (let n = 0; ; n++) {
      await keep.or(heading).first().waitFor();
      if (await heading.count()) break;
      if (n === 0) await expectFrenchOnly(page, 'contradiction');
      await keep.last().click();
      await page.locator('.gs-msg:not(:has(button:enabled))').last().waitFor();
      const box = page.getByRole('textbox', { name: 'Votre réponse' });
      await page.waitForFunction(() => !document.querySelector('.govstage-widget')?.shadowRoot?.querySelector('.gs-log[aria-busy]'));
      await box.fill('descendant pour le budget, ouvert pour les textes');
      await box.press('Enter');
      await page.waitForFunction(() => !document.querySelector('.govstage-widget')?.shadowRoot?.querySelector('.gs-log[aria-busy]'));
    }
    const result = page.locator('.gs-result').last();
    // Our translation, labelled, with the OECD's original behind a disclosure.
    const first = result.locator('.gs-sugg blockquote').first();
    await expect(first.locator('.gs-hint').textContent()).resolves.toBe('(traduction non officielle)');
    const original = first.locator('details p[lang="en"]');
    await expect(original.isVisible()).resolves.toBe(false);
    await first.locator('summary', { hasText: "Le texte original de l'OCDE (en anglais)" }).click();
    await expect(original.isVisible()).resolves.toBe(true);
    expect((await original.textContent())?.length ?? 0).toBeGreaterThan(40);
    await result.getByRole('button', { name: 'Obtenir un lien vers le rapport complet' }).click();
    await page.getByRole('link', { name: 'Ouvrir le rapport complet (nouvel onglet)' }).waitFor();
    await expectFrenchOnly(page, 'result');
    // The only console error is the browser's note of the refused resume code.
    expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
    await context.close();
  }, 120_000);

  it("the browser's languages decide on a page that says nothing (fr-FR gets French); data-locale wins over the page's lang", async () => {
    const french = await browser.newContext({ locale: 'fr-FR' });
    await (await hostPage(french)).getByRole('button', { name: "Commencer l'évaluation" }).waitFor();
    await french.close();
    const german = await browser.newContext({ locale: 'de-DE' });
    const page = await hostPage(german, { lang: 'de', dataLocale: 'fr' });
    await page.getByRole('button', { name: "Commencer l'évaluation" }).waitFor();
    await german.close();
    // Nothing asked for is offered: the default language.
    const other = await browser.newContext({ locale: 'de-DE' });
    await (await hostPage(other, { lang: 'de' })).getByRole('button', { name: 'Start the assessment' }).waitFor();
    await other.close();
  });

  it("a conversation begun in French elsewhere opens in French, whatever the page's language", async () => {
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const started = await post('/api/conversations', { locale: 'fr' });
    const token = String(started.resumeToken);
    const id = String(started.conversationId);
    await post(`/api/conversations/${id}/turns`, { turnId: 'f1', choice: 'start' }, token);
    await post(`/api/conversations/${id}/turns`, { turnId: 'f2', choice: 'unit:national' }, token);
    const code = String((await post(`/api/conversations/${id}/resume-code`, {}, token)).code);
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head><body><div id="a"></div><script src="/widget.js" data-mode="inline" data-target="#a" defer></script></body></html>`;
    await page.route(`${server.url}/host.html?resume=${code}`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await page.goto(`${server.url}/host.html?resume=${code}`);
    await meta(page, 'Question 1 sur 14');
    await page.getByRole('button', { name: 'Envoyer' }).waitFor();
    await context.close();
  });

  it('switching language mid-way keeps every answer, shows the current question again in the other language, and is remembered after a reload', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await hostPage(context, { lang: 'en' });
    await page.getByRole('button', { name: 'Start the assessment' }).click();
    await currentQuestion(page).getByRole('button', { name: 'A national government as a whole' }).click();
    await meta(page, 'Question 1 of 14');
    await answer(page, 1);
    await meta(page, 'Question 2 of 14');
    await answer(page, 2);
    await meta(page, 'Question 3 of 14');
    await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'Français' }).click();
    await meta(page, 'Question 3 sur 14');
    await expect(page.getByRole('button', { name: 'Envoyer' }).count()).resolves.toBe(1);
    await page.getByRole('group', { name: 'Langue' }).getByRole('button', { name: 'English' }).waitFor();
    // The answers given in English are still there, now named in French.
    await currentQuestion(page).getByRole('button', { name: 'Revoir mes réponses' }).click();
    const review = page.locator('.gs-review').last();
    await review.waitFor();
    await expect(review.locator('.gs-ans').nth(1).textContent()).resolves.not.toBe('(pas encore de réponse)');
    await expect(review.locator('.gs-ans.gs-open').count()).resolves.toBe(12);
    await page.reload();
    await page.getByRole('button', { name: 'Envoyer' }).waitFor();
    await page.locator('.gs-review .gs-choices button:enabled', { hasText: 'Continuer les questions' }).last().click();
    await meta(page, 'Question 3 sur 14');
    // And back.
    await page.getByRole('group', { name: 'Langue' }).getByRole('button', { name: 'English' }).click();
    await meta(page, 'Question 3 of 14');
    await context.close();
  });
});
