/**
 * The one way both receivers (HTTP and Socket Mode) hand a Slack request to
 * Bolt, so that every request is acknowledged, exactly once, and as soon as
 * it is verified.
 *
 * Slack needs an acknowledgement within three seconds: without one it shows
 * the person an error (an interaction) or delivers again (an event, with
 * X-Slack-Retry-Num). What we do with an event, a slash command or a button
 * click answers nothing in the acknowledgement (the answer is posted
 * afterwards), so those are acknowledged first, before Bolt sees them, and
 * processed afterwards in the DeliveryQueue: one person's in order, a bounded
 * number at once. Neither the dedupe claim (a durable write), nor a turn,
 * nor a Web API call is between a request and its acknowledgement.
 *
 * Acknowledging before claiming keeps each event processed once: Slack
 * redelivers only what it saw no acknowledgement for, and every delivery,
 * first or retried, claims its event id (atomically, in the store every
 * instance shares) before anything is processed, so of the deliveries that
 * do arrive exactly one is processed, on whichever instance. (A crash
 * between the acknowledgement and the processing loses the event; with the
 * claim written before the acknowledgement a crash after it would lose the
 * event just the same, the retry finding the claim taken.)
 *
 * The other kinds (shortcuts, view submissions, option requests) may carry
 * their answer in the acknowledgement: those go to Bolt at once, and what no
 * listener acknowledged is acknowledged when Bolt is done with it, or when
 * Slack's time is nearly up, whichever comes first.
 */
import type { App, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { DeliveryQueue } from './delivery-queue.js';
import { partyOf } from './payloads.js';

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

/**
 * Deliveries whose acknowledgement is empty whatever we do with them: Events
 * API events (Bolt acknowledges those itself before any listener, except a
 * workflow step's function_executed, which its listener completes), slash
 * commands and button clicks (our listeners' first step is an empty ack()).
 */
export function acknowledgedAtOnce(body: Record<string, unknown>): boolean {
  if (body.type === 'event_callback') {
    const event = body.event;
    return !(typeof event === 'object' && event !== null && 'type' in event && event.type === 'function_executed');
  }
  if (body.type === 'block_actions') return true;
  return body.type === undefined && typeof body.command === 'string';
}

/** Processes one request with Bolt; resolves when its listeners are done. Never rejects: failures are logged. */
export async function dispatchToBolt(app: App, delivery: SlackDelivery, options: { log: Logger; queue: DeliveryQueue; ackTimeoutMs?: number | undefined }): Promise<void> {
  const { log } = options;
  let acked = false;
  let timer: NodeJS.Timeout | undefined;
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
  const event: ReceiverEvent = {
    body: delivery.body,
    // Bolt's and the listeners' ack(): once acknowledged above, a no-op.
    ack,
    ...(delivery.retryNum !== undefined ? { retryNum: delivery.retryNum } : {}),
    ...(delivery.retryReason ? { retryReason: delivery.retryReason } : {}),
  };
  const handle = async () => {
    try {
      await app.processEvent(event);
    } catch (error) {
      log.error({ err: error }, 'processing a Slack request failed');
    }
  };

  if (acknowledgedAtOnce(delivery.body)) {
    await ack();
    return options.queue.run(partyOf(delivery.body), handle);
  }

  timer = setTimeout(() => {
    if (acked) return;
    log.warn({ type: delivery.body.type }, 'no listener acknowledged a Slack request within the time Slack allows; acknowledged it');
    void ack();
  }, options.ackTimeoutMs ?? ACK_TIMEOUT_MS);
  await handle();
  if (!acked) {
    log.info({ type: delivery.body.type }, 'no listener handles this Slack request; acknowledged it');
    await ack();
  }
}
