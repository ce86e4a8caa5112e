/**
 * Crash safety of the real server (src/main.ts as a child process over the
 * real lowdb folder):
 *
 * - SIGKILL in the middle of many concurrent conversations, restart on the
 *   same DATA_DIR, several rounds: every answer acknowledged with a 200 is
 *   still there, no stored file is corrupt, and a turn whose answer was lost
 *   with the connection, retried with its turn id, is applied exactly once.
 * - SIGTERM: the turns in flight finish with 200 (or their connection is
 *   refused before it is accepted), no accepted turn is dropped, keep-alive
 *   connections do not hold the shutdown open, and the process exits 0.
 *
 * Prints the totals (rounds, acknowledged and lost answers):
 *   npx vitest run test/reliability/crash-safety.test.ts
 */
import http from 'node:http';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer, tempDir, type ChildServer } from '../helpers/server.js';
import { answeredIn, call, exited, NetworkError, questionIn, QUESTION_COUNT, sleep } from './http-client.js';
import { auditStore } from './store-files.js';

const ENV = { RATE_LIMIT_PER_MINUTE: '1000000', RESUME_RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'info' };
const CONVERSATIONS = 30;
const ROUNDS = 6;

const dirs: string[] = [];
const children: ChildServer[] = [];
afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function start(dataDir: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const server = await startChildServer({ dataDir, env: { ...ENV, ...env } });
  children.push(server);
  return server;
}

interface PendingTurn {
  turnId: string;
  body: Record<string, unknown>;
}

/** What the client knows of one conversation: only what the server acknowledged. */
interface Tracked {
  id: string;
  token: string;
  /** Answers the server acknowledged (the answered count of the last 200). */
  acked: number;
  revision: number;
  question: { questionId: string; choices: string[] } | undefined;
  finished: boolean;
  /** A turn sent without an answer (the server died): retried with the same turn id. */
  pending: PendingTurn | undefined;
  turns: number;
}

/** A mix of button presses and typed replies, all of which answer the current question. */
const TYPED_ANSWERS = ['yes', 'no', 'partly', '1', '2', '3', 'Partly, only in two ministries', 'YES', 'not sure'];

function nextTurn(conversation: Tracked): PendingTurn {
  const n = ++conversation.turns;
  const turnId = `${conversation.id.slice(2, 12)}-${n}`;
  const question = conversation.question;
  if (!question) return { turnId, body: { turnId, choice: 'start', revision: conversation.revision } };
  const body =
    n % 2 === 0
      ? { turnId, choice: question.choices[n % question.choices.length], revision: conversation.revision }
      : { turnId, text: TYPED_ANSWERS[n % TYPED_ANSWERS.length], revision: conversation.revision };
  return { turnId, body };
}

describe('crash safety: SIGKILL mid-traffic, restart on the same DATA_DIR', () => {
  it(`loses no acknowledged answer over ${ROUNDS} kill-and-restart rounds of ${CONVERSATIONS} concurrent conversations`, { timeout: 120_000 }, async () => {
    const dataDir = await tempDir('govstage-crash-');
    dirs.push(dataDir);
    const all: Tracked[] = [];
    const slots: (Tracked | undefined)[] = Array.from({ length: CONVERSATIONS }, () => undefined);
    const totals = { rounds: 0, createdAcked: 0, turnsAcked: 0, inFlightAtKill: 0, retriedAfterRestart: 0, tempFilesLeft: 0, filesChecked: 0 };
    /** Turns whose answer was lost with the connection but which the server had applied (the retry replays them). */
    const appliedUnanswered = new Set<string>();

    /** After a restart: every acknowledged conversation is there, with at least its acknowledged answers, and at most one more (a turn whose answer was lost). */
    const verify = async (url: string, exact: boolean) => {
      let lost = 0;
      for (const conversation of all) {
        const view = await call(url, 'GET', `/api/conversations/${conversation.id}`, { token: conversation.token });
        expect(view.status, `conversation ${conversation.id}: ${view.text}`).toBe(200);
        const answered = answeredIn(view.body.current) ?? 0;
        lost += Math.max(0, conversation.acked - answered);
        expect(answered, `answers of ${conversation.id}`).toBeGreaterThanOrEqual(conversation.acked);
        expect(answered, `answers of ${conversation.id}`).toBeLessThanOrEqual(conversation.acked + (conversation.pending && !exact ? 1 : 0));
        if (conversation.pending && answered > conversation.acked) appliedUnanswered.add(conversation.pending.turnId);
      }
      return lost;
    };

    /** Drives one conversation until it is finished or the server is gone. */
    const drive = async (url: string, agent: http.Agent, conversation: Tracked): Promise<'finished' | 'dead'> => {
      while (!conversation.finished) {
        const retry = conversation.pending !== undefined;
        const turn = (conversation.pending ??= nextTurn(conversation));
        let res;
        try {
          res = await call(url, 'POST', `/api/conversations/${conversation.id}/turns`, { token: conversation.token, body: turn.body, agent });
        } catch (error) {
          if (!(error instanceof NetworkError)) throw error;
          return 'dead';
        }
        expect(res.status, `turn ${JSON.stringify(turn.body)} on ${conversation.id}: ${res.text}`).toBe(200);
        if (retry) totals.retriedAfterRestart++;
        conversation.pending = undefined;
        totals.turnsAcked++;
        conversation.revision = res.body.revision;
        conversation.question = questionIn(res.body.messages);
        const answered = answeredIn(res.body.messages);
        if (answered !== undefined) conversation.acked = Math.max(conversation.acked, answered);
        conversation.finished = conversation.acked >= QUESTION_COUNT;
      }
      return 'finished';
    };

    /** One client: keeps a conversation going, starting a new one whenever its conversation is finished. */
    const client = async (url: string, agent: http.Agent, slot: number): Promise<void> => {
      for (;;) {
        let conversation = slots[slot];
        if (!conversation || conversation.finished) {
          let res;
          try {
            res = await call(url, 'POST', '/api/conversations', { body: {}, agent });
          } catch (error) {
            if (!(error instanceof NetworkError)) throw error;
            return;
          }
          expect(res.status, res.text).toBe(201);
          totals.createdAcked++;
          conversation = { id: res.body.conversationId, token: res.body.resumeToken, acked: 0, revision: res.body.revision, question: undefined, finished: false, pending: undefined, turns: 0 };
          all.push(conversation);
          slots[slot] = conversation;
        }
        if ((await drive(url, agent, conversation)) === 'dead') return;
      }
    };

    for (let round = 1; round <= ROUNDS; round++) {
      const server = await start(dataDir);
      expect(await verify(server.url, false)).toBe(0);
      const agent = new http.Agent({ keepAlive: true, maxSockets: CONVERSATIONS });
      const clients = slots.map((_, slot) => client(server.url, agent, slot));
      // Let the traffic build up, then pull the plug at a moment nobody chose.
      await sleep(250 + Math.floor(Math.random() * 500));
      server.child.kill('SIGKILL');
      expect(await exited(server.child)).toBe('SIGKILL');
      await Promise.all(clients);
      agent.destroy();
      totals.inFlightAtKill += all.filter((c) => c.pending).length;

      // Straight after the crash, before anything tidies up: every stored file is whole.
      const audit = await auditStore(dataDir);
      expect(audit.corrupt).toEqual([]);
      totals.filesChecked += audit.files;
      totals.tempFilesLeft += audit.tempFiles;
      for (const conversation of all) expect(audit.records.has(conversation.id), `file of ${conversation.id}`).toBe(true);
      totals.rounds++;
    }

    // The last restart: finish the turns whose answers were lost, then everything must match exactly.
    const server = await start(dataDir);
    expect(await verify(server.url, false)).toBe(0);
    const agent = new http.Agent({ keepAlive: true });
    for (const conversation of all.filter((c) => c.pending)) {
      const turn = conversation.pending as PendingTurn;
      const res = await call(server.url, 'POST', `/api/conversations/${conversation.id}/turns`, { token: conversation.token, body: turn.body, agent });
      expect(res.status, res.text).toBe(200);
      totals.retriedAfterRestart++;
      conversation.pending = undefined;
      conversation.acked = Math.max(conversation.acked, answeredIn(res.body.messages) ?? 0);
    }
    agent.destroy();
    const lost = await verify(server.url, true);
    expect(await server.stop('SIGTERM')).toBe(0);
    const audit = await auditStore(dataDir);
    expect(audit.corrupt).toEqual([]);
    expect(audit.tempFiles).toBe(0);

    const acknowledgedAnswers = all.reduce((sum, c) => sum + c.acked, 0);
    console.log(
      `[crash-safety] kill-and-restart rounds survived: ${totals.rounds}; conversations acknowledged: ${totals.createdAcked}; ` +
        `acknowledged answers: ${acknowledgedAnswers} (turns acknowledged: ${totals.turnsAcked}); lost answers: ${lost}; ` +
        `turns in flight at a kill: ${totals.inFlightAtKill} (retried with their turn id: ${totals.retriedAfterRestart}, found already applied: ${appliedUnanswered.size}); ` +
        `stored files checked: ${totals.filesChecked}, corrupt: 0, temp files left by kills (swept on restart): ${totals.tempFilesLeft}`,
    );
    expect(totals.rounds).toBe(ROUNDS);
    expect(lost).toBe(0);
    expect(acknowledgedAnswers).toBeGreaterThan(CONVERSATIONS);
    expect(totals.inFlightAtKill).toBeGreaterThan(0);
  });
});

interface Sent {
  conversation: { id: string; token: string };
  turnId: string;
  body: Record<string, unknown>;
  outcome?: { status: number; at: number } | { error: string };
}

/** Conversations started and at their first question, for a burst of answers. */
async function startedConversations(url: string, count: number, agent: http.Agent) {
  const out: { id: string; token: string }[] = [];
  await Promise.all(
    Array.from({ length: count }, async () => {
      const created = await call(url, 'POST', '/api/conversations', { body: {}, agent });
      expect(created.status).toBe(201);
      const conversation = { id: created.body.conversationId as string, token: created.body.resumeToken as string };
      const started = await call(url, 'POST', `/api/conversations/${conversation.id}/turns`, { token: conversation.token, body: { turnId: 'start', choice: 'start' }, agent });
      expect(started.status).toBe(200);
      out.push(conversation);
    }),
  );
  return out;
}

/**
 * Sends `perConversation` answers to each conversation at once, sends SIGTERM
 * to the server as soon as the first answer comes back, and waits for every
 * outcome and the exit.
 */
async function burstThenSigterm(server: ChildServer, conversations: { id: string; token: string }[], perConversation: number, agent: http.Agent | false) {
  const sent: Sent[] = conversations.flatMap((conversation) =>
    Array.from({ length: perConversation }, (_, i) => {
      const turnId = `burst-${i}`;
      return { conversation, turnId, body: { turnId, text: ['yes', 'no', 'partly'][i % 3] as string } };
    }),
  );
  let sigtermAt = 0;
  const sigterm = () => {
    if (sigtermAt) return;
    sigtermAt = Date.now();
    server.child.kill('SIGTERM');
  };
  await Promise.all(
    sent.map(async (s) => {
      try {
        const res = await call(server.url, 'POST', `/api/conversations/${s.conversation.id}/turns`, { token: s.conversation.token, body: s.body, agent });
        s.outcome = { status: res.status, at: Date.now() };
        sigterm();
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        s.outcome = { error: error.code };
      }
    }),
  );
  const code = await exited(server.child);
  const exitMs = Date.now() - sigtermAt;
  return { sent, code, exitMs, sigtermAt };
}

/**
 * After a restart: a turn that got no answer must not have been applied (the
 * server never accepted it), so retrying it now is not a replay; a turn that
 * got its 200 is a replay.
 */
async function checkNoAcceptedTurnDropped(url: string, sent: Sent[]) {
  let refused = 0;
  let completed = 0;
  for (const s of sent) {
    const res = await call(url, 'POST', `/api/conversations/${s.conversation.id}/turns`, { token: s.conversation.token, body: s.body });
    expect(res.status, res.text).toBe(200);
    if (s.outcome && 'status' in s.outcome) {
      expect(s.outcome.status).toBe(200);
      expect(res.body.replayed, `turn ${s.turnId} of ${s.conversation.id} answered 200 but not stored`).toBe(true);
      completed++;
    } else {
      expect(res.body.replayed, `turn ${s.turnId} of ${s.conversation.id} was applied but its answer dropped (${JSON.stringify(s.outcome)})`).toBe(false);
      refused++;
    }
  }
  return { completed, refused };
}

/** Request log lines for turns that the server finished after it logged the shutdown. */
function turnsFinishedAfterShutdownBegan(output: string): number {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.includes('shutting down'));
  expect(start, output.slice(-2000)).toBeGreaterThanOrEqual(0);
  return lines.slice(start).filter((l) => l.includes('"msg":"request"') && l.includes('/turns') && l.includes('"status":200')).length;
}

describe('graceful stop: SIGTERM', () => {
  it('finishes the turns in flight, drops no accepted turn and exits 0 (one connection per request)', { timeout: 60_000 }, async () => {
    const dataDir = await tempDir('govstage-sigterm-');
    dirs.push(dataDir);
    const server = await start(dataDir);
    const setup = new http.Agent({ keepAlive: true, maxSockets: 20 });
    const conversations = await startedConversations(server.url, 20, setup);
    setup.destroy();

    const { sent, code } = await burstThenSigterm(server, conversations, 3, false);
    expect(code).toBe(0);
    const errors = sent.flatMap((s) => (s.outcome && 'error' in s.outcome ? [s.outcome.error] : []));
    for (const error of errors) expect(['ECONNREFUSED', 'ECONNRESET']).toContain(error);
    const finishedDuringStop = turnsFinishedAfterShutdownBegan(server.output());

    const again = await start(dataDir);
    const { completed, refused } = await checkNoAcceptedTurnDropped(again.url, sent);
    expect(await again.stop()).toBe(0);
    console.log(`[sigterm] turns sent: ${sent.length}; answered 200: ${completed} (of which finished after SIGTERM: ${finishedDuringStop}); refused before being accepted: ${refused}; accepted but dropped: 0`);
    expect(finishedDuringStop).toBeGreaterThan(0);
  });

  it('does not let keep-alive connections hold the stop open, and drops nothing sent over them', { timeout: 60_000 }, async () => {
    const dataDir = await tempDir('govstage-sigterm-ka-');
    dirs.push(dataDir);
    const server = await start(dataDir);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const conversations = await startedConversations(server.url, 12, agent);
    // One more keep-alive connection that just sits idle.
    const idle = new http.Agent({ keepAlive: true });
    expect((await call(server.url, 'GET', '/healthz', { agent: idle })).status).toBe(200);

    const { sent, code, exitMs } = await burstThenSigterm(server, conversations, 3, agent);
    expect(code).toBe(0);
    // Node's keep-alive timeout is 5 s: a stop that waits for it is a stop that a busy client can hold open.
    expect(exitMs, `exit took ${exitMs} ms after SIGTERM`).toBeLessThan(3_000);
    agent.destroy();
    idle.destroy();

    const again = await start(dataDir);
    const { completed, refused } = await checkNoAcceptedTurnDropped(again.url, sent);
    expect(await again.stop()).toBe(0);
    console.log(`[sigterm keep-alive] exit ${exitMs} ms after SIGTERM; answered 200: ${completed}; refused before being accepted: ${refused}; accepted but dropped: 0`);
  });
});
