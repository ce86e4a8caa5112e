/**
 * The full report as a self-contained HTML page (no script; a print
 * stylesheet so that "print to PDF" gives a clean document). Every text is
 * escaped: answers and notes are people's words, never markup.
 */
import type { StageId } from '../core/rubric/schema.js';
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
export function stageChartSvg(rows: { label: string; stage: StageId | null; stageLabel: string }[]): string {
  const width = 320;
  const rowHeight = 44;
  const height = rows.length * rowHeight + 18;
  const description = rows.map((r) => `${r.label}: ${r.stageLabel}`).join('; ');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="stage-chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(`Stage of development. ${description}`)}">`,
  ];
  ['Early', 'Intermediate', 'Advanced'].forEach((name, i) => {
    const x = ((i + 1) * width) / 3;
    parts.push(`<line x1="${x}" y1="18" x2="${x}" y2="${height - 16}" class="grid"/>`, `<text x="${x - 2}" y="${height - 3}" text-anchor="end" class="axis">${name}</text>`);
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
}

export function reportHtml(report: AssessmentReport, title: string, links: ReportPageLinks): string {
  const e = escapeHtml;
  const chart = stageChartSvg([
    ...report.themes.map((t) => ({ label: t.title, stage: t.stage, stageLabel: t.stageLabel })),
    { label: 'Overall', stage: report.overall.stage, stageLabel: report.overall.stageLabel },
  ]);
  const date = report.finishedAt ? new Date(report.finishedAt).toUTCString().replace(' GMT', ' UTC') : 'not finished';
  const section = (heading: string, body: string) => `<section><h2>${e(heading)}</h2>${body}</section>`;
  const changes = report.previous
    ? section(
        'Changes since your previous assessment',
        `<p>Previous assessment finished ${e(report.previous.finishedAt ?? 'at an unknown date')}.</p>${stackedTable(
          'changes',
          ['Theme', 'Before', 'Now', 'Change'].map((name, i) => ({ name, label: i > 0 })),
          [...report.previous.themes, { title: 'Overall', ...report.previous.overall }].map((t) => [e(t.title), e(t.from ?? '–'), e(t.to ?? '–'), e(t.direction)]),
          true,
        )}`,
      )
    : '';
  const label = (key: string) => e(report.labels[key] ?? '');
  const quotes = (key: string, list: { short: string; answer: string }[]) =>
    list.length > 0 ? `<p class="because-label">${label(key)}</p><ul class="because">${list.map((q) => `<li>${e(q.short)}: “${e(q.answer)}”</li>`).join('')}</ul>` : '';
  const themes = report.themes
    .map(
      (t) => `<article class="theme"><h3>${e(t.title)}: <span class="stage stage-${t.stage ?? 'none'}">${e(t.stageLabel)}</span></h3><p class="ours">${label('oursLabel')}</p><p>${e(t.explanation)}</p>${quotes('strengthsLabel', t.strengths)}${quotes('becauseLabel', t.holdingBack)}${quotes('pendingLabel', t.pending)}${
        t.milestone ? `<p class="milestone-heading">Next stage to aim for (${e(t.milestone.stageLabel)}, OECD characteristics):</p><ul class="milestone">${t.milestone.characteristics.map((c) => `<li>${e(c)}</li>`).join('')}</ul>` : ''
      }</article>`,
    )
    .join('');
  const answers = stackedTable(
    'answers',
    [
      { name: '#', label: false },
      { name: 'Question', label: false },
      { name: 'Answer', label: true },
      { name: 'Note or evidence', label: true },
    ],
    report.answers.map((a) => [String(a.number), e(a.question), e(a.answer || '(not answered)'), e(a.note)]),
  );
  const suggestions = `<ol class="suggestions">${report.suggestions
    .map(
      (s) => `<li class="suggestion"><p class="policy"><span class="stage stage-${s.stage}">${e(s.stage)}</span> ${e(s.text)}</p><p class="reason">${e(s.reason)}</p>${
        quotes('becauseLabel', s.because)
      }</li>`,
    )
    .join('')}</ol>`;
  return `<!doctype html>
<html lang="${e(report.assessment.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(title)} — report</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/report.css">
</head>
<body>
<main>
<header>
<p class="kicker">Govstage report</p>
<h1>${e(title)}</h1>
${report.assessment.unit ? `<p>${e(report.assessment.unit.label)}</p>` : ''}
<p>Finished ${e(date)}. Overall stage of development: <strong class="stage stage-${report.overall.stage ?? 'none'}">${e(report.overall.stageLabel)}</strong>.</p>
<nav class="downloads" aria-label="Download this report"><a href="${e(links.markdown)}" download>Markdown</a> <a href="${e(links.json)}" download>JSON</a> <a href="${e(links.csv)}" download>CSV of answers</a></nav>
</header>
${section('Stage of development', `<figure>${chart}<figcaption>${e(report.overall.explanation)}</figcaption></figure>${themes}`)}
${changes}
${report.contradictions.length > 0 ? section(report.labels.contradictionsHeading ?? '', `<ul>${report.contradictions.map((c) => `<li>${e(c.text)}${c.settlement.kind === 'kept' ? ` <em>(${e(c.settlement.note)})</em>` : ''}</li>`).join('')}</ul>`) : ''}
${section('Policies and practices to consider (OECD)', suggestions)}
${section('Your answers', answers)}
${report.caveats.length > 0 ? section('Caveats', `<ul>${report.caveats.map((c) => `<li>${e(c)}</li>`).join('')}</ul>`) : ''}
<footer><p>${e(report.source.note)}</p><p>Rubric ${e(report.assessment.rubricId)} version ${report.assessment.rubricVersion}; conversation ${e(report.assessment.flowId)} version ${report.assessment.flowVersion}. Report generated ${e(report.generatedAt)}.</p></footer>
</main>
</body>
</html>`;
}
