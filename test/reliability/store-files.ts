/**
 * Reads a lowdb data folder the way an auditor would: every stored
 * conversation file must parse as JSON and validate as a ConversationRecord.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConversationRecord } from '../../src/store/types.js';

export interface StoreAudit {
  /** Conversation files read. */
  files: number;
  /** Files that do not parse or validate, with why. */
  corrupt: { file: string; problem: string }[];
  /** Temp files left by a write that a crash interrupted (never part of the data; removed on open). */
  tempFiles: number;
  /** The valid records, by id. */
  records: Map<string, ConversationRecord>;
}

export async function auditStore(dataDir: string): Promise<StoreAudit> {
  const folder = path.join(dataDir, 'conversations');
  const audit: StoreAudit = { files: 0, corrupt: [], tempFiles: 0, records: new Map() };
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return audit;
  }
  for (const name of names) {
    if (name.startsWith('.') && name.endsWith('.tmp')) {
      audit.tempFiles++;
      continue;
    }
    if (!name.endsWith('.json')) continue;
    audit.files++;
    const file = path.join(folder, name);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      audit.corrupt.push({ file: name, problem: `not JSON: ${(error as Error).message}` });
      continue;
    }
    const parsed = ConversationRecord.safeParse(value);
    if (!parsed.success) {
      audit.corrupt.push({ file: name, problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      continue;
    }
    if (`${parsed.data.id}.json` !== name) audit.corrupt.push({ file: name, problem: `holds id ${parsed.data.id}` });
    audit.records.set(parsed.data.id, parsed.data);
  }
  return audit;
}
