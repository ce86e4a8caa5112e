/**
 * Slack's messages for group rounds: the channel's invitation with its
 * "Take part" button, the coordinator's DM, and the perspective question a
 * member answers privately in DM. Slack's own words live here (the
 * assessment's come from the core, as for everyone else).
 */
import { z } from 'zod';
import { clip, escapeMrkdwn, LIMITS, SLACK_PREFIX, type KnownBlock, type SlackMessage } from './blocks.js';

export const GroupAction = {
  takePart: `${SLACK_PREFIX}group-take-part`,
  perspective: `${SLACK_PREFIX}group-perspective`,
} as const;

/** The kind of organisation a round made in Slack assesses: the opening question's "a national government as a whole". */
export const SLACK_ROUND_UNIT = 'national';

/** What the group buttons carry: the invitation code (the channel's members are the invited), and a perspective. */
const GroupButtonValue = z.strictObject({ code: z.string().min(1).max(40), p: z.string().min(1).max(60).optional() });
export type GroupButtonValue = z.infer<typeof GroupButtonValue>;

export function parseGroupButtonValue(value: string | undefined): GroupButtonValue | undefined {
  if (!value) return undefined;
  try {
    const parsed = GroupButtonValue.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const GROUP_TEXT = {
  inChannelOnly: ':information_source: Start a group round in the channel whose members should take part: `/assess group new <name>` there.',
  needName: 'Give the round a name: `/assess group new <name>`, for example `/assess group new Digital strategy 2026`.',
  unavailable: ':warning: Group rounds are not available on this server.',
  nameTooLong: (max: number) => `:warning: A round's name can be at most ${max} characters.`,
  created: (name: string) => `:busts_in_silhouette: The group round *${escapeMrkdwn(name)}* is open. I posted its invitation in the channel.`,
  coordinatorLink: (url: string) => `Your coordinator page (keep this link to yourself: it is your access to the round): <${url}|open the coordinator page>`,
  noCoordinatorLink: 'This server has no public address (PUBLIC_URL), so there is no coordinator page link to give you here.',
  invitationCode: (code: string) => `Invitation code, for those taking part on the web or in the terminal: \`${code}\``,
  invitation: (name: string, coordinator: string) =>
    `:busts_in_silhouette: *${escapeMrkdwn(name)}*: <@${coordinator}> invites this channel to a group self-assessment of a national government as a whole (OECD Digital Government Principle 2). Each of you answers privately, in a direct message with me; only the group picture is shared.`,
  takePart: 'Take part',
  choosePerspective: (name: string) => `*${escapeMrkdwn(name)}*: from which perspective do you answer? Your answers stay private; the coordinator sees only the group picture, and no group smaller than the round's minimum.`,
  chosePerspective: (label: string) => `:ballot_box_with_check: You answer as: *${escapeMrkdwn(label)}*`,
  answeredInDm: "I've written to you in our direct messages (the Messages tab of the Govstage app).",
  badButton: ':warning: That button is not one Govstage made.',
} as const;

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } });
const fallback = (text: string) => clip(text.replace(/[*_`]/g, ''), LIMITS.fallbackText);

/** The channel's post: what the round is, and the "Take part" button. */
export function invitationMessage(name: string, coordinator: string, code: string): SlackMessage {
  const text = GROUP_TEXT.invitation(name, coordinator);
  return {
    text: fallback(text),
    blocks: [
      section(text),
      { type: 'actions', block_id: 'govslack-group', elements: [{ type: 'button', style: 'primary', action_id: GroupAction.takePart, text: { type: 'plain_text', text: GROUP_TEXT.takePart }, value: JSON.stringify({ code }) }] },
    ],
  };
}

/** The coordinator's DM: the round is open, their link (when the server has a public URL) and the code. */
export function coordinatorMessage(name: string, coordinatorUrl: string | undefined, code: string): SlackMessage {
  const lines = [GROUP_TEXT.created(name), coordinatorUrl ? GROUP_TEXT.coordinatorLink(coordinatorUrl) : GROUP_TEXT.noCoordinatorLink, GROUP_TEXT.invitationCode(code)];
  return { text: fallback(lines[0] ?? ''), blocks: lines.map(section) };
}

/** The member's DM: one button per perspective of the round. */
export function perspectiveMessage(name: string, code: string, perspectives: readonly { id: string; label: string }[]): SlackMessage {
  const text = GROUP_TEXT.choosePerspective(name);
  const buttons = perspectives.map((p) => ({
    type: 'button' as const,
    action_id: `${GroupAction.perspective}:${p.id}`,
    text: { type: 'plain_text' as const, text: clip(p.label, LIMITS.buttonText) },
    value: JSON.stringify({ code, p: p.id }),
  }));
  return { text: fallback(text), blocks: [section(text), { type: 'actions', block_id: 'govslack-group-perspective', elements: buttons }] };
}
