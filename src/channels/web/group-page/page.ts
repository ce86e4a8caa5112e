/**
 * The group-round page (/group.html), in the language of the request
 * (?locale=, else Accept-Language): its words are the catalogue's
 * `groupReport` and `groupPage` sections, written into the page as a JSON
 * data block that group.js reads (a data block is not run, so the strict CSP
 * allows it). The page's own logic is in group.ts.
 */
import { escapeHtml } from '../../../reports/html.js';
import type { Words } from '../../../i18n/words.js';

/** The id of the data block holding the page's words. */
export const WORDS_ID = 'govstage-group-words';

export function groupPageHtml(words: Words): string {
  const e = escapeHtml;
  // `<` escaped inside the data block, so no text can end it early.
  const data = JSON.stringify({ ...words.section('groupReport'), ...words.section('groupPage') }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="${e(words.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>${e(`Govstage — ${words.t('groupPage.pageTitle')}`)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/report.css">
<link rel="stylesheet" href="/group.css">
<script type="application/json" id="${WORDS_ID}">${data}</script>
<script src="/group.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${e(words.t('groupPage.skipToPage'))}</a>
<main id="main" tabindex="-1">
<header>
<p class="kicker">Govstage</p>
<h1 id="page-title">${e(words.t('groupPage.pageTitle'))}</h1>
</header>
<p id="status" role="status" aria-live="polite"></p>
<div id="app"><noscript>${e(words.t('groupPage.noScript'))}</noscript></div>
</main>
</body>
</html>`;
}
