/**
 * The only way the widget builds DOM. Text always goes in as text nodes and
 * attributes through setAttribute, so nothing from the server or the person
 * is ever parsed as HTML. Attribute names are our own constants, never data.
 */
export type Child = Node | string | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

function fill<E extends Element>(el: E, attrs: Attrs | null | undefined, children: Child[]): E {
  if (attrs) {
    for (const name in attrs) {
      const value = attrs[name];
      if (value === null || value === undefined || value === false) continue;
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attrs, children);
}

export function svg(tag: string, attrs?: Attrs | null, ...children: Child[]): SVGElement {
  return fill(document.createElementNS('http://www.w3.org/2000/svg', tag) as SVGElement, attrs, children);
}

let counter = 0;
/** A page-unique id for aria-labelledby and friends. */
export const uid = (): string => `gs${++counter}`;

/** Fills `{name}` placeholders of our own UI strings. */
export const fmt = (text: string, values: Record<string, string | number>): string => text.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
