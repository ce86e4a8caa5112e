/**
 * The widget's entry point: one script tag on any page.
 *
 *   <script src="https://host/widget.js" data-title="…" data-color="#1d4ed8"
 *           data-mode="bubble|inline" data-target="#el" data-locale="fr-CA"
 *           data-join="INVITATION-CODE" defer></script>
 *
 * The API is the script's own origin unless `data-server` says otherwise.
 * This script is the whole widget, stylesheet included: no further file is
 * fetched before the first question, only its words (see scripts/build-widget.ts).
 */
import { mount } from './widget.js';

/** widget.css, minified, inlined by the build (scripts/build-widget.ts). */
declare const __GOVSTAGE_WIDGET_CSS__: string;

const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[src*="widget.js"]');

if (script?.src) {
  const d = script.dataset;
  const src = new URL(script.src, location.href);
  // data-locale, else the page's lang, else the browser's languages: the server serves the first it offers (fr-CA gets fr).
  const prefer = [d.locale, document.documentElement.lang, ...(navigator.languages || [navigator.language])].filter((l): l is string => Boolean(l));
  const go = () =>
    mount({
      server: (d.server || src.origin).replace(/\/+$/, ''),
      css: __GOVSTAGE_WIDGET_CSS__,
      mode: d.mode === 'inline' ? 'inline' : 'bubble',
      title: d.title,
      color: d.color,
      target: d.target,
      prefer,
      join: d.join,
      script,
    });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', go);
  else go();
}
