/** `npm run chat`: the assessment in the terminal. `--resume CODE` continues a saved one. */
import { parseArgs } from 'node:util';
import { bootstrap } from '../../bootstrap.js';
import { loadEnvFile } from '../../env-file.js';
import { toGovError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { runTerminalChat } from './terminal-chat.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { resume: { type: 'string' }, join: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write('Usage: npm run chat [-- --resume CODE | --join INVITATION-CODE] [--out DIR]\nType your replies; pipe a file of replies (one per line) to script an assessment.\n--join takes part in a group round: you say which perspective you answer from (and, only if you want, your name and unit).\nOnce finished, type "report" to save the report (Markdown, JSON, CSV) in DIR (default ./govstage-reports).\n');
    return 0;
  }
  loadEnvFile();
  // Logs go to stderr so that stdout is the conversation alone.
  const services = await bootstrap({ logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr }) });
  try {
    await runTerminalChat({
      service: services.service,
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
    const e = toGovError(error);
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
