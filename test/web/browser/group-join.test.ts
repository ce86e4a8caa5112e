/**
 * Joining a group round in the widget, in a real browser: by the
 * invitation link (/?join=CODE), by the demo page's code box, and by an
 * embedding page's data-join attribute; keyboard only and axe clean. And
 * the deployment's count of "started" assessments: the demo page creates a
 * conversation only once the person replies.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axe, clickAnswer, launchBrowser, recordErrors, startServer, waitForQuestion } from './helpers.js';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ MIN_GROUP_SIZE: '3', RESUME_RATE_LIMIT_PER_MINUTE: '1000' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  return { page, errors: recordErrors(page) };
}

async function createRound(): Promise<{ roundId: string; coordinatorToken: string; code: string }> {
  const res = await fetch(`${server.url}/api/groups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Open data review', assessing: { name: 'Statistics office', unit: 'ministry' }, perspectives: [{ label: 'Central government units' }, { label: 'Civil society' }] }),
  });
  const body = (await res.json()) as { roundId: string; coordinatorToken: string; invitation: { code: string } };
  return { roundId: body.roundId, coordinatorToken: body.coordinatorToken, code: body.invitation.code };
}

const progress = async (round: { roundId: string; coordinatorToken: string }) =>
  ((await fetch(`${server.url}/api/groups/${round.roundId}/picture`, { headers: { authorization: `Bearer ${round.coordinatorToken}` } }).then((r) => r.json())) as { progress: { joined: number; finished: number } }).progress;

/**
 * axe, with what the page's CSP says about axe itself left out: to measure
 * colours it applies inline styles, which the page's strict policy refuses.
 */
async function axeOf(page: Page, errors: string[]): Promise<unknown[]> {
  const before = errors.length;
  const violations = await axe(page);
  errors.splice(before);
  return violations;
}

/** The widget's shadow root, where the join form lives. */
const inWidget = (page: Page, selector: string) => page.locator(`.govstage-widget ${selector}`);

/** Presses Tab until the focused element (through the shadow root) is `tag` with `type` or the given text. */
async function tabTo(page: Page, want: { tag: string; type?: string; text?: string; name?: string }): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      let a: Element | null = document.activeElement;
      while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
      return { tag: a?.tagName.toLowerCase() ?? '', type: a?.getAttribute('type') ?? '', text: a?.textContent?.trim() ?? '', name: a?.getAttribute('name') ?? '' };
    });
    if (el.tag === want.tag && (want.type === undefined || el.type === want.type) && (want.text === undefined || el.text === want.text) && (want.name === undefined || el.name === want.name)) return;
  }
  throw new Error(`Tab never reached ${JSON.stringify(want)}`);
}

describe('joining a group round in the widget', () => {
  it('by the invitation link: chooses a perspective by keyboard, then answers the usual assessment without being asked what is assessed', async () => {
    const round = await createRound();
    const { page, errors } = await newPage();
    await page.goto(`${server.url}/?join=${round.code}`);
    await inWidget(page, 'form.gs-join').waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(await page.getByRole('heading', { name: 'Group assessment: Open data review' }).count()).toBe(1);
    expect(await axeOf(page, errors)).toEqual([]);

    // Nothing chosen: the browser refuses the form and nothing is created.
    await page.getByRole('button', { name: 'Join and start' }).click();
    expect((await progress(round)).joined).toBe(0);

    await tabTo(page, { tag: 'input', type: 'radio' });
    await page.keyboard.press('ArrowDown');
    await tabTo(page, { tag: 'input', name: 'name' });
    await page.keyboard.type('Maria');
    await tabTo(page, { tag: 'input', type: 'checkbox' });
    await page.keyboard.press('Space');
    await tabTo(page, { tag: 'button', text: 'Join and start' });
    await page.keyboard.press('Enter');
    await page.getByText('answering as Civil society', { exact: false }).waitFor();
    expect(await axeOf(page, errors)).toEqual([]);
    expect((await progress(round)).joined).toBe(1);

    await page.getByRole('button', { name: 'Start the assessment' }).click();
    await waitForQuestion(page, 1, 14);
    for (let i = 1; i <= 14; i++) {
      await waitForQuestion(page, i, 14);
      await clickAnswer(page, 2);
    }
    await page.getByRole('button', { name: 'See my result' }).click();
    await page.getByRole('heading', { name: 'Your result' }).waitFor();
    expect(await progress(round)).toMatchObject({ joined: 1, finished: 1 });
    const picture = (await fetch(`${server.url}/api/groups/${round.roundId}/picture`, { headers: { authorization: `Bearer ${round.coordinatorToken}` } }).then((r) => r.json())) as { progress: { named: { name: string; perspective: string; sharesNotes: boolean; sharesAnswers: boolean }[] } };
    expect(picture.progress.named).toEqual([expect.objectContaining({ name: 'Maria', perspective: 'Civil society', sharesNotes: true, sharesAnswers: false })]);

    // The respondent's view of the group picture, from the same browser: refused until the coordinator shares it.
    await page.goto(`${server.url}/group.html#member`);
    await page.getByRole('status').filter({ hasText: 'has not shared the group picture' }).waitFor();
    await fetch(`${server.url}/api/groups/${round.roundId}/settings`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${round.coordinatorToken}` }, body: JSON.stringify({ respondentsSeePicture: true }) });
    await page.reload();
    await page.getByRole('heading', { name: 'Round: Open data review' }).waitFor();
    await page.getByRole('heading', { name: 'Where views differ' }).waitFor();
    expect(await axeOf(page, errors)).toEqual([]);
    expect(errors.filter((e) => !e.includes('403')), errors.join('\n')).toEqual([]);
  });

  it("by the demo page's code box, and by an embedding page's data-join (only while the device has no assessment)", async () => {
    const round = await createRound();
    const { page, errors } = await newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Invitation code').fill(round.code.toLowerCase());
    await page.getByLabel('Invitation code').press('Enter');
    await inWidget(page, 'form.gs-join').waitFor();
    expect(await axeOf(page, errors)).toEqual([]);

    // An embedding page with data-join (served from the server's origin, as an intranet page would embed it).
    await page.route(`${server.url}/embed.html`, (route) =>
      route.fulfill({ contentType: 'text/html', body: `<!doctype html><html lang="en"><head><title>Intranet</title></head><body><main><h1>Intranet</h1><div id="x"></div></main><script src="/widget.js" data-mode="inline" data-target="#x" data-join="${round.code}"></script></body></html>` }),
    );
    await page.goto(`${server.url}/embed.html`);
    await inWidget(page, 'form.gs-join').waitFor();
    await page.getByLabel('Central government units').check();
    await page.getByRole('button', { name: 'Join and start' }).click();
    await page.getByText('answering as Central government units', { exact: false }).waitFor();
    // Back on the page later: the assessment in progress is shown, not the join form again.
    await page.reload();
    await page.getByText('Here is where you left off.', { exact: false }).or(page.getByRole('button', { name: 'Start the assessment' })).first().waitFor();
    expect(await inWidget(page, 'form.gs-join:not(:has(input:disabled))').count()).toBe(0);
    expect((await progress(round)).joined).toBe(1);
  });

  it('says clearly when the invitation code is wrong', async () => {
    const { page } = await newPage();
    await page.goto(`${server.url}/?join=AAAAA-AAAAA`);
    await page.getByText('That invitation code is not valid').waitFor();
  });
});

describe('"started" means someone replied', () => {
  it('the demo page stores nothing until the first reply, then exactly one conversation', async () => {
    const before = (await readdir(path.join(server.dataDir, 'conversations'))).length;
    const { page } = await newPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Start the assessment' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Start the assessment' }).waitFor();
    expect((await readdir(path.join(server.dataDir, 'conversations'))).length).toBe(before);
    await page.getByRole('button', { name: 'Start the assessment' }).click();
    await page.getByRole('button', { name: 'A ministry or agency' }).waitFor();
    expect((await readdir(path.join(server.dataDir, 'conversations'))).length).toBe(before + 1);
    // And the conversation carries on across a reload, as before.
    await page.reload();
    await page.getByRole('button', { name: 'A ministry or agency' }).last().waitFor();
    expect((await readdir(path.join(server.dataDir, 'conversations'))).length).toBe(before + 1);
  });
});
