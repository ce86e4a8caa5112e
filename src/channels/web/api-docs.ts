/**
 * GET /api/docs: the OpenAPI document as a readable page, rendered on the
 * server from the same document (no script, no CDN, nothing the strict CSP
 * forbids; its stylesheet is public/api-docs.css). Every text is escaped.
 */
import type { OpenApiDocument } from './openapi.js';

type Json = Record<string, unknown>;

const esc = (text: unknown) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const anchor = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '-');
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const refName = (ref: string) => ref.split('/').pop() ?? ref;

/** A one-line type: names link to their schema. */
function typeOf(schema: unknown): string {
  if (!isObject(schema)) return 'any';
  if (typeof schema.$ref === 'string') return `<a href="#schema-${anchor(refName(schema.$ref))}">${esc(refName(schema.$ref))}</a>`;
  if ('const' in schema) return `<code>${esc(JSON.stringify(schema.const))}</code>`;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(', ')}`;
  const union = (schema.oneOf ?? schema.anyOf) as unknown;
  if (Array.isArray(union)) return union.map(typeOf).join(' | ');
  if (Array.isArray(schema.allOf)) return schema.allOf.map(typeOf).join(' &amp; ');
  if (schema.type === 'array') return `array of ${typeOf(schema.items)}`;
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : typeof schema.type === 'string' ? schema.type : 'any';
  const facets = [schema.format, schema.pattern !== undefined ? `pattern ${String(schema.pattern)}` : undefined, schema.maxLength !== undefined ? `at most ${String(schema.maxLength)} characters` : undefined].filter(Boolean);
  return `${esc(type)}${facets.length ? ` <span class="facets">(${esc(facets.join(', '))})</span>` : ''}`;
}

/** An object's properties as a table; inline objects and unions of objects are expanded (a few levels deep). */
function properties(schema: unknown, depth = 0): string {
  if (!isObject(schema) || depth > 3) return '';
  const union = (schema.oneOf ?? schema.anyOf) as unknown;
  if (Array.isArray(union) && union.some((v) => isObject(v) && isObject(v.properties))) {
    return `<ol class="variants">${union.map((v) => `<li>${isObject(v) && isObject(v.properties) ? properties(v, depth + 1) : typeOf(v)}</li>`).join('')}</ol>`;
  }
  if (!isObject(schema.properties)) return '';
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const rows = Object.entries(schema.properties).map(([name, property]) => {
    const p = isObject(property) ? property : {};
    const inner = p.type === 'array' && isObject(p.items) && !p.items.$ref ? properties(p.items, depth + 1) : !p.$ref ? properties(p, depth + 1) : '';
    return `<tr><td><code>${esc(name)}</code>${required.has(name) ? '' : ' <span class="optional">optional</span>'}</td><td>${typeOf(p)}${typeof p.description === 'string' ? `<div>${esc(p.description)}</div>` : ''}${inner}</td></tr>`;
  });
  return `<table class="props"><thead><tr><th>field</th><th>type</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function content(body: unknown): string {
  if (!isObject(body) || !isObject(body.content)) return '';
  return Object.entries(body.content)
    .map(([type, media]) => `<div class="media"><code>${esc(type)}</code> ${isObject(media) ? typeOf(media.schema) : ''}</div>`)
    .join('');
}

function securityOf(operation: Json, document: Json): string {
  const requirements = (Array.isArray(operation.security) ? operation.security : document.security) as unknown[];
  if (!Array.isArray(requirements) || requirements.length === 0) return 'none (public)';
  const schemes = isObject(document.components) && isObject(document.components.securitySchemes) ? document.components.securitySchemes : {};
  return requirements
    .flatMap((r) => (isObject(r) ? Object.keys(r) : []))
    .map((name) => {
      const scheme = schemes[name];
      return `<code>Authorization: Bearer</code> ${esc(name)}${isObject(scheme) && typeof scheme.description === 'string' ? `: ${esc(scheme.description)}` : ''}`;
    })
    .join(' or ');
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function apiDocsHtml(doc: OpenApiDocument): string {
  const document = doc as unknown as Json;
  const paths = document.paths as Record<string, Json>;
  const operations = Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => isObject(item[m])).map((method) => ({ path, method, op: item[method] as Json })),
  );
  const tags = (document.tags as { name: string; description?: string }[]) ?? [];
  const toc = tags
    .map((tag) => {
      const ops = operations.filter((o) => Array.isArray(o.op.tags) && o.op.tags.includes(tag.name));
      return `<li>${esc(tag.name)}<ul>${ops.map((o) => `<li><a href="#op-${anchor(String(o.op.operationId))}"><span class="method ${o.method}">${o.method.toUpperCase()}</span> <code>${esc(o.path)}</code></a></li>`).join('')}</ul></li>`;
    })
    .join('');
  const sections = tags
    .map((tag) => {
      const ops = operations.filter((o) => Array.isArray(o.op.tags) && o.op.tags.includes(tag.name));
      return `<section><h2 id="tag-${anchor(tag.name)}">${esc(tag.name)}</h2>${tag.description ? `<p>${esc(tag.description)}</p>` : ''}${ops
        .map(({ path, method, op }) => {
          const params = Array.isArray(op.parameters) ? (op.parameters as Json[]) : [];
          const responses = isObject(op.responses) ? op.responses : {};
          return `<article class="operation" id="op-${anchor(String(op.operationId))}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
<p class="summary">${esc(op.summary ?? '')} <span class="opid">${esc(op.operationId)}</span></p>
${typeof op.description === 'string' ? `<p>${esc(op.description)}</p>` : ''}
<p><strong>Authorization:</strong> ${securityOf(op, document)}</p>
${params.length ? `<h4>Parameters</h4><table class="props"><tbody>${params.map((p) => `<tr><td><code>${esc(p.name)}</code> <span class="optional">${esc(p.in)}</span></td><td>${typeOf(p.schema)}${typeof p.description === 'string' ? `<div>${esc(p.description)}</div>` : ''}</td></tr>`).join('')}</tbody></table>` : ''}
${isObject(op.requestBody) ? `<h4>Request body${op.requestBody.required ? '' : ' (optional)'}</h4>${content(op.requestBody)}` : ''}
<h4>Responses</h4><table class="props"><tbody>${Object.entries(responses).map(([status, r]) => `<tr><td><code>${esc(status)}</code></td><td>${isObject(r) ? `${esc(r.description ?? '')}${content(r)}` : ''}</td></tr>`).join('')}</tbody></table>
</article>`;
        })
        .join('')}</section>`;
    })
    .join('');
  const schemas = isObject(document.components) && isObject(document.components.schemas) ? document.components.schemas : {};
  const schemaSections = Object.entries(schemas)
    .map(([name, schema]) => `<article class="schema" id="schema-${anchor(name)}"><h3>${esc(name)}</h3>${isObject(schema) && typeof schema.description === 'string' ? `<p>${esc(schema.description)}</p>` : ''}${properties(schema) || `<p>${typeOf(schema)}</p>`}</article>`)
    .join('');
  const info = document.info as { title: string; version: string; description?: string };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} ${esc(info.version)}: reference</title>
<link rel="stylesheet" href="/api-docs.css">
</head>
<body>
<header><h1>${esc(info.title)} <span class="version">${esc(info.version)}</span></h1>
<p>${esc(info.description ?? '')}</p>
<p>The machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${esc(document.openapi)}).</p></header>
<nav aria-label="Operations"><h2>Operations</h2><ul>${toc}</ul><p><a href="#schemas">Schemas</a></p></nav>
<main>${sections}<section id="schemas"><h2>Schemas</h2>${schemaSections}</section></main>
</body>
</html>
`;
}
