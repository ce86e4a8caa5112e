/**
 * The Slack payloads Govstage reads, validated with zod at the boundary.
 * Loose objects: Slack adds fields over time, and we read only these.
 */
import { z } from 'zod';
import { fromSlackText } from './slack-text.js';

/** Text a person typed, as Slack sends it (escaped, links and mentions in <…>), decoded to what they typed. */
const TypedText = z.string().default('').transform(fromSlackText);

/** Outer envelope of every Events API delivery. */
export const EventEnvelope = z.looseObject({
  type: z.literal('event_callback'),
  team_id: z.string().min(1),
  event_id: z.string().min(1),
  event: z.looseObject({ type: z.string() }),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;

/**
 * Who a delivery is from, as far as ordering goes: the workspace and the
 * user, wherever the payload type keeps them (an event's `event.user`, a
 * slash command's `user_id`, an interaction's `user.id`). Read leniently:
 * a payload without them is simply ordered with nothing.
 */
const Id = z.string().min(1).optional().catch(undefined);
const Party = z.looseObject({
  team_id: Id,
  user_id: Id,
  team: z.looseObject({ id: Id }).nullable().optional().catch(undefined),
  user: z.looseObject({ id: Id, team_id: Id }).optional().catch(undefined),
  event: z.looseObject({ user: Id }).optional().catch(undefined),
});

/** `team:user` for a delivery from a person, else undefined. */
export function partyOf(body: Record<string, unknown>): string | undefined {
  const parsed = Party.safeParse(body);
  if (!parsed.success) return undefined;
  const p = parsed.data;
  const team = p.team_id ?? p.team?.id ?? p.user?.team_id;
  const user = p.event?.user ?? p.user_id ?? p.user?.id;
  return team !== undefined && user !== undefined ? `${team}:${user}` : undefined;
}

export const UrlVerification = z.looseObject({ type: z.literal('url_verification'), challenge: z.string().max(500) });

/** A message in the app's DM. Our own posts, edits and other subtypes are filtered out by the caller. */
export const DirectMessageEvent = z.looseObject({
  type: z.literal('message'),
  channel: z.string().min(1),
  channel_type: z.string().optional(),
  user: z.string().min(1).optional(),
  text: TypedText,
  ts: z.string().min(1),
  client_msg_id: z.string().optional(),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
  thread_ts: z.string().optional(),
});
export type DirectMessageEvent = z.infer<typeof DirectMessageEvent>;

export const AppHomeOpenedEvent = z.looseObject({
  type: z.literal('app_home_opened'),
  user: z.string().min(1),
  tab: z.string().optional(),
});

export const SlashCommand = z.looseObject({
  command: z.string().min(1),
  text: TypedText,
  team_id: z.string().min(1),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  trigger_id: z.string().min(1),
  response_url: z.url(),
});
export type SlashCommand = z.infer<typeof SlashCommand>;

/** One Block Kit block as Slack echoes it back in a payload (we only filter them). */
const EchoedBlock = z.looseObject({ type: z.string(), block_id: z.string().optional() });
export type EchoedBlock = z.infer<typeof EchoedBlock>;

export const BlockActions = z.looseObject({
  type: z.literal('block_actions'),
  team: z.looseObject({ id: z.string().min(1) }).nullable().optional(),
  user: z.looseObject({ id: z.string().min(1), team_id: z.string().optional() }),
  channel: z.looseObject({ id: z.string().min(1) }).optional(),
  container: z.looseObject({
    type: z.string(),
    message_ts: z.string().optional(),
    channel_id: z.string().optional(),
    is_ephemeral: z.boolean().optional(),
    view_id: z.string().optional(),
  }),
  message: z.looseObject({ ts: z.string(), text: z.string().optional(), blocks: z.array(EchoedBlock).optional() }).optional(),
  view: z.looseObject({ id: z.string(), hash: z.string().optional() }).optional(),
  response_url: z.url().optional(),
  actions: z
    .array(
      z.looseObject({
        action_id: z.string().min(1).max(255),
        value: z.string().max(2000).optional(),
        action_ts: z.string().min(1),
        text: z.looseObject({ text: z.string() }).optional(),
      }),
    )
    .min(1),
});
export type BlockActions = z.infer<typeof BlockActions>;

/** What our own buttons carry in `value`: which conversation, and at which step the message was posted (a StepRef). */
export const ButtonValue = z.strictObject({
  /** Conversation id. */
  c: z.string().min(1).max(100),
  /**
   * The step the message was rendered at (the StepRef's, opaque here). A
   * contradiction's step names the characteristics it sets against each
   * other, so it can be long; a value holds at most 2,000 characters.
   */
  s: z.string().max(1000).optional(),
});
export type ButtonValue = z.infer<typeof ButtonValue>;

export function parseButtonValue(value: string | undefined): ButtonValue | undefined {
  if (!value) return undefined;
  try {
    const parsed = ButtonValue.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
