/**
 * Reads a lowdb data folder the way an auditor would: every stored
 * conversation file must parse as JSON and validate as a stored record.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseStoredRecord, type ConversationRecord } from '../../src/store/record.js';

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
    // Read as the store reads it (any record version it knows), which also checks the id against the file name.
    const id = name.slice(0, -'.json'.length);
    let record: ConversationRecord;
    try {
      record = parseStoredRecord(value, id, 'file');
    } catch (error) {
      audit.corrupt.push({ file: name, problem: (error as Error).message });
      continue;
    }
    audit.records.set(record.id, record);
  }
  return audit;
}
