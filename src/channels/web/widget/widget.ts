/**
 * The widget controller: builds the panel (bubble or inline) in a shadow
 * root, keeps the session, sends turns and decides what is enabled and where
 * focus goes. The transcript (`role="log"`) is only ever appended to.
 */
import type { Message } from '../../../core/messages.js';
import { ApiError, createApi, newTurnId, sessionStore, type ConversationView, type Session, type WidgetWordsReply } from './api.js';
import { palette } from './colors.js';
import { h, svg, uid } from './dom.js';
import { ackLine, errorLine, joinForm, renderMessage, reportLinkBlock, resumeBlock, userBubble, type RenderOptions } from './render.js';
import { stringsFor } from './strings.js';

export interface WidgetConfig {
  /** API origin (no trailing slash). */
  server: string;
  /** The stylesheet's text (widget.css, inlined by the build). */
  css: string;
  mode: 'bubble' | 'inline';
  title?: string;
  color?: string;
  target?: string;
  /** The languages wanted, most wanted first: data-locale, the page's lang, the browser's languages (the server picks among those offered). */
  prefer: string[];
  /** The script tag, to place an inline widget next to it when there is no target. */
  script?: Element | null;
  /** A group round's invitation code (data-join): offered to join when this device has no assessment yet. */
  join?: string | undefined;
}

const CHOICE = 'button[data-choice]';
/** Everything a step makes live: its choices, and a result's report link and downloads. */
const LIVE = `${CHOICE},button[data-action]`;

/**
 * Mounts the widget: its host and stylesheet at once, its panel once the
 * words of the language chosen have arrived (they come from the server,
 * GET /api/widget-words). A language switch builds the panel again in the
 * new language, on the same conversation.
 */
export function mount(config: WidgetConfig): { host: HTMLElement } {
  const store = sessionStore(config.server);
  let locale = '';
  const api = createApi(config.server, () => locale);
  const host = h('div', { class: 'govstage-widget' });
  const colours = palette(config.color);
  host.style.setProperty('--gs-accent', colours.accent);
  host.style.setProperty('--gs-on-accent', colours.onAccent);
  host.style.setProperty('--gs-ink', colours.ink);
  const shadow = host.attachShadow({ mode: 'open' });
  style(shadow, config.css);
  let current: Panel | null = null;
  const target = config.mode === 'inline' && config.target ? document.querySelector(config.target) : null;
  if (target) target.append(host);
  else if (config.mode === 'inline' && config.script?.parentNode && config.script.parentNode !== document.head) config.script.after(host);
  else document.body.append(host);

  /** The words of the first offered locale of `prefer`, retried while the server cannot be reached (nothing shows until then). */
  async function words(prefer: string[]): Promise<WidgetWordsReply> {
    for (let wait = 1000; ; wait = Math.min(wait * 2, 30_000)) {
      try {
        return await api.words(prefer);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  async function open(prefer: string[], reopen: { open: boolean; focus: boolean }): Promise<void> {
    const got = await words(prefer);
    locale = got.locale;
    current?.dispose();
    current = buildPanel(config, { shadow, api, store, words: got, reopen, relocate: (to, again) => void open([to], again) });
  }
  void open([store.loadLocale() ?? '', ...config.prefer], { open: false, focus: false });
  return { host };
}

interface Panel {
  dispose(): void;
}

/**
 * Applies the stylesheet to the shadow root before anything is in it, so the panel is never
 * shown unstyled. A constructed stylesheet, because the host page's CSP style-src does not
 * apply to one (it would to a <style> element, and a strict page forbids inline styles); the
 * <style> element only where constructed stylesheets are unsupported (Safari before 16.4).
 */
function style(shadow: ShadowRoot, css: string): void {
  if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
  } else {
    shadow.append(h('style', null, css));
  }
}

interface PanelContext {
  shadow: ShadowRoot;
  api: ReturnType<typeof createApi>;
  store: ReturnType<typeof sessionStore>;
  words: WidgetWordsReply;
  /** After a language switch: open the bubble again, and focus the current step. */
  reopen: { open: boolean; focus: boolean };
  /** Builds the panel again in another language (the conversation's, or the person's choice). */
  relocate: (locale: string, reopen: { open: boolean; focus: boolean }) => void;
}

function buildPanel(config: WidgetConfig, ctx: PanelContext): Panel {
  const { shadow, api, store } = ctx;
  const s = stringsFor(ctx.words.locale, ctx.words.words);
  const opts: RenderOptions = { s };
  const bubble = config.mode !== 'inline';
  const title = config.title || s.t('title');
  const reducedMotion = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
  // Every listener outside the panel goes when it is rebuilt in another language.
  const gone = new AbortController();

  // ---- layout -------------------------------------------------------------

  const titleId = uid();
  const panelId = uid();
  const inputId = uid();
  const codeId = uid();
  const resumeId = uid();

  const log = h('div', { class: 'gs-log', role: 'log', 'aria-live': 'polite', 'aria-label': s.t('log'), tabindex: 0 });
  const typing = h('p', { class: 'gs-typing', 'aria-hidden': 'true', hidden: true }, s.t('sending'));
  const input = h('input', { id: inputId, class: 'gs-input', type: 'text', autocomplete: 'off', maxlength: 2000 });
  const form = h('form', { class: 'gs-form' }, h('label', { for: inputId }, s.t('reply')), h('div', { class: 'gs-row' }, input, h('button', { type: 'submit', class: 'gs-send' }, s.t('send'))));
  const codeInput = h('input', { id: codeId, class: 'gs-input', type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: 40 });
  const resumeForm = h('form', { id: resumeId, class: 'gs-resume', hidden: true }, h('label', { for: codeId }, s.t('resumeLabel')), h('div', { class: 'gs-row' }, codeInput, h('button', { type: 'submit', class: 'gs-send' }, s.t('resumeGo'))));
  const resumeToggle = h('button', { type: 'button', class: 'gs-link', 'aria-expanded': 'false', 'aria-controls': resumeId }, s.t('resumeOpen'));
  const saveButton = h('button', { type: 'button', class: 'gs-link', hidden: true }, s.t('save'));
  const closeButton = bubble ? h('button', { type: 'button', class: 'gs-x', 'aria-label': s.t('close') }, '×') : null;
  const head = h('div', { class: 'gs-head' }, h('h2', { id: titleId }, title), closeButton);
  // The other languages offered, each named in its own language.
  const others = ctx.words.languages.filter((l) => l.locale !== ctx.words.locale);
  const languages = others.length > 0
    ? h('div', { class: 'gs-langs', role: 'group', 'aria-label': s.t('language') }, ...others.map((l) => h('button', { type: 'button', class: 'gs-link', lang: l.locale, 'data-locale': l.locale, title: s.t('languageSwitch', { language: l.name }) }, l.name)))
    : null;
  const foot = h('div', { class: 'gs-foot' }, h('div', { class: 'gs-links' }, resumeToggle, saveButton, languages), resumeForm);
  const panel = bubble
    ? h('div', { id: panelId, class: 'gs-panel gs-bubble', role: 'dialog', 'aria-labelledby': titleId, hidden: true }, head, log, typing, form, foot)
    : h('section', { id: panelId, class: 'gs-panel gs-inline', 'aria-labelledby': titleId }, head, log, typing, form, foot);
  const launcher = bubble
    ? h('button', { type: 'button', class: 'gs-launcher', 'aria-expanded': 'false', 'aria-controls': panelId, 'aria-haspopup': 'dialog' }, svg('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' }, svg('path', { d: 'M4 4h16v11H8l-4 4z' })), h('span', null, title))
    : null;
  // The stylesheet is already applied (see style()): the panel shows styled from the start.
  const frame = h('div', { class: 'gs-root', lang: ctx.words.locale }, launcher, panel);
  shadow.append(frame);

  // On a phone the on-screen keyboard shrinks the visual viewport, not the layout viewport a fixed
  // full-screen panel is sized by: follow it (widget.css uses the two properties on phones), so the
  // reply box stays above the keyboard. Not while pinch-zoomed, where the panel must hold still.
  const vv = window.visualViewport;
  if (bubble && vv) {
    const fit = () => {
      const follow = vv.scale < 1.01;
      panel.style.setProperty('--gs-vh', follow ? `${vv.height}px` : '');
      panel.style.setProperty('--gs-vt', follow ? `${vv.offsetTop}px` : '');
    };
    vv.addEventListener('resize', fit, { signal: gone.signal });
    vv.addEventListener('scroll', fit, { signal: gone.signal });
    fit();
  }

  // ---- state --------------------------------------------------------------
  let session: Session | null = null;
  /** The introduction is shown and no conversation exists yet: the first reply creates it. */
  let fresh = false;
  let finished = false;
  let busy = false;
  let booted = false;
  /** The messages whose buttons answer the current step. */
  let active: HTMLElement[] = [];

  const buttons = (els: HTMLElement[]) => els.flatMap((el) => Array.from(el.querySelectorAll<HTMLButtonElement>(LIVE)));
  const enable = (els: HTMLElement[], on: boolean) => buttons(els).forEach((b) => (b.disabled = !on));
  const append = <E extends HTMLElement>(el: E): E => (log.append(el), el);
  const persist = () => {
    if (session) store.save(session);
    saveButton.hidden = !session;
  };
  const setBusy = (on: boolean) => {
    busy = on;
    typing.hidden = !on;
    if (on) log.setAttribute('aria-busy', 'true');
    else log.removeAttribute('aria-busy');
  };

  /**
   * Scrolls the log to show what just came, from `first` on. With a `step`, keeps that step's choices
   * in view too (those of a new question below `first`, or those above a note or help that came after
   * them): as much of the new as fits with them, and their start before all. Then focuses `target` and
   * makes sure it is visible.
   */
  function reveal(first: HTMLElement | undefined, target?: HTMLElement | null, step: HTMLElement[] = []) {
    if (first) {
      let top = Math.min(first.offsetTop - 8, log.scrollHeight - log.clientHeight);
      // Not for a result: it is read from its heading.
      const group = step.some((el) => el.querySelector('.gs-rh')) ? null : step.map((el) => el.querySelector<HTMLElement>('.gs-choices')).find(Boolean);
      if (group) top = Math.min(group.offsetTop - 8, Math.max(group.offsetTop + group.offsetHeight + 8 - log.clientHeight, top));
      log.scrollTop = top;
    }
    if (!target) return;
    target.focus({ preventScroll: true });
    // The panel fits the window (inline it is at most 85vh; a bubble is fixed): show it whole, log and
    // text box, rather than only the target, which could leave the rest of the step off screen.
    panel.scrollIntoView({ block: 'nearest' });
    const t = target.getBoundingClientRect();
    const l = log.getBoundingClientRect();
    if (log.contains(target) && (t.bottom > l.bottom || t.top < l.top)) target.scrollIntoView({ block: 'nearest', behavior: reducedMotion ? 'auto' : 'smooth' });
  }

  /** Where focus goes on the current step: a result's heading, else the first main choice, else the text box. */
  function focusTarget(els: HTMLElement[] = active): HTMLElement {
    for (const el of els.slice().reverse()) {
      if (el.classList.contains('gs-type')) return input;
      const heading = el.querySelector<HTMLElement>('.gs-rh');
      if (heading) return heading;
      const first = el.querySelector<HTMLElement>(`.gs-choices ${CHOICE}:not(:disabled)`) ?? el.querySelector<HTMLElement>(`${CHOICE}:not(:disabled)`);
      if (first) return first;
    }
    return input;
  }

  /**
   * Appends a bot turn. When it offers choices they become the current step
   * (the previous step's buttons stay disabled); when it only informs (why,
   * help, a saved note, a resume code) the previous step stays current.
   */
  function showTurn(messages: Message[], previous: HTMLElement[], focus: HTMLElement | null | 'auto', from?: HTMLButtonElement, mine?: HTMLElement) {
    const els = botTurn(messages, opts, Boolean(mine));
    const fresh = els.filter((el) => el.querySelector(CHOICE));
    if (fresh.length > 0) {
      active = fresh;
    } else {
      active = previous;
      enable(previous, true);
      from?.classList.remove('gs-chosen');
    }
    // Confirmations attached to the person's words: show those words with them.
    reveal(mine && els[0]?.classList.contains('gs-ack') ? mine : els[0], focus === 'auto' ? (fresh.length > 0 ? focusTarget(fresh) : from ?? input) : focus, active);
  }

  /**
   * Appends a bot turn, one element per message. After the person's words, the turn's first
   * confirmations ("Noted: …", "Your note is saved …") are attached to those words rather than
   * standing as bubbles of their own, where they read as part of the next question.
   */
  function botTurn(messages: Message[], o: RenderOptions, afterUser: boolean): HTMLElement[] {
    let acks = afterUser;
    return messages.map((m) => {
      acks = acks && m.kind === 'text' && m.tone === 'success' && !m.choices?.length;
      return append(acks && m.kind === 'text' ? ackLine(m.text) : renderMessage(m, o));
    });
  }

  function adopt(next: { conversationId: string; resumeToken: string; revision: number; status: string }) {
    session = { conversationId: next.conversationId, resumeToken: next.resumeToken, revision: next.revision };
    finished = next.status === 'finished';
    persist();
  }

  /** Access is gone (continued elsewhere, or expired): forget it and offer the ways on. */
  function lost() {
    store.clear();
    session = null;
    persist();
    enable(active, false);
    active = [];
    const line = append(
      errorLine(s.t('lost'), [
        [s.t('resumeOpen'), () => openResume(true)],
        [s.t('startNew'), () => void begin(true)],
      ]),
    );
    reveal(line);
  }

  /** A clear, polite error line, with ways on; nothing the person typed is touched. */
  function failure(error: unknown, actions: [string, () => void][] = []) {
    const e = error instanceof ApiError ? error : new ApiError(-1, 'CLIENT', '');
    if (e.status === 401) return lost();
    const text = e.status === 0 ? s.t('network') : e.status >= 500 || e.status < 0 || !e.message ? s.t('server') : e.message;
    reveal(append(errorLine(text, actions)));
  }

  async function guarded(work: () => Promise<void>) {
    if (busy) return;
    setBusy(true);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  }

  // ---- the conversation ----------------------------------------------------
  /** Shows the introduction. Nothing is stored until the person replies: a visit that never answers leaves no conversation. */
  // It came with the words (GET /api/widget-words), in their language: no request of its own.
  async function begin(focus: boolean) {
    await guarded(async () => {
      fresh = true;
      enable(active, false);
      showTurn(ctx.words.introduction, [], focus ? 'auto' : null);
    });
  }

  /** Offers to join a group round with its invitation code: the round's perspectives, and what to share. */
  async function joinWith(code: string, focus: boolean): Promise<boolean> {
    let info;
    try {
      info = await api.invitation(code);
    } catch (error) {
      failure(error);
      return false;
    }
    enable(active, false);
    active = [];
    const form = append(joinForm(info, opts));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void joinAs(form, code);
    });
    reveal(form, focus ? form.querySelector<HTMLElement>('h3') : null);
    return true;
  }

  async function joinAs(form: HTMLFormElement, code: string) {
    const data = new FormData(form);
    const perspective = String(data.get('perspective') ?? '');
    // Name and unit only when given: empty means the person chose not to say.
    const text = (name: 'name' | 'unit') => {
      const value = String(data.get(name) ?? '').trim();
      return value ? { [name]: value } : {};
    };
    await guarded(async () => {
      try {
        const started = await api.join(code, { perspective, ...text('name'), ...text('unit'), shareNotes: data.has('shareNotes'), shareAnswers: data.has('shareAnswers') }, ctx.words.locale);
        form.querySelectorAll<HTMLInputElement>('input,button').forEach((el) => (el.disabled = true));
        fresh = false;
        adopt(started);
        showTurn(started.messages, [], 'auto');
      } catch (error) {
        failure(error);
      }
    });
  }

  /** Rebuilds the transcript (spent buttons disabled), then makes the current step live. */
  function rebuild(view: ConversationView, separator: string | null, focus: boolean) {
    enable(active, false);
    log.setAttribute('aria-busy', 'true');
    const history: RenderOptions = { ...opts, history: true };
    const first = separator ? append(h('p', { class: 'gs-sep' }, separator)) : undefined;
    let lastEls: HTMLElement[] = [];
    let lastMessages: Message[] = [];
    let afterUser = false;
    for (const entry of view.transcript) {
      if (entry.from === 'user') {
        append(userBubble(entry.text ?? '', s));
        lastEls = [];
        lastMessages = [];
      } else {
        lastMessages = entry.messages ?? [];
        lastEls = botTurn(lastMessages, history, afterUser);
      }
      afterUser = entry.from === 'user';
    }
    const current = view.current;
    const n = current.length;
    let els: HTMLElement[];
    if (n > 0 && n <= lastMessages.length && JSON.stringify(lastMessages.slice(-n)) === JSON.stringify(current)) {
      els = lastEls.slice(-n);
      enable(els, true);
    } else {
      append(h('p', { class: 'gs-sep' }, s.t('whereYouLeft')));
      els = current.map((m) => append(renderMessage(m, opts)));
    }
    active = els.filter((el) => el.querySelector(CHOICE));
    log.removeAttribute('aria-busy');
    // Open at the current step, however long the transcript above it.
    reveal(els[0] ?? first, focus ? focusTarget() : null, active);
  }

  async function restore(saved: Session, focus: boolean, separator: string | null = null) {
    try {
      const view = await api.view(saved);
      adopt({ ...saved, revision: view.revision, status: view.status });
      // The conversation's language wins over the page's (it was chosen, here or in another channel).
      if (view.locale && view.locale !== ctx.words.locale && ctx.words.languages.some((l) => l.locale === view.locale)) {
        ctx.relocate(view.locale, { open: bubble && !panel.hidden, focus });
        return true;
      }
      rebuild(view, separator, focus);
      return true;
    } catch (error) {
      failure(error, [
        [s.t('retry'), () => void guardedOk(() => restore(saved, true, separator))],
        [s.t('startNew'), () => void begin(true)],
      ]);
      return false;
    }
  }

  async function resumeWith(code: string, focus: boolean): Promise<boolean> {
    let access: { conversationId: string; resumeToken: string };
    try {
      access = await api.resume(code);
    } catch (error) {
      const e = error instanceof ApiError ? error : null;
      const text = !e || e.status === 0 ? s.t('network') : e.status === 404 || e.status === 400 ? e.message || s.t('badCode') : e.status === 410 ? e.message || s.t('expiredCode') : e.status === 429 ? e.message || s.t('tooMany') : s.t('server');
      reveal(append(errorLine(text)));
      return false;
    }
    return restore({ ...access, revision: 0 }, focus, s.t('resumed'));
  }

  async function send(reply: { choice: string } | { text: string }, label: string, from?: HTMLButtonElement) {
    if (busy) return;
    if (!session && !fresh) return lost();
    const previous = active;
    const typed = 'text' in reply;
    await guarded(async () => {
      enable(previous, false);
      from?.classList.add('gs-chosen');
      const mine = append(userBubble(label, s));
      const focusAfter = typed ? input : 'auto';
      let current = session as Session;
      try {
        // The first reply: only now does the conversation begin.
        if (!session) {
          const started = await api.start(ctx.words.locale);
          adopt(started);
          fresh = false;
          current = { conversationId: started.conversationId, resumeToken: started.resumeToken, revision: started.revision };
        }
        const answer = await api.turn(current, reply, newTurnId());
        if (typed) input.value = '';
        adopt(answer.switchTo ?? { ...current, revision: answer.revision, status: answer.status });
        showTurn(answer.messages, previous, focusAfter, from, mine);
      } catch (error) {
        if (error instanceof ApiError && error.status === 409 && error.messages) {
          // Stale: the conversation moved on elsewhere. Show where it stands now.
          adopt({ ...current, revision: error.revision ?? current.revision, status: finished ? 'finished' : 'active' });
          showTurn(error.messages, previous, focusAfter, from);
          return;
        }
        mine.classList.add('gs-failed');
        mine.append(` ${s.t('notSent')}`);
        from?.classList.remove('gs-chosen');
        enable(previous, true);
        failure(error);
        (from ?? input).focus({ preventScroll: true });
      }
    });
  }

  async function saveForLater() {
    const current = session;
    if (!current) return;
    await guarded(async () => {
      try {
        const code = await api.resumeCode(current);
        // Issuing a code moves the conversation's revision on; read it back so the next answer is not refused as stale.
        const view = await api.view(current).catch(() => null);
        if (view && session === current) adopt({ ...current, revision: view.revision, status: view.status });
        reveal(append(h('div', { class: 'gs-msg gs-bot gs-paused' }, ...resumeBlock(code, opts))));
      } catch (error) {
        failure(error);
      }
    });
  }

  function openResume(focus: boolean) {
    resumeForm.hidden = false;
    resumeToggle.setAttribute('aria-expanded', 'true');
    if (bubble && panel.hidden) openPanel();
    if (focus) codeInput.focus();
  }

  /** First start: a `?resume=CODE` link, else the saved session, else a new conversation. */
  async function boot(focus: boolean) {
    if (booted) return;
    booted = true;
    let code: string | null = null;
    let join: string | null = null;
    try {
      const url = new URL(location.href);
      code = url.searchParams.get('resume');
      join = url.searchParams.get('join');
      if (code !== null || join !== null) {
        url.searchParams.delete('resume');
        url.searchParams.delete('join');
        history.replaceState(history.state, '', url.href);
      }
    } catch {
      /* no usable location (sandboxed frame) */
    }
    // A resume link is followed to continue: focus (and so scroll to) the current question, inline too.
    if (code && (await guardedOk(() => resumeWith(code as string, true)))) return;
    const saved = store.load();
    // An invitation link always offers to join; a page's data-join only while this device has no assessment.
    const invitation = join ?? (saved ? null : config.join ?? null);
    if (invitation && (await guardedOk(() => joinWith(invitation, true)))) return;
    if (saved && (await guardedOk(() => restore(saved, focus)))) return;
    if (!session && !saved) await begin(focus);
  }
  /** `guarded`, for work that reports whether it succeeded. */
  async function guardedOk(work: () => Promise<boolean>): Promise<boolean> {
    let ok = false;
    await guarded(async () => {
      ok = await work();
    });
    return ok;
  }

  /** Copies a resume code; where the clipboard is unavailable (insecure page, permission refused), selects it to copy by hand. */
  async function copyCode(b: HTMLButtonElement) {
    const code = b.dataset.code ?? '';
    const status = b.nextElementSibling;
    let copied = true;
    try {
      await navigator.clipboard.writeText(code);
    } catch {
      // No clipboard API here (undefined), or writing refused: the fallback below is the outcome.
      copied = false;
      const shown = b.parentElement?.querySelector('.gs-code');
      if (shown) getSelection()?.selectAllChildren(shown);
    }
    if (status) status.textContent = copied ? s.t('copied') : s.t('copyManual');
  }

  /** Report actions on a result: a shareable link, or a download saved by the browser. */
  async function reportAction(b: HTMLButtonElement) {
    const current = session;
    if (!current) return;
    await guarded(async () => {
      try {
        if (b.dataset.action === 'report-link') {
          const link = await api.reportLink(current);
          reveal(append(reportLinkBlock({ href: link.url ?? `${config.server}${link.path}`, expiresAt: link.expiresAt }, opts)));
        } else {
          const format = b.dataset.format === 'json' || b.dataset.format === 'csv' ? b.dataset.format : 'md';
          const file = await api.download(current, format);
          const a = h('a', { href: URL.createObjectURL(file.blob), download: file.name, hidden: true });
          shadow.append(a);
          a.click();
          a.remove();
          setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
        }
      } catch (error) {
        failure(error);
      }
    });
  }

  // ---- events -------------------------------------------------------------
  log.addEventListener('click', (event) => {
    const action = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    if (action?.dataset.action === 'copy') return void copyCode(action);
    if (action && !action.disabled) return void reportAction(action);
    const b = (event.target as Element).closest<HTMLButtonElement>(CHOICE);
    if (!b || b.disabled || !b.dataset.choice) return;
    void send({ choice: b.dataset.choice }, b.dataset.label || b.textContent || '', b);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      reveal(append(errorLine(s.t('emptyReply'))), input);
      return;
    }
    void send({ text }, text);
  });
  resumeToggle.addEventListener('click', () => {
    const open = resumeForm.hidden;
    resumeForm.hidden = !open;
    resumeToggle.setAttribute('aria-expanded', String(open));
    if (open) codeInput.focus();
  });
  resumeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const code = codeInput.value.trim();
    if (!code) return codeInput.focus();
    void guardedOk(() => resumeWith(code, true)).then((ok) => {
      if (!ok) return codeInput.focus();
      codeInput.value = '';
      resumeForm.hidden = true;
      resumeToggle.setAttribute('aria-expanded', 'false');
    });
  });
  saveButton.addEventListener('click', () => void saveForLater());
  languages?.addEventListener('click', (event) => {
    const b = (event.target as Element).closest<HTMLButtonElement>('button[data-locale]');
    if (b?.dataset.locale) void switchLanguage(b.dataset.locale);
  });

  /**
   * Continues in another language: the conversation switches (every answer
   * kept; its current step comes back in the new language), then the panel
   * is built again in it. The choice is remembered for this server.
   */
  async function switchLanguage(to: string) {
    if (busy) return;
    let switched = true;
    const current = session;
    if (current) {
      await guarded(async () => {
        try {
          const answer = await api.switchLanguage(current, to, newTurnId());
          adopt({ ...current, revision: answer.revision, status: answer.status });
        } catch (error) {
          switched = false;
          failure(error);
        }
      });
    }
    if (!switched) return;
    store.saveLocale(to);
    ctx.relocate(to, { open: bubble, focus: true });
  }

  function openPanel() {
    panel.hidden = false;
    launcher?.setAttribute('aria-expanded', 'true');
    if (!booted) void boot(true);
    else focusTarget().focus();
  }
  function closePanel() {
    panel.hidden = true;
    launcher?.setAttribute('aria-expanded', 'false');
    launcher?.focus();
  }
  if (bubble && launcher) {
    launcher.addEventListener('click', () => (panel.hidden ? openPanel() : closePanel()));
    closeButton?.addEventListener('click', closePanel);
    panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        closePanel();
      } else if (event.key === 'Tab' && matchMedia('(max-width: 600px)').matches) {
        // Full screen on phones: keep Tab inside the panel, as nothing behind it is visible.
        const all = Array.from(panel.querySelectorAll<HTMLElement>('button:not(:disabled),input,[tabindex="0"],summary,a[href]')).filter((el) => el.offsetParent !== null);
        const edge = event.shiftKey ? all[0] : all[all.length - 1];
        if (edge && shadow.activeElement === edge) {
          event.preventDefault();
          (event.shiftKey ? all[all.length - 1] : all[0])?.focus();
        }
      }
    });
    if (/[?&](resume|join)=/.test(location.search) || ctx.reopen.open) openPanel();
  } else {
    void boot(ctx.reopen.focus);
  }
  return {
    dispose: () => {
      gone.abort();
      frame.remove();
    },
  };
}
