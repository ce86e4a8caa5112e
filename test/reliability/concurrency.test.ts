/**
 * Concurrent turns on one conversation, over the HTTP API and the real file
 * store: retries replay, racing answers give one winner and 409s, and no
 * update is ever lost, also between two service instances on one folder
 * (which share no in-process lock, like two processes would).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/channels/web/app.js';
import { ConversationService } from '../../src/service/conversation-service.js';
import { parseStoredRecord, type ConversationRecord } from '../../src/store/record.js';
import { testServices } from '../helpers/server.js';
import { answeredIn, questionIn } from './http-client.js';
import { applied } from '../helpers/assessment.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
let app: Express;

beforeAll(async () => {
  services = await testServices({ RATE_LIMIT_PER_MINUTE: '100000' });
  app = createApp(services);
});
afterAll(async () => services.cleanup());

let turnCounter = 0;
const newTurnId = () => `ct-${++turnCounter}`;

async function startedConversation() {
  const created = await request(app).post('/api/conversations').send({});
  expect(created.status).toBe(201);
  const id = created.body.conversationId as string;
  const token = created.body.resumeToken as string;
  await postTurn(id, token, { turnId: newTurnId(), choice: 'start' });
  const started = await postTurn(id, token, { turnId: newTurnId(), choice: 'unit:national' });
  expect(started.status).toBe(200);
  return { id, token, revision: started.body.revision as number, question: questionIn(started.body.messages)! };
}

function postTurn(id: string, token: string, body: Record<string, unknown>) {
  return request(app).post(`/api/conversations/${id}/turns`).set('Authorization', `Bearer ${token}`).send(body);
}

async function stored(id: string): Promise<ConversationRecord> {
  return parseStoredRecord(JSON.parse(await readFile(path.join(services.dataDir, 'conversations', `${id}.json`), 'utf8')), id, 'file');
}

describe('concurrent turns on one conversation', () => {
  it('the same turn sent 10 times at once advances once; every answer is the same', async () => {
    const { id, token, revision, question } = await startedConversation();
    const body = { turnId: newTurnId(), choice: `answer:${question.questionId}:yes` };
    const replies = await Promise.all(Array.from({ length: 10 }, () => postTurn(id, token, body)));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(replies.filter((r) => r.body.replayed === false)).toHaveLength(1);
    expect(replies.filter((r) => r.body.replayed === true)).toHaveLength(9);
    for (const reply of replies) {
      expect(reply.body.messages).toEqual(replies[0]!.body.messages);
      expect(reply.body.revision).toBe(revision + 1);
    }
    const record = await stored(id);
    expect(record.revision).toBe(revision + 1);
    expect(record.state.machine.context.answers).toEqual({ [question.questionId]: { option: 'yes' } });
    expect(record.receipts.filter((r) => r.turnId === body.turnId)).toHaveLength(1);
    // start, the unit, then the one answer.
    expect(record.transcript.filter((e) => e.from === 'user')).toHaveLength(3);
  });

  it('two different answers to the same question at once: one advances, the other gets 409 with the current prompt', async () => {
    const { id, token, revision, question } = await startedConversation();
    const [a, b] = await Promise.all([
      postTurn(id, token, { turnId: newTurnId(), choice: `answer:${question.questionId}:yes` }),
      postTurn(id, token, { turnId: newTurnId(), choice: `answer:${question.questionId}:no` }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(loser.body.error.code).toBe('CONFLICT');
    expect(loser.body.error.message).toMatch(/no longer the current one|moved on/);
    // The loser is shown where the conversation stands now: the next question, as the winner saw it.
    const next = questionIn(winner.body.messages)!;
    expect(next.questionId).not.toBe(question.questionId);
    expect(questionIn(loser.body.messages)?.questionId).toBe(next.questionId);
    const record = await stored(id);
    expect(record.revision).toBe(revision + 1);
    const won = winner === a ? 'yes' : 'no';
    expect(record.state.machine.context.answers).toEqual({ [question.questionId]: { option: won } });
  });

  it('typed answers that name the same revision: one 200, the rest 409 with the new revision', async () => {
    const { id, token, revision } = await startedConversation();
    const texts = ['yes', 'no', 'partly', '1', '2', '3', 'not sure', 'Partly, in two ministries'];
    const replies = await Promise.all(texts.map((text) => postTurn(id, token, { turnId: newTurnId(), text, revision })));
    const ok = replies.filter((r) => r.status === 200);
    const conflicts = replies.filter((r) => r.status === 409);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(texts.length - 1);
    for (const conflict of conflicts) {
      expect(conflict.body.error.code).toBe('CONFLICT');
      expect(conflict.body.revision).toBe(revision + 1);
      expect(questionIn(conflict.body.messages)).toBeDefined();
    }
    const record = await stored(id);
    expect(record.revision).toBe(revision + 1);
    expect(Object.keys(record.state.machine.context.answers)).toHaveLength(1);
    expect(answeredIn(ok[0]!.body.messages)).toBe(1);
  });

  it('many different turns at once: every one is applied, none is lost', async () => {
    const { id, token, revision } = await startedConversation();
    // "note …" changes the stored state without moving on; each must land in the transcript and the answer log.
    const notes = Array.from({ length: 20 }, (_, i) => `note evidence ${i}`);
    const replies = await Promise.all(notes.map((text) => postTurn(id, token, { turnId: newTurnId(), text })));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    const record = await stored(id);
    expect(record.revision).toBe(revision + 20);
    const typed = record.transcript.filter((e) => e.from === 'user').map((e) => e.text);
    for (const note of notes) expect(typed).toContain(note);
    expect(new Set(replies.map((r) => r.body.revision)).size).toBe(20);
  });

  it('two service instances on one folder (no shared lock, like two processes): no lost update, no double advance', async () => {
    const other = new ConversationService({ definition: services.definition, store: services.store, resumeCodeTtlMs: 3_600_000 });
    const started = await services.service.start({ channel: 'web' });
    const access = { kind: 'token' as const, token: started.resumeToken };
    const turn = (instance: ConversationService, turnId: string, text: string) =>
      instance.turn({ conversationId: started.conversationId, access, channel: 'web', turnId, input: { kind: 'text', text } }).then(applied).then(
        (reply) => ({ ok: true as const, reply }),
        (error: unknown) => ({ ok: false as const, error: error as { kind?: string } }),
      );
    await turn(services.service, 'start', 'start');

    // The same turn on both instances at once: one applies it, the other replays it.
    const same = await Promise.all([turn(services.service, 'dup', 'yes'), turn(other, 'dup', 'yes')]);
    expect(same.every((r) => r.ok)).toBe(true);
    expect(same.filter((r) => r.ok && r.reply.replayed)).toHaveLength(1);
    expect((await stored(started.conversationId)).revision).toBe(2);

    // Different notes on both instances at once, sent without a revision: a lost race is retried, so every one is applied.
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => turn(i % 2 === 0 ? services.service : other, `n-${i}`, `note race ${i}`)));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const record = await stored(started.conversationId);
    expect(record.revision).toBe(2 + results.length);
    const typed = record.transcript.filter((e) => e.from === 'user').map((e) => e.text);
    results.forEach((_, i) => expect(typed).toContain(`note race ${i}`));
  });
});
