import { z } from 'zod';
import { LocalizedText } from '../rubric/schema.js';
import { vocabularyProblems } from '../replies/vocabulary.js';
import { MessageSyntaxError, parseMessage, placeholdersOf } from '../i18n/message-format.js';

/** Every interface text the engine uses. Each locale of a flow must define all of them. */
export const TEXT_KEYS = [
  'title', 'intro', 'start', 'questionProgress', 'hint', 'unitHint', 'unitShort', 'unitFallback',
  'unitRecorded', 'themeLabel', 'unsure', 'why', 'back', 'review', 'progress', 'pause',
  'restart', 'help', 'helpText', 'whyPrefix', 'whyOecd', 'whyPart', 'answerRecorded', 'answerRecordedWithNote',
  'noteSaved', 'noteEmpty', 'noteNowhere', 'unrecognised', 'unrecognisedOutsideQuestion', 'clarify', 'clarifyWithNote', 'progressText',
  'pausedText', 'atStart', 'restartConfirm', 'restartYes', 'restartNo', 'restartCancelled', 'restarted', 'reviewIntro',
  'reviewIncomplete', 'notAnswered', 'change', 'seeResult', 'continue', 'contradictionsIntro', 'contradictionLimitation', 'contradictionSkipped',
  'settleIntro', 'settleAsk', 'settleChange', 'settleKeep', 'settleLater', 'settleNotePrompt', 'settleKept', 'upgradedNotice', 'earlierNotShown',
  'stillOpen', 'resultHeading', 'resultIntro', 'resultUndecided', 'overallUndecidedThemes', 'overallWeakest', 'overallAhead', 'overallAtLeast',
  'stage.early', 'stage.intermediate', 'stage.advanced', 'stage.undecided', 'stageAtLeast', 'stageName.early', 'stageName.intermediate', 'stageName.advanced',
  'themeExplanation.early', 'themeExplanation.atLeast', 'themeExplanation.intermediate', 'themeExplanation.intermediateNoOwn', 'themeNoOwnIntermediate', 'themeExplanation.advanced', 'themeExplanation.undecided', 'themeOnTheWay',
  'themeUnsettled', 'caveatUnsure', 'caveatContradictions', 'suggestionsHeading', 'milestoneHeading', 'becauseLabel', 'strengthsLabel', 'pendingLabel',
  'contradictionsHeading', 'caveatsHeading', 'oursLabel', 'oecdLabel', 'sourceLabel', 'reasonGap', 'reasonNextStage', 'reasonSustain',
  'newAssessment', 'staleChoice', 'resumed', 'unofficialTranslation', 'answerInBrief', 'changeWhat',
  'groupWelcome', 'groupKeepsAnswers', 'groupSharesAnswers', 'groupSharesNotes', 'groupKeepsNotes', 'joinIntro', 'joinPerspective', 'joinName',
  'joinUnit', 'joinShareNotes', 'joinShareAnswers', 'joinYesNo', 'perspective.central', 'perspective.subnational', 'perspective.civil-society', 'perspective.private-sector',
  'perspective.academia', 'groupWelcomeAskUnit', 'languageChanged', 'whyOecdTranslated',
] as const;
export type TextKey = (typeof TEXT_KEYS)[number];

const Id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a kebab-case id (a-z, 0-9, dashes)');
const Locale = z.string().regex(/^[a-z]{2}(?:-[A-Z]{2})?$/, 'must be a locale like en or fr-CA');

/** What an option answers to its question as worded. */
export const Reply = z.enum(['yes', 'partly', 'no']);
export type Reply = z.infer<typeof Reply>;

/** What an answer states about the characteristic (or part) a question evidences; `unknown` for "not sure". */
export const States = z.enum(['holds', 'partly', 'absent', 'unknown']);
export type States = z.infer<typeof States>;

export const AnswerOption = z.strictObject({
  id: Id,
  /** What this option answers to the question as worded; with the question's `yesMeans`, what it states. */
  reply: Reply,
  label: LocalizedText,
  /** Extra words people may type for this option, per locale. */
  synonyms: z.record(Locale, z.array(z.string().min(1))).optional(),
});
export type AnswerOption = z.infer<typeof AnswerOption>;

export const Question = z.strictObject({
  id: Id,
  characteristic: Id,
  /** One of our parts of a compound characteristic: the question asks only that part. */
  part: Id.optional(),
  /** What "yes" to the question states about the characteristic: holds, or absent (a limitation asked the positive way round). */
  yesMeans: z.enum(['holds', 'absent']),
  /** A few words naming what the question asks, for buttons and brief lists. */
  short: LocalizedText,
  prompt: LocalizedText,
  help: LocalizedText,
  options: z.array(AnswerOption).min(2).max(9),
});
export type Question = z.infer<typeof Question>;

/** What a question's answer states about what it evidences. */
export function statesOf(question: Question, reply: Reply | null): States {
  if (reply === null) return 'unknown';
  if (reply === 'partly') return 'partly';
  return (reply === 'yes') === (question.yesMeans === 'holds') ? 'holds' : 'absent';
}

/** The opening question: what is being assessed. */
export const UnitQuestion = z.strictObject({
  prompt: LocalizedText,
  help: LocalizedText,
  options: z.array(z.strictObject({ id: Id, label: LocalizedText, noun: LocalizedText })).min(2).max(9),
});
export type UnitQuestion = z.infer<typeof UnitQuestion>;

/** How answers saved under an older flow version carry over: old question id → new question and option map. */
export const Upgrade = z.strictObject({
  fromVersion: z.number().int().positive(),
  answers: z.record(z.string(), z.strictObject({ question: Id, options: z.record(z.string(), Id) })),
});
export type Upgrade = z.infer<typeof Upgrade>;

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
    unit: UnitQuestion,
    questions: z.array(Question).min(1),
    upgrades: z.array(Upgrade).default([]),
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
    // Every text is a message (src/core/i18n/message-format.ts) with the placeholders of the default locale's.
    const placeholders = (locale: string, key: TextKey): Set<string> | undefined => {
      const text = Object.hasOwn(flow.text, locale) ? flow.text[locale]?.[key] : undefined;
      if (text === undefined) return undefined;
      try {
        const { names, pluralCases } = placeholdersOf(parseMessage(text));
        const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories as readonly string[];
        for (const c of pluralCases) {
          if (!/^=\d+$/.test(c) && !categories.includes(c)) ctx.addIssue({ code: 'custom', path: ['text', locale, key], message: `plural case "${c}" is not one of ${locale}'s (${categories.join(', ')}, or =N)` });
        }
        return names;
      } catch (error) {
        if (!(error instanceof MessageSyntaxError)) throw error;
        ctx.addIssue({ code: 'custom', path: ['text', locale, key], message: `is not a valid message: ${error.message}` });
        return undefined;
      }
    };
    for (const key of TEXT_KEYS) {
      const wanted = placeholders(flow.defaultLocale, key);
      for (const locale of flow.locales) {
        if (locale === flow.defaultLocale) continue;
        const names = placeholders(locale, key);
        if (!wanted || !names) continue;
        for (const name of wanted) if (!names.has(name)) ctx.addIssue({ code: 'custom', path: ['text', locale, key], message: `lacks the placeholder {${name}} (the ${flow.defaultLocale} text uses it)` });
        for (const name of names) if (!wanted.has(name)) ctx.addIssue({ code: 'custom', path: ['text', locale, key], message: `uses a placeholder {${name}} that the ${flow.defaultLocale} text does not` });
      }
    }
    const questionIds = new Set<string>();
    flow.questions.forEach((q, qi) => {
      if (questionIds.has(q.id)) ctx.addIssue({ code: 'custom', path: ['questions', qi, 'id'], message: `duplicate question id "${q.id}"` });
      questionIds.add(q.id);
      needLocale(q.prompt, ['questions', qi, 'prompt']);
      needLocale(q.help, ['questions', qi, 'help']);
      needLocale(q.short, ['questions', qi, 'short']);
      const replies = q.options.map((o) => o.reply);
      for (const reply of ['yes', 'no'] as const) {
        if (replies.filter((r) => r === reply).length !== 1) ctx.addIssue({ code: 'custom', path: ['questions', qi, 'options'], message: `needs exactly one option answering "${reply}"` });
      }
      const optionIds = new Set<string>();
      q.options.forEach((o, oi) => {
        if (o.id === 'unsure') ctx.addIssue({ code: 'custom', path: ['questions', qi, 'options', oi, 'id'], message: '"unsure" is reserved: the engine adds "Not sure" to every question' });
        if (optionIds.has(o.id)) ctx.addIssue({ code: 'custom', path: ['questions', qi, 'options', oi, 'id'], message: `duplicate option id "${o.id}"` });
        optionIds.add(o.id);
        needLocale(o.label, ['questions', qi, 'options', oi, 'label']);
      });
    });
    needLocale(flow.unit.prompt, ['unit', 'prompt']);
    needLocale(flow.unit.help, ['unit', 'help']);
    flow.unit.options.forEach((o, oi) => {
      needLocale(o.label, ['unit', 'options', oi, 'label']);
      needLocale(o.noun, ['unit', 'options', oi, 'noun']);
    });
    flow.upgrades.forEach((u, ui) => {
      if (u.fromVersion >= flow.version) ctx.addIssue({ code: 'custom', path: ['upgrades', ui, 'fromVersion'], message: `must be older than the flow's version ${flow.version}` });
      for (const [oldId, to] of Object.entries(u.answers)) {
        const target = flow.questions.find((q) => q.id === to.question);
        if (!target) { ctx.addIssue({ code: 'custom', path: ['upgrades', ui, 'answers', oldId, 'question'], message: `unknown question "${to.question}"` }); continue; }
        for (const [from, option] of Object.entries(to.options)) {
          if (!target.options.some((o) => o.id === option)) ctx.addIssue({ code: 'custom', path: ['upgrades', ui, 'answers', oldId, 'options', from], message: `question "${target.id}" has no option "${option}"` });
        }
      }
    });
  });
export type FlowFile = z.infer<typeof FlowFile>;
