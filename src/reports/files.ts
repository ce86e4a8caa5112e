/** Writes a report's three downloads into a folder (the terminal channel's "report"). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { answersCsv, csvDownload } from './csv.js';
import { reportMarkdown } from './markdown.js';
import type { Words } from '../i18n/words.js';
import type { AssessmentReport } from './report.js';

/** `words`: the catalogue of the report's language. */
export async function writeReportFiles(report: AssessmentReport, dir: string, title: string, words: Words): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const stamp = (report.finishedAt ?? report.generatedAt).replace(/[:.]/g, '-');
  const files: [string, string][] = [
    [`govstage-${stamp}-${words.t('report.fileReport')}.md`, reportMarkdown(report, title, words)],
    [`govstage-${stamp}-${words.t('report.fileReport')}.json`, `${JSON.stringify(report, null, 2)}\n`],
    [`govstage-${stamp}-${words.t('report.fileAnswers')}.csv`, csvDownload(answersCsv(report, words))],
  ];
  const written: string[] = [];
  for (const [name, content] of files) {
    const file = path.resolve(dir, name);
    await writeFile(file, content, 'utf8');
    written.push(file);
  }
  return written;
}
