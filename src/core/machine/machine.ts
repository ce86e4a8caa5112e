/**
 * The assessment state machine, generated from the flow's question list: one
 * state per question, plus intro, review, result and the restart
 * confirmation. It holds no side effects; the pure turn function
 * (conversation/turn.ts) drives it with xstate's `transition`.
 *
 * State ids: "intro", "q-<questionId>", "review", "result", "confirmRestart".
 */
import { assign, setup, type SnapshotFrom } from 'xstate';
import type { AnswerValue, MachineContext } from '../conversation/state.js';

export type AssessmentEvent =
  | { type: 'START' }
  | { type: 'ANSWER'; questionId: string; option: string; note?: string }
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

export const emptyContext = (): MachineContext => ({ answers: {}, pendingNotes: {}, returnAfterAnswer: null, returnAfterCancel: null });

export function buildMachine(questionIds: readonly string[]) {
  const questionStates = questionIds.map(questionState);
  const allStates = ['intro', ...questionStates, 'review', 'result'];
  const firstQuestion = questionStates[0];
  if (!firstQuestion) throw new Error('a flow needs at least one question');

  const firstUnanswered = (context: MachineContext) => questionIds.find((id) => !(id in context.answers));

  /** One guarded transition per possible target: xstate targets are static, the choice is data. */
  const toFirstUnanswered = questionIds.map((id) => ({
    guard: ({ context }: { context: MachineContext }) => firstUnanswered(context) === id,
    target: questionState(id),
  }));
  const toEdited = (returnAfterAnswer: (current: string) => string | null, current: string) =>
    questionIds.map((id) => ({
      guard: ({ event }: { event: AssessmentEvent }) => event.type === 'EDIT' && event.questionId === id,
      target: questionState(id),
      // Editing the question you are on is no detour: keep where it already returns to (or none), so answering moves on.
      actions: assign({ returnAfterAnswer: ({ context }: { context: MachineContext }) => (questionState(id) === current ? context.returnAfterAnswer : returnAfterAnswer(current)) }),
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

  const states: Record<string, object> = {
    intro: { on: { START: firstQuestion, ...restartFrom('intro') } },
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
          ...(previous ? [{ target: previous }] : []),
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
      SEE_RESULT: [{ guard: ({ context }: { context: MachineContext }) => firstUnanswered(context) === undefined, target: 'result' }, ...toFirstUnanswered],
      CONTINUE: toFirstUnanswered,
      BACK: questionStates[questionStates.length - 1],
      ...restartFrom('review'),
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
        target: firstQuestion,
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
