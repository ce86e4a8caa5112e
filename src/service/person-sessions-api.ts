/**
 * What a person-facing channel (Slack, Teams) may ask of Govstage, keyed by
 * who the person is in that channel. Every conversation decision lives
 * behind this interface: which conversation is a person's active one, start
 * or continue, status, report, restart, forget-me, stale buttons. Adapters
 * only translate their platform's input into these calls and render the
 * typed results; they never send words to the core to mean commands.
 */
import type { Message, Progress, ResultView } from '../core/messages.js';

/**
 * A person as a channel knows them: Slack team + user, Teams tenant + user
 * (the AAD object id, or Bot Framework user id). `locale`: the language their
 * platform says they use (Slack's user locale, Teams' activity locale), if it
 * says: a new conversation starts in it; it is no part of who they are.
 */
export type Identity =
  | { channel: 'slack'; teamId: string; userId: string; locale?: string }
  | { channel: 'teams'; tenantId: string; userId: string; locale?: string };

/** Where a rendered step stands, so that a button rendered for it can be checked later: the conversation and its step. */
export interface StepRef {
  conversationId: string;
  /** The step the messages were rendered at (opaque to adapters; put it in the button and hand it back). */
  step: string;
}

/** The outcome of anything a person sent or pressed. */
export type SessionOutcome =
  /** Done: show `messages` (they belong to `ref`, which buttons should carry; they are in `locale`, the conversation's language). */
  | { kind: 'shown'; ref: StepRef; status: 'active' | 'finished'; locale: string; messages: Message[] }
  /** The same delivery again (a retry): it was handled already; show nothing new. */
  | { kind: 'replayed'; ref: StepRef }
  /**
   * A button of an earlier step: nothing changed; `messages` say so and show where it stands.
   * `current` is that step alone, for a channel that says "out of date" in its own words.
   */
  | { kind: 'stale'; ref: StepRef; locale: string; messages: Message[]; current: Message[] }
  /** The conversation the button names is not this person's, or no longer exists. */
  | { kind: 'gone' };

/** Where a person's latest conversation stands, read from its state. */
export interface PersonStanding {
  ref: StepRef;
  status: 'active' | 'finished';
  /** The conversation's language: a channel shows its own words in it. */
  locale: string;
  /** False while the introduction is shown: the person has not begun the questions. */
  started: boolean;
  progress: Progress;
  /** This assessment's result, or (during a re-assessment) the one it re-takes. */
  latestResult: ResultView | null;
}

export type StandingOutcome = { kind: 'none' } | ({ kind: 'standing' } & PersonStanding);

export type StatusOutcome = { kind: 'none' } | ({ kind: 'status' } & PersonStanding & { resume: { code: string; expiresAt: string; url?: string } });

export type ReportOutcome =
  | { kind: 'none' }
  | { kind: 'not-finished'; progress: Progress; started: boolean }
  /** The latest result; `messages` is the result as the current step (buttons work) or for reading only. */
  | { kind: 'report'; ref: StepRef; locale: string; result: ResultView; messages: Message[]; link?: { path: string; url?: string; expiresAt: string } };

export type ResumeOutcome = SessionOutcome | { kind: 'code-invalid' } | { kind: 'code-expired' };

export interface PersonSessions {
  /** A typed message: continues the person's active conversation, or on first contact introduces one. */
  say(identity: Identity, deliveryId: string, text: string): Promise<SessionOutcome>;
  /** "start": continues the assessment in progress (pressing Start at the introduction), or begins a new one. */
  begin(identity: Identity, deliveryId: string): Promise<SessionOutcome>;
  /** Shows where the person's conversation stands (begins one if they have none). */
  continueCurrent(identity: Identity, deliveryId: string): Promise<SessionOutcome>;
  /** A button: `choice` is the core's choice id, `at` the step the button was rendered at. */
  press(identity: Identity, deliveryId: string, at: StepRef, choice: string): Promise<SessionOutcome>;
  /** "restart": the core asks to confirm (with buttons); with no conversation, begins one. */
  restart(identity: Identity, deliveryId: string): Promise<SessionOutcome>;
  /**
   * Continues the person's latest conversation in another language (every answer kept, the current step
   * shown again in it); with none, introduces one in it. `locale` is as typed: undefined when not offered.
   */
  switchLanguage(identity: Identity, deliveryId: string, locale: string): Promise<SessionOutcome | { kind: 'not-offered'; offered: readonly string[] }>;
  /** Moves a conversation to this person with a resume code from any channel. */
  resume(identity: Identity, deliveryId: string, code: string): Promise<ResumeOutcome>;
  /** Where the person stands, with a fresh resume code (the previous code stops working). */
  status(identity: Identity): Promise<StatusOutcome>;
  /** Where the person stands, changing nothing (no resume code): for an overview such as Slack's App Home. */
  standing(identity: Identity): Promise<StandingOutcome>;
  /** The latest result, with a fresh report link when the server has a public URL. */
  report(identity: Identity, options?: { link?: boolean }): Promise<ReportOutcome>;
  /** A report link for a conversation of this person's. */
  reportLink(identity: Identity, conversationId: string): Promise<{ path: string; url?: string; expiresAt: string } | { kind: 'gone' }>;
  /** True when the person has any conversation. */
  hasAny(identity: Identity): Promise<boolean>;
  /** Deletes every conversation of the person; how many. */
  forget(identity: Identity): Promise<number>;
  /**
   * Takes part in a group round (its invitation code, the perspective chosen): a new conversation of
   * this person's in the round, its welcome and first question, answered like any other.
   */
  joinRound(identity: Identity, deliveryId: string, code: string, perspective: string): Promise<SessionOutcome>;
  /** True the first time `key` is claimed across instances within `ttlMs` (platform delivery dedupe). */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
}
