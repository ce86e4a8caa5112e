/**
 * The group-round page (/group.html), in the language of the request
 * (?locale=, else Accept-Language): its words are the catalogue's
 * `groupReport` and `groupPage` sections, written into the page as a JSON
 * data block that group.js reads (a data block is not run, so the strict CSP
 * allows it). The page's own logic is in group.ts.
 */
import { escapeHtml } from '../../../reports/html.js';
import type { Words } from '../../../i18n/words.js';
import { pageHead } from '../page-head.js';

/** The id of the data block holding the page's words. */
export const WORDS_ID = 'govstage-group-words';

export function groupPageHtml(words: Words): string {
  const e = escapeHtml;
  return `${pageHead({
    locale: words.locale,
    title: `Govstage — ${words.t('groupPage.pageTitle')}`,
    stylesheets: ['/report.css', '/group.css'],
    script: '/group.js',
    data: { id: WORDS_ID, value: { ...words.section('groupReport'), ...words.section('groupPage') } },
    noReferrer: true,
  })}
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
