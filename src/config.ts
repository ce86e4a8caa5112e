/**
 * Configuration, read from the environment once at start-up and validated
 * with zod. Every variable is listed, with its default, in .env.example.
 */
import { z } from 'zod';
import { GovError } from './errors.js';

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().min(1).optional());
const number = (fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(fallback));

export const Config = z
  .object({
    NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).default('development')),
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
    /** Where the lowdb store keeps its files. */
    DATA_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default('./data')),
    /** Root holding rubric/ and flows/. */
    CONTENT_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default('.')),
    /** The flow served to new conversations. */
    FLOW_ID: z.preprocess(emptyAsUndefined, z.string().min(1).default('principle-2-chat')),
    STORE: z.preprocess(emptyAsUndefined, z.enum(['lowdb', 'postgres']).default('lowdb')),
    DATABASE_URL: optionalString,
    /** Comma-separated origins allowed to call the API from a browser (the widget on other sites). */
    ALLOWED_ORIGINS: z.preprocess(emptyAsUndefined, z.string().default('')),
    /** The public base URL of this server, for links (resume links, reports). */
    PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
    /** express "trust proxy" (e.g. 1 behind one reverse proxy), so rate limits see client addresses. */
    TRUST_PROXY: optionalString,
    RESUME_CODE_TTL_HOURS: number(24 * 7),
    /** Unfinished conversations untouched for this many days are deleted (checked at start-up and every 6 hours). */
    RETENTION_DAYS: number(90),
    /** How long a shared report link stays valid, in days. */
    REPORT_LINK_TTL_DAYS: number(30),
    /** Protects the coordinator's overview; the overview is off when unset. */
    ADMIN_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(24, 'must be at least 24 characters (use a random token)').optional()),
    /** Groups of respondents smaller than this are not shown in the overview. */
    MIN_GROUP_SIZE: number(5),
    LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
    /**
     * Rate limits, per minute. Per client address for all API requests: high enough for a workshop of
     * 50 people behind one office address (an assessment is about 15 requests, a brisk person makes
     * about 12 a minute). Per client address for starting assessments and, much stricter, for
     * resume-code attempts (the only guessable secret). Per conversation and token for turns.
     */
    RATE_LIMIT_PER_MINUTE: number(1200),
    START_RATE_LIMIT_PER_MINUTE: number(120),
    RESUME_RATE_LIMIT_PER_MINUTE: number(10),
    CONVERSATION_RATE_LIMIT_PER_MINUTE: number(60),
    SLACK_BOT_TOKEN: optionalString,
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_APP_TOKEN: optionalString,
    SLACK_API_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  })
  .superRefine((config, ctx) => {
    if (config.STORE === 'postgres' && !config.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required when STORE=postgres' });
    }
    for (const origin of config.ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean)) {
      if (!/^https?:\/\/[^/\s]+$/.test(origin)) ctx.addIssue({ code: 'custom', path: ['ALLOWED_ORIGINS'], message: `"${origin}" is not an origin like https://intranet.example.gov` });
    }
  });
export type Config = z.infer<typeof Config>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Config.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new GovError('INVALID_DATA', `Configuration is invalid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export const allowedOrigins = (config: Config): string[] => config.ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
