/**
 * Checks every store backend makes the same way: which ids and hashes are
 * safe as keys (file names, SQL keys), a record validated before it is
 * written (so a store never holds what it cannot read back), and a stored
 * value validated when it is read.
 */
import { formatPath } from '../core/data-file.js';
import { GovError } from '../errors.js';
import { findTextProblem, TEXT_PROBLEMS } from '../safe-text.js';
import { ConversationRecord, type ConversationSummary } from './types.js';

/** Ids and hashes become file names and keys: only these characters, so nothing can climb out of a folder. */
const SAFE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

export function isSafeStoreName(value: string): boolean {
  return SAFE_NAME.test(value);
}

/** Validates a record before it is written. */
export function checkIncoming(record: ConversationRecord): ConversationRecord {
  const parsed = ConversationRecord.safeParse(record);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new GovError(
      'BAD_INPUT',
      `Refusing to store an invalid conversation record${first ? ` (${formatPath(first.path)}: ${first.message})` : ''}`,
      { issues: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })) },
    );
  }
  const next = parsed.data;
  // One rule for every backend: PostgreSQL cannot hold NUL or a lone surrogate, so no store takes them.
  const unsafe = findTextProblem(next);
  if (unsafe) {
    throw new GovError('BAD_INPUT', `Refusing to store conversation "${next.id}": ${formatPath(unsafe.path)} ${TEXT_PROBLEMS[unsafe.problem]}`, {
      id: next.id,
      path: formatPath(unsafe.path),
      problem: unsafe.problem,
    });
  }
  if (!isSafeStoreName(next.id)) {
    throw new GovError('BAD_INPUT', 'A conversation id may only use letters, digits, "_" and "-" (1 to 128 of them)', { id: next.id.slice(0, 140) });
  }
  if (next.resumeCode && !isSafeStoreName(next.resumeCode.hash)) {
    throw new GovError('BAD_INPUT', `The resume-code hash of conversation "${next.id}" is not a plain hex/base64url string`, { id: next.id });
  }
  return next;
}

/** What listings return about a record. */
export function toSummary(record: ConversationRecord): ConversationSummary {
  return { id: record.id, status: record.state.status, createdAt: record.createdAt, updatedAt: record.updatedAt, owner: record.owner };
}
