/**
 * The rubric's `oecd` part must be the OECD seed text, word for word, with
 * only the OCR clean-ups its `oecd.source.cleaning` notes list. The seed is
 * cleaned here independently, following those notes, and compared item by
 * item, stage by stage.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AssessmentDefinition } from '../../src/core/definition.js';
import { STAGES, type StageId } from '../../src/core/rubric/schema.js';
import { realDefinition, repoRoot } from './helpers.js';

/** The seed, as delivered in ../shared/seeds (copied to test/fixtures so the suite runs anywhere). */
const SHARED_SEED = path.resolve(repoRoot, '../shared/seeds/000_58d7b5fdf82e65f3.txt');
const FIXTURE_SEED = path.join(repoRoot, 'test/fixtures/oecd-principle-2-seed.txt');

const GARBLED_HEADING = /^Policies and practices to be consider\b.*$/;
const RULED_LINE = /^[-\s]+$/;
const POLICIES_HEADING = 'Policies and practices to be considered';
const STAGE_HEADING = /^CHARACTERISTICS OF (EARLY|INTERMEDIATE|ADVANCED) STAGE DEVELOPMENT$/;

interface CleanSeed {
  title: string;
  overview: string;
  headings: Record<StageId, string>;
  characteristics: Record<StageId, string[]>;
  policies: Record<StageId, string[]>;
  /** Everything after cleaning, one space between words. */
  fullText: string;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const capitaliseFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Cleans the seed as the rubric's cleaning notes say:
 *  1. the garbled OCR row after the early-stage characteristics (and its ruled line) is the heading "Policies and practices to be considered";
 *  2. the stray "Ш" before the first intermediate-stage policy is removed;
 *  3. lines broken by the page layout are joined; list bullets are dropped;
 *  4. the lower-case "systematically" opening the last advanced policy is capitalised.
 * A line that starts in lower case continues the item above it (that is how the layout broke them).
 */
function cleanSeed(raw: string): CleanSeed {
  const lines = raw.split(/\r?\n/).map((line) => line.replace(/\t/g, ' ').trimEnd());
  const [titleLine, ...rest] = lines;
  const empty = (): Record<StageId, string[]> => ({ early: [], intermediate: [], advanced: [] });
  const out: CleanSeed = { title: squash(titleLine ?? ''), overview: '', headings: { early: '', intermediate: '', advanced: '' }, characteristics: empty(), policies: empty(), fullText: '' };
  let stage: StageId | null = null;
  let section: 'overview' | 'characteristics' | 'policies' = 'overview';
  const overview: string[] = [];
  const cleaned: string[] = [out.title];
  for (let line of rest) {
    if (GARBLED_HEADING.test(line.trim())) line = POLICIES_HEADING; // note 1
    else if (RULED_LINE.test(line) && line.includes('---')) continue; // note 1: the ruled line under it
    line = line.replace(/^\s*Ш\s*/, ''); // note 2
    const text = squash(line);
    if (text === '') continue;
    const heading = STAGE_HEADING.exec(text);
    if (heading) {
      stage = (heading[1] as string).toLowerCase() as StageId;
      out.headings[stage] = text;
      section = 'characteristics';
      cleaned.push(text);
      continue;
    }
    if (text === POLICIES_HEADING) {
      section = 'policies';
      cleaned.push(text);
      continue;
    }
    if (section === 'overview' || stage === null) {
      overview.push(text);
      cleaned.push(text);
      continue;
    }
    const bullet = /^[-•]\s+/.exec(text); // note 3: bullets dropped
    const item = bullet ? text.slice(bullet[0].length) : text;
    const list = section === 'characteristics' ? out.characteristics[stage] : out.policies[stage];
    const fixed = section === 'policies' && item.startsWith('systematically ') ? capitaliseFirst(item) : item; // note 4
    const startsItem = bullet !== null || /^\p{Lu}/u.test(fixed) || list.length === 0;
    if (startsItem) list.push(fixed);
    else list[list.length - 1] = `${list[list.length - 1]} ${fixed}`; // note 3: wrapped lines joined
    cleaned.push(fixed);
  }
  out.overview = squash(overview.join(' '));
  out.fullText = squash(cleaned.join(' '));
  return out;
}

/** Equal word for word; the first letter may differ in case only (cleaning note 4). */
function sameText(rubricText: string, seedText: string): boolean {
  const a = squash(rubricText);
  const b = squash(seedText);
  return a.slice(1) === b.slice(1) && a.charAt(0).toLowerCase() === b.charAt(0).toLowerCase();
}

/** Occurs in the cleaned seed, case-insensitively only on the first letter. */
function occursIn(haystack: string, needle: string): boolean {
  const n = squash(needle);
  return haystack.includes(n) || haystack.includes(n.charAt(0).toLowerCase() + n.slice(1)) || haystack.includes(capitaliseFirst(n));
}

describe('the OECD seed fixture', () => {
  it('is byte for byte the seed in ../shared/seeds (when that folder is present)', () => {
    if (!existsSync(SHARED_SEED)) return; // the fixture is the seed's copy; the original lives outside the repo
    expect(readFileSync(FIXTURE_SEED, 'utf8')).toBe(readFileSync(SHARED_SEED, 'utf8'));
  });
});

describe('rubric/principle-2.yaml holds the OECD text word for word', () => {
  let definition: AssessmentDefinition;
  let seed: CleanSeed;
  beforeAll(async () => {
    definition = await realDefinition();
    seed = cleanSeed(readFileSync(FIXTURE_SEED, 'utf8'));
  });

  it('the cleaned seed has 4/3/3 characteristics and 3/2/3 policies per stage', () => {
    expect(STAGES.map((s) => seed.characteristics[s].length)).toEqual([4, 3, 3]);
    expect(STAGES.map((s) => seed.policies[s].length)).toEqual([3, 2, 3]);
    // The cleaning left no OCR debris behind.
    expect(seed.fullText).not.toMatch(/Ш|oncies|considere a|---/);
  });

  it('has as many characteristics and policies per stage as the seed', () => {
    const { characteristics, policies } = definition.rubric.oecd;
    for (const stage of STAGES) {
      expect(characteristics.filter((c) => c.stage === stage), `${stage} characteristics`).toHaveLength(seed.characteristics[stage].length);
      expect(policies.filter((p) => p.stage === stage), `${stage} policies`).toHaveLength(seed.policies[stage].length);
    }
  });

  it('every rubric characteristic text occurs in the cleaned seed', () => {
    for (const c of definition.rubric.oecd.characteristics) {
      expect(occursIn(seed.fullText, c.text), `${c.id}: "${c.text}"`).toBe(true);
    }
  });

  it('every rubric policy text occurs in the cleaned seed', () => {
    for (const p of definition.rubric.oecd.policies) {
      expect(occursIn(seed.fullText, p.text), `${p.id}: "${p.text}"`).toBe(true);
    }
  });

  it('each seed characteristic is exactly one rubric characteristic of the same stage, in the same order', () => {
    for (const stage of STAGES) {
      const rubricTexts = definition.rubric.oecd.characteristics.filter((c) => c.stage === stage).map((c) => c.text);
      expect(rubricTexts).toHaveLength(seed.characteristics[stage].length);
      seed.characteristics[stage].forEach((seedText, i) => {
        expect(sameText(rubricTexts[i] ?? '', seedText), `${stage} characteristic ${i + 1}:\n rubric: ${rubricTexts[i]}\n seed:   ${seedText}`).toBe(true);
      });
    }
  });

  it('each seed policy is exactly one rubric policy of the stage it follows, in the same order', () => {
    for (const stage of STAGES) {
      const rubricTexts = definition.rubric.oecd.policies.filter((p) => p.stage === stage).map((p) => p.text);
      expect(rubricTexts).toHaveLength(seed.policies[stage].length);
      seed.policies[stage].forEach((seedText, i) => {
        expect(sameText(rubricTexts[i] ?? '', seedText), `${stage} policy ${i + 1}:\n rubric: ${rubricTexts[i]}\n seed:   ${seedText}`).toBe(true);
      });
    }
  });

  it('only the capitalisation named in the cleaning notes differs from the seed', () => {
    const all = [...definition.rubric.oecd.characteristics, ...definition.rubric.oecd.policies];
    const seedItems = STAGES.flatMap((s) => [...seed.characteristics[s], ...seed.policies[s]]);
    const rawSeed = squash(readFileSync(FIXTURE_SEED, 'utf8').replace(/Ш/g, ''));
    const recapitalised = all.filter((item) => !rawSeed.includes(squash(item.text)));
    // The one policy whose first letter was capitalised; nothing else changed.
    expect(recapitalised.map((i) => i.id)).toEqual(['policy-advanced-open-data-ecosystem']);
    expect(seedItems.some((s) => s === recapitalised[0]?.text)).toBe(true);
  });

  it('quotes the seed title, overview and stage headings', () => {
    const { source, stages } = definition.rubric.oecd;
    expect(source.title).toBe(seed.title);
    expect(source.overview).toBe(seed.overview);
    expect(seed.title).toContain(source.principle);
    for (const s of stages) expect(s.heading).toBe(seed.headings[s.id]);
  });

  it('early characteristics describe limitations and the others achievements', () => {
    for (const c of definition.rubric.oecd.characteristics) {
      expect(c.describes, c.id).toBe(c.stage === 'early' ? 'limitation' : 'achievement');
    }
  });

  it('names a qualifier exactly where the seed text opens with the OECD\'s "Regularly" or "Systematically"', () => {
    const seedTexts = STAGES.flatMap((s) => seed.characteristics[s]);
    for (const c of definition.rubric.oecd.characteristics) {
      const seedText = seedTexts.find((t) => sameText(c.text, t)) ?? '';
      const adverb = /^(Regularly|Systematically)\b/.exec(seedText)?.[1]?.toLowerCase();
      expect(c.qualifier, c.id).toBe(adverb);
    }
    expect(definition.rubric.oecd.characteristics.filter((c) => c.qualifier).length).toBe(4);
  });

  it('splits only the three compound advanced characteristics into our parts, each in two or more', () => {
    const partsOf = (id: string) => definition.rubric.govstage.parts.filter((p) => p.characteristic === id).map((p) => p.id);
    expect(partsOf('advanced-outside-ideas')).toEqual(['outside-ideas-leverage', 'outside-ideas-preferences']);
    expect(partsOf('advanced-ogd-ecosystem')).toEqual(['ogd-ecosystem-quality', 'ogd-ecosystem-portal', 'ogd-ecosystem-community']);
    expect(partsOf('advanced-enabling-framework')).toEqual(['enabling-framework-framework', 'enabling-framework-skills']);
    expect(definition.rubric.govstage.parts).toHaveLength(7);
  });

  it('keeps our part texts out of the OECD text, and keeps the qualifier in the part it belongs to', () => {
    for (const part of definition.rubric.govstage.parts) {
      // Ours, not a quotation: the OECD text stays whole in its characteristic.
      expect(occursIn(seed.fullText, part.text.en ?? ''), part.id).toBe(false);
    }
    // "Systematically" qualifies both halves of its characteristic; "Regularly" qualifies publishing the datasets.
    for (const id of ['outside-ideas-leverage', 'outside-ideas-preferences']) expect(definition.parts.get(id)?.text.en, id).toMatch(/^Systematically /);
    expect(definition.parts.get('ogd-ecosystem-quality')?.text.en).toMatch(/^Regularly /);
  });

  it('asks 14 questions: one per characteristic, one per part of the three compound ones', () => {
    const { questions } = definition;
    expect(questions).toHaveLength(14);
    for (const c of definition.rubric.oecd.characteristics) {
      const parts = definition.rubric.govstage.parts.filter((p) => p.characteristic === c.id);
      const asking = questions.filter((q) => q.characteristic === c.id);
      if (parts.length === 0) {
        expect(asking.map((q) => q.part), c.id).toEqual([undefined]);
      } else {
        expect(asking.map((q) => q.part), c.id).toEqual(parts.map((p) => p.id));
      }
    }
  });

  it('puts every characteristic in exactly one theme', () => {
    const themes = definition.rubric.govstage.themes;
    for (const c of definition.rubric.oecd.characteristics) {
      const holders = themes.filter((t) => t.characteristics.includes(c.id)).map((t) => t.id);
      expect(holders, c.id).toHaveLength(1);
    }
    const listed = themes.flatMap((t) => t.characteristics);
    expect(listed.sort()).toEqual(definition.rubric.oecd.characteristics.map((c) => c.id).sort());
  });

  it('suggests every policy from at least one theme', () => {
    const suggested = new Set(definition.rubric.govstage.themes.flatMap((t) => t.policies));
    expect([...suggested].sort()).toEqual(definition.rubric.oecd.policies.map((p) => p.id).sort());
  });
});
