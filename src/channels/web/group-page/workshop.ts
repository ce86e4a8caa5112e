/**
 * The consensus workshop, with the screen shared: one characteristic at a
 * time, where views differ most first, with its spread per perspective and
 * the notes shared, the answer from the group's answers, and a form to
 * record the agreed answer and why. Native controls only (radios, a text
 * area, buttons), so it works with the keyboard alone; focus moves to each
 * characteristic's heading and every outcome is said in the status line.
 */
import { countsText } from '../../../reports/group-chart.js';
import type { GroupReport } from '../../../reports/group-report.js';
import { fillText } from '../../../reports/group-strings.js';
import { h, uid } from '../widget/dom.js';
import type { RoundApi } from './api.js';
import { spreadBar, standingText, type Labels } from './picture.js';

export interface WorkshopHost {
  api: RoundApi;
  s: Labels;
  /** The latest report (the workshop moves with it). */
  report: () => GroupReport;
  /** A new report came back (after saving): redraw the picture around the workshop. */
  update: (report: GroupReport) => void;
  say: (text: string) => void;
  /** Where focus goes once the last characteristic is done. */
  done: () => void;
}

const STANDINGS = ['met', 'partial', 'unmet', 'unknown'] as const;

export function workshop(host: WorkshopHost): HTMLElement & { start: () => void } {
  const { s } = host;
  const panel = h('div', { class: 'workshop', hidden: true });
  let index = 0;

  const show = (focus: boolean) => {
    const report = host.report();
    const list = report.characteristics;
    const c = list[index];
    if (!c) return;
    const groupLabel = new Map(report.groups.map((g) => [g.groupId, g.label]));
    const headingId = uid();
    const rationaleId = uid();
    const hintId = uid();
    const heading = h('h3', { id: headingId, tabindex: -1 }, `${fillText(s.workshopOf, { index: index + 1, total: list.length })}: ${c.label}`);
    const current = c.consensus?.standing;
    const radios = STANDINGS.map((standing) =>
      h('label', null, h('input', { type: 'radio', name: 'standing', value: standing, checked: current === standing }), standingText(s, standing, true)),
    );
    const rationale = h('textarea', { id: rationaleId, name: 'rationale', maxlength: 2000, 'aria-describedby': hintId });
    rationale.value = c.consensus?.rationale ?? '';
    const save = h('button', { type: 'submit' }, s.saveAndNext);
    const previous = h('button', { type: 'button', class: 'secondary', disabled: index === 0 }, s.previous);
    const skip = h('button', { type: 'button', class: 'secondary' }, s.skip);
    const clear = c.consensus ? h('button', { type: 'button', class: 'danger' }, s.clearAgreed) : null;
    const form = h(
      'form',
      { 'aria-labelledby': headingId, novalidate: true },
      h('fieldset', { class: 'choices' }, h('legend', null, s.agreedLegend), ...radios),
      h('p', null, h('label', { for: rationaleId }, s.rationaleLabel), rationale),
      h('p', { class: 'hint', id: hintId }, fillText(s.groupAnswer, { standing: standingText(s, c.fromAnswers) })),
      h('div', { class: 'actions' }, save, previous, skip, clear),
    );
    panel.replaceChildren(
      heading,
      h('p', { class: 'ours' }, s.oursLabel),
      h('p', null, h('span', { class: 'oecd-label' }, `${fillText(s.oecdLabel, { stage: c.stage })}: `), c.text),
      h('p', null, fillText(s.disagreement, { value: c.disagreement.toFixed(2) })),
      h(
        'ul',
        { class: 'spread-list' },
        ...c.spread.map((sp) => {
          const label = groupLabel.get(sp.groupId) ?? sp.groupId;
          return h(
            'li',
            null,
            h('span', { 'aria-hidden': 'true' }, label),
            spreadBar(sp),
            h('span', { 'aria-hidden': 'true' }, h('strong', null, standingText(s, sp.fromAnswers)), ` ${countsText(sp)}`),
            h('span', { class: 'vh' }, fillText(s.cellSummary, { label, met: sp.met, partial: sp.partial, unmet: sp.unmet, unknown: sp.unknown })),
          );
        }),
      ),
      c.notes.length > 0 ? h('p', { class: 'notes-label' }, s.notesHeading) : '',
      c.notes.length > 0 ? h('ul', { class: 'notes' }, ...c.notes.map((n) => h('li', null, `“${n.text}” `, h('span', { class: 'by' }, `(${[n.by ?? s.anonymous, n.group].filter(Boolean).join(', ')})`)))) : '',
      form,
    );
    const move = (to: number) => {
      if (to >= list.length) {
        panel.hidden = true;
        host.say(s.workshopDone);
        host.done();
        return;
      }
      index = Math.max(0, to);
      show(true);
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const chosen = radios.map((r) => r.querySelector('input') as HTMLInputElement).find((r) => r.checked)?.value;
      if (!chosen) {
        host.say(s.standingNeeded);
        (radios[0]?.querySelector('input') as HTMLInputElement | null)?.focus();
        return;
      }
      if (!rationale.value.trim()) {
        host.say(s.rationaleNeeded);
        rationale.focus();
        return;
      }
      save.disabled = true;
      host.api.consensus({ characteristicId: c.characteristicId, standing: chosen, rationale: rationale.value.trim() }).then(
        (report) => {
          host.update(report);
          host.say(fillText(s.saved, { label: c.label }));
          // The order follows the disagreement, which a consensus does not change: the next is the next.
          const at = report.characteristics.findIndex((x) => x.characteristicId === c.characteristicId);
          move((at < 0 ? index : at) + 1);
        },
        (error: unknown) => {
          save.disabled = false;
          host.say(fillText(s.error, { message: error instanceof Error ? error.message : String(error) }));
        },
      );
    });
    previous.addEventListener('click', () => move(index - 1));
    skip.addEventListener('click', () => move(index + 1));
    clear?.addEventListener('click', () => {
      host.api.clearConsensus(c.characteristicId).then(
        (report) => {
          host.update(report);
          host.say(fillText(s.cleared, { label: c.label }));
          show(true);
        },
        (error: unknown) => host.say(fillText(s.error, { message: error instanceof Error ? error.message : String(error) })),
      );
    });
    if (focus) heading.focus();
  };

  return Object.assign(panel, {
    start: () => {
      index = 0;
      panel.hidden = false;
      show(true);
    },
  });
}
