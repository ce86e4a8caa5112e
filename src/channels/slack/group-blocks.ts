/**
 * Slack's messages for group rounds: the channel's invitation with its
 * "Take part" button, the coordinator's DM, and the perspective question a
 * member answers privately in DM, in the words of the locale catalogue's
 * `slack.group.*` (the assessment's come from the core, as for everyone else).
 */
import { z } from 'zod';
import type { GroupReport } from '../../reports/group-report.js';
import type { Words } from '../../i18n/words.js';
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


const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } });
const fallback = (text: string) => clip(text.replace(/[*_`]/g, ''), LIMITS.fallbackText);

/** The channel's post: what the round is, and the "Take part" button. */
export function invitationMessage(name: string, coordinator: string, code: string, w: Words): SlackMessage {
  const text = w.t('slack.group.invitation', { name: escapeMrkdwn(name), coordinator });
  return {
    text: fallback(text),
    blocks: [
      section(text),
      { type: 'actions', block_id: 'govslack-group', elements: [{ type: 'button', style: 'primary', action_id: GroupAction.takePart, text: { type: 'plain_text', text: w.t('slack.group.takePart') }, value: JSON.stringify({ code }) }] },
    ],
  };
}

/** The coordinator's buttons: a reminder, and the result posted in the channel. */
function coordinatorActions(roundId: string, w: Words): KnownBlock {
  const value = JSON.stringify({ r: roundId });
  return {
    type: 'actions',
    block_id: 'govslack-group-coordinator',
    elements: [
      { type: 'button', action_id: GroupAction.remind, text: { type: 'plain_text', text: w.t('slack.group.remind') }, value },
      { type: 'button', action_id: GroupAction.postResult, text: { type: 'plain_text', text: w.t('slack.group.postResult') }, value },
    ],
  };
}

/** The coordinator's DM: the round is open, their link (when the server has a public URL) and the code. */
export function coordinatorMessage(roundId: string, name: string, coordinatorUrl: string | undefined, code: string, w: Words): SlackMessage {
  const lines = [
    w.t('slack.group.created', { name: escapeMrkdwn(name) }),
    coordinatorUrl ? w.t('slack.group.coordinatorLink', { url: coordinatorUrl }) : w.t('slack.group.noCoordinatorLink'),
    w.t('slack.group.invitationCode', { code }),
  ];
  return { text: fallback(lines[0] ?? ''), blocks: [...lines.map(section), coordinatorActions(roundId, w)] };
}

/** The coordinator's DM when a member finishes: counts only, never who or what they answered. */
export function finishedMessage(roundId: string, name: string, finished: number, joined: number, w: Words): SlackMessage {
  const text = w.t('slack.group.someoneFinished', { name: escapeMrkdwn(name), finished, joined });
  return { text: fallback(text), blocks: [section(text), coordinatorActions(roundId, w)] };
}

export function reminderMessage(name: string, w: Words): SlackMessage {
  const text = w.t('slack.group.reminder', { name: escapeMrkdwn(name) });
  return {
    text: fallback(text),
    blocks: [section(text), { type: 'actions', block_id: 'govslack-group-reminder', elements: [{ type: 'button', style: 'primary', action_id: `${SLACK_PREFIX}continue`, text: { type: 'plain_text', text: w.t('slack.continueNow') }, value: 'continue' }] }],
  };
}

/**
 * The channel's post of the group result: the stage per theme and overall, from the group report
 * itself, so it shows exactly what the report shows (nothing until the privacy rule lets anyone in).
 */
export function groupResultMessage(report: GroupReport, w: Words): SlackMessage {
  const title = w.t('slack.group.resultTitle', { name: escapeMrkdwn(report.round.name) });
  if (report.progress.inPicture === 0) {
    const text = [title, w.t('slack.group.notEnough', { finished: report.progress.finished }), escapeMrkdwn(report.privacy.explanation)].join('\n');
    return { text: fallback(text), blocks: [section(text)] };
  }
  const agreed = report.result.consensusCount > 0;
  const stages = agreed ? report.result.agreed : report.result.fromAnswers;
  const text = [
    title,
    agreed ? w.t('slack.group.resultAgreed', { agreed: report.result.consensusCount }) : w.t('slack.group.resultFromAnswers'),
    w.t('slack.group.overall', { stage: escapeMrkdwn(stages.overall.stageLabel) }),
    ...stages.themes.map((t) => w.t('slack.group.theme', { title: escapeMrkdwn(t.title), stage: escapeMrkdwn(t.stageLabel) })),
    w.t('slack.group.inPicture', { count: report.progress.inPicture }),
  ].join('\n');
  return { text: fallback(text), blocks: [section(text)] };
}

/** The member's DM: one button per perspective of the round. */
export function perspectiveMessage(name: string, code: string, perspectives: readonly { id: string; label: string }[], w: Words): SlackMessage {
  const text = w.t('slack.group.choosePerspective', { name: escapeMrkdwn(name) });
  const buttons = perspectives.map((p) => ({
    type: 'button' as const,
    action_id: `${GroupAction.perspective}:${p.id}`,
    text: { type: 'plain_text' as const, text: clip(p.label, LIMITS.buttonText) },
    value: JSON.stringify({ code, p: p.id }),
  }));
  return { text: fallback(text), blocks: [section(text), { type: 'actions', block_id: 'govslack-group-perspective', elements: buttons }] };
}
