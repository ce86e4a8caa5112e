/**
 * The parts of an incoming Bot Framework activity that Govstage uses,
 * validated with our own zod at the boundary (the SDK validates the
 * envelope with its own, separate zod; nothing crosses between the two).
 */
import { z } from 'zod';
import type { Identity } from '../../service/person-sessions-api.js';
import type { CardData } from './cards.js';

const Account = z.object({ id: z.string().min(1), name: z.string().nullish(), aadObjectId: z.string().min(1).nullish() });

export const IncomingActivity = z.object({
  type: z.string(),
  id: z.string().nullish(),
  name: z.string().nullish(),
  channelId: z.string(),
  from: Account,
  recipient: z.object({ id: z.string() }),
  conversation: z.object({ id: z.string().min(1), conversationType: z.string().nullish(), tenantId: z.string().nullish() }),
  text: z.string().nullish(),
  replyToId: z.string().nullish(),
  value: z.unknown().optional(),
  entities: z.array(z.unknown()).nullish(),
  channelData: z.object({ tenant: z.object({ id: z.string().min(1) }).nullish() }).nullish(),
  membersAdded: z.array(z.object({ id: z.string() })).nullish(),
  /** The language of the person's Teams client ("fr-FR"), when Teams says. */
  locale: z.string().max(40).nullish(),
});
export type IncomingActivity = z.infer<typeof IncomingActivity>;

const Mention = z.object({ type: z.literal('mention'), mentioned: z.object({ id: z.string(), name: z.string().nullish() }), text: z.string().nullish() });

const ConversationId = z.string().regex(/^c_[A-Za-z0-9_-]{10,64}$/);
export const CardDataSchema: z.ZodType<CardData> = z.discriminatedUnion('action', [
  z.object({ action: z.literal('choose'), choice: z.string().min(1).max(200), conversationId: ConversationId, step: z.string().min(1).max(200), label: z.string().max(200), title: z.string().max(400).optional() }),
  z.object({ action: z.literal('continue') }),
  z.object({ action: z.literal('forget-yes'), who: z.string().max(64) }),
  z.object({ action: z.literal('forget-no'), who: z.string().max(64) }),
  z.object({ action: z.literal('report-link'), conversationId: ConversationId }),
]);

/** An Action.Execute invoke's value. */
const ExecuteValue = z.object({ action: z.object({ type: z.literal('Action.Execute'), verb: z.string().optional(), data: z.unknown() }) });

export const ACTION_INVOKE = 'adaptiveCard/action';

/**
 * The data of a card button: from an Action.Execute invoke, or from the
 * message an Action.Submit sends. Undefined when the activity is not a
 * click on one of our buttons.
 */
export function cardDataOf(activity: IncomingActivity): CardData | undefined {
  const raw = activity.type === 'invoke' && activity.name === ACTION_INVOKE ? ExecuteValue.safeParse(activity.value).data?.action.data : activity.type === 'message' ? activity.value : undefined;
  if (raw === undefined || raw === null) return undefined;
  return CardDataSchema.safeParse(raw).data;
}

/** Who sent it: the Entra tenant and the user's Entra object id (stable across apps), else the Bot Framework id. */
export type TeamsIdentity = Extract<Identity, { channel: 'teams' }>;

export function identityOf(activity: IncomingActivity): TeamsIdentity | undefined {
  const tenantId = activity.conversation.tenantId ?? activity.channelData?.tenant?.id;
  if (!tenantId) return undefined;
  return { channel: 'teams', tenantId, userId: activity.from.aadObjectId ?? activity.from.id, ...(activity.locale ? { locale: activity.locale } : {}) };
}

/** Personal chat with the bot (everything else, channels and group chats, needs an @mention). */
export function isPersonal(activity: IncomingActivity): boolean {
  return (activity.conversation.conversationType ?? 'personal') === 'personal';
}

export function mentionsBot(activity: IncomingActivity): boolean {
  return (activity.entities ?? []).some((e) => Mention.safeParse(e).data?.mentioned.id === activity.recipient.id);
}

const FORMAT_TAGS = /<\/?(?:p|div|span|br|b|i|strong|em|u|s)\b[^>]*>/gi;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'", '&nbsp;': ' ' };

/**
 * What the person typed, as they typed it: our @mention removed (a channel
 * message starts with it), other people's mentions kept as "@name", and
 * Teams' rich-text markup, when there is any, reduced to its text.
 */
export function typedText(activity: IncomingActivity): string {
  let text = activity.text ?? '';
  for (const entity of activity.entities ?? []) {
    const mention = Mention.safeParse(entity).data;
    if (!mention?.text) continue;
    text = text.split(mention.text).join(mention.mentioned.id === activity.recipient.id ? ' ' : `@${mention.mentioned.name ?? ''}`);
  }
  if (/<at>|<\/?(?:p|div|span|br)\b/i.test(text)) {
    text = text
      .replace(/<at>(.*?)<\/at>/gi, '@$1')
      .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
      .replace(FORMAT_TAGS, '')
      .replace(/&(?:amp|lt|gt|quot|#39|apos|nbsp);/g, (entity) => ENTITIES[entity] ?? entity);
  }
  return text.replace(/[ \t]+/g, ' ').trim();
}
