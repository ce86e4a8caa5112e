/**
 * The coordinator's overview page (/admin.html, see page.ts): asks for the
 * admin token (kept in this tab's memory only), then shows the overview from
 * GET /api/admin/overview and offers the CSV export. Texts are set with
 * textContent only; the words are the page's (its data block, in its lang).
 */
import { formatMessage, type MessageValues } from '../../../core/i18n/message-format.js';
import type { KeyIn } from '../../../i18n/words.js';
import type { Distribution, Overview } from '../../../reports/overview.js';
import { WORDS_ID } from './page.js';

const KEYS = ['early', 'intermediate', 'advanced', 'undecided'] as const;
const SVG_NS = 'http://www.w3.org/2000/svg';

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`admin page: #${id} is missing`);
  return element as T;
}

const locale = document.documentElement.lang || 'en';
const words = JSON.parse(byId<HTMLScriptElement>(WORDS_ID).textContent ?? '{}') as Partial<Record<KeyIn<'admin'>, string>>;
const t = (key: KeyIn<'admin'>, values: MessageValues = {}) => formatMessage(words[key] ?? key, values, { locale });

const form = byId<HTMLFormElement>('login');
const status = byId<HTMLParagraphElement>('status');
const section = byId<HTMLElement>('overview');
let token = '';

const cellText = (value: number | null, min: number) => (value === null ? t('fewer', { min }) : new Intl.NumberFormat(locale).format(value));
const stageName: Record<(typeof KEYS)[number], KeyIn<'admin'>> = { early: 'early', intermediate: 'intermediate', advanced: 'advanced', undecided: 'undecided' };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

interface Row {
  title: string;
  d: Distribution | null;
}

function chart(rows: Row[], min: number): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  const width = 560;
  const rowHeight = 30;
  const labelWidth = 220;
  svg.setAttribute('viewBox', `0 0 ${width} ${rows.length * rowHeight + 10}`);
  svg.setAttribute('class', 'stage-chart');
  svg.setAttribute('role', 'img');
  const described = rows.map((r) => `${r.title}: ${r.d ? KEYS.map((k) => `${t(stageName[k])} ${cellText(r.d?.[k] ?? null, min)}`).join(', ') : t('hiddenRow')}`);
  svg.setAttribute('aria-label', t('chart', { described: described.join('; ') }));
  rows.forEach((row, i) => {
    const y = i * rowHeight + 5;
    const label = document.createElementNS(SVG_NS, 'text');
    label.setAttribute('x', String(labelWidth - 8));
    label.setAttribute('y', String(y + 15));
    label.setAttribute('text-anchor', 'end');
    label.setAttribute('class', 'label');
    label.textContent = row.title;
    svg.appendChild(label);
    const d = row.d;
    if (!d) return;
    const total = KEYS.reduce((sum, k) => sum + (d[k] ?? 0), 0) || 1;
    let x = labelWidth;
    for (const k of KEYS) {
      const count = d[k];
      if (!count) continue;
      const w = (count / total) * (width - labelWidth - 10);
      const rect = document.createElementNS(SVG_NS, 'rect');
      rect.setAttribute('x', String(x));
      rect.setAttribute('y', String(y));
      rect.setAttribute('width', String(w));
      rect.setAttribute('height', '20');
      rect.setAttribute('class', `bar bar-${k}`);
      svg.appendChild(rect);
      x += w;
    }
  });
  return svg;
}

function render(o: Overview): void {
  section.hidden = false;
  byId('counts').textContent = t('counts', { started: o.started, finished: o.finished, unreadable: o.unreadable, min: o.minGroupSize });
  const rows: Row[] = [...o.themes.map((theme) => ({ title: theme.title, d: theme.distribution })), { title: t('overall'), d: o.overall }];
  byId('chart').replaceChildren(chart(rows, o.minGroupSize));
  const body = document.querySelector('#table tbody');
  body?.replaceChildren(
    ...rows.map((row) => {
      const tr = el('tr');
      const th = el('th', row.title);
      th.setAttribute('scope', 'row');
      tr.appendChild(th);
      for (const k of KEYS) tr.appendChild(el('td', row.d ? cellText(row.d[k], o.minGroupSize) : t('hidden')));
      return tr;
    }),
  );
  if (!o.distributionShown) status.textContent = t('tooFew', { min: o.minGroupSize });
}

async function call(path: string): Promise<Response> {
  // The server's words (theme titles, errors) in the page's language.
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token}`, 'Accept-Language': locale } });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? t('failed', { status: response.status }));
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
