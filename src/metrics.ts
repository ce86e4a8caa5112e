/**
 * Prometheus metrics (prom-client), one registry per set of services so that
 * tests (and several apps in one process) never share counters. What is
 * counted is measured where it happens without the layers knowing: turns
 * through a subclass of the turn pipeline, store errors through a wrapper
 * around the store, Slack events through the claim that deduplicates them,
 * rate-limit refusals and Slack requests at the HTTP boundary.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ConversationService, isStaleTurn } from './service/conversation-service.js';
import { isGovError, toGovError } from './errors.js';
import type { ConversationStore } from './store/types.js';

export class Metrics {
  readonly registry = new Registry();
  readonly turns = new Counter({
    name: 'govstage_turns_total',
    help: 'Turns taken, by outcome: ok, replayed (a retried turn id), or the error kind (conflict, rate_limited, unauthorized, unavailable, …).',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly turnSeconds = new Histogram({
    name: 'govstage_turn_duration_seconds',
    help: 'Time to take one turn (load, advance, save), whatever its outcome.',
    labelNames: ['channel'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'govstage_store_errors_total',
    help: 'Store operations that failed (unavailable, unreadable record, unexpected error); expected outcomes such as a lost revision race are not counted.',
    labelNames: ['store', 'operation', 'kind'] as const,
    registers: [this.registry],
  });
  readonly slackEvents = new Counter({
    name: 'govstage_slack_events_total',
    help: 'Slack events received, by outcome: new (handled here) or duplicate (a redelivery already claimed, by this or another instance).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly slackRequests = new Counter({
    name: 'govstage_slack_requests_total',
    help: 'HTTP requests to POST /slack/events (HTTP mode), by status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'govstage_rate_limited_total',
    help: 'Requests refused with 429 by a rate limit.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    // Memory, CPU, event-loop lag and the like, prefixed govstage_.
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'govstage_' });
  }
}

const outcomeOf = (error: unknown) => toGovError(error).kind.toLowerCase();

/** The turn pipeline, measured: every turn counted by outcome and timed. */
export class MeasuredConversationService extends ConversationService {
  constructor(
    options: ConstructorParameters<typeof ConversationService>[0],
    private readonly metrics: Metrics,
  ) {
    super(options);
  }

  override async turn(request: Parameters<ConversationService['turn']>[0]): ReturnType<ConversationService['turn']> {
    const stop = this.metrics.turnSeconds.startTimer({ channel: request.channel });
    try {
      const reply = await super.turn(request);
      this.metrics.turns.inc({ channel: request.channel, outcome: isStaleTurn(reply) ? 'stale' : reply.replayed ? 'replayed' : 'ok' });
      return reply;
    } catch (error) {
      this.metrics.turns.inc({ channel: request.channel, outcome: outcomeOf(error) });
      throw error;
    } finally {
      stop();
    }
  }

  override async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const claimed = await super.claimOnce(key, ttlMs);
    if (key.startsWith('slack:event:')) this.metrics.slackEvents.inc({ outcome: claimed ? 'new' : 'duplicate' });
    return claimed;
  }
}

/** Error kinds that are answers, not failures of the store. */
const EXPECTED = new Set(['CONFLICT', 'NOT_FOUND', 'BAD_INPUT']);

/** The store, with its failed operations counted. Everything else passes through unchanged. */
export function measuredStore<S extends ConversationStore>(store: S, metrics: Metrics): S {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (result instanceof Promise) {
          // The caller still gets the rejection; this only counts it.
          result.catch((error: unknown) => {
            const kind = isGovError(error) ? error.kind : 'INTERNAL';
            if (!EXPECTED.has(kind)) metrics.storeErrors.inc({ store: target.kind, operation: property, kind: kind.toLowerCase() });
          });
        }
        return result;
      };
    },
  });
}
