/**
 * Slack in HTTP mode, end to end: real signed HTTP requests to the real
 * express app (Slack's receiver at POST /slack/events), the real turn
 * pipeline over a real lowdb folder, and a fake Slack Web API recording what
 * the bot sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, SlackUser, blocksOf, buttonsOf, lastPost, questionOf, signedPost, startSlackServer, textOf, type SlackTestServer } from './helpers.js';
import type { RecordedCall } from './fake-slack.js';
import { PROFILES } from '../helpers/assessment.js';

/** Slack's escaping of typed text. */
const escapeForSlack = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

let server: SlackTestServer;
let users = 0;
/** A new Slack user per test, so tests do not share conversations. */
const newUser = (teamId = 'T1') => new SlackUser(server, teamId, `U${++users}X`);

beforeAll(async () => {
  server = await startSlackServer();
});
afterAll(async () => {
  await server?.close();
});

const owner = (user: SlackUser) => ({ kind: 'slack' as const, teamId: user.teamId, userId: user.userId });
const questionIds = () => server.services.definition.questions.map((q) => q.id);

/** Sends something, waits until Slack's work is done, and returns the seq it started after. */
async function act(send: () => Promise<Response>): Promise<number> {
  const before = server.fake.lastSeq;
  const response = await send();
  expect(response.status).toBe(200);
  await server.idle();
  return before;
}

async function webJson(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Slack requests are verified', () => {
  it('answers the url_verification challenge', async () => {
    const response = await signedPost(`${server.url}/slack/events`, JSON.stringify({ token: 't', challenge: 'chal-123', type: 'url_verification' }), 'application/json');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'chal-123' });
  });

  it('refuses badly signed, stale and unsigned requests with 401 and processes none of them', async () => {
    const user = newUser();
    const before = server.fake.lastSeq;
    const now = Math.floor(Date.now() / 1000);
    const refused = [
      await user.dm('start', { secret: 'not-the-signing-secret' }),
      await user.dm('start', { timestamp: now - 6 * 60 }),
      await user.dm('start', { timestamp: now + 6 * 60 }),
      await user.dm('start', { signature: 'v0=deadbeef' }),
      await user.command('start', { secret: 'wrong' }),
      await user.command('start', { timestamp: now - 301 }),
      await fetch(`${server.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'url_verification', challenge: 'x' }) }),
    ];
    for (const response of refused) expect(response.status).toBe(401);
    await server.idle();
    expect(server.fake.lastSeq).toBe(before);
    expect(await server.services.service.latestFor(owner(user))).toBeUndefined();
  });

  it('accepts a request signed just under five minutes ago', async () => {
    const user = newUser();
    const after = await act(() => user.command('help', { timestamp: Math.floor(Date.now() / 1000) - 290 }));
    expect(server.fake.callsOf('response_url', after)).toHaveLength(1);
  });
});

describe('a full assessment in Slack', () => {
  it('runs from /assess start through button clicks to the result blocks', async () => {
    const user = newUser();
    let after = await act(() => user.command('start'));
    const first = lastPost(server.fake, after);
    // The introduction, then the opening question (what is assessed), in the user's DM.
    expect(first.body.channel).toBe(user.dmChannel);
    expect(textOf(first)).toContain('OECD Digital Government self-assessment');
    expect(questionOf(first)).toBe('unit');
    expect(textOf(first)).toContain('First, what are you assessing?');
    // The opening question has no theme and no number.
    expect(textOf(first)).not.toContain('Question 0');
    expect(String(first.body.text)).not.toContain('(0/');
    const units = buttonsOf(first).filter((b) => b.block_id === 'gov-answers');
    expect(units.map((b) => b.text)).toEqual(['A national government as a whole', 'A ministry or agency', 'A regional or local government', 'Another public organisation']);

    // Clicking an answer updates that message: the choice shown, its buttons gone.
    after = await act(() => user.click(first, 'gov:unit:ministry'));
    const update = server.fake.callsOf('chat.update', after)[0];
    expect(update?.body.ts).toBe(first.result.ts);
    expect(blocksOf(update as RecordedCall).some((b) => b.type === 'actions')).toBe(false);
    expect(textOf(update as RecordedCall)).toContain('You chose: *A ministry or agency*');

    // Question 1, worded for what is assessed.
    let post = lastPost(server.fake, after);
    expect(questionOf(post)).toBe(questionIds()[0]);
    expect(textOf(post)).toContain('your ministry or agency');
    const buttons = buttonsOf(post);
    const answers = buttons.filter((b) => b.block_id === 'gov-answers');
    const commands = buttons.filter((b) => b.block_id === 'gov-commands');
    expect(answers.map((b) => b.text)).toContain('Not sure');
    expect(commands.map((b) => b.text)).toEqual(expect.arrayContaining(['Why we ask', 'Save and continue later']));
    const question = post;
    const styles = (blockId: string) => blocksOf(question).filter((b) => b.block_id === blockId).flatMap((b) => (b.elements ?? []) as { style?: string }[]).map((e) => e.style);
    expect(styles('gov-answers').every((s) => s === 'primary')).toBe(true);
    expect(styles('gov-commands').every((s) => s === undefined)).toBe(true);
    expect(textOf(post)).toContain('Question 1 of 14');
    expect(String(post.body.text)).toContain('(1/14)');

    // Every question by its buttons, answered as the intermediate profile (no contradictions), then the review and the result.
    const replies = PROFILES.intermediate.slice(1);
    expect(replies).toHaveLength(questionIds().length);
    for (const [i, reply] of replies.entries()) {
      expect(questionOf(post)).toBe(questionIds()[i]);
      after = await act(() => user.click(post, `gov:answer:${questionIds()[i]}:${reply}`));
      post = lastPost(server.fake, after);
    }
    expect(textOf(post)).toContain('Here are your answers');
    after = await act(() => user.click(post, 'gov:cmd:seeResult'));
    const result = lastPost(server.fake, after);
    const text = textOf(result);
    expect(blocksOf(result)[0]).toMatchObject({ type: 'header' });
    expect(text).toContain('Overall stage: Intermediate');
    for (const theme of server.services.definition.themes) expect(text).toContain(theme.title.en);
    expect(text).toContain('Because you said');
    expect(buttonsOf(result).map((b) => b.action_id)).toEqual(expect.arrayContaining(['govslack:report-link', 'gov:cmd:newAssessment']));
    expect(blocksOf(result).length).toBeLessThanOrEqual(50);

    // The App Home now shows the result summary.
    const home = server.fake.callsOf('views.publish', after).at(-1);
    expect(JSON.stringify(home?.body.view)).toContain('Latest result');
    expect(home?.body.user_id).toBe(user.userId);

    // The full report: a private link on the web, which works.
    after = await act(() => user.click(result, 'govslack:report-link'));
    const link = textOf(lastPost(server.fake, after));
    const match = new RegExp(`<${PUBLIC_URL}(/reports/[^|>]+)\\|`).exec(link);
    expect(match?.[1]).toBeDefined();
    const page = await fetch(`${server.url}${match?.[1]}`);
    expect(page.status).toBe(200);
  });

  it('understands typed replies in the DM', async () => {
    const user = newUser();
    // First contact: the introduction with its Start button.
    let after = await act(() => user.dm('hello'));
    let post = lastPost(server.fake, after);
    expect(textOf(post)).toContain('OECD Digital Government self-assessment');
    expect(buttonsOf(post).map((b) => b.action_id)).toEqual(['gov:start']);

    after = await act(() => user.dm('start'));
    expect(questionOf(lastPost(server.fake, after))).toBe('unit');

    after = await act(() => user.dm('2'));
    post = lastPost(server.fake, after);
    expect(textOf(post)).toContain('Noted: the questions are about your ministry or agency.');
    expect(questionOf(post)).toBe(questionIds()[0]);

    after = await act(() => user.dm('2'));
    post = lastPost(server.fake, after);
    expect(textOf(post)).toContain('Noted:');
    expect(questionOf(post)).toBe(questionIds()[1]);

    after = await act(() => user.dm('partly, only in two ministries'));
    post = lastPost(server.fake, after);
    expect(textOf(post)).toContain('with your note: only in two ministries');
    expect(questionOf(post)).toBe(questionIds()[2]);

    after = await act(() => user.dm('why'));
    expect(textOf(lastPost(server.fake, after))).toContain('Why we ask');

    after = await act(() => user.dm('not sure'));
    expect(questionOf(lastPost(server.fake, after))).toBe(questionIds()[3]);

    after = await act(() => user.dm('blorp'));
    expect(textOf(lastPost(server.fake, after))).toContain('didn\'t understand "blorp"');

    after = await act(() => user.dm('help'));
    const helpTexts = server.fake.callsOf('chat.postMessage', after).map(textOf).join('\n');
    expect(helpTexts).toContain('You can type');
    expect(helpTexts).toContain('/assess resume CODE');
  });

  it('asks to confirm /assess restart, and starts again on yes', async () => {
    const user = newUser();
    let after = await act(() => user.command('start'));
    after = await act(() => user.click(lastPost(server.fake, after), (b) => b.block_id === 'gov-answers'));
    after = await act(() => user.click(lastPost(server.fake, after), (b) => b.block_id === 'gov-answers'));
    expect(questionOf(lastPost(server.fake, after))).toBe(questionIds()[1]);
    after = await act(() => user.command('restart'));
    const confirm = lastPost(server.fake, after);
    const yes = buttonsOf(confirm).find((b) => b.action_id === 'gov:confirm:yes');
    expect(yes).toBeDefined();
    expect(JSON.stringify(blocksOf(confirm))).toContain('"style":"danger"');
    after = await act(() => user.click(confirm, 'gov:confirm:yes'));
    // From the very beginning: what is assessed is asked again.
    expect(questionOf(lastPost(server.fake, after))).toBe('unit');
  });
});

describe('contradictions are settled in Slack', () => {
  it('puts a contradiction to the person with its buttons; "Keep both answers" and a typed note reach the result, which shows the note', async () => {
    const user = newUser();
    await act(() => user.command('start'));
    let after = await act(() => user.dm('1'));
    // The advanced profile, except that decision-making is predominantly top-down: one contradiction (top-down against the later-stage characteristics of engagement).
    const replies = PROFILES.advanced.slice(1).map((reply, i) => (questionIds()[i] === 'decision-style' ? 'yes' : reply));
    for (const reply of replies) after = await act(() => user.dm(reply));
    const review = lastPost(server.fake, after);
    expect(textOf(review)).toContain('Here are your answers');
    after = await act(() => user.click(review, 'gov:cmd:seeResult'));

    // Before the result: the contradiction, one message with a button per answer to change, keep both, decide later.
    const settle = lastPost(server.fake, after);
    const id = (await server.services.service.latestFor(owner(user))) as string;
    const current = (await server.services.service.view(id, { kind: 'owner', owner: owner(user) })).current.find((m) => m.kind === 'text' && m.contradictionId);
    const contradictionId = current?.kind === 'text' ? current.contradictionId : undefined;
    expect(contradictionId).toMatch(/^early-top-down~/);
    expect(textOf(settle)).toContain('Before your result, answers to look at again (1 of 1):');
    expect(textOf(settle)).toContain('top-down decision-making');
    const buttons = buttonsOf(settle).filter((b) => b.block_id === 'gov-choices');
    expect(buttons.map((b) => b.action_id)).toEqual(
      expect.arrayContaining(['gov:edit:decision-style', 'gov:edit:ict-engagement', `gov:settle:keep:${contradictionId}`, `gov:settle:later:${contradictionId}`]),
    );
    expect(buttons.find((b) => b.action_id === 'gov:edit:decision-style')?.text).toBe('Change: top-down decision-making');
    expect(buttons.slice(-2).map((b) => b.text)).toEqual(['Keep both answers', 'Decide later']);
    // None of these buttons destroys anything: none is styled as dangerous.
    expect(JSON.stringify(blocksOf(settle))).not.toContain('"style":"danger"');
    // Meanwhile /assess status knows every question is answered (14: what is assessed is not one of them).
    const status = await act(() => user.command('status'));
    expect(textOf(lastPost(server.fake, status))).toContain('You have answered 14 of 14 questions.');

    // Keep both: the message shows the choice and loses its buttons; a note is asked for, typed in the DM.
    after = await act(() => user.click(settle, `gov:settle:keep:${contradictionId}`));
    const update = server.fake.callsOf('chat.update', after)[0] as RecordedCall;
    expect(update.body.ts).toBe(settle.result.ts);
    expect(textOf(update)).toContain('You chose: *Keep both answers*');
    expect(blocksOf(update).some((b) => b.type === 'actions')).toBe(false);
    expect(textOf(lastPost(server.fake, after))).toContain('Type a short note saying why both answers stand');

    // What Slack sends for "Budgets top-down & <taxes>, drafts open online".
    const note = 'Budgets top-down & <taxes>, drafts open online';
    after = await act(() => user.dm('Budgets top-down &amp; &lt;taxes&gt;, drafts open online'));
    const reply = lastPost(server.fake, after);
    expect(textOf(reply)).toContain('Kept both answers, with your note: Budgets top-down &amp; &lt;taxes&gt;, drafts open online');
    const blocks = blocksOf(reply);
    const heading = blocks.findIndex((b) => b.type === 'header');
    expect(heading).toBeGreaterThan(-1);
    const result = textOf({ ...reply, body: { ...reply.body, blocks: blocks.slice(heading) } });
    expect(result).toContain('Overall stage: Early');
    expect(result).toContain("*Answers that pull in different directions (Govstage's check)*");
    expect(result).toContain('_(Budgets top-down &amp; &lt;taxes&gt;, drafts open online)_');
    const view = await server.services.service.view(id, { kind: 'owner', owner: owner(user) });
    expect(view.status).toBe('finished');
    const shown = view.current.find((m) => m.kind === 'result');
    expect(shown?.kind === 'result' ? shown.result.contradictions.map((c) => c.settlement) : []).toEqual([{ kind: 'kept', note }]);
  });
});

describe('what people type arrives as they typed it', () => {
  /** What Slack sends for "partly, R&D units only <50% see https://example.org/plan". */
  const SENT = 'partly, R&amp;D units only &lt;50% see <https://example.org/plan>';
  const NOTE = 'R&D units only <50% see https://example.org/plan';

  it('stores the note decoded from Slack\'s escaping, and shows it escaped once in Slack and on the report page', async () => {
    const user = newUser();
    let after = await act(() => user.dm('start'));
    after = await act(() => user.dm('1'));
    after = await act(() => user.dm(SENT));
    expect(textOf(lastPost(server.fake, after))).toContain('with your note: R&amp;D units only &lt;50% see https://example.org/plan');
    // Back at question 1, Slack shows the stored note, escaped exactly once for mrkdwn.
    after = await act(() => user.dm('back'));
    const back = textOf(lastPost(server.fake, after));
    expect(back).toContain('(note: R&amp;D units only &lt;50% see https://example.org/plan)');
    expect(back).not.toContain('&amp;amp;');
    after = await act(() => user.dm('partly, ' + escapeForSlack(NOTE)));
    // The other questions as the advanced profile answers them: no contradictions stand between the review and the result.
    for (const reply of PROFILES.advanced.slice(2)) after = await act(() => user.dm(reply));
    const review = lastPost(server.fake, after);
    expect(textOf(review)).toContain('_Note: R&amp;D units only &lt;50% see https://example.org/plan_');
    // The fallback text is mrkdwn too: escaped once, no link or mention made from the note.
    expect(String(review.body.text)).toContain('R&amp;D units only &lt;50% see https://example.org/plan');
    after = await act(() => user.dm('see result'));
    after = await act(() => user.command('report'));
    const link = new RegExp(`<${PUBLIC_URL}(/reports/[^|>]+)\\|`).exec(server.fake.callsOf('chat.postMessage', after).map(textOf).join('\n'))?.[1];
    expect(link).toBeDefined();
    const page = await (await fetch(`${server.url}${link}`)).text();
    expect(page).toContain('R&amp;D units only &lt;50% see https://example.org/plan');
    expect(page).not.toContain('&amp;amp;');
    const json = (await (await fetch(`${server.url}${link}/report.json`)).json()) as { answers: { note?: string }[] };
    expect(json.answers[0]?.note).toBe(NOTE);
  });

  it('applies the length limit to the decoded text: a 1,894-character answer is taken even when Slack\'s escaping makes it longer', async () => {
    const user = newUser();
    let after = await act(() => user.dm('start'));
    after = await act(() => user.dm('1'));
    // Words rather than symbols: the reply parser reads at most 1,200 tokens of a reply and asks about a longer one.
    const typed = `partly, ${'R&D <50% in regional ministries '.repeat(80)}`.slice(0, 1894).trimEnd();
    expect(typed.length).toBeGreaterThan(1890);
    expect(escapeForSlack(typed).length).toBeGreaterThan(2000);
    after = await act(() => user.dm(escapeForSlack(typed)));
    const post = textOf(lastPost(server.fake, after));
    expect(post).not.toContain('too long');
    expect(post).toContain('with your note: R&amp;D');
    const id = (await server.services.service.latestFor(owner(user))) as string;
    const view = await server.services.service.view(id, { kind: 'owner', owner: owner(user) });
    expect(view.transcript.filter((e) => e.from === 'user').at(-1)?.text).toBe(typed);
  });

  it('decodes the text of a slash command', async () => {
    const user = newUser();
    // What Slack sends for "/assess R&D<@pat>" when it links the mention.
    const after = await act(() => user.command('R&amp;D&lt;<@U123|pat>'));
    const help = String(server.fake.callsOf('response_url', after)[0]?.body.text);
    // The unknown subcommand is quoted back as typed, escaped once: no mention made of it.
    expect(help).toContain("I don't know /assess r&amp;d&lt;@pat.");
    expect(help).not.toContain('<@U123');
  });

  it('escapes a clicked button\'s label once in the updated message', async () => {
    const user = newUser();
    const after = await act(() => user.command('start'));
    const q1 = lastPost(server.fake, after);
    // A label with mrkdwn's special characters, as Slack echoes plain_text back (unescaped).
    const blocks = structuredClone(q1.body.blocks) as { block_id?: string; elements?: { text: { text: string } }[] }[];
    const answers = blocks.find((b) => b.block_id === 'gov-answers');
    const first = answers?.elements?.[0];
    if (!first) throw new Error('no answer button');
    first.text.text = 'Yes & <!here>';
    const before = await act(() => user.click({ ...q1, body: { ...q1.body, blocks } }, (b) => b.text === 'Yes & <!here>'));
    const update = server.fake.callsOf('chat.update', before)[0];
    expect(textOf(update as RecordedCall)).toContain('You chose: *Yes &amp; &lt;!here&gt;*');
  });
});

describe('retries and double clicks are processed once', () => {
  it('ignores a redelivered event (same event_id, X-Slack-Retry-Num: 1)', async () => {
    const user = newUser();
    let after = await act(() => user.command('start'));
    after = await act(() => user.dm('1'));
    const start = server.fake.lastSeq;
    const options = { eventId: `Ev-dup-${user.userId}`, messageId: `m-dup-${user.userId}` };
    after = await act(() => user.dm('yes', options));
    await act(() => user.dm('yes', { ...options, retryNum: 1 }));
    await act(() => user.dm('yes', { ...options, retryNum: 2 }));
    expect(server.fake.callsOf('chat.postMessage', start)).toHaveLength(1);
    expect(questionOf(lastPost(server.fake, after))).toBe(questionIds()[1]);
    const view = await server.services.service.view((await server.services.service.latestFor(owner(user))) as string, { kind: 'owner', owner: owner(user) });
    // start, the unit ("1") and one "yes".
    expect(view.transcript.filter((e) => e.from === 'user')).toHaveLength(3);
  });

  it('does not advance twice for the same Slack message under another event id (turn idempotency)', async () => {
    const user = newUser();
    await act(() => user.command('start'));
    await act(() => user.dm('1'));
    const start = server.fake.lastSeq;
    await act(() => user.dm('yes', { eventId: `Ev-a-${user.userId}`, messageId: `same-${user.userId}` }));
    await act(() => user.dm('yes', { eventId: `Ev-b-${user.userId}`, messageId: `same-${user.userId}` }));
    expect(server.fake.callsOf('chat.postMessage', start)).toHaveLength(1);
    const view = await server.services.service.view((await server.services.service.latestFor(owner(user))) as string, { kind: 'owner', owner: owner(user) });
    expect(view.current.find((m) => m.kind === 'question')).toMatchObject({ questionId: questionIds()[1] });
  });

  it('processes a double click on the same button once', async () => {
    const user = newUser();
    await act(() => user.command('start'));
    const after = await act(() => user.dm('1'));
    const q1 = lastPost(server.fake, after);
    expect(questionOf(q1)).toBe(questionIds()[0]);
    const pick = (b: { block_id: string | undefined }) => b.block_id === 'gov-answers';
    const start = server.fake.lastSeq;
    // The same click delivered twice, and a second click a moment later.
    const responses = await Promise.all([user.click(q1, pick, { actionTs: '1700000000.000001' }), user.click(q1, pick, { actionTs: '1700000000.000001' }), user.click(q1, pick)]);
    for (const r of responses) expect(r.status).toBe(200);
    await server.idle();
    expect(server.fake.callsOf('chat.update', start)).toHaveLength(1);
    const posts = server.fake.callsOf('chat.postMessage', start);
    expect(posts).toHaveLength(1);
    expect(questionOf(posts[0] as RecordedCall)).toBe(questionIds()[1]);
  });

  it('answers a click on an outdated message with a polite note and the current question', async () => {
    const user = newUser();
    let after = await act(() => user.command('start'));
    after = await act(() => user.dm('1'));
    const q1 = lastPost(server.fake, after);
    expect(questionOf(q1)).toBe(questionIds()[0]);
    after = await act(() => user.dm('yes'));
    expect(questionOf(lastPost(server.fake, after))).toBe(questionIds()[1]);
    // A click on question 1's old message: nothing is answered twice.
    after = await act(() => user.click(q1, (b) => b.block_id === 'gov-answers' && b.text === 'Not sure'));
    const note = server.fake.callsOf('chat.postEphemeral', after)[0];
    expect(note?.body.user).toBe(user.userId);
    expect(String(note?.body.text)).toContain('out of date');
    const update = server.fake.callsOf('chat.update', after)[0];
    expect(update?.body.ts).toBe(q1.result.ts);
    expect(blocksOf(update as RecordedCall).some((b) => b.type === 'actions')).toBe(false);
    expect(questionOf(lastPost(server.fake, after))).toBe(questionIds()[1]);
    const view = await server.services.service.view((await server.services.service.latestFor(owner(user))) as string, { kind: 'owner', owner: owner(user) });
    expect(view.current.find((m) => m.kind === 'question')).toMatchObject({ questionId: questionIds()[1] });
  });
});

describe('moving between the web, the terminal and Slack', () => {
  it('continues a web conversation in Slack with /assess resume CODE, and back on the web with the status code', async () => {
    // On the web: start, answer question 1, save for later.
    const started = await webJson('/api/conversations', { method: 'POST', body: {} });
    expect(started.status).toBe(201);
    const id = String(started.body.conversationId);
    const token = String(started.body.resumeToken);
    expect((await webJson(`/api/conversations/${id}/turns`, { method: 'POST', token, body: { turnId: 'w1', choice: 'start' } })).status).toBe(200);
    expect((await webJson(`/api/conversations/${id}/turns`, { method: 'POST', token, body: { turnId: 'w2', choice: 'unit:national' } })).status).toBe(200);
    const q1 = (await webJson(`/api/conversations/${id}/turns`, { method: 'POST', token, body: { turnId: 'w3', text: 'yes' } })).body;
    expect(JSON.stringify(q1.messages)).toContain(questionIds()[1]);
    const code = String((await webJson(`/api/conversations/${id}/resume-code`, { method: 'POST', token })).body.code);

    // In Slack: the code moves the conversation to this user, at question 2.
    const user = newUser();
    let after = await act(() => user.command(`resume ${code.toLowerCase()}`));
    let post = lastPost(server.fake, after);
    expect(textOf(post)).toContain('Welcome back');
    expect(questionOf(post)).toBe(questionIds()[1]);
    expect(await server.services.service.latestFor(owner(user))).toBe(id);
    after = await act(() => user.click(post, (b) => b.block_id === 'gov-answers'));
    post = lastPost(server.fake, after);
    expect(questionOf(post)).toBe(questionIds()[2]);
    // The web's old token no longer works: the conversation moved.
    expect((await webJson(`/api/conversations/${id}`, { token })).status).toBe(401);

    // Back to the web: /assess status gives a code that POST /api/resume accepts.
    after = await act(() => user.command('status'));
    const status = textOf(lastPost(server.fake, after));
    expect(status).toContain('question 3 of 14');
    const slackCode = /`([0-9A-Z]{5}-[0-9A-Z]{5})`/.exec(status)?.[1];
    expect(slackCode).toBeDefined();
    const resumed = await webJson('/api/resume', { method: 'POST', body: { code: slackCode } });
    expect(resumed.status).toBe(200);
    expect(resumed.body.conversationId).toBe(id);
    const onWeb = await webJson(`/api/conversations/${id}`, { token: String(resumed.body.resumeToken) });
    expect(JSON.stringify(onWeb.body.current)).toContain(`"questionId":"${questionIds()[2]}"`);
  });

  it('gives a working resume code when pausing with the button, and continues with "Continue now"', async () => {
    const user = newUser();
    let after = await act(() => user.dm('start'));
    after = await act(() => user.dm('1'));
    after = await act(() => user.click(lastPost(server.fake, after), 'gov:cmd:pause'));
    const paused = lastPost(server.fake, after);
    const code = /`([0-9A-Z]{5}-[0-9A-Z]{5})`/.exec(textOf(paused))?.[1];
    expect(code).toBeDefined();
    expect(textOf(paused)).toContain(`${PUBLIC_URL}/?resume=`);
    after = await act(() => user.click(paused, 'govslack:continue'));
    expect(questionOf(lastPost(server.fake, after))).toBe(questionIds()[0]);
    const resumed = await webJson('/api/resume', { method: 'POST', body: { code } });
    expect(resumed.status).toBe(200);
  });

  it('tells the user clearly when a resume code is wrong', async () => {
    const user = newUser();
    const after = await act(() => user.command('resume ABCDE-FGHJK'));
    const answer = server.fake.callsOf('response_url', after)[0];
    expect(String(answer?.body.text)).toContain('That resume code is not valid');
    expect(answer?.body.response_type).toBe('ephemeral');
  });
});

describe('forget-me', () => {
  it('deletes every conversation of the user after a confirmation button', async () => {
    const user = newUser();
    await act(() => user.command('start'));
    expect(await server.services.service.latestFor(owner(user))).toBeDefined();
    let after = await act(() => user.dm('forget-me'));
    const confirm = lastPost(server.fake, after);
    expect(buttonsOf(confirm).map((b) => b.action_id)).toEqual(['govslack:forget-yes', 'govslack:forget-no']);
    // "No" deletes nothing.
    after = await act(() => user.click(confirm, 'govslack:forget-no'));
    expect(String(server.fake.callsOf('chat.update', after)[0]?.body.text)).toContain('Nothing was deleted');
    expect(await server.services.service.latestFor(owner(user))).toBeDefined();

    after = await act(() => user.command('forget-me'));
    after = await act(() => user.click(lastPost(server.fake, after), 'govslack:forget-yes'));
    expect(String(server.fake.callsOf('chat.update', after)[0]?.body.text)).toContain('deleted');
    expect(await server.services.service.latestFor(owner(user))).toBeUndefined();
    const home = server.fake.callsOf('views.publish', after).at(-1);
    expect(JSON.stringify(home?.body.view)).toContain('You have not started an assessment yet');
  });
});

describe('commands, App Home, errors', () => {
  it('answers /assess help and unknown subcommands with the help, ephemerally', async () => {
    const user = newUser();
    let after = await act(() => user.command(''));
    expect(String(server.fake.callsOf('response_url', after)[0]?.body.text)).toContain('/assess resume CODE');
    after = await act(() => user.command('frobnicate'));
    const help = server.fake.callsOf('response_url', after)[0];
    expect(String(help?.body.text)).toContain("I don't know");
    expect(String(help?.body.text)).toContain('/assess forget-me');
    expect(server.fake.callsOf('chat.postMessage', after)).toHaveLength(0);
  });

  it('answers a command used in another channel in the DM, with an ephemeral pointer', async () => {
    const user = newUser();
    const after = await act(() => user.command('start', { channel: 'C123' }));
    expect(lastPost(server.fake, after).body.channel).toBe(user.dmChannel);
    expect(server.fake.callsOf('conversations.open', after).at(-1)?.body.users).toBe(user.userId);
    expect(String(server.fake.callsOf('response_url', after).at(-1)?.body.text)).toContain('direct messages');
  });

  it('publishes the App Home with progress and a Continue button', async () => {
    const user = newUser();
    let after = await act(() => user.event({ type: 'app_home_opened', user: user.userId, channel: user.dmChannel, tab: 'home' }));
    let home = server.fake.callsOf('views.publish', after)[0] as RecordedCall;
    expect(JSON.stringify(home.body.view)).toContain('You have not started');
    after = await act(() => user.clickHome(home, 'govslack:start'));
    after = await act(() => user.click(lastPost(server.fake, after), (b) => b.block_id === 'gov-answers'));
    after = await act(() => user.click(lastPost(server.fake, after), (b) => b.block_id === 'gov-answers'));
    after = await act(() => user.event({ type: 'app_home_opened', user: user.userId, channel: user.dmChannel, tab: 'home' }));
    home = server.fake.callsOf('views.publish', after)[0] as RecordedCall;
    expect(JSON.stringify(home.body.view)).toContain('question 2 of 14');
    after = await act(() => user.clickHome(home, 'govslack:continue'));
    expect(questionOf(lastPost(server.fake, after))).toBe(questionIds()[1]);
  });

  it('waits out a Slack rate limit (429 with Retry-After) and then delivers', async () => {
    const user = newUser();
    server.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const after = await act(() => user.dm('start'));
    const posts = server.fake.callsOf('chat.postMessage', after);
    expect(posts).toHaveLength(2);
    expect(posts[0]?.result.ok).toBe(false);
    expect(questionOf(posts[1] as RecordedCall)).toBe('unit');
  });

  it('refuses an over-long DM with a clear message', async () => {
    const user = newUser();
    await act(() => user.dm('start'));
    const after = await act(() => user.dm('x'.repeat(2001)));
    expect(textOf(lastPost(server.fake, after))).toContain('too long');
  });

  it('ignores the bot\'s own messages and message edits', async () => {
    const user = newUser();
    const after = await act(() => user.event({ type: 'message', channel: user.dmChannel, channel_type: 'im', bot_id: 'BBOT', text: 'hello', ts: '1.2' }));
    await act(() => user.event({ type: 'message', subtype: 'message_changed', channel: user.dmChannel, channel_type: 'im', ts: '1.3' }));
    expect(server.fake.lastSeq).toBe(after);
  });
});
