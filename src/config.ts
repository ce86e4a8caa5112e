/**
 * Configuration, read from the environment once at start-up and validated
 * with zod. Every variable is listed, with its default, in .env.example.
 */
import proxyaddr from 'proxy-addr';
import { z } from 'zod';
import { GovError } from './errors.js';

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().min(1).optional());
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** https, or http on this machine only (a local issuer or sidecar). */
const isSecureOrLoopback = (value: string) => {
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
};
const number = (fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(fallback));

/** What express's "trust proxy" takes: true/false, a number of hops, or addresses, CIDRs and the names loopback, linklocal, uniquelocal. */
export type TrustProxy = boolean | number | string[];
const trustProxy = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .optional()
    .transform((value, ctx): TrustProxy | undefined => {
      if (value === undefined) return undefined;
      const text = value.trim();
      if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
      if (/^\d+$/.test(text)) return Number(text);
      const list = text.split(',').map((entry) => entry.trim()).filter(Boolean);
      try {
        // express compiles the setting with proxy-addr; compiling it here refuses at start-up what express would refuse later.
        proxyaddr.compile(list);
        return list;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a trust proxy setting (${(error as Error).message}); use true, false, a number of proxies, or addresses/CIDRs such as loopback, 10.0.0.0/8` });
        return z.NEVER;
      }
    }),
);

export const Config = z
  .object({
    NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).default('development')),
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
    /** Where the lowdb store keeps its files. */
    DATA_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default('./data')),
    /** Root holding rubric/ and flows/; unset: the package's own folder (whatever the working directory). */
    CONTENT_DIR: optionalString,
    /** The flow served to new conversations. */
    FLOW_ID: z.preprocess(emptyAsUndefined, z.string().min(1).default('principle-2-chat')),
    STORE: z.preprocess(emptyAsUndefined, z.enum(['lowdb', 'postgres']).default('lowdb')),
    DATABASE_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a URL like postgres://user:password@host:5432/database').optional()),
    /** Comma-separated origins allowed to call the API from a browser (the widget on other sites). */
    ALLOWED_ORIGINS: z.preprocess(emptyAsUndefined, z.string().default('')),
    /** The public base URL of this server, for links (resume links, reports). */
    PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
    /** express "trust proxy" (e.g. 1 behind one reverse proxy), so rate limits see client addresses. */
    TRUST_PROXY: trustProxy,
    RESUME_CODE_TTL_HOURS: number(24 * 7),
    /** Unfinished conversations untouched for this many days are deleted (checked at start-up and every 6 hours). */
    RETENTION_DAYS: number(90),
    /** How long a shared report link stays valid, in days. */
    REPORT_LINK_TTL_DAYS: number(30),
    /** Protects the coordinator's overview; the overview is off when unset. */
    ADMIN_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(24, 'must be at least 24 characters (use a random token)').optional()),
    /** Groups of respondents smaller than this are not shown in the overview, nor in a group round's picture. */
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
    /** Turns on GET /metrics (Prometheus), for requests bearing this token; off when unset. */
    METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(24, 'must be at least 24 characters (use a random token)').optional()),
    /** Microsoft Teams: the bot's Microsoft App ID (the Entra app registration's client id). Teams is off without it. */
    TEAMS_APP_ID: z.preprocess(emptyAsUndefined, z.string().regex(GUID, "must be the bot's Microsoft App ID (a GUID like 00000000-0000-0000-0000-000000000000)").optional()),
    /** The app registration's client secret, for the replies' access tokens. */
    TEAMS_APP_PASSWORD: optionalString,
    /** The Entra tenant of a single-tenant bot (its id or domain). */
    TEAMS_TENANT_ID: z.preprocess(emptyAsUndefined, z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'must be a tenant id (a GUID) or domain').optional()),
    /** The Entra authority for another cloud (e.g. https://login.microsoftonline.us). */
    TEAMS_AUTHORITY: z.preprocess(emptyAsUndefined, z.url().refine(isSecureOrLoopback, 'must be an https URL').optional()),
    /** An Entra Agent ID sidecar that issues the replies' tokens instead of a client secret (a loopback or private address). */
    TEAMS_SIDECAR_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
    /** Development only: Teams without credentials (every request accepted, replies unsigned), for the Bot Framework Emulator. */
    TEAMS_ALLOW_ANONYMOUS: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false')).transform((value) => value === 'true'),
  })
  .superRefine((config, ctx) => {
    if (config.STORE === 'postgres' && !config.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required when STORE=postgres' });
    }
    if (config.TEAMS_ALLOW_ANONYMOUS && config.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['TEAMS_ALLOW_ANONYMOUS'], message: 'is refused when NODE_ENV=production: set TEAMS_APP_ID and TEAMS_APP_PASSWORD' });
    }
    if (config.TEAMS_ALLOW_ANONYMOUS && config.TEAMS_APP_ID) {
      ctx.addIssue({ code: 'custom', path: ['TEAMS_ALLOW_ANONYMOUS'], message: 'cannot be combined with TEAMS_APP_ID (leave it unset to check requests)' });
    }
    const teamsSettings = (['TEAMS_APP_PASSWORD', 'TEAMS_TENANT_ID', 'TEAMS_AUTHORITY', 'TEAMS_SIDECAR_URL'] as const).filter((key) => config[key] !== undefined);
    if (!config.TEAMS_APP_ID && teamsSettings.length > 0) {
      // Without a client id every request would be taken as anonymous: never by accident.
      ctx.addIssue({ code: 'custom', path: ['TEAMS_APP_ID'], message: `is required when ${teamsSettings.join(', ')} ${teamsSettings.length === 1 ? 'is' : 'are'} set` });
    }
    if (config.TEAMS_APP_ID && !config.TEAMS_APP_PASSWORD && !config.TEAMS_SIDECAR_URL) {
      ctx.addIssue({ code: 'custom', path: ['TEAMS_APP_PASSWORD'], message: 'is required with TEAMS_APP_ID (or set TEAMS_SIDECAR_URL), so that replies can be sent' });
    }
    for (const origin of config.ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean)) {
      if (!/^https?:\/\/[^/\s]+$/.test(origin)) ctx.addIssue({ code: 'custom', path: ['ALLOWED_ORIGINS'], message: `"${origin}" is not an origin like https://intranet.example.gov` });
    }
  });
export type Config = z.infer<typeof Config>;

/** Every variable the configuration reads (each is documented in .env.example). */
export const CONFIG_VARIABLES = Object.keys(Config.shape);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Config.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new GovError('INVALID_DATA', `Configuration is invalid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export const allowedOrigins = (config: Config): string[] => config.ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
