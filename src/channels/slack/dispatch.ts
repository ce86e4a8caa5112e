/**
 * The one way both receivers (HTTP and Socket Mode) hand a Slack request to
 * Bolt, so that every request is acknowledged, exactly once.
 *
 * Slack needs an acknowledgement within three seconds: without one it shows
 * the person an error (an interaction) or delivers again (an event). Bolt
 * acknowledges events itself and our listeners call ack() first, but nothing
 * would acknowledge what no listener handles: a shortcut we do not offer, a
 * button of an older release with an action_id we no longer know,
 * block_actions without actions. So the acknowledgement is sent here when
 * Bolt is done with a request nobody acknowledged, or when Slack's time is
 * nearly up, whichever comes first.
 */
import type { App, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../log.js';

/** Sends the acknowledgement: the HTTP answer, or the envelope's ack on the socket. */
export type Acknowledge = (response?: unknown) => Promise<void>;

export interface SlackDelivery {
  body: Record<string, unknown>;
  ack: Acknowledge;
  retryNum?: number | undefined;
  retryReason?: string | undefined;
}

/** Under Slack's three seconds, with room for the answer to travel. */
export const ACK_TIMEOUT_MS = 2500;

/** Processes one request with Bolt; resolves when its listeners are done. Never rejects: failures are logged. */
export async function dispatchToBolt(app: App, delivery: SlackDelivery, options: { log: Logger; ackTimeoutMs?: number | undefined }): Promise<void> {
  const { log } = options;
  let acked = false;
  const ack: Acknowledge = async (response) => {
    if (acked) return;
    acked = true;
    clearTimeout(timer);
    try {
      await delivery.ack(response);
    } catch (error) {
      // The socket closed, or the client went away: Slack will deliver again or show its error.
      log.warn({ err: error }, 'could not acknowledge a Slack request');
    }
  };
  const timer = setTimeout(() => {
    if (acked) return;
    log.warn({ type: delivery.body.type }, 'no listener acknowledged a Slack request within the time Slack allows; acknowledged it');
    void ack();
  }, options.ackTimeoutMs ?? ACK_TIMEOUT_MS);

  const event: ReceiverEvent = {
    body: delivery.body,
    ack,
    ...(delivery.retryNum !== undefined ? { retryNum: delivery.retryNum } : {}),
    ...(delivery.retryReason ? { retryReason: delivery.retryReason } : {}),
  };
  try {
    await app.processEvent(event);
  } catch (error) {
    log.error({ err: error }, 'processing a Slack request failed');
  }
  if (!acked) {
    log.info({ type: delivery.body.type }, 'no listener handles this Slack request; acknowledged it');
    await ack();
  }
}
