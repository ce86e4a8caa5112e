/**
 * The group report as Markdown (for documents and tickets), and a reader
 * for its tables, so that an export can be read back and checked. People's
 * words (notes, rationales, names, the round's name) are escaped as in the
 * individual report (markdown.ts): they render as typed, never as markup.
 */
import { escapeCell, escapeText, tableAfter } from './markdown.js';
import type { GroupReport, Standing } from './group-report.js';
import { fillText as f } from './group-strings.js';

type Labels = Record<string, string>;
const label = (labels: Labels, key: string) => labels[key] ?? key;
export const standingLabel = (labels: Labels, standing: Standing, agreed = false) =>
  agreed && standing === 'unknown' ? label(labels, 'standingAgreed_unknown') : label(labels, `standing_${standing}`);

const row = (cells: (string | number)[]) => `| ${cells.map((c) => escapeCell(String(c))).join(' | ')} |`;
const table = (head: string[], rows: (string | number)[][]) => [row(head), `| ${head.map(() => '---').join(' | ')} |`, ...rows.map(row)];

export function groupReportMarkdown(report: GroupReport): string {
  const L = report.labels;
  const t = (key: string, values: Record<string, string | number> = {}) => f(label(L, key), values);
  const groupLabel = new Map(report.groups.map((g) => [g.groupId, g.label]));
  const lines: string[] = [`# ${escapeText(report.round.name)}`, ''];
  const assessing = [report.round.assessing.name, report.round.assessing.unit?.label].filter(Boolean).join(' — ');
  lines.push(`- ${escapeText(t('assessing', { assessing }))}`);
  lines.push(`- ${escapeText(t('roundDates', { created: report.round.createdAt, closing: report.round.closesAt ? t(report.round.closed ? 'closedOn' : 'closesOn', { date: report.round.closesAt }) : t('openEnded') }))}`);
  const p = report.progress;
  lines.push(`- ${escapeText(t('progressSummary', { joined: p.joined, answering: p.answering, finished: p.finished, inPicture: p.inPicture }))}`);
  lines.push(`- ${escapeText(t('resultColumnAgreed'))}: **${escapeText(report.result.agreed.overall.stageLabel)}**`);
  lines.push(`- ${escapeText(t('resultColumnAnswers'))}: **${escapeText(report.result.fromAnswers.overall.stageLabel)}**`, '');
  if (p.waiting > 0) lines.push(escapeText(t('waiting', { waiting: p.waiting, min: report.privacy.minGroupSize })), '');
  if (p.inPicture === 0) lines.push(escapeText(t('noPicture', { min: report.privacy.minGroupSize })), '');

  lines.push(`## ${t('resultHeading')}`, '', escapeText(t('resultIntro')), '');
  lines.push(...table(
    [t('resultColumnTheme'), t('resultColumnAnswers'), t('resultColumnAgreed')],
    [
      ...report.result.agreed.themes.map((theme) => [theme.title, report.result.fromAnswers.themes.find((x) => x.themeId === theme.themeId)?.stageLabel ?? '', theme.stageLabel]),
      [t('overall'), report.result.fromAnswers.overall.stageLabel, report.result.agreed.overall.stageLabel],
    ],
  ), '', escapeText(t('consensusCount', { count: report.result.consensusCount, total: report.characteristics.length })), '');

  lines.push(`## ${t('perspectivesHeading')}`, '', escapeText(t('perspectivesIntro')), '');
  lines.push(...table(
    [t('perspectiveColumn'), t('respondentsColumn'), ...report.result.agreed.themes.map((x) => x.title), t('overall')],
    report.groups.map((g) => [g.label, g.respondents, ...g.stages.themes.map((x) => x.stageLabel), g.stages.overall.stageLabel]),
  ), '');

  lines.push(`## ${t('spreadHeading')}`, '', escapeText(t('spreadIntro')), '');
  lines.push(...table(
    [t('characteristicColumn'), t('perspectiveColumn'), t('standing_met'), t('standing_partial'), t('standing_unmet'), t('standing_unknown'), t('groupAnswerColumn')],
    report.characteristics.flatMap((c) => c.spread.map((s) => [c.label, groupLabel.get(s.groupId) ?? s.groupId, s.met, s.partial, s.unmet, s.unknown, standingLabel(L, s.fromAnswers)])),
  ), '');

  lines.push(`## ${t('agreedHeading')}`, '');
  lines.push(...table(
    [t('characteristicColumn'), t('disagreementColumn'), t('resultColumnAnswers'), t('resultColumnAgreed'), t('rationaleColumn')],
    report.characteristics.map((c) => [c.label, c.disagreement.toFixed(2), standingLabel(L, c.fromAnswers), standingLabel(L, c.agreed, c.consensus !== null), c.consensus?.rationale ?? '']),
  ), '');
  report.characteristics.forEach((c, i) => {
    const stage = report.labels[`stageName_${c.stage}`] ?? c.stage;
    // In another language: our labelled translation, then the OECD's original on a line of its own.
    if (c.translation) lines.push(`### ${i + 1}. ${escapeText(c.label)}`, '', `*${escapeText(t('oecdLabel', { stage }))}:* ${escapeText(c.translation.text)} *(${escapeText(c.translation.label)})*`, '', escapeText(f(report.labels.mdOriginal ?? '{text}', { text: c.text })), '');
    else lines.push(`### ${i + 1}. ${escapeText(c.label)}`, '', `*${escapeText(t('oecdLabel', { stage }))}:* ${escapeText(c.text)}`, '');
    lines.push(`- ${escapeText(t('disagreement', { value: c.disagreement.toFixed(2) }))}`);
    lines.push(`- ${escapeText(t('groupAnswer', { standing: standingLabel(L, c.fromAnswers) }))}`);
    if (c.consensus) {
      lines.push(`- ${escapeText(t('agreedAnswer', { standing: standingLabel(L, c.consensus.standing, true) }))}`);
      lines.push(`- ${escapeText(t('rationale', { rationale: c.consensus.rationale }))}`);
      const basis = c.consensus.basis;
      lines.push(`- ${escapeText(t('agreedWith', { date: c.consensus.recordedAt, count: basis.met + basis.partial + basis.unmet + basis.unknown }))}`);
    } else {
      lines.push(`- ${escapeText(t('noConsensus'))}`);
    }
    for (const note of c.notes) lines.push(`- ${escapeText(label(L, 'notesHeading'))}: “${escapeText(note.text)}” (${escapeText([note.by ?? t('anonymous'), note.group].filter(Boolean).join(', '))})`);
    lines.push('');
  });

  lines.push(`## ${t('progressHeading')}`, '');
  lines.push(...table([t('perspectiveColumn'), t('joinedColumn'), t('answeringColumn'), t('finishedColumn')], p.perspectives.map((x) => [x.label, x.joined, x.answering, x.finished])), '');
  if (p.named.length > 0) {
    lines.push(`## ${t('namedHeading')}`, '');
    lines.push(...table(
      [t('nameColumn'), t('unitColumn'), t('perspectiveColumn'), t('statusColumn'), t('sharesColumn')],
      p.named.map((n) => [n.name, n.unit ?? '', n.perspective, t(`status_${n.status}`), [n.sharesAnswers ? t('sharesAnswers') : '', n.sharesNotes ? t('sharesNotes') : ''].filter(Boolean).join(', ') || t('sharesNothing')]),
    ), '');
  }
  if (report.sharedAnswers.length > 0) {
    lines.push(`## ${t('sharedAnswersHeading')}`, '');
    const labelOf = new Map(report.characteristics.map((c) => [c.characteristicId, c.label]));
    lines.push(...table(
      [t('respondentColumn'), t('perspectiveColumn'), t('characteristicColumn'), t('resultColumnAnswers')],
      report.sharedAnswers.flatMap((a) => Object.entries(a.answers).map(([id, standing]) => [a.respondent ?? t('anonymous'), a.perspective, labelOf.get(id) ?? id, standingLabel(L, standing)])),
    ), '');
  }
  if (report.previous) {
    lines.push(`## ${t('previousHeading')}`, '', escapeText(t('previousIntro', { name: report.previous.name, date: report.previous.createdAt })), '');
    lines.push(...table(
      [t('resultColumnTheme'), t('beforeColumn'), t('nowColumn'), t('changeColumn')],
      [...report.previous.themes, { title: t('overall'), ...report.previous.overall }].map((x) => [x.title, x.from ?? '–', x.to ?? '–', t(`direction_${x.direction}`)]),
    ), '');
  }
  if (report.suggestions.length > 0) {
    lines.push(`## ${t('suggestionsHeading')}`, '');
    for (const s of report.suggestions) {
      const stage = report.labels[`stage_${s.stage}`] ?? s.stage;
      if (s.translation) lines.push(`- (${escapeText(stage)}) ${escapeText(s.translation.text)} *(${escapeText(s.translation.label)})*`, `  ${escapeText(f(report.labels.mdOriginal ?? '{text}', { text: s.text }))}`);
      else lines.push(`- (${escapeText(stage)}) ${escapeText(s.text)}`);
    }
    lines.push('');
  }
  lines.push(`## ${t('privacyHeading')}`, '', escapeText(report.privacy.explanation), '');
  lines.push('---', '', escapeText(label(L, 'sourceNote')), '', escapeText(t('generated', { date: report.generatedAt })), '');
  return lines.join('\n');
}

/** Reads back the tables of a Markdown group report: the result, the stage per group, the spread and the agreed answers. */
export function parseGroupReportMarkdown(markdown: string, labels: Labels) {
  const heading = (key: string) => `## ${label(labels, key)}`;
  return {
    result: tableAfter(markdown, heading('resultHeading')).map(([theme, fromAnswers, agreed]) => ({ theme: theme ?? '', fromAnswers: fromAnswers ?? '', agreed: agreed ?? '' })),
    groups: tableAfter(markdown, heading('perspectivesHeading')).map((cells) => ({ label: cells[0] ?? '', respondents: Number(cells[1]), stages: cells.slice(2) })),
    spread: tableAfter(markdown, heading('spreadHeading')).map(([characteristic, group, met, partial, unmet, unknown, answer]) => ({
      characteristic: characteristic ?? '', group: group ?? '', met: Number(met), partial: Number(partial), unmet: Number(unmet), unknown: Number(unknown), answer: answer ?? '',
    })),
    agreed: tableAfter(markdown, heading('agreedHeading')).map(([characteristic, disagreement, fromAnswers, agreed, rationale]) => ({
      characteristic: characteristic ?? '', disagreement: Number(disagreement), fromAnswers: fromAnswers ?? '', agreed: agreed ?? '', rationale: rationale ?? '',
    })),
  };
}
