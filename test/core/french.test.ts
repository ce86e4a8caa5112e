/**
 * A whole assessment in French through the pure turn function, typed the way
 * a French-speaking official types: every message kind the core renders
 * (introduction, help, why, the unit and every question, notes, a question
 * back, progress, review, the contradiction to settle, the result, pause,
 * restart, a stale button, the welcome back, the upgrade notice). It fails
 * if any text of any message contains a string of the English wording
 * (the text table, the questions, the themes and parts): only the OECD's
 * own English text may stay English, and only where a French label says it
 * is the OECD's original.
 *
 * Also: the French wording itself (every {placeholder} of the English kept,
 * French typography: a no-break space before « : ; ! ? » and inside « »).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { textsFor, type AssessmentDefinition, type Texts } from '../../src/core/definition.js';
import { advance, newConversation, type TurnOutcome } from '../../src/core/conversation/turn.js';
import { choiceIds } from '../../src/core/conversation/render.js';
import { ConversationState } from '../../src/core/conversation/state.js';
import { TEXT_KEYS } from '../../src/core/flow/schema.js';
import type { Message, ResultMessage, TextMessage } from '../../src/core/messages.js';
import { expectOk, messageOf, NOW, realDefinition } from './helpers.js';
import { parseMessage, placeholdersOf } from '../../src/core/i18n/message-format.js';

let definition: AssessmentDefinition;
let fr: Texts;
beforeAll(async () => {
  definition = await realDefinition();
  fr = textsFor(definition, 'fr');
});

/** Every text a person reads in a message: all its strings, except ids and enum values. */
const NOT_TEXT = new Set([
  'kind', 'tone', 'id', 'questionId', 'choiceId', 'editChoiceId', 'characteristicId', 'themeId', 'policyId', 'contradictionId', 'questionIds',
  'states', 'stage', 'status', 'oecdBy', 'wordingBy', 'titleBy', 'reasonBy', 'textBy', 'by', 'qualifier', 'heldBackBy', 'aheadIn', 'unsettled', 'code', 'expiresAt',
]);
function textsIn(value: unknown, key = ''): string[] {
  if (NOT_TEXT.has(key)) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((v) => textsIn(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => textsIn(v, k));
  return [];
}

/** The OECD's own English text, which stays English (labelled) in every language; and names that are the same in both. */
function oecdTexts(d: AssessmentDefinition): string[] {
  const { oecd } = d.rubric;
  return [...oecd.characteristics.map((c) => c.text), ...oecd.policies.map((p) => p.text), oecd.source.title, oecd.source.principle].sort((a, b) => b.length - a.length);
}

/**
 * What must not appear in a French message: the English wording, as runs of
 * words. Each English text is cut at its placeholders and punctuation; a
 * piece of three words or more gives every run of three words (matched in any
 * case), a piece of two words itself, a piece of one word itself in its case
 * ("Back", "Change"), unless French writes that word the same way
 * ("questions", "version", the "pause" command).
 */
const SAME_IN_FRENCH = new Set(['question', 'questions', 'Question', 'Questions', 'source', 'Source', 'note', 'notes', 'options', 'menu', 'version', 'documentation', 'pause', 'minutes', 'https', 'example', 'org', 'Govstage', 'OECD', 'Slack']);
const wordsOf = (text: string) => text.replace(/[’`]/g, "'").match(/[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*/gu) ?? [];
interface EnglishRuns { runs: Set<string>; words: Set<string> }
function englishRuns(d: AssessmentDefinition): EnglishRuns {
  const { flow, rubric } = d;
  const en = [
    ...Object.values(flow.text.en ?? {}),
    flow.unit.prompt.en, flow.unit.help.en, ...flow.unit.options.flatMap((o) => [o.label.en, o.noun.en]),
    ...flow.questions.flatMap((q) => [q.prompt.en, q.help.en, q.short.en, ...q.options.map((o) => o.label.en)]),
    ...rubric.govstage.themes.flatMap((t) => [t.title.en, t.rationale.en]), ...rubric.govstage.parts.map((p) => p.text.en),
  ].filter((t): t is string => typeof t === 'string');
  const runs = new Set<string>();
  const words = new Set<string>();
  for (const text of en) {
    for (const piece of text.split(/\{\w+\}|[\n•.,;:!?()"“”]/u)) {
      const w = wordsOf(piece);
      if (w.length >= 3) for (let i = 0; i + 3 <= w.length; i++) runs.add(w.slice(i, i + 3).join(' ').toLowerCase());
      else if (w.length === 2) runs.add(w.join(' ').toLowerCase());
      else if (w.length === 1 && !SAME_IN_FRENCH.has(w[0] as string) && /\p{L}{3}/u.test(w[0] as string)) words.add(w[0] as string);
    }
  }
  return { runs, words };
}

function englishIn(text: string, oecd: readonly string[], english: EnglishRuns): string[] {
  let rest = text;
  for (const quoted of oecd) rest = rest.split(quoted).join(' | ');
  const found = new Set<string>();
  for (const part of rest.split(' | ')) {
    const w = wordsOf(part);
    for (const word of w) if (english.words.has(word)) found.add(word);
    const lower = w.map((x) => x.toLowerCase());
    for (let n = 2; n <= 3; n++) {
      for (let i = 0; i + n <= lower.length; i++) {
        const run = lower.slice(i, i + n).join(' ');
        if (english.runs.has(run)) found.add(run);
      }
    }
  }
  return [...found];
}

/** Runs typed French (and a few buttons) through `advance`, keeping every message. */
class FrenchDriver {
  state: ConversationState;
  last: TurnOutcome;
  readonly seen: Message[] = [];
  constructor(readonly definition: AssessmentDefinition, start?: ConversationState) {
    this.last = start ? { state: start, messages: [] } : newConversation(definition, 'fr');
    this.state = this.last.state;
    this.seen.push(...this.last.messages);
  }
  send(input: Parameters<typeof advance>[2]): TurnOutcome {
    this.last = expectOk(advance(this.definition, this.state, input, NOW));
    this.state = this.last.state;
    this.seen.push(...this.last.messages);
    return this.last;
  }
  /** Questions whose "why" was asked: the first time a question is reached, "pourquoi" is typed before the reply, so every help text is read. */
  private readonly whyAsked = new Set<string>();
  text(...texts: string[]): TurnOutcome {
    for (const text of texts) {
      if (this.value.startsWith('q-') && !this.whyAsked.has(this.value)) {
        this.whyAsked.add(this.value);
        this.send({ kind: 'text', text: 'pourquoi' });
        expect(this.last.messages[0]?.kind).toBe('text');
      }
      this.send({ kind: 'text', text });
    }
    return this.last;
  }
  get value(): string {
    return this.state.machine.value;
  }
  texts(): string[] {
    return this.last.messages.flatMap((m) => ('text' in m && typeof m.text === 'string' ? [m.text] : []));
  }
}

/** Types the whole assessment in French, with a command or a detour at most steps; returns the driver at the result. */
function walk(): FrenchDriver {
  const d = new FrenchDriver(definition);
  expect(d.state.locale).toBe('fr');
  d.text('aide');
  expect(d.texts()[0]).toBe(fr.t('helpText'));
  d.text('commencer');
  expect(d.value).toBe('unit');
  d.text('retour');
  expect(d.texts()[0]).toBe(fr.t('atStart'));
  d.text('pourquoi');
  d.text('blablabla');
  expect(d.texts()[0]).toBe(fr.t('unrecognisedOutsideQuestion', { text: 'blablabla' }));
  d.text('ministère');
  expect(d.state.machine.context.unit).toBe('ministry');
  expect(d.texts()[0]).toBe(fr.t('unitRecorded', { unit: 'votre ministère ou organisme' }));

  // 1 ict-purpose. At each question "pourquoi" comes first (see FrenchDriver): ours, then the OECD characteristic in English, labelled.
  expect(d.value).toBe('q-ict-purpose');
  d.text('non');
  // 2 ict-engagement: progress, the review with questions open, the result asked too early.
  d.text('progression');
  expect(messageOf(d.last.messages, 'progress').text).toBe(fr.t('progressText', { answered: 1, total: 14, unsure: 0 }));
  d.text('revoir');
  expect(d.value).toBe('review');
  d.text('voir mon résultat');
  expect(d.texts()[0]).toBe(fr.t('stillOpen', { count: 13 }));
  expect(d.value).toBe('q-ict-engagement');
  d.text('Oui, régulièrement\u00a0: chaque projet de décret est mis en consultation');
  expect(d.state.machine.context.answers['ict-engagement']).toEqual({ option: 'yes', note: 'chaque projet de décret est mis en consultation' });
  // 3 decision-style: the label typed; then back and again.
  d.text('Oui, principalement descendante');
  d.text('retour');
  expect(d.value).toBe('q-decision-style');
  d.text('oui principalement descendante');
  // 4 citizen-preferences: gibberish, a question back, then the answer.
  d.text('asdfgh');
  expect(d.texts()[0]).toBe(fr.t('unrecognised', { text: 'asdfgh', hint: fr.t('hint', { count: 4 }) }));
  d.text('oui ou non');
  expect(d.last.messages[0]).toMatchObject({ kind: 'text', tone: 'warning', text: fr.t('clarify', { text: 'oui ou non' }) });
  d.text('oui');
  // 5-6 outside ideas, in its two parts (why shows our part too).
  d.text('systématiquement', 'oui, à chaque fois');
  // 7 legal-framework: a note typed first, then the answer with its own note.
  d.text('note');
  expect(d.texts()[0]).toBe(fr.t('noteEmpty'));
  d.text('note loi pour une République numérique : https://www.legifrance.gouv.fr/');
  expect(d.texts()[0]).toBe(fr.t('noteSaved'));
  d.text('oui, depuis 2016');
  // 8-9 the enabling framework and the skills.
  d.text('non', 'pas vraiment');
  // 10-11 open data.
  d.text('non : la qualité et la réutilisation passent avant tout', 'oui, régulièrement');
  // 12 quality, via a change of mind: answered, then changed with "modifier 12".
  d.text('non, pas encore', 'modifier 12', 'en partie, seulement pour certains jeux de données');
  // 13 the portal: not sure; 14 the ecosystem: an option number.
  d.text('je ne sais pas', '3');
  expect(d.value).toBe('review');
  // From the review: a note has nowhere to go; change question 1 and come back.
  d.text('note rien');
  expect(d.texts()[0]).toBe(fr.t('noteNowhere'));
  d.text('modifier 1', 'non');
  expect(d.value).toBe('review');
  // Restart asked, and cancelled.
  d.text('recommencer');
  expect(d.value).toBe('confirmRestart');
  d.text('non');
  expect(d.texts()[0]).toBe(fr.t('restartCancelled'));
  // The result: top-down decisions beside engagement achievements is put to the person first.
  d.text('voir mon résultat');
  expect(d.value).toBe('settle');
  let first = true;
  while (d.value === 'settle') {
    const settle = d.last.messages.find((m): m is TextMessage => m.kind === 'text' && m.contradictionId !== undefined);
    const count = settle?.choices?.length ?? 0;
    // The first one kept with a note (the "keep both" button typed as its number), the others left for later.
    d.text(String(first ? count - 1 : count));
    if (first) {
      expect(d.value).toBe('settleNote');
      d.text('décisions budgétaires descendantes, mais chaque projet de texte est ouvert aux commentaires en ligne');
      first = false;
    }
  }
  expect(d.value).toBe('result');
  return d;
}

describe('a whole assessment in French', () => {
  it('is French from the introduction to the result: no string of the English wording in any message', () => {
    const d = walk();
    // After the result: the review, pause, a restart confirmed, a stale button, and a welcome back.
    d.text('revoir', 'voir mon résultat', 'pause');
    expect(d.last.signal).toBe('pause');
    d.send({ kind: 'choice', choice: choiceIds.answer('ict-purpose', 'yes') });
    expect(d.texts()[0]).toBe(fr.t('staleChoice'));
    d.send({ kind: 'start' });
    expect(d.texts()[0]).toBe(fr.t('resumed'));
    d.text('recommencer', 'oui');
    expect(d.texts()[0]).toBe(fr.t('restarted'));

    const kinds = new Set(d.seen.map((m) => m.kind));
    expect([...kinds].sort()).toEqual(['paused', 'progress', 'question', 'result', 'review', 'text']);
    const oecd = oecdTexts(definition);
    const english = englishRuns(definition);
    expect(english.runs.size).toBeGreaterThan(1000);
    const found = d.seen.flatMap((m) => textsIn(m).flatMap((t) => englishIn(t, oecd, english).map((e) => `${m.kind}: "${e}" in ${JSON.stringify(t.slice(0, 160))}`)));
    expect(found).toEqual([]);
  });

  it("shows the OECD's text as our translation, labelled unofficial, with the English original beside it", () => {
    const d = walk();
    const oecd = oecdTexts(definition);
    const translations = definition.rubric.govstage.translations.fr;
    const characteristics = new Map(definition.rubric.oecd.characteristics.map((c) => [c.text, c]));
    for (const m of d.seen) {
      if (m.kind === 'text') {
        for (const [text, c] of characteristics) {
          if (m.text.includes(text)) expect(m.text, 'a why text quoting the OECD').toContain(fr.t('whyOecdTranslated', { stage: fr.t(`stageName.${c.stage}`), translation: translations?.characteristics[c.id] ?? '?', text }));
        }
      }
      if (m.kind === 'question') for (const e of m.evidences) expect(e).toMatchObject({ oecdBy: 'oecd', translation: { by: 'govstage', label: 'traduction non officielle' } });
    }
    const { result } = messageOf(d.last.messages, 'result') as ResultMessage;
    // The OECD texts in the result are the OECD's, each with our labelled translation.
    for (const s of result.suggestions) {
      expect(oecd).toContain(s.text);
      expect(s.translation).toEqual({ text: translations?.policies[s.policyId], by: 'govstage', locale: 'fr', label: 'traduction non officielle' });
    }
    for (const t of result.themes) for (const c of t.milestone?.items ?? []) expect(characteristics.has(c.text) && c.translation?.text === translations?.characteristics[c.characteristicId]).toBe(true);
    expect(result.texts.oecdLabel).toBe("Texte de l'OCDE (version originale en anglais)");
    expect(result.texts.suggestionsHeading).toBe(fr.t('suggestionsHeading'));
    expect(result.texts.sourceLabel).toContain('notre traduction non officielle');
    expect(result.themes.map((t) => t.title)).toEqual(['Associer le public aux politiques et aux services', 'Cadre juridique et cadre favorable', 'Données publiques ouvertes']);
    expect(result.unit).toEqual({ id: 'ministry', label: 'Un ministère ou un organisme public' });
    expect(result.overall.explanation).toContain('votre ministère ou organisme');
  });

  it('records what was typed in French with the meaning it had, notes kept as typed', () => {
    const d = walk();
    const { answers, settled } = d.state.machine.context;
    expect(answers).toEqual({
      'ict-purpose': { option: 'no' },
      'ict-engagement': { option: 'yes', note: 'chaque projet de décret est mis en consultation' },
      'decision-style': { option: 'yes' },
      'citizen-preferences': { option: 'yes' },
      'outside-ideas': { option: 'yes' },
      'outside-preferences': { option: 'yes' },
      'legal-framework': { option: 'yes', note: 'depuis 2016' },
      'enabling-framework': { option: 'no' },
      'participation-skills': { option: 'no' },
      'open-data-focus': { option: 'no' },
      'open-data-reusable': { option: 'yes' },
      'open-data-quality': { option: 'partly', note: 'seulement pour certains jeux de données' },
      'open-data-portal': { option: 'unsure' },
      'open-data-ecosystem': { option: 'no' },
    });
    expect(Object.values(settled)).toEqual([{ note: 'décisions budgétaires descendantes, mais chaque projet de texte est ouvert aux commentaires en ligne' }]);
    // The note typed before its answer was kept, then replaced by the answer's own note.
    expect(d.state.answerLog.some((e) => e.questionId === 'legal-framework' && e.note === 'loi pour une République numérique : https://www.legifrance.gouv.fr/')).toBe(true);
  });

  it('tells a French conversation saved under the previous flow version, in French, why some questions are new', () => {
    const saved = ConversationState.parse({
      schemaVersion: 1,
      flow: { id: definition.flow.id, version: 1 },
      rubric: { id: definition.rubric.id, version: 1 },
      locale: 'fr',
      machine: { value: 'q-decision-style', context: { answers: { 'ict-purpose': { option: 'no' } }, pendingNotes: {}, returnAfterAnswer: null, returnAfterCancel: null } },
      answerLog: [{ at: NOW.toISOString(), questionId: 'ict-purpose', option: 'no' }],
      status: 'active',
      finishedAt: null,
    });
    const d = new FrenchDriver(definition, saved);
    d.send({ kind: 'start' });
    expect(d.texts()[0]).toBe(fr.t('upgradedNotice', { from: 1, to: 2 }));
    expect(d.texts()[0]).toMatch(/^Cette évaluation a été mise à jour/);
    const found = d.seen.flatMap((m) => textsIn(m).flatMap((t) => englishIn(t, oecdTexts(definition), englishRuns(definition))));
    expect(found).toEqual([]);
  });
});

describe('the French wording', () => {
  const frenchTexts = (): Array<[string, string, string]> => {
    const { flow, rubric } = definition;
    const pairs: Array<[string, string | undefined, string | undefined]> = [
      ...TEXT_KEYS.map((k): [string, string | undefined, string | undefined] => [`text.${k}`, flow.text.en?.[k], flow.text.fr?.[k]]),
      ['unit.prompt', flow.unit.prompt.en, flow.unit.prompt.fr], ['unit.help', flow.unit.help.en, flow.unit.help.fr],
      ...flow.unit.options.flatMap((o): Array<[string, string | undefined, string | undefined]> => [[`unit.${o.id}.label`, o.label.en, o.label.fr], [`unit.${o.id}.noun`, o.noun.en, o.noun.fr]]),
      ...flow.questions.flatMap((q): Array<[string, string | undefined, string | undefined]> => [
        [`${q.id}.prompt`, q.prompt.en, q.prompt.fr], [`${q.id}.help`, q.help.en, q.help.fr], [`${q.id}.short`, q.short.en, q.short.fr],
        ...q.options.map((o): [string, string | undefined, string | undefined] => [`${q.id}.${o.id}`, o.label.en, o.label.fr]),
      ]),
      ...rubric.govstage.themes.flatMap((t): Array<[string, string | undefined, string | undefined]> => [[`theme.${t.id}.title`, t.title.en, t.title.fr], [`theme.${t.id}.rationale`, t.rationale.en, t.rationale.fr]]),
      ...rubric.govstage.parts.map((p): [string, string | undefined, string | undefined] => [`part.${p.id}`, p.text.en, p.text.fr]),
      ...Object.entries(rubric.govstage.translations.fr?.characteristics ?? {}).map(([id, t]): [string, string | undefined, string | undefined] => [`translation.${id}`, definition.characteristics.get(id)?.text, t]),
      ...Object.entries(rubric.govstage.translations.fr?.policies ?? {}).map(([id, t]): [string, string | undefined, string | undefined] => [`translation.${id}`, definition.policies.get(id)?.text, t]),
    ];
    return pairs.map(([where, en, frText]) => [where, en ?? '', frText ?? '']);
  };

  it('has a French text for every English one, keeping every {placeholder} and adding none', () => {
    for (const [where, en, frText] of frenchTexts()) {
      expect(frText, where).not.toBe('');
      // The text table is in the message syntax ({count, plural, …} names a placeholder too); the rest has {name} only.
      const placeholders = (t: string) => (where.startsWith('text.') ? [...placeholdersOf(parseMessage(t)).names] : [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1])).sort();
      expect(placeholders(frText), where).toEqual(placeholders(en));
    }
  });

  it('follows French typography: a no-break space before « : ; ! ? » and inside guillemets, no English quotation marks', () => {
    const problems: string[] = [];
    for (const [where, , frText] of frenchTexts()) {
      // A colon in a link ("https://") or between digits is not punctuation.
      const text = frText.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/giu, 'LIEN');
      if (/(?:^|[^\u00a0\u202f])[;!?»]/u.test(text.replace(/\?\)/g, ''))) problems.push(`${where}: no no-break space before ; ! ? or »: ${text}`);
      if (/[^\u00a0\u202f\d]:(?!\d)/u.test(text)) problems.push(`${where}: no no-break space before ":": ${text}`);
      if (/«(?![\u00a0\u202f])/u.test(text)) problems.push(`${where}: no no-break space after «: ${text}`);
      if (/["“”]/u.test(text)) problems.push(`${where}: English quotation marks: ${text}`);
    }
    expect(problems).toEqual([]);
  });

  it('uses vouvoiement and no English word for what has a French administrative term', () => {
    const all = frenchTexts().map(([, , t]) => t).join('\n');
    expect(all).not.toMatch(/(?<!\p{L})(?:tu|ton|ta|tes|toi|t')(?!\p{L})/iu);
    expect(all).not.toMatch(/\b(?:stakeholders?|open data|dataset|feedback|policy|policies|engagement channel)\b/iu);
    for (const term of ['administration centrale', 'collectivités territoriales', 'données publiques ouvertes', 'parties prenantes', 'consultation', 'démarches participatives', 'jeux de données', 'agents publics']) expect(all, term).toContain(term);
  });
});
