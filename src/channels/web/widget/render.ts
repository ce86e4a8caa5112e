/**
 * Turns one message of the channel-neutral model into DOM. Pure DOM
 * building, no state: the controller decides what is enabled and where focus
 * goes. Buttons the person can answer with carry `data-choice` (the opaque id
 * sent back) and `data-label` (what their own bubble will say); the main
 * choices of a step sit in `.gs-choices`, where focus lands after a turn.
 */
import type { AnswerQuote, Choice, Message, OecdTranslation, ResultView, ThemeResultView } from '../../../core/messages.js';
import { h, svg, uid, type Child } from './dom.js';
import type { Strings } from './strings.js';
import type { InvitationInfo } from './api.js';

export interface RenderOptions {
  s: Strings;
  /** Rendering the saved transcript: buttons start disabled, spent resume codes are not shown. */
  history?: boolean;
}

const bubble = (cls: string, ...children: Child[]) => h('div', { class: `gs-msg gs-bot ${cls}` }, ...children);

function button(choice: Choice, cls: string, o: RenderOptions, label = choice.label, hidden?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: cls, 'data-choice': choice.id, 'data-label': label, disabled: o.history }, choice.label, hidden && h('span', { class: 'gs-vh' }, hidden));
  return b;
}

function choiceGroup(choices: Choice[], labelledBy: string, o: RenderOptions, current?: string): HTMLElement | null {
  if (choices.length === 0) return null;
  return h(
    'div',
    { class: 'gs-choices', role: 'group', 'aria-labelledby': labelledBy },
    ...choices.map((c) => {
      const b = button(c, 'gs-choice', o);
      if (c.id === current) b.classList.add('gs-chosen');
      return b;
    }),
  );
}

/** A progress bar whose fill width is a CSS custom property (CSSOM, so a strict CSP allows it). */
function bar(index: number, total: number, labelledBy: string, text: string): HTMLElement {
  const fill = h('span');
  fill.style.setProperty('--gs-p', `${Math.round((100 * Math.min(index, total)) / Math.max(total, 1))}%`);
  return h('div', { class: 'gs-bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': index, 'aria-valuetext': text, 'aria-labelledby': labelledBy }, fill);
}

const quoteList = (quotes: AnswerQuote[], s: Strings) => h('ul', null, ...quotes.map((q) => h('li', null, s.t('quoteShort', { short: q.short }), h('strong', null, s.t('quoted', { answer: q.answer })))));
/** A labelled list of answers, or nothing when there are none. */
const quotes = (label: string, list: AnswerQuote[], s: Strings) => (list.length > 0 ? [h('p', { class: 'gs-sub' }, label), quoteList(list, s)] : []);

const LEVEL: Record<string, number> = { early: 1, intermediate: 2, advanced: 3 };

/**
 * The OECD's words. In another language: our translation, labelled as ours
 * and unofficial, with the OECD's English original one click away.
 */
function oecd(tag: 'li' | 'blockquote', text: string, translation: OecdTranslation | null, s: Strings): HTMLElement {
  if (!translation) return h(tag, null, text);
  return h(
    tag,
    null,
    h('span', { lang: translation.locale }, translation.text),
    ' ',
    h('span', { class: 'gs-hint' }, `(${translation.label})`),
    h('details', { class: 'gs-orig' }, h('summary', null, s.t('oecdOriginal')), h('p', { lang: 'en' }, text)),
  );
}

/** Horizontal bars, one per theme, a third of the width per stage reached; `role="img"` with the same facts as its name. */
export function chart(themes: ThemeResultView[], s: Strings): SVGElement {
  const row = 42;
  const w = 300;
  const rows = themes.map((t, i) => {
    const y = i * row;
    const level = t.stage ? LEVEL[t.stage] ?? 0 : 0;
    return [
      svg('text', { x: 0, y: y + 13 }, `${t.title}: ${t.stageLabel}`),
      svg('rect', { class: 't', x: 0, y: y + 20, width: w, height: 14, rx: 3 }),
      level > 0 && svg('rect', { class: 'f', x: 0, y: y + 20, width: (w * level) / 3, height: 14, rx: 3 }),
      svg('path', { class: 'k', d: `M${w / 3} ${y + 20}v14M${(2 * w) / 3} ${y + 20}v14` }),
    ];
  });
  const label = s.t('chart', { list: themes.map((t) => `${t.title}: ${t.stageLabel}.`).join(' ') });
  return svg('svg', { class: 'gs-chart', role: 'img', 'aria-label': label, viewBox: `0 0 ${w} ${themes.length * row}`, focusable: 'false' }, ...rows.flat());
}

/**
 * The result, about 12 KB of text. The log (a polite live region) announces
 * only its heading and overall stage: the rest sits in a nested
 * `aria-live="off"` region (the nearest live setting applies), in the log to
 * read in order from the heading, where focus goes, but not read out in full.
 */
function result(r: ResultView, m: { text: string; choices: Choice[] }, o: RenderOptions): HTMLElement {
  const { s } = o;
  const headingId = uid();
  const t = r.texts;
  const list = (heading: string, items: string[]) => (items.length > 0 ? [h('h4', null, heading), h('ul', { class: 'gs-warn' }, ...items.map((text) => h('li', null, text)))] : []);
  return bubble(
    'gs-result',
    h('h3', { id: headingId, class: 'gs-rh', tabindex: -1 }, m.text || t.heading),
    h('p', { class: 'gs-overall' }, s.t('overall', { stage: r.overall.stageLabel })),
    h(
      'div',
      { 'aria-live': 'off' },
      h('p', null, r.overall.explanation),
      r.themes.length > 0 && chart(r.themes, s),
      ...r.themes.map((theme) =>
        h(
          'section',
          { class: 'gs-theme' },
          h('h4', null, theme.title),
          h('p', { class: 'gs-hint' }, t.oursLabel),
          h('p', { class: 'gs-badge' }, s.t('stage', { stage: theme.stageLabel })),
          h('p', null, theme.explanation),
          ...quotes(t.strengthsLabel, theme.strengths, s),
          ...quotes(t.becauseLabel, theme.holdingBack, s),
          ...quotes(t.pendingLabel, theme.pending, s),
          theme.milestone && h('p', { class: 'gs-sub' }, s.t('milestone', { heading: t.milestoneHeading, stage: theme.milestone.stageLabel })),
          // Results stored before translations had only the texts.
          theme.milestone && h('ul', null, ...(theme.milestone.items ?? theme.milestone.characteristics.map((text) => ({ text, translation: null }))).map((c) => oecd('li', c.text, c.translation, s))),
        ),
      ),
      r.suggestions.length > 0 && h('h4', null, t.suggestionsHeading),
      r.suggestions.length > 0 &&
        h(
          'ol',
          { class: 'gs-sugg' },
          ...r.suggestions.map((sg) =>
            h(
              'li',
              null,
              // The themes are named, labelled as ours, in the reason below.
              h('p', { class: 'gs-badge' }, sg.stageLabel),
              oecd('blockquote', sg.text, sg.translation ?? null, s),
              h('p', null, sg.reason),
              sg.because.length > 0 && h('p', { class: 'gs-sub' }, t.becauseLabel),
              sg.because.length > 0 && quoteList(sg.because, s),
            ),
          ),
        ),
      ...list(t.contradictionsHeading, r.contradictions.map((c) => (c.settlement.kind === 'kept' ? `${c.text} (${c.settlement.note})` : c.text))),
      ...list(t.caveatsHeading, r.caveats),
      h('p', { class: 'gs-source' }, t.sourceLabel),
      h(
        'div',
        { class: 'gs-report', role: 'group', 'aria-label': s.t('reportHeading') },
        h('button', { type: 'button', class: 'gs-cmd', 'data-action': 'report-link', disabled: o.history }, s.t('reportLink')),
        h('span', { class: 'gs-sub' }, ` ${s.t('download')} `),
        ...(['md', 'json', 'csv'] as const).map((format) => h('button', { type: 'button', class: 'gs-cmd', 'data-action': 'download', 'data-format': format, disabled: o.history }, s.t(format))),
      ),
      choiceGroup(m.choices, headingId, o),
    ),
  );
}

/** The shareable report link, once created (http(s) links only). */
export function reportLinkBlock(link: { href: string; expiresAt: string }, o: RenderOptions): HTMLElement {
  return bubble(
    'gs-report-link',
    h('p', null, h('a', { href: link.href, target: '_blank', rel: 'noopener' }, o.s.t('reportOpen'))),
    h('p', { class: 'gs-hint' }, o.s.t('reportValid', { date: link.expiresAt })),
  );
}

/** A resume code, shown big, with its expiry, how to use it and the link (http(s) only). */
export function resumeBlock(resume: { code: string; expiresAt: string; url?: string }, o: RenderOptions): Child[] {
  const { s } = o;
  const url = resume.url && /^https?:\/\//i.test(resume.url) ? resume.url : undefined;
  return [
    h('p', { class: 'gs-sub' }, s.t('codeHeading')),
    h(
      'p',
      null,
      h('span', { class: 'gs-code' }, resume.code),
      ' ',
      h('button', { type: 'button', class: 'gs-cmd', 'data-action': 'copy', 'data-code': resume.code, 'aria-label': s.t('copyLabel', { code: resume.code }) }, s.t('copy')),
      ' ',
      h('span', { class: 'gs-hint' }),
    ),
    h('p', null, s.t('codeValid', { date: resume.expiresAt })),
    h('p', null, s.t('codeHow')),
    url && h('p', null, `${s.t('codeLink')} `, h('a', { href: url, target: '_blank', rel: 'noopener' }, url)),
  ];
}

export function renderMessage(m: Message, o: RenderOptions): HTMLElement {
  const { s } = o;
  const id = uid();
  switch (m.kind) {
    case 'question': {
      const metaId = uid();
      // The opening question (what is assessed) has no number and no theme.
      const numbered = m.progress.index > 0;
      const meta = m.progressLabel;
      return bubble(
        'gs-q',
        numbered && h('p', { class: 'gs-meta', id: metaId }, m.themeLabel ? `${meta} · ${m.themeLabel}` : meta),
        numbered && bar(m.progress.index, m.progress.total, metaId, meta),
        h('p', { class: 'gs-text', id }, m.text),
        m.currentAnswer && h('p', { class: 'gs-cur' }, s.t('current', { answer: m.currentAnswer.label }), m.currentAnswer.note ? ` ${s.t('note', { note: m.currentAnswer.note })}` : ''),
        choiceGroup(m.choices, id, o, m.currentAnswer?.choiceId),
        m.commands.length > 0 && h('div', { class: 'gs-cmds', role: 'group', 'aria-label': s.t('more') }, ...m.commands.map((c) => button(c, 'gs-cmd', o))),
        h('p', { class: 'gs-hint' }, m.hint),
      );
    }
    case 'text':
      // A step that waits for typing (a note) is marked, so focus goes to the text box, not to its Back button.
      return bubble(m.awaitsText ? `gs-${m.tone} gs-type` : `gs-${m.tone}`, h('p', { id }, m.text), choiceGroup(m.choices ?? [], id, o));
    case 'progress': {
      const text = h('p', { id }, m.text);
      return bubble('gs-help', text, bar(m.progress.answered, m.progress.total, id, m.text));
    }
    case 'review': {
      // Numbered as the questions are: the opening question (what is assessed, id "unit") has no number.
      let n = 0;
      return bubble(
        'gs-review',
        h('p', { id }, m.text),
        h(
          'ol',
          { class: 'gs-items' },
          ...m.items.map((item) =>
            h(
              'li',
              null,
              item.themeLabel ? h('p', { class: 'gs-badge' }, item.themeLabel) : null,
              h('p', null, item.question),
              h('p', { class: item.answered ? 'gs-ans' : 'gs-ans gs-open' }, item.answer),
              item.note && h('p', { class: 'gs-cur' }, s.t('note', { note: item.note })),
              button({ id: item.editChoiceId, label: s.t('change'), kind: 'command' }, 'gs-cmd', o, s.t('changeLabel', { question: item.question }), item.questionId === 'unit' ? s.t('changeUnit') : s.t('changeHidden', { n: ++n })),
            ),
          ),
        ),
        m.contradictions.length > 0 && h('p', { class: 'gs-sub' }, s.t('contradictions')),
        m.contradictions.length > 0 && h('ul', { class: 'gs-warn' }, ...m.contradictions.map((c) => h('li', null, c.text))),
        choiceGroup(m.choices, id, o),
      );
    }
    case 'result':
      return result(m.result, m, o);
    case 'paused':
      // The server stores paused messages without their code (codes are shown once): in the history, say one was shown.
      return bubble('gs-paused', h('p', null, m.text), ...(o.history ? [h('p', { class: 'gs-hint' }, s.t('codeShown'))] : m.resume ? resumeBlock(m.resume, o) : []));
    case 'error':
      return h('div', { class: 'gs-msg gs-err' }, h('p', null, m.text));
    default: {
      // A kind this build does not know yet (the message model grows): show its text, if it has one.
      const text = (m as { text?: unknown }).text;
      return bubble('gs-normal', h('p', null, typeof text === 'string' ? text : ''));
    }
  }
}

/** A confirmation of the person's reply ("Noted", "Your note is saved"), shown under their own words. */
export const ackLine = (text: string): HTMLElement => h('p', { class: 'gs-ack' }, text);

export const userBubble = (text: string, s: Strings): HTMLElement => h('div', { class: 'gs-msg gs-user' }, h('span', { class: 'gs-vh' }, `${s.t('you')} `), text);

/** A polite error line in the log, with optional actions (retry, resume, start new). */
export function errorLine(text: string, actions: [string, () => void][] = []): HTMLElement {
  return h(
    'div',
    { class: 'gs-msg gs-err' },
    h('p', null, text),
    actions.length > 0 &&
      h(
        'div',
        { class: 'gs-cmds' },
        ...actions.map(([label, run]) => {
          const b = h('button', { type: 'button', class: 'gs-cmd' }, label);
          b.addEventListener('click', run);
          return b;
        }),
      ),
  );
}

/**
 * How a respondent joins a group round: the perspective they answer from
 * (required), and only if they choose, their name and unit and what to
 * show. Native controls in fieldsets, so it works with the keyboard alone.
 */
export function joinForm(info: InvitationInfo, o: RenderOptions): HTMLFormElement {
  const { s } = o;
  const id = uid();
  const field = (name: string, label: string) => {
    const inputId = uid();
    return h('p', null, h('label', { for: inputId }, label), h('input', { id: inputId, name, class: 'gs-input', maxlength: 80 }));
  };
  // The perspective is required: the browser itself says so, and focuses it, if none is chosen.
  const check = (type: string, name: string, label: string, value?: string) => h('label', { class: 'gs-check' }, h('input', { type, name, value, required: Boolean(value) }), ` ${label}`);
  const assessing = [info.assessing.name, info.assessing.unitLabel].filter(Boolean).join(', ');
  return h(
    'form',
    { class: 'gs-msg gs-bot gs-result gs-join', 'aria-labelledby': id },
    h('h3', { id, tabindex: -1 }, s.t('joinHeading', { name: info.name })),
    assessing && h('p', null, s.t('joinAssessing', { assessing })),
    h('fieldset', null, h('legend', null, s.t('joinPerspective')), ...info.perspectives.map((p) => check('radio', 'perspective', p.label, p.id))),
    field('name', s.t('joinName')),
    field('unit', s.t('joinUnit')),
    h('fieldset', null, h('legend', null, s.t('joinShare')), check('checkbox', 'shareNotes', s.t('joinShareNotes')), check('checkbox', 'shareAnswers', s.t('joinShareAnswers'))),
    h('p', { class: 'gs-hint' }, s.t('joinPrivacy', { min: info.minGroupSize })),
    h('button', { type: 'submit', class: 'gs-send' }, s.t('joinStart')),
  );
}
