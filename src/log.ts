/**
 * The process logger (pino). Anything that could carry a secret is redacted
 * by path, so a token or resume code never reaches a log line.
 */
import { pino, type Logger } from 'pino';

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
  return pino({ level: options.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { app: 'govstage' } }, options.destination ?? process.stdout);
}

export type { Logger };
