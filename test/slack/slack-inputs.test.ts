/**
 * Slack drives the assessment by choice ids and "show where it stands",
 * never by English words meaning commands: every input the core receives is
 * recorded (the real ConversationService, its `turn` wrapped to note what it
 * is given, then called as it is), and the only typed text that reaches it
 * is what the person typed as a reply.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TurnInput } from '../../src/core/messages.js';
import type { TurnRequest } from '../../src/service/conversation-service.js';
import { SlackUser, buttonsOf, lastPost, questionOf, startSlackServer, textOf, type SlackTestServer } from './helpers.js';

let server: SlackTestServer;
const inputs: TurnInput[] = [];

beforeAll(async () => {
  server = await startSlackServer();
  const service = server.services.service;
  const turn = service.turn.bind(service);
  vi.spyOn(service, 'turn').mockImplementation((request: TurnRequest) => {
    inputs.push(request.input);
    return turn(request);
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server?.close();
});

async function act(send: () => Promise<Response>): Promise<number> {
  const before = server.fake.lastSeq;
  expect((await send()).status).toBe(200);
  await server.idle();
  return before;
}

const typedTexts = () => inputs.filter((i): i is Extract<TurnInput, { kind: 'text' }> => i.kind === 'text').map((i) => i.text);

describe('what Slack sends the core', () => {
  it('commands and Slack\'s own buttons are choices or "show where it stands", never words', async () => {
    const user = new SlackUser(server, 'T1', 'UINPUTS1');
    // /assess start, the opening question by its button, question 1 typed.
    let after = await act(() => user.command('start'));
    expect(questionOf(lastPost(server.fake, after))).toBe('unit');
    after = await act(() => user.click(lastPost(server.fake, after), (b) => b.block_id === 'gov-answers'));
    after = await act(() => user.dm('yes'));
    // "start" and "resume" typed in the DM, /assess resume without a code: where it stands.
    after = await act(() => user.dm('start'));
    expect(questionOf(lastPost(server.fake, after))).toBe(server.services.definition.questions[1]?.id);
    after = await act(() => user.dm('resume'));
    after = await act(() => user.command('resume'));
    expect(questionOf(lastPost(server.fake, after))).toBe(server.services.definition.questions[1]?.id);
    // /assess restart asks to confirm, with buttons.
    after = await act(() => user.command('restart'));
    const confirm = lastPost(server.fake, after);
    expect(buttonsOf(confirm).map((b) => b.action_id)).toEqual(['gov:confirm:yes', 'gov:confirm:no']);
    after = await act(() => user.click(confirm, 'gov:confirm:no'));
    // Save for later, then Continue now.
    after = await act(() => user.click(lastPost(server.fake, after), 'gov:cmd:pause'));
    after = await act(() => user.click(lastPost(server.fake, after), 'govslack:continue'));
    expect(questionOf(lastPost(server.fake, after))).toBe(server.services.definition.questions[1]?.id);
    // Status and report take no turn.
    after = await act(() => user.command('status'));
    expect(textOf(lastPost(server.fake, after))).toContain('question 2 of 14');

    expect(inputs.length).toBeGreaterThan(8);
    // The one text is the person's answer to question 1.
    expect(typedTexts()).toEqual(['yes']);
  });
});
