/**
 * The full report as a self-contained HTML page (no script; a print
 * stylesheet so that "print to PDF" gives a clean document). Every text is
 * escaped: answers and notes are people's words, never markup.
 */
import type { StageId } from '../core/rubric/schema.js';
import type { Words } from '../i18n/words.js';
import type { AssessmentReport } from './report.js';

export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const LEVEL: Record<StageId, number> = { early: 1, intermediate: 2, advanced: 3 };

/**
 * A horizontal bar per theme (and overall), 1 to 3 steps long; labelled for
 * screen readers. Each label sits above its bar, so the drawing is narrow
 * (320 units): on a phone it is drawn at about its own size, and its text
 * stays at its font size instead of shrinking with a wide drawing.
 */
export function stageChartSvg(rows: { label: string; stage: StageId | null; stageLabel: string }[], axis: readonly [string, string, string], label: (description: string) => string): string {
  const width = 320;
  const rowHeight = 44;
  const height = rows.length * rowHeight + 18;
  const description = rows.map((r) => `${r.label}: ${r.stageLabel}`).join('; ');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="stage-chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(label(description))}">`,
  ];
  axis.forEach((name, i) => {
    const x = ((i + 1) * width) / 3;
    parts.push(`<line x1="${x}" y1="18" x2="${x}" y2="${height - 16}" class="grid"/>`, `<text x="${x - 2}" y="${height - 3}" text-anchor="end" class="axis">${escapeHtml(name)}</text>`);
  });
  rows.forEach((row, i) => {
    const y = i * rowHeight;
    const barWidth = row.stage ? (LEVEL[row.stage] * width) / 3 : 0;
    parts.push(`<text x="0" y="${y + 14}" class="label">${escapeHtml(row.label)}</text>`);
    parts.push(`<rect x="0" y="${y + 20}" width="${barWidth}" height="18" rx="3" class="bar bar-${row.stage ?? 'none'}"/>`);
    if (!row.stage) parts.push(`<text x="6" y="${y + 34}" class="axis">${escapeHtml(row.stageLabel)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * A data table that a narrow screen shows as one block per row (report.css,
 * `.stack`), each cell after its column's name (`data-label`; none for a
 * number column). Cells are HTML, already escaped. The explicit roles keep
 * the table's semantics in browsers that drop them once a table is no longer
 * displayed as one.
 */
function stackedTable(className: string, columns: { name: string; label: boolean }[], rows: string[][], rowHeaders = false): string {
  const head = columns.map((c) => `<th scope="col" role="columnheader">${escapeHtml(c.name)}</th>`).join('');
  const body = rows
    .map((cells) => {
      const row = cells.map((html, i) => {
        const column = columns[i];
        const label = column?.label ? ` data-label="${escapeHtml(column.name)}"` : '';
        return i === 0 && rowHeaders ? `<th scope="row" role="rowheader"${label}>${html}</th>` : `<td role="cell"${label}>${html}</td>`;
      });
      return `<tr role="row">${row.join('')}</tr>`;
    })
    .join('');
  return `<table class="stack ${className}" role="table"><thead role="rowgroup"><tr role="row">${head}</tr></thead><tbody role="rowgroup">${body}</tbody></table>`;
}

export interface ReportPageLinks {
  markdown: string;
  json: string;
  csv: string;
  /** The same report in the other languages offered: its name in its own language and where it is. */
  languages?: { locale: string; name: string; href: string }[];
}

const DIRECTION = { up: 'report.direction.up', down: 'report.direction.down', same: 'report.direction.same', unknown: 'report.direction.unknown' } as const;

/**
 * The OECD's words. In another language: our translation, labelled as ours
 * and unofficial, with the OECD's English original one click away.
 */
export function oecdHtml(text: string, translation: AssessmentReport['suggestions'][number]['translation'] | undefined, words: Words): string {
  const e = escapeHtml;
  if (!translation) return e(text);
  return `<span lang="${e(translation.locale)}">${e(translation.text)}</span> <span class="unofficial">${e(words.t('report.unofficial', { label: translation.label }))}</span><details class="original"><summary>${e(words.t('report.oecdOriginal'))}</summary><p lang="en">${e(text)}</p></details>`;
}

/** The report page in the report's language (`words`: the catalogue of that locale). */
export function reportHtml(report: AssessmentReport, title: string, links: ReportPageLinks, words: Words): string {
  const e = escapeHtml;
  const w = words;
  const label = (key: string) => e(report.labels[key] ?? '');
  const stageName = (stage: StageId | null) => report.labels[`stage.${stage ?? 'undecided'}`] ?? stage ?? '';
  const chart = stageChartSvg(
    [
      ...report.themes.map((t) => ({ label: t.title, stage: t.stage, stageLabel: t.stageLabel })),
      { label: w.t('report.overall'), stage: report.overall.stage, stageLabel: report.overall.stageLabel },
    ],
    [stageName('early'), stageName('intermediate'), stageName('advanced')],
    (description) => w.t('report.chartLabel', { description }),
  );
  const finished = report.finishedAt ? w.t('report.finished', { date: report.finishedAt }) : w.t('report.notFinished');
  const section = (heading: string, body: string) => `<section><h2>${e(heading)}</h2>${body}</section>`;
  const changes = report.previous
    ? section(
        w.t('report.changesHeading'),
        `<p>${e(report.previous.finishedAt ? w.t('report.previousFinished', { date: report.previous.finishedAt }) : w.t('report.previousUnknown'))}</p>${stackedTable(
          'changes',
          [w.t('report.theme'), w.t('report.before'), w.t('report.now'), w.t('report.change')].map((name, i) => ({ name, label: i > 0 })),
          [...report.previous.themes, { title: w.t('report.overall'), ...report.previous.overall }].map((t) => [
            e(t.title),
            e(t.from ? stageName(t.from) : w.t('report.notDecided')),
            e(t.to ? stageName(t.to) : w.t('report.notDecided')),
            e(w.t(DIRECTION[t.direction])),
          ]),
          true,
        )}`,
      )
    : '';
  const quotes = (key: string, list: { short: string; answer: string }[]) =>
    list.length > 0 ? `<p class="because-label">${label(key)}</p><ul class="because">${list.map((q) => `<li>${e(w.t('report.quote', { short: q.short, answer: q.answer }))}</li>`).join('')}</ul>` : '';
  // A message around markup: formatted with markers where the markup goes, escaped, then the markup put in.
  const themeHeading = (title: string, stageHtml: string) => e(w.t('report.themeHeading', { title: '\u0001', stage: '\u0002' })).replace('\u0001', e(title)).replace('\u0002', stageHtml);
  const themes = report.themes
    .map((t) => {
      const items = t.milestone ? t.milestone.items ?? t.milestone.characteristics.map((text) => ({ text, translation: null })) : [];
      return `<article class="theme"><h3>${themeHeading(t.title, `<span class="stage stage-${t.stage ?? 'none'}">${e(t.stageLabel)}</span>`)}</h3><p class="ours">${label('oursLabel')}</p><p>${e(t.explanation)}</p>${quotes('strengthsLabel', t.strengths)}${quotes('becauseLabel', t.holdingBack)}${quotes('pendingLabel', t.pending)}${
        t.milestone ? `<p class="milestone-heading">${e(w.t('report.milestone', { stage: t.milestone.stageLabel }))}</p><ul class="milestone">${items.map((c) => `<li>${oecdHtml(c.text, c.translation, w)}</li>`).join('')}</ul>` : ''
      }</article>`;
    })
    .join('');
  const answers = stackedTable(
    'answers',
    [
      { name: w.t('report.number'), label: false },
      { name: w.t('report.question'), label: false },
      { name: w.t('report.answer'), label: true },
      { name: w.t('report.noteColumn'), label: true },
    ],
    report.answers.map((a) => [String(a.number), e(a.question), e(a.answer || w.t('report.notAnswered')), e(a.note)]),
  );
  const suggestions = `<ol class="suggestions">${report.suggestions
    .map(
      (s) => `<li class="suggestion"><p class="policy"><span class="stage stage-${s.stage}">${e(stageName(s.stage))}</span> ${oecdHtml(s.text, s.translation, w)}</p><p class="reason">${e(s.reason)}</p>${quotes('becauseLabel', s.because)}</li>`,
    )
    .join('')}</ol>`;
  const translated = report.suggestions.some((s) => s.translation) || report.themes.some((t) => t.milestone?.items?.some((i) => i.translation));
  const otherLanguages = (links.languages ?? []).map((l) => `<a href="${e(l.href)}" hreflang="${e(l.locale)}" lang="${e(l.locale)}">${e(w.t('report.otherLanguage', { language: l.name }))}</a>`).join(' ');
  return `<!doctype html>
<html lang="${e(report.assessment.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(w.t('report.pageTitle', { title }))}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/report.css">
</head>
<body>
<main>
<header>
<p class="kicker">${e(w.t('report.kicker'))}</p>
<h1>${e(title)}</h1>
${report.assessment.unit ? `<p>${e(report.assessment.unit.label)}</p>` : ''}
<p>${e(finished)} ${e(w.t('report.overallStage'))} <strong class="stage stage-${report.overall.stage ?? 'none'}">${e(report.overall.stageLabel)}</strong>.</p>
<nav class="downloads" aria-label="${e(w.t('report.downloads'))}"><a href="${e(links.markdown)}" download>${e(w.t('report.markdown'))}</a> <a href="${e(links.json)}" download>${e(w.t('report.json'))}</a> <a href="${e(links.csv)}" download>${e(w.t('report.csv'))}</a>${otherLanguages ? ` <span class="languages">${otherLanguages}</span>` : ''}</nav>
</header>
${section(w.t('report.stageSection'), `<figure>${chart}<figcaption>${e(report.overall.explanation)}</figcaption></figure>${themes}`)}
${changes}
${report.contradictions.length > 0 ? section(report.labels.contradictionsHeading ?? '', `<ul>${report.contradictions.map((c) => `<li>${e(c.text)}${c.settlement.kind === 'kept' ? ` <em>(${e(c.settlement.note)})</em>` : ''}</li>`).join('')}</ul>`) : ''}
${section(report.labels.suggestionsHeading ?? '', suggestions)}
${section(w.t('report.answersHeading'), answers)}
${report.caveats.length > 0 ? section(report.labels.caveatsHeading ?? '', `<ul>${report.caveats.map((c) => `<li>${e(c)}</li>`).join('')}</ul>`) : ''}
<footer><p>${e(report.source.note)}</p>${translated ? `<p>${e(w.t('report.translationNote'))}</p>` : ''}<p>${e(w.t('report.versions', { rubricId: report.assessment.rubricId, rubricVersion: report.assessment.rubricVersion, flowId: report.assessment.flowId, flowVersion: report.assessment.flowVersion, generated: report.generatedAt }))}</p></footer>
</main>
</body>
</html>`;
}
