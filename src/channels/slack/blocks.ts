/**
 * Block Kit rendering of the channel-neutral message model, the App Home
 * view and Slack's own texts (help, status). Pure functions: messages in,
 * blocks out. Choice ids stay opaque: they ride in the button's action_id,
 * and the value carries the StepRef the messages were rendered at (which
 * conversation, which step), handed back to PersonSessions on a click so a
 * click on an outdated message can be recognised.
 */
import type { types } from '@slack/bolt';
import { renderPlain } from '../plain-text.js';
import type { Choice, Message, OecdTranslation, ResultView } from '../../core/messages.js';
import type { Words } from '../../i18n/words.js';
import { choiceIds } from '../../core/conversation/render.js';
import type { PersonStanding, StepRef } from '../../service/person-sessions-api.js';
import type { ButtonValue, EchoedBlock } from './payloads.js';
import { escapeMrkdwn } from './slack-text.js';

export { escapeMrkdwn };

export type KnownBlock = types.KnownBlock;
export type Button = types.Button;
/** Blocks we send: our own, or ones Slack echoed back to us (when updating a clicked message). */
export type AnyBlock = types.KnownBlock | types.Block;

export interface SlackMessage {
  /** Plain-text fallback for notifications and screen readers. */
  text: string;
  blocks: AnyBlock[];
}

/** Action ids: `gov:<choice id>` carries a core choice; `govslack:*` are Slack's own buttons. */
export const CHOICE_PREFIX = 'gov:';
export const SLACK_PREFIX = 'govslack:';
export const SlackAction = {
  continue: `${SLACK_PREFIX}continue`,
  start: `${SLACK_PREFIX}start`,
  report: `${SLACK_PREFIX}report`,
  reportLink: `${SLACK_PREFIX}report-link`,
  forgetYes: `${SLACK_PREFIX}forget-yes`,
  forgetNo: `${SLACK_PREFIX}forget-no`,
} as const;

/** Slack's limits (https://docs.slack.dev/reference/block-kit/blocks). */
export const LIMITS = { blocksPerMessage: 50, sectionText: 3000, contextText: 2000, headerText: 150, buttonText: 75, buttonValue: 2000, fallbackText: 3000, contextElements: 10 } as const;

/** Shortens to `max` characters, never cutting an escaped character (`&amp;`) in two. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).replace(/&[a-z]{0,3}$/, '')}…`;
}

const md = (text: string, max: number = LIMITS.sectionText) => ({ type: 'mrkdwn' as const, text: clip(text, max) });
const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: clip(text, max), emoji: true });
const section = (text: string): KnownBlock => ({ type: 'section', text: md(text) });
const context = (...texts: string[]): KnownBlock => ({ type: 'context', elements: texts.slice(0, LIMITS.contextElements).map((t) => md(t, LIMITS.contextText)) });
const header = (text: string): KnownBlock => ({ type: 'header', text: plain(text, LIMITS.headerText) });
const divider: KnownBlock = { type: 'divider' };

/** True when the message offers core choices (buttons of its own: a clicked message they follow is superseded). */
export function isActionable(message: Message): boolean {
  switch (message.kind) {
    case 'question':
    case 'review':
    case 'result':
      return true;
    case 'text':
      return (message.choices?.length ?? 0) > 0;
    default:
      return false;
  }
}

export interface RenderContext {
  /** Where the messages were rendered (from the outcome that brought them): the buttons carry it. */
  ref: StepRef;
  /** Slack's own words, in the conversation's language. */
  words: Words;
  /** PUBLIC_URL without a trailing slash, when set: results link to the web. */
  publicUrl?: string | undefined;
}

export function buttonValue(value: ButtonValue): string {
  return JSON.stringify(value);
}

function choiceButton(choice: Choice, ctx: RenderContext, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    action_id: clip(`${CHOICE_PREFIX}${choice.id}`, 255),
    text: plain(choice.label, LIMITS.buttonText),
    value: buttonValue({ c: ctx.ref.conversationId, s: ctx.ref.step }),
    ...(style ? { style } : {}),
  };
}

function actions(blockId: string, buttons: Button[]): KnownBlock[] {
  // An actions block holds at most 25 elements.
  const out: KnownBlock[] = [];
  for (let i = 0; i < buttons.length; i += 25) out.push({ type: 'actions', block_id: i === 0 ? blockId : `${blockId}-${i / 25}`, elements: buttons.slice(i, i + 25) });
  return out;
}

/** "▰▰▰▱▱▱▱▱▱▱" for a progress of n out of total. */
export function progressBar(done: number, total: number, width = 10): string {
  if (total <= 0) return '';
  const filled = Math.max(0, Math.min(width, Math.round((done / total) * width)));
  return `${'▰'.repeat(filled)}${'▱'.repeat(width - filled)}`;
}

const TONE_ICON: Record<'normal' | 'help' | 'success' | 'warning', string> = { normal: '', help: ':bulb: ', success: ':white_check_mark: ', warning: ':warning: ' };

function resumeLines(resume: { code: string; expiresAt: string; url?: string | undefined }, w: Words): string {
  return [
    w.t('slack.resumeCode', { code: escapeMrkdwn(resume.code), until: resume.expiresAt }),
    w.t('slack.resumeWhere'),
    ...(resume.url ? [`<${resume.url}|${escapeMrkdwn(w.t('slack.resumeOnWeb'))}>`] : []),
  ].join('\n');
}

/** The OECD's words (mrkdwn); in another language, our translation labelled as ours, the original on the next line. */
function oecdMrkdwn(text: string, translation: OecdTranslation | null | undefined, w: Words): string {
  return translation ? `${escapeMrkdwn(translation.text)} _(${escapeMrkdwn(translation.label)})_\n>${escapeMrkdwn(w.t('chat.original', { text }))}` : escapeMrkdwn(text);
}

export function resultBlocks(result: ResultView, ctx: RenderContext): KnownBlock[] {
  const w = ctx.words;
  const quote = (q: { short: string; answer: string }) => escapeMrkdwn(w.t('chat.quote', { short: q.short, answer: q.answer }));
  const blocks: KnownBlock[] = [header(result.texts.heading)];
  blocks.push(section(`*${escapeMrkdwn(w.t('slack.overall', { stage: result.overall.stageLabel }))}*\n${escapeMrkdwn(result.overall.explanation)}`));
  blocks.push(divider);
  for (const theme of result.themes) {
    blocks.push(section(`*${escapeMrkdwn(theme.title)}: ${escapeMrkdwn(theme.stageLabel)}*\n${escapeMrkdwn(theme.explanation)}`));
    const notes: string[] = [`_${escapeMrkdwn(result.texts.oursLabel)}: ${escapeMrkdwn(theme.title)}_`];
    const quoted = (label: string, quotes: typeof theme.strengths) =>
      quotes.length > 0 ? [`${escapeMrkdwn(label)} ${quotes.map(quote).join(' · ')}`] : [];
    notes.push(...quoted(result.texts.strengthsLabel, theme.strengths), ...quoted(result.texts.becauseLabel, theme.holdingBack), ...quoted(result.texts.pendingLabel, theme.pending));
    if (theme.milestone) {
      const items = theme.milestone.items ?? theme.milestone.characteristics.map((text) => ({ text, translation: null }));
      notes.push(`${escapeMrkdwn(result.texts.milestoneHeading)} (${escapeMrkdwn(theme.milestone.stageLabel)}):\n${items.map((c) => `• ${oecdMrkdwn(c.text, c.translation, w)}`).join('\n')}`);
    }
    if (notes.length > 0) blocks.push(context(...notes));
  }
  if (result.suggestions.length > 0) {
    blocks.push(divider, section(`*${escapeMrkdwn(result.texts.suggestionsHeading)}*`));
    result.suggestions.forEach((s, i) => {
      blocks.push(section(`*${i + 1}.* [${escapeMrkdwn(s.stageLabel)}] ${oecdMrkdwn(s.text, s.translation, w)}\n_${escapeMrkdwn(s.reason)}_`));
      if (s.because.length > 0) {
        blocks.push(context(`${escapeMrkdwn(result.texts.becauseLabel)} ${s.because.map(quote).join('; ')}`));
      }
    });
  }
  if (result.contradictions.length > 0) {
    blocks.push(section(`*${escapeMrkdwn(result.texts.contradictionsHeading)}*`));
    blocks.push(context(...result.contradictions.slice(0, LIMITS.contextElements).map((c) => `:warning: ${escapeMrkdwn(c.text)}${c.settlement.kind === 'kept' ? ` _(${escapeMrkdwn(c.settlement.note)})_` : ''}`)));
  }
  if (result.caveats.length > 0) blocks.push(section(`*${escapeMrkdwn(result.texts.caveatsHeading)}*`), context(...result.caveats.map((w) => `:warning: ${escapeMrkdwn(w)}`)));
  blocks.push(context(escapeMrkdwn(result.texts.sourceLabel)));
  // The full report is a web page at a private link, made on request (it can be shared, so not without asking).
  if (ctx.publicUrl) {
    blocks.push({
      type: 'actions',
      block_id: 'govslack-report',
      elements: [{ type: 'button', action_id: SlackAction.reportLink, text: plain(w.t('slack.fullReport'), LIMITS.buttonText), value: buttonValue({ c: ctx.ref.conversationId }) }],
    });
  }
  return blocks;
}

/** The blocks of one message of the model. */
export function messageBlocks(message: Message, ctx: RenderContext): KnownBlock[] {
  const w = ctx.words;
  switch (message.kind) {
    case 'question': {
      const p = message.progress;
      const blocks: KnownBlock[] = [
        // The opening question (what is assessed) has no theme and no number.
        ...(p.index > 0 ? [context(`*${escapeMrkdwn(message.themeLabel)}* · ${escapeMrkdwn(message.progressLabel)}  ${progressBar(p.answered, p.total)}`)] : []),
        section(escapeMrkdwn(message.text)),
      ];
      if (message.currentAnswer) {
        blocks.push(context(`${w.t('slack.currentAnswer', { label: escapeMrkdwn(message.currentAnswer.label) })}${message.currentAnswer.note ? w.t('slack.currentNote', { note: escapeMrkdwn(message.currentAnswer.note) }) : ''}`));
      }
      blocks.push(...actions('gov-answers', message.choices.map((c) => choiceButton(c, ctx, 'primary'))));
      blocks.push(...actions('gov-commands', message.commands.map((c) => choiceButton(c, ctx))));
      blocks.push(context(escapeMrkdwn(message.hint)));
      return blocks;
    }
    case 'text': {
      const blocks: KnownBlock[] = [section(`${TONE_ICON[message.tone]}${escapeMrkdwn(message.text)}`)];
      const choices = message.choices ?? [];
      if (choices.length > 0) {
        // Only confirming a restart is dangerous; a contradiction's or a clarification's choices are all safe, and none is preferred.
        const first = choices[0]?.id === choiceIds.confirm ? 'danger' : message.contradictionId || message.tone === 'warning' ? undefined : 'primary';
        blocks.push(...actions('gov-choices', choices.map((c, i) => choiceButton(c, ctx, i === 0 ? first : undefined))));
      }
      return blocks;
    }
    case 'progress':
      return [section(escapeMrkdwn(message.text)), context(`${progressBar(message.progress.answered, message.progress.total)}  ${message.progress.answered}/${message.progress.total}`)];
    case 'review': {
      const blocks: KnownBlock[] = [section(escapeMrkdwn(message.text))];
      message.items.forEach((item, i) => {
        const answer = item.answered ? `*${escapeMrkdwn(item.answer)}*` : `_${escapeMrkdwn(item.answer)}_`;
        blocks.push({
          type: 'section',
          text: md(`${i + 1}. ${escapeMrkdwn(item.question)}\n→ ${answer}${item.note ? `\n_${w.t('slack.reviewNote', { note: escapeMrkdwn(item.note) })}_` : ''}`),
          accessory: { type: 'button', action_id: clip(`${CHOICE_PREFIX}${item.editChoiceId}`, 255), text: plain(w.t('slack.change'), LIMITS.buttonText), value: buttonValue({ c: ctx.ref.conversationId, s: ctx.ref.step }) },
        });
      });
      if (message.contradictions.length > 0) blocks.push(context(...message.contradictions.map((c) => `:warning: ${escapeMrkdwn(c.text)}`)));
      blocks.push(...actions('gov-review', message.choices.map((c, i) => choiceButton(c, ctx, i === 0 ? 'primary' : undefined))));
      return blocks;
    }
    case 'result':
      return [...resultBlocks(message.result, ctx), ...actions('gov-result', message.choices.map((c) => choiceButton(c, ctx)))];
    case 'paused':
      return [
        section(`:floppy_disk: ${escapeMrkdwn(message.text)}${message.resume ? `\n${resumeLines(message.resume, w)}` : ''}`),
        { type: 'actions', block_id: 'govslack-paused', elements: [{ type: 'button', action_id: SlackAction.continue, text: plain(w.t('slack.continueNow'), LIMITS.buttonText), value: buttonValue({ c: ctx.ref.conversationId }) }] },
      ];
    case 'error':
      return [section(`:warning: ${escapeMrkdwn(message.text)}`)];
  }
}

/**
 * Renders a reply as Slack messages: usually one, split only when the blocks
 * exceed Slack's 50-per-message limit (buttons stay in the last part).
 */
export function renderMessages(messages: readonly Message[], ctx: RenderContext): SlackMessage[] {
  const blocks = messages.flatMap((m) => messageBlocks(m, ctx));
  // The top-level text is mrkdwn as well: people's words in it are escaped like in the blocks.
  const text = clip(escapeMrkdwn(messages.map((m) => renderPlain(m, ctx.words)).join('\n\n')), LIMITS.fallbackText);
  if (blocks.length <= LIMITS.blocksPerMessage) return [{ text, blocks }];
  const parts: SlackMessage[] = [];
  for (let i = 0; i < blocks.length; i += LIMITS.blocksPerMessage) {
    parts.push({ text: i === 0 ? text : ctx.words.t('chat.continued'), blocks: blocks.slice(i, i + LIMITS.blocksPerMessage) });
  }
  return parts;
}

/** A clicked message, updated: its buttons gone, and what was chosen shown in their place. */
export function consumedBlocks(original: readonly (AnyBlock | EchoedBlock)[], note: string): AnyBlock[] {
  const kept: AnyBlock[] = [];
  for (const block of original) {
    if (block.type === 'actions') continue;
    if ('accessory' in block) {
      const { accessory: _dropped, ...rest } = block;
      kept.push(rest);
      continue;
    }
    kept.push(block);
  }
  kept.push(context(note));
  return kept.slice(-LIMITS.blocksPerMessage);
}

export function textMessage(text: string, extra: KnownBlock[] = []): SlackMessage {
  return { text: clip(text.replace(/[*_`]/g, ''), LIMITS.fallbackText), blocks: [section(text), ...extra] };
}

/** The first word of a command in this language (`/assess aide`), for the help. */
const verbIn = (w: Words, key: Parameters<Words['list']>[0]) => w.list(key)[0] ?? '';

export function helpMessage(w: Words, languages: string, command = '/assess', prefix = ''): SlackMessage {
  const c = (sub: string) => `\`${command} ${sub}\``;
  const text = [
    ...(prefix ? [prefix] : []),
    w.t('slack.help.intro'),
    `• ${c(verbIn(w, 'commands.start'))}: ${w.t('slack.help.start')}`,
    `• ${c(`${verbIn(w, 'commands.resume')} CODE`)}: ${w.t('slack.help.resume')}`,
    `• ${c(verbIn(w, 'commands.status'))}: ${w.t('slack.help.status')}`,
    `• ${c(verbIn(w, 'commands.restart'))}: ${w.t('slack.help.restart')}`,
    `• ${c(verbIn(w, 'commands.report'))}: ${w.t('slack.help.report')}`,
    `• ${c(verbIn(w, 'commands.forgetMe'))}: ${w.t('slack.help.forgetMe')}`,
    `• ${c(`${verbIn(w, 'commands.language')} fr`)}: ${w.t('slack.help.language', { languages })}`,
    `• ${c(`${verbIn(w, 'commands.group')} ${w.t('slack.help.groupArgs')}`)}: ${w.t('slack.help.group')}`,
    `• ${c(verbIn(w, 'commands.help'))}: ${w.t('slack.help.help')}`,
    w.t('slack.help.dm'),
  ].join('\n');
  return textMessage(text);
}

export function reportLinkMessage(link: { url?: string | undefined; path: string; expiresAt: string }, w: Words): SlackMessage {
  return textMessage(link.url ? w.t('slack.reportLink', { url: link.url, until: link.expiresAt }) : w.t('slack.reportPath', { path: escapeMrkdwn(link.path), until: link.expiresAt }));
}

export function forgetConfirmMessage(hasAny: boolean, w: Words): SlackMessage {
  if (!hasAny) return textMessage(w.t('slack.forgetNothing'));
  return textMessage(`${w.t('slack.forgetAsk')}\n${w.t('slack.forgetSlackKeeps')}`, [
    {
      type: 'actions',
      block_id: 'govslack-forget',
      elements: [
        { type: 'button', action_id: SlackAction.forgetYes, style: 'danger', text: plain(w.t('slack.forgetYes'), LIMITS.buttonText), value: 'forget' },
        { type: 'button', action_id: SlackAction.forgetNo, text: plain(w.t('slack.forgetNo'), LIMITS.buttonText), value: 'keep' },
      ],
    },
  ]);
}

export function statusText(standing: PersonStanding, w: Words): string {
  const p = standing.progress;
  const result = standing.latestResult;
  if (standing.status === 'finished') return result ? w.t('slack.statusFinished', { stage: escapeMrkdwn(result.overall.stageLabel) }) : w.t('slack.statusFinishedNoResult');
  if (!standing.started) return w.t('slack.statusNotStarted');
  return p.index > 0 ? w.t('slack.statusAt', { index: p.index, total: p.total, answered: p.answered }) : w.t('slack.statusAnswered', { answered: p.answered, total: p.total });
}

export function statusMessage(status: PersonStanding & { resume: { code: string; expiresAt: string; url?: string | undefined } }, w: Words): SlackMessage {
  return textMessage(`${statusText(status, w)}\n${resumeLines(status.resume, w)}`);
}

/** "There is no result yet", with how far the person got once they have begun. */
export function noResultMessage(w: Words, where?: { progress: { answered: number; total: number }; started: boolean }): SlackMessage {
  return textMessage(where?.started ? w.t('slack.noResultAnswered', { answered: where.progress.answered, total: where.progress.total }) : w.t('slack.noResult'));
}

/** The App Home: where the person's latest assessment stands (none: an invitation to start) and its latest result. */
export function homeView(input: { standing: PersonStanding | undefined; publicUrl?: string | undefined; words: Words }): types.HomeView {
  const w = input.words;
  const blocks: KnownBlock[] = [header(w.t('slack.home.header')), context(w.t('slack.home.context'))];
  const { standing } = input;
  const conversationId = standing?.ref.conversationId;
  const button = (actionId: string, label: string, style?: 'primary'): Button => ({
    type: 'button',
    action_id: actionId,
    text: plain(label, LIMITS.buttonText),
    value: buttonValue({ c: conversationId ?? 'none' }),
    ...(style ? { style } : {}),
  });
  if (!standing) {
    blocks.push(section(w.t('slack.home.none')));
    blocks.push({ type: 'actions', block_id: 'govslack-home', elements: [button(SlackAction.start, w.t('slack.home.start'), 'primary')] });
  } else if (standing.status === 'active') {
    const p = standing.progress;
    blocks.push(section(`*${w.t('slack.home.inProgress')}*\n${statusText(standing, w)}${standing.started ? `\n${progressBar(p.answered, p.total)}  ${p.answered}/${p.total}` : ''}`));
    blocks.push({ type: 'actions', block_id: 'govslack-home', elements: [button(SlackAction.continue, w.t('slack.home.continue'), 'primary')] });
  } else {
    blocks.push(section(`*${w.t('slack.home.finished')}*`));
    blocks.push({ type: 'actions', block_id: 'govslack-home', elements: [button(SlackAction.report, w.t('slack.home.showResult')), button(SlackAction.start, w.t('slack.home.startNew'))] });
  }
  const result = standing?.latestResult;
  if (result) {
    blocks.push(divider, section(`*${w.t('slack.home.latest', { stage: escapeMrkdwn(result.overall.stageLabel) })}*\n${escapeMrkdwn(result.overall.explanation)}`));
    const fields = result.themes.slice(0, 10).map((t) => md(`*${escapeMrkdwn(t.title)}*\n${escapeMrkdwn(t.stageLabel)}`, 2000));
    if (fields.length > 0) blocks.push({ type: 'section', fields });
    if (result.suggestions.length > 0) blocks.push(context(w.t('slack.home.suggestions', { count: result.suggestions.length })));
    if (input.publicUrl) blocks.push(section(`<${input.publicUrl}/|${escapeMrkdwn(w.t('slack.home.web'))}>`));
  }
  blocks.push(divider, context(w.t('slack.home.footer')));
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
