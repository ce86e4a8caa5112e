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
import { emptyContext, questionIdOfState, questionState, UNIT_QUESTION_ID, UNIT_STATE, type AssessmentEvent, type AssessmentSnapshot } from '../machine/machine.js';
import { parseReply, type Command, type Intent, type ReplyContext } from '../replies/parse.js';
import { normalizeText as normalize } from '../replies/text.js';
import { answerLabel } from '../scoring/explain.js';
import { answerChoices, choiceIds, progressOf, renderStep } from './render.js';
import { negotiateLocale } from '../i18n/negotiate.js';
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
  // "fr-CA" or "fr_FR" is served the flow's French.
  const chosen = negotiateLocale(flow.locales, [locale]) ?? flow.defaultLocale;
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
  // Answers from an older version carry over as its `upgrades` entry says: mapped to the question and option
  // they meant; questions it does not list asked several things at once and are asked anew, as parts.
  const mapping = state.flow.version === flow.version ? undefined : flow.upgrades.find((u) => u.fromVersion === state.flow.version);
  const translate = (entry: AnswerLogEntry): AnswerLogEntry | { withdraws: string } | null => {
    if (entry.cleared || state.flow.version === flow.version) return entry;
    if (!mapping) return null;
    const to = Object.hasOwn(mapping.answers, entry.questionId) ? mapping.answers[entry.questionId] : undefined;
    if (!to) return null;
    if (entry.option === undefined || entry.option === UNSURE) return { ...entry, questionId: to.question };
    const option = Object.hasOwn(to.options, entry.option) ? to.options[entry.option] : undefined;
    return option ? { ...entry, questionId: to.question, option } : { withdraws: to.question };
  };
  const log: AnswerLogEntry[] = [];
  for (const entry of state.answerLog) {
    const translated = translate(entry);
    if (translated === null) continue;
    // An answer with no counterpart now was the person's latest: the answers (and notes) it replaced must not come back.
    if ('withdraws' in translated) {
      for (let i = log.length - 1; i >= 0; i--) if (log[i]?.questionId === translated.withdraws) log.splice(i, 1);
      continue;
    }
    log.push(translated);
  }
  const answers: MachineContext['answers'] = {};
  // Notes typed before their question was answered, attached when it is (as the machine does).
  const pendingNotes: MachineContext['pendingNotes'] = {};
  for (const entry of log) {
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
  const keptUnit = flow.unit.options.some((o) => o.id === state.machine.context.unit) ? state.machine.context.unit : null;
  const value = !started ? 'intro' : keptUnit === null ? UNIT_STATE : firstOpen ? questionState(firstOpen.id) : 'review';
  // Active again while a new part-question or the unit is open: the result (and its date) comes once they are answered.
  const reopened = started && (firstOpen !== undefined || keptUnit === null);
  return ok({
    ...state,
    flow: { id: flow.id, version: flow.version },
    rubric: { id: rubric.id, version: rubric.version },
    machine: { value, context: { ...emptyContext(), answers, pendingNotes, unit: keptUnit, fillGaps: firstOpen !== undefined } },
    // The log in this version's terms: a later upgrade reads it with this version's meaning, not the one it was typed in.
    answerLog: log,
    ...(reopened ? { status: 'active' as const, finishedAt: null } : {}),
  });
}

/** What a turn may mean: what the reply parser reads, and what only buttons (or the steps around questions) say. */
type TurnIntent =
  | Intent
  | { type: 'unit'; option: string }
  | { type: 'editUnit' }
  | { type: 'keepBoth'; contradictionId: string }
  | { type: 'defer'; contradictionId: string }
  | { type: 'settleNote'; note: string }
  /** Continue in another of the flow's locales: every answer kept, the current step shown again in it. */
  | { type: 'language'; locale: string };

/** Turns a choice id into an intent, if it is one the current step offers. */
function intentOfChoice(definition: AssessmentDefinition, choice: string, value: string): TurnIntent | 'stale' | 'invalid' {
  const questionId = questionIdOfState(value);
  if (choice === choiceIds.start) return value === 'intro' ? { type: 'command', command: 'start' } : 'stale';
  if (choice === choiceIds.confirm || choice === choiceIds.cancel) {
    if (value !== 'confirmRestart') return 'stale';
    return choice === choiceIds.confirm ? { type: 'confirm' } : { type: 'cancel' };
  }
  const unit = /^unit:([a-z0-9-]+)$/.exec(choice);
  if (unit) {
    if (value !== UNIT_STATE) return 'stale';
    return definition.flow.unit.options.some((o) => o.id === unit[1]) ? { type: 'unit', option: unit[1] as string } : 'invalid';
  }
  const settle = /^settle:(keep|later):([a-z0-9~+-]+)$/.exec(choice);
  if (settle) {
    if (value !== 'settle') return 'stale';
    return { type: settle[1] === 'keep' ? 'keepBoth' : 'defer', contradictionId: settle[2] as string };
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
    if (edit[1] === UNIT_QUESTION_ID) return { type: 'editUnit' };
    const index = definition.questions.findIndex((q) => q.id === edit[1]);
    return index < 0 ? 'invalid' : { type: 'edit', questionNumber: index + 1 };
  }
  // Valid at every step (it changes the words, not the step): never stale.
  const language = /^cmd:language:([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)$/.exec(choice);
  if (language) {
    const locale = negotiateLocale(definition.flow.locales, [language[1]]);
    return locale ? { type: 'language', locale } : 'invalid';
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

  // Saved under an older version: say once why some questions are new (the upgraded state is what is saved now, whatever the input).
  // Nothing to explain to a conversation that had no answers yet.
  const noticed = (outcome: TurnOutcome): TurnOutcome => stored.flow.version === definition.flow.version || stored.answerLog.length === 0 ? outcome
    : { ...outcome, messages: [{ kind: 'text', tone: 'help', text: texts.t('upgradedNotice', { from: stored.flow.version, to: definition.flow.version }) }, ...outcome.messages] };

  let intent: TurnIntent;
  if (input.kind === 'start') {
    return ok(noticed({ state, messages: [...(state.answerLog.length > 0 ? [{ kind: 'text' as const, tone: 'normal' as const, text: texts.t('resumed') }] : []), ...renderStep(definition, texts, state)] }));
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
      options: question ? question.options.map((o) => ({ id: o.id, label: texts.pick(o.label), reply: o.reply })) : [],
      qualifier: (question && definition.characteristics.get(question.characteristic)?.qualifier) ?? null,
      confirming: value === 'confirmRestart',
    };
    const parsed = parseReply(input.text, context, vocab);
    intent = value === UNIT_STATE ? readUnit(definition, texts, input.text, parsed)
      : value === 'settleNote' ? (parsed.type === 'command' ? parsed : { type: 'settleNote', note: input.text.trim() })
      : value === 'settle' ? readNumberedChoice(definition, texts, state, input.text) ?? parsed
      : parsed;
  }
  return ok(noticed(apply(definition, texts, state, snapshot, intent, now, input.kind === 'text' ? input.text : '')));
}


/** A typed reply at the opening question: its number, or the words of one option; otherwise what the parser read. */
function readUnit(definition: AssessmentDefinition, texts: Texts, typed: string, parsed: Intent): TurnIntent {
  const options = definition.flow.unit.options;
  const input = normalize(typed);
  const n = /^\d{1,2}$/.test(input) ? Number(input) : NaN;
  if (n >= 1 && n <= options.length) return { type: 'unit', option: (options[n - 1] as (typeof options)[number]).id };
  const matching = input.length >= 3 ? options.filter((o) => normalize(texts.pick(o.label)).includes(input) || input.includes(normalize(texts.pick(o.label)))) : [];
  if (matching.length === 1) return { type: 'unit', option: (matching[0] as (typeof options)[number]).id };
  return parsed.type === 'command' ? parsed : { type: 'unknown' };
}

/** A typed number, or the words, of one of the buttons of the settle step. */
function readNumberedChoice(definition: AssessmentDefinition, texts: Texts, state: ConversationState, typed: string): TurnIntent | null {
  const input = normalize(typed);
  const [message] = renderStep(definition, texts, state);
  const choices = message && 'choices' in message ? message.choices ?? [] : [];
  const choice = /^\d{1,2}$/.test(input) ? choices[Number(input) - 1] : choices.find((c) => normalize(c.label) === input);
  if (!choice) return null;
  const read = intentOfChoice(definition, choice.id, state.machine.value);
  return read === 'stale' || read === 'invalid' ? null : read;
}

/** Why we ask (ours), then the OECD characteristic the question evidences, word for word, and our part of it. */
function whyText(definition: AssessmentDefinition, texts: Texts, questionId: string): string {
  const question = definition.questionById.get(questionId);
  const characteristic = question ? definition.characteristics.get(question.characteristic) : undefined;
  if (!question || !characteristic) return texts.t('helpText');
  const part = question.part ? definition.parts.get(question.part) : undefined;
  // In another language than the OECD's: our translation, labelled as ours, with the OECD's words after it.
  const translation = texts.translation('characteristics', characteristic.id);
  return [
    texts.t('whyPrefix', { text: texts.pick(question.help) }),
    translation
      ? texts.t('whyOecdTranslated', { stage: texts.t(`stageName.${characteristic.stage}`), translation: translation.text, text: characteristic.text })
      : texts.t('whyOecd', { stage: texts.t(`stageName.${characteristic.stage}`), text: characteristic.text }),
    ...(part ? [texts.t('whyPart', { text: texts.pick(part.text) })] : []),
  ].join('\n');
}

/** How much of an unrecognised reply is quoted back. */
const ECHO_LIMIT = 60;

function apply(definition: AssessmentDefinition, texts: Texts, state: ConversationState, snapshot: AssessmentSnapshot, intent: TurnIntent, now: Date, typed: string): TurnOutcome {
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
      const answer = answerLabel(definition, texts, questionId, option);
      return step(
        { type: 'ANSWER', questionId, option, ...(note ? { note } : {}) },
        [info(note ? texts.t('answerRecordedWithNote', { answer, note }) : texts.t('answerRecorded', { answer }), 'success')],
        [{ at, questionId, option, ...(note ? { note } : {}) }],
      );
    }
    case 'clarify': {
      if (!questionId) return unchanged(info(texts.t('unrecognisedOutsideQuestion', { text: echo }), 'warning'));
      const offered = answerChoices(definition, texts, questionId);
      const choices = intent.options.map((o) => offered.find((c) => c.id === choiceIds.answer(questionId, o))).filter((c): c is NonNullable<typeof c> => c !== undefined);
      const note = intent.note?.trim() || undefined;
      const ask: Message = { kind: 'text', tone: 'warning', text: note ? texts.t('clarifyWithNote', { text: echo, note }) : texts.t('clarify', { text: echo }), choices: choices.length > 0 ? choices : offered };
      if (!note) return unchanged(ask);
      // The note is kept whichever option the person then picks, as a note typed before answering is.
      const pending = { ...state.machine.context, pendingNotes: { ...state.machine.context.pendingNotes, [questionId]: note } };
      return { state: { ...state, machine: { value, context: pending }, answerLog: [...state.answerLog, { at, questionId, note }] }, messages: [ask] };
    }
    case 'unit':
      return step({ type: 'UNIT', option: intent.option }, [info(texts.t('unitRecorded', { unit: texts.unitNoun(intent.option) }), 'success')]);
    case 'editUnit':
      if (value === 'intro' || value === 'confirmRestart') return unchanged(info(texts.t('staleChoice'), 'warning'), ...renderStep(definition, texts, state));
      return step({ type: 'EDIT', questionId: UNIT_QUESTION_ID });
    case 'keepBoth':
      return step({ type: 'KEEP_BOTH', contradictionId: intent.contradictionId });
    case 'defer':
      return step({ type: 'DEFER', contradictionId: intent.contradictionId });
    case 'settleNote':
      if (intent.note === '') return unchanged(...renderStep(definition, texts, state));
      return step({ type: 'SETTLE_NOTE', note: intent.note }, [info(texts.t('settleKept', { note: intent.note }), 'success')]);
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
    case 'language': {
      const switched: ConversationState = { ...state, locale: intent.locale };
      const inIt = textsFor(definition, intent.locale);
      return { state: switched, messages: [info(inIt.t('languageChanged'), 'success'), ...renderStep(definition, inIt, switched)] };
    }
    case 'confirm':
      return step({ type: 'CONFIRM' }, [info(texts.t('restarted'), 'success')]);
    case 'cancel':
      return step({ type: 'CANCEL' }, [info(texts.t('restartCancelled'))]);
    case 'command':
      return runCommand(intent.command);
    case 'unknown': {
      if (value === 'confirmRestart') return unchanged(...renderStep(definition, texts, state));
      if (value === UNIT_STATE || value === 'settle') return unchanged(info(texts.t('unrecognisedOutsideQuestion', { text: echo }), 'warning'), ...renderStep(definition, texts, state));
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
        if (value === UNIT_STATE) return unchanged(info(texts.t('whyPrefix', { text: texts.pick(definition.flow.unit.help) })));
        const question = questionId ? definition.questionById.get(questionId) : undefined;
        return unchanged(info(question ? whyText(definition, texts, question.id) : texts.t('helpText')));
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
        if (value === UNIT_STATE && state.machine.context.returnAfterAnswer === null) return unchanged(info(texts.t('atStart')));
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
