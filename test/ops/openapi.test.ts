/**
 * The OpenAPI document against the real express app: every route the app
 * answers is documented (and nothing else), each operation has an
 * operationId and says its security (public: security: []), schemas are
 * named components referenced by $ref, and /api/docs is a readable page
 * generated from the document that the strict CSP allows.
 */
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../src/channels/channel.js';
import { createApp } from '../../src/channels/web/app.js';
import { openApiDocument } from '../../src/channels/web/openapi.js';
import { testServices } from '../helpers/server.js';

let services: Awaited<ReturnType<typeof testServices>>;
let app: Express;
beforeAll(async () => {
  services = await testServices();
  // Slack's HTTP receiver is mounted only in HTTP mode: a stand-in channel mounts the route.
  const slack: Channel = {
    name: 'slack',
    mount: (on) => void on.post('/slack/events', (_req, res) => void res.status(200).end()),
    start: async () => {},
    drain: async () => {},
    stop: async () => {},
  };
  app = createApp(services, { channels: [slack] });
});
afterAll(async () => services.cleanup());

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every route of the app, as "METHOD /path/{param}", walking mounted routers. */
function routesOf(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${path}`);
    }
    if (layer.handle?.stack) return routesOf(layer.handle.stack, `${prefix}${typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''}`);
    return [];
  });
}

const documented = (doc: ReturnType<typeof openApiDocument>) =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));

describe('the OpenAPI document', () => {
  it('documents exactly the routes the express app has', async () => {
    const routes = routesOf((app as unknown as { router: { stack: Layer[] } }).router.stack);
    expect(routes.length).toBeGreaterThan(15);
    expect(routes).toContain('GET /reports/{id}/{token}/{file}');
    const doc = (await request(app).get('/api/openapi.json')).body as ReturnType<typeof openApiDocument>;
    expect([...new Set(routes)].sort()).toEqual(documented(doc).sort());
  });

  it('names every operation, says its security, and references named schemas instead of inlining them', async () => {
    const doc = openApiDocument({ version: '1.2.3' });
    expect(doc.servers.length).toBeGreaterThan(0);
    expect(openApiDocument({ version: '1', publicUrl: 'https://govstage.example.gov/' }).servers[0]?.url).toBe('https://govstage.example.gov');
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item as Record<string, { operationId: string; security?: unknown[] }>)) {
        expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        // Public operations say so; the rest inherit the bearer token or name their own scheme.
        const security = op.security ?? doc.security;
        const open = ['startConversation', 'resumeConversation', 'getWidgetWords', 'getAdminPage', 'getGroupPage', 'getReportSchema', 'getReportPage', 'downloadReportByLink', 'getOpenApiDocument', 'getApiReference', 'getLiveness', 'getReadiness', 'receiveSlackEvent'];
        // Group rounds: creating one, looking up and using an invitation, and what a handed-out report link opens.
        open.push('getIntroduction', 'createGroupRound', 'lookUpInvitation', 'joinGroupRound', 'getGroupReportSchema', 'getGroupReportPage', 'downloadGroupReportByLink');
        if (open.includes(op.operationId)) expect(op.security, op.operationId).toEqual([]);
        else expect(security.length, op.operationId).toBeGreaterThan(0);
      }
    }
    const schemas = doc.components.schemas as Record<string, unknown>;
    for (const name of ['Message', 'Error', 'Started', 'TurnReply', 'ConversationView', 'TurnRequest', 'AssessmentReport', 'Overview']) expect(schemas[name], name).toBeDefined();
    const text = JSON.stringify(doc);
    expect(text).toContain('"$ref":"#/components/schemas/Message"');
    // The message model is defined once, not copied into every answer.
    expect(text.split('"const":"question"').length - 1).toBe(1);
    expect(text).not.toContain('"$schema"');
    // With the group-round API (20 operations) it is about 100 KB; inlining the 13 KB message model anywhere would show.
    expect(text.length).toBeLessThan(105_000);
  });

  it('/api/docs is a readable page of every operation and schema, allowed by the CSP (no script, no inline style)', async () => {
    const res = await request(app).get('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const html = res.text;
    const doc = openApiDocument({ version: '1' });
    for (const item of Object.values(doc.paths)) for (const op of Object.values(item as Record<string, { operationId: string }>)) expect(html).toContain(`id="op-${op.operationId}"`);
    for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`id="schema-${name}"`);
    expect(html).not.toMatch(/<script|style=|\son[a-z]+=|https?:\/\/(?!govstage)/i);
    expect(html).toContain('<link rel="stylesheet" href="/api-docs.css">');
    expect((await request(app).get('/api-docs.css')).status).toBe(200);
  });
});
