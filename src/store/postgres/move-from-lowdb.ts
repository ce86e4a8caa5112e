/**
 * Moves the conversations (and group rounds) of a lowdb data folder into PostgreSQL
 * (`npm run migrate-store -- --from-dir ./data`).
 *
 * Read-only on the folder: it is never opened for writing (no clean-up of
 * temp files, no folders created), so a typo in the path cannot turn into an
 * empty store. Idempotent: a conversation already in PostgreSQL at the same
 * or a newer revision is skipped, one at an older revision is brought up to
 * date. A file that cannot be read is reported and skipped; the rest move on.
 * Only a database that stops answering ends the run early, and running it
 * again picks up where it stopped.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GovError, isGovError } from '../../errors.js';
import { LowdbStore } from '../lowdb/lowdb-store.js';
import type { PostgresStore } from './postgres-store.js';

export interface MoveProblem {
  id: string;
  message: string;
}

export interface MoveReport {
  /** Conversations found in the folder (damaged ones included). */
  found: number;
  /** Copied into PostgreSQL for the first time. */
  created: number;
  /** Already there at an older revision, now brought up to date. */
  updated: number;
  /** Already there at the same or a newer revision: left alone. */
  skipped: number;
  /** Files in the folder that cannot be read as a conversation. */
  damaged: MoveProblem[];
  /** Readable, but PostgreSQL refused them (e.g. a resume code another conversation holds). */
  failed: MoveProblem[];
  /** The group rounds, counted the same way. */
  rounds: Omit<MoveReport, 'rounds'>;
}

export interface MoveOptions {
  fromDir: string;
  /** An opened PostgresStore. */
  target: Pick<PostgresStore, 'importRecord' | 'importGroupRound'>;
  /** Told about each conversation as it is handled, for progress output. */
  onProgress?: (event: { id: string; outcome: 'created' | 'updated' | 'skipped' | 'damaged' | 'failed'; message?: string }) => void;
}

export async function moveLowdbToPostgres(options: MoveOptions): Promise<MoveReport> {
  const dir = resolve(options.fromDir);
  const conversations = join(dir, 'conversations');
  const isFolder = await stat(conversations).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder) throw new GovError('BAD_INPUT', `${dir} is not a Govstage data folder: it has no conversations/ folder`);

  const report: MoveReport = { found: 0, created: 0, updated: 0, skipped: 0, damaged: [], failed: [], rounds: { found: 0, created: 0, updated: 0, skipped: 0, damaged: [], failed: [] } };
  const progress = options.onProgress ?? (() => {});
  const damaged = (id: string, message: string) => {
    report.found += 1;
    report.damaged.push({ id, message });
    progress({ id, outcome: 'damaged', message });
  };
  // list() skips files it cannot read and tells onWarning: those are the damaged ones.
  const source = new LowdbStore({ dir, onWarning: (warning) => damaged(warning.id, warning.error.message) });
  try {
    for await (const summary of source.list()) {
      let record;
      try {
        record = await source.get(summary.id);
      } catch (error) {
        if (!isGovError(error) || error.kind !== 'UNRESTORABLE') throw error;
        damaged(summary.id, error.message);
        continue;
      }
      if (!record) continue; // Deleted while we were reading.
      report.found += 1;
      try {
        const outcome = await options.target.importRecord(record);
        report[outcome] += 1;
        progress({ id: record.id, outcome });
      } catch (error) {
        // A database that stopped answering (or a bug) ends the run; a refused record does not.
        if (!isGovError(error) || (error.kind !== 'CONFLICT' && error.kind !== 'BAD_INPUT')) throw error;
        report.failed.push({ id: record.id, message: error.message });
        progress({ id: record.id, outcome: 'failed', message: error.message });
      }
    }
    // Group rounds (a folder older versions did not have: then there are none).
    const hasRounds = await stat(join(dir, 'groups')).then((s) => s.isDirectory(), () => false);
    if (hasRounds) {
      const rounds = report.rounds;
      for await (const id of source.groupRoundIds()) {
        rounds.found += 1;
        let round;
        try {
          round = await source.getGroupRound(id);
        } catch (error) {
          if (!isGovError(error) || error.kind !== 'UNRESTORABLE') throw error;
          rounds.damaged.push({ id, message: error.message });
          progress({ id, outcome: 'damaged', message: error.message });
          continue;
        }
        if (!round) continue;
        try {
          const outcome = await options.target.importGroupRound(round);
          rounds[outcome] += 1;
          progress({ id, outcome });
        } catch (error) {
          if (!isGovError(error) || (error.kind !== 'CONFLICT' && error.kind !== 'BAD_INPUT')) throw error;
          rounds.failed.push({ id, message: error.message });
          progress({ id, outcome: 'failed', message: error.message });
        }
      }
    }
  } finally {
    await source.close();
  }
  return report;
}
