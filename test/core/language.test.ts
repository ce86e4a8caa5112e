/**
 * Languages in the core: a conversation starts in the locale asked for (a
 * regional tag gets its language), switches mid-way keeping every answer
 * (the current step shown again, in the new language), numbers its
 * questions with the flow's own `questionProgress`, and shows the OECD's
 * text in French only as our labelled, unofficial translation, with the
 * original beside it.
 */
import { describe, expect, it } from 'vitest';
import { choiceIds } from '../../src/core/conversation/render.js';
import { advance, newConversation } from '../../src/core/conversation/turn.js';
import { advancedProfile, contextOf, Driver, earlyProfile, expectFail, messageOf, NOW, realDefinition, textsOf } from './helpers.js';
import { explain, promptOf } from '../../src/core/scoring/explain.js';
import { textsFor } from '../../src/core/definition.js';

describe('the conversation language', () => {
  it('starts in the locale asked for, a regional tag served its language, anything else the default', async () => {
    const definition = await realDefinition();
    expect(newConversation(definition, 'fr').state.locale).toBe('fr');
    expect(newConversation(definition, 'fr-CA').state.locale).toBe('fr');
    expect(newConversation(definition, 'de').state.locale).toBe('en');
    expect(newConversation(definition, undefined).state.locale).toBe('en');
  });

  it('switches mid-way: every answer and note kept, the same question asked again in the new language', async () => {
    const definition = await realDefinition();
    const d = new Driver(definition);
    d.choice(choiceIds.start, choiceIds.unit('national'));
    d.text('yes, for our portal', 'partly');
    const before = structuredClone(d.state.machine);
    const switched = d.choice(choiceIds.language('fr'));
    expect(d.state.locale).toBe('fr');
    expect(d.state.machine).toEqual(before);
    expect(switched.stale).toBeUndefined();
    expect(textsOf(switched.messages)[0]).toBe(textsFor(definition, 'fr').t('languageChanged'));
    const question = messageOf(switched.messages, 'question');
    const third = definition.questions[2];
    expect(question.questionId).toBe(third?.id);
    expect(question.text).toBe(promptOf(definition, textsFor(definition, 'fr'), third?.id ?? '', 'national'));
    expect(question.choices.map((c) => c.label)).toContain('Je ne sais pas');
    expect(question.progressLabel).toBe('Question 3 sur 14');
    // The notes typed in English stay exactly as typed.
    expect(d.answers[definition.questions[0]?.id ?? '']?.note).toBe('for our portal');
    // And back, with a regional tag.
    d.choice(choiceIds.language('en-GB'));
    expect(d.state.locale).toBe('en');
    expect(messageOf(d.last.messages, 'question').progressLabel).toBe('Question 3 of 14');
  });

  it('is accepted at every step, even the result and the restart confirmation, and refuses a locale the flow does not offer', async () => {
    const definition = await realDefinition();
    const d = new Driver(definition);
    d.choice(choiceIds.command('restart'));
    expect(d.value).toBe('confirmRestart');
    d.choice(choiceIds.language('fr'));
    expect(d.value).toBe('confirmRestart');
    expect(textsOf(d.last.messages)).toContain(textsFor(definition, 'fr').t('restartConfirm'));
    const finished = new Driver(definition, { ...d.state, machine: { value: 'result', context: contextOf(earlyProfile(definition)) }, status: 'finished', finishedAt: NOW.toISOString() });
    const result = messageOf(finished.choice(choiceIds.language('en')).messages, 'result');
    expect(result.result.texts.heading).toBe('Your result');
    expectFail(advance(definition, d.state, { kind: 'choice', choice: 'cmd:language:de' }, NOW), 'BAD_INPUT');
    expectFail(advance(definition, d.state, { kind: 'choice', choice: 'cmd:language:' }, NOW), 'BAD_INPUT');
  });
});

describe("the OECD's text in another language", () => {
  it('is our translation, labelled unofficial, with the original kept: suggestions, milestones and what a question evidences', async () => {
    const definition = await realDefinition();
    const fr = explain(definition, textsFor(definition, 'fr'), contextOf(earlyProfile(definition)));
    const translations = definition.rubric.govstage.translations.fr;
    expect(fr.suggestions.length).toBeGreaterThan(0);
    for (const s of fr.suggestions) {
      expect(s.text).toBe(definition.policies.get(s.policyId)?.text);
      expect(s.textBy).toBe('oecd');
      expect(s.translation).toEqual({ text: translations?.policies[s.policyId], by: 'govstage', locale: 'fr', label: 'traduction non officielle' });
    }
    const milestone = fr.themes.find((t) => t.milestone)?.milestone;
    for (const item of milestone?.items ?? []) {
      expect(item.text).toBe(definition.characteristics.get(item.characteristicId)?.text);
      expect(item.translation?.text).toBe(translations?.characteristics[item.characteristicId]);
    }
    expect(milestone?.characteristics).toEqual(milestone?.items.map((i) => i.text));
    // In English, the OECD's own words alone.
    const en = explain(definition, textsFor(definition, 'en'), contextOf(advancedProfile(definition)));
    expect(en.suggestions.every((s) => s.translation === null)).toBe(true);
  });

  it('"pourquoi" quotes our translation and then the OECD original', async () => {
    const definition = await realDefinition();
    const d = new Driver(definition, newConversation(definition, 'fr').state);
    d.choice(choiceIds.start, choiceIds.unit('national'));
    const why = textsOf(d.text('pourquoi').messages).join('\n');
    const first = definition.questions[0];
    const characteristic = definition.characteristics.get(first?.characteristic ?? '');
    expect(why).toContain('traduction non officielle');
    expect(why).toContain(definition.rubric.govstage.translations.fr?.characteristics[characteristic?.id ?? ''] ?? '?');
    expect(why).toContain(characteristic?.text ?? '?');
    // The question itself carries both, for channels that show what it evidences.
    const shown = advance(definition, d.state, { kind: 'start' }, NOW);
    const evidence = shown.ok ? messageOf(shown.value.messages, 'question').evidences[0] : undefined;
    expect(evidence?.oecdText).toBe(characteristic?.text);
    expect(evidence?.translation?.label).toBe('traduction non officielle');
  });
});
