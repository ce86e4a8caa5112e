/** `npm run chat`: the assessment in the terminal. `--resume CODE` continues a saved one; `--locale fr` starts in French. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadCatalog } from '../../core/definition.js';
import { loadLocales } from '../../i18n/words.js';
import { PACKAGE_ROOT } from '../../package-root.js';
import { bootstrap } from '../../bootstrap.js';
import { loadEnvFile } from '../../env-file.js';
import { toGovError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { runTerminalChat } from './terminal-chat.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { resume: { type: 'string' }, join: { type: 'string' }, locale: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  loadEnvFile();
  if (values.help) {
    // The content only (no store): the usage in the language asked for.
    const root = path.resolve(process.env.CONTENT_DIR ?? PACKAGE_ROOT);
    const flow = [...(await loadCatalog(root)).values()][0]?.flow;
    const locales = await loadLocales(root, flow ?? { locales: ['en'], defaultLocale: 'en' });
    process.stdout.write(locales.words(values.locale).t('terminal.usage'));
    return 0;
  }
  // Logs go to stderr so that stdout is the conversation alone.
  const services = await bootstrap({ logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr }) });
  try {
    await runTerminalChat({
      service: services.service,
      locales: services.locales,
      ...(values.locale ? { locale: values.locale } : {}),
      input: process.stdin,
      output: process.stdout,
      interactive: process.stdin.isTTY === true,
      reportDir: values.out ?? 'govstage-reports',
      ...(values.resume ? { resumeCode: values.resume } : {}),
      ...(values.join ? { join: { code: values.join, groups: services.groups } } : {}),
    });
    return 0;
  } finally {
    await services.store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Start-up failures (configuration, content, store) are for whoever runs it: the message says what and where.
    const e = toGovError(error);
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
