/**
 * The process logger (pino). Anything that could carry a secret is redacted
 * by path, so a token or resume code never reaches a log line. Every line
 * written while a request is handled carries its request id (`reqId`),
 * wherever in the code it is logged: the id travels in AsyncLocalStorage.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';

/** The request being handled, for log lines and error bodies (set by the web channel's request-id middleware). */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();
export const currentRequestId = (): string | undefined => requestContext.getStore()?.requestId;

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-slack-signature"]',
  'headers.authorization',
  '*.resumeToken',
  '*.resumeCode',
  '*.token',
  '*.code',
  'resumeToken',
  'resumeCode',
  'token',
  'code',
  'body.code',
  'body.text',
];

export function createLogger(options: { level: string; destination?: NodeJS.WritableStream } = { level: 'info' }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { app: 'govstage' },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { reqId: requestId } : {};
      },
    },
    // Not process.stdout: writing to a pipe is synchronous on Linux, one system call per line on the event loop.
    // Pino's own destination writes asynchronously, gathering the lines that come while a write is under way
    // (never holding one back to fill a buffer), and flushes what is left when the process exits.
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

export type { Logger };
