/**
 * The group report as a self-contained HTML page: no script, a print
 * stylesheet (print to PDF gives a clean document), every text escaped.
 * Rendered from the same GroupReport as every other view and export.
 */
import { escapeHtml as e } from './html.js';
import { BAR_WIDTH, countsText, segments } from './group-chart.js';
import type { GroupReport, Spread, Standing } from './group-report.js';
import { fillText } from './group-strings.js';
import { standingLabel } from './group-markdown.js';

export interface GroupPageLinks {
  markdown: string;
  json: string;
  csv: string;
}

const date = (iso: string) => new Date(iso).toUTCString().replace(' GMT', ' UTC');

/** A spread as a small stacked bar (decorative: the cell says the same in words for screen readers). */
export function spreadSvg(spread: Spread): string {
  const parts = segments(spread).map((s) => `<rect x="${s.x}" y="0" width="${s.width}" height="12" class="seg seg-${s.key}"/>`);
  return `<svg class="spread" viewBox="0 0 ${BAR_WIDTH} 12" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect x="0" y="0" width="${BAR_WIDTH}" height="12" class="seg-empty"/>${parts.join('')}</svg>`;
}

export function groupReportHtml(report: GroupReport, links: GroupPageLinks): string {
  const L = report.labels;
  const t = (key: string, values: Record<string, string | number> = {}) => fillText(L[key] ?? key, values);
  // The OECD's words; in another language, our labelled translation with the original one click away.
  const oecd = (text: string, translation: { text: string; label: string; locale: string } | null | undefined) =>
    translation ? `<span lang="${e(translation.locale)}">${e(translation.text)}</span> <span class="unofficial">(${e(translation.label)})</span><details class="original"><summary>${e(t('oecdOriginal'))}</summary><p lang="en">${e(text)}</p></details>` : e(text);
  const s = (standing: Standing, agreed = false) => standingLabel(L, standing, agreed);
  const section = (id: string, heading: string, body: string) => `<section aria-labelledby="${id}"><h2 id="${id}">${e(heading)}</h2>${body}</section>`;
  const table = (className: string, caption: string | null, head: string[], rows: string[][], rowHeaders = true) =>
    `<table class="${className}">${caption ? `<caption>${e(caption)}</caption>` : ''}<thead><tr>${head.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead><tbody>${rows
      .map((cells) => `<tr>${cells.map((c, i) => (i === 0 && rowHeaders ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`)
      .join('')}</tbody></table>`;
  const groupLabel = new Map(report.groups.map((g) => [g.groupId, g.label]));
  const p = report.progress;
  const min = report.privacy.minGroupSize;
  const assessing = [report.round.assessing.name, report.round.assessing.unit?.label].filter(Boolean).join(' — ');
  const closing = report.round.closesAt ? t(report.round.closed ? 'closedOn' : 'closesOn', { date: date(report.round.closesAt) }) : t('openEnded');

  const result = table(
    'result',
    null,
    [t('resultColumnTheme'), t('resultColumnAnswers'), t('resultColumnAgreed')],
    [
      ...report.result.agreed.themes.map((theme) => {
        const from = report.result.fromAnswers.themes.find((x) => x.themeId === theme.themeId);
        return [e(theme.title), `<span class="stage stage-${from?.stage ?? 'none'}">${e(from?.stageLabel ?? '')}</span>`, `<strong class="stage stage-${theme.stage ?? 'none'}">${e(theme.stageLabel)}</strong>`];
      }),
      [e(t('overall')), `<span class="stage stage-${report.result.fromAnswers.overall.stage ?? 'none'}">${e(report.result.fromAnswers.overall.stageLabel)}</span>`, `<strong class="stage stage-${report.result.agreed.overall.stage ?? 'none'}">${e(report.result.agreed.overall.stageLabel)}</strong>`],
    ],
  );

  const legend = `<ul class="legend" aria-label="${e(t('legend'))}">${(['met', 'partial', 'unmet', 'unknown'] as const).map((k) => `<li><span class="swatch seg-${k}" aria-hidden="true"></span>${e(s(k))}</li>`).join('')}</ul><p class="hint">${e(t('countsOrder'))}</p>`;
  const heatmap = table(
    'heatmap',
    t('heatmapCaption'),
    [t('characteristicColumn'), t('disagreementColumn'), ...report.groups.map((g) => `${g.label} (${g.respondents})`)],
    report.characteristics.map((c) => [
      `${e(c.label)} <span class="tag">${e(L[`stage_${c.stage}`] ?? c.stage)}</span>`,
      `<span class="disagreement"><meter min="0" max="1" value="${c.disagreement}" aria-hidden="true"></meter> ${c.disagreement.toFixed(2)}</span>`,
      ...c.spread.map((sp) => {
        const total = sp.met + sp.partial + sp.unmet + sp.unknown;
        const summary = t('cellSummary', { label: groupLabel.get(sp.groupId) ?? sp.groupId, met: sp.met, partial: sp.partial, unmet: sp.unmet, unknown: sp.unknown });
        return total === 0
          ? `<span class="none">${e(t('noAnswers'))}</span>`
          : `${spreadSvg(sp)}<span class="cell-text" aria-hidden="true"><strong>${e(s(sp.fromAnswers))}</strong> ${e(countsText(sp))}</span><span class="vh">${e(summary)}</span>`;
      }),
    ]),
  );

  const agreed = report.characteristics
    .map((c, i) => {
      const basis = c.consensus?.basis;
      return `<article class="characteristic"><h3>${i + 1}. ${e(c.label)}</h3><p class="ours">${e(t('oursLabel'))}</p><p class="oecd"><span class="oecd-label">${e(t('oecdLabel', { stage: L[`stageName_${c.stage}`] ?? c.stage }))}:</span> ${oecd(c.text, c.translation)}</p><p>${e(t('disagreement', { value: c.disagreement.toFixed(2) }))}. ${e(t('groupAnswer', { standing: s(c.fromAnswers) }))}.</p>${
        c.consensus && basis
          ? `<p class="agreed"><strong>${e(t('agreedAnswer', { standing: s(c.consensus.standing, true) }))}</strong></p><p>${e(t('rationale', { rationale: c.consensus.rationale }))}</p><p class="basis">${e(t('agreedWith', { date: date(c.consensus.recordedAt), count: basis.met + basis.partial + basis.unmet + basis.unknown }))}</p>`
          : `<p class="agreed">${e(t('noConsensus'))}</p>`
      }${c.notes.length > 0 ? `<p class="notes-label">${e(t('notesHeading'))}</p><ul class="notes">${c.notes.map((n) => `<li>“${e(n.text)}” <span class="by">(${e([n.by ?? t('anonymous'), n.group].filter(Boolean).join(', '))})</span></li>`).join('')}</ul>` : ''}</article>`;
    })
    .join('');

  const perspectives = table(
    'stages',
    null,
    [t('perspectiveColumn'), t('respondentsColumn'), ...report.result.agreed.themes.map((x) => x.title), t('overall')],
    report.groups.map((g) => [e(g.label), String(g.respondents), ...g.stages.themes.map((x) => `<span class="stage stage-${x.stage ?? 'none'}">${e(x.stageLabel)}</span>`), `<span class="stage stage-${g.stages.overall.stage ?? 'none'}">${e(g.stages.overall.stageLabel)}</span>`]),
  );

  const progress =
    `<p>${e(t('progressSummary', { joined: p.joined, answering: p.answering, finished: p.finished, inPicture: p.inPicture }))}</p>` +
    (p.waiting > 0 ? `<p>${e(t('waiting', { waiting: p.waiting, min }))}</p>` : '') +
    (p.unreadable > 0 ? `<p>${e(t('unreadable', { count: p.unreadable }))}</p>` : '') +
    table('progress', null, [t('perspectiveColumn'), t('joinedColumn'), t('answeringColumn'), t('finishedColumn')], p.perspectives.map((x) => [e(x.label), String(x.joined), String(x.answering), String(x.finished)])) +
    (p.named.length > 0
      ? `<h3>${e(t('namedHeading'))}</h3>${table(
          'named',
          null,
          [t('nameColumn'), t('unitColumn'), t('perspectiveColumn'), t('statusColumn'), t('sharesColumn')],
          p.named.map((n) => [e(n.name), e(n.unit ?? ''), e(n.perspective), e(t(`status_${n.status}`)), e([n.sharesAnswers ? t('sharesAnswers') : '', n.sharesNotes ? t('sharesNotes') : ''].filter(Boolean).join(', ') || t('sharesNothing'))]),
        )}`
      : '');

  const shared =
    report.sharedAnswers.length > 0
      ? section(
          'shared',
          t('sharedAnswersHeading'),
          `<div class="scroll">${table(
            'shared',
            null,
            [t('characteristicColumn'), ...report.sharedAnswers.map((a) => `${a.respondent ?? t('anonymous')} (${a.perspective})`)],
            report.characteristics.map((c) => [e(c.label), ...report.sharedAnswers.map((a) => e(s(a.answers[c.characteristicId] ?? 'unknown')))]),
          )}</div>`,
        )
      : '';
  const previous = report.previous
    ? section(
        'previous',
        t('previousHeading'),
        `<p>${e(t('previousIntro', { name: report.previous.name, date: date(report.previous.createdAt) }))}</p>${table(
          'changes',
          null,
          [t('resultColumnTheme'), t('beforeColumn'), t('nowColumn'), t('changeColumn')],
          [...report.previous.themes, { title: t('overall'), ...report.previous.overall }].map((x) => [e(x.title), e(x.from ?? '–'), e(x.to ?? '–'), e(t(`direction_${x.direction}`))]),
        )}`,
      )
    : '';
  const suggestions = report.suggestions.length > 0 ? section('suggestions', t('suggestionsHeading'), `<ul>${report.suggestions.map((x) => `<li><span class="stage stage-${x.stage}">${e(L[`stage_${x.stage}`] ?? x.stage)}</span> ${oecd(x.text, x.translation)}</li>`).join('')}</ul>`) : '';

  return `<!doctype html>
<html lang="${e(report.round.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(report.round.name)} — ${e(t('reportKicker'))}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/report.css">
<link rel="stylesheet" href="/group.css">
</head>
<body>
<main>
<header>
<p class="kicker">${e(t('reportKicker'))}</p>
<h1>${e(report.round.name)}</h1>
<p>${e(t('assessing', { assessing }))}</p>
<p>${e(t('roundDates', { created: date(report.round.createdAt), closing }))}</p>
<p>${e(t('resultColumnAgreed'))}: <strong class="stage stage-${report.result.agreed.overall.stage ?? 'none'}">${e(report.result.agreed.overall.stageLabel)}</strong>. ${e(t('resultColumnAnswers'))}: <span class="stage stage-${report.result.fromAnswers.overall.stage ?? 'none'}">${e(report.result.fromAnswers.overall.stageLabel)}</span>.</p>
<nav class="downloads" aria-label="${e(t('downloads'))}"><a href="${e(links.markdown)}" download>${e(t('markdown'))}</a> <a href="${e(links.json)}" download>${e(t('json'))}</a> <a href="${e(links.csv)}" download>${e(t('csv'))}</a></nav>
</header>
${p.inPicture === 0 ? `<p class="notice">${e(t('noPicture', { min }))}</p>` : ''}
${section('result', t('resultHeading'), `<p>${e(t('resultIntro'))}</p>${result}<p>${e(t('consensusCount', { count: report.result.consensusCount, total: report.characteristics.length }))}</p>`)}
${section('spread', t('spreadHeading'), `<p>${e(t('spreadIntro'))}</p>${legend}<div class="scroll">${heatmap}</div>`)}
${section('agreed', t('agreedHeading'), agreed)}
${section('perspectives', t('perspectivesHeading'), `<p>${e(t('perspectivesIntro'))}</p><div class="scroll">${perspectives}</div>`)}
${section('progress', t('progressHeading'), progress)}
${shared}
${previous}
${suggestions}
${section('privacy', t('privacyHeading'), `<p>${e(report.privacy.explanation)}</p>`)}
<footer><p>${e(L.sourceNote ?? '')}</p><p>${e(t('generated', { date: date(report.generatedAt) }))}</p></footer>
</main>
</body>
</html>`;
}
