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

/** A horizontal bar per theme (and overall), 1 to 3 steps long; labelled for screen readers. */
export function stageChartSvg(rows: { label: string; stage: StageId | null; stageLabel: string }[]): string {
  const rowHeight = 34;
  const labelWidth = 250;
  const barWidth = 300;
  const height = rows.length * rowHeight + 30;
  const description = rows.map((r) => `${r.label}: ${r.stageLabel}`).join('; ');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="stage-chart" viewBox="0 0 ${labelWidth + barWidth + 20} ${height}" role="img" aria-label="${escapeHtml(`Stage of development. ${description}`)}">`,
  ];
  ['Early', 'Intermediate', 'Advanced'].forEach((name, i) => {
    const x = labelWidth + (i + 1) * (barWidth / 3);
    parts.push(`<line x1="${x}" y1="0" x2="${x}" y2="${height - 22}" class="grid"/>`, `<text x="${x - 4}" y="${height - 6}" text-anchor="end" class="axis">${name}</text>`);
  });
  rows.forEach((row, i) => {
    const y = i * rowHeight + 6;
    const width = row.stage ? (LEVEL[row.stage] * barWidth) / 3 : 0;
    parts.push(`<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end" class="label">${escapeHtml(row.label)}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y}" width="${width}" height="22" rx="3" class="bar bar-${row.stage ?? 'none'}"/>`);
    if (!row.stage) parts.push(`<text x="${labelWidth + 6}" y="${y + 16}" class="axis">${escapeHtml(row.stageLabel)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
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
        `<p>Previous assessment finished ${e(report.previous.finishedAt ?? 'at an unknown date')}.</p><table><thead><tr><th scope="col">Theme</th><th scope="col">Before</th><th scope="col">Now</th><th scope="col">Change</th></tr></thead><tbody>${[
          ...report.previous.themes,
          { title: 'Overall', ...report.previous.overall },
        ]
          .map((t) => `<tr><th scope="row">${e(t.title)}</th><td>${e(t.from ?? '–')}</td><td>${e(t.to ?? '–')}</td><td class="change-${t.direction}">${e(t.direction)}</td></tr>`)
          .join('')}</tbody></table>`,
      )
    : '';
  const themes = report.themes
    .map(
      (t) => `<article class="theme"><h3>${e(t.title)}: <span class="stage stage-${t.stage ?? 'none'}">${e(t.stageLabel)}</span></h3><p>${e(t.explanation)}</p>${
        t.milestone ? `<p class="milestone-heading">Next stage to aim for (${e(t.milestone.stageLabel)}, OECD characteristics):</p><ul class="milestone">${t.milestone.characteristics.map((c) => `<li>${e(c)}</li>`).join('')}</ul>` : ''
      }</article>`,
    )
    .join('');
  const answers = `<table class="answers"><thead><tr><th scope="col">#</th><th scope="col">Question</th><th scope="col">Answer</th><th scope="col">Note or evidence</th></tr></thead><tbody>${report.answers
    .map((a) => `<tr><td>${a.number}</td><td>${e(a.question)}</td><td>${e(a.answer || '(not answered)')}</td><td>${e(a.note)}</td></tr>`)
    .join('')}</tbody></table>`;
  const suggestions = `<ol class="suggestions">${report.suggestions
    .map(
      (s) => `<li class="suggestion"><p class="policy"><span class="stage stage-${s.stage}">${e(s.stage)}</span> ${e(s.text)}</p><p class="reason">${e(s.reason)}</p>${
        s.because.length > 0 ? `<p class="because-label">Because you said:</p><ul class="because">${s.because.map((b) => `<li>“${e(b.answer)}” to: ${e(b.question)}</li>`).join('')}</ul>` : ''
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
<p>Finished ${e(date)}. Overall stage of development: <strong class="stage stage-${report.overall.stage ?? 'none'}">${e(report.overall.stageLabel)}</strong>.</p>
<nav class="downloads" aria-label="Download this report"><a href="${e(links.markdown)}" download>Markdown</a> <a href="${e(links.json)}" download>JSON</a> <a href="${e(links.csv)}" download>CSV of answers</a></nav>
</header>
${section('Stage of development', `<figure>${chart}<figcaption>${e(report.overall.explanation)}</figcaption></figure>${themes}`)}
${changes}
${report.contradictions.length > 0 ? section('Answers that pull in different directions', `<ul>${report.contradictions.map((c) => `<li>${e(c.text)}</li>`).join('')}</ul>`) : ''}
${section('Policies and practices to consider (OECD)', suggestions)}
${section('Your answers', answers)}
${report.caveats.length > 0 ? section('Caveats', `<ul>${report.caveats.map((c) => `<li>${e(c)}</li>`).join('')}</ul>`) : ''}
<footer><p>${e(report.source.note)}</p><p>Rubric ${e(report.assessment.rubricId)} version ${report.assessment.rubricVersion}; conversation ${e(report.assessment.flowId)} version ${report.assessment.flowVersion}. Report generated ${e(report.generatedAt)}.</p></footer>
</main>
</body>
</html>`;
}
