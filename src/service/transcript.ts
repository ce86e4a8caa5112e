/**
 * The transcript: stored as what the bot's lines follow from, shown as the
 * messages they were.
 *
 * The core is deterministic: the same state, input and time give the same
 * messages. So a bot line stores the input it answered (and, where a replay
 * must start, the state it starts from), not the messages; reading the
 * transcript replays the inputs through the core and renders each line
 * again. A finished assessment's record is then a few kilobytes instead of
 * sixty (its review and result messages alone are about 26 KB), and a turn
 * writes, parses and validates that much less.
 *
 * What a replay cannot derive is stored: a group round's welcome (`lead`),
 * and every line of a record written before this (its `messages`). A replay
 * that cannot be trusted is never shown as if it were what was said: lines
 * from an earlier version of the assessment (whose flow this code no longer
 * has), and any stretch whose replay does not end in the state that was
 * saved, show a short notice instead, in the conversation's language.
 */
import { isDeepStrictEqual } from 'node:util';
import { textsFor, type AssessmentDefinition } from '../core/definition.js';
import type { Message, TurnInput } from '../core/messages.js';
import { renderStep } from '../core/conversation/render.js';
import type { ConversationState } from '../core/conversation/state.js';
import { advance, newConversation, type TurnOutcome } from '../core/conversation/turn.js';
import type { ChannelName, ConversationRecord, TranscriptEntry } from '../store/record.js';

/** A transcript line as it is shown: the bot's lines with their messages. */
export interface ShownLine {
  at: string;
  from: 'user' | 'bot';
  channel: ChannelName;
  text?: string;
  messages?: Message[];
}

/**
 * The messages a turn answers with, as the service sends them, but for a
 * pause's resume code: shown once, never stored, so a line read back shows
 * the pause without it.
 */
export function answerOf(definition: AssessmentDefinition, before: ConversationState, outcome: TurnOutcome): Message[] {
  // A new assessment answers with the new conversation's opening, in the language the person was using.
  return outcome.signal === 'newAssessment' ? newConversation(definition, before.locale).messages : outcome.messages;
}

/** What a conversation opens with: the lead (a round's welcome), then its first step. */
export function openingMessages(definition: AssessmentDefinition, state: ConversationState, lead: Message[]): Message[] {
  return [...lead, ...renderStep(definition, textsFor(definition, state.locale), state)];
}

/** The opening line of a new record: the state it opened at, and what no replay derives. */
export function openingLine(params: { at: string; channel: ChannelName; state: ConversationState; lead: Message[] }): TranscriptEntry {
  return { at: params.at, from: 'bot', channel: params.channel, start: params.state, ...(params.lead.length > 0 ? { lead: params.lead } : {}) };
}

/**
 * The bot line of a turn on `record`: the input it answered, and the state
 * that input was applied to where the lines before cannot be replayed up to
 * it (a record written before bot lines were rendered on read, or one saved
 * under an earlier version of the assessment, whose lines this code cannot
 * replay).
 */
export function turnLine(definition: AssessmentDefinition, record: ConversationRecord, params: { at: string; channel: ChannelName; input: TurnInput }): TranscriptEntry {
  const last = record.transcript.findLast((line) => line.from === 'bot');
  const chained = last !== undefined && isReplayable(last) && isCurrent(definition, record.state);
  return { at: params.at, from: 'bot', channel: params.channel, input: params.input, ...(chained ? {} : { start: record.state }) };
}

/** The transcript as it was shown: every bot line with its messages. Lines map one to one, so indexes (receipts') hold. */
export function renderTranscript(definition: AssessmentDefinition, record: ConversationRecord): ShownLine[] {
  const notice = (): Message[] => [{ kind: 'text', tone: 'help', text: textsFor(definition, record.state.locale).t('earlierNotShown') }];
  const shown: ShownLine[] = [];
  /** The state the next line's input applies to, while the replay can follow it. */
  let state: ConversationState | undefined;
  /** The lines replayed since the last point where the replay could be checked. */
  let stretch: number[] = [];
  // A replay that does not arrive where the record says it did rendered something else than was shown.
  const check = (expected: ConversationState) => {
    if (state !== undefined && !sameState(state, expected)) for (const i of stretch) (shown[i] as ShownLine).messages = notice();
    stretch = [];
  };

  for (const line of record.transcript) {
    const base: ShownLine = { at: line.at, from: line.from, channel: line.channel, ...(line.text !== undefined ? { text: line.text } : {}) };
    if (line.from === 'user') {
      shown.push(base);
      continue;
    }
    if (line.messages !== undefined) {
      // Stored as sent: shown as it is, and the replay cannot go past it (its input was not kept).
      shown.push({ ...base, messages: line.messages as Message[] });
      state = undefined;
      stretch = [];
      continue;
    }
    if (line.start !== undefined) {
      check(line.start);
      state = line.start;
    }
    const messages = state === undefined ? undefined : replayLine(definition, state, line);
    if (messages === undefined) {
      state = undefined;
      stretch = [];
      shown.push({ ...base, messages: notice() });
      continue;
    }
    state = messages.state;
    stretch.push(shown.length);
    shown.push({ ...base, messages: messages.messages });
  }
  check(record.state);
  return shown;
}

/** One bot line replayed from the state before it; undefined where the replay cannot render it faithfully. */
function replayLine(definition: AssessmentDefinition, before: ConversationState, line: TranscriptEntry): { state: ConversationState; messages: Message[] } | undefined {
  if (line.input === undefined) {
    // An opening line: rendered from its state, which must be this version's (an older flow's steps are not this one's).
    return isCurrent(definition, before) ? { state: before, messages: openingMessages(definition, before, (line.lead ?? []) as Message[]) } : undefined;
  }
  // A turn: the core upgrades an older state itself, as it did when the turn was taken.
  const outcome = advance(definition, before, line.input as TurnInput, new Date(line.at));
  if (!outcome.ok || outcome.value.stale) return undefined;
  return { state: outcome.value.state, messages: answerOf(definition, before, outcome.value) };
}

function isReplayable(line: TranscriptEntry): boolean {
  return line.messages === undefined && (line.input !== undefined || line.start !== undefined);
}

function isCurrent(definition: AssessmentDefinition, state: ConversationState): boolean {
  return state.flow.id === definition.flow.id && state.flow.version === definition.flow.version && state.rubric.version === definition.rubric.version;
}

/** The same state as stored: compared as JSON, since a stored state has lost its undefined fields. */
function sameState(a: ConversationState, b: ConversationState): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}
