/**
 * The report as Markdown, for pasting into documents and tickets, and a
 * reader for the parts that carry the result (stages and answers) so that an
 * export can be read back and checked. People's words (answers, notes) must
 * render as the literal text they typed, never as a link, image or markup:
 * every character that could start inline syntax is backslash-escaped, the
 * one escape Markdown itself defines (no HTML entities, which show up as
 * `&amp;` in the file). Table cells also turn line breaks into `<br>`.
 */
import type { AssessmentReport } from './report.js';

/**
 * Link and image brackets, raw HTML and `<autolinks>`, entities, emphasis,
 * code, pipes, strikethrough and math; and what GFM turns into links on its
 * own: the `:` of `scheme://`, the `.` of `www.`, the `@` of an address.
 * Block syntax (`#`, `-`, `>` at a line start) needs nothing: these texts
 * never start a line of their own.
 */
const MARKDOWN_SYNTAX = /[\\`*_[\]<&|~$@]|:(?=\/\/)|(?<=\bwww)\./gi;
export const escapeText = (text: string) => text.replace(MARKDOWN_SYNTAX, '\\$&');
export const escapeCell = (text: string) => escapeText(text).replace(/\r?\n/g, '<br>');
export const unescapeCell = (text: string) => text.replace(/\\([!-/:-@[-`{-~])|<br>/g, (_, escaped: string | undefined) => escaped ?? '\n');

export function reportMarkdown(report: AssessmentReport, title: string): string {
  const lines: string[] = [`# ${escapeText(title)}`, ''];
  lines.push(`- Finished: ${report.finishedAt ?? '(not finished)'}`, `- Report generated: ${report.generatedAt}`);
  if (report.assessment.unit) lines.push(`- Assessed: ${escapeText(report.assessment.unit.label)}`);
  lines.push(`- Overall stage: **${report.overall.stageLabel}**`, '', escapeText(report.overall.explanation), '');
  const label = (key: string) => escapeText(report.labels[key] ?? '');
  lines.push('## Stage per theme', '', `*${label('oursLabel')}: the themes.*`, '', '| Theme | Stage |', '| --- | --- |');
  for (const theme of report.themes) lines.push(`| ${escapeCell(theme.title)} | ${escapeCell(theme.stageLabel)} |`);
  lines.push('');
  const quotes = (key: string, list: { short: string; answer: string }[]) => {
    if (list.length === 0) return;
    lines.push(label(key), '');
    for (const q of list) lines.push(`- ${escapeText(q.short)}: “${escapeText(q.answer)}”`);
    lines.push('');
  };
  for (const theme of report.themes) {
    lines.push(`### ${escapeText(theme.title)}: ${escapeText(theme.stageLabel)}`, '', escapeText(theme.explanation), '');
    quotes('strengthsLabel', theme.strengths);
    quotes('becauseLabel', theme.holdingBack);
    quotes('pendingLabel', theme.pending);
  }
  if (report.previous) {
    lines.push('## Changes since the previous assessment', '', `Previous assessment finished: ${report.previous.finishedAt ?? 'unknown'}`, '', '| Theme | Before | Now | Change |', '| --- | --- | --- | --- |');
    for (const t of report.previous.themes) lines.push(`| ${escapeCell(t.title)} | ${t.from ?? '–'} | ${t.to ?? '–'} | ${t.direction} |`);
    lines.push(`| Overall | ${report.previous.overall.from ?? '–'} | ${report.previous.overall.to ?? '–'} | ${report.previous.overall.direction} |`, '');
  }
  lines.push('## Answers', '', '| # | Question | Answer | Note |', '| --- | --- | --- | --- |');
  for (const a of report.answers) lines.push(`| ${a.number} | ${escapeCell(a.question)} | ${escapeCell(a.answer)} | ${escapeCell(a.note)} |`);
  lines.push('');
  if (report.contradictions.length > 0) {
    lines.push(`## ${label('contradictionsHeading')}`, '');
    for (const c of report.contradictions) lines.push(`- ${escapeText(c.text)}${c.settlement.kind === 'kept' ? ` (${escapeText(c.settlement.note)})` : ''}`);
    lines.push('');
  }
  lines.push('## Policies and practices to consider (OECD)', '');
  report.suggestions.forEach((s, i) => {
    lines.push(`### ${i + 1}. ${escapeText(s.text)}`, '', `*${escapeText(s.reason)}*`, '');
    quotes('becauseLabel', s.because);
  });
  lines.push('## Next stage to aim for (OECD characteristics)', '');
  for (const theme of report.themes) {
    if (!theme.milestone) continue;
    lines.push(`**${escapeText(theme.title)}** (${theme.milestone.stageLabel}):`, '');
    for (const c of theme.milestone.characteristics) lines.push(`- ${escapeText(c)}`);
    lines.push('');
  }
  if (report.caveats.length > 0) {
    lines.push('## Caveats', '');
    for (const c of report.caveats) lines.push(`- ${escapeText(c)}`);
    lines.push('');
  }
  // Under a rule, not a "Source" heading: the note starts with its own "Source:".
  lines.push('---', '', escapeText(report.source.note), '', `Rubric ${report.assessment.rubricId} v${report.assessment.rubricVersion}, flow ${report.assessment.flowId} v${report.assessment.flowVersion}.`, '');
  return lines.join('\n');
}

/** The body rows of the first table under `heading` (cells unescaped). */
export function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('| ') || line.startsWith('| ---')) continue;
    rows.push(line.slice(2, -2).split(" | ").map(unescapeCell));
  }
  return rows.slice(1);
}

/** Reads back the overall stage, the stage per theme and the answers from a Markdown report. */
export function parseReportMarkdown(markdown: string): { overall: string; themes: { title: string; stage: string }[]; answers: { number: number; question: string; answer: string; note: string }[] } {
  const overall = /^- Overall stage: \*\*(.+)\*\*$/m.exec(markdown)?.[1] ?? '';
  return {
    overall,
    themes: tableAfter(markdown, '## Stage per theme').map(([title, stage]) => ({ title: title ?? '', stage: stage ?? '' })),
    answers: tableAfter(markdown, '## Answers').map(([n, question, answer, note]) => ({ number: Number(n), question: question ?? '', answer: answer ?? '', note: note ?? '' })),
  };
}
