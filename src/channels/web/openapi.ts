/**
 * The OpenAPI 3.1 document of every HTTP route, generated from the zod
 * schemas that validate requests and shape answers. Named schemas live once
 * under components.schemas and are referenced; test/ops/openapi.test.ts
 * fails when a route of the express app is missing here (or the other way
 * round), and `npm run lint:openapi` (Redocly's recommended rules) runs in CI.
 */
import { z } from 'zod';
import { Message } from '../../core/messages.js';
import { Overview } from '../../reports/overview.js';
import { AssessmentReport } from '../../reports/report.js';
import * as s from './schemas.js';
import { GROUP_INPUTS, GROUP_OUTPUTS, groupPaths } from './openapi-groups.js';

type Registry = ReturnType<typeof z.registry<{ id: string }>>;
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** Named schemas, as JSON Schema, each referring to the others by $ref. */
function components(): Record<string, unknown> {
  const outputs: Registry = z.registry<{ id: string }>();
  const named: [z.ZodType, string][] = [
    [Message, 'Message'],
    [s.ErrorBody, 'Error'],
    [s.StartedBody, 'Started'],
    [s.TurnReplyBody, 'TurnReply'],
    [s.TranscriptEntryBody, 'TranscriptEntry'],
    [s.ConversationViewBody, 'ConversationView'],
    [s.ResumeCodeBody, 'ResumeCode'],
    [s.ResumedBody, 'Resumed'],
    [s.ReportLinkBody, 'ReportLink'],
    [s.WidgetWordsBody, 'WidgetWords'],
    [s.IntroductionBody, 'Introduction'],
    [AssessmentReport, 'AssessmentReport'],
    [Overview, 'Overview'],
    ...GROUP_OUTPUTS,
  ];
  for (const [schema, id] of named) outputs.add(schema, { id });
  // Request bodies are described as they are accepted (defaults optional), the rest as they are sent.
  const inputs: Registry = z.registry<{ id: string }>();
  for (const [schema, id] of [
    [s.CreateConversationBody, 'CreateConversationRequest'],
    [s.TurnBody, 'TurnRequest'],
    [s.ResumeBody, 'ResumeRequest'],
    ...GROUP_INPUTS,
  ] as const) inputs.add(schema, { id });
  const convert = (registry: Registry, io: 'input' | 'output') =>
    z.toJSONSchema(registry, { io, unrepresentable: 'any', uri: (id) => ref(id).$ref }).schemas;
  const all = { ...convert(outputs, 'output'), ...convert(inputs, 'input') };
  // Each component stands inside this document: no $schema or $id of its own.
  return Object.fromEntries(
    Object.entries(all)
      .map(([id, schema]) => {
        const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>;
        return [id, rest] as const;
      })
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const error = (description: string) => ({ description, content: json('Error') });
const errorsOf = (codes: Record<string, string>) => Object.fromEntries(Object.entries(codes).map(([code, description]) => [code, error(description)]));
const PUBLIC: never[] = [];
const conversationToken = [{ conversationToken: [] }];
const idParam = { name: 'id', in: 'path', required: true, description: 'The conversation id (c_…).', schema: { type: 'string', pattern: '^c_[A-Za-z0-9_-]{10,64}$' } };
const linkParams = [
  { ...idParam },
  { name: 'token', in: 'path', required: true, description: "The report link's secret part.", schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{20,100}$' } },
];
const UNAUTHORIZED = 'Missing or wrong token, or no such conversation (the two are not told apart)';
const localeParam = { name: 'locale', in: 'query', required: false, description: 'Another language the assessment is offered in (fr, en; fr-CA gets fr). Without it: the conversation\'s.', schema: { type: 'string', maxLength: 35 } };
const LIMITED = 'Rate limited (see Retry-After)';

export interface OpenApiOptions {
  version: string;
  /** The public base URL, when configured; otherwise the document names this server relatively. */
  publicUrl?: string | undefined;
}

export function openApiDocument({ version, publicUrl }: OpenApiOptions) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Govstage API',
      version,
      description:
        'Chat-style OECD Digital Government self-assessment (Principle 2). Every error is JSON {"error": {"code", "message", "requestId"}}; the requestId is also the X-Request-Id response header. Browsers may call the API only from this server\'s origin and ALLOWED_ORIGINS.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: publicUrl?.replace(/\/$/, '') || '/', description: publicUrl ? 'This Govstage server' : 'This Govstage server (the origin the document was fetched from)' }],
    security: conversationToken,
    tags: [
      { name: 'conversations', description: 'Taking an assessment: start, answer, pause and resume.' },
      { name: 'reports', description: 'The finished assessment: downloads and the shareable report page.' },
      { name: 'admin', description: "The coordinator's overview (ADMIN_TOKEN)." },
      { name: 'groups', description: 'Group rounds: many respondents, one picture, a consensus (the coordinator holds a capability token).' },
      { name: 'operations', description: 'Health, readiness, metrics and this document.' },
      { name: 'slack', description: 'The Slack app in HTTP mode.' },
    ],
    paths: {
      '/api/conversations': {
        post: {
          operationId: 'startConversation',
          tags: ['conversations'],
          summary: 'Start a conversation',
          security: PUBLIC,
          requestBody: { required: false, content: json('CreateConversationRequest') },
          responses: { '201': { description: 'Started: keep resumeToken, it is the bearer token of every other call', content: json('Started') }, ...errorsOf({ '400': 'Bad input', '403': 'Origin not allowed', '429': LIMITED }) },
        },
      },
      '/api/introduction': {
        get: {
          operationId: 'getIntroduction',
          tags: ['conversations'],
          summary: "What a new conversation opens with, without creating one: show it, and start the conversation (POST /api/conversations) at the person's first reply",
          security: PUBLIC,
          parameters: [{ name: 'locale', in: 'query', required: false, schema: { type: 'string', pattern: '^[a-z]{2}(?:-[A-Z]{2})?$' } }],
          responses: { '200': { description: 'The introduction', content: json('Introduction') }, ...errorsOf({ '400': 'Bad locale', '429': LIMITED }) },
        },
      },
      '/api/conversations/{id}': {
        get: {
          operationId: 'getConversation',
          tags: ['conversations'],
          summary: 'Status, transcript and current prompt, for resuming',
          parameters: [idParam],
          responses: { '200': { description: 'The conversation', content: json('ConversationView') }, ...errorsOf({ '400': 'Bad id', '401': UNAUTHORIZED, '429': LIMITED }) },
        },
      },
      '/api/conversations/{id}/turns': {
        post: {
          operationId: 'takeTurn',
          tags: ['conversations'],
          summary: 'Send one reply (a choice id or typed text)',
          description:
            'turnId is chosen by the client: a retried turn with the same id returns the same answer (replayed: true) instead of advancing twice; the same id with a different input is 409. With revision, a reply to a step that has moved on is refused with 409 and messages showing where the conversation stands.',
          parameters: [idParam],
          requestBody: { required: true, content: json('TurnRequest') },
          responses: {
            '200': { description: "The bot's next messages", content: json('TurnReply') },
            ...errorsOf({ '400': 'Bad input', '401': UNAUTHORIZED, '409': 'Stale answer or reused turn id; messages show where the conversation stands', '413': 'Body over 16 KB', '422': 'The stored conversation cannot be read', '429': LIMITED }),
          },
        },
      },
      '/api/conversations/{id}/resume-code': {
        post: {
          operationId: 'issueResumeCode',
          tags: ['conversations'],
          summary: 'Save and continue later: a fresh resume code (the previous one stops working)',
          parameters: [idParam],
          responses: { '200': { description: 'A new code', content: json('ResumeCode') }, ...errorsOf({ '401': UNAUTHORIZED, '429': LIMITED }) },
        },
      },
      '/api/resume': {
        post: {
          operationId: 'resumeConversation',
          tags: ['conversations'],
          summary: 'Exchange a resume code for access on this device (the previous token stops working)',
          security: PUBLIC,
          requestBody: { required: true, content: json('ResumeRequest') },
          responses: { '200': { description: 'Resumed', content: json('Resumed') }, ...errorsOf({ '400': 'Bad input', '404': 'Unknown code', '410': 'Expired code', '429': 'Too many attempts (see Retry-After)' }) },
        },
      },
      '/api/conversations/{id}/report-link': {
        post: {
          operationId: 'issueReportLink',
          tags: ['reports'],
          summary: 'A shareable link to the full report of a finished assessment (replaces the previous link)',
          parameters: [idParam],
          responses: { '201': { description: 'The link', content: json('ReportLink') }, ...errorsOf({ '401': UNAUTHORIZED, '409': 'The assessment is not finished', '429': LIMITED }) },
        },
        delete: {
          operationId: 'revokeReportLink',
          tags: ['reports'],
          summary: 'Revoke the report link',
          parameters: [idParam],
          responses: { '204': { description: 'Revoked: the link stops working' }, ...errorsOf({ '401': UNAUTHORIZED, '429': LIMITED }) },
        },
      },
      '/api/conversations/{id}/report.{format}': {
        get: {
          operationId: 'downloadReport',
          tags: ['reports'],
          summary: 'The report as a download: Markdown, JSON (the report itself) or CSV of the answers',
          parameters: [idParam, { name: 'format', in: 'path', required: true, schema: { type: 'string', enum: ['md', 'json', 'csv'] } }, localeParam],
          responses: {
            '200': {
              description: 'The report (Content-Disposition: attachment). The CSV starts with a UTF-8 byte-order mark.',
              content: { 'application/json': { schema: ref('AssessmentReport') }, 'text/markdown': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } },
            },
            ...errorsOf({ '400': 'Unknown format', '401': UNAUTHORIZED, '409': 'The assessment is not finished', '429': LIMITED }),
          },
        },
      },
      '/api/widget-words': {
        get: {
          operationId: 'getWidgetWords',
          tags: ['conversations'],
          summary: "The web widget's interface words in the locale that best fits the preferences given",
          security: PUBLIC,
          parameters: [{ name: 'prefer', in: 'query', required: false, description: 'Locales, most wanted first (the page\'s data-locale, its lang, the browser\'s languages), e.g. fr-CA,fr,en.', schema: { type: 'string', maxLength: 300 } }],
          responses: { '200': { description: 'The words, and the locales offered', content: json('WidgetWords') }, ...errorsOf({ '400': 'Bad query', '429': LIMITED }) },
        },
      },
      '/api/report-schema.json': {
        get: {
          operationId: 'getReportSchema',
          tags: ['reports'],
          summary: 'JSON Schema of the JSON report',
          security: PUBLIC,
          responses: { '200': { description: 'A JSON Schema (draft 2020-12)', content: { 'application/json': { schema: { type: 'object' } } } }, ...errorsOf({ '429': LIMITED }) },
        },
      },
      '/reports/{id}/{token}': {
        get: {
          operationId: 'getReportPage',
          tags: ['reports'],
          summary: 'The report page behind a shared link (the link itself is the credential), in the conversation\'s language or ?locale=',
          security: PUBLIC,
          parameters: [...linkParams, localeParam],
          responses: { '200': { description: 'The report page', content: { 'text/html': { schema: { type: 'string' } } } }, ...errorsOf({ '400': 'Not a report link', '404': 'Unknown or revoked link', '410': 'Expired link', '429': LIMITED }) },
        },
      },
      '/reports/{id}/{token}/{file}': {
        get: {
          operationId: 'downloadReportByLink',
          tags: ['reports'],
          summary: 'A download behind a shared link',
          security: PUBLIC,
          parameters: [...linkParams, { name: 'file', in: 'path', required: true, schema: { type: 'string', enum: ['report.md', 'report.json', 'answers.csv'] } }, localeParam],
          responses: {
            '200': { description: 'The download', content: { 'application/json': { schema: ref('AssessmentReport') }, 'text/markdown': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } } },
            ...errorsOf({ '400': 'Unknown file', '404': 'Unknown or revoked link', '410': 'Expired link', '429': LIMITED }),
          },
        },
      },
      '/admin.html': {
        get: {
          operationId: 'getAdminPage',
          tags: ['admin'],
          summary: "The coordinator's overview page, in the language asked for (?locale=, else Accept-Language); it asks for ADMIN_TOKEN itself",
          security: PUBLIC,
          parameters: [localeParam],
          responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } }, ...errorsOf({ '429': LIMITED }) },
        },
      },
      '/group.html': {
        get: {
          operationId: 'getGroupPage',
          tags: ['groups'],
          summary: 'The group-round page (start a round; the coordinator\'s and a respondent\'s views, by the link\'s fragment), in the language asked for (?locale=, else Accept-Language)',
          security: PUBLIC,
          parameters: [localeParam],
          responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } }, ...errorsOf({ '429': LIMITED }) },
        },
      },
      '/api/admin/overview': {
        get: {
          operationId: 'getAdminOverview',
          tags: ['admin'],
          summary: 'Assessments started and finished, and the distribution of stages (small groups hidden; theme titles in the Accept-Language)',
          security: [{ adminToken: [] }],
          responses: { '200': { description: 'The overview', content: json('Overview') }, ...errorsOf({ '401': 'Missing or wrong ADMIN_TOKEN', '404': 'The overview is off (ADMIN_TOKEN unset)', '429': LIMITED }) },
        },
      },
      '/api/admin/results.csv': {
        get: {
          operationId: 'downloadAdminResults',
          tags: ['admin'],
          summary: 'One row per finished assessment: month, flow version and stages (no identities, answers or notes)',
          security: [{ adminToken: [] }],
          responses: {
            '200': { description: 'CSV, starting with a UTF-8 byte-order mark', content: { 'text/csv': { schema: { type: 'string' } } } },
            ...errorsOf({ '401': 'Missing or wrong ADMIN_TOKEN', '403': 'Fewer than MIN_GROUP_SIZE assessments are finished', '404': 'The overview is off (ADMIN_TOKEN unset)', '429': LIMITED }),
          },
        },
      },
      ...groupPaths(),
      '/api/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          tags: ['operations'],
          summary: 'This document',
          security: PUBLIC,
          responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } }, ...errorsOf({ '429': LIMITED }) },
        },
      },
      '/api/docs': {
        get: {
          operationId: 'getApiReference',
          tags: ['operations'],
          summary: 'This document as a readable page',
          security: PUBLIC,
          responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } }, ...errorsOf({ '429': LIMITED }) },
        },
      },
      '/healthz': {
        get: {
          operationId: 'getLiveness',
          tags: ['operations'],
          summary: 'Liveness: the process answers',
          security: PUBLIC,
          responses: { '200': { description: 'Running', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] } } } } },
        },
      },
      '/readyz': {
        get: {
          operationId: 'getReadiness',
          tags: ['operations'],
          summary: 'Readiness: the store answers',
          security: PUBLIC,
          responses: {
            '200': { description: 'Ready', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ready' }, store: { enum: ['lowdb', 'postgres'] } }, required: ['status', 'store'] } } } },
            ...errorsOf({ '503': 'The store does not answer' }),
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'getMetrics',
          tags: ['operations'],
          summary: 'Prometheus metrics (off unless METRICS_TOKEN is set)',
          security: [{ metricsToken: [] }],
          responses: { '200': { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errorsOf({ '401': 'Missing or wrong METRICS_TOKEN', '404': 'Metrics are off' }) },
        },
      },
      '/slack/events': {
        post: {
          operationId: 'receiveSlackEvent',
          tags: ['slack'],
          summary: "Slack's events, slash command and interactivity (HTTP mode only)",
          description: 'Checked for Slack\'s signature (X-Slack-Signature, X-Slack-Request-Timestamp) and a five-minute replay window; answered at once, processed after.',
          security: PUBLIC,
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } }, 'application/x-www-form-urlencoded': { schema: { type: 'object' } } } },
          responses: { '200': { description: 'Acknowledged' }, '401': { description: 'Not signed by Slack, or too old' } },
        },
      },
    },
    components: {
      securitySchemes: {
        conversationToken: { type: 'http', scheme: 'bearer', description: 'The resumeToken returned when the conversation was started or resumed.' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN.' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN.' },
        coordinatorToken: { type: 'http', scheme: 'bearer', description: "A group round's coordinator token (from POST /api/groups or the coordinator link)." },
      },
      schemas: components(),
    },
  };
}
export type OpenApiDocument = ReturnType<typeof openApiDocument>;
