/**
 * Adaptive Card rendering of the channel-neutral message model, and Teams'
 * own cards (help, status, confirmations). Pure functions: messages in,
 * cards out. Every button is an Action.Execute whose data names the core's
 * choice id, the conversation and the step it was rendered at, so a click
 * on an outdated card is recognised (and the card updated to show the
 * answer without its buttons).
 */
import { renderPlain } from '../plain-text.js';
import type { Choice, Message, OecdTranslation, ResultView } from '../../core/messages.js';
import { UNIT_QUESTION_ID } from '../../core/machine/machine.js';
import type { Words } from '../../i18n/words.js';
import type { StepRef } from '../../service/person-sessions-api.js';

export const ADAPTIVE_CARD_TYPE = 'application/vnd.microsoft.card.adaptive';

/** What a button sends back (Action.Execute data; the same for Action.Submit). */
export type CardData =
  | { action: 'choose'; choice: string; conversationId: string; step: string; label: string; title?: string }
  | { action: 'continue' }
  /** `who`: the person the confirmation was shown to (a hash): in a channel, no one else can answer it. */
  | { action: 'forget-yes'; who: string }
  | { action: 'forget-no'; who: string }
  | { action: 'report-link'; conversationId: string };

type Color = 'Default' | 'Accent' | 'Good' | 'Warning' | 'Attention';
export interface TextBlock {
  type: 'TextBlock';
  text: string;
  wrap: true;
  weight?: 'Bolder';
  size?: 'Small' | 'Medium' | 'Large';
  color?: Color;
  isSubtle?: boolean;
  separator?: boolean;
  spacing?: 'None' | 'Small' | 'Medium' | 'Large';
}
export interface ExecuteAction {
  type: 'Action.Execute';
  title: string;
  verb: CardData['action'];
  data: CardData;
  style?: 'positive' | 'destructive';
}
export interface OpenUrlAction {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
}
export type CardAction = ExecuteAction | OpenUrlAction;
export interface ActionSet {
  type: 'ActionSet';
  actions: CardAction[];
  separator?: boolean;
  spacing?: 'None' | 'Small' | 'Medium';
}
export interface Column {
  type: 'Column';
  width: 'auto' | 'stretch';
  items: CardElement[];
  verticalContentAlignment?: 'Center';
}
export interface ColumnSet {
  type: 'ColumnSet';
  columns: Column[];
  separator?: boolean;
}
export type CardElement = TextBlock | ActionSet | ColumnSet;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  /** 1.5: Action.Execute (1.4+) and everything Teams renders for bots today. */
  version: '1.5';
  body: CardElement[];
  fallbackText?: string;
  msteams: { width: 'Full' };
}

export interface RenderContext {
  /** The conversation and step the buttons belong to. */
  ref: StepRef;
  /** Teams' own words, in the conversation's language. */
  words: Words;
  /** PUBLIC_URL without a trailing slash, when set: results offer the full report on the web. */
  publicUrl?: string | undefined;
}

/**
 * Teams refuses messages over about 28 KB; a long result is split into
 * several cards of at most this many bytes of JSON, the buttons on the last.
 */
export const CARD_BUDGET = 20_000;
/** Longest text in one block, and in a button's title or data. */
const LIMITS = { text: 4000, title: 120, dataTitle: 300 } as const;

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const text = (value: string, extra: Omit<TextBlock, 'type' | 'text' | 'wrap'> = {}): TextBlock => ({ type: 'TextBlock', text: clip(value, LIMITS.text), wrap: true, ...extra });
const subtle = (value: string): TextBlock => text(value, { isSubtle: true, size: 'Small', spacing: 'None' });
const heading = (value: string): TextBlock => text(value, { weight: 'Bolder', size: 'Large' });

function execute(title: string, data: CardData, style?: 'positive' | 'destructive'): ExecuteAction {
  return { type: 'Action.Execute', title: clip(title, LIMITS.title), verb: data.action, data, ...(style ? { style } : {}) };
}

/** Action sets of at most six (what Teams shows without an overflow menu). */
function actionRows(actions: CardAction[]): ActionSet[] {
  const rows: ActionSet[] = [];
  for (let i = 0; i < actions.length; i += 6) rows.push({ type: 'ActionSet', actions: actions.slice(i, i + 6) });
  return rows;
}

/** "▰▰▰▱▱▱▱▱▱▱" for n out of total. */
export function progressBar(done: number, total: number, width = 10): string {
  if (total <= 0) return '';
  const filled = Math.max(0, Math.min(width, Math.round((done / total) * width)));
  return `${'▰'.repeat(filled)}${'▱'.repeat(width - filled)}`;
}

function chooser(ctx: RenderContext, title: string) {
  return (choice: Choice, label = choice.label, style?: 'positive' | 'destructive'): ExecuteAction =>
    execute(label, { action: 'choose', choice: choice.id, conversationId: ctx.ref.conversationId, step: ctx.ref.step, label: clip(choice.label, LIMITS.title), title: clip(title, LIMITS.dataTitle) }, style);
}

/**
 * Choices as buttons: short ones side by side; long ones (answers) one per
 * row, numbered as typed replies are, so a label is never cut short.
 */
function choiceRows(choices: readonly Choice[], button: ReturnType<typeof chooser>, numbered: boolean): ActionSet[] {
  if (choices.length === 0) return [];
  const long = choices.some((c) => c.label.length > 20);
  if (!long) return actionRows(choices.map((c) => button(c)));
  return choices.map((c, i) => ({ type: 'ActionSet', spacing: 'Small', actions: [button(c, numbered ? `${i + 1}. ${c.label}` : c.label)] }));
}

const TONE_COLOR: Record<'normal' | 'help' | 'success' | 'warning', Color | undefined> = { normal: undefined, help: 'Accent', success: 'Good', warning: 'Warning' };

/** The OECD's words; in another language, our translation labelled as ours, then the original on a line of its own. */
function oecdCardText(value: string, translation: OecdTranslation | null | undefined, w: Words): string {
  return translation ? `${translation.text} _(${translation.label})_\n\n${w.t('chat.original', { text: value })}` : value;
}

function resultElements(result: ResultView, ctx: RenderContext, button: ReturnType<typeof chooser>, choices: readonly Choice[]): CardElement[] {
  const w = ctx.words;
  const els: CardElement[] = [heading(result.texts.heading)];
  if (result.unit) els.push(subtle(result.unit.label));
  els.push(text(w.t('teams.overall', { stage: result.overall.stageLabel }), { weight: 'Bolder', size: 'Medium' }), text(result.overall.explanation));
  const quote = (q: { short: string; answer: string }) => w.t('chat.quote', { short: q.short, answer: q.answer });
  const quotes = (label: string, list: ResultView['themes'][number]['strengths']) =>
    list.length > 0 ? [text(`${label} ${list.map(quote).join(' · ')}`, { size: 'Small' })] : [];
  for (const theme of result.themes) {
    // Themes are our grouping, not the OECD's: said under every title.
    els.push(text(w.t('teams.themeStage', { title: theme.title, stage: theme.stageLabel }), { weight: 'Bolder', separator: true }), subtle(result.texts.oursLabel), text(theme.explanation));
    els.push(...quotes(result.texts.strengthsLabel, theme.strengths), ...quotes(result.texts.becauseLabel, theme.holdingBack), ...quotes(result.texts.pendingLabel, theme.pending));
    if (theme.milestone) {
      const items = theme.milestone.items ?? theme.milestone.characteristics.map((value) => ({ text: value, translation: null }));
      els.push(text(`${result.texts.milestoneHeading} (${theme.milestone.stageLabel}):\n${items.map((c) => `- ${oecdCardText(c.text, c.translation, w).replace(/\n\n/g, '\n  ')}`).join('\n')}`, { size: 'Small' }));
    }
  }
  if (result.suggestions.length > 0) {
    els.push(text(result.texts.suggestionsHeading, { weight: 'Bolder', size: 'Medium', separator: true }));
    result.suggestions.forEach((s, i) => {
      // In another language: our translation labelled, the OECD's original under the OECD's label.
      if (s.translation) els.push(text(w.t('teams.suggestion', { index: i + 1, stage: s.stageLabel, text: `${s.translation.text} _(${s.translation.label})_` })), subtle(`${result.texts.oecdLabel}: ${s.text}`));
      else els.push(text(w.t('teams.suggestion', { index: i + 1, stage: s.stageLabel, text: s.text })), subtle(result.texts.oecdLabel));
      els.push(text(s.reason, { isSubtle: true }));
      if (s.because.length > 0) els.push(text(`${result.texts.becauseLabel} ${s.because.map(quote).join('; ')}`, { size: 'Small' }));
    });
  }
  if (result.contradictions.length > 0) {
    els.push(text(result.texts.contradictionsHeading, { weight: 'Bolder', separator: true }));
    for (const c of result.contradictions) els.push(text(`${c.text}${c.settlement.kind === 'kept' ? ` (${c.settlement.note})` : ''}`, { color: 'Warning', size: 'Small' }));
  }
  if (result.caveats.length > 0) {
    els.push(text(result.texts.caveatsHeading, { weight: 'Bolder', separator: true }));
    for (const caveat of result.caveats) els.push(text(caveat, { color: 'Warning', size: 'Small' }));
  }
  els.push(text(result.texts.sourceLabel, { isSubtle: true, size: 'Small', separator: true }));
  const actions: CardAction[] = choices.map((c) => button(c));
  // The full report is a web page at a private link, made on request (it can be shared, so not without asking).
  if (ctx.publicUrl) actions.push(execute(w.t('teams.fullReport'), { action: 'report-link', conversationId: ctx.ref.conversationId }));
  els.push(...actionRows(actions));
  return els;
}

function resumeElements(resume: { code: string; expiresAt: string; url?: string | undefined }, w: Words): { elements: CardElement[]; actions: CardAction[] } {
  return {
    elements: [text(w.t('teams.resumeHeading', { code: resume.code })), subtle(w.t('teams.resumeValid', { until: resume.expiresAt })), text(w.t('teams.resumeWhere', { code: resume.code }), { size: 'Small' })],
    actions: resume.url ? [{ type: 'Action.OpenUrl', title: w.t('teams.resumeOnWeb'), url: resume.url }] : [],
  };
}

/** A one-line headline of a message: what a consumed card keeps of it. */
function headlineOf(message: Message): string {
  switch (message.kind) {
    case 'question':
    case 'text':
    case 'review':
    case 'result':
    case 'paused':
    case 'progress':
    case 'error':
      return message.text;
  }
}

/** The card elements of one message of the model. */
export function messageElements(message: Message, ctx: RenderContext): CardElement[] {
  const w = ctx.words;
  const button = chooser(ctx, headlineOf(message));
  switch (message.kind) {
    case 'question': {
      const p = message.progress;
      const els: CardElement[] = [];
      // The opening question (what is assessed) has no theme and no number.
      if (p.index > 0) els.push(subtle(message.themeLabel), subtle(`${message.progressLabel} · ${progressBar(p.answered, p.total)} ${w.t('teams.answered', { answered: p.answered, total: p.total })}`));
      els.push(text(message.text, { weight: 'Bolder', size: 'Medium' }));
      if (message.currentAnswer) {
        els.push(text(w.t('teams.currentAnswer', { label: message.currentAnswer.label }), { size: 'Small' }));
        if (message.currentAnswer.note) els.push(subtle(w.t('teams.currentNote', { note: message.currentAnswer.note })));
      }
      els.push(...message.choices.map((c, i): ActionSet => ({ type: 'ActionSet', spacing: 'Small', actions: [button(c, `${i + 1}. ${c.label}`, c.kind === 'answer' ? 'positive' : undefined)] })));
      els.push(...actionRows(message.commands.map((c) => button(c))));
      els.push(subtle(message.hint));
      return els;
    }
    case 'text': {
      const color = TONE_COLOR[message.tone];
      return [text(message.text, color ? { color } : {}), ...choiceRows(message.choices ?? [], button, true)];
    }
    case 'progress':
      return [text(message.text), subtle(`${progressBar(message.progress.answered, message.progress.total)} ${message.progress.answered}/${message.progress.total}`)];
    case 'review': {
      const els: CardElement[] = [text(message.text)];
      // Numbered as questions are ("change 3"); the opening question (what is assessed) has no number.
      let n = 0;
      for (const item of message.items) {
        const number = item.questionId === UNIT_QUESTION_ID ? '–' : `${++n}.`;
        const answer = item.answered ? `→ **${item.answer}**` : `→ _${item.answer}_`;
        els.push({
          type: 'ColumnSet',
          separator: true,
          columns: [
            { type: 'Column', width: 'stretch', items: [text(`${number} ${item.question}`, { size: 'Small' }), text(answer, { size: 'Small', spacing: 'None' }), ...(item.note ? [subtle(w.t('teams.reviewNote', { note: item.note }))] : [])] },
            { type: 'Column', width: 'auto', verticalContentAlignment: 'Center', items: [{ type: 'ActionSet', actions: [button({ id: item.editChoiceId, label: w.t('teams.changeLabel', { question: item.question }), kind: 'command' }, w.t('teams.change'))] }] },
          ],
        });
      }
      for (const c of message.contradictions) els.push(text(c.text, { color: 'Warning', size: 'Small' }));
      els.push(...choiceRows(message.choices, button, false));
      return els;
    }
    case 'result':
      return resultElements(message.result, ctx, button, message.choices);
    case 'paused': {
      const resume = message.resume ? resumeElements(message.resume, w) : { elements: [], actions: [] };
      return [text(`💾 ${message.text}`), ...resume.elements, ...actionRows([...resume.actions, execute(w.t('teams.continueNow'), { action: 'continue' }, 'positive')])];
    }
    case 'error':
      return [text(message.text, { color: 'Attention' })];
  }
}

export function card(body: CardElement[], fallbackText?: string): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(fallbackText ? { fallbackText: clip(fallbackText, 1000) } : {}),
    msteams: { width: 'Full' },
  };
}

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * Renders a reply as cards: usually one, split between elements only when
 * it would exceed Teams' message size (the buttons stay in the last part).
 */
export function renderCards(messages: readonly Message[], ctx: RenderContext): AdaptiveCard[] {
  const elements = messages.flatMap((m, i) => {
    const els = messageElements(m, ctx);
    // A line between the messages of one reply.
    const [first, ...rest] = els;
    return i > 0 && first && first.type !== 'ColumnSet' ? [{ ...first, separator: true }, ...rest] : els;
  });
  const fallback = messages.map((m) => renderPlain(m, ctx.words)).join('\n\n');
  const cards: AdaptiveCard[] = [];
  let body: CardElement[] = [];
  for (const element of elements) {
    if (body.length > 0 && size(card([...body, element], fallback)) > CARD_BUDGET) {
      cards.push(card(body, fallback));
      body = [];
    }
    body.push(element);
  }
  if (body.length > 0 || cards.length === 0) cards.push(card(body, fallback));
  return cards;
}

/** A clicked card, updated: its buttons gone, what it asked and what was chosen (or why it is spent) in their place. */
export function consumedCard(note: string, title?: string): AdaptiveCard {
  return card([...(title ? [text(title, { isSubtle: true })] : []), text(note, { color: 'Good' })], note);
}

export function textCard(value: string, actions: CardAction[] = []): AdaptiveCard {
  return card([text(value), ...actionRows(actions)], value);
}

export function helpCard(w: Words, languages: string, prefix?: string): AdaptiveCard {
  const help = helpText(w, languages);
  return textCard(prefix ? `${prefix}\n\n${help}` : help);
}

/** The typed commands, named in this language (**aide**, **statut**…). */
export function helpText(w: Words, languages: string): string {
  const verb = (key: Parameters<Words['list']>[0]) => w.list(key)[0] ?? '';
  return [
    w.t('teams.help.intro'),
    `- **${verb('commands.start')}**: ${w.t('teams.help.start')}`,
    `- **${verb('commands.resume')} CODE**: ${w.t('teams.help.resume')}`,
    `- **${verb('commands.status')}**: ${w.t('teams.help.status')}`,
    `- **${verb('commands.report')}**: ${w.t('teams.help.report')}`,
    `- **${verb('commands.forgetMe')}**: ${w.t('teams.help.forgetMe')}`,
    `- **${verb('commands.language')} fr**: ${w.t('teams.help.language', { languages })}`,
    `- **${verb('commands.help')}**: ${w.t('teams.help.help')}`,
    w.t('teams.help.typing'),
  ].join('\n');
}

export function forgetConfirmCard(who: string, w: Words): AdaptiveCard {
  return textCard(w.t('teams.forgetAsk'), [execute(w.t('teams.forgetYes'), { action: 'forget-yes', who }, 'destructive'), execute(w.t('teams.forgetNo'), { action: 'forget-no', who })]);
}

export function statusCard(
  input: {
    status: 'active' | 'finished';
    progress: { index: number; total: number; answered: number };
    latestResult: ResultView | null;
    resume: { code: string; expiresAt: string; url?: string | undefined };
  },
  w: Words,
): AdaptiveCard {
  const p = input.progress;
  const where =
    input.status === 'finished' && input.latestResult
      ? w.t('teams.statusFinished', { stage: input.latestResult.overall.stageLabel })
      : p.index > 0
        ? w.t('teams.statusAt', { index: p.index, total: p.total, answered: p.answered })
        : w.t('teams.statusAnswered', { answered: p.answered, total: p.total });
  const els: CardElement[] = [text(where), subtle(`${progressBar(p.answered, p.total)} ${p.answered}/${p.total}`)];
  if (input.status === 'active' && input.latestResult) els.push(text(w.t('teams.statusLatest', { stage: input.latestResult.overall.stageLabel })));
  const resume = resumeElements(input.resume, w);
  els.push(...resume.elements, ...actionRows([...resume.actions, execute(w.t('teams.continueNow'), { action: 'continue' }, 'positive')]));
  return card(els, where);
}

export function reportLinkText(link: { url?: string | undefined; path: string; expiresAt: string }, w: Words): string {
  return link.url ? w.t('teams.reportLink', { url: link.url, until: link.expiresAt }) : w.t('teams.reportPath', { path: link.path, until: link.expiresAt });
}

/** The label a choice button shows (for the consumed card), from its data. */
export function choseNote(label: string, w: Words): string {
  return w.t('teams.youChose', { label });
}
