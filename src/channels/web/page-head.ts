/**
 * The head of our own HTML pages (the coordinator's overview, the group
 * round page): their strict CSP allows only our stylesheets and one
 * deferred script, and the page's words travel as a JSON data block the
 * script reads (a data block is not run, so the CSP allows it).
 */
import { escapeHtml as e } from '../../reports/html.js';

export interface PageHead {
  locale: string;
  title: string;
  stylesheets: readonly string[];
  script: string;
  /** The data block: its element id and what it holds. */
  data: { id: string; value: unknown };
  /** Sends no Referer from the page (its URL fragment holds a capability). */
  noReferrer?: boolean;
}

/** From the doctype to `</head>`. */
export function pageHead(head: PageHead): string {
  // `<` escaped inside the data block, so no text can end it early.
  const data = JSON.stringify(head.data.value).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="${e(head.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${head.noReferrer ? '<meta name="referrer" content="no-referrer">\n' : ''}<title>${e(head.title)}</title>
<link rel="icon" href="data:,">
${head.stylesheets.map((href) => `<link rel="stylesheet" href="${e(href)}">`).join('\n')}
<script type="application/json" id="${e(head.data.id)}">${data}</script>
<script src="${e(head.script)}" defer></script>
</head>`;
}
