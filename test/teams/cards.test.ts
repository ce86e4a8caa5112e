/**
 * Adaptive Card rendering of the message model (pure functions), on
 * messages the real core produced, and what Govstage reads from what
 * people type in Teams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/core/messages.js';
import { CARD_BUDGET, consumedCard, renderCards, statusCard } from '../../src/channels/teams/cards.js';
import { cardDataOf, IncomingActivity, typedText } from '../../src/channels/teams/activity.js';
import { completeAssessment, PROFILES } from '../helpers/assessment.js';
import { testServices } from '../helpers/server.js';
import type { RenderContext } from '../../src/channels/teams/cards.js';
import { actionsOf, textOf } from './helpers.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
let question: Message[];
let unit: Message[];
let result: Message[];
let review: Message[];
let paused: Message[];

beforeAll(async () => {
  services = await testServices();
  ctx = { ref: { conversationId: 'c_0123456789abcdef', step: 'q:ict-purpose' }, words: services.locales.words('en') };
  const done = await completeAssessment(services.service, PROFILES.intermediate);
  result = (await services.service.view(done.conversationId, done.access)).current;
  review = (await done.say('review')).messages;
  const started = await services.service.start({ channel: 'teams' });
  const access = { kind: 'token' as const, token: started.resumeToken };
  const turn = (turnId: string, text: string) => services.service.turn({ conversationId: started.conversationId, access, channel: 'teams', turnId, input: { kind: 'text', text } });
  unit = (await turn('1', 'start')).messages;
  question = (await turn('2', '1')).messages;
  paused = (await turn('3', 'pause')).messages;
});
afterAll(async () => {
  await services?.cleanup();
});

let ctx: RenderContext;

describe('renderCards', () => {
  it('a question: our theme labelled as ours, its number, one numbered button per answer carrying choice, conversation and step', () => {
    const [card, ...more] = renderCards(question, ctx);
    expect(more).toEqual([]);
    expect(card?.version).toBe('1.5');
    const text = textOf(card);
    expect(text).toContain("Theme (Govstage's grouping, not the OECD's)");
    expect(text).toContain('Question 1 of 14');
    const actions = actionsOf(card);
    const answers = actions.filter((a) => String(a.data.choice).startsWith('answer:'));
    const message = question.find((m) => m.kind === 'question');
    if (message?.kind !== 'question') throw new Error('no question');
    expect(answers.map((a) => a.title)).toEqual(message.choices.map((c, i) => `${i + 1}. ${c.label}`));
    expect(answers.at(-1)?.title).toBe(`${message.choices.length}. Not sure`);
    for (const action of actions) {
      expect(action.type).toBe('Action.Execute');
      expect(action.data).toMatchObject({ action: 'choose', conversationId: ctx.ref.conversationId, step: ctx.ref.step });
    }
    expect(actions.map((a) => a.data.choice)).toEqual(expect.arrayContaining(['cmd:why', 'cmd:back', 'cmd:pause']));
  });

  it('the opening question has no theme and no number', () => {
    const text = textOf(renderCards(unit, ctx));
    expect(text).toContain('First, what are you assessing?');
    expect(text).not.toContain('Question 0');
    expect(text).not.toContain('Theme (');
  });

  it('the result: stage per theme and overall, themes labelled as ours, what holds them back, strengths, suggestions as OECD text', () => {
    const cards = renderCards(result, ctx);
    const text = cards.map(textOf).join('\n');
    const [message] = result;
    if (message?.kind !== 'result') throw new Error('no result');
    const r = message.result;
    expect(text).toContain(`Overall stage: ${r.overall.stageLabel}`);
    for (const theme of r.themes) expect(text).toContain(`${theme.title}: ${theme.stageLabel}`);
    expect(text.split(r.texts.oursLabel).length - 1).toBeGreaterThanOrEqual(r.themes.length);
    if (r.themes.some((t) => t.strengths.length > 0)) expect(text).toContain(r.texts.strengthsLabel);
    if (r.themes.some((t) => t.holdingBack.length > 0)) expect(text).toContain(r.texts.becauseLabel);
    expect(text).toContain(r.texts.suggestionsHeading);
    expect(text).toContain(r.texts.oecdLabel);
    expect(text).toContain(r.texts.sourceLabel);
    expect(cards.flatMap(actionsOf).map((a) => a.data.choice ?? a.data.action)).toEqual(['cmd:review', 'cmd:newAssessment']);
    // With a public URL, the full report is one click away.
    const withLink = renderCards(result, { ...ctx, publicUrl: 'https://govstage.example.gov' }).flatMap(actionsOf);
    expect(withLink.at(-1)?.data).toEqual({ action: 'report-link', conversationId: ctx.ref.conversationId });
  });

  it('"not sure" answers the next stage needs are shown under their label', () => {
    const [message] = result;
    if (message?.kind !== 'result') throw new Error('no result');
    const theme = message.result.themes[0]!;
    const quote = { questionId: 'q', question: 'Q?', short: 'short words', answer: 'Not sure', states: 'unknown' as const, characteristicId: 'c' };
    const withPending: Message = { ...message, result: { ...message.result, themes: [{ ...theme, pending: [quote] }] } };
    expect(textOf(renderCards([withPending], ctx))).toContain(`${message.result.texts.pendingLabel} short words: “Not sure”`);
  });

  it('a reply too big for one Teams message is split between cards, the buttons on the last', () => {
    const [message] = result;
    if (message?.kind !== 'result') throw new Error('no result');
    const many = Array.from({ length: 12 }, () => message.result.suggestions).flat();
    const big: Message = { ...message, result: { ...message.result, suggestions: many } };
    const cards = renderCards([big], ctx);
    expect(cards.length).toBeGreaterThan(1);
    for (const card of cards) expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(CARD_BUDGET);
    expect(cards.slice(0, -1).flatMap(actionsOf)).toEqual([]);
    expect(actionsOf(cards.at(-1)).length).toBe(2);
  });

  it('the review: every answer with a Change button for its question', () => {
    const [message] = review;
    if (message?.kind !== 'review') throw new Error('no review');
    const actions = renderCards(review, ctx).flatMap(actionsOf);
    expect(actions.filter((a) => a.title === 'Change').map((a) => a.data.choice)).toEqual(message.items.map((i) => i.editChoiceId));
  });

  it('paused: the resume code, where it works, and a link to the web when there is one', () => {
    const [message] = paused;
    if (message?.kind !== 'paused' || !message.resume) throw new Error('no resume code');
    const text = textOf(renderCards(paused, ctx));
    expect(text).toContain(message.resume.code);
    expect(text).toContain('/assess resume');
    expect(text).toContain('npm run chat -- --resume');
    const withUrl: Message = { ...message, resume: { ...message.resume, url: 'https://govstage.example.gov/?resume=X' } };
    expect(JSON.stringify(renderCards([withUrl], ctx))).toContain('"type":"Action.OpenUrl"');
  });

  it('a warning is shown as one; a consumed card has no buttons left', () => {
    const [card] = renderCards([{ kind: 'text', tone: 'warning', text: 'Careful' }], ctx);
    expect(JSON.stringify(card)).toContain('"color":"Warning"');
    expect(actionsOf(consumedCard('✔ You chose: **Yes**', 'Does your government…?'))).toEqual([]);
  });

  it('the status card says where the person is', () => {
    const card = statusCard({ status: 'active', progress: { index: 3, total: 14, answered: 2 }, latestResult: null, resume: { code: '7K2QF-M9XCD', expiresAt: '2030-01-01T00:00:00.000Z' } }, ctx.words);
    expect(textOf(card)).toContain('You are at question 3 of 14 (2 answered)');
    expect(textOf(card)).toContain('7K2QF-M9XCD');
  });
});

describe('what people type in Teams', () => {
  const activity = (text: string, entities: unknown[] = []) =>
    IncomingActivity.parse({ type: 'message', channelId: 'msteams', from: { id: '29:u' }, recipient: { id: '28:bot' }, conversation: { id: 'a:1' }, text, entities });
  const botMention = { type: 'mention', mentioned: { id: '28:bot', name: 'Govstage' }, text: '<at>Govstage</at>' };

  it('is taken as typed, with our @mention removed and other people kept as @name', () => {
    expect(typedText(activity('partly, only in <5 ministries & agencies'))).toBe('partly, only in <5 ministries & agencies');
    expect(typedText(activity('<at>Govstage</at> status', [botMention]))).toBe('status');
    expect(typedText(activity('<at>Govstage</at> note ask <at>Ana</at>', [botMention, { type: 'mention', mentioned: { id: '29:ana', name: 'Ana' }, text: '<at>Ana</at>' }]))).toBe('note ask @Ana');
  });

  it("reduces Teams' rich-text markup to its text", () => {
    expect(typedText(activity('<p>yes, see <b>the law</b> &amp; its decree</p>'))).toBe('yes, see the law & its decree');
  });

  it('reads our buttons from Action.Execute and from Action.Submit, and nothing else', () => {
    const data = { action: 'choose', choice: 'answer:ict-purpose:yes', conversationId: 'c_0123456789abcdef', step: 'q:ict-purpose', label: 'Yes' };
    const base = { channelId: 'msteams', from: { id: '29:u' }, recipient: { id: '28:bot' }, conversation: { id: 'a:1' } };
    expect(cardDataOf(IncomingActivity.parse({ ...base, type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'choose', data } } }))).toEqual(data);
    expect(cardDataOf(IncomingActivity.parse({ ...base, type: 'message', value: data }))).toEqual(data);
    expect(cardDataOf(IncomingActivity.parse({ ...base, type: 'message', value: { ...data, conversationId: '../etc' } }))).toBeUndefined();
    expect(cardDataOf(IncomingActivity.parse({ ...base, type: 'invoke', name: 'composeExtension/query', value: { action: { type: 'Action.Execute', data } } }))).toBeUndefined();
  });
});
