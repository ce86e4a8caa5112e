/**
 * What the one-script-tag embed loads as /widget.js: a few hundred bytes that
 * may be cached only briefly, and that load the content-hashed widget bundle
 * (cached for a year, immutable) with the same data-* attributes, right after
 * this script tag, so the widget behaves as if it had been embedded itself.
 * The bundle's name is filled in by the build (scripts/build-widget.ts).
 */
declare const __GOVSTAGE_WIDGET_JS__: string;

(() => {
  const current = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[src*="widget.js"]');
  if (!current?.src) return;
  const script = document.createElement('script');
  for (const { name, value } of Array.from(current.attributes)) {
    // src is replaced; integrity would be the loader's, not the bundle's.
    if (name !== 'src' && name !== 'integrity' && name !== 'async' && name !== 'defer') script.setAttribute(name, value);
  }
  script.src = new URL(__GOVSTAGE_WIDGET_JS__, current.src).href;
  current.after(script);
})();
