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
