/**
 * The group report: one versioned data shape from which the coordinator's
 * page, the report page, Markdown, JSON and CSV are all rendered, so that
 * every view and export carries exactly the same suppression (it is built
 * only from what the privacy rule released: src/service/groups/release-blocks.ts).
 * Its JSON Schema is generated from the zod schema below
 * (GET /api/group-report-schema.json).
 */
import { z } from 'zod';
import { textsFor, type AssessmentDefinition, type Texts } from '../core/definition.js';
import { StageStatus } from '../core/messages.js';
import { StageId, type Characteristic } from '../core/rubric/schema.js';
import { stageLabelOf } from '../core/scoring/explain.js';
import {
  addCounts,
  countOf,
  disagreement,
  emptyCounts,
  groupStages,
  knownOf,
  medianLevel,
  standingCounts,
  standingOf,
  type GroupStages,
  type LevelCounts,
} from '../core/scoring/group.js';
import type { Level } from '../core/scoring/score.js';
import type { GroupRoundRecord, ReleasedBlock } from '../store/group-record.js';
import type { Member } from '../service/groups/load-members.js';
import { waitingMembers } from '../service/groups/release-blocks.js';
import { fillText, groupStringsOf, reportStringKeys, type GroupStrings } from './group-strings.js';
import type { Locales } from '../i18n/words.js';

export const GROUP_REPORT_SCHEMA_VERSION = 1;

const Ours = z.literal('govstage').describe("this text is Govstage's wording, not the OECD's");
const Count = z.number().int().nonnegative();
export const Standing = z.enum(['met', 'partial', 'unmet', 'unknown']).describe('what an answer means for moving on: met (for an early-stage characteristic: left behind), partial, unmet, unknown (not sure, or not known)');
export type Standing = z.infer<typeof Standing>;
export const Spread = z.object({ met: Count, partial: Count, unmet: Count, unknown: Count }).describe('how many respondents gave each answer');
export type Spread = z.infer<typeof Spread>;
const Stage = StageId.nullable().describe('early | intermediate | advanced, or null when there were too few answers to decide');
export const StageView = z.object({ stage: Stage, status: StageStatus, stageLabel: z.string() });
export const Stages = z.object({ overall: StageView, themes: z.array(StageView.extend({ themeId: z.string(), title: z.string(), titleBy: Ours })) });
export type Stages = z.infer<typeof Stages>;
const GroupId = z.string().describe('"all" (everyone in the picture), a perspective id, or "merged" (perspectives too small to show apart)');
const Direction = z.enum(['up', 'down', 'same', 'unknown']);

/** Our unofficial translation of an OECD text into the report's language (null in the OECD's own language). */
const Translation = z
  .object({ text: z.string(), by: z.literal('govstage'), locale: z.string(), label: z.string() })
  .nullable()
  .describe("our unofficial translation of the OECD text into the report's language (not the OECD's); null in the OECD's own language");

export const GroupReport = z
  .object({
    schema: z.literal('govstage.group-report'),
    schemaVersion: z.literal(GROUP_REPORT_SCHEMA_VERSION),
    generatedAt: z.string().describe('ISO 8601 time the report was produced'),
    round: z.object({
      id: z.string(),
      name: z.string(),
      assessing: z.object({ name: z.string(), unit: z.object({ id: z.string(), label: z.string() }).nullable() }),
      createdAt: z.string(),
      closesAt: z.string().nullable().describe('when joining closes (or closed); null: open until closed'),
      closed: z.boolean(),
      locale: z.string(),
      flowId: z.string(),
      flowVersion: z.number().int(),
      rubricId: z.string(),
      rubricVersion: z.number().int(),
      previousRoundId: z.string().nullable(),
    }),
    privacy: z.object({ minGroupSize: z.number().int().positive(), explanation: z.string() }),
    progress: z.object({
      joined: Count,
      answering: Count,
      finished: Count,
      inPicture: Count.describe('respondents whose answers the picture counts'),
      waiting: Count.describe('finished, not yet in the picture (they enter it in groups of at least minGroupSize)'),
      unreadable: Count,
      perspectives: z.array(z.object({ perspectiveId: z.string(), label: z.string(), joined: Count, answering: Count, finished: Count })),
      named: z.array(z.object({ name: z.string(), unit: z.string().nullable(), perspectiveId: z.string(), perspective: z.string(), status: z.enum(['joined', 'answering', 'finished']), sharesAnswers: z.boolean(), sharesNotes: z.boolean() })).describe('respondents who gave their name'),
    }),
    groups: z.array(z.object({ groupId: GroupId, kind: z.enum(['all', 'perspective', 'merged']), label: z.string(), perspectives: z.array(z.string()), respondents: Count, stages: Stages })).describe('the breakdowns shown: everyone, then each perspective large enough (or whose respondents chose to show their answers), then the merged rest'),
    characteristics: z
      .array(
        z.object({
          characteristicId: z.string(),
          stage: StageId,
          describes: z.enum(['limitation', 'achievement']),
          themeId: z.string(),
          text: z.string().describe('the OECD characteristic, word for word'),
          translation: Translation,
          label: z.string().describe('our short name for it, worded as what moving on needs'),
          labelBy: Ours,
          disagreement: z.number().min(0).max(1).describe("Leik's ordinal dispersion of the known answers: 0 all the same, 1 split evenly between met and not met"),
          spread: z.array(z.object({ groupId: GroupId, fromAnswers: Standing.describe("the group's median answer") }).extend(Spread.shape)).describe('per group, in the order of groups'),
          fromAnswers: Standing.describe('the median answer of everyone in the picture (less advanced middle on an even split); unknown with no known answer'),
          consensus: z.object({ standing: Standing, rationale: z.string(), recordedAt: z.string(), basis: Spread.describe('the spread of everyone in the picture when it was agreed') }).nullable(),
          agreed: Standing.describe('the agreed answer where recorded, otherwise fromAnswers'),
          notes: z.array(z.object({ questionId: z.string(), text: z.string(), by: z.string().nullable().describe('the author\'s name, where they gave one'), group: z.string().nullable() })).describe('notes their authors chose to share'),
        }),
      )
      .describe('every characteristic, where views differ most first'),
    result: z.object({ fromAnswers: Stages, agreed: Stages, consensusCount: Count }),
    suggestions: z.array(z.object({ policyId: z.string(), stage: StageId, text: z.string().describe('OECD text, word for word'), translation: Translation })).describe('the OECD policies and practices the agreed result suggests'),
    sharedAnswers: z.array(z.object({ respondent: z.string().nullable(), perspectiveId: z.string(), perspective: z.string(), answers: z.record(z.string(), Standing) })).describe('answers of respondents who chose to show them one by one'),
    previous: z
      .object({
        roundId: z.string(),
        name: z.string(),
        createdAt: z.string(),
        overall: z.object({ from: Stage, to: Stage, direction: Direction }),
        themes: z.array(z.object({ themeId: z.string(), title: z.string(), from: Stage, to: Stage, direction: Direction })),
        characteristics: z.array(z.object({ characteristicId: z.string(), from: Standing, to: Standing })),
      })
      .nullable()
      .describe("what changed since the group's previous round (agreed results); null for a first round"),
    labels: z.record(z.string(), z.string()).describe("the words the renderings use, in the report's language (Govstage's wording)"),
  })
  .describe('Govstage group report (OECD Digital Government self-assessment). Stable: new fields may be added; a breaking change bumps schemaVersion.');
export type GroupReport = z.infer<typeof GroupReport>;

const RANK = { early: 0, intermediate: 1, advanced: 2 } as const;
function direction(from: StageId | null, to: StageId | null): z.infer<typeof Direction> {
  if (from === null || to === null) return 'unknown';
  return RANK[to] > RANK[from] ? 'up' : RANK[to] < RANK[from] ? 'down' : 'same';
}

function spreadOf(c: Characteristic, counts: LevelCounts): Spread {
  const s = standingCounts(c, counts);
  return { met: s.met, partial: s.partial, unmet: s.unmet, unknown: s.unknown };
}

const standingOfLevel = (c: Characteristic, level: Level | null): Standing => standingOf(c, level);

function stagesView(definition: AssessmentDefinition, texts: Texts, stages: GroupStages): Stages {
  return {
    overall: { stage: stages.overall.stage, status: stages.overall.status, stageLabel: stageLabelOf(texts, stages.overall) },
    themes: stages.themes.map((t) => ({
      themeId: t.themeId,
      title: texts.pick(definition.themes.find((theme) => theme.id === t.themeId)?.title ?? { [texts.locale]: t.themeId }),
      titleBy: 'govstage' as const,
      stage: t.stage,
      status: t.status,
      stageLabel: stageLabelOf(texts, t),
    })),
  };
}

/** Our short name of a characteristic: its questions' short names, worded as what moving on needs. */
export function characteristicLabel(definition: AssessmentDefinition, texts: Texts, strings: GroupStrings, c: Characteristic): string {
  const questions = definition.questions.filter((q) => q.characteristic === c.id);
  const shorts = texts.list(questions.map((q) => texts.pick(q.short)));
  // An early-stage limitation asked as itself ("is decision-making top-down?"): moving on means leaving it behind.
  const askedAsLimitation = c.describes === 'limitation' && questions.every((q) => q.yesMeans === 'holds');
  return askedAsLimitation ? fillText(strings.movingBeyond, { short: shorts }) : shorts;
}

interface Group {
  id: string;
  kind: 'all' | 'perspective' | 'merged';
  label: string;
  perspectives: string[];
  blocks: ReleasedBlock[];
  sharers: Member[];
}

export interface GroupReportInput {
  definition: AssessmentDefinition;
  round: GroupRoundRecord;
  members: readonly Member[];
  unreadable: number;
  minGroupSize: number;
  now: Date;
  /** The previous round's report, for the change since then. */
  previous?: GroupReport | undefined;
  /** The locale catalogues: the report's words, in the round's language. */
  locales: Locales;
}

/** Builds the report from the round's released blocks and the answers people chose to show; never from anyone else's answers. */
export function buildGroupReport(input: GroupReportInput): GroupReport {
  const { definition, round, members, minGroupSize, now } = input;
  const texts = textsFor(definition, round.locale);
  const words = input.locales.words(round.locale);
  const strings = groupStringsOf(words);
  const f = fillText;
  const perspectiveLabel = (id: string) => round.perspectives.find((p) => p.id === id)?.label ?? id;
  const chars = definition.rubric.oecd.characteristics;
  const finished = members.filter((m) => m.status === 'finished');
  const sharers = finished.filter((m) => m.membership.shareAnswers);

  // The groups shown: everyone, each perspective with answers in the picture, then the merged rest.
  const groups: Group[] = [{ id: 'all', kind: 'all', label: strings.groupAll, perspectives: round.perspectives.map((p) => p.id), blocks: round.blocks, sharers }];
  for (const p of round.perspectives) {
    const blocks = round.blocks.filter((b) => b.perspective === p.id);
    const own = sharers.filter((m) => m.membership.perspective === p.id);
    if (blocks.length > 0 || own.length > 0) groups.push({ id: p.id, kind: 'perspective', label: p.label, perspectives: [p.id], blocks, sharers: own });
  }
  const merged = round.blocks.filter((b) => b.perspective === null);
  if (merged.length > 0) {
    const ids = round.perspectives.map((p) => p.id).filter((id) => merged.some((b) => b.perspectives.includes(id)));
    groups.push({ id: 'merged', kind: 'merged', label: f(strings.groupMerged, { perspectives: texts.list(ids.map(perspectiveLabel)) }), perspectives: ids, blocks: merged, sharers: [] });
  }
  const countsOf = (g: Group): Map<string, LevelCounts> => {
    const out = new Map<string, LevelCounts>();
    for (const c of chars) {
      let counts = emptyCounts();
      for (const b of g.blocks) {
        const stored = b.counts[c.id];
        if (stored) counts = addCounts(counts, stored);
      }
      for (const m of g.sharers) counts = addCounts(counts, countOf(m.views.get(c.id) ?? { level: null, answered: false }));
      out.set(c.id, counts);
    }
    return out;
  };
  const groupCounts = new Map(groups.map((g) => [g.id, countsOf(g)]));
  const all = groupCounts.get('all') ?? new Map<string, LevelCounts>();
  const respondentsOf = (g: Group) => g.blocks.reduce((n, b) => n + b.members.length, 0) + g.sharers.length;

  const agreedLevels = new Map<string, Level | null>();
  for (const c of chars) {
    const entry = Object.hasOwn(round.consensus, c.id) ? round.consensus[c.id] : undefined;
    if (entry) agreedLevels.set(c.id, entry.level === 'unknown' ? null : entry.level);
  }
  const fromAnswers = groupStages(definition.rubric, all);
  const agreed = groupStages(definition.rubric, all, agreedLevels);

  // Notes: only of respondents in the picture who chose to share them, with the group they are counted in.
  const blockOf = new Map(round.blocks.flatMap((b) => b.members.map((id) => [id, b] as const)));
  const inPicture = members.filter((m) => m.membership.shareNotes && m.status === 'finished' && (m.membership.shareAnswers || blockOf.has(m.id)));
  const groupLabelOf = (m: Member): string => {
    if (m.membership.shareAnswers) return perspectiveLabel(m.membership.perspective);
    const block = blockOf.get(m.id);
    return block?.perspective ? perspectiveLabel(block.perspective) : groups.find((g) => g.id === 'merged')?.label ?? '';
  };

  const characteristics = chars
    .map((c, order) => {
      const counts = all.get(c.id) ?? emptyCounts();
      const entry = Object.hasOwn(round.consensus, c.id) ? round.consensus[c.id] : undefined;
      const notes = definition.questions
        .filter((q) => q.characteristic === c.id)
        .flatMap((q) => inPicture.flatMap((m) => {
          const text = m.notes.get(q.id);
          return text ? [{ questionId: q.id, text, by: m.membership.name ?? null, group: groupLabelOf(m) }] : [];
        }))
        // In an order that says nothing about who finished when.
        .sort((a, b) => (a.group ?? '').localeCompare(b.group ?? '') || a.text.localeCompare(b.text));
      return {
        order,
        known: knownOf(counts),
        entry: {
          characteristicId: c.id,
          stage: c.stage,
          describes: c.describes,
          themeId: definition.themeOfCharacteristic.get(c.id)?.id ?? '',
          text: c.text,
          translation: texts.translation('characteristics', c.id),
          label: characteristicLabel(definition, texts, strings, c),
          labelBy: 'govstage' as const,
          disagreement: disagreement(counts),
          spread: groups.map((g) => {
            const own = groupCounts.get(g.id)?.get(c.id) ?? emptyCounts();
            return { groupId: g.id, fromAnswers: standingOfLevel(c, medianLevel(c, own)), ...spreadOf(c, own) };
          }),
          fromAnswers: standingOfLevel(c, fromAnswers.levels.get(c.id) ?? null),
          consensus: entry ? { standing: standingOfLevel(c, entry.level === 'unknown' ? null : entry.level), rationale: entry.rationale, recordedAt: entry.recordedAt, basis: spreadOf(c, entry.basis) } : null,
          agreed: standingOfLevel(c, agreed.levels.get(c.id) ?? null),
          notes,
        },
      };
    })
    .sort((a, b) => b.entry.disagreement - a.entry.disagreement || b.known - a.known || a.order - b.order)
    .map((x) => x.entry);

  const statusCount = (list: readonly Member[], status: Member['status']) => list.filter((m) => m.status === status).length;
  const agreedView = stagesView(definition, texts, agreed);
  const unitOption = definition.flow.unit.options.find((o) => o.id === round.assessing.unit);
  const previous = input.previous;
  return {
    schema: 'govstage.group-report',
    schemaVersion: GROUP_REPORT_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    round: {
      id: round.id,
      name: round.name,
      assessing: { name: round.assessing.name, unit: unitOption ? { id: unitOption.id, label: texts.pick(unitOption.label) } : null },
      createdAt: round.createdAt,
      closesAt: round.closesAt,
      closed: round.closesAt !== null && Date.parse(round.closesAt) <= now.getTime(),
      locale: round.locale,
      flowId: definition.flow.id,
      flowVersion: definition.flow.version,
      rubricId: definition.rubric.id,
      rubricVersion: definition.rubric.version,
      previousRoundId: round.previousRoundId ?? null,
    },
    privacy: { minGroupSize, explanation: f(strings.privacy, { min: minGroupSize }) },
    progress: {
      joined: members.length,
      answering: statusCount(members, 'answering'),
      finished: finished.length,
      inPicture: respondentsOf(groups[0] as Group),
      waiting: waitingMembers(members, round.blocks).length,
      unreadable: input.unreadable,
      perspectives: round.perspectives.map((p) => {
        const own = members.filter((m) => m.membership.perspective === p.id);
        return { perspectiveId: p.id, label: p.label, joined: own.length, answering: statusCount(own, 'answering'), finished: statusCount(own, 'finished') };
      }),
      named: members
        .filter((m) => m.membership.name !== undefined)
        .map((m) => ({ name: m.membership.name ?? '', unit: m.membership.unit ?? null, perspectiveId: m.membership.perspective, perspective: perspectiveLabel(m.membership.perspective), status: m.status, sharesAnswers: m.membership.shareAnswers, sharesNotes: m.membership.shareNotes }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    },
    groups: groups.map((g) => ({ groupId: g.id, kind: g.kind, label: g.label, perspectives: g.perspectives, respondents: respondentsOf(g), stages: stagesView(definition, texts, groupStages(definition.rubric, groupCounts.get(g.id) ?? new Map())) })),
    characteristics,
    result: { fromAnswers: stagesView(definition, texts, fromAnswers), agreed: agreedView, consensusCount: agreedLevels.size },
    suggestions: agreed.suggestions.map((s) => {
      const policy = definition.policies.get(s.policyId);
      return { policyId: s.policyId, stage: policy?.stage ?? 'early', text: policy?.text ?? s.policyId, translation: texts.translation('policies', s.policyId) };
    }),
    sharedAnswers: sharers
      .map((m) => ({
        respondent: m.membership.name ?? null,
        perspectiveId: m.membership.perspective,
        perspective: perspectiveLabel(m.membership.perspective),
        answers: Object.fromEntries(chars.map((c) => [c.id, standingOfLevel(c, m.views.get(c.id)?.level ?? null)])),
      }))
      .sort((a, b) => a.perspective.localeCompare(b.perspective) || (a.respondent ?? '').localeCompare(b.respondent ?? '') || JSON.stringify(a.answers).localeCompare(JSON.stringify(b.answers))),
    previous: previous
      ? {
          roundId: previous.round.id,
          name: previous.round.name,
          createdAt: previous.round.createdAt,
          overall: { from: previous.result.agreed.overall.stage, to: agreedView.overall.stage, direction: direction(previous.result.agreed.overall.stage, agreedView.overall.stage) },
          themes: agreedView.themes.map((t) => {
            const from = previous.result.agreed.themes.find((p) => p.themeId === t.themeId)?.stage ?? null;
            return { themeId: t.themeId, title: t.title, from, to: t.stage, direction: direction(from, t.stage) };
          }),
          characteristics: chars.map((c) => ({
            characteristicId: c.id,
            from: previous.characteristics.find((p) => p.characteristicId === c.id)?.agreed ?? 'unknown',
            to: standingOfLevel(c, agreed.levels.get(c.id) ?? null),
          })),
        }
      : null,
    // The stage names too (a characteristic's stage, a suggestion's), and what labels our translation of the OECD text.
    labels: {
      ...Object.fromEntries(reportStringKeys(words).map((key) => [key, strings[key]])),
      ...Object.fromEntries((['early', 'intermediate', 'advanced'] as const).flatMap((stage) => [[`stage_${stage}`, texts.stageLabel(stage)], [`stageName_${stage}`, texts.t(`stageName.${stage}`)]])),
      oecdOriginal: words.t('report.oecdOriginal'),
      mdOriginal: words.t('report.md.original', { text: '{text}' }),
      sourceNote: f(strings.source, { publisher: definition.rubric.oecd.source.publisher, title: definition.rubric.oecd.source.title, rubricVersion: definition.rubric.version, flowVersion: definition.flow.version }),
    },
  };
}
