/**
 * The widget's entry point: one script tag on any page.
 *
 *   <script src="https://host/widget.js" data-title="…" data-color="#1d4ed8"
 *           data-mode="bubble|inline" data-target="#el" data-locale="en"
 *           data-join="INVITATION-CODE" defer></script>
 *
 * The API is the script's own origin unless `data-server` says otherwise;
 * the stylesheet is the build's hashed widget.css next to the script.
 */
import { mount } from './widget.js';

/** The stylesheet's content-hashed file name, set by the build (scripts/build-widget.ts). */
declare const __GOVSTAGE_WIDGET_CSS__: string;

const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[src*="widget.js"]');

if (script?.src) {
  const d = script.dataset;
  const src = new URL(script.src, location.href);
  const lang = (d.locale || document.documentElement.lang || '').slice(0, 2).toLowerCase();
  const go = () =>
    mount({
      server: (d.server || src.origin).replace(/\/+$/, ''),
      css: new URL(__GOVSTAGE_WIDGET_CSS__, src).href,
      mode: d.mode === 'inline' ? 'inline' : 'bubble',
      title: d.title,
      color: d.color,
      target: d.target,
      locale: /^[a-z]{2}$/.test(lang) ? lang : undefined,
      join: d.join,
      script,
    });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', go);
  else go();
}
