/**
 * Broken rubric and flow files are refused at load time with one INVALID_DATA
 * error that names the file, the path inside it and the problem.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadCatalog } from '../../src/core/definition.js';
import { GovError } from '../../src/errors.js';
import type { DataProblem } from '../../src/core/data-file.js';
import { FLOW_ID, repoRoot } from './helpers.js';

type Yaml = Record<string, any>; // free-form YAML, edited by each test

const RUBRIC = 'principle-2.yaml';
const FLOW = 'principle-2.yaml';

let root: string;
let rubric: Yaml;
let flow: Yaml;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'govstage-validation-'));
  await mkdir(path.join(root, 'rubric'));
  await mkdir(path.join(root, 'flows'));
  rubric = parse(await readFile(path.join(repoRoot, 'rubric', RUBRIC), 'utf8')) as Yaml;
  flow = parse(await readFile(path.join(repoRoot, 'flows', FLOW), 'utf8')) as Yaml;
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const rubricFile = () => path.join(root, 'rubric', RUBRIC);
const flowFile = () => path.join(root, 'flows', FLOW);

async function writeBoth(): Promise<void> {
  await writeFile(rubricFile(), stringify(rubric));
  await writeFile(flowFile(), stringify(flow));
}

/** Loads the temp root, expecting INVALID_DATA; returns the error for further checks. */
async function expectInvalid(): Promise<GovError & { problems: DataProblem[] }> {
  let caught: unknown;
  await expect(
    loadCatalog(root).catch((error: unknown) => {
      caught = error;
      throw error;
    }),
  ).rejects.toMatchObject({ kind: 'INVALID_DATA' });
  expect(caught).toBeInstanceOf(GovError);
  const error = caught as GovError;
  const problems = (error.details?.problems ?? []) as DataProblem[];
  return Object.assign(error, { problems });
}

/** The message names the file, the path and the problem, on one line. */
function expectProblem(error: GovError & { problems: DataProblem[] }, file: string, at: string, what: RegExp): void {
  const line = error.message.split('\n').find((l) => l.includes(`${file}: ${at}: `));
  expect(line, `no line for ${at} in:\n${error.message}`).toBeDefined();
  expect(line).toMatch(what);
  expect(error.problems.some((p) => p.file === file && p.path === at && what.test(p.message))).toBe(true);
}

describe('the real rubric and flow', () => {
  it('load into a catalog with the Principle 2 flow', async () => {
    const catalog = await loadCatalog(repoRoot);
    const definition = catalog.get(FLOW_ID);
    expect(definition).toBeDefined();
    // Ten OECD characteristics, three of them asked in our parts (2 + 3 + 2): 7 + 7 = 14 questions.
    expect(definition?.questions).toHaveLength(14);
    expect(definition?.rubric.oecd.characteristics).toHaveLength(10);
    expect(definition?.rubric.oecd.characteristics.filter((c) => c.qualifier !== undefined).map((c) => c.id)).toEqual([
      'intermediate-ict-engagement-channel', 'intermediate-open-data-reusable', 'advanced-outside-ideas', 'advanced-ogd-ecosystem',
    ]);
    expect(definition?.parts.size).toBe(7);
    expect(definition?.flow.upgrades.map((u) => u.fromVersion)).toEqual([1]);
    for (const state of ['intro', 'unit', 'q-ict-purpose', 'review', 'settle', 'settleNote', 'result', 'confirmRestart']) expect(definition?.machine.states[state], state).toBeDefined();
  });

  it('offer English and French, with our translation of every OECD characteristic and policy into French', async () => {
    const definition = (await loadCatalog(repoRoot)).get(FLOW_ID);
    expect(definition?.flow.locales).toEqual(['en', 'fr']);
    const fr = definition?.rubric.govstage.translations.fr;
    expect(Object.keys(fr?.characteristics ?? {}).sort()).toEqual(definition?.rubric.oecd.characteristics.map((c) => c.id).sort());
    expect(Object.keys(fr?.policies ?? {}).sort()).toEqual(definition?.rubric.oecd.policies.map((p) => p.id).sort());
  });

  it('also load from an untouched copy (so the broken copies below fail only for what they break)', async () => {
    await writeBoth();
    const catalog = await loadCatalog(root);
    expect([...catalog.keys()]).toEqual([FLOW_ID]);
  });
});

describe('a broken rubric file', () => {
  it('with a characteristic at an unknown stage names the file and oecd.characteristics[N].stage', async () => {
    rubric.oecd.characteristics[2].stage = 'expert';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'oecd.characteristics[2].stage', /early|intermediate|advanced|invalid/i);
    expect(error.message).toContain(RUBRIC);
  });

  it('with a duplicate characteristic id says which id is duplicated and where', async () => {
    rubric.oecd.characteristics[5].id = rubric.oecd.characteristics[0].id;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'oecd.characteristics[5].id', /duplicate id "early-ict-own-logic"/);
  });

  it('with a theme naming an unknown characteristic names the theme entry', async () => {
    rubric.govstage.themes[0].characteristics.push('no-such-characteristic');
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'govstage.themes[0].characteristics[5]', /unknown characteristic "no-such-characteristic"/);
  });

  it('with a characteristic in two themes says it belongs to exactly one', async () => {
    rubric.govstage.themes[1].characteristics.push('early-top-down');
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'govstage.themes[1].characteristics[2]', /already in theme "engagement"/);
  });

  it('with an early characteristic described as an achievement says what it must describe', async () => {
    rubric.oecd.characteristics[0].describes = 'achievement';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'oecd.characteristics[0].describes', /limitation/);
  });

  it('with a placeholder instead of the OECD text refuses it', async () => {
    rubric.oecd.policies[1].text = 'TODO';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'oecd.policies[1].text', /OECD text/);
  });

  it('with a qualifier its text does not say names the qualifier', async () => {
    // intermediate-citizen-preferences: "Makes efforts to collect…", no "regularly" in it.
    rubric.oecd.characteristics[6].qualifier = 'regularly';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'oecd.characteristics[6].qualifier', /the text does not say "regularly"/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a text starting with "Regularly" but no qualifier asks for it', async () => {
    expect(rubric.oecd.characteristics[5].text).toMatch(/^Regularly /);
    delete rubric.oecd.characteristics[5].qualifier;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'oecd.characteristics[5].qualifier', /starts with "regularly": set qualifier: regularly/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a part of an unknown characteristic names the part', async () => {
    rubric.govstage.parts[0].characteristic = 'no-such-characteristic';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'govstage.parts[0].characteristic', /unknown characteristic "no-such-characteristic"/);
  });

  it('with a characteristic split into one part says to split it into two or more, or none', async () => {
    rubric.govstage.parts = rubric.govstage.parts.filter((p: Yaml) => p.id !== 'outside-ideas-preferences');
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'govstage.parts', /characteristic "advanced-outside-ideas" has one part/);
    expect(error.problems).toHaveLength(1);
  });

  it('with an OECD characteristic missing from a translation names the locale and the characteristic', async () => {
    delete rubric.govstage.translations.fr.characteristics['early-top-down'];
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'govstage.translations.fr.characteristics', /missing the "fr" translation of characteristic "early-top-down"/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a translation of a policy the OECD text does not have names it', async () => {
    rubric.govstage.translations.fr.policies['policy-early-no-such-thing'] = 'Une politique que l’OCDE ne cite pas';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'govstage.translations.fr.policies.policy-early-no-such-thing', /unknown policy "policy-early-no-such-thing"/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a second translation locale that lacks a policy names that locale too', async () => {
    rubric.govstage.translations.de = structuredClone(rubric.govstage.translations.fr);
    delete rubric.govstage.translations.de.policies['policy-intermediate-subnational'];
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), 'govstage.translations.de.policies', /missing the "de" translation of policy "policy-intermediate-subnational"/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a YAML syntax error names the file and says (syntax)', async () => {
    await writeFile(rubricFile(), 'id: oecd-dg-principle-2\noecd: [unclosed\n');
    await writeFile(flowFile(), stringify(flow));
    const error = await expectInvalid();
    expectProblem(error, rubricFile(), '(syntax)', /.+/);
  });
});

describe('a broken flow file', () => {
  it('with a question about an unknown characteristic names questions[N].characteristic', async () => {
    flow.questions[3].characteristic = 'no-such-characteristic';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions[3].characteristic', /unknown characteristic "no-such-characteristic"/);
    // …and the characteristic it used to ask about is now asked by nobody.
    expectProblem(error, flowFile(), 'questions', /no question asks about characteristic "intermediate-citizen-preferences"/);
  });

  it('with a characteristic no question asks names that characteristic', async () => {
    flow.questions = flow.questions.filter((q: Yaml) => q.id !== 'open-data-reusable');
    delete flow.upgrades[0].answers['open-data-reusable'];
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions', /no question asks about characteristic "intermediate-open-data-reusable"/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a missing interface text key in a locale names text.<locale>.<key>', async () => {
    delete flow.text.en.why;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'text.en.why', /.+/);
  });

  it('with a key missing from the French text table names text.fr.<key>', async () => {
    delete flow.text.fr.unofficialTranslation;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'text.fr.unofficialTranslation', /.+/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a list missing from the French reply vocabulary names replies.fr.<list>', async () => {
    delete flow.replies.fr.notNow;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'replies.fr.notNow', /.+/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a question prompt missing a locale names the prompt and the locale', async () => {
    delete flow.questions[4].prompt.en;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions[4].prompt', /missing the "en" text/);
  });

  // The real flow offers French: the tests below take one French text away.
  it('offering a second locale that one prompt lacks names that prompt and locale', async () => {
    delete flow.questions[6].prompt.fr;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions[6].prompt', /missing the "fr" text/);
    expect(error.problems).toHaveLength(1);
  });

  it('offering a second locale that the unit question lacks names the unit text', async () => {
    delete flow.unit.options[2].noun.fr;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'unit.options[2].noun', /missing the "fr" text/);
    expect(error.problems).toHaveLength(1);
  });

  it('offering a locale the rubric themes have no title for names the locale and the theme', async () => {
    for (const t of rubric.govstage.themes) delete t.title.fr;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'locales', /locale "fr" is offered, but rubric theme "engagement" has no "fr" title/);
  });

  it('offering a locale one of our parts has no text for names the locale and the part', async () => {
    delete rubric.govstage.parts[3].text.fr;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'locales', /locale "fr" is offered, but rubric part "ogd-ecosystem-portal" has no "fr" text/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a question on a compound characteristic that names no part says to name it', async () => {
    expect(flow.questions[11].id).toBe('open-data-quality');
    delete flow.questions[11].part;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions[11].part', /"advanced-ogd-ecosystem" is asked in parts \(ogd-ecosystem-quality, ogd-ecosystem-portal, ogd-ecosystem-community\): name the part/);
    // …and so that part is asked by nobody.
    expectProblem(error, flowFile(), 'questions', /no question asks about part "ogd-ecosystem-quality"/);
    expect(error.problems).toHaveLength(2);
  });

  it('with a part no question asks names the part and its characteristic', async () => {
    flow.questions = flow.questions.filter((q: Yaml) => q.id !== 'participation-skills');
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions', /no question asks about part "enabling-framework-skills" of characteristic "advanced-enabling-framework"/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a question naming a part of another characteristic names questions[N].part', async () => {
    expect(flow.questions[8].id).toBe('participation-skills');
    flow.questions[8].part = 'ogd-ecosystem-portal';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions[8].part', /"ogd-ecosystem-portal" is not a part of characteristic "advanced-enabling-framework"/);
  });

  it('with two options answering "yes" to one question names its options', async () => {
    flow.questions[0].options[1].reply = 'yes';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions[0].options', /needs exactly one option answering "yes"/);
    expect(error.problems).toHaveLength(1);
  });

  it('with an upgrade to an unknown question names the upgrade entry', async () => {
    flow.upgrades[0].answers['ict-purpose'].question = 'no-such-question';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'upgrades[0].answers.ict-purpose.question', /unknown question "no-such-question"/);
    expect(error.problems).toHaveLength(1);
  });

  it('with an upgrade to an option its question lacks names the old option', async () => {
    flow.upgrades[0].answers['legal-framework'].options.yes = 'maybe';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'upgrades[0].answers.legal-framework.options.yes', /question "legal-framework" has no option "maybe"/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a question on an achievement whose "yes" means absent says it must mean holds', async () => {
    expect(flow.questions[1].characteristic).toBe('intermediate-ict-engagement-channel');
    flow.questions[1].yesMeans = 'absent';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions[1].yesMeans', /a question about an achievement must mean by "yes" that it holds/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a duplicate question id names the second one', async () => {
    flow.questions[2].id = flow.questions[1].id;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions[2].id', /duplicate question id "ict-engagement"/);
  });

  it('with an option called "unsure" says the engine adds it', async () => {
    flow.questions[0].options[1].id = 'unsure';
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions[0].options[1].id', /reserved/);
  });

  it('naming a rubric version that is not loaded refuses the mismatch', async () => {
    flow.rubric.version = 1;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'rubric.version', /written for rubric version 1, but the rubric is version 2/);
  });

  it('with a YAML syntax error names the file and says (syntax)', async () => {
    await writeFile(rubricFile(), stringify(rubric));
    await writeFile(flowFile(), `${stringify(flow)}\nquestions: [\n  - id: "oops\n`);
    const error = await expectInvalid();
    expectProblem(error, flowFile(), '(syntax)', /.+/);
  });

  it('with an unknown top-level key refuses it instead of ignoring it', async () => {
    flow.questionz = [];
    await writeBoth();
    const error = await expectInvalid();
    expect(error.message).toContain(flowFile());
    expect(error.message).toMatch(/questionz/);
  });
});
