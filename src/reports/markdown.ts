/**
 * The report as Markdown, for pasting into documents and tickets, and a
 * reader for the parts that carry the result (stages and answers) so that an
 * export can be read back and checked. People's words (answers, notes) must
 * render as the literal text they typed, never as a link, image or markup:
 * every character that could start inline syntax is backslash-escaped, the
 * one escape Markdown itself defines (no HTML entities, which show up as
 * `&amp;` in the file). Table cells also turn line breaks into `<br>`.
 */
import type { Words } from '../i18n/words.js';
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

const DIRECTION = { up: 'report.direction.up', down: 'report.direction.down', same: 'report.direction.same', unknown: 'report.direction.unknown' } as const;

/** The report as Markdown, in the report's language (`words`: the catalogue of that locale). */
export function reportMarkdown(report: AssessmentReport, title: string, words: Words): string {
  const w = words;
  const x = escapeText;
  const lines: string[] = [`# ${x(title)}`, ''];
  const stageName = (stage: string | null) => (stage ? report.labels[`stage.${stage}`] ?? stage : w.t('report.notDecided'));
  lines.push(`- ${x(report.finishedAt ? w.t('report.md.finished', { date: report.finishedAt }) : w.t('report.md.notFinished'))}`, `- ${x(w.t('report.md.generated', { date: report.generatedAt }))}`);
  if (report.assessment.unit) lines.push(`- ${x(w.t('report.md.assessed', { unit: report.assessment.unit.label }))}`);
  lines.push(`- ${x(w.t('report.md.overall'))} **${x(report.overall.stageLabel)}**`, '', x(report.overall.explanation), '');
  const label = (key: string) => x(report.labels[key] ?? '');
  const header = (...cells: string[]) => [`| ${cells.map(escapeCell).join(' | ')} |`, `| ${cells.map(() => '---').join(' | ')} |`];
  lines.push(`## ${x(w.t('report.md.stagePerTheme'))}`, '', `*${x(w.t('report.md.themesAreOurs', { oursLabel: report.labels.oursLabel ?? '' }))}*`, '', ...header(w.t('report.theme'), w.t('report.md.stage')));
  for (const theme of report.themes) lines.push(`| ${escapeCell(theme.title)} | ${escapeCell(theme.stageLabel)} |`);
  lines.push('');
  const quotes = (key: string, list: { short: string; answer: string }[]) => {
    if (list.length === 0) return;
    lines.push(label(key), '');
    for (const q of list) lines.push(`- ${x(w.t('report.quote', { short: q.short, answer: q.answer }))}`);
    lines.push('');
  };
  /** The OECD's words; in another language, our translation labelled as such, the original on the next line. */
  const oecd = (text: string, translation: AssessmentReport['suggestions'][number]['translation'] | undefined, indent = '') =>
    translation ? [`${x(translation.text)} *${x(w.t('report.unofficial', { label: translation.label }))}*`, `${indent}${x(w.t('report.md.original', { text }))}`] : [x(text)];
  for (const theme of report.themes) {
    lines.push(`### ${x(w.t('report.themeHeading', { title: theme.title, stage: theme.stageLabel }))}`, '', x(theme.explanation), '');
    quotes('strengthsLabel', theme.strengths);
    quotes('becauseLabel', theme.holdingBack);
    quotes('pendingLabel', theme.pending);
  }
  if (report.previous) {
    lines.push(`## ${x(w.t('report.md.changesHeading'))}`, '', x(report.previous.finishedAt ? w.t('report.md.previousFinished', { date: report.previous.finishedAt }) : w.t('report.previousUnknown')), '', ...header(w.t('report.theme'), w.t('report.before'), w.t('report.now'), w.t('report.change')));
    for (const t of [...report.previous.themes, { title: w.t('report.overall'), ...report.previous.overall }]) lines.push(`| ${escapeCell(t.title)} | ${escapeCell(stageName(t.from))} | ${escapeCell(stageName(t.to))} | ${escapeCell(w.t(DIRECTION[t.direction]))} |`);
    lines.push('');
  }
  lines.push(`## ${x(w.t('report.md.answersHeading'))}`, '', ...header(w.t('report.number'), w.t('report.question'), w.t('report.answer'), w.t('report.md.note')));
  for (const a of report.answers) lines.push(`| ${a.number} | ${escapeCell(a.question)} | ${escapeCell(a.answer)} | ${escapeCell(a.note)} |`);
  lines.push('');
  if (report.contradictions.length > 0) {
    lines.push(`## ${label('contradictionsHeading')}`, '');
    for (const c of report.contradictions) lines.push(`- ${x(c.text)}${c.settlement.kind === 'kept' ? ` (${x(c.settlement.note)})` : ''}`);
    lines.push('');
  }
  lines.push(`## ${label('suggestionsHeading')}`, '');
  report.suggestions.forEach((s, i) => {
    const [first, ...rest] = oecd(s.text, s.translation);
    lines.push(`### ${i + 1}. ${first}`, '', ...rest.flatMap((line) => [line, '']), `*${x(s.reason)}*`, '');
    quotes('becauseLabel', s.because);
  });
  lines.push(`## ${x(w.t('report.md.milestones'))}`, '');
  for (const theme of report.themes) {
    if (!theme.milestone) continue;
    lines.push(`**${x(theme.title)}** (${x(theme.milestone.stageLabel)}):`, '');
    const items = theme.milestone.items ?? theme.milestone.characteristics.map((text) => ({ text, translation: null }));
    for (const c of items) {
      const [first, ...rest] = oecd(c.text, c.translation, '  ');
      lines.push(`- ${first}`, ...rest);
    }
    lines.push('');
  }
  if (report.caveats.length > 0) {
    lines.push(`## ${label('caveatsHeading')}`, '');
    for (const c of report.caveats) lines.push(`- ${x(c)}`);
    lines.push('');
  }
  // Under a rule, not a "Source" heading: the note starts with its own "Source:".
  lines.push('---', '', x(report.source.note), '');
  if (report.suggestions.some((s) => s.translation)) lines.push(x(w.t('report.translationNote')), '');
  lines.push(x(w.t('report.md.versions', { rubricId: report.assessment.rubricId, rubricVersion: report.assessment.rubricVersion, flowId: report.assessment.flowId, flowVersion: report.assessment.flowVersion })), '');
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

/** Reads back the overall stage, the stage per theme and the answers from a Markdown report written with `words`. */
export function parseReportMarkdown(markdown: string, words: Words): { overall: string; themes: { title: string; stage: string }[]; answers: { number: number; question: string; answer: string; note: string }[] } {
  const lead = `- ${escapeText(words.t('report.md.overall'))} **`;
  const line = markdown.split('\n').find((l) => l.startsWith(lead) && l.endsWith('**'));
  return {
    overall: line ? unescapeCell(line.slice(lead.length, -2)) : '',
    themes: tableAfter(markdown, `## ${escapeText(words.t('report.md.stagePerTheme'))}`).map(([title, stage]) => ({ title: title ?? '', stage: stage ?? '' })),
    answers: tableAfter(markdown, `## ${escapeText(words.t('report.md.answersHeading'))}`).map(([n, question, answer, note]) => ({ number: Number(n), question: question ?? '', answer: answer ?? '', note: note ?? '' })),
  };
}
