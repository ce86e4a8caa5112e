/**
 * Block Kit rendering of the message model: buttons carry choice ids and
 * the step they belong to, Slack's limits hold, and the result and App Home
 * show what they should. Uses the real assessment definition.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { advance, newConversation } from '../../src/core/conversation/turn.js';
import type { ConversationState } from '../../src/core/conversation/state.js';
import type { AssessmentDefinition } from '../../src/core/definition.js';
import type { Message, QuestionMessage, ResultMessage } from '../../src/core/messages.js';
import { CHOICE_PREFIX, LIMITS, clip, consumedBlocks, homeView, messageBlocks, renderMessages, type KnownBlock, type RenderContext } from '../../src/channels/slack/blocks.js';
import { parseButtonValue } from '../../src/channels/slack/payloads.js';
import { realDefinition } from '../core/helpers.js';
import { testLocales } from '../helpers/server.js';
import type { Words } from '../../src/i18n/words.js';

let definition: AssessmentDefinition;
let en: Words;
const NOW = new Date('2024-05-01T10:00:00Z');

function step(state: ConversationState, input: Parameters<typeof advance>[2]): { state: ConversationState; messages: Message[] } {
  const outcome = advance(definition, state, input, NOW);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

let q1: QuestionMessage;
let result: ResultMessage;

beforeAll(async () => {
  definition = await realDefinition();
  en = (await testLocales()).words('en');
  ctx = { ref: { conversationId: 'c_test', step: 'q:x' }, publicUrl: 'https://gov.example', words: en };
  let { state } = newConversation(definition, 'en');
  let messages: Message[];
  ({ state, messages } = step(state, { kind: 'choice', choice: 'start' }));
  ({ state, messages } = step(state, { kind: 'choice', choice: 'unit:national' }));
  q1 = messages.find((m): m is QuestionMessage => m.kind === 'question') as QuestionMessage;
  for (let i = 0; i < definition.questions.length; i++) ({ state, messages } = step(state, { kind: 'text', text: i % 2 === 0 ? 'yes' : 'no' }));
  ({ state, messages } = step(state, { kind: 'text', text: 'see result' }));
  // Contradictions are put to the person first: leave them for later.
  while (!messages.some((m) => m.kind === 'result')) {
    const settle = messages.find((m) => m.kind === 'text' && m.contradictionId);
    if (!settle || settle.kind !== 'text' || !settle.contradictionId) throw new Error('neither a result nor a contradiction to settle');
    ({ state, messages } = step(state, { kind: 'choice', choice: `settle:later:${settle.contradictionId}` }));
  }
  result = messages.find((m): m is ResultMessage => m.kind === 'result') as ResultMessage;
});

let ctx: RenderContext;
type Element = { type: string; action_id?: string; value?: string; style?: string; text?: { text: string } };
const elementsOf = (blocks: KnownBlock[], blockId: string): Element[] =>
  blocks.filter((b) => b.block_id === blockId).flatMap((b) => ('elements' in b ? (b.elements as Element[]) : []));

describe('questions', () => {
  it('offer the answers (Not sure included) as primary buttons and the commands as secondary ones', () => {
    const blocks = messageBlocks(q1, ctx);
    const answers = elementsOf(blocks, 'gov-answers');
    const commands = elementsOf(blocks, 'gov-commands');
    expect(answers.map((e) => e.action_id)).toEqual(q1.choices.map((c) => `${CHOICE_PREFIX}${c.id}`));
    expect(answers.map((e) => e.text?.text)).toContain('Not sure');
    expect(answers.every((e) => e.style === 'primary')).toBe(true);
    expect(commands.map((e) => e.action_id)).toEqual(q1.commands.map((c) => `${CHOICE_PREFIX}${c.id}`));
    expect(commands.every((e) => e.style === undefined)).toBe(true);
    expect(parseButtonValue(answers[0]?.value)).toEqual({ c: 'c_test', s: 'q:x' });
  });

  it('show the theme and progress', () => {
    const text = JSON.stringify(messageBlocks(q1, ctx));
    expect(text).toContain(`Question 1 of ${definition.questions.length}`);
    expect(text).toContain(q1.themeTitle);
  });
});

describe('the result', () => {
  it('shows the overall stage, every theme, the suggestions with reasons and "because you said", and a report button', () => {
    const blocks = messageBlocks(result, ctx);
    const text = JSON.stringify(blocks);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: result.result.texts.heading } });
    expect(text).toContain(`Overall stage: ${result.result.overall.stageLabel}`);
    for (const theme of result.result.themes) expect(text).toContain(`${theme.title}: ${theme.stageLabel}`);
    expect(result.result.suggestions.length).toBeGreaterThan(0);
    for (const s of result.result.suggestions) expect(text).toContain(s.reason.replace(/&/g, '&amp;').replace(/"/g, '\\"').slice(0, 40));
    expect(text).toContain(result.result.texts.becauseLabel);
    expect(elementsOf(blocks, 'govslack-report').map((e) => e.action_id)).toEqual(['govslack:report-link']);
    expect(elementsOf(messageBlocks(result, { ...ctx, publicUrl: undefined }), 'govslack-report')).toEqual([]);
  });

  it('keeps within Slack limits', () => {
    const parts = renderMessages([result], ctx);
    for (const part of parts) {
      expect(part.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
      expect(part.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
      for (const block of part.blocks as KnownBlock[]) {
        if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
        if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(LIMITS.headerText);
        if (block.type === 'context') expect(block.elements.length).toBeLessThanOrEqual(LIMITS.contextElements);
      }
    }
  });

  it('splits a very long reply into several messages, buttons last', () => {
    const many: Message[] = Array.from({ length: 60 }, (_, i) => ({ kind: 'text', tone: 'normal', text: `line ${i}` }));
    const parts = renderMessages([...many, q1], ctx);
    expect(parts.length).toBe(2);
    expect(JSON.stringify(parts[1]?.blocks)).toContain('gov-answers');
  });
});

describe('people\'s notes', () => {
  const note = '<!channel> see <https://evil.example|the plan> & <@U1>, typed as &amp;';
  const escaped = '&lt;!channel&gt; see &lt;https://evil.example|the plan&gt; &amp; &lt;@U1&gt;, typed as &amp;amp;';

  it('are escaped exactly once in mrkdwn and in the fallback text, so they cannot make links or mentions', () => {
    const question: Message = { ...q1, currentAnswer: { choiceId: q1.choices[0]?.id ?? 'x', label: 'Yes', note } };
    const review: Message = { kind: 'review', text: 'Review', items: [{ questionId: 'a', question: 'Q?', themeTitle: 'T', themeLabel: '', answer: 'Yes', answered: true, note, editChoiceId: 'edit:a' }], contradictions: [], choices: [] };
    for (const message of [question, review]) {
      const [part] = renderMessages([message], ctx);
      if (!part) throw new Error('nothing rendered');
      const mrkdwn = JSON.stringify(part.blocks).match(/"type":"mrkdwn","text":"(?:[^"\\]|\\.)*"/g) ?? [];
      expect(mrkdwn.some((t) => t.includes(escaped))).toBe(true);
      for (const t of mrkdwn) expect(t).not.toMatch(/[<>]/);
      // The fallback text (notifications, screen readers) is mrkdwn too.
      if (message.kind === 'review') expect(part.text).toContain(escaped);
      expect(part.text).not.toMatch(/[<>]/);
    }
  });

  it('are never cut in the middle of an escaped character when clipped', () => {
    expect(clip('R&amp;D', 4)).toBe('R…');
    expect(clip('R&amp;D and more', 7)).toBe('R&amp;…');
    expect(clip('plain text', 6)).toBe('plain…');
  });
});

describe('a clicked message', () => {
  it('loses its buttons and shows what was chosen', () => {
    const blocks = consumedBlocks(messageBlocks(q1, ctx), 'You chose: *Yes*');
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(blocks.at(-1))).toContain('You chose: *Yes*');
    expect(JSON.stringify(blocks)).toContain(q1.text.slice(0, 30));
  });

  it('loses the Change buttons of a review', () => {
    const review: Message = { kind: 'review', text: 'Review', items: [{ questionId: 'a', question: 'Q?', themeTitle: 'T', themeLabel: '', answer: 'Yes', answered: true, editChoiceId: 'edit:a' }], contradictions: [], choices: [] };
    const blocks = messageBlocks(review, ctx);
    expect(JSON.stringify(blocks)).toContain('gov:edit:a');
    expect(JSON.stringify(consumedBlocks(blocks, 'done'))).not.toContain('gov:edit:a');
  });
});

describe('the App Home', () => {
  it('invites to start when there is nothing yet', () => {
    const view = homeView({ standing: undefined, words: en });
    expect(view.type).toBe('home');
    expect(JSON.stringify(view)).toContain('govslack:start');
  });

  it('shows progress with a Continue button, and the latest result', () => {
    const ref = { conversationId: 'c1', step: 'x' };
    const inProgress = homeView({ standing: { ref, status: 'active', locale: 'en', started: true, progress: q1.progress, latestResult: null }, words: en });
    expect(JSON.stringify(inProgress)).toContain(`question 1 of ${definition.questions.length}`);
    expect(JSON.stringify(inProgress)).toContain('govslack:continue');
    const finished = homeView({ standing: { ref, status: 'finished', locale: 'en', started: true, progress: { ...q1.progress, index: 0 }, latestResult: result.result }, publicUrl: 'https://gov.example', words: en });
    const text = JSON.stringify(finished);
    expect(text).toContain(`Latest result: ${result.result.overall.stageLabel}`);
    for (const theme of result.result.themes) expect(text).toContain(theme.title);
    expect(text).toContain('https://gov.example/');
  });
});
