/**
 * The stored shape of a conversation's assessment state: the envelope that
 * the pure turn function reads and returns. Versioned (`schemaVersion`) and
 * validated with zod whenever it is read back, so an old or damaged shape is
 * a clear error value, never a crash.
 */
import { z } from 'zod';

export const UNSURE = 'unsure';

export const AnswerValue = z.strictObject({
  /** An option id of the question, or "unsure". */
  option: z.string().min(1),
  note: z.string().optional(),
});
export type AnswerValue = z.infer<typeof AnswerValue>;

export const MachineContext = z.strictObject({
  /** The latest answer per question id. */
  answers: z.record(z.string(), AnswerValue),
  /** Notes typed before the question was answered, kept until it is. */
  pendingNotes: z.record(z.string(), z.string()),
  /** The state to return to once the question being changed is answered (set by "change N" and by editing from the review). */
  returnAfterAnswer: z.string().nullable(),
  /** The state to return to when a restart is cancelled. */
  returnAfterCancel: z.string().nullable(),
  /** What is being assessed: an option id of the flow's unit question; null until answered. */
  unit: z.string().nullable().default(null),
  /** Contradictions the person kept, each with their note saying why both answers stand. */
  settled: z.record(z.string(), z.strictObject({ note: z.string() })).default({}),
  /** Contradictions the person chose to leave for later: the result shows them as unsettled. */
  deferred: z.array(z.string()).default([]),
  /** The contradiction whose note is being typed (state "settleNote"). */
  settling: z.string().nullable().default(null),
  /** After an upgrade to a new flow version: answering moves to the next open question, skipping those already answered. */
  fillGaps: z.boolean().default(false),
});
export type MachineContext = z.infer<typeof MachineContext>;

/** One entry of the answer log: the replayable history used to migrate a conversation to a newer flow. */
export const AnswerLogEntry = z.strictObject({
  at: z.string(),
  questionId: z.string(),
  /** Set when an answer was given (option id or "unsure"). */
  option: z.string().optional(),
  /** Set when a note was added. */
  note: z.string().optional(),
  /** Set when the answers were cleared by a restart (questionId is then "*"). */
  cleared: z.literal(true).optional(),
});
export type AnswerLogEntry = z.infer<typeof AnswerLogEntry>;

export const CONVERSATION_SCHEMA_VERSION = 1;

export const ConversationState = z.strictObject({
  schemaVersion: z.literal(CONVERSATION_SCHEMA_VERSION),
  flow: z.strictObject({ id: z.string(), version: z.number().int() }),
  rubric: z.strictObject({ id: z.string(), version: z.number().int() }),
  locale: z.string(),
  /** The XState snapshot, reduced to what restores it: the state value and the context. */
  machine: z.strictObject({ value: z.string(), context: MachineContext }),
  answerLog: z.array(AnswerLogEntry),
  status: z.enum(['active', 'finished']),
  /** When the result was first reached. */
  finishedAt: z.string().nullable(),
});
export type ConversationState = z.infer<typeof ConversationState>;
