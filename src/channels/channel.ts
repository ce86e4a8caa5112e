/**
 * What the server needs from a chat channel (Slack, Teams): routes on
 * our own HTTP app, a start that never calls the platform unless it
 * connects out, and a stop that lets the work in flight finish.
 */
import type { Express } from 'express';

export interface Channel {
  /** For logs: "teams", "slack". */
  readonly name: string;
  /**
   * Adds the channel's routes to the app. Called before the app's own body
   * parsers and API rate limits: a channel parses and limits its own requests.
   */
  mount(app: Express): void;
  /** Connects out when the channel needs to (socket modes); never rejects: a failure is logged. */
  start(): Promise<void>;
  /** Resolves when the work received so far is done. */
  drain(): Promise<void>;
  /** Takes no more work and waits for the work in flight. */
  stop(): Promise<void>;
}
