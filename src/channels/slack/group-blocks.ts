/**
 * Slack's messages for group rounds: the channel's invitation with its
 * "Take part" button, the coordinator's DM, and the perspective question a
 * member answers privately in DM. Slack's own words live here (the
 * assessment's come from the core, as for everyone else).
 */
import { z } from 'zod';
import type { GroupReport } from '../../reports/group-report.js';
import { clip, escapeMrkdwn, LIMITS, SLACK_PREFIX, type KnownBlock, type SlackMessage } from './blocks.js';

export const GroupAction = {
  takePart: `${SLACK_PREFIX}group-take-part`,
  perspective: `${SLACK_PREFIX}group-perspective`,
  remind: `${SLACK_PREFIX}group-remind`,
  postResult: `${SLACK_PREFIX}group-post-result`,
} as const;

/** One reminder per round per this long (members are people, not a queue to nag). */
export const REMINDER_INTERVAL_MS = 60 * 60_000;

/** The kind of organisation a round made in Slack assesses: the opening question's "a national government as a whole". */
export const SLACK_ROUND_UNIT = 'national';

/** What the group buttons carry: the invitation code (the channel's members are the invited), and a perspective. */
const GroupButtonValue = z.strictObject({ code: z.string().min(1).max(40), p: z.string().min(1).max(60).optional() });
/** What the coordinator's buttons carry: the round (the coordinator is recognised by who clicks, not by the button). */
const RoundButtonValue = z.strictObject({ r: z.string().min(1).max(80) });

export function parseRoundButtonValue(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const parsed = RoundButtonValue.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data.r : undefined;
  } catch {
    return undefined;
  }
}
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
  remind: 'Send a reminder',
  postResult: 'Post the group result in the channel',
  someoneFinished: (name: string, finished: number, joined: number) =>
    `:white_check_mark: Someone finished in *${escapeMrkdwn(name)}*: ${finished} of the ${joined} who took part ${finished === 1 ? 'has' : 'have'} finished.`,
  reminder: (name: string) => `:bell: A reminder from the coordinator of *${escapeMrkdwn(name)}*: your answers are not finished yet. Continue where you left off when you can; they stay private.`,
  continueNow: 'Continue now',
  reminded: (n: number) => `:bell: Reminder sent to ${n === 1 ? 'the one person who started but has' : `the ${n} people who started but have`} not finished.`,
  nobodyToRemind: ':information_source: No one has a started assessment to finish in this round: there is no one to remind.',
  remindedRecently: ':hourglass_flowing_sand: A reminder for this round was sent less than an hour ago. Members get at most one an hour; please try again later.',
  posted: ':white_check_mark: The group result is posted in the channel.',
  resultTitle: (name: string) => `:bar_chart: *${escapeMrkdwn(name)}*: the group's result`,
  resultAgreed: (agreed: number) => `Stages from the answers agreed in the workshop (${agreed} agreed), and otherwise from the group's answers:`,
  resultFromAnswers: "Stages from the group's answers (no agreed answers recorded yet):",
  overall: (stage: string) => `*Overall:* ${escapeMrkdwn(stage)}`,
  theme: (title: string, stage: string) => `• ${escapeMrkdwn(title)}: ${escapeMrkdwn(stage)}`,
  inPicture: (n: number) => `${n} ${n === 1 ? 'respondent' : 'respondents'} counted. No one's answers are shown.`,
  notEnough: (finished: number) => `:lock: No group result to show yet: ${finished} finished so far, too few to show without giving someone's answers away.`,
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

/** The coordinator's buttons: a reminder, and the result posted in the channel. */
function coordinatorActions(roundId: string): KnownBlock {
  const value = JSON.stringify({ r: roundId });
  return {
    type: 'actions',
    block_id: 'govslack-group-coordinator',
    elements: [
      { type: 'button', action_id: GroupAction.remind, text: { type: 'plain_text', text: GROUP_TEXT.remind }, value },
      { type: 'button', action_id: GroupAction.postResult, text: { type: 'plain_text', text: GROUP_TEXT.postResult }, value },
    ],
  };
}

/** The coordinator's DM: the round is open, their link (when the server has a public URL) and the code. */
export function coordinatorMessage(roundId: string, name: string, coordinatorUrl: string | undefined, code: string): SlackMessage {
  const lines = [GROUP_TEXT.created(name), coordinatorUrl ? GROUP_TEXT.coordinatorLink(coordinatorUrl) : GROUP_TEXT.noCoordinatorLink, GROUP_TEXT.invitationCode(code)];
  return { text: fallback(lines[0] ?? ''), blocks: [...lines.map(section), coordinatorActions(roundId)] };
}

/** The coordinator's DM when a member finishes: counts only, never who or what they answered. */
export function finishedMessage(roundId: string, name: string, finished: number, joined: number): SlackMessage {
  const text = GROUP_TEXT.someoneFinished(name, finished, joined);
  return { text: fallback(text), blocks: [section(text), coordinatorActions(roundId)] };
}

export function reminderMessage(name: string): SlackMessage {
  const text = GROUP_TEXT.reminder(name);
  return {
    text: fallback(text),
    blocks: [section(text), { type: 'actions', block_id: 'govslack-group-reminder', elements: [{ type: 'button', style: 'primary', action_id: `${SLACK_PREFIX}continue`, text: { type: 'plain_text', text: GROUP_TEXT.continueNow }, value: 'continue' }] }],
  };
}

/**
 * The channel's post of the group result: the stage per theme and overall, from the group report
 * itself, so it shows exactly what the report shows (nothing until the privacy rule lets anyone in).
 */
export function groupResultMessage(report: GroupReport): SlackMessage {
  const title = GROUP_TEXT.resultTitle(report.round.name);
  if (report.progress.inPicture === 0) {
    const text = [title, GROUP_TEXT.notEnough(report.progress.finished), report.privacy.explanation].join('\n');
    return { text: fallback(text), blocks: [section(text)] };
  }
  const agreed = report.result.consensusCount > 0;
  const stages = agreed ? report.result.agreed : report.result.fromAnswers;
  const text = [
    title,
    agreed ? GROUP_TEXT.resultAgreed(report.result.consensusCount) : GROUP_TEXT.resultFromAnswers,
    GROUP_TEXT.overall(stages.overall.stageLabel),
    ...stages.themes.map((t) => GROUP_TEXT.theme(t.title, t.stageLabel)),
    GROUP_TEXT.inPicture(report.progress.inPicture),
  ].join('\n');
  return { text: fallback(text), blocks: [section(text)] };
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
