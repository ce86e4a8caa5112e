/**
 * The group report as CSV: one row per characteristic and group shown,
 * exactly the report's spread (no row the report does not have), with the
 * characteristic's disagreement, the group's and the agreed answer, and
 * the group's overall stage repeated so that a spreadsheet filter keeps
 * them. Read back by `parseGroupCsv`. Cells a spreadsheet would run as a
 * formula are prefixed with an apostrophe (csv.ts).
 */
import { csvRows, parseCsv } from './csv.js';
import type { GroupReport, Standing } from './group-report.js';

export const GROUP_COLUMNS = [
  'characteristic_id', 'characteristic_stage', 'theme_id', 'characteristic', 'group_id', 'group', 'respondents',
  'met', 'partial', 'unmet', 'unknown', 'group_answer', 'disagreement', 'answer_from_everyone', 'agreed_answer', 'consensus_rationale', 'consensus_recorded_at',
  'group_overall_stage', 'group_overall_status', 'agreed_overall_stage', 'agreed_overall_status',
] as const;

export function groupCsv(report: GroupReport): string {
  const groups = new Map(report.groups.map((g) => [g.groupId, g]));
  const agreed = report.result.agreed.overall;
  return csvRows([
    [...GROUP_COLUMNS],
    ...report.characteristics.flatMap((c) =>
      c.spread.map((s) => {
        const group = groups.get(s.groupId);
        return [
          c.characteristicId, c.stage, c.themeId, c.label, s.groupId, group?.label ?? '', group?.respondents ?? 0,
          s.met, s.partial, s.unmet, s.unknown, s.fromAnswers, c.disagreement.toFixed(2), c.fromAnswers, c.agreed, c.consensus?.rationale ?? '', c.consensus?.recordedAt ?? '',
          group?.stages.overall.stage ?? '', group?.stages.overall.status ?? '', agreed.stage ?? '', agreed.status,
        ];
      }),
    ),
  ]);
}

export interface GroupCsvRow {
  characteristicId: string;
  stage: string;
  themeId: string;
  label: string;
  groupId: string;
  group: string;
  respondents: number;
  met: number;
  partial: number;
  unmet: number;
  unknown: number;
  groupAnswer: Standing;
  disagreement: number;
  fromAnswers: Standing;
  agreed: Standing;
  rationale: string | null;
  recordedAt: string | null;
  groupOverallStage: string | null;
  groupOverallStatus: string;
  agreedOverallStage: string | null;
  agreedOverallStatus: string;
}

export function parseGroupCsv(text: string): GroupCsvRow[] {
  const [header, ...rows] = parseCsv(text);
  if (!header || header.join(',') !== GROUP_COLUMNS.join(',')) throw new Error('not a Govstage group report CSV (unexpected header)');
  return rows.map((r) => {
    const cell = (i: number) => r[i] ?? '';
    return {
      characteristicId: cell(0), stage: cell(1), themeId: cell(2), label: cell(3), groupId: cell(4), group: cell(5), respondents: Number(cell(6)),
      met: Number(cell(7)), partial: Number(cell(8)), unmet: Number(cell(9)), unknown: Number(cell(10)), groupAnswer: cell(11) as Standing,
      disagreement: Number(cell(12)), fromAnswers: cell(13) as Standing, agreed: cell(14) as Standing, rationale: cell(15) || null, recordedAt: cell(16) || null,
      groupOverallStage: cell(17) || null, groupOverallStatus: cell(18), agreedOverallStage: cell(19) || null, agreedOverallStatus: cell(20),
    };
  });
}
