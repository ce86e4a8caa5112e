/**
 * An assessment definition: one rubric and one flow, validated, cross-checked
 * and indexed, with the state machine built from them. Built once at start-up
 * and shared by every turn.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { GovError } from '../errors.js';
import { type DataProblem, problemsError, readDataFile } from './data-file.js';
import { FlowFile, type Question, type TextKey } from './flow/schema.js';
import { buildMachine, type AssessmentMachine } from './machine/machine.js';
import { RubricFile, type Characteristic, type Part, type Policy, type StageId, type Theme } from './rubric/schema.js';
import { formatMessage } from './i18n/message-format.js';
import { openContradictionOf } from './scoring/evidence.js';

export interface AssessmentDefinition {
  rubric: RubricFile;
  flow: FlowFile;
  characteristics: ReadonlyMap<string, Characteristic>;
  policies: ReadonlyMap<string, Policy>;
  themes: readonly Theme[];
  themeOfCharacteristic: ReadonlyMap<string, Theme>;
  /** Our parts of compound characteristics, by part id. */
  parts: ReadonlyMap<string, Part>;
  questions: readonly Question[];
  questionById: ReadonlyMap<string, Question>;
  machine: AssessmentMachine;
}

/** Cross-checks a flow against its rubric: every characteristic asked, every id resolvable. */
export function crossCheck(rubric: RubricFile, flow: FlowFile, flowFile: string): DataProblem[] {
  const problems: DataProblem[] = [];
  const add = (p: string, message: string) => problems.push({ file: flowFile, path: p, message });
  if (flow.rubric.id !== rubric.id) add('rubric.id', `names rubric "${flow.rubric.id}" but the rubric is "${rubric.id}"`);
  if (flow.rubric.version !== rubric.version) add('rubric.version', `was written for rubric version ${flow.rubric.version}, but the rubric is version ${rubric.version}`);
  const chars = new Set(rubric.oecd.characteristics.map((c) => c.id));
  const asked = new Set<string>();
  const parts = rubric.govstage.parts;
  const askedParts = new Set<string>();
  flow.questions.forEach((q, i) => {
    if (!chars.has(q.characteristic)) add(`questions[${i}].characteristic`, `unknown characteristic "${q.characteristic}" (not in rubric ${rubric.id})`);
    asked.add(q.characteristic);
    const ownParts = parts.filter((p) => p.characteristic === q.characteristic);
    if (q.part !== undefined) {
      if (!ownParts.some((p) => p.id === q.part)) add(`questions[${i}].part`, `"${q.part}" is not a part of characteristic "${q.characteristic}" in the rubric`);
      askedParts.add(q.part);
    } else if (ownParts.length > 0) {
      add(`questions[${i}].part`, `characteristic "${q.characteristic}" is asked in parts (${ownParts.map((p) => p.id).join(', ')}): name the part this question asks`);
    }
    const c = rubric.oecd.characteristics.find((x) => x.id === q.characteristic);
    if (c && c.describes === 'achievement' && q.yesMeans !== 'holds') add(`questions[${i}].yesMeans`, 'a question about an achievement must mean by "yes" that it holds');
  });
  for (const part of parts) {
    if (!askedParts.has(part.id)) add('questions', `no question asks about part "${part.id}" of characteristic "${part.characteristic}"`);
    for (const locale of flow.locales) if (!(locale in part.text)) add('locales', `locale "${locale}" is offered, but rubric part "${part.id}" has no "${locale}" text`);
  }
  for (const c of rubric.oecd.characteristics) {
    if (!asked.has(c.id)) add('questions', `no question asks about characteristic "${c.id}"`);
  }
  for (const locale of flow.locales) {
    for (const theme of rubric.govstage.themes) {
      if (!(locale in theme.title)) add('locales', `locale "${locale}" is offered, but rubric theme "${theme.id}" has no "${locale}" title`);
    }
  }
  return problems;
}

export function buildDefinition(rubric: RubricFile, flow: FlowFile, flowFile = '(flow)'): AssessmentDefinition {
  const problems = crossCheck(rubric, flow, flowFile);
  if (problems.length > 0) throw problemsError(`Flow ${flow.id}`, problems);
  const themeOfCharacteristic = new Map<string, Theme>();
  for (const theme of rubric.govstage.themes) for (const id of theme.characteristics) themeOfCharacteristic.set(id, theme);
  const definition: Omit<AssessmentDefinition, 'machine'> = {
    parts: new Map(rubric.govstage.parts.map((p) => [p.id, p])),
    rubric,
    flow,
    characteristics: new Map(rubric.oecd.characteristics.map((c) => [c.id, c])),
    policies: new Map(rubric.oecd.policies.map((p) => [p.id, p])),
    themes: rubric.govstage.themes,
    themeOfCharacteristic,
    questions: flow.questions,
    questionById: new Map(flow.questions.map((q) => [q.id, q])),
  };
  return {
    ...definition,
    machine: buildMachine({ questionIds: flow.questions.map((q) => q.id), openContradiction: (context) => openContradictionOf(definition, context) }),
  };
}

/** All flows under `root/flows`, each with the rubric it names from `root/rubric`, keyed by flow id. */
export type Catalog = ReadonlyMap<string, AssessmentDefinition>;

async function yamlFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw problemsError(dir, [{ file: dir, path: '(folder)', message: `cannot be read: ${(error as Error).message}` }]);
  }
  return names.filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort().map((n) => path.join(dir, n));
}

export async function loadCatalog(root: string): Promise<Catalog> {
  const rubrics = new Map<string, RubricFile>();
  for (const file of await yamlFiles(path.join(root, 'rubric'))) {
    const rubric = await readDataFile(file, RubricFile);
    if (rubrics.has(rubric.id)) throw problemsError(file, [{ file, path: 'id', message: `rubric id "${rubric.id}" is used by another file` }]);
    rubrics.set(rubric.id, rubric);
  }
  const catalog = new Map<string, AssessmentDefinition>();
  for (const file of await yamlFiles(path.join(root, 'flows'))) {
    const flow = await readDataFile(file, FlowFile);
    const rubric = rubrics.get(flow.rubric.id);
    if (!rubric) throw problemsError(file, [{ file, path: 'rubric.id', message: `no rubric with id "${flow.rubric.id}" in ${path.join(root, 'rubric')}` }]);
    if (catalog.has(flow.id)) throw problemsError(file, [{ file, path: 'id', message: `flow id "${flow.id}" is used by another file` }]);
    catalog.set(flow.id, buildDefinition(rubric, flow, file));
  }
  if (catalog.size === 0) throw new GovError('INVALID_DATA', `No flow found in ${path.join(root, 'flows')}`);
  return catalog;
}

/** Fill {placeholders} in an interface text. */
export function fill(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/** Localised text helpers bound to one locale of a definition. */
export function textsFor(definition: AssessmentDefinition, locale: string) {
  const { flow } = definition;
  // Own keys only: a locale named like an Object.prototype member ("valueOf") must not pick up the inherited function.
  const own = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);
  const table = own(flow.text, locale) ?? own(flow.text, flow.defaultLocale);
  if (!table) throw new GovError('INTERNAL', `flow ${flow.id} has no text for ${locale}`);
  let listFormat: Intl.ListFormat | undefined;
  const pick = (text: Record<string, string>) => own(text, locale) ?? own(text, flow.defaultLocale) ?? Object.values(text)[0] ?? '';
  return {
    locale,
    /** An interface text, in the message syntax of src/core/i18n/message-format.ts (plurals by the locale's rules). */
    t: (key: TextKey, values: Record<string, string | number> = {}) => formatMessage(table[key], values, { locale, timeZone: 'UTC' }),
    pick,
    fill,
    /** "a, b and c" in this locale. */
    list: (items: readonly string[]) => (listFormat ??= new Intl.ListFormat(locale, { type: 'conjunction' })).format(items),
    /** What the person assesses, as the questions name it ("your government"); our neutral fallback until they say. */
    unitNoun: (unit: string | null) => {
      const option = flow.unit.options.find((o) => o.id === unit);
      return option ? pick(option.noun) : table.unitFallback;
    },
    stageLabel: (stage: StageId | null) => table[stage ? (`stage.${stage}` as const) : 'stage.undecided'],
    /** Our unofficial translation of an OECD characteristic or policy into this locale, labelled as ours; null where there is none (the OECD's own language). */
    translation: (kind: 'characteristics' | 'policies', id: string) => {
      const ours = own(definition.rubric.govstage.translations, locale);
      const text = ours ? own(ours[kind], id) : undefined;
      return text ? { text, by: 'govstage' as const, locale, label: table.unofficialTranslation } : null;
    },
  };
}
export type Texts = ReturnType<typeof textsFor>;
