/**
 * The coordinator's overview page (/admin.html, rendered by page.ts in the
 * request's language): asks for the admin token (kept in this tab's memory
 * only), then shows the overview from GET /api/admin/overview and offers the
 * CSV export, which carries the same cells as the table. Shares are of all
 * finished assessments, hidden cells included (drawn as one "hidden" part).
 * Texts are set with textContent only; the words are the catalogue's
 * `admin` section, in the page's data block.
 */
import { formatMessage, type MessageValues } from '../../../core/i18n/message-format.js';
import type { KeyIn } from '../../../i18n/words.js';
import type { Distribution, Overview } from '../../../reports/overview.js';
import { WORDS_ID } from './page.js';

const KEYS = ['early', 'intermediate', 'advanced', 'undecided'] as const;
const SVG_NS = 'http://www.w3.org/2000/svg';
const locale = document.documentElement.lang || 'en';
const words = JSON.parse(document.getElementById(WORDS_ID)?.textContent ?? '{}') as Partial<Record<KeyIn<'admin'>, string>>;
const t = (key: KeyIn<'admin'>, values: MessageValues = {}) => formatMessage(words[key] ?? key, values, { locale });

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`admin page: #${id} is missing`);
  return element as T;
}

const form = byId<HTMLFormElement>('login');
const status = byId<HTMLParagraphElement>('status');
const section = byId<HTMLElement>('overview');
let token = '';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svgEl(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

interface Row {
  title: string;
  d: Distribution | null;
}

/**
 * One bar per theme (and overall), its label above it at full width (so no
 * title is ever cut off), each stage as wide as its share of all finished,
 * the hidden cells as one part of their own.
 */
function chart(rows: Row[], finished: number, min: number): SVGSVGElement {
  const width = 560;
  const rowHeight = 46;
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${rows.length * rowHeight + 6}`, class: 'stage-chart overview-chart', role: 'img' }) as SVGSVGElement;
  const described = rows.map((r) => {
    const d = r.d;
    const parts = d ? [...KEYS.filter((k) => d[k] !== null).map((k) => `${t(`stage_${k}`)} ${new Intl.NumberFormat(locale).format(d[k] ?? 0)}`), ...(d.hidden > 0 ? [t('hiddenShare', { min, count: d.hidden })] : [])] : [t('hiddenCell')];
    return t('chartRow', { title: r.title, parts: parts.join(', ') });
  });
  svg.setAttribute('aria-label', t('chart', { finished, rows: described.join('; ') }));
  rows.forEach((row, i) => {
    const y = i * rowHeight + 4;
    svg.appendChild(svgEl('text', { x: 0, y: y + 13, class: 'label' }, row.title));
    const d = row.d;
    if (!d || finished === 0) return;
    let x = 0;
    const part = (count: number, cls: string) => {
      if (count <= 0) return;
      const w = (count / finished) * width;
      svg.appendChild(svgEl('rect', { x, y: y + 20, width: w, height: 20, class: cls }));
      x += w;
    };
    for (const k of KEYS) part(d[k] ?? 0, `bar bar-${k}`);
    part(d.hidden, 'bar bar-hidden');
  });
  return svg;
}

const cellText = (value: number | null, min: number) => (value === null ? t('fewerThan', { min }) : new Intl.NumberFormat(locale).format(value));

function render(o: Overview): void {
  section.hidden = false;
  const min = o.minGroupSize;
  byId('counts').textContent = [t('counts', { started: o.started, finished: o.finished }), o.unreadable ? t('unreadable', { count: o.unreadable }) : ''].filter(Boolean).join(' ');
  const rows: Row[] = [...o.themes.map((theme) => ({ title: theme.title, d: theme.distribution })), { title: t('overall'), d: o.overall }];
  const notes = byId('notes');
  if (!o.distributionShown) {
    byId('chart').replaceChildren();
    byId('distribution').hidden = true;
    notes.replaceChildren(el('p', t('tooFew', { finished: o.finished, min })));
    return;
  }
  byId('distribution').hidden = false;
  byId('chart').replaceChildren(chart(rows, o.finished, min));
  const allHidden = rows.filter((r) => r.d && KEYS.every((k) => r.d?.[k] === null || r.d?.[k] === 0) && r.d.hidden > 0);
  notes.replaceChildren(
    el('p', t('minimum', { min })),
    ...allHidden.map((r) => el('p', t('allHidden', { title: r.title, min, hidden: r.d?.hidden ?? 0, finished: o.finished }))),
  );
  const body = document.querySelector('#table tbody');
  body?.replaceChildren(
    ...rows.map((row) => {
      const tr = el('tr');
      const th = el('th', row.title);
      th.setAttribute('scope', 'row');
      tr.appendChild(th);
      for (const k of KEYS) tr.appendChild(el('td', row.d ? cellText(row.d[k], min) : t('hiddenCell')));
      return tr;
    }),
  );
}

async function call(path: string): Promise<Response> {
  // The server's words (theme titles, errors) in the page's language.
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token}`, 'Accept-Language': locale } });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? t('requestFailed', { status: response.status }));
  }
  return response;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  token = byId<HTMLInputElement>('token').value.trim();
  status.textContent = t('loading');
  call('/api/admin/overview')
    .then((response) => response.json() as Promise<Overview>)
    .then(
      (overview) => {
        status.textContent = '';
        render(overview);
      },
      (error: unknown) => {
        status.textContent = error instanceof Error ? error.message : String(error);
      },
    );
});

byId('download').addEventListener('click', () => {
  call('/api/admin/results.csv')
    .then((response) => response.blob())
    .then(
      (blob) => {
        const a = el('a');
        a.href = URL.createObjectURL(blob);
        a.download = 'govstage-results.csv';
        document.body.appendChild(a);
        a.click();
        a.remove();
      },
      (error: unknown) => {
        status.textContent = error instanceof Error ? error.message : String(error);
      },
    );
});
