/**
 * `npm run validate`: checks rubric/, flows/ and locales/ and says what is
 * wrong, with file and path (start-up runs the same checks).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadCatalog } from './core/definition.js';
import { loadLocales } from './i18n/words.js';

const root = path.resolve(process.argv[2] ?? process.env.CONTENT_DIR ?? '.');

async function main(): Promise<void> {
  const catalog = await loadCatalog(root);
  for (const [id, definition] of catalog) {
    const locales = await loadLocales(root, definition.flow, `flow ${id}`);
    process.stdout.write(`ok  ${id} v${definition.flow.version}: ${definition.questions.length} questions on rubric ${definition.rubric.id} v${definition.rubric.version} (${definition.rubric.oecd.characteristics.length} characteristics, ${definition.rubric.oecd.policies.length} policies, ${definition.themes.length} themes), locales ${locales.offered.join(', ')} (with their catalogues in locales/)\n`);
  }
}

/**
 * With a flow that fails, the catalogues of the locales it names are still
 * checked, so that adding a language lists every gap at once.
 */
async function catalogueProblemsBesides(): Promise<string[]> {
  const out: string[] = [];
  const dir = path.join(root, 'flows');
  for (const name of (await readdir(dir).catch(() => [])).filter((n) => /\.ya?ml$/.test(n))) {
    const flow = await readFile(path.join(dir, name), 'utf8').then(
      (text) => {
        try {
          return parseYaml(text) as unknown;
        } catch {
          return undefined;
        }
      },
      () => undefined,
    );
    const locales = typeof flow === 'object' && flow !== null && Array.isArray((flow as { locales?: unknown }).locales) ? ((flow as { locales: unknown[] }).locales.filter((l) => typeof l === 'string') as string[]) : [];
    if (locales.length === 0) continue;
    await loadLocales(root, { locales, defaultLocale: locales[0] as string }, path.join('flows', name)).catch((error: unknown) => out.push(error instanceof Error ? error.message : String(error)));
  }
  return out;
}

main().then(
  () => undefined,
  async (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    for (const more of await catalogueProblemsBesides().catch(() => [])) if (!String(error).includes(more)) process.stderr.write(`${more}\n`);
    process.exit(1);
  },
);
