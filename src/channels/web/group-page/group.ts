/**
 * The coordinator's page (/group.html, rendered by page.ts in the request's language).
 *
 *   /group.html                              start a group round
 *   /group.html#round=<id>&key=<token>       the coordinator's page of a round
 *   /group.html#member=<conversation>&key=…  a respondent's view of the picture, when shared
 *   /group.html#member                       the same, for the assessment the widget keeps on this site
 *
 * The token sits in the fragment, which browsers never send to a server
 * (nor in a Referer); it is kept in this tab's memory only. Every text is
 * set as text; the page's words are the catalogue's `groupReport` and
 * `groupPage` sections, in the page's data block.
 */
import { fillText, type GroupStrings } from '../../../reports/group-strings.js';
import { WORDS_ID } from './page.js';
import { h, uid } from '../widget/dom.js';
import { createRound, memberReport, roundApi, type GroupReport, type RoundApi, type RoundView } from './api.js';
import { heatmapSection, perspectivesSection, previousSection, progressSection, resultSection, section, sharedSection } from './picture.js';
import { workshop } from './workshop.js';

const s = JSON.parse(document.getElementById(WORDS_ID)?.textContent ?? '{}') as GroupStrings;
const app = document.getElementById('app') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;
const title = document.getElementById('page-title') as HTMLElement;
const say = (text: string) => {
  // Emptied first so the same words said twice are announced twice.
  status.textContent = '';
  requestAnimationFrame(() => (status.textContent = text));
};
const fail = (error: unknown) => say(fillText(s.error, { message: error instanceof Error ? error.message : String(error) }));
const absolute = (path: string) => new URL(path, location.href).href;

function button(text: string, onClick: () => void | Promise<void>, className?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: className }, text);
  b.addEventListener('click', () => {
    b.disabled = true;
    Promise.resolve(onClick())
      .catch(fail)
      .finally(() => (b.disabled = false));
  });
  return b;
}

/** A secret or a link to copy, in a read-only field with its label. */
function copyable(label: string, value: string, className = 'secret'): HTMLElement {
  const id = uid();
  const field = h('input', { id, type: 'text', readonly: true, class: className, value });
  field.addEventListener('focus', () => field.select());
  return h('p', null, h('label', { for: id }, label), field);
}

function saveFile(file: { blob: Blob; name: string }): void {
  const a = h('a', { href: URL.createObjectURL(file.blob), download: file.name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// ---- starting a round ---------------------------------------------------------

function createForm(): void {
  title.textContent = s.createHeading;
  const field = (label: string, control: HTMLElement, hint?: string) => {
    const id = uid();
    control.id = id;
    const hintId = hint ? uid() : undefined;
    if (hintId) control.setAttribute('aria-describedby', hintId);
    return h('p', null, h('label', { for: id }, label), control, hint ? h('span', { class: 'hint', id: hintId }, hint) : null);
  };
  const name = h('input', { type: 'text', required: true, maxlength: 120, autocomplete: 'off' });
  const assessing = h('input', { type: 'text', maxlength: 160, autocomplete: 'organization' });
  const unit = h('select', null, h('option', { value: '' }, '–'), ...(['national', 'ministry', 'subnational', 'other'] as const).map((value) => h('option', { value }, s[`unit_${value}`])));
  const closes = h('input', { type: 'datetime-local' });
  const perspectives = h('textarea', { rows: 5 });
  const see = h('input', { type: 'checkbox' });
  const seeId = uid();
  see.id = seeId;
  const form = h(
    'form',
    { class: 'stack-form', 'aria-labelledby': 'page-title' },
    h('p', null, s.createIntro),
    field(s.nameLabel, name),
    field(s.assessingLabel, assessing),
    field(s.unitLabel, unit),
    field(s.closesLabel, closes),
    field(s.perspectivesLabel, perspectives, s.perspectivesHint),
    h('p', null, see, ' ', h('label', { for: seeId, class: 'inline' }, s.respondentsSeeLabel)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, s.createButton)),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!name.value.trim()) {
      say(s.nameNeeded);
      name.focus();
      return;
    }
    const labels = perspectives.value.split('\n').map((l) => l.trim()).filter(Boolean);
    say(s.creating);
    createRound({
      name: name.value.trim(),
      assessing: { name: assessing.value.trim(), unit: unit.value || null },
      closesAt: closes.value ? new Date(closes.value).toISOString() : null,
      ...(labels.length > 0 ? { perspectives: labels.map((label) => ({ label })) } : {}),
      respondentsSeePicture: see.checked,
    }).then((created) => {
      history.replaceState(null, '', `#round=${encodeURIComponent(created.roundId)}&key=${encodeURIComponent(created.coordinatorToken)}`);
      say(s.created);
      void openRound(created.roundId, created.coordinatorToken, true);
    }, fail);
  });
  app.replaceChildren(form);
  name.focus();
}

// ---- a round, for its coordinator -----------------------------------------------

async function openRound(roundId: string, token: string, justCreated = false): Promise<void> {
  let api: RoundApi = roundApi(roundId, token);
  let key = token;
  let view: RoundView;
  let report: GroupReport;
  say(s.loading);
  try {
    [view, report] = await Promise.all([api.view(), api.picture()]);
  } catch (error) {
    fail(error);
    return;
  }
  if (!justCreated) say('');
  const picture = h('div');
  const head = h('div');
  const reportBox = h('div');
  const settingsBox = h('div');

  const drawHead = () => {
    title.textContent = fillText(s.roundHeading, { name: view.name });
    const link = absolute(`/group.html#round=${encodeURIComponent(view.roundId)}&key=${encodeURIComponent(key)}`);
    head.replaceChildren(
      h('p', null, fillText(s.assessing, { assessing: [view.assessing.name, view.assessing.unit ? s[`unit_${view.assessing.unit}` as 'unit_other'] ?? view.assessing.unit : ''].filter(Boolean).join(' — ') || '–' })),
      h('p', null, view.closed ? s.joiningClosed : view.closesAt ? fillText(s.closesOn, { date: new Date(view.closesAt).toLocaleString() }) : s.openEnded),
      copyable(s.coordinatorLinkLabel, link),
      section(
        'invite',
        s.invitationHeading,
        copyable(s.invitationLinkLabel, view.invitation.url ?? absolute(view.invitation.path)),
        copyable(s.invitationCodeLabel, view.invitation.code, 'secret code'),
        h('p', { class: 'hint' }, fillText(s.invitationHow, { code: view.invitation.code })),
        h(
          'div',
          { class: 'actions' },
          button(s.replaceInvitation, async () => {
            view = await api.replaceInvitation();
            drawHead();
            say(s.invitationReplaced);
          }, 'secondary'),
        ),
      ),
    );
  };

  const ws = workshop({
    api,
    s,
    report: () => report,
    update: (next) => {
      report = next;
      drawPicture();
    },
    say,
    done: () => document.getElementById('result')?.focus(),
  });
  const start = button(s.workshopStart, () => ws.start());

  const drawPicture = () => {
    picture.replaceChildren(
      resultSection(report, s),
      heatmapSection(report, s),
      perspectivesSection(report, s),
      progressSection(report, s),
      ...[sharedSection(report, s), previousSection(report, s)].filter((x): x is HTMLElement => x !== null),
    );
  };

  const drawReport = (link?: { path: string; url?: string; expiresAt: string }) => {
    reportBox.replaceChildren(
      section(
        'report',
        s.reportHeading,
        h('div', { class: 'actions' }, ...(['md', 'json', 'csv'] as const).map((format) => button(s[`download_${format}`], async () => saveFile(await api.download(format)), 'secondary'))),
        link ? copyable(fillText(s.reportLinkReady, { date: new Date(link.expiresAt).toLocaleString() }), link.url ?? absolute(link.path)) : null,
        h(
          'div',
          { class: 'actions' },
          button(s.reportLinkButton, async () => {
            drawReport(await api.reportLink());
            say(s.reportLinkMade);
          }),
          view.reportLink.active || link ? button(s.revokeReportLink, async () => {
            await api.revokeReportLink();
            view = await api.view();
            drawReport();
            say(s.reportLinkRevoked);
          }, 'danger') : null,
        ),
      ),
    );
  };

  const drawSettings = () => {
    const see = h('input', { type: 'checkbox', checked: view.respondentsSeePicture });
    const seeId = uid();
    see.id = seeId;
    see.addEventListener('change', () => {
      api.settings({ respondentsSeePicture: see.checked }).then((next) => {
        view = next;
        say(s.saved.replace('{label}', s.respondentsSeeLabel));
      }, fail);
    });
    const confirmEnd = button(s.revokeConfirmButton, async () => {
      await api.revoke();
      app.replaceChildren(h('p', null, s.revoked));
      say(s.revoked);
    }, 'danger');
    confirmEnd.hidden = true;
    settingsBox.replaceChildren(
      section(
        'settings',
        s.settingsHeading,
        h('p', null, see, ' ', h('label', { for: seeId, class: 'inline' }, s.respondentsSeeLabel)),
        h(
          'div',
          { class: 'actions' },
          view.closed
            ? button(s.reopen, async () => {
                view = await api.reopen();
                drawHead();
                drawSettings();
                say(s.reopened);
              }, 'secondary')
            : button(s.closeNow, async () => {
                view = await api.close();
                drawHead();
                drawSettings();
                say(s.closedNow);
              }, 'secondary'),
          button(s.rotateLink, async () => {
            const rotated = await api.rotate();
            key = rotated.coordinatorToken;
            api = roundApi(roundId, key);
            history.replaceState(null, '', `#round=${encodeURIComponent(roundId)}&key=${encodeURIComponent(key)}`);
            // The workshop and every button use the new token from now on.
            void openRound(roundId, key, true);
            say(s.rotated);
          }, 'secondary'),
          button(s.followUp, async () => {
            const next = await api.followUp();
            say(s.followUpReady);
            settingsBox.append(copyable(s.followUpReady, next.coordinatorLink.url ?? absolute(next.coordinatorLink.path)));
          }, 'secondary'),
          button(s.revokeLink, () => {
            confirmEnd.hidden = false;
            say(s.revokeConfirm);
            confirmEnd.focus();
          }, 'danger'),
          confirmEnd,
        ),
      ),
    );
  };

  drawHead();
  drawPicture();
  drawReport();
  drawSettings();
  app.replaceChildren(
    head,
    h('div', { class: 'actions' }, button(s.refresh, async () => {
      [view, report] = await Promise.all([api.view(), api.picture()]);
      drawHead();
      drawPicture();
      say(s.refreshed);
    }, 'secondary')),
    section('workshop', s.workshopHeading, h('p', null, s.workshopIntro), h('div', { class: 'actions' }, start), ws),
    picture,
    reportBox,
    settingsBox,
  );
}

// ---- a respondent's view ------------------------------------------------------------

async function openMember(conversationId: string, token: string): Promise<void> {
  title.textContent = s.memberHeading;
  say(s.loading);
  try {
    const report = await memberReport(conversationId, token);
    say('');
    title.textContent = fillText(s.roundHeading, { name: report.round.name });
    app.replaceChildren(resultSection(report, s), heatmapSection(report, s), perspectivesSection(report, s));
  } catch (error) {
    fail(error);
  }
}

/** The assessment the widget keeps in this site's storage (same origin), if any. */
function widgetSession(): { conversationId: string; resumeToken: string } | null {
  try {
    const saved = JSON.parse(localStorage.getItem(`govstage:${location.origin}`) ?? 'null') as { conversationId?: unknown; resumeToken?: unknown } | null;
    return saved && typeof saved.conversationId === 'string' && typeof saved.resumeToken === 'string' ? { conversationId: saved.conversationId, resumeToken: saved.resumeToken } : null;
  } catch {
    return null;
  }
}

const params = new URLSearchParams(location.hash.slice(1));
const key = params.get('key');
const round = params.get('round');
const member = params.get('member');
const own = params.has('member') && !member ? widgetSession() : null;
if (round && key) void openRound(round, key);
else if (member && key) void openMember(member, key);
else if (own) void openMember(own.conversationId, own.resumeToken);
else if (params.has('member')) say(s.noOwnAssessment);
else if (location.hash.length > 1) say(s.missingKey);
else createForm();
