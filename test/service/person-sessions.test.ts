/**
 * The person-facing conversation service against a real lowdb store in a
 * temp folder: every decision Slack and Teams share, by identity.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../../src/core/messages.js';
import { ConversationService } from '../../src/service/conversation-service.js';
import { PersonSessionService } from '../../src/service/person-sessions.js';
import type { Identity, SessionOutcome, StepRef } from '../../src/service/person-sessions-api.js';
import { PROFILES } from '../helpers/assessment.js';
import { testServices } from '../helpers/server.js';

type Services = Awaited<ReturnType<typeof testServices>>;

const alice: Identity = { channel: 'teams', tenantId: 'tenant-1', userId: 'aad-alice' };
const bob: Identity = { channel: 'teams', tenantId: 'tenant-1', userId: 'aad-bob' };
// The same ids in Slack: another person as far as Govstage knows.
const aliceInSlack: Identity = { channel: 'slack', teamId: 'tenant-1', userId: 'aad-alice' };

let services: Services;
let sessions: PersonSessionService;
let delivery = 0;
const next = () => `delivery-${++delivery}`;

beforeEach(async () => {
  services = await testServices();
  sessions = new PersonSessionService({ service: services.service });
});
afterEach(async () => {
  await services.cleanup();
});

function shown(outcome: SessionOutcome): Extract<SessionOutcome, { kind: 'shown' }> {
  if (outcome.kind !== 'shown') throw new Error(`expected shown, got ${outcome.kind}`);
  return outcome;
}

const kinds = (messages: readonly Message[]) => messages.map((m) => m.kind);
const question = (messages: readonly Message[]) => messages.find((m): m is Extract<Message, { kind: 'question' }> => m.kind === 'question');
const staleText = 'That button belongs to an earlier step; nothing was changed.';

/** Begins and answers every question by typing, to the result. */
async function finish(identity: Identity, replies: readonly string[] = PROFILES.early): Promise<Extract<SessionOutcome, { kind: 'shown' }>> {
  shown(await sessions.begin(identity, next()));
  for (const reply of replies) shown(await sessions.say(identity, next(), reply));
  const last = shown(await sessions.say(identity, next(), 'see my result'));
  expect(last.status).toBe('finished');
  return last;
}

describe('first contact and beginning', () => {
  it('introduces the assessment on first contact, whatever was said, and then continues it', async () => {
    expect(await sessions.hasAny(alice)).toBe(false);
    const intro = shown(await sessions.say(alice, next(), 'hello there'));
    expect(intro.ref.step).toBe('intro');
    expect(intro.messages).toHaveLength(1);
    const [message] = intro.messages;
    expect(message?.kind === 'text' && message.choices?.map((c) => c.id)).toEqual(['start']);
    expect(await sessions.hasAny(alice)).toBe(true);

    // Pressing Start at the introduction starts the questions in the same conversation.
    const started = shown(await sessions.press(alice, next(), intro.ref, 'start'));
    expect(started.ref.conversationId).toBe(intro.ref.conversationId);
    expect(question(started.messages)?.questionId).toBe('unit');
    expect(started.ref.step).not.toBe('intro');
  });

  it('begin with nothing yet: the introduction without its Start button, then the first question', async () => {
    const begun = shown(await sessions.begin(alice, next()));
    expect(kinds(begun.messages)).toEqual(['text', 'question']);
    const [intro] = begun.messages;
    expect(intro?.kind === 'text' && intro.choices).toBeUndefined();
    expect(question(begun.messages)?.questionId).toBe('unit');
  });

  it('begin (and continue) during an assessment shows where it stands, in the same conversation', async () => {
    const begun = shown(await sessions.begin(alice, next()));
    shown(await sessions.say(alice, next(), '1'));
    const again = shown(await sessions.begin(alice, next()));
    expect(again.ref.conversationId).toBe(begun.ref.conversationId);
    expect(question(again.messages)?.progress.index).toBe(1);
    const continued = shown(await sessions.continueCurrent(alice, next()));
    expect(continued.ref).toEqual(again.ref);
    expect(kinds(continued.messages)).toContain('question');
  });

  it('a re-delivered begin is replayed, whether it began the assessment or continued it', async () => {
    const first = next();
    const begun = shown(await sessions.begin(alice, first));
    expect(await sessions.begin(alice, first)).toEqual({ kind: 'replayed', ref: begun.ref });
    const again = next();
    const continued = shown(await sessions.begin(alice, again));
    expect(await sessions.begin(alice, again)).toEqual({ kind: 'replayed', ref: continued.ref });
    expect(await sessions.forget(alice)).toBe(1);
  });

  it('begin after a finished assessment starts a new one, which re-takes it', async () => {
    const done = await finish(alice);
    const fresh = shown(await sessions.begin(alice, next()));
    expect(fresh.ref.conversationId).not.toBe(done.ref.conversationId);
    expect(question(fresh.messages)?.questionId).toBe('unit');
  });
});

describe('buttons', () => {
  it('a press at the current step advances; the same button again is stale, with where it stands', async () => {
    const begun = shown(await sessions.begin(alice, next()));
    const unit = question(begun.messages);
    const first = unit?.choices[0];
    if (!first) throw new Error('no unit choices');
    const answered = shown(await sessions.press(alice, next(), begun.ref, first.id));
    expect(question(answered.messages)?.progress.index).toBe(1);
    expect(answered.ref.step).not.toBe(begun.ref.step);

    const stale = await sessions.press(alice, next(), begun.ref, first.id);
    expect(stale.kind).toBe('stale');
    if (stale.kind !== 'stale') return;
    expect(stale.ref).toEqual(answered.ref);
    const [notice, ...current] = stale.messages;
    expect(notice?.kind === 'text' && notice.text).toContain(staleText);
    expect(question(current)?.progress.index).toBe(1);
    // The step as it stands, for a channel that says "out of date" in its own words.
    expect(stale.current).toEqual(current);
  });

  it('a command button that keeps the step (why) leaves the step, so the buttons stay usable', async () => {
    const begun = shown(await sessions.begin(alice, next()));
    const why = shown(await sessions.press(alice, next(), begun.ref, 'cmd:why'));
    expect(why.ref).toEqual(begun.ref);
    expect(shown(await sessions.press(alice, next(), begun.ref, 'unit:national')).ref.step).not.toBe(begun.ref.step);
  });

  it('a re-delivered press is replayed, not applied twice', async () => {
    const begun = shown(await sessions.begin(alice, next()));
    const id = next();
    const once = shown(await sessions.press(alice, id, begun.ref, 'unit:national'));
    const again = await sessions.press(alice, id, begun.ref, 'unit:national');
    expect(again).toEqual({ kind: 'replayed', ref: once.ref });
  });

  it('two presses racing on one step: one is taken, the other comes back stale (never an error)', async () => {
    shown(await sessions.begin(alice, next()));
    const atQuestion = shown(await sessions.say(alice, next(), '1'));
    // "Review" is valid at any step for the core: only the revision read with the step tells the second press is late.
    const outcomes = await Promise.all([
      sessions.press(alice, next(), atQuestion.ref, 'cmd:review'),
      sessions.press(alice, next(), atQuestion.ref, 'cmd:review'),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['shown', 'stale']);
  });

  it("a button of someone else's conversation, or of a deleted one, is gone", async () => {
    const begun = shown(await sessions.begin(alice, next()));
    expect(await sessions.press(bob, next(), begun.ref, 'unit:national')).toEqual({ kind: 'gone' });
    expect(await sessions.press(alice, next(), { conversationId: 'c_doesnotexist00', step: 'unit' }, 'unit:national')).toEqual({ kind: 'gone' });
    await sessions.forget(alice);
    expect(await sessions.press(alice, next(), begun.ref, 'unit:national')).toEqual({ kind: 'gone' });
  });
});

describe('restart', () => {
  it("asks the core's confirmation, and confirming clears the answers", async () => {
    shown(await sessions.begin(alice, next()));
    shown(await sessions.say(alice, next(), '1'));
    shown(await sessions.say(alice, next(), 'yes'));
    const asked = shown(await sessions.restart(alice, next()));
    const [confirm] = asked.messages;
    expect(confirm?.kind === 'text' && confirm.choices?.map((c) => c.id)).toEqual(['confirm:yes', 'confirm:no']);
    shown(await sessions.press(alice, next(), asked.ref, 'confirm:yes'));
    const status = await sessions.status(alice);
    expect(status.kind === 'status' && status.progress.answered).toBe(0);
  });

  it('with no conversation, begins one', async () => {
    const begun = shown(await sessions.restart(alice, next()));
    expect(question(begun.messages)?.questionId).toBe('unit');
  });
});

describe('resume codes', () => {
  it('moves a conversation begun on the web to this person, who continues it', async () => {
    const web = await services.service.start({ channel: 'web' });
    const access = { kind: 'token' as const, token: web.resumeToken };
    await services.service.turn({ conversationId: web.conversationId, access, channel: 'web', turnId: 'w1', input: { kind: 'text', text: 'start' } });
    await services.service.turn({ conversationId: web.conversationId, access, channel: 'web', turnId: 'w2', input: { kind: 'text', text: '1' } });

    const resumed = await sessions.resume(alice, next(), web.resumeCode);
    if (resumed.kind !== 'shown') throw new Error(`expected shown, got ${resumed.kind}`);
    expect(resumed.ref.conversationId).toBe(web.conversationId);
    expect(question(resumed.messages)?.progress.index).toBe(1);
    // It is now Alice's active conversation: what she types continues it.
    const answered = shown(await sessions.say(alice, next(), 'yes'));
    expect(answered.ref.conversationId).toBe(web.conversationId);
    expect(question(answered.messages)?.progress.index).toBe(2);
    // And it is not Bob's.
    expect(await sessions.press(bob, next(), answered.ref, 'cmd:why')).toEqual({ kind: 'gone' });
  });

  it('a wrong code and an expired code are typed outcomes', async () => {
    expect(await sessions.resume(alice, next(), 'ZZZZZ-ZZZZZ')).toEqual({ kind: 'code-invalid' });
    expect(await sessions.resume(alice, next(), 'not a code at all')).toEqual({ kind: 'code-invalid' });

    let clock = Date.parse('2030-01-01T00:00:00Z');
    const service = new ConversationService({ definition: services.definition, store: services.store, resumeCodeTtlMs: 60_000, now: () => new Date(clock) });
    const clocked = new PersonSessionService({ service });
    const web = await service.start({ channel: 'web' });
    clock += 61_000;
    expect(await clocked.resume(alice, next(), web.resumeCode)).toEqual({ kind: 'code-expired' });
  });

  it('limits resume attempts per person', async () => {
    const limited = new PersonSessionService({ service: services.service, resumeAttemptsPerMinute: 2 });
    await limited.resume(alice, next(), 'ZZZZZ-ZZZZZ');
    await limited.resume(alice, next(), 'ZZZZZ-ZZZZZ');
    await expect(limited.resume(alice, next(), 'ZZZZZ-ZZZZZ')).rejects.toMatchObject({ kind: 'RATE_LIMITED' });
    // Someone else is not held back by it.
    expect(await limited.resume(bob, next(), 'ZZZZZ-ZZZZZ')).toEqual({ kind: 'code-invalid' });
  });
});

describe('status', () => {
  it('none, then where the person is with a fresh resume code that works elsewhere, then the result', async () => {
    expect(await sessions.status(alice)).toEqual({ kind: 'none' });
    const begun = shown(await sessions.begin(alice, next()));
    shown(await sessions.say(alice, next(), '1'));
    shown(await sessions.say(alice, next(), 'yes'));
    const status = await sessions.status(alice);
    if (status.kind !== 'status') throw new Error('expected a status');
    expect(status.status).toBe('active');
    expect(status.progress).toMatchObject({ index: 2, answered: 1 });
    expect(status.latestResult).toBeNull();
    expect(status.ref.conversationId).toBe(begun.ref.conversationId);
    // A new code each time; the code opens the conversation on the web.
    const again = await sessions.status(alice);
    expect(again.kind === 'status' && again.resume.code).not.toBe(status.resume.code);
    const web = await services.service.resume(again.kind === 'status' ? again.resume.code : '');
    expect(web.conversationId).toBe(begun.ref.conversationId);
  });

  it('shows the latest result, also while a re-assessment is in progress', async () => {
    await finish(alice);
    const finished = await sessions.status(alice);
    expect(finished.kind === 'status' && finished.status).toBe('finished');
    expect(finished.kind === 'status' && finished.latestResult?.overall.stage).toBe('early');
    shown(await sessions.begin(alice, next()));
    const retaking = await sessions.status(alice);
    expect(retaking.kind === 'status' && retaking.status).toBe('active');
    expect(retaking.kind === 'status' && retaking.latestResult?.overall.stage).toBe('early');
  });
});

describe('standing (what an overview such as Slack\'s App Home shows)', () => {
  it('none, not begun at the introduction, where the person is, then the latest result; it issues no resume code', async () => {
    expect(await sessions.standing(alice)).toEqual({ kind: 'none' });
    const intro = shown(await sessions.say(alice, next(), 'hello'));
    expect(await sessions.standing(alice)).toMatchObject({ kind: 'standing', ref: intro.ref, status: 'active', started: false, latestResult: null });
    shown(await sessions.press(alice, next(), intro.ref, 'start'));
    expect(await sessions.standing(alice)).toMatchObject({ started: true, progress: { index: 0, answered: 0 } });
    shown(await sessions.say(alice, next(), '1'));
    const status = await sessions.status(alice);
    if (status.kind !== 'status') throw new Error('expected a status');
    expect(status.started).toBe(true);
    const standing = await sessions.standing(alice);
    expect(standing).toMatchObject({ kind: 'standing', ref: status.ref, started: true, progress: { index: 1, answered: 0 } });
    expect(standing).not.toHaveProperty('resume');
    // The code status gave still works: looking at the standing changed nothing.
    expect((await services.service.resume(status.resume.code)).conversationId).toBe(intro.ref.conversationId);
  });

  it('shows the latest result, also while a re-assessment is in progress', async () => {
    const done = await finish(alice);
    expect(await sessions.standing(alice)).toMatchObject({ status: 'finished', ref: done.ref, latestResult: { overall: { stage: 'early' } } });
    shown(await sessions.begin(alice, next()));
    expect(await sessions.standing(alice)).toMatchObject({ status: 'active', latestResult: { overall: { stage: 'early' } } });
  });
});

describe('report', () => {
  it('none, not finished (with progress), then the result as the current step, with a link on request', async () => {
    expect(await sessions.report(alice)).toEqual({ kind: 'none' });
    shown(await sessions.begin(alice, next()));
    for (const reply of PROFILES.advanced.slice(0, 2)) shown(await sessions.say(alice, next(), reply));
    expect(await sessions.report(alice)).toMatchObject({ kind: 'not-finished', started: true, progress: { answered: 1 } });

    // finish() begins (which continues here) and answers the rest.
    const done = await finish(alice, PROFILES.advanced.slice(2));
    const report = await sessions.report(alice, { link: true });
    if (report.kind !== 'report') throw new Error(`expected a report, got ${report.kind}`);
    expect(report.ref).toEqual(done.ref);
    expect(report.result.overall.stage).toBe('advanced');
    // The result is the current step: its buttons (review, new assessment) work.
    const [result] = report.messages;
    expect(result?.kind === 'result' && result.choices.map((c) => c.id)).toEqual(['cmd:review', 'cmd:newAssessment']);
    expect(report.link?.path).toMatch(/^\/reports\/c_[\w-]+\/[\w-]+$/);
    // Without asking, no link is made.
    const plain = await sessions.report(alice);
    expect(plain.kind === 'report' && plain.link).toBeUndefined();
  });

  it('after "start a new assessment", the earlier result is shown for reading only', async () => {
    const done = await finish(alice);
    const [result] = done.messages.filter((m) => m.kind === 'result');
    expect(result).toBeDefined();
    const fresh = shown(await sessions.press(alice, next(), done.ref, 'cmd:newAssessment'));
    expect(fresh.ref.conversationId).not.toBe(done.ref.conversationId);
    expect(fresh.ref.step).toBe('intro');
    const report = await sessions.report(alice);
    if (report.kind !== 'report') throw new Error(`expected a report, got ${report.kind}`);
    expect(report.ref.conversationId).toBe(done.ref.conversationId);
    expect(report.messages).toEqual([{ kind: 'result', text: report.result.texts.heading, result: report.result, choices: [] }]);
  });

  it('a report link for a conversation that is not yours is gone', async () => {
    const done = await finish(alice);
    expect(await sessions.reportLink(bob, done.ref.conversationId)).toEqual({ kind: 'gone' });
    expect(await sessions.reportLink(alice, done.ref.conversationId)).toMatchObject({ path: expect.stringMatching(/^\/reports\//) });
  });
});

describe('forget-me', () => {
  it("deletes every conversation of the person and no one else's", async () => {
    await finish(alice);
    shown(await sessions.begin(alice, next()));
    shown(await sessions.begin(bob, next()));
    expect(await sessions.forget(alice)).toBe(2);
    expect(await sessions.hasAny(alice)).toBe(false);
    expect(await sessions.status(alice)).toEqual({ kind: 'none' });
    expect(await sessions.hasAny(bob)).toBe(true);
    expect(await sessions.forget(alice)).toBe(0);
  });
});

describe('identities of two channels', () => {
  it('never see each other\'s conversations, even with the same ids', async () => {
    const inTeams = shown(await sessions.begin(alice, next()));
    expect(await sessions.hasAny(aliceInSlack)).toBe(false);
    expect(await sessions.status(aliceInSlack)).toEqual({ kind: 'none' });
    const inSlack = shown(await sessions.begin(aliceInSlack, next()));
    expect(inSlack.ref.conversationId).not.toBe(inTeams.ref.conversationId);
    const crossed: StepRef = inTeams.ref;
    expect(await sessions.press(aliceInSlack, next(), crossed, 'unit:national')).toEqual({ kind: 'gone' });
    expect(await sessions.forget(aliceInSlack)).toBe(1);
    expect(await sessions.hasAny(alice)).toBe(true);
    // The transcript says which channel each line came from.
    const view = await services.service.view(inTeams.ref.conversationId, { kind: 'owner', owner: { kind: 'teams', tenantId: 'tenant-1', userId: 'aad-alice' } });
    expect(new Set(view.transcript.map((line) => line.channel))).toEqual(new Set(['teams']));
  });
});
