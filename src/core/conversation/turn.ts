/**
 * The pure turn function: (stored conversation state, input) → (new state,
 * outgoing messages). No I/O, no clock of its own (`now` is passed in), no
 * exceptions for bad input: every failure is an error value. Every channel
 * and every server instance calls this same function, statelessly.
 */
import { initialTransition, transition } from 'xstate';
import { fail, GovError, ok, type Result } from '../../errors.js';
import { textsFor, type AssessmentDefinition, type Texts } from '../definition.js';
import type { Message, TurnInput } from '../messages.js';
import { emptyContext, questionIdOfState, questionState, type AssessmentEvent, type AssessmentSnapshot } from '../machine/machine.js';
import { parseReply, type Command, type Intent, type ReplyContext } from '../replies/parse.js';
import { answerLabel } from '../scoring/explain.js';
import { choiceIds, progressOf, renderStep } from './render.js';
import { CONVERSATION_SCHEMA_VERSION, ConversationState, MachineContext, UNSURE, type AnswerLogEntry } from './state.js';

export interface TurnOutcome {
  state: ConversationState;
  messages: Message[];
  /** Something the calling pipeline must do that the core cannot: issue a resume code, open a new conversation. */
  signal?: 'pause' | 'newAssessment';
  /** The input named a step that is no longer current (an old button, a concurrent answer): nothing changed. */
  stale?: boolean;
}

export function newConversation(definition: AssessmentDefinition, locale: string | undefined): TurnOutcome {
  const { flow, rubric } = definition;
  const chosen = locale && flow.locales.includes(locale) ? locale : flow.defaultLocale;
  const [snapshot] = initialTransition(definition.machine, emptyContext());
  const state: ConversationState = {
    schemaVersion: CONVERSATION_SCHEMA_VERSION,
    flow: { id: flow.id, version: flow.version },
    rubric: { id: rubric.id, version: rubric.version },
    locale: chosen,
    machine: { value: String(snapshot.value), context: snapshot.context },
    answerLog: [],
    status: 'active',
    finishedAt: null,
  };
  return { state, messages: renderStep(definition, textsFor(definition, chosen), state) };
}

/** Rebuilds the machine snapshot of a stored state; an error value (never an exception) if it cannot. */
export function restore(definition: AssessmentDefinition, state: ConversationState): Result<AssessmentSnapshot> {
  const context = MachineContext.safeParse(state.machine.context);
  if (!context.success) return fail(new GovError('UNRESTORABLE', `The saved conversation has an unreadable context: ${context.error.issues[0]?.message ?? 'invalid'}`));
  // Own keys only: "constructor", "toString"… are on every object's prototype but are no step of ours.
  if (!Object.hasOwn(definition.machine.states, state.machine.value)) {
    return fail(new GovError('UNRESTORABLE', `The saved conversation is at a step ("${state.machine.value}") that this version of the assessment does not have.`));
  }
  try {
    return ok(definition.machine.resolveState({ value: state.machine.value, context: context.data }));
  } catch (error) {
    return fail(new GovError('UNRESTORABLE', `The saved conversation cannot be restored: ${(error as Error).message}`, undefined, { cause: error }));
  }
}

/**
 * Brings a state saved under an older flow or rubric version up to date by
 * replaying its answer log on the current flow. Answers to questions (or
 * options) that no longer exist are dropped; the person continues at the
 * first unanswered question, or at the review.
 */
export function migrate(definition: AssessmentDefinition, stored: unknown): Result<ConversationState> {
  const parsed = ConversationState.safeParse(stored);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(new GovError('UNRESTORABLE', `The saved conversation has a shape this version cannot read (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}).`));
  }
  return upgrade(definition, parsed.data);
}

/**
 * `migrate` for a state already validated (read back from the store, which
 * validates every record): the same upgrade, without parsing it again on
 * every turn.
 */
export function upgrade(definition: AssessmentDefinition, stored: ConversationState): Result<ConversationState> {
  const { flow, rubric } = definition;
  // A locale this flow does not offer (a damaged file, a language since removed) falls back to the default.
  const state = flow.locales.includes(stored.locale) ? stored : { ...stored, locale: flow.defaultLocale };
  if (state.flow.id !== flow.id) return fail(new GovError('UNRESTORABLE', `The saved conversation belongs to the assessment "${state.flow.id}", not "${flow.id}".`));
  if (state.flow.version === flow.version && state.rubric.version === rubric.version) return ok(state);
  if (state.flow.version > flow.version) {
    return fail(new GovError('UNRESTORABLE', `The saved conversation was made with a newer version (${state.flow.version}) of this assessment than this server runs (${flow.version}).`));
  }
  const answers: MachineContext['answers'] = {};
  // Notes typed before their question was answered, attached when it is (as the machine does).
  const pendingNotes: MachineContext['pendingNotes'] = {};
  for (const entry of state.answerLog) {
    if (entry.cleared) {
      for (const key of Object.keys(answers)) delete answers[key];
      for (const key of Object.keys(pendingNotes)) delete pendingNotes[key];
      continue;
    }
    const question = definition.questionById.get(entry.questionId);
    if (!question) continue;
    if (entry.option !== undefined) {
      if (entry.option !== UNSURE && !question.options.some((o) => o.id === entry.option)) {
        delete answers[entry.questionId];
        continue;
      }
      const note = pendingNotes[entry.questionId] ?? answers[entry.questionId]?.note;
      delete pendingNotes[entry.questionId];
      answers[entry.questionId] = note ? { option: entry.option, note } : { option: entry.option };
    }
    if (entry.note !== undefined) {
      if (answers[entry.questionId]) answers[entry.questionId] = { ...(answers[entry.questionId] as { option: string }), note: entry.note };
      else pendingNotes[entry.questionId] = entry.note;
    }
  }
  const firstOpen = definition.questions.find((q) => !(q.id in answers));
  const started = state.machine.value !== 'intro' || state.answerLog.length > 0;
  const value = !started ? 'intro' : firstOpen ? questionState(firstOpen.id) : 'review';
  return ok({
    ...state,
    flow: { id: flow.id, version: flow.version },
    rubric: { id: rubric.id, version: rubric.version },
    machine: { value, context: { ...emptyContext(), answers, pendingNotes } },
    status: firstOpen ? 'active' : state.status,
  });
}

/** Turns a choice id into an intent, if it is one the current step offers. */
function intentOfChoice(definition: AssessmentDefinition, choice: string, value: string): Intent | 'stale' | 'invalid' {
  const questionId = questionIdOfState(value);
  if (choice === choiceIds.start) return value === 'intro' ? { type: 'command', command: 'start' } : 'stale';
  if (choice === choiceIds.confirm || choice === choiceIds.cancel) {
    if (value !== 'confirmRestart') return 'stale';
    return choice === choiceIds.confirm ? { type: 'confirm' } : { type: 'cancel' };
  }
  const answer = /^answer:([a-z0-9-]+):([a-z0-9-]+)$/.exec(choice);
  if (answer) {
    if (answer[1] !== questionId) return 'stale';
    if (answer[2] === UNSURE) return { type: 'unsure' };
    // An option the current question does not have is not a choice we ever offered: refuse it rather than record it.
    if (!definition.questionById.get(questionId)?.options.some((o) => o.id === answer[2])) return 'invalid';
    return { type: 'answer', option: answer[2] as string };
  }
  const edit = /^edit:([a-z0-9-]+)$/.exec(choice);
  if (edit) {
    const index = definition.questions.findIndex((q) => q.id === edit[1]);
    return index < 0 ? 'invalid' : { type: 'edit', questionNumber: index + 1 };
  }
  const command = /^cmd:([a-zA-Z]+)$/.exec(choice);
  if (command) return { type: 'command', command: command[1] as Command };
  return 'invalid';
}

const COMMAND_NAMES = new Set<Command>(['why', 'back', 'help', 'progress', 'pause', 'restart', 'review', 'start', 'continue', 'seeResult', 'newAssessment']);

export function advance(definition: AssessmentDefinition, stored: ConversationState, input: TurnInput, now: Date): Result<TurnOutcome> {
  // Parsed again here (cheap: the state is small) so that a damaged state is an error value, whoever calls.
  const migrated = migrate(definition, stored);
  if (!migrated.ok) return migrated;
  const state = migrated.value;
  const restored = restore(definition, state);
  if (!restored.ok) return restored;
  const snapshot = restored.value;
  const texts = textsFor(definition, state.locale);
  const value = state.machine.value;
  const questionId = questionIdOfState(value);
  const question = questionId ? definition.questionById.get(questionId) : undefined;

  let intent: Intent;
  if (input.kind === 'start') {
    return ok({ state, messages: [...(state.answerLog.length > 0 ? [{ kind: 'text' as const, tone: 'normal' as const, text: texts.t('resumed') }] : []), ...renderStep(definition, texts, state)] });
  } else if (input.kind === 'choice') {
    const read = intentOfChoice(definition, input.choice, value);
    if (read === 'invalid') return fail(new GovError('BAD_INPUT', `"${input.choice.slice(0, 80)}" is not a choice this assessment knows.`));
    if (read === 'stale') return ok({ state, stale: true, messages: [{ kind: 'text', tone: 'warning', text: texts.t('staleChoice') }, ...renderStep(definition, texts, state)] });
    if (read.type === 'command' && !COMMAND_NAMES.has(read.command)) return fail(new GovError('BAD_INPUT', `"${input.choice.slice(0, 80)}" is not a command this assessment knows.`));
    intent = read;
  } else {
    const vocab = definition.flow.replies[state.locale] ?? definition.flow.replies[definition.flow.defaultLocale];
    if (!vocab) return fail(new GovError('INTERNAL', `no reply vocabulary for ${state.locale}`));
    const context: ReplyContext = {
      // TODO(lead): build this from the new question model (reply, qualifier); this maps the old `holds` meanwhile.
      options: question ? question.options.map((o) => ({ id: o.id, label: texts.pick(o.label), reply: o.holds })) : [],
      qualifier: null,
      confirming: value === 'confirmRestart',
    };
    intent = parseReply(input.text, context, vocab);
  }
  return ok(apply(definition, texts, state, snapshot, intent, now, input.kind === 'text' ? input.text : ''));
}

/** How much of an unrecognised reply is quoted back. */
const ECHO_LIMIT = 60;

function apply(definition: AssessmentDefinition, texts: Texts, state: ConversationState, snapshot: AssessmentSnapshot, intent: Intent, now: Date, typed: string): TurnOutcome {
  const value = state.machine.value;
  const questionId = questionIdOfState(value);
  const at = now.toISOString();
  const info = (text: string, tone: 'normal' | 'help' | 'success' | 'warning' = 'help'): Message => ({ kind: 'text', tone, text });
  const unchanged = (...messages: Message[]): TurnOutcome => ({ state, messages });
  const oneLine = typed.replace(/\s+/g, ' ').trim();
  const echo = oneLine.length > ECHO_LIMIT ? `${oneLine.slice(0, ECHO_LIMIT)}…` : oneLine;

  /** Runs one machine event; `log` entries are appended when the machine accepted it. */
  const step = (event: AssessmentEvent, before: Message[] = [], log: AnswerLogEntry[] = []): TurnOutcome => {
    const [next] = transition(definition.machine, snapshot, event);
    const nextValue = String(next.value);
    const moved = nextValue !== value || next.context !== snapshot.context;
    if (!moved) return unchanged(...before, ...renderStep(definition, texts, state));
    const reachedResult = nextValue === 'result';
    const restarted = event.type === 'CONFIRM';
    const nextState: ConversationState = {
      ...state,
      machine: { value: nextValue, context: next.context },
      answerLog: restarted ? [...state.answerLog, { at, questionId: '*', cleared: true }] : [...state.answerLog, ...log],
      status: restarted ? 'active' : reachedResult ? 'finished' : state.status,
      finishedAt: restarted ? null : reachedResult ? state.finishedAt ?? at : state.finishedAt,
    };
    return { state: nextState, messages: [...before, ...renderStep(definition, texts, nextState)] };
  };

  switch (intent.type) {
    case 'answer':
    case 'unsure': {
      if (!questionId) return unchanged(info(texts.t('unrecognisedOutsideQuestion', { text: echo }), 'warning'));
      const option = intent.type === 'unsure' ? UNSURE : intent.option;
      const note = intent.note?.trim() || undefined;
      return step(
        { type: 'ANSWER', questionId, option, ...(note ? { note } : {}) },
        [info(texts.t('answerRecorded', { answer: answerLabel(definition, texts, questionId, option) }), 'success'), ...(note ? [info(texts.t('noteSaved'), 'success')] : [])],
        [{ at, questionId, option, ...(note ? { note } : {}) }],
      );
    }
    case 'note': {
      if (!questionId) return unchanged(info(texts.t('noteNowhere'), 'warning'));
      if (intent.text === '') return unchanged(info(texts.t('noteEmpty')));
      const [next] = transition(definition.machine, snapshot, { type: 'NOTE', text: intent.text });
      const nextState: ConversationState = { ...state, machine: { value, context: next.context }, answerLog: [...state.answerLog, { at, questionId, note: intent.text }] };
      return { state: nextState, messages: [info(texts.t('noteSaved'), 'success')] };
    }
    case 'edit': {
      const target = definition.questions[intent.questionNumber - 1]?.id;
      if (!target) return unchanged(info(texts.t('unrecognised', { text: echo, hint: texts.t('helpText') }), 'warning'));
      if (value === 'intro' || value === 'confirmRestart') return unchanged(info(texts.t('staleChoice'), 'warning'), ...renderStep(definition, texts, state));
      return step({ type: 'EDIT', questionId: target });
    }
    case 'confirm':
      return step({ type: 'CONFIRM' }, [info(texts.t('restarted'), 'success')]);
    case 'cancel':
      return step({ type: 'CANCEL' }, [info(texts.t('restartCancelled'))]);
    case 'command':
      return runCommand(intent.command);
    // TODO(lead): render `clarify` as "Did you mean …?" with its candidate options as buttons (and keep its note); until then it is re-asked like an unknown reply.
    case 'clarify':
    case 'unknown': {
      if (value === 'confirmRestart') return unchanged(...renderStep(definition, texts, state));
      if (!questionId) return unchanged(info(texts.t('unrecognisedOutsideQuestion', { text: echo }), 'warning'));
      const hint = texts.t('hint', { count: (definition.questionById.get(questionId)?.options.length ?? 0) + 1 });
      return unchanged(info(texts.t('unrecognised', { text: echo, hint }), 'warning'));
    }
  }

  function runCommand(command: Command): TurnOutcome {
    switch (command) {
      case 'start':
        return value === 'intro' ? step({ type: 'START' }) : unchanged(...renderStep(definition, texts, state));
      case 'why': {
        const question = questionId ? definition.questionById.get(questionId) : undefined;
        return unchanged(info(question ? texts.t('whyPrefix', { text: texts.pick(question.help) }) : texts.t('helpText')));
      }
      case 'help':
        return unchanged(info(texts.t('helpText')));
      case 'progress': {
        const progress = progressOf(definition, state);
        const unsure = Object.values(state.machine.context.answers).filter((a) => a.option === UNSURE).length;
        return unchanged({ kind: 'progress', progress, text: texts.t('progressText', { answered: progress.answered, total: progress.total, unsure }) });
      }
      case 'pause':
        return { state, signal: 'pause', messages: [{ kind: 'paused', text: texts.t('pausedText') }] };
      case 'newAssessment':
        // Only from the result: anywhere else it would walk away from an assessment in progress (use restart).
        return value === 'result' ? { state, signal: 'newAssessment', messages: [] } : unchanged(...renderStep(definition, texts, state));
      case 'back':
        if (questionId && definition.questions[0]?.id === questionId && state.machine.context.returnAfterAnswer === null) return unchanged(info(texts.t('atStart')));
        if (value === 'intro' || value === 'confirmRestart') return unchanged(...renderStep(definition, texts, state));
        return step({ type: 'BACK' });
      case 'review':
        return value === 'intro' ? unchanged(...renderStep(definition, texts, state)) : step({ type: 'REVIEW' });
      case 'continue':
        return value === 'review' ? step({ type: 'CONTINUE' }) : unchanged(...renderStep(definition, texts, state));
      case 'seeResult':
        if (value !== 'review') return value === 'result' ? unchanged(...renderStep(definition, texts, state)) : step({ type: 'REVIEW' });
        {
          const open = definition.questions.filter((q) => !(q.id in state.machine.context.answers)).length;
          return step({ type: 'SEE_RESULT' }, open > 0 ? [info(texts.t('stillOpen', { count: open }), 'warning')] : []);
        }
      case 'restart':
        return value === 'confirmRestart' ? unchanged(...renderStep(definition, texts, state)) : step({ type: 'RESTART' });
    }
  }
}
