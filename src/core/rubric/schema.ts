import { z } from 'zod';

export const STAGES = ['early', 'intermediate', 'advanced'] as const;
export const StageId = z.enum(STAGES);
export type StageId = z.infer<typeof StageId>;

const Id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a kebab-case id (a-z, 0-9, dashes)');
/** OECD text must be real text, not a placeholder. */
const OecdText = z.string().trim().min(10, 'must be the OECD text (at least 10 characters)');
/** Text we write ourselves, per locale. */
const LocaleKey = z.string().regex(/^[a-z]{2}(?:-[A-Z]{2})?$/, 'must be a locale like en or fr-CA');
export const LocalizedText = z.record(LocaleKey, z.string().min(1));
export type LocalizedText = z.infer<typeof LocalizedText>;

/** The OECD's own adverbs that an answer must confirm ("Regularly uses…", "Systematically leverages…"). */
export const QUALIFIERS = ['regularly', 'systematically'] as const;
export const Qualifier = z.enum(QUALIFIERS);
export type Qualifier = z.infer<typeof Qualifier>;

export const Characteristic = z.strictObject({
  id: Id,
  stage: StageId,
  /** early-stage characteristics describe a limitation; the others an achievement. */
  describes: z.enum(['limitation', 'achievement']),
  /** The OECD qualifier in the text, if any: only an answer that confirms it counts as the characteristic holding. */
  qualifier: Qualifier.optional(),
  text: OecdText,
});
export type Characteristic = z.infer<typeof Characteristic>;

export const Policy = z.strictObject({ id: Id, stage: StageId, text: OecdText });
export type Policy = z.infer<typeof Policy>;

export const Theme = z.strictObject({
  id: Id,
  title: LocalizedText,
  rationale: LocalizedText,
  characteristics: z.array(Id).min(1),
  policies: z.array(Id).min(1),
});
export type Theme = z.infer<typeof Theme>;

/** Our split of a compound OECD characteristic into things asked one at a time (ours, not OECD text). */
export const Part = z.strictObject({ id: Id, characteristic: Id, text: LocalizedText });
export type Part = z.infer<typeof Part>;

/** Our unofficial translation of the OECD text into one locale, by id (ours, not the OECD's: labelled so wherever shown). */
export const OecdTranslation = z.strictObject({
  characteristics: z.record(Id, z.string().trim().min(1)),
  policies: z.record(Id, z.string().trim().min(1)),
});
export type OecdTranslation = z.infer<typeof OecdTranslation>;

export const RubricFile = z
  .strictObject({
    id: Id,
    version: z.number().int().positive(),
    language: z.string().min(2),
    oecd: z.strictObject({
      source: z.strictObject({
        publisher: z.string().min(1),
        title: z.string().min(1),
        principle: z.string().min(1),
        overview: z.string().min(1),
        cleaning: z.array(z.string().min(1)),
      }),
      stages: z.array(z.strictObject({ id: StageId, heading: z.string().min(1) })).length(3),
      characteristics: z.array(Characteristic).min(1),
      policies: z.array(Policy).min(1),
    }),
    govstage: z.strictObject({
      themes: z.array(Theme).min(1),
      parts: z.array(Part).default([]),
      /** Per locale: our translations of every OECD characteristic and policy. */
      translations: z.record(LocaleKey, OecdTranslation).default({}),
    }),
  })
  .superRefine((rubric, ctx) => {
    const { characteristics, policies, stages } = rubric.oecd;
    const stageOrder = stages.map((s) => s.id).join(',');
    if (stageOrder !== STAGES.join(',')) {
      ctx.addIssue({ code: 'custom', path: ['oecd', 'stages'], message: `must list the stages in order ${STAGES.join(', ')} (found ${stageOrder})` });
    }
    const seen = new Map<string, string>();
    const checkUnique = (id: string, path: PropertyKey[]) => {
      const other = seen.get(id);
      if (other) ctx.addIssue({ code: 'custom', path, message: `duplicate id "${id}" (already used at ${other})` });
      else seen.set(id, path.join('.'));
    };
    characteristics.forEach((c, i) => {
      checkUnique(c.id, ['oecd', 'characteristics', i, 'id']);
      const expected = c.stage === 'early' ? 'limitation' : 'achievement';
      if (c.describes !== expected) {
        ctx.addIssue({ code: 'custom', path: ['oecd', 'characteristics', i, 'describes'], message: `a ${c.stage}-stage characteristic describes ${expected === 'limitation' ? 'a limitation' : 'an achievement'}` });
      }
    });
    characteristics.forEach((c, i) => {
      const starts = QUALIFIERS.find((q) => c.text.toLowerCase().startsWith(q));
      if (c.qualifier && !c.text.toLowerCase().includes(c.qualifier)) {
        ctx.addIssue({ code: 'custom', path: ['oecd', 'characteristics', i, 'qualifier'], message: `the text does not say "${c.qualifier}"` });
      }
      if (starts && c.qualifier !== starts) {
        ctx.addIssue({ code: 'custom', path: ['oecd', 'characteristics', i, 'qualifier'], message: `the text starts with "${starts}": set qualifier: ${starts}` });
      }
    });
    policies.forEach((p, i) => checkUnique(p.id, ['oecd', 'policies', i, 'id']));
    const partsOf = new Map<string, number>();
    rubric.govstage.parts.forEach((part, i) => {
      checkUnique(part.id, ['govstage', 'parts', i, 'id']);
      if (!characteristics.some((c) => c.id === part.characteristic)) ctx.addIssue({ code: 'custom', path: ['govstage', 'parts', i, 'characteristic'], message: `unknown characteristic "${part.characteristic}"` });
      partsOf.set(part.characteristic, (partsOf.get(part.characteristic) ?? 0) + 1);
    });
    for (const [cid, count] of partsOf) {
      if (count < 2) ctx.addIssue({ code: 'custom', path: ['govstage', 'parts'], message: `characteristic "${cid}" has one part: split it into two or more, or into none` });
    }
    const themeOf = new Map<string, string>();
    const policyIds = new Set(policies.map((p) => p.id));
    const charIds = new Set(characteristics.map((c) => c.id));
    const usedPolicies = new Set<string>();
    rubric.govstage.themes.forEach((theme, t) => {
      checkUnique(theme.id, ['govstage', 'themes', t, 'id']);
      theme.characteristics.forEach((cid, i) => {
        const path = ['govstage', 'themes', t, 'characteristics', i];
        if (!charIds.has(cid)) ctx.addIssue({ code: 'custom', path, message: `unknown characteristic "${cid}"` });
        const other = themeOf.get(cid);
        if (other) ctx.addIssue({ code: 'custom', path, message: `characteristic "${cid}" is already in theme "${other}"; each belongs to exactly one` });
        themeOf.set(cid, theme.id);
      });
      theme.policies.forEach((pid, i) => {
        if (!policyIds.has(pid)) ctx.addIssue({ code: 'custom', path: ['govstage', 'themes', t, 'policies', i], message: `unknown policy "${pid}"` });
        usedPolicies.add(pid);
      });
    });
    characteristics.forEach((c, i) => {
      if (!themeOf.has(c.id)) ctx.addIssue({ code: 'custom', path: ['oecd', 'characteristics', i], message: `characteristic "${c.id}" is in no theme` });
    });
    policies.forEach((p, i) => {
      if (!usedPolicies.has(p.id)) ctx.addIssue({ code: 'custom', path: ['oecd', 'policies', i], message: `policy "${p.id}" is in no theme, so it could never be suggested` });
    });
    // A translation covers the whole OECD text (a half-translated result would mix languages unannounced) and nothing else.
    for (const [locale, translation] of Object.entries(rubric.govstage.translations)) {
      for (const [kind, known] of [['characteristics', charIds], ['policies', policyIds]] as const) {
        const path = ['govstage', 'translations', locale, kind];
        for (const id of known) if (!Object.hasOwn(translation[kind], id)) ctx.addIssue({ code: 'custom', path, message: `missing the "${locale}" translation of ${kind === 'policies' ? 'policy' : 'characteristic'} "${id}"` });
        for (const id of Object.keys(translation[kind])) if (!known.has(id)) ctx.addIssue({ code: 'custom', path: [...path, id], message: `unknown ${kind === 'policies' ? 'policy' : 'characteristic'} "${id}"` });
      }
    }
  });
export type RubricFile = z.infer<typeof RubricFile>;
