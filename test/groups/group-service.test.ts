/**
 * Group rounds through the real services over a real lowdb folder: the
 * round's lifecycle, joining, the privacy rule (including differencing
 * between two reports taken before and after one more respondent),
 * consensus, follow-up rounds and the shareable report link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupReport } from '../../src/reports/group-report.js';
import { GovError } from '../../src/errors.js';
import { testServices } from '../helpers/server.js';
import { createRound, joinAndAnswer, MEMBER_PROFILES } from '../helpers/groups.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
beforeAll(async () => {
  services = await testServices({ MIN_GROUP_SIZE: '3' });
});
afterAll(async () => services.cleanup());

const CENTRAL = 'central-government-units';
const CIVIL = 'civil-society';
const ACADEMIA = 'academia';

async function expectKind(promise: Promise<unknown>, kind: string): Promise<GovError> {
  const error = await promise.then(() => new Error('expected a GovError'), (e: unknown) => e);
  expect(error).toBeInstanceOf(GovError);
  expect((error as GovError).kind, (error as GovError).message).toBe(kind);
  return error as GovError;
}

/** What a report shows of the answers, without when it was made: for comparing two reports. */
function shownAnswers(report: GroupReport) {
  return {
    groups: report.groups.map((g) => ({ groupId: g.groupId, respondents: g.respondents, stages: g.stages })),
    characteristics: report.characteristics.map((c) => ({ id: c.characteristicId, spread: c.spread, disagreement: c.disagreement, notes: c.notes })),
    result: report.result,
    sharedAnswers: report.sharedAnswers,
  };
}

/** Sum of the "everyone" spread of one characteristic: how many answers the picture counts. */
const counted = (report: GroupReport, characteristicId = 'early-top-down') => {
  const spread = report.characteristics.find((c) => c.characteristicId === characteristicId)?.spread.find((s) => s.groupId === 'all');
  return spread ? spread.met + spread.partial + spread.unmet + spread.unknown : -1;
};

describe('a round from creation to report', () => {
  it('creates a round with the OECD actors as default perspectives, and gives the coordinator a link and an invitation', async () => {
    const created = await services.groups.create({ name: 'Defaults', assessing: { name: '', unit: null }, closesAt: null, perspectives: undefined, respondentsSeePicture: false });
    expect(created.coordinatorToken.length).toBeGreaterThanOrEqual(43);
    expect(created.coordinatorLink.path).toBe(`/group.html#round=${created.roundId}&key=${created.coordinatorToken}`);
    expect(created.invitation.code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(created.invitation.path).toBe(`/?join=${created.invitation.code}`);
    const view = await services.groups.view(created.roundId, created.coordinatorToken);
    expect(view.perspectives.map((p) => p.label)).toEqual(['Central government units', 'Subnational government', 'Civil society', 'Private sector', 'Academia']);
    // The code is shown again from the sealed copy; the store holds neither the code nor the token.
    expect(view.invitation.code).toBe(created.invitation.code);
    const stored = JSON.stringify(await services.store.getGroupRound(created.roundId));
    expect(stored).not.toContain(created.invitation.code);
    expect(stored).not.toContain(created.coordinatorToken);
  });

  it('refuses settings that make no sense: an unknown kind of organisation, a closing date in the past, the same perspective twice', async () => {
    await expectKind(createRound(services.groups, { assessing: { name: 'X', unit: 'planet' } }), 'BAD_INPUT');
    await expectKind(createRound(services.groups, { closesAt: '2001-01-01T00:00:00.000Z' }), 'BAD_INPUT');
    await expectKind(createRound(services.groups, { perspectives: [{ label: 'Academia' }, { label: 'academia' }] }), 'BAD_INPUT');
  });

  it('joins a respondent with a welcome, the unit already answered, and their own conversation to the result', async () => {
    const round = await createRound(services.groups);
    const info = await services.groups.lookupInvitation(round.invitation.code.toLowerCase().replace('-', ' '));
    expect(info).toMatchObject({ name: 'Digital engagement review 2025', assessing: { name: 'Ministry of Health', unit: 'ministry', unitLabel: 'A ministry or agency' }, minGroupSize: 3 });
    const member = await joinAndAnswer(services.service, services.groups, round.invitation.code, { perspective: CIVIL, name: 'Ana', unit: 'Open Data NGO' }, MEMBER_PROFILES.intermediate, { finish: false });
    const welcome = member.started.messages[0];
    expect(welcome).toMatchObject({ kind: 'text' });
    expect(welcome && 'text' in welcome ? welcome.text : '').toContain('Digital engagement review 2025');
    expect(welcome && 'text' in welcome ? welcome.text : '').toContain('Civil society');
    const record = await services.store.get(member.conversationId);
    expect(record?.group).toMatchObject({ roundId: round.roundId, perspective: CIVIL, name: 'Ana', unit: 'Open Data NGO', shareNotes: false, shareAnswers: false });
    expect(record?.state.machine.context.unit).toBe('ministry');
    // "start" went straight to the first question: 14 replies answered 14 questions, and the review follows.
    expect(Object.keys(record?.state.machine.context.answers ?? {})).toHaveLength(14);
    const done = await member.say('see my result');
    expect(done.status).toBe('finished');
    // Their own result and report, as for anyone.
    const report = await services.service.report(member.conversationId, member.access);
    expect(report.overall.stage).toBe('intermediate');
    expect(report.assessment.unit?.id).toBe('ministry');
  });

  it('asks what is assessed, as anyone is asked, when the round does not say what kind of organisation it assesses', async () => {
    const round = await createRound(services.groups, { assessing: { name: 'Our public services', unit: null } });
    const member = await joinAndAnswer(services.service, services.groups, round.invitation.code, { perspective: CIVIL }, [], { finish: false });
    const welcome = member.started.messages[0];
    expect(welcome && 'text' in welcome ? welcome.text : '').toContain('The round assesses Our public services.');
    expect(welcome && 'text' in welcome ? welcome.text : '').not.toContain('no need to say');
    expect((await services.store.get(member.conversationId))?.state.machine.value).toBe('unit');
  });

  it('refuses to join with a wrong code (404), as a perspective the round does not have (400), or once closed (410)', async () => {
    const round = await createRound(services.groups);
    await expectKind(services.groups.join({ code: 'ZZZZZ-ZZZZZ', channel: 'web', choices: { perspective: CENTRAL, shareNotes: false, shareAnswers: false } }), 'NOT_FOUND');
    await expectKind(services.groups.join({ code: 'not a code', channel: 'web', choices: { perspective: CENTRAL, shareNotes: false, shareAnswers: false } }), 'NOT_FOUND');
    await expectKind(services.groups.join({ code: round.invitation.code, channel: 'web', choices: { perspective: 'aliens', shareNotes: false, shareAnswers: false } }), 'BAD_INPUT');
    await services.groups.close(round.roundId, round.coordinatorToken);
    await expectKind(services.groups.lookupInvitation(round.invitation.code), 'EXPIRED');
    await expectKind(services.groups.join({ code: round.invitation.code, channel: 'web', choices: { perspective: CENTRAL, shareNotes: false, shareAnswers: false } }), 'EXPIRED');
    await services.groups.reopen(round.roundId, round.coordinatorToken);
    await services.groups.join({ code: round.invitation.code, channel: 'web', choices: { perspective: CENTRAL, shareNotes: false, shareAnswers: false } });
  });
});

describe("the coordinator's capability", () => {
  it('is refused when wrong, unknown or revoked (the same answer for each); a rotated link replaces the old and keeps the invitation', async () => {
    const round = await createRound(services.groups);
    await expectKind(services.groups.view(round.roundId, 'x'.repeat(43)), 'UNAUTHORIZED');
    await expectKind(services.groups.view('g_doesnotexist00000000', round.coordinatorToken), 'UNAUTHORIZED');
    const rotated = await services.groups.rotateCoordinatorLink(round.roundId, round.coordinatorToken);
    await expectKind(services.groups.view(round.roundId, round.coordinatorToken), 'UNAUTHORIZED');
    expect((await services.groups.view(round.roundId, rotated.coordinatorToken)).invitation.code).toBe(round.invitation.code);
    await services.groups.revokeCoordinatorLink(round.roundId, rotated.coordinatorToken);
    await expectKind(services.groups.view(round.roundId, rotated.coordinatorToken), 'UNAUTHORIZED');
    await expectKind(services.groups.report(round.roundId, rotated.coordinatorToken), 'UNAUTHORIZED');
    // Ending coordinator access also ends joining.
    await expectKind(services.groups.lookupInvitation(round.invitation.code), 'EXPIRED');
  });

  it('replaces the invitation code: the old one stops working, those who joined carry on', async () => {
    const round = await createRound(services.groups);
    const member = await joinAndAnswer(services.service, services.groups, round.invitation.code, { perspective: CENTRAL }, [], { finish: false });
    const view = await services.groups.replaceInvitation(round.roundId, round.coordinatorToken);
    expect(view.invitation.code).not.toBe(round.invitation.code);
    await expectKind(services.groups.lookupInvitation(round.invitation.code), 'NOT_FOUND');
    expect((await services.groups.lookupInvitation(view.invitation.code)).name).toBe('Digital engagement review 2025');
    await member.say('yes');
  });

  it('changes settings, keeping perspectives respondents joined as', async () => {
    const round = await createRound(services.groups);
    await joinAndAnswer(services.service, services.groups, round.invitation.code, { perspective: ACADEMIA }, [], { finish: false });
    const renamed = await services.groups.changeSettings(round.roundId, round.coordinatorToken, {
      name: 'Renamed',
      perspectives: [{ id: CENTRAL, label: 'Central government' }, { id: ACADEMIA, label: 'Universities' }, { label: 'Private sector' }],
    });
    expect(renamed.name).toBe('Renamed');
    expect(renamed.perspectives).toEqual([{ id: CENTRAL, label: 'Central government' }, { id: ACADEMIA, label: 'Universities' }, { id: 'private-sector', label: 'Private sector' }]);
    await expectKind(services.groups.changeSettings(round.roundId, round.coordinatorToken, { perspectives: [{ id: CENTRAL, label: 'Central' }] }), 'CONFLICT');
  });
});

describe('privacy: nobody is singled out', () => {
  it('keeps finished respondents out of the picture until a block of MIN_GROUP_SIZE forms, and never changes by one respondent (differencing)', async () => {
    const round = await createRound(services.groups);
    const code = round.invitation.code;
    const report = () => services.groups.report(round.roundId, round.coordinatorToken);
    await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL }, MEMBER_PROFILES.early);
    await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL }, MEMBER_PROFILES.early);
    const two = await report();
    expect(two.progress).toMatchObject({ joined: 2, finished: 2, inPicture: 0, waiting: 2 });
    expect(counted(two)).toBe(0);
    await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL }, MEMBER_PROFILES.advanced);
    const three = await report();
    expect(three.progress).toMatchObject({ finished: 3, inPicture: 3, waiting: 0 });
    expect(three.groups.map((g) => g.groupId)).toEqual(['all', CENTRAL]);

    // One more respondent, with answers unlike anyone's: the picture does not move at all.
    const partly = Array.from({ length: 14 }, () => 'partly');
    await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL }, partly);
    const four = await report();
    expect(four.progress).toMatchObject({ finished: 4, inPicture: 3, waiting: 1 });
    expect(shownAnswers(four)).toEqual(shownAnswers(three));
    // When the picture moves, it moves by a whole block, never by one.
    await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL }, MEMBER_PROFILES.early);
    expect(shownAnswers(await report())).toEqual(shownAnswers(three));
    await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL }, MEMBER_PROFILES.early);
    const six = await report();
    expect(counted(six) - counted(three)).toBe(3);
    for (const c of six.characteristics) {
      const before = three.characteristics.find((x) => x.characteristicId === c.characteristicId)?.spread[0];
      const after = c.spread[0];
      const moved = before && after ? Math.abs(after.met - before.met) + Math.abs(after.partial - before.partial) + Math.abs(after.unmet - before.unmet) + Math.abs(after.unknown - before.unknown) : 0;
      // Three people moved in: whatever changed, no cell tells one person's answer apart.
      expect(moved).toBeLessThanOrEqual(3);
    }
  });

  it('merges perspectives too small to show apart, so no breakdown and no difference from the total gives one away', async () => {
    const round = await createRound(services.groups);
    const code = round.invitation.code;
    for (let i = 0; i < 3; i++) await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL }, MEMBER_PROFILES.advanced);
    await joinAndAnswer(services.service, services.groups, code, { perspective: ACADEMIA }, MEMBER_PROFILES.early);
    const one = await services.groups.report(round.roundId, round.coordinatorToken);
    // The one academic is not in any breakdown, nor in the total (which would give them away as total minus central).
    expect(one.groups.map((g) => [g.groupId, g.respondents])).toEqual([['all', 3], [CENTRAL, 3]]);
    for (let i = 0; i < 2; i++) await joinAndAnswer(services.service, services.groups, code, { perspective: CIVIL }, MEMBER_PROFILES.intermediate);
    const merged = await services.groups.report(round.roundId, round.coordinatorToken);
    expect(merged.groups.map((g) => [g.groupId, g.respondents])).toEqual([['all', 6], [CENTRAL, 3], ['merged', 3]]);
    expect(merged.groups[2]?.label).toBe('Other perspectives, merged: Civil society and Academia');
    expect(merged.groups.some((g) => g.groupId === ACADEMIA || g.groupId === CIVIL)).toBe(false);
    // Progress per perspective is about taking part, not answers: it is shown for every perspective.
    expect(merged.progress.perspectives.find((p) => p.perspectiveId === ACADEMIA)).toMatchObject({ joined: 1, finished: 1 });
  });

  it('shows answers one by one only for respondents who chose so, and their perspective even when it is small', async () => {
    const round = await createRound(services.groups);
    const code = round.invitation.code;
    await joinAndAnswer(services.service, services.groups, code, { perspective: ACADEMIA, name: 'Prof. Ruiz', shareAnswers: true, shareNotes: true }, ['no, we built a portal for comments', ...MEMBER_PROFILES.advanced.slice(1)]);
    await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL, name: 'Quiet person' }, MEMBER_PROFILES.early);
    const report = await services.groups.report(round.roundId, round.coordinatorToken);
    expect(report.groups.map((g) => [g.groupId, g.respondents])).toEqual([['all', 1], [ACADEMIA, 1]]);
    expect(report.sharedAnswers).toHaveLength(1);
    expect(report.sharedAnswers[0]).toMatchObject({ respondent: 'Prof. Ruiz', perspective: 'Academia' });
    expect(report.sharedAnswers[0]?.answers['early-ict-own-logic']).toBe('met');
    const notes = report.characteristics.flatMap((c) => c.notes);
    expect(notes).toEqual([{ questionId: 'ict-purpose', text: 'we built a portal for comments', by: 'Prof. Ruiz', group: 'Academia' }]);
    // Named respondents are listed with what they chose; nothing of the quiet person's answers is shown.
    expect(report.progress.named.map((n) => [n.name, n.status, n.sharesAnswers])).toEqual([['Prof. Ruiz', 'finished', true], ['Quiet person', 'finished', false]]);
    expect(report.sharedAnswers.map((a) => a.respondent)).toEqual(['Prof. Ruiz']);
  });

  it('keeps what entered the picture as it was: a respondent changing answers later changes nothing shown', async () => {
    const round = await createRound(services.groups);
    const code = round.invitation.code;
    const members = [];
    for (let i = 0; i < 3; i++) members.push(await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL }, MEMBER_PROFILES.early));
    const before = await services.groups.report(round.roundId, round.coordinatorToken);
    const first = members[0];
    if (!first) throw new Error('no member');
    await first.say('change 2');
    await first.say('yes');
    expect((await services.store.get(first.conversationId))?.state.machine.context.answers['ict-engagement']?.option).toBe('yes');
    expect(shownAnswers(await services.groups.report(round.roundId, round.coordinatorToken))).toEqual(shownAnswers(before));
  });

  it('shows notes only of respondents who shared them, once their answers are in the picture', async () => {
    const round = await createRound(services.groups);
    const code = round.invitation.code;
    const noted = ['no, note kept private', ...MEMBER_PROFILES.early.slice(1)];
    await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL, shareNotes: false }, noted);
    await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL, shareNotes: true }, ['no, shared after the block forms', ...MEMBER_PROFILES.early.slice(1)]);
    expect((await services.groups.report(round.roundId, round.coordinatorToken)).characteristics.flatMap((c) => c.notes)).toEqual([]);
    await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL }, MEMBER_PROFILES.early);
    const notes = (await services.groups.report(round.roundId, round.coordinatorToken)).characteristics.flatMap((c) => c.notes);
    expect(notes).toEqual([{ questionId: 'ict-purpose', text: 'shared after the block forms', by: null, group: 'Central government units' }]);
  });
});

describe('consensus and the agreed result', () => {
  it('records an agreed answer with its rationale and the spread seen then; the agreed result follows it; it can be removed', async () => {
    const round = await createRound(services.groups);
    const code = round.invitation.code;
    // Two say intermediate, three early: views differ on several characteristics, and the median is early.
    for (const profile of [MEMBER_PROFILES.intermediate, MEMBER_PROFILES.intermediate, MEMBER_PROFILES.early, MEMBER_PROFILES.early, MEMBER_PROFILES.early]) {
      await joinAndAnswer(services.service, services.groups, code, { perspective: CENTRAL }, profile);
    }
    const before = await services.groups.report(round.roundId, round.coordinatorToken);
    expect(before.result.fromAnswers.overall.stage).toBe('early');
    // Where views differ most comes first.
    const d = before.characteristics.map((c) => c.disagreement);
    expect(d).toEqual([...d].sort((a, b) => b - a));
    expect(d[0]).toBeGreaterThan(0);
    // The group agrees engagement's early limitations are left behind and the intermediate ones are in place.
    let report = before;
    for (const id of ['early-ict-own-logic', 'early-top-down', 'intermediate-ict-engagement-channel', 'intermediate-citizen-preferences', 'early-legal-framework', 'early-ogd-dataset-count', 'intermediate-open-data-reusable']) {
      report = await services.groups.recordConsensus(round.roundId, round.coordinatorToken, { characteristicId: id, standing: 'met', rationale: `Agreed in the workshop: ${id}` });
    }
    expect(report.result.consensusCount).toBe(7);
    expect(report.result.agreed.overall.stage).toBe('intermediate');
    expect(report.result.fromAnswers.overall.stage).toBe('early');
    const topDown = report.characteristics.find((c) => c.characteristicId === 'early-top-down');
    expect(topDown?.consensus).toMatchObject({ standing: 'met', rationale: 'Agreed in the workshop: early-top-down', basis: topDown?.spread[0] ? { met: topDown.spread[0].met, partial: topDown.spread[0].partial, unmet: topDown.spread[0].unmet, unknown: topDown.spread[0].unknown } : {} });
    // The initial spread is never hidden: it is there beside the agreed answer.
    expect(topDown?.spread[0]).toMatchObject({ met: 2, unmet: 3 });
    expect(topDown?.agreed).toBe('met');
    report = await services.groups.clearConsensus(round.roundId, round.coordinatorToken, 'early-top-down');
    expect(report.result.consensusCount).toBe(6);
    expect(report.characteristics.find((c) => c.characteristicId === 'early-top-down')?.consensus).toBeNull();
    await expectKind(services.groups.recordConsensus(round.roundId, round.coordinatorToken, { characteristicId: 'early-top-down', standing: 'met', rationale: '   ' }), 'BAD_INPUT');
    await expectKind(services.groups.recordConsensus(round.roundId, round.coordinatorToken, { characteristicId: 'no-such-thing', standing: 'met', rationale: 'x' }), 'BAD_INPUT');
  });

  it('a follow-up round compares its agreed result with the previous round', async () => {
    const first = await createRound(services.groups);
    for (let i = 0; i < 3; i++) await joinAndAnswer(services.service, services.groups, first.invitation.code, { perspective: CENTRAL }, MEMBER_PROFILES.early);
    const next = await services.groups.followUp(first.roundId, first.coordinatorToken);
    const view = await services.groups.view(next.roundId, next.coordinatorToken);
    expect(view).toMatchObject({ name: 'Digital engagement review 2025', previousRoundId: first.roundId });
    for (let i = 0; i < 3; i++) await joinAndAnswer(services.service, services.groups, next.invitation.code, { perspective: CENTRAL }, MEMBER_PROFILES.intermediate);
    const report = await services.groups.report(next.roundId, next.coordinatorToken);
    expect(report.previous).toMatchObject({ roundId: first.roundId, overall: { from: 'early', to: 'intermediate', direction: 'up' } });
    expect(report.previous?.characteristics.find((c) => c.characteristicId === 'intermediate-ict-engagement-channel')).toEqual({ characteristicId: 'intermediate-ict-engagement-channel', from: 'unmet', to: 'met' });
  });
});

describe('handing out the report', () => {
  it('issues a read-only link, replaced by a new one, revocable, and the same report as the coordinator sees', async () => {
    const round = await createRound(services.groups);
    for (let i = 0; i < 3; i++) await joinAndAnswer(services.service, services.groups, round.invitation.code, { perspective: CENTRAL }, MEMBER_PROFILES.early);
    const link = await services.groups.issueReportLink(round.roundId, round.coordinatorToken);
    const [, , id, token] = link.path.split('/');
    const shared = await services.groups.reportByLink(id ?? '', token ?? '');
    expect(shownAnswers(shared)).toEqual(shownAnswers(await services.groups.report(round.roundId, round.coordinatorToken)));
    const second = await services.groups.issueReportLink(round.roundId, round.coordinatorToken);
    await expectKind(services.groups.reportByLink(id ?? '', token ?? ''), 'NOT_FOUND');
    await services.groups.revokeReportLink(round.roundId, round.coordinatorToken);
    await expectKind(services.groups.reportByLink(id ?? '', second.path.split('/')[3] ?? ''), 'NOT_FOUND');
  });

  it('shows respondents the picture only when the coordinator allows it, and only once they finished', async () => {
    const round = await createRound(services.groups);
    const member = await joinAndAnswer(services.service, services.groups, round.invitation.code, { perspective: CENTRAL }, MEMBER_PROFILES.early, { finish: false });
    await expectKind(services.groups.reportForMember(member.conversationId, member.access), 'FORBIDDEN');
    await services.groups.changeSettings(round.roundId, round.coordinatorToken, { respondentsSeePicture: true });
    await expectKind(services.groups.reportForMember(member.conversationId, member.access), 'FORBIDDEN');
    await member.say('see my result');
    expect((await services.groups.reportForMember(member.conversationId, member.access)).round.name).toBe('Digital engagement review 2025');
    await expectKind(services.groups.reportForMember(member.conversationId, { kind: 'token', token: 'y'.repeat(43) }), 'UNAUTHORIZED');
  });
});
