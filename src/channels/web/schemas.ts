/**
 * The HTTP API's request and response shapes. Requests are validated with
 * these at the boundary; the OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { Message } from '../../core/messages.js';
import { TEXT_PROBLEMS, textProblem } from '../../safe-text.js';
import { ChannelName } from '../../store/record.js';

/** A string of text Govstage accepts: no NUL or other control character (tab and line breaks aside), no unpaired surrogate. */
export const safeText = () =>
  z.string().superRefine((value, ctx) => {
    const problem = textProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: TEXT_PROBLEMS[problem] });
  });

export const ConversationId = z.string().regex(/^c_[A-Za-z0-9_-]{10,64}$/, 'is not a conversation id');

/** A locale as people's software writes it: en, fr-CA, fr_FR, EN. */
const LocaleTag = z.string().regex(/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/, 'must be a locale like en or fr-CA');

export const CreateConversationBody = z.strictObject({
  locale: LocaleTag.optional().describe('the language wanted; a regional tag is served its language (fr-CA gets fr), one not offered the default'),
});

/** GET /api/widget-words: the locales the page and the browser prefer, most wanted first. */
export const WidgetWordsQuery = z.strictObject({
  prefer: z.string().max(300).regex(/^[A-Za-z0-9_,-]*$/, 'must be locales separated by commas, like fr-CA,fr,en').optional(),
});

export const WidgetWordsBody = z.object({
  locale: z.string().describe('the offered locale that best fits the preferences'),
  languages: z.array(z.object({ locale: z.string(), name: z.string().describe('the language\'s name in its own language') })).describe('every locale offered, for a language switch'),
  words: z
    .record(z.string(), z.array(z.unknown()))
    .describe('the widget section of that locale\'s catalogue, each message parsed: a list of literal strings and placeholders ({kind: "arg", name, type?, style?}, {kind: "plural" | "select", name, branches}, {kind: "pound"}), as src/core/i18n/message-format.ts renders them'),
  introduction: z.array(Message).describe('the introduction in that locale, as GET /api/introduction gives it'),
});

/** A report in another language than the conversation's (?locale=en). */
export const ReportQuery = z.strictObject({ locale: LocaleTag.optional() });
export const IntroductionQuery = z.object({ locale: z.string().regex(/^[a-z]{2}(?:-[A-Z]{2})?$/, 'must be a locale like en or fr-CA').optional() });
export const IntroductionBody = z.object({ messages: z.array(Message) });

export const TEXT_LIMIT = 2000;

export const TurnBody = z
  .strictObject({
    turnId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1-100 letters, digits, dashes or underscores (a UUID is fine)'),
    choice: safeText().min(1).max(200).optional(),
    text: safeText().max(TEXT_LIMIT, `must be at most ${TEXT_LIMIT} characters`).optional(),
    revision: z.number().int().nonnegative().optional(),
  })
  .refine((b) => (b.choice === undefined) !== (b.text === undefined), { message: 'send exactly one of "choice" or "text"' });

export const ResumeBody = z.strictObject({ code: safeText().min(1).max(40) });

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string().optional().describe('the X-Request-Id of the request, to quote when reporting a problem') }),
  /** With 409 for a stale answer: where the conversation stands now. */
  messages: z.array(Message).optional(),
  revision: z.number().int().optional(),
});

export const StartedBody = z.object({
  conversationId: z.string(),
  resumeToken: z.string(),
  resumeCode: z.string(),
  resumeCodeExpiresAt: z.string(),
  revision: z.number().int(),
  status: z.enum(['active', 'finished']),
  locale: z.string().describe('the conversation\'s language: the one asked for, negotiated against those offered (fr-CA gets fr)'),
  messages: z.array(Message),
});

export const TurnReplyBody = z.object({
  conversationId: z.string(),
  revision: z.number().int(),
  status: z.enum(['active', 'finished']),
  messages: z.array(Message),
  replayed: z.boolean(),
  switchTo: StartedBody.omit({ locale: true }).optional(),
});

/** A transcript line as the API returns it: the bot's messages in the message model. */
export const TranscriptEntryBody = z.object({
  at: z.string(),
  from: z.enum(['user', 'bot']),
  channel: ChannelName,
  text: z.string().optional(),
  messages: z.array(Message).optional(),
});

export const ConversationViewBody = z.object({
  conversationId: z.string(),
  revision: z.number().int(),
  status: z.enum(['active', 'finished']),
  createdAt: z.string(),
  updatedAt: z.string(),
  locale: z.string().describe('the conversation\'s language (switched with the choice cmd:language:<locale>)'),
  transcript: z.array(TranscriptEntryBody),
  current: z.array(Message),
});

export const ResumeCodeBody = z.object({ code: z.string(), expiresAt: z.string(), url: z.string().optional(), revision: z.number().int().describe('the conversation revision after issuing the code') });
export const ResumedBody = z.object({ conversationId: z.string(), resumeToken: z.string() });
export const ReportLinkBody = z.object({ path: z.string(), url: z.string().optional(), expiresAt: z.string() });
