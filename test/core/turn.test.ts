/**
 * The pure turn function, driven the way channels drive it: typed text and
 * choice ids, one turn at a time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { textsFor, type AssessmentDefinition, type Texts } from '../../src/core/definition.js';
import { advance, newConversation } from '../../src/core/conversation/turn.js';
import { choiceIds } from '../../src/core/conversation/render.js';
import type { QuestionMessage, TextMessage } from '../../src/core/messages.js';
import { Driver, expectFail, messageOf, NOW, realDefinition, textsOf } from './helpers.js';

let definition: AssessmentDefinition;
let texts: Texts;
let ids: string[];
beforeAll(async () => {
  definition = await realDefinition();
  texts = textsFor(definition, 'en');
  ids = definition.questions.map((q) => q.id);
});

const question = (d: Driver): QuestionMessage => messageOf(d.last.messages, 'question');
const notes = (d: Driver): TextMessage[] => d.last.messages.filter((m): m is TextMessage => m.kind === 'text');
/** A driver at question `n` (1-based; 15 is the review), the unit given and the questions before it answered `reply`. */
function atQuestion(n: number, reply = 'yes'): Driver {
  const d = new Driver(definition);
  d.choice('start', 'unit:national');
  for (let i = 1; i < n; i++) d.text(reply);
  expect(d.value).toBe(n > ids.length ? 'review' : `q-${ids[n - 1]}`);
  return d;
}

describe('starting', () => {
  it('a new conversation shows the introduction with a start button', () => {
    const { state, messages } = newConversation(definition, 'en');
    expect(state.machine.value).toBe('intro');
    expect(state.status).toBe('active');
    const intro = messageOf(messages, 'text');
    expect(intro.text).toContain(`${definition.questions.length} short questions`);
    expect(intro.choices?.map((c) => c.id)).toEqual([choiceIds.start]);
  });

  it('an unknown locale falls back to the flow default', () => {
    expect(newConversation(definition, 'xx').state.locale).toBe('en');
  });

  it('the start button asks what is being assessed; the answer words every question', () => {
    const d = new Driver(definition);
    d.choice('start');
    expect(d.value).toBe('unit');
    expect(question(d).questionId).toBe('unit');
    expect(question(d).choices.map((c) => c.id)).toEqual(['unit:national', 'unit:ministry', 'unit:subnational', 'unit:other']);
    d.text('2');
    expect(d.state.machine.context.unit).toBe('ministry');
    expect(question(d).text).toContain('your ministry or agency');
  });

  it('after the unit comes the first question', () => {
    const d = new Driver(definition);
    d.choice('start', 'unit:national');
    const q = question(d);
    expect(q.questionId).toBe(ids[0]);
    expect(q.progress).toEqual({ index: 1, total: 14, answered: 0 });
    expect(q.choices.map((c) => c.id)).toEqual([...['yes', 'partly', 'no', 'unsure'].map((o) => choiceIds.answer(ids[0] as string, o))]);
  });

  it('typing "ok" at the introduction starts too', () => {
    const d = new Driver(definition);
    d.text('ok');
    expect(d.value).toBe('unit');
  });

  it('a start input on an ongoing conversation welcomes back and shows where it stands', () => {
    const d = atQuestion(3);
    const outcome = d.send({ kind: 'start' });
    expect(textsOf(outcome.messages)[0]).toBe(texts.t('resumed'));
    expect(question(d).questionId).toBe(ids[2]);
  });
});

describe('answering', () => {
  it('records the answer, says "Noted" and moves to the next question', () => {
    const d = atQuestion(1);
    d.text('partly');
    expect(d.answers[ids[0] as string]).toEqual({ option: 'partly' });
    expect(notes(d)[0]).toMatchObject({ tone: 'success', text: 'Noted: Partly: some tools are built around people.' });
    expect(question(d).questionId).toBe(ids[1]);
    expect(d.state.answerLog).toEqual([{ at: NOW.toISOString(), questionId: ids[0], option: 'partly' }]);
  });

  it('works the same with the choice id of an option', () => {
    const d = atQuestion(1);
    d.choice(choiceIds.answer(ids[0] as string, 'no'));
    expect(d.answers[ids[0] as string]).toEqual({ option: 'no' });
    expect(question(d).questionId).toBe(ids[1]);
  });

  it('"not sure" is an answer that moves on', () => {
    const d = atQuestion(1);
    d.choice(choiceIds.answer(ids[0] as string, 'unsure'));
    expect(d.answers[ids[0] as string]).toEqual({ option: 'unsure' });
    expect(notes(d)[0]?.text).toBe(`Noted: ${texts.t('unsure')}.`);
  });

  it('an answer with a note keeps the note with the answer', () => {
    const d = atQuestion(1);
    d.text('partly, only in two ministries');
    expect(d.answers[ids[0] as string]).toEqual({ option: 'partly', note: 'only in two ministries' });
    expect(textsOf(d.last.messages)).toContain(texts.t('answerRecordedWithNote', { answer: 'Partly: some tools are built around people', note: 'only in two ministries' }));
  });

  it('a note typed before the answer is attached once the question is answered', () => {
    const d = atQuestion(1);
    d.text('note our strategy: https://example.org/strategy.pdf');
    expect(d.value).toBe(`q-${ids[0]}`);
    expect(textsOf(d.last.messages)).toEqual([texts.t('noteSaved')]);
    d.text('yes');
    expect(d.answers[ids[0] as string]).toEqual({ option: 'yes', note: 'our strategy: https://example.org/strategy.pdf' });
  });

  it('an empty note explains how to write one, and changes nothing', () => {
    const d = atQuestion(1);
    const before = d.state;
    d.text('note');
    expect(d.state).toEqual(before);
    expect(textsOf(d.last.messages)).toEqual([texts.t('noteEmpty')]);
  });

  it('answering the last question opens the review', () => {
    const d = atQuestion(14);
    d.text('no');
    expect(d.value).toBe('review');
    expect(messageOf(d.last.messages, 'review').items).toHaveLength(15);
  });
});

describe('navigation', () => {
  it('"why" shows the help of the current question and stays there', () => {
    const d = atQuestion(2);
    const before = d.state;
    d.text('why');
    const why = textsOf(d.last.messages).join('\n');
    expect(why).toContain(texts.t('whyPrefix', { text: definition.questionById.get(ids[1] as string)?.help.en ?? '' }));
    // The OECD characteristic the question evidences, word for word.
    expect(why).toContain(definition.characteristics.get('intermediate-ict-engagement-channel')?.text);
    expect(d.state).toEqual(before);
  });

  it('"back" from the first question returns to what is being assessed; from there, nothing is before it', () => {
    const d = atQuestion(1);
    d.text('back');
    expect(d.value).toBe('unit');
    const before = d.state;
    d.text('back');
    expect(textsOf(d.last.messages)).toEqual([texts.t('atStart')]);
    expect(d.state).toEqual(before);
  });

  it('"back" goes to the previous question and shows its current answer', () => {
    const d = atQuestion(3);
    d.text('back');
    const q = question(d);
    expect(q.questionId).toBe(ids[1]);
    expect(q.currentAnswer).toMatchObject({ choiceId: choiceIds.answer(ids[1] as string, 'yes'), label: 'Yes, regularly' });
  });

  it('every question offers a back button (the first goes back to what is being assessed)', () => {
    expect(question(atQuestion(1)).commands.map((c) => c.id)).toContain(choiceIds.command('back'));
    expect(question(atQuestion(2)).commands.map((c) => c.id)).toContain(choiceIds.command('back'));
  });

  it('"change 2" from question 5 returns to question 5 once question 2 is answered', () => {
    const d = atQuestion(5);
    d.text('change 2');
    expect(question(d).questionId).toBe(ids[1]);
    expect(question(d).currentAnswer?.label).toBe('Yes, regularly');
    d.text('no');
    expect(d.answers[ids[1] as string]).toEqual({ option: 'no' });
    expect(question(d).questionId).toBe(ids[4]);
    expect(d.state.machine.context.returnAfterAnswer).toBeNull();
    // …and from there it carries on normally.
    d.text('yes');
    expect(question(d).questionId).toBe(ids[5]);
  });

  it('"change 5" at question 5 answers it and moves on, not back to itself', () => {
    const d = atQuestion(5);
    d.text('change 5');
    expect(question(d).questionId).toBe(ids[4]);
    d.text('no');
    expect(question(d).questionId).toBe(ids[5]);
  });

  it('"back" while changing an earlier answer returns to where the person was', () => {
    const d = atQuestion(5);
    d.text('change 1');
    d.text('back');
    expect(question(d).questionId).toBe(ids[4]);
  });

  it('"change 15" names no question: a re-prompt, nothing changed', () => {
    const d = atQuestion(2);
    const before = d.state;
    d.text('change 15');
    expect(d.state).toEqual(before);
    expect(notes(d)[0]?.tone).toBe('warning');
  });

  it('"progress" reports answered, total and not-sure counts', () => {
    const d = atQuestion(1);
    d.text('yes', 'not sure', 'no');
    d.text('progress');
    const progress = messageOf(d.last.messages, 'progress');
    expect(progress.text).toBe(texts.t('progressText', { answered: 3, total: 14, unsure: 1 }));
    expect(progress.progress).toEqual({ index: 4, total: 14, answered: 3 });
  });
});

describe('review and result', () => {
  it('the review before the result shows every answer and the contradictions', () => {
    const d = atQuestion(1);
    // decision-style (3) "yes" is an early limitation; outside-ideas and outside-preferences (5, 6) "yes": an advanced achievement of the same theme.
    d.text('no', 'partly', 'yes', 'partly', 'yes', 'yes', 'yes', 'no', 'no', 'no', 'yes', 'no', 'no', 'no');
    expect(d.value).toBe('review');
    const review = messageOf(d.last.messages, 'review');
    expect(review.items.map((i) => i.questionId)).toEqual(['unit', ...ids]);
    expect(review.items.every((i) => i.answered)).toBe(true);
    expect(review.items[3]).toMatchObject({ answer: 'Yes, predominantly top-down', editChoiceId: choiceIds.edit('decision-style') });
    expect(review.contradictions.map((c) => c.id)).toEqual(['early-top-down~advanced-outside-ideas']);
    expect(review.contradictions[0]?.questionIds).toEqual(['decision-style', 'outside-ideas', 'outside-preferences']);
    expect(review.text).toContain(texts.t('contradictionsIntro', { count: 1 }));
    expect(review.choices.map((c) => c.id)).toContain(choiceIds.command('seeResult'));
  });

  it('"see my result" with open questions goes to the review, then says how many are left', () => {
    const d = atQuestion(4);
    d.text('see my result');
    expect(d.value).toBe('review');
    const review = messageOf(d.last.messages, 'review');
    expect(review.text).toContain(texts.t('reviewIncomplete', { count: 11 }));
    expect(review.items.filter((i) => !i.answered)).toHaveLength(11);
    expect(review.choices.map((c) => c.id)).toContain(choiceIds.command('continue'));
    d.text('see my result');
    expect(textsOf(d.last.messages)[0]).toBe(texts.t('stillOpen', { count: 11 }));
    expect(question(d).questionId).toBe(ids[3]);
    expect(d.state.status).toBe('active');
  });

  it('editing from the review returns to the review', () => {
    const d = atQuestion(15);
    d.choice(choiceIds.edit(ids[6] as string));
    expect(question(d).questionId).toBe(ids[6]);
    d.choice(choiceIds.answer(ids[6] as string, 'partly'));
    expect(d.value).toBe('review');
    expect(d.answers[ids[6] as string]).toEqual({ option: 'partly' });
  });

  it('the result carries the stage per theme, the suggestions and the overall stage, and finishes the conversation', () => {
    const d = atQuestion(1);
    // Early profile: the limitations (questions 1, 3, 7 asked the positive way round, 10) hold, nothing else.
    d.text('yes', 'no', 'yes', 'no', 'no', 'no', 'no', 'no', 'no', 'yes', 'no', 'no', 'no', 'no');
    d.choice(choiceIds.command('seeResult'));
    expect(d.value).toBe('result');
    expect(d.state.status).toBe('finished');
    expect(d.state.finishedAt).toBe(NOW.toISOString());
    const { result } = messageOf(d.last.messages, 'result');
    expect(result.overall.stage).toBe('early');
    expect(result.themes.map((t) => [t.themeId, t.stage])).toEqual([['engagement', 'early'], ['framework', 'early'], ['open-data', 'early']]);
    expect(result.suggestions.length).toBeGreaterThan(0);
    for (const s of result.suggestions) expect(s.text).toBe(definition.policies.get(s.policyId)?.text);
    expect(messageOf(d.last.messages, 'result').choices.map((c) => c.id)).toEqual([choiceIds.command('review'), choiceIds.command('newAssessment')]);
  });

  it('typed answers after the result are not taken as answers', () => {
    const d = atQuestion(15, 'no');
    d.text('see my result');
    const before = d.state;
    d.text('yes');
    expect(d.state).toEqual(before);
    expect(notes(d)[0]?.tone).toBe('warning');
  });
});

describe('restarting', () => {
  it('asks to confirm; "no" keeps the answers and returns to the same question', () => {
    const d = atQuestion(4);
    const answers = d.answers;
    d.text('restart');
    expect(d.value).toBe('confirmRestart');
    expect(notes(d)[0]?.choices?.map((c) => c.id)).toEqual([choiceIds.confirm, choiceIds.cancel]);
    d.text('no');
    expect(textsOf(d.last.messages)[0]).toBe(texts.t('restartCancelled'));
    expect(d.answers).toEqual(answers);
    expect(question(d).questionId).toBe(ids[3]);
  });

  it('"yes" clears the answers, logs a cleared entry and starts from the first question', () => {
    const d = atQuestion(4);
    d.text('restart', 'yes');
    expect(textsOf(d.last.messages)[0]).toBe(texts.t('restarted'));
    expect(d.answers).toEqual({});
    expect(d.state.answerLog.at(-1)).toEqual({ at: NOW.toISOString(), questionId: '*', cleared: true });
    expect(d.state.answerLog).toHaveLength(4);
    expect(d.value).toBe('unit');
    expect(d.state.machine.context.unit).toBeNull();
  });

  it('a restart after the result reopens the conversation', () => {
    const d = atQuestion(15, 'no');
    d.text('see my result', 'restart');
    d.choice(choiceIds.confirm);
    expect(d.state.status).toBe('active');
    expect(d.state.finishedAt).toBeNull();
  });

  it('while confirming, other text re-asks the question without changing anything', () => {
    const d = atQuestion(2);
    d.text('restart');
    const before = d.state;
    d.text('purple');
    expect(d.state).toEqual(before);
    expect(notes(d)[0]?.text).toBe(texts.t('restartConfirm'));
  });
});

describe('choice ids', () => {
  it('a stale choice (an earlier question’s button) changes nothing and says so', () => {
    const d = atQuestion(3);
    const before = d.state;
    const outcome = d.choice(choiceIds.answer(ids[0] as string, 'no'));
    expect(outcome.stale).toBe(true);
    expect(outcome.state).toEqual(before);
    expect(notes(d)[0]).toMatchObject({ tone: 'warning', text: texts.t('staleChoice') });
    expect(question(d).questionId).toBe(ids[2]);
  });

  it('a stale start or confirmation button changes nothing', () => {
    const d = atQuestion(2);
    const before = d.state;
    expect(d.choice(choiceIds.start).stale).toBe(true);
    expect(d.choice(choiceIds.confirm).stale).toBe(true);
    expect(d.state).toEqual(before);
  });

  it.each(['bogus', 'answer:', 'cmd:dance', 'edit:no-such-question', 'answer:ict-purpose:maybe', 'answer:ict-purpose:unsure-ish'])(
    'an unknown choice id (%s) is a BAD_INPUT error value',
    (choice) => {
      const d = atQuestion(1);
      const result = advance(definition, d.state, { kind: 'choice', choice }, NOW);
      expectFail(result, 'BAD_INPUT');
    },
  );
});

describe('unrecognised text', () => {
  it('gets a re-prompt that quotes it and carries the hint, and the question still takes an answer', () => {
    const d = atQuestion(2);
    const before = d.state;
    d.text('the weather is lovely');
    expect(d.state).toEqual(before);
    const [warning] = notes(d);
    expect(warning?.tone).toBe('warning');
    expect(warning?.text).toBe(texts.t('unrecognised', { text: 'the weather is lovely', hint: texts.t('hint', { count: 4 }) }));
    d.text('2');
    expect(d.answers[ids[1] as string]).toEqual({ option: 'partly' });
  });

  it('quotes at most 60 characters of a long reply', () => {
    const d = atQuestion(2);
    d.text(`${'x'.repeat(100)}`);
    expect(notes(d)[0]?.text).toContain(`"${'x'.repeat(60)}…"`);
  });

  it('outside a question points to the buttons and to "help"', () => {
    const d = new Driver(definition);
    d.text('what is this');
    expect(d.value).toBe('intro');
    expect(notes(d)[0]?.text).toBe(texts.t('unrecognisedOutsideQuestion', { text: 'what is this' }));
  });

  it('never leaves the person without a way on: every step answers every reply with at least one message', () => {
    const replies = ['', 'hmm', 'yes', '1', 'back', 'review', 'continue', 'change 2', 'note x', 'restart', 'no', 'see my result'];
    const d = new Driver(definition);
    for (let round = 0; round < 3; round++) {
      for (const reply of replies) {
        const outcome = d.text(reply);
        expect(outcome.messages.length, `no reply to "${reply}" at ${d.value}`).toBeGreaterThan(0);
      }
    }
  });
});

describe('signals', () => {
  it('"pause" returns the pause signal and a paused message, state unchanged', () => {
    const d = atQuestion(3);
    const before = d.state;
    const outcome = d.text('pause');
    expect(outcome.signal).toBe('pause');
    expect(outcome.state).toEqual(before);
    expect(outcome.messages).toEqual([{ kind: 'paused', text: texts.t('pausedText') }]);
  });

  it('the pause button does the same', () => {
    const d = atQuestion(3);
    expect(d.choice(choiceIds.command('pause')).signal).toBe('pause');
  });

  it('"new assessment" after the result asks the pipeline for a new conversation', () => {
    const d = atQuestion(15, 'no');
    d.text('see my result');
    expect(d.choice(choiceIds.command('newAssessment')).signal).toBe('newAssessment');
  });
});

describe('purity', () => {
  it('never mutates the state it is given', () => {
    const d = atQuestion(3);
    const frozen = structuredClone(d.state);
    advance(definition, d.state, { kind: 'text', text: 'yes' }, NOW);
    advance(definition, d.state, { kind: 'text', text: 'note x' }, NOW);
    advance(definition, d.state, { kind: 'text', text: 'restart' }, NOW);
    expect(d.state).toEqual(frozen);
  });

  it('gives the same outcome for the same state, input and time', () => {
    const d = atQuestion(3);
    const a = advance(definition, d.state, { kind: 'text', text: 'partly, see https://x.org' }, NOW);
    const b = advance(definition, structuredClone(d.state), { kind: 'text', text: 'partly, see https://x.org' }, NOW);
    expect(a).toEqual(b);
  });
});

describe('a new assessment', () => {
  it('is offered only from the result: typed "new" at a question keeps the assessment in progress', () => {
    const d = atQuestion(3);
    d.text('new assessment');
    expect(d.last.signal).toBeUndefined();
    expect(d.value).toBe(`q-${ids[2]}`);
  });

  it('from the result, signals the pipeline to open a new conversation', () => {
    const d = atQuestion(15, 'no');
    d.text('see my result');
    expect(d.value).toBe('result');
    d.text('new assessment');
    expect(d.last.signal).toBe('newAssessment');
  });
});
