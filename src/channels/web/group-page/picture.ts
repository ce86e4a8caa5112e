/**
 * The group picture on the coordinator's page, built from the GroupReport
 * the API returns (the same object every export is rendered from): who took
 * part, the result from the answers beside the agreed one, the spread per
 * characteristic and perspective where views differ most first, the stage
 * per perspective, and answers shown one by one by their authors' choice.
 * DOM only through `h`/`svg` (text as text nodes).
 */
import { BAR_WIDTH, countsText, segments } from '../../../reports/group-chart.js';
import type { GroupReport, Spread, Standing } from '../../../reports/group-report.js';
import { fillText, type GroupStrings } from '../../../reports/group-strings.js';
import { h, svg } from '../widget/dom.js';

export type Labels = GroupStrings;

export const standingText = (s: Labels, standing: Standing, agreed = false): string =>
  agreed && standing === 'unknown' ? s.standingAgreed_unknown : s[`standing_${standing}` as const];

/** A spread as a stacked bar; decorative (the same facts are in text next to it). */
export function spreadBar(spread: Spread): SVGElement {
  return svg(
    'svg',
    { class: 'spread', viewBox: `0 0 ${BAR_WIDTH} 12`, preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
    svg('rect', { x: 0, y: 0, width: BAR_WIDTH, height: 12, class: 'seg-empty' }),
    ...segments(spread).map((seg) => svg('rect', { x: seg.x, y: 0, width: seg.width, height: 12, class: `seg seg-${seg.key}` })),
  );
}

export function legend(s: Labels): HTMLElement {
  return h(
    'div',
    null,
    h('ul', { class: 'legend', 'aria-label': s.legend }, ...(['met', 'partial', 'unmet', 'unknown'] as const).map((k) => h('li', null, h('span', { class: `swatch seg-${k}`, 'aria-hidden': 'true' }), standingText(s, k)))),
    h('p', { class: 'hint' }, s.countsOrder),
  );
}

/** One cell of the heatmap: the bar, the group's answer and the counts, and a sentence for screen readers. */
export function spreadCell(s: Labels, groupLabel: string, spread: Spread & { fromAnswers: Standing }): Node[] {
  const total = spread.met + spread.partial + spread.unmet + spread.unknown;
  if (total === 0) return [h('span', { class: 'none' }, s.noAnswers)];
  return [
    spreadBar(spread),
    h('span', { class: 'cell-text', 'aria-hidden': 'true' }, h('strong', null, standingText(s, spread.fromAnswers)), ` ${countsText(spread)}`),
    h('span', { class: 'vh' }, fillText(s.cellSummary, { label: groupLabel, met: spread.met, partial: spread.partial, unmet: spread.unmet, unknown: spread.unknown })),
  ];
}

const table = (className: string, caption: string | null, head: string[], rows: (Node | string)[][][]): HTMLElement =>
  h(
    'table',
    { class: className },
    caption ? h('caption', null, caption) : null,
    h('thead', null, h('tr', null, ...head.map((text) => h('th', { scope: 'col' }, text)))),
    h('tbody', null, ...rows.map((cells) => h('tr', null, ...cells.map((content, i) => (i === 0 ? h('th', { scope: 'row' }, ...content) : h('td', null, ...content)))))),
  );

const stage = (view: { stage: string | null; stageLabel: string }, strong = false) => h(strong ? 'strong' : 'span', { class: `stage stage-${view.stage ?? 'none'}` }, view.stageLabel);

export function section(id: string, heading: string, ...children: (Node | null | false)[]): HTMLElement {
  return h('section', { 'aria-labelledby': id }, h('h2', { id, tabindex: -1 }, heading), ...children);
}

export function progressSection(report: GroupReport, s: Labels): HTMLElement {
  const p = report.progress;
  return section(
    'progress',
    s.progressHeading,
    h('p', null, fillText(s.progressSummary, { joined: p.joined, answering: p.answering, finished: p.finished, inPicture: p.inPicture })),
    p.waiting > 0 && h('p', null, fillText(s.waiting, { waiting: p.waiting, min: report.privacy.minGroupSize })),
    p.unreadable > 0 && h('p', null, fillText(s.unreadable, { count: p.unreadable })),
    h('div', { class: 'scroll' }, table('progress', null, [s.perspectiveColumn, s.joinedColumn, s.answeringColumn, s.finishedColumn], p.perspectives.map((x) => [[x.label], [String(x.joined)], [String(x.answering)], [String(x.finished)]]))),
    p.named.length > 0 && h('h3', null, s.namedHeading),
    p.named.length > 0 &&
      h(
        'div',
        { class: 'scroll' },
        table(
          'named',
          null,
          [s.nameColumn, s.unitColumn, s.perspectiveColumn, s.statusColumn, s.sharesColumn],
          p.named.map((n) => [[n.name], [n.unit ?? ''], [n.perspective], [s[`status_${n.status}`]], [[n.sharesAnswers ? s.sharesAnswers : '', n.sharesNotes ? s.sharesNotes : ''].filter(Boolean).join(', ') || s.sharesNothing]]),
        ),
      ),
  );
}

export function resultSection(report: GroupReport, s: Labels): HTMLElement {
  const r = report.result;
  return section(
    'result',
    s.resultHeading,
    h('p', null, s.resultIntro),
    table(
      'result',
      null,
      [s.resultColumnTheme, s.resultColumnAnswers, s.resultColumnAgreed],
      [
        ...r.agreed.themes.map((t) => {
          const from = r.fromAnswers.themes.find((x) => x.themeId === t.themeId);
          return [[t.title], [from ? stage(from) : ''], [stage(t, true)]];
        }),
        [[s.overall], [stage(r.fromAnswers.overall)], [stage(r.agreed.overall, true)]],
      ],
    ),
    h('p', null, fillText(s.consensusCount, { count: r.consensusCount, total: report.characteristics.length })),
  );
}

export function heatmapSection(report: GroupReport, s: Labels): HTMLElement {
  const labels = new Map(report.groups.map((g) => [g.groupId, g.label]));
  return section(
    'spread',
    s.spreadHeading,
    h('p', null, s.spreadIntro),
    report.progress.inPicture === 0 && h('p', { class: 'notice' }, fillText(s.noPicture, { min: report.privacy.minGroupSize })),
    legend(s),
    h(
      'div',
      { class: 'scroll' },
      table(
        'heatmap',
        s.heatmapCaption,
        [s.characteristicColumn, s.disagreementColumn, ...report.groups.map((g) => `${g.label} (${g.respondents})`)],
        report.characteristics.map((c) => [
          [c.label, ' ', h('span', { class: 'tag' }, c.stage)],
          [h('span', { class: 'disagreement' }, h('meter', { min: 0, max: 1, value: c.disagreement, 'aria-hidden': 'true' }), ` ${c.disagreement.toFixed(2)}`)],
          ...c.spread.map((sp) => spreadCell(s, labels.get(sp.groupId) ?? sp.groupId, sp)),
        ]),
      ),
    ),
  );
}

export function perspectivesSection(report: GroupReport, s: Labels): HTMLElement {
  return section(
    'perspectives',
    s.perspectivesHeading,
    h('p', null, s.perspectivesIntro),
    h(
      'div',
      { class: 'scroll' },
      table(
        'stages',
        null,
        [s.perspectiveColumn, s.respondentsColumn, ...report.result.agreed.themes.map((t) => t.title), s.overall],
        report.groups.map((g) => [[g.label], [String(g.respondents)], ...g.stages.themes.map((t) => [stage(t)]), [stage(g.stages.overall)]]),
      ),
    ),
  );
}

/** Answers their authors chose to show: one column per respondent, one row per characteristic (where views differ most first). */
export function sharedSection(report: GroupReport, s: Labels): HTMLElement | null {
  if (report.sharedAnswers.length === 0) return null;
  return section(
    'shared',
    s.sharedAnswersHeading,
    h(
      'div',
      { class: 'scroll' },
      table(
        'shared',
        null,
        [s.characteristicColumn, ...report.sharedAnswers.map((a) => `${a.respondent ?? s.anonymous} (${a.perspective})`)],
        report.characteristics.map((c) => [[c.label], ...report.sharedAnswers.map((a) => [standingText(s, a.answers[c.characteristicId] ?? 'unknown')])]),
      ),
    ),
  );
}

export function previousSection(report: GroupReport, s: Labels): HTMLElement | null {
  const prev = report.previous;
  if (!prev) return null;
  return section(
    'previous',
    s.previousHeading,
    h('p', null, fillText(s.previousIntro, { name: prev.name, date: new Date(prev.createdAt).toLocaleDateString() })),
    table(
      'changes',
      null,
      [s.resultColumnTheme, s.beforeColumn, s.nowColumn, s.changeColumn],
      [...prev.themes, { title: s.overall, ...prev.overall }].map((x) => [[x.title], [x.from ?? '–'], [x.to ?? '–'], [s[`direction_${x.direction}`]]]),
    ),
  );
}
