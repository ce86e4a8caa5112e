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
    expect(definition?.questions).toHaveLength(10);
    expect(definition?.rubric.oecd.characteristics).toHaveLength(10);
    expect(definition?.machine.states['q-ict-purpose']).toBeDefined();
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
    flow.questions = flow.questions.filter((q: Yaml) => q.id !== 'open-data-ecosystem');
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions', /no question asks about characteristic "advanced-ogd-ecosystem"/);
    expect(error.problems).toHaveLength(1);
  });

  it('with a missing interface text key in a locale names text.<locale>.<key>', async () => {
    delete flow.text.en.why;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'text.en.why', /.+/);
  });

  it('with a question prompt missing a locale names the prompt and the locale', async () => {
    delete flow.questions[4].prompt.en;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions[4].prompt', /missing the "en" text/);
  });

  it('offering a second locale that one prompt lacks names that prompt and locale', async () => {
    // Everything translated (a copy of the English) except one prompt.
    flow.locales = ['en', 'fr'];
    flow.text.fr = structuredClone(flow.text.en);
    flow.replies.fr = structuredClone(flow.replies.en);
    flow.questions.forEach((q: Yaml, i: number) => {
      if (i !== 6) q.prompt.fr = q.prompt.en;
      q.help.fr = q.help.en;
      for (const o of q.options) o.label.fr = o.label.en;
    });
    for (const t of rubric.govstage.themes) t.title.fr = t.title.en;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'questions[6].prompt', /missing the "fr" text/);
    expect(error.problems).toHaveLength(1);
  });

  it('offering a locale the rubric themes have no title for names the locale and the theme', async () => {
    flow.locales = ['en', 'fr'];
    flow.text.fr = structuredClone(flow.text.en);
    flow.replies.fr = structuredClone(flow.replies.en);
    for (const q of flow.questions) {
      q.prompt.fr = q.prompt.en;
      q.help.fr = q.help.en;
      for (const o of q.options) o.label.fr = o.label.en;
    }
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'locales', /locale "fr" is offered, but rubric theme "engagement" has no "fr" title/);
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
    flow.rubric.version = 2;
    await writeBoth();
    const error = await expectInvalid();
    expectProblem(error, flowFile(), 'rubric.version', /written for rubric version 2/);
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
