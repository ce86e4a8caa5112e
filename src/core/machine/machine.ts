/**
 * The assessment state machine, generated from the flow's question list: one
 * state per question, plus intro, review, result and the restart
 * confirmation. It holds no side effects; the pure turn function
 * (conversation/turn.ts) drives it with xstate's `transition`.
 *
 * State ids: "intro", "unit" (what is being assessed), "q-<questionId>",
 * "review", "settle" (a contradiction put to the person before the result),
 * "settleNote" (the note saying why both answers stand), "result",
 * "confirmRestart".
 */
import { assign, setup, type SnapshotFrom } from 'xstate';
import type { AnswerValue, MachineContext } from '../conversation/state.js';

export type AssessmentEvent =
  | { type: 'START' }
  | { type: 'UNIT'; option: string }
  | { type: 'ANSWER'; questionId: string; option: string; note?: string }
  | { type: 'KEEP_BOTH'; contradictionId: string }
  | { type: 'DEFER'; contradictionId: string }
  | { type: 'SETTLE_NOTE'; note: string }
  | { type: 'NOTE'; text: string }
  | { type: 'BACK' }
  | { type: 'EDIT'; questionId: string }
  | { type: 'REVIEW' }
  | { type: 'CONTINUE' }
  | { type: 'SEE_RESULT' }
  | { type: 'RESTART' }
  | { type: 'CONFIRM' }
  | { type: 'CANCEL' };

export const questionState = (questionId: string) => `q-${questionId}`;
export const questionIdOfState = (state: string): string | null => (state.startsWith('q-') ? state.slice(2) : null);

export const UNIT_STATE = 'unit';
/** The id the unit question takes in EDIT events and edit choices. */
export const UNIT_QUESTION_ID = 'unit';

export const emptyContext = (): MachineContext => ({
  answers: {}, pendingNotes: {}, returnAfterAnswer: null, returnAfterCancel: null, unit: null, settled: {}, deferred: [], settling: null, fillGaps: false,
});

export interface MachineData {
  questionIds: readonly string[];
  /** The first contradiction in these answers that is neither settled nor deferred (pure: computed by the scoring rule). */
  openContradiction: (context: MachineContext) => string | null;
}

export function buildMachine({ questionIds, openContradiction }: MachineData) {
  const questionStates = questionIds.map(questionState);
  const allStates = ['intro', UNIT_STATE, ...questionStates, 'review', 'settle', 'settleNote', 'result'];
  if (questionStates.length === 0) throw new Error('a flow needs at least one question');

  const firstUnanswered = (context: MachineContext) => questionIds.find((id) => !(id in context.answers));

  /** One guarded transition per possible target: xstate targets are static, the choice is data. */
  const toFirstUnanswered = questionIds.map((id) => ({
    guard: ({ context }: { context: MachineContext }) => firstUnanswered(context) === id,
    target: questionState(id),
  }));
  /** Where the assessment goes on once the unit is known: the first open question, or the review. */
  const onwards = [...toFirstUnanswered, { target: 'review' }];
  /** From the review to the result: the unit first, then every contradiction put to the person, then the result. */
  const towardsResult = (extra: (context: MachineContext, event: AssessmentEvent) => MachineContext = (c) => c) => [
    { guard: ({ context, event }: { context: MachineContext; event: AssessmentEvent }) => extra(context, event).unit === null, target: UNIT_STATE },
    {
      guard: ({ context, event }: { context: MachineContext; event: AssessmentEvent }) => firstUnanswered(context) === undefined && openContradiction(extra(context, event)) !== null,
      target: 'settle',
    },
    { guard: ({ context }: { context: MachineContext }) => firstUnanswered(context) === undefined, target: 'result' },
    ...toFirstUnanswered,
  ];
  const toEdited = (returnAfterAnswer: (current: string) => string | null, current: string) =>
    [UNIT_QUESTION_ID, ...questionIds].map((id) => ({
      guard: ({ event }: { event: AssessmentEvent }) => event.type === 'EDIT' && event.questionId === id,
      target: id === UNIT_QUESTION_ID ? UNIT_STATE : questionState(id),
      // Editing the question you are on is no detour: keep where it already returns to (or none), so answering moves on.
      actions: assign({ returnAfterAnswer: ({ context }: { context: MachineContext }) => (stateOfEdit(id) === current ? context.returnAfterAnswer : returnAfterAnswer(current)) }),
    }));
  const backTo = (field: 'returnAfterAnswer' | 'returnAfterCancel') =>
    allStates.map((state) => ({
      guard: ({ context }: { context: MachineContext }) => context[field] === state,
      target: state,
      actions: assign({ [field]: null } as Partial<MachineContext>),
    }));
  const restartFrom = (state: string) => ({
    RESTART: { target: 'confirmRestart', actions: assign({ returnAfterCancel: () => state }) },
  });

  const stateOfEdit = (id: string) => (id === UNIT_QUESTION_ID ? UNIT_STATE : questionState(id));

  const states: Record<string, object> = {
    intro: { on: { START: [{ guard: ({ context }: { context: MachineContext }) => context.unit === null, target: UNIT_STATE }, ...onwards], ...restartFrom('intro') } },
    [UNIT_STATE]: {
      on: {
        UNIT: [
          ...backTo('returnAfterAnswer').map((t) => ({ ...t, actions: [assign({ unit: ({ event }: { event: AssessmentEvent }) => (event.type === 'UNIT' ? event.option : null) }), t.actions] })),
          ...onwards.map((t) => ({ ...t, actions: assign({ unit: ({ event }: { event: AssessmentEvent }) => (event.type === 'UNIT' ? event.option : null) }) })),
        ],
        BACK: backTo('returnAfterAnswer'),
        REVIEW: { guard: ({ context }: { context: MachineContext }) => context.unit !== null, target: 'review', actions: assign({ returnAfterAnswer: null }) },
        ...restartFrom(UNIT_STATE),
      },
    },
  };

  questionIds.forEach((id, index) => {
    const self = questionStates[index] as string;
    const next = questionStates[index + 1] ?? 'review';
    const previous = questionStates[index - 1];
    const recordAnswer = assign(({ context, event }: { context: MachineContext; event: AssessmentEvent }) => {
      if (event.type !== 'ANSWER') return {};
      const note = event.note ?? context.pendingNotes[id] ?? context.answers[id]?.note;
      const answer: AnswerValue = note ? { option: event.option, note } : { option: event.option };
      const { [id]: _taken, ...pendingNotes } = context.pendingNotes;
      return { answers: { ...context.answers, [id]: answer }, pendingNotes };
    });
    states[self] = {
      on: {
        ANSWER: [
          ...backTo('returnAfterAnswer').map((t) => ({
            ...t,
            guard: ({ context, event }: { context: MachineContext; event: AssessmentEvent }) =>
              event.type === 'ANSWER' && event.questionId === id && t.guard({ context }),
            actions: [recordAnswer, t.actions],
          })),
          // Filling the gaps an upgrade left: on to the next open question, or the review once none is left.
          ...[...questionIds.filter((q) => q !== id), null].map((target) => ({
            guard: ({ context, event }: { context: MachineContext; event: AssessmentEvent }) =>
              event.type === 'ANSWER' && event.questionId === id && context.fillGaps && (questionIds.find((q) => q !== id && !(q in context.answers)) ?? null) === target,
            target: target === null ? 'review' : questionState(target),
            actions: target === null ? [recordAnswer, assign({ fillGaps: false })] : recordAnswer,
          })),
          {
            guard: ({ event }: { event: AssessmentEvent }) => event.type === 'ANSWER' && event.questionId === id,
            target: next,
            actions: recordAnswer,
          },
        ],
        NOTE: {
          actions: assign(({ context, event }: { context: MachineContext; event: AssessmentEvent }) => {
            if (event.type !== 'NOTE') return {};
            const answered = context.answers[id];
            return answered
              ? { answers: { ...context.answers, [id]: { ...answered, note: event.text } } }
              : { pendingNotes: { ...context.pendingNotes, [id]: event.text } };
          }),
        },
        BACK: [
          ...backTo('returnAfterAnswer'),
          { target: previous ?? UNIT_STATE },
        ],
        EDIT: toEdited((current) => current, self),
        REVIEW: { target: 'review', actions: assign({ returnAfterAnswer: null }) },
        ...restartFrom(self),
      },
    };
  });

  states.review = {
    on: {
      EDIT: toEdited(() => 'review', 'review'),
      SEE_RESULT: towardsResult(),
      CONTINUE: toFirstUnanswered,
      BACK: questionStates[questionStates.length - 1],
      ...restartFrom('review'),
    },
  };
  const withDeferred = (context: MachineContext, event: AssessmentEvent): MachineContext =>
    event.type === 'DEFER' ? { ...context, deferred: [...context.deferred, event.contradictionId] } : context;
  const withSettled = (context: MachineContext, event: AssessmentEvent): MachineContext =>
    event.type === 'SETTLE_NOTE' && context.settling ? { ...context, settled: { ...context.settled, [context.settling]: { note: event.note } }, settling: null } : context;
  states.settle = {
    on: {
      KEEP_BOTH: {
        guard: ({ context, event }: { context: MachineContext; event: AssessmentEvent }) => event.type === 'KEEP_BOTH' && openContradiction(context) === event.contradictionId,
        target: 'settleNote',
        actions: assign({ settling: ({ event }: { event: AssessmentEvent }) => (event.type === 'KEEP_BOTH' ? event.contradictionId : null) }),
      },
      DEFER: towardsResult(withDeferred).map((t) => ({
        ...t,
        guard: (args: { context: MachineContext; event: AssessmentEvent }) =>
          args.event.type === 'DEFER' && openContradiction(args.context) === args.event.contradictionId && t.guard(args),
        actions: assign(({ context, event }: { context: MachineContext; event: AssessmentEvent }) => withDeferred(context, event)),
      })),
      EDIT: toEdited(() => 'review', 'settle'),
      BACK: 'review',
      REVIEW: 'review',
      ...restartFrom('settle'),
    },
  };
  states.settleNote = {
    on: {
      SETTLE_NOTE: towardsResult(withSettled).map((t) => ({
        ...t,
        guard: (args: { context: MachineContext; event: AssessmentEvent }) => args.event.type === 'SETTLE_NOTE' && args.event.note.trim() !== '' && t.guard(args),
        actions: assign(({ context, event }: { context: MachineContext; event: AssessmentEvent }) => withSettled(context, event)),
      })),
      BACK: { target: 'settle', actions: assign({ settling: null }) },
      CANCEL: { target: 'settle', actions: assign({ settling: null }) },
      ...restartFrom('settleNote'),
    },
  };
  states.result = {
    on: {
      REVIEW: 'review',
      BACK: 'review',
      EDIT: toEdited(() => 'review', 'result'),
      ...restartFrom('result'),
    },
  };
  states.confirmRestart = {
    on: {
      CONFIRM: {
        target: UNIT_STATE,
        actions: assign(() => emptyContext()),
      },
      CANCEL: backTo('returnAfterCancel'),
    },
  };

  return setup({
    types: {
      context: {} as MachineContext,
      events: {} as AssessmentEvent,
      input: {} as MachineContext | undefined,
    },
  }).createMachine({
    id: 'assessment',
    initial: 'intro',
    context: ({ input }) => input ?? emptyContext(),
    // The states object is generated; xstate's config types cannot follow a computed shape.
    states: states as never,
  });
}

export type AssessmentMachine = ReturnType<typeof buildMachine>;
export type AssessmentSnapshot = SnapshotFrom<AssessmentMachine>;
