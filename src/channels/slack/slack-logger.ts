/**
 * Bolt and the WebClient log through @slack/logger's interface; this adapts
 * it to our pino logger, so Slack's lines carry the same redaction and
 * format as everything else.
 */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../log.js';

const toText = (parts: unknown[]): string => parts.map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
const firstError = (parts: unknown[]): Error | undefined => parts.find((p): p is Error => p instanceof Error);

export function slackLogger(logger: Logger, options: { quietDebug?: boolean } = {}): BoltLogger {
  const child = logger.child({ component: 'slack' });
  let name = 'slack';
  const emit = (level: 'debug' | 'info' | 'warn' | 'error', parts: unknown[]) => {
    const err = firstError(parts);
    child[level]({ source: name, ...(err ? { err } : {}) }, toText(parts));
  };
  return {
    // The WebClient's debug lines include request bodies (message texts, resume codes): never logged.
    debug: (...parts: unknown[]) => {
      if (!options.quietDebug) emit('debug', parts);
    },
    info: (...parts: unknown[]) => emit('info', parts),
    warn: (...parts: unknown[]) => emit('warn', parts),
    error: (...parts: unknown[]) => emit('error', parts),
    // The level is pino's (LOG_LEVEL); Bolt's attempts to change it are ignored.
    setLevel: () => undefined,
    getLevel: () => {
      const level = child.level;
      return level === 'debug' || level === 'trace' ? LogLevel.DEBUG : level === 'info' ? LogLevel.INFO : level === 'warn' ? LogLevel.WARN : LogLevel.ERROR;
    },
    setName: (next: string) => {
      name = next;
    },
  };
}
