/** `npm run validate`: checks rubric/ and flows/ and says what is wrong, with file and path. */
import path from 'node:path';
import { loadCatalog } from './definition.js';

const root = path.resolve(process.argv[2] ?? process.env.CONTENT_DIR ?? '.');
loadCatalog(root).then(
  (catalog) => {
    for (const [id, definition] of catalog) {
      process.stdout.write(`ok  ${id} v${definition.flow.version}: ${definition.questions.length} questions on rubric ${definition.rubric.id} v${definition.rubric.version} (${definition.rubric.oecd.characteristics.length} characteristics, ${definition.rubric.oecd.policies.length} policies, ${definition.themes.length} themes), locales ${definition.flow.locales.join(', ')}\n`);
    }
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
