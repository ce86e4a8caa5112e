/**
 * Contradictions are settled, not just listed: before the result each one is
 * put to the person with buttons (change one of the answers, keep both with
 * a note, decide later); an unsettled one keeps its theme at the lower stage
 * and the result says so.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { textsFor, type AssessmentDefinition, type Texts } from '../../src/core/definition.js';
import { choiceIds } from '../../src/core/conversation/render.js';
import type { TextMessage } from '../../src/core/messages.js';
import { Driver, messageOf, realDefinition } from './helpers.js';

let definition: AssessmentDefinition;
let texts: Texts;
beforeAll(async () => {
  definition = await realDefinition();
  texts = textsFor(definition, 'en');
});

/** Top-down fully true while outside ideas are systematically leveraged (one contradiction in engagement); the rest intermediate. */
const CONTRADICTING = ['no', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no', 'no', 'yes', 'no', 'no', 'no'];

function atSettle(): Driver {
  const d = new Driver(definition);
  d.choice('start', 'unit:national');
  d.text(...CONTRADICTING, 'see my result');
  return d;
}
const settleMessage = (d: Driver): TextMessage => {
  const m = d.last.messages.find((x): x is TextMessage => x.kind === 'text' && x.contradictionId !== undefined);
  if (!m) throw new Error(`no settle message in ${JSON.stringify(d.last.messages)}`);
  return m;
};

describe('settling contradictions before the result', () => {
  it('puts each contradiction to the person, short and plain, with buttons to change either answer, keep both or decide later', () => {
    const d = atSettle();
    expect(d.value).toBe('settle');
    const m = settleMessage(d);
    // Grouped: top-down against every engagement achievement said to hold.
    expect(m.contradictionId).toBe('early-top-down~intermediate-ict-engagement-channel+intermediate-citizen-preferences+advanced-outside-ideas');
    expect(m.choices?.map((c) => c.id)).toEqual([
      choiceIds.edit('decision-style'), choiceIds.edit('ict-engagement'), choiceIds.edit('citizen-preferences'), choiceIds.edit('outside-ideas'), choiceIds.edit('outside-preferences'),
      choiceIds.keepBoth(m.contradictionId as string), choiceIds.decideLater(m.contradictionId as string),
    ]);
    expect(m.text).toContain("(Govstage's check.)");
    expect(m.text).not.toMatch(/OECD rubric|limitation/);
  });

  it('keeping both asks for a note saying why, then shows the result with the note, the theme still capped by the rule', () => {
    const d = atSettle();
    const id = settleMessage(d).contradictionId as string;
    d.choice(choiceIds.keepBoth(id));
    expect(d.value).toBe('settleNote');
    d.text('Top-down for budget decisions; every draft regulation is open for comment online.');
    expect(d.value).toBe('result');
    const { result } = messageOf(d.last.messages, 'result');
    expect(result.contradictions[0]?.settlement).toEqual({ kind: 'kept', note: 'Top-down for budget decisions; every draft regulation is open for comment online.' });
    expect(result.themes.find((t) => t.themeId === 'engagement')?.stage).toBe('early');
    expect(result.themes.find((t) => t.themeId === 'engagement')?.unsettled).toEqual([]);
    expect(result.caveats.join(' ')).not.toContain('unsettled');
  });

  it('decide later reaches the result with the contradiction unsettled: it caps the theme and the result says so', () => {
    const d = atSettle();
    const id = settleMessage(d).contradictionId as string;
    d.choice(choiceIds.decideLater(id));
    expect(d.value).toBe('result');
    const { result } = messageOf(d.last.messages, 'result');
    const engagement = result.themes.find((t) => t.themeId === 'engagement');
    expect(engagement?.stage).toBe('early');
    expect(engagement?.unsettled).toEqual([id]);
    expect(engagement?.explanation).toContain(texts.t('themeUnsettled', { stage: texts.t('stageName.early') }));
    expect(result.caveats).toContain(texts.t('caveatContradictions', { count: 1 }));
  });

  it('changing one of the answers goes to that question and back to the review; the contradiction is gone', () => {
    const d = atSettle();
    d.choice(choiceIds.edit('decision-style'));
    expect(d.value).toBe('q-decision-style');
    d.text('no');
    expect(d.value).toBe('review');
    expect(messageOf(d.last.messages, 'review').contradictions).toEqual([]);
    d.text('see my result');
    expect(d.value).toBe('result');
  });

  it('the words of a button pick it too', () => {
    const d = atSettle();
    d.text('keep both answers');
    expect(d.value).toBe('settleNote');
    d.text('back', 'Decide later');
    expect(d.value).toBe('result');
  });

  it('a typed number picks a button; an empty note is not a note; a stale settle button changes nothing', () => {
    const d = atSettle();
    d.text('6');
    expect(d.value).toBe('settleNote');
    d.text('   ');
    expect(d.value).toBe('settleNote');
    d.text('back');
    expect(d.value).toBe('settle');
    const before = d.state;
    d.choice(choiceIds.keepBoth('early-top-down~something-else'));
    expect(d.state).toEqual(before);
  });
});

describe('what is being assessed', () => {
  it('is understood typed, by number or words, and can be changed from the review', () => {
    const d = new Driver(definition);
    d.choice('start');
    d.text('a regional or local government');
    expect(d.state.machine.context.unit).toBe('subnational');
    d.text(...CONTRADICTING.map(() => 'no'));
    expect(d.value).toBe('review');
    d.choice(choiceIds.edit('unit'));
    expect(d.value).toBe('unit');
    d.choice(choiceIds.unit('ministry'));
    expect(d.value).toBe('review');
    expect(messageOf(d.last.messages, 'review').items[1]?.question).toContain('your ministry or agency');
  });

  it('an unknown reply re-asks, naming nothing as an answer', () => {
    const d = new Driver(definition);
    d.choice('start');
    d.text('banana');
    expect(d.value).toBe('unit');
    expect(d.state.machine.context.unit).toBeNull();
  });
});

describe('questions say what they evidence', () => {
  it('each question names the OECD characteristic (id, stage, text word for word) and, for a compound one, our part of it', () => {
    const d = new Driver(definition);
    d.choice('start', 'unit:national');
    for (const q of definition.questions) {
      const m = messageOf(d.last.messages, 'question');
      expect(m.questionId).toBe(q.id);
      expect(m.evidences).toHaveLength(1);
      const e = m.evidences[0];
      expect(e?.oecdText).toBe(definition.characteristics.get(q.characteristic)?.text);
      expect(e?.oecdBy).toBe('oecd');
      expect(e?.part?.by ?? 'govstage').toBe('govstage');
      expect(e?.part?.id ?? null).toBe(q.part ?? null);
      expect(m.wordingBy).toBe('govstage');
      expect(m.themeLabel).toContain("Govstage's grouping");
      expect(m.choices.map((c) => c.states)).toEqual(q.yesMeans === 'holds' ? ['holds', 'partly', 'absent', 'unknown'] : ['absent', 'partly', 'holds', 'unknown']);
      d.text('not sure');
    }
  });

  it('options of a characteristic the OECD qualifies name the qualifier', () => {
    for (const q of definition.questions) {
      const qualifier = definition.characteristics.get(q.characteristic)?.qualifier;
      if (!qualifier || q.part === 'ogd-ecosystem-portal' || q.part === 'ogd-ecosystem-community') continue;
      expect(q.options.find((o) => o.reply === 'yes')?.label.en?.toLowerCase()).toContain(qualifier);
      expect(q.options.find((o) => o.reply === 'partly')?.label.en).toBe('Sometimes, or only in some places');
    }
  });

  it('no question asks with a double negative', () => {
    for (const q of definition.questions) expect(q.prompt.en).not.toMatch(/\b(fail|not|n't)\b.*\b(not|n't|fail)\b|does not|fail to/i);
  });
});
