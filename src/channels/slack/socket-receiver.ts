/**
 * Bolt's `Receiver` for Socket Mode: Slack's SocketModeClient keeps the
 * websocket (connecting, pings, reconnecting), and each envelope it emits is
 * handed to Bolt by the same path as the HTTP receiver's requests
 * (dispatch.ts), so every envelope is acknowledged, handled or not. Bolt's own
 * SocketModeReceiver leaves unhandled ones unacknowledged, and Slack then
 * shows the person an error.
 */
import type { App, Receiver } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import { DeliveryQueue } from './delivery-queue.js';
import { dispatchToBolt, type Acknowledge } from './dispatch.js';
import { webClientOptions } from './slack-api.js';
import { slackLogger } from './slack-logger.js';

export interface SocketReceiverOptions {
  appToken: string;
  logger: Logger;
  /** SLACK_API_URL, for apps.connections.open. */
  slackApiUrl?: string | undefined;
}

/** What SocketModeClient emits as `slack_event` for each envelope (besides its `ack`). */
const SocketEnvelope = z.looseObject({
  envelope_id: z.string().optional(),
  body: z.record(z.string(), z.unknown()),
  retry_num: z.number().int().nonnegative().optional(),
  retry_reason: z.string().optional(),
});

export class SlackSocketReceiver implements Receiver {
  /** The Socket Mode client; tests deliver envelopes through its `slack_event`. */
  readonly client: SocketModeClient;
  private app: App | undefined;
  private readonly log: Logger;
  private readonly inFlight = new Set<Promise<void>>();
  /** Envelopes, acknowledged, waiting to be processed. */
  private readonly queue = new DeliveryQueue();

  constructor(options: SocketReceiverOptions) {
    this.log = options.logger.child({ component: 'slack-socket' });
    this.client = new SocketModeClient({
      appToken: options.appToken,
      logger: slackLogger(options.logger, { quietDebug: true }),
      clientOptions: webClientOptions({ slackApiUrl: options.slackApiUrl, logger: options.logger }),
    });
    this.client.on('slack_event', (args: unknown) => this.receive(args));
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {
    await this.client.start();
  }

  async stop(): Promise<void> {
    await this.client.disconnect();
    await this.drain();
  }

  /** Resolves when every envelope received so far has been processed (listeners included). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private receive(args: unknown): void {
    const ack = typeof args === 'object' && args !== null && 'ack' in args && typeof args.ack === 'function' ? (args.ack as Acknowledge) : undefined;
    if (!ack) {
      this.log.error('a Socket Mode envelope came without its ack function: ignored');
      return;
    }
    const app = this.app;
    const envelope = SocketEnvelope.safeParse(args);
    const work =
      app && envelope.success
        ? dispatchToBolt(
            app,
            { body: envelope.data.body, ack, retryNum: envelope.data.retry_num, retryReason: envelope.data.retry_reason },
            { log: this.log, queue: this.queue },
          )
        : this.refuse(ack, app ? 'a Socket Mode envelope that does not look like Slack sends them' : 'a Socket Mode envelope before Bolt initialised the receiver');
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Acknowledged all the same, so Slack neither retries it nor shows the person an error. */
  private async refuse(ack: Acknowledge, why: string): Promise<void> {
    this.log.warn(`${why}: acknowledged and ignored`);
    try {
      await ack();
    } catch (error) {
      this.log.warn({ err: error }, 'could not acknowledge a Slack request');
    }
  }
}
