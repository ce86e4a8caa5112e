/**
 * Group rounds in Slack, end to end: `/assess group new` in a channel, the
 * channel's "Take part" button, each member answering privately in DM,
 * with real signed requests to the real server and a fake Slack Web API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, SlackUser, buttonsOf, lastPost, startSlackServer, textOf, type SlackTestServer } from './helpers.js';
import type { RecordedCall } from './fake-slack.js';
import { PROFILES } from '../helpers/assessment.js';

const CHANNEL = 'C0GROUP';

let server: SlackTestServer;
beforeAll(async () => {
  server = await startSlackServer();
});
afterAll(async () => {
  await server?.close();
});

async function act(send: () => Promise<Response>): Promise<number> {
  const before = server.fake.lastSeq;
  const response = await send();
  expect(response.status).toBe(200);
  await server.idle();
  return before;
}

const owner = (user: SlackUser) => ({ kind: 'slack' as const, teamId: user.teamId, userId: user.userId });
const responses = (after: number) => server.fake.callsOf('response_url', after).map((c) => String(c.body.text));

/** The coordinator types `/assess group new <name>` in the channel; the channel's invitation. */
async function newRound(coordinator: SlackUser, name: string): Promise<RecordedCall> {
  const after = await act(() => coordinator.command(`group new ${name}`, { channel: CHANNEL }));
  return lastPost(server.fake, after, CHANNEL);
}

/** A member presses "Take part", chooses a perspective in DM and answers every question there to the result. */
async function takePart(member: SlackUser, invitation: RecordedCall, perspective: string, replies: readonly string[]): Promise<number> {
  let after = await act(() => member.click(invitation, 'govslack:group-take-part'));
  const question = lastPost(server.fake, after, member.dmChannel);
  after = await act(() => member.click(question, `govslack:group-perspective:${perspective}`));
  for (const reply of replies) after = await act(() => member.dm(reply));
  const review = lastPost(server.fake, after, member.dmChannel);
  expect(textOf(review)).toContain('Here are your answers');
  return act(() => member.click(review, 'gov:cmd:seeResult'));
}

describe('a group round from a Slack channel', () => {
  it('is created by /assess group new in a channel: the coordinator gets their link in DM, the channel a "Take part" button', async () => {
    const coordinator = new SlackUser(server, 'T1', 'UCOORD1');
    const after = server.fake.lastSeq;
    const invitation = await newRound(coordinator, 'Digital strategy 2026');
    expect(textOf(invitation)).toContain('*Digital strategy 2026*');
    expect(textOf(invitation)).toContain('<@UCOORD1> invites this channel');
    expect(buttonsOf(invitation).map((b) => b.text)).toEqual(['Take part']);

    const dm = lastPost(server.fake, after, coordinator.dmChannel);
    const text = textOf(dm);
    expect(text).toContain('The group round *Digital strategy 2026* is open.');
    const link = /<(https:[^|>]+)\|open the coordinator page>/.exec(text)?.[1] ?? '';
    expect(link.startsWith(`${PUBLIC_URL}/group.html#round=`)).toBe(true);
    // The coordinator link works: the round assesses a national government as a whole, with the OECD's actors as perspectives.
    const params = new URLSearchParams(link.split('#')[1]);
    const view = await server.services.groups.view(params.get('round') ?? '', params.get('key') ?? '');
    expect(view.name).toBe('Digital strategy 2026');
    expect(view.assessing.unit).toBe('national');
    expect(view.perspectives.map((p) => p.id)).toEqual(['central', 'subnational', 'civil-society', 'private-sector', 'academia']);
    // The coordinator's link is never posted in the channel.
    expect(JSON.stringify(invitation.body)).not.toContain(params.get('key'));
  });

  it('is refused politely in a DM and without a name', async () => {
    const user = new SlackUser(server, 'T1', 'UCOORD2');
    const inDm = await act(() => user.command('group new Strategy'));
    expect(responses(inDm).join('\n')).toContain('Start a group round in the channel');
    const noName = await act(() => user.command('group new', { channel: CHANNEL }));
    expect(responses(noName).join('\n')).toContain('Give the round a name');
    expect(server.fake.callsOf('chat.postMessage', inDm).filter((c) => c.body.channel === CHANNEL)).toEqual([]);
  });

  it('members take part from the button and each answers privately in DM; their conversations join the round', async () => {
    const coordinator = new SlackUser(server, 'T1', 'UCOORD3');
    const invitation = await newRound(coordinator, 'Round with members');
    const alice = new SlackUser(server, 'T1', 'UALICE');
    const bob = new SlackUser(server, 'T1', 'UBOB');

    // Pressing "Take part" in the channel: the perspective question arrives in the member's DM, a note in the channel for them alone.
    const after = await act(() => alice.click(invitation, 'govslack:group-take-part'));
    const question = lastPost(server.fake, after, alice.dmChannel);
    expect(textOf(question)).toContain('from which perspective do you answer?');
    expect(buttonsOf(question).map((b) => b.text)).toContain('Civil society');
    const ephemeral = server.fake.callsOf('chat.postEphemeral', after);
    expect(ephemeral.map((c) => [c.body.channel, c.body.user])).toEqual([[CHANNEL, 'UALICE']]);
    expect(server.fake.callsOf('chat.postMessage', after).filter((c) => c.body.channel === CHANNEL)).toEqual([]);

    // Choosing a perspective: the round's welcome and the first question (what is assessed is the round's, not asked again).
    const joined = await act(() => alice.click(question, 'govslack:group-perspective:central'));
    const welcome = server.fake.callsOf('chat.postMessage', joined).filter((c) => c.body.channel === alice.dmChannel).map(textOf).join('\n');
    expect(welcome).toContain('Round with members');
    expect(server.fake.callsOf('chat.update', joined).map(textOf).join('\n')).toContain('You answer as: *Central government units*');

    const aliceDone = await (async () => {
      let a = joined;
      for (const reply of PROFILES.advanced.slice(1)) a = await act(() => alice.dm(reply));
      return act(() => alice.click(lastPost(server.fake, a, alice.dmChannel), 'gov:cmd:seeResult'));
    })();
    expect(textOf(lastPost(server.fake, aliceDone, alice.dmChannel))).toContain('Overall stage');
    await takePart(bob, invitation, 'civil-society', PROFILES.early.slice(1));

    // Both conversations are in the round, finished, from their perspectives; no answer was posted in the channel.
    for (const [user, perspective] of [[alice, 'central'], [bob, 'civil-society']] as const) {
      const id = (await server.services.service.latestFor(owner(user))) as string;
      const membership = await server.services.service.membership(id, { kind: 'owner', owner: owner(user) });
      expect(membership.status).toBe('finished');
      expect(membership.group?.perspective).toBe(perspective);
    }
    expect(server.fake.callsOf('chat.postMessage').filter((c) => c.body.channel === CHANNEL)).toHaveLength(2 + 0);
  });
});

/** The coordinator's link from their DM: the round id and key, for reading the round as the web does. */
function coordinatorKey(dm: RecordedCall): { roundId: string; key: string } {
  const link = /<(https:[^|>]+)\|open the coordinator page>/.exec(textOf(dm))?.[1] ?? '';
  const params = new URLSearchParams(link.split('#')[1]);
  return { roundId: params.get('round') ?? '', key: params.get('key') ?? '' };
}

describe('the coordinator in Slack', () => {
  it('is told in DM as members finish (counts only), reminds the unfinished once an hour, and posts the result under the report\'s suppression', async () => {
    const coordinator = new SlackUser(server, 'T1', 'UCOORD4');
    const start = server.fake.lastSeq;
    const invitation = await newRound(coordinator, 'Coordinated round');
    const created = lastPost(server.fake, start, coordinator.dmChannel);
    const dana = new SlackUser(server, 'T1', 'UDANA');
    const eli = new SlackUser(server, 'T1', 'UELI');
    const finn = new SlackUser(server, 'T1', 'UFINN');

    const danaDone = await takePart(dana, invitation, 'central', PROFILES.advanced.slice(1));
    const first = lastPost(server.fake, danaDone, coordinator.dmChannel);
    expect(textOf(first)).toContain('Someone finished in *Coordinated round*: 1 of the 1 who took part has finished.');
    await takePart(eli, invitation, 'civil-society', PROFILES.early.slice(1));
    const notes = server.fake.callsOf('chat.postMessage', start).filter((c) => c.body.channel === coordinator.dmChannel).map(textOf);
    expect(notes.filter((t) => t.includes('Someone finished'))).toHaveLength(2);
    // Counts only: no perspective, no answer, no stage reaches the coordinator.
    for (const text of notes.slice(1)) expect(text).not.toMatch(/Central government|Civil society|Early|Advanced|Intermediate/);
    // Typing after the result does not tell the coordinator again.
    const again = await act(() => dana.dm('hello'));
    expect(server.fake.callsOf('chat.postMessage', again).filter((c) => c.body.channel === coordinator.dmChannel)).toEqual([]);

    // Finn starts and stops after one answer; the reminder reaches him alone.
    let after = await act(() => finn.click(invitation, 'govslack:group-take-part'));
    after = await act(() => finn.click(lastPost(server.fake, after, finn.dmChannel), 'govslack:group-perspective:academia'));
    await act(() => finn.dm('yes'));
    after = await act(() => coordinator.click(created, 'govslack:group-remind'));
    const reminders = server.fake.callsOf('chat.postMessage', after).filter((c) => textOf(c).includes('A reminder from the coordinator'));
    expect(reminders.map((c) => c.body.channel)).toEqual([finn.dmChannel]);
    expect(buttonsOf(reminders[0] as RecordedCall).map((b) => b.action_id)).toEqual(['govslack:continue']);
    expect(textOf(lastPost(server.fake, after, coordinator.dmChannel))).toContain('Reminder sent to the one person who started but has not finished.');
    // A second reminder within the hour (from another message's button) is refused politely, and nobody is written to.
    after = await act(() => coordinator.click(first, 'govslack:group-remind'));
    expect(server.fake.callsOf('chat.postMessage', after).map((c) => c.body.channel)).toEqual([coordinator.dmChannel]);
    expect(textOf(lastPost(server.fake, after))).toContain('A reminder for this round was sent less than an hour ago');

    // Another member cannot use the coordinator's buttons.
    after = await act(() => dana.click(created, 'govslack:group-post-result'));
    expect(server.fake.callsOf('chat.postMessage', after).filter((c) => c.body.channel === CHANNEL)).toEqual([]);
    expect(server.fake.callsOf('chat.postMessage', after).map(textOf).join('\n')).toContain('No group round with that id for these credentials.');

    // The result in the channel: two finished is fewer than MIN_GROUP_SIZE (5), so, as in the group report, no stage is shown.
    const { roundId, key } = coordinatorKey(created);
    const report = await server.services.groups.report(roundId, key);
    expect(report.progress.inPicture).toBe(0);
    after = await act(() => coordinator.click(created, 'govslack:group-post-result'));
    const posted = lastPost(server.fake, after, CHANNEL);
    expect(textOf(posted)).toContain('No group result to show yet: 2 finished so far');
    expect(textOf(posted)).not.toMatch(/Early|Intermediate|Advanced|Overall/);
    expect(textOf(lastPost(server.fake, after, coordinator.dmChannel))).toContain('The group result is posted in the channel.');
  });
});

describe('the group result in the channel, once the privacy rule lets the group in', () => {
  let small: SlackTestServer;
  beforeAll(async () => {
    small = await startSlackServer({ MIN_GROUP_SIZE: '2' });
  });
  afterAll(async () => {
    await small?.close();
  });

  it('shows the stage per theme and overall exactly as the group report, and no one\'s answers', async () => {
    const run = async (send: () => Promise<Response>) => {
      const before = small.fake.lastSeq;
      expect((await send()).status).toBe(200);
      await small.idle();
      return before;
    };
    const coordinator = new SlackUser(small, 'T1', 'UCOORD5');
    let after = await run(() => coordinator.command('group new Small round', { channel: CHANNEL }));
    const invitation = lastPost(small.fake, after, CHANNEL);
    const created = lastPost(small.fake, after, coordinator.dmChannel);
    for (const [user, perspective, replies] of [[new SlackUser(small, 'T1', 'UGIL'), 'central', PROFILES.advanced], [new SlackUser(small, 'T1', 'UHAL'), 'central', PROFILES.intermediate]] as const) {
      after = await run(() => user.click(invitation, 'govslack:group-take-part'));
      after = await run(() => user.click(lastPost(small.fake, after, user.dmChannel), `govslack:group-perspective:${perspective}`));
      for (const reply of replies.slice(1)) after = await run(() => user.dm(reply));
      await run(() => user.click(lastPost(small.fake, after, user.dmChannel), 'gov:cmd:seeResult'));
    }
    const { roundId, key } = coordinatorKey(created);
    const report = await small.services.groups.report(roundId, key);
    expect(report.progress.inPicture).toBe(2);

    after = await run(() => coordinator.click(created, 'govslack:group-post-result'));
    const text = textOf(lastPost(small.fake, after, CHANNEL));
    expect(text).toContain('*Small round*');
    expect(text).toContain(`*Overall:* ${report.result.fromAnswers.overall.stageLabel}`);
    for (const theme of report.result.fromAnswers.themes) expect(text).toContain(`• ${theme.title}: ${theme.stageLabel}`);
    expect(text).toContain("2 respondents counted. No one's answers are shown.");
    // No breakdown by perspective and no answer is posted.
    expect(text).not.toContain('Central government');
    for (const c of report.characteristics) expect(text).not.toContain(c.label);
  });
});
