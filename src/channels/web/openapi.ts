/** The OpenAPI 3.1 document of the HTTP API, generated from the zod schemas in schemas.ts. */
import { z } from 'zod';
import * as s from './schemas.js';

const json = (schema: z.ZodType) => ({ 'application/json': { schema: z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) } });
const jsonIn = (schema: z.ZodType) => ({ 'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) } });
const error = (description: string) => ({ description, content: json(s.ErrorBody) });
const bearer = [{ bearer: [] }];
const idParam = { name: 'id', in: 'path', required: true, schema: z.toJSONSchema(s.ConversationId) };

export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Govstage API',
      version,
      description: 'Chat-style OECD Digital Government self-assessment (Principle 2). Every error is JSON {error:{code,message}}.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The resumeToken returned when the conversation was created or resumed.' } } },
    paths: {
      '/api/conversations': {
        post: {
          summary: 'Start a conversation',
          requestBody: { required: false, content: jsonIn(s.CreateConversationBody) },
          responses: { '201': { description: 'Started', content: json(s.StartedBody) }, '400': error('Bad input'), '429': error('Rate limited') },
        },
      },
      '/api/conversations/{id}': {
        get: {
          summary: 'Status, transcript and current prompt, for resuming',
          security: bearer,
          parameters: [idParam],
          responses: { '200': { description: 'The conversation', content: json(s.ConversationViewBody) }, '401': error('Missing or wrong token, or no such conversation') },
        },
      },
      '/api/conversations/{id}/turns': {
        post: {
          summary: 'Send one reply (a choice id or typed text)',
          description: 'turnId is chosen by the client: a retried turn with the same id returns the same answer instead of advancing twice. With revision, a reply to a step that has moved on is refused with 409.',
          security: bearer,
          parameters: [idParam],
          requestBody: { required: true, content: jsonIn(s.TurnBody) },
          responses: {
            '200': { description: "The bot's next messages", content: json(s.TurnReplyBody) },
            '400': error('Bad input'),
            '401': error('Missing or wrong token, or no such conversation'),
            '409': error('Stale answer or reused turn id; messages show where the conversation stands'),
            '413': error('Body too large'),
            '429': error('Rate limited'),
          },
        },
      },
      '/api/conversations/{id}/resume-code': {
        post: {
          summary: 'Save and continue later: issue a fresh resume code',
          security: bearer,
          parameters: [idParam],
          responses: { '200': { description: 'A new code (the previous one stops working)', content: json(s.ResumeCodeBody) }, '401': error('Missing or wrong token') },
        },
      },
      '/api/resume': {
        post: {
          summary: 'Exchange a resume code for access (on this device; the previous token stops working)',
          requestBody: { required: true, content: jsonIn(s.ResumeBody) },
          responses: {
            '200': { description: 'Resumed', content: json(s.ResumedBody) },
            '400': error('Bad input'),
            '404': error('Unknown code'),
            '410': error('Expired code'),
            '429': error('Too many attempts'),
          },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'Running' } } } },
      '/readyz': { get: { summary: 'Readiness (the store answers)', responses: { '200': { description: 'Ready' }, '503': error('Not ready') } } },
    },
  };
}
