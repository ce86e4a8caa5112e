import { z } from 'zod';
import { LocalizedText } from '../rubric/schema.js';
import { vocabularyProblems } from '../replies/vocabulary.js';

/** Every interface text the engine uses. Each locale of a flow must define all of them. */
export const TEXT_KEYS = [
  'title', 'intro', 'start', 'questionProgress', 'hint', 'unsure', 'why', 'back', 'review', 'progress', 'pause',
  'restart', 'help', 'helpText', 'whyPrefix', 'answerRecorded', 'noteSaved', 'noteEmpty', 'noteNowhere',
  'unrecognised', 'unrecognisedOutsideQuestion', 'progressText', 'pausedText', 'atStart', 'restartConfirm',
  'restartYes', 'restartNo', 'restartCancelled', 'restarted', 'reviewIntro', 'reviewIncomplete', 'notAnswered',
  'change', 'seeResult', 'continue', 'contradictionsIntro', 'contradictionLimitationAndAchievement',
  'contradictionSkippedStage', 'stillOpen', 'resultHeading', 'resultIntro', 'resultUndecided', 'stage.early',
  'stage.intermediate', 'stage.advanced', 'stage.undecided', 'themeExplanation.early',
  'themeExplanation.intermediate', 'themeExplanation.advanced', 'themeExplanation.undecided',
  'themeExplanation.advancedUndecided', 'overallExplanation', 'caveatUnsure', 'caveatContradictions',
  'suggestionsHeading', 'milestoneHeading', 'becauseLabel', 'sourceLabel', 'reasonGap', 'reasonNextStage',
  'reasonSustain', 'newAssessment', 'staleChoice', 'resumed',
] as const;
export type TextKey = (typeof TEXT_KEYS)[number];

const Id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a kebab-case id (a-z, 0-9, dashes)');
const Locale = z.string().regex(/^[a-z]{2}(?:-[A-Z]{2})?$/, 'must be a locale like en or fr-CA');

export const Holds = z.enum(['yes', 'partly', 'no']);
export type Holds = z.infer<typeof Holds>;

export const AnswerOption = z.strictObject({
  id: Id,
  /** The evidence this option gives: whether the question's characteristic holds. */
  holds: Holds,
  label: LocalizedText,
  /** Extra words people may type for this option, per locale. */
  synonyms: z.record(Locale, z.array(z.string().min(1))).optional(),
});
export type AnswerOption = z.infer<typeof AnswerOption>;

export const Question = z.strictObject({
  id: Id,
  characteristic: Id,
  prompt: LocalizedText,
  help: LocalizedText,
  options: z.array(AnswerOption).min(2).max(9),
});
export type Question = z.infer<typeof Question>;

/**
 * The reply vocabulary: what people may type, per locale. All the language
 * knowledge of the reply parser (src/core/replies/) lives in these lists; the
 * code only tokenises, matches and decides. What each list means is written
 * next to it in the flow file.
 */
export const REPLY_WORDS = [
  // answers to the question as worded
  'yes', 'partly', 'no', 'unsure', 'yesOrPartly', 'partlyOrNo',
  // the question's qualifier and the words that assert it
  'regularly', 'systematically',
  // what qualifies, turns or denies an answer, and where its note begins
  'negations', 'notNow', 'partlyMarkers', 'weakPartlyMarkers', 'contrasts', 'noteConnectors', 'clauseStarters', 'noteSeparators', 'alternatives',
  'fillers', 'standalone',
  // numbers: "option 2", "the second one", "change question 3"
  'numberWords', 'ordinalWords', 'optionWords', 'questionWords',
  // commands
  'why', 'back', 'help', 'progress', 'pause', 'restart', 'review', 'start', 'continue', 'seeResult', 'newAssessment', 'note', 'change',
] as const;
export type ReplyWord = (typeof REPLY_WORDS)[number];
export const ReplyTable = z
  .strictObject(
    Object.fromEntries(REPLY_WORDS.map((key) => [key, z.array(z.string().trim().min(1)).min(1)])) as Record<ReplyWord, z.ZodArray<z.ZodString>>,
  )
  .superRefine((table, ctx) => {
    for (const problem of vocabularyProblems(table)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  });

const TextTable = z.strictObject(
  Object.fromEntries(TEXT_KEYS.map((key) => [key, z.string().min(1)])) as Record<TextKey, z.ZodString>,
);

export const FlowFile = z
  .strictObject({
    id: Id,
    version: z.number().int().positive(),
    rubric: z.strictObject({ id: Id, version: z.number().int().positive() }),
    locales: z.array(Locale).min(1),
    defaultLocale: Locale,
    estimatedMinutes: z.number().int().positive(),
    questions: z.array(Question).min(1),
    replies: z.record(Locale, ReplyTable),
    text: z.record(Locale, TextTable),
  })
  .superRefine((flow, ctx) => {
    if (!flow.locales.includes(flow.defaultLocale)) {
      ctx.addIssue({ code: 'custom', path: ['defaultLocale'], message: `"${flow.defaultLocale}" is not in locales` });
    }
    const needLocale = (text: Record<string, unknown> | undefined, path: PropertyKey[]) => {
      for (const locale of flow.locales) {
        if (!text || !(locale in text)) ctx.addIssue({ code: 'custom', path, message: `missing the "${locale}" text` });
      }
    };
    needLocale(flow.text, ['text']);
    needLocale(flow.replies, ['replies']);
    const questionIds = new Set<string>();
    flow.questions.forEach((q, qi) => {
      if (questionIds.has(q.id)) ctx.addIssue({ code: 'custom', path: ['questions', qi, 'id'], message: `duplicate question id "${q.id}"` });
      questionIds.add(q.id);
      needLocale(q.prompt, ['questions', qi, 'prompt']);
      needLocale(q.help, ['questions', qi, 'help']);
      const optionIds = new Set<string>();
      q.options.forEach((o, oi) => {
        if (o.id === 'unsure') ctx.addIssue({ code: 'custom', path: ['questions', qi, 'options', oi, 'id'], message: '"unsure" is reserved: the engine adds "Not sure" to every question' });
        if (optionIds.has(o.id)) ctx.addIssue({ code: 'custom', path: ['questions', qi, 'options', oi, 'id'], message: `duplicate option id "${o.id}"` });
        optionIds.add(o.id);
        needLocale(o.label, ['questions', qi, 'options', oi, 'label']);
      });
    });
  });
export type FlowFile = z.infer<typeof FlowFile>;
