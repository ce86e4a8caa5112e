/**
 * The coordinator's overview page (/admin.html), in the language of the
 * request (?locale=, else Accept-Language): its words are the catalogue's
 * `admin` section, written into the page as a JSON data block that admin.js
 * reads (a data block is not run, so the strict CSP allows it).
 */
import { escapeHtml } from '../../../reports/html.js';
import type { Words } from '../../../i18n/words.js';
import { pageHead } from '../page-head.js';

/** The id of the data block holding the page's words. */
export const WORDS_ID = 'govstage-words';

export function adminPageHtml(words: Words): string {
  const e = escapeHtml;
  const w = words;
  const th = (text: string) => `<th scope="col">${e(text)}</th>`;
  return `${pageHead({ locale: w.locale, title: w.t('admin.pageTitle'), stylesheets: ['/report.css'], script: '/admin.js', data: { id: WORDS_ID, value: w.section('admin') } })}
<body>
<main>
<header>
<p class="kicker">${e(w.t('admin.kicker'))}</p>
<h1>${e(w.t('admin.heading'))}</h1>
<p>${e(w.t('admin.lede'))} <a href="/group.html">${e(w.t('admin.groupLink'))}</a>.</p>
</header>
<form id="login">
<label for="token">${e(w.t('admin.token'))}</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">${e(w.t('admin.show'))}</button>
</form>
<p id="status" role="status" aria-live="polite"></p>
<section id="overview" hidden>
<h2>${e(w.t('admin.assessments'))}</h2>
<p id="counts"></p>
<h2>${e(w.t('admin.stages'))}</h2>
<div id="notes"></div>
<div id="distribution">
<div id="chart"></div>
<table id="table"><thead><tr>${[w.t('admin.theme'), w.t('admin.stage_early'), w.t('admin.stage_intermediate'), w.t('admin.stage_advanced'), w.t('admin.stage_undecided')].map(th).join('')}</tr></thead><tbody></tbody></table>
<p><button type="button" id="download">${e(w.t('admin.download'))}</button></p>
</div>
</section>
</main>
</body>
</html>`;
}
