/**
 * Writes the OpenAPI document (as the server serves it) to a file, for the
 * linter and for anyone who wants it without running the server:
 *
 *   npx tsx scripts/openapi.ts dist/openapi.json
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openApiDocument } from '../src/channels/web/openapi.js';
import { PACKAGE_VERSION } from '../src/package-root.js';

const out = process.argv[2] ?? 'dist/openapi.json';
await mkdir(path.dirname(path.resolve(out)), { recursive: true });
await writeFile(out, `${JSON.stringify(openApiDocument({ version: PACKAGE_VERSION }), null, 2)}\n`);
process.stdout.write(`wrote ${out}\n`);
