/**
 * CSV of a report's answers (RFC 4180), and its parser, so that an export
 * can be read back and checked. Cells that a spreadsheet would run as a
 * formula are prefixed with an apostrophe (CSV injection), and the parser
 * removes that prefix again.
 */
import type { Words } from '../i18n/words.js';
import type { AssessmentReport } from './report.js';

/**
 * One row per question. `states` is what the answer states about the OECD
 * characteristic (or our part of it): holds, partly, absent, unknown. The
 * theme's and the overall stage, with their status (reached, at-least,
 * undecided), repeat on every row so that a spreadsheet filter keeps them.
 */
export const ANSWER_COLUMNS = [
  'number', 'question_id', 'theme_id', 'characteristic_id', 'characteristic_stage', 'part_id', 'question', 'answer_id', 'answer', 'states', 'note',
  'theme_stage', 'theme_stage_status', 'overall_stage', 'overall_stage_status',
] as const;

export interface CsvAnswer {
  number: number;
  questionId: string;
  themeId: string;
  characteristicId: string;
  partId: string | null;
  question: string;
  answerId: string | null;
  answer: string;
  states: string | null;
  note: string;
  themeStage: string | null;
  themeStageStatus: string;
  overallStage: string | null;
  overallStageStatus: string;
}

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRows(rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return `${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** The header row in a locale: the column names of its catalogue (report.csv.*). */
export const answerHeader = (words: Words): string[] => ANSWER_COLUMNS.map((column) => words.t(`report.csv.${column}`));

export function answersCsv(report: AssessmentReport, words: Words): string {
  return csvRows([
    answerHeader(words),
    ...report.answers.map((a) => {
      const theme = report.themes.find((t) => t.themeId === a.themeId);
      const evidence = a.evidences[0];
      return [
        a.number, a.questionId, a.themeId, a.characteristicId, evidence?.stage ?? '', evidence?.part?.id ?? '', a.question, a.answerId, a.answer, a.states, a.note,
        theme?.stage ?? '', theme?.status ?? '', report.overall.stage ?? '', report.overall.status,
      ];
    }),
  ]);
}

/**
 * A CSV as a file people download: a UTF-8 byte-order mark first, without which
 * Excel reads the file in the local code page and garbles accented notes.
 */
export const csvDownload = (csv: string): string => `\uFEFF${csv}`;

/** Parses RFC 4180 CSV into rows of strings (a leading byte-order mark is skipped). */
export function parseCsv(input: string): string[][] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(unformula(field));
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') {
      quoted = true;
    } else if (ch === ',') endField();
    else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i++;
      endField();
      rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}

const unformula = (value: string) => (value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value);

/** Reads the answers CSV (written with `words`, or in any language when not given) back into report answers. */
export function parseAnswersCsv(text: string, words?: Words): CsvAnswer[] {
  const [header, ...rows] = parseCsv(text);
  const expected = words ? answerHeader(words) : undefined;
  if (!header || header.length !== ANSWER_COLUMNS.length || (expected && header.join(',') !== expected.join(','))) throw new Error('not a Govstage answers CSV (unexpected header)');
  return rows.map((r) => {
    const [number, questionId, themeId, characteristicId, _stage, partId, question, answerId, answer, states, note, themeStage, themeStageStatus, overallStage, overallStageStatus] = r;
    return {
      number: Number(number),
      questionId: questionId ?? '',
      themeId: themeId ?? '',
      characteristicId: characteristicId ?? '',
      partId: partId ? partId : null,
      question: question ?? '',
      answerId: answerId ? answerId : null,
      answer: answer ?? '',
      states: states ? states : null,
      note: note ?? '',
      themeStage: themeStage ? themeStage : null,
      themeStageStatus: themeStageStatus ?? '',
      overallStage: overallStage ? overallStage : null,
      overallStageStatus: overallStageStatus ?? '',
    };
  });
}
