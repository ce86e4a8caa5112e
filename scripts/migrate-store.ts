/**
 * `npm run migrate-store -- --from-dir ./data`: copies every conversation of
 * a lowdb data folder into the PostgreSQL database at DATABASE_URL (creating
 * or upgrading its schema first). Stop the lowdb server first, or run it
 * again after the switch: it is idempotent and catches up what changed.
 *
 * Exit status: 0 everything readable was moved; 2 some conversations were
 * damaged or refused (listed on stderr; the rest were moved); 1 it could not
 * run (bad arguments, database unreachable).
 */
import { parseArgs } from 'node:util';
import { loadEnvFile } from '../src/env-file.js';
import { toGovError } from '../src/errors.js';
import { moveLowdbToPostgres } from '../src/store/postgres/move-from-lowdb.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';

const USAGE = 'Usage: DATABASE_URL=postgres://user:password@host:5432/db npm run migrate-store -- --from-dir ./data\n';

async function main(): Promise<number> {
  loadEnvFile();
  let fromDir: string | undefined;
  try {
    const { values } = parseArgs({ options: { 'from-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    fromDir = values['from-dir'];
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return 1;
  }
  const url = process.env.DATABASE_URL;
  if (!fromDir || !url) {
    process.stderr.write(`${!fromDir ? 'Say which lowdb folder to read with --from-dir.' : 'Set DATABASE_URL.'}\n${USAGE}`);
    return 1;
  }

  const target = new PostgresStore({ connectionString: url });
  await target.open();
  try {
    process.stdout.write(`Moving conversations from ${fromDir} into PostgreSQL ${target.target} (schema version ${target.migration?.to})\n`);
    let handled = 0;
    const report = await moveLowdbToPostgres({
      fromDir,
      target,
      onProgress: (event) => {
        if (event.outcome === 'damaged') process.stderr.write(`damaged, skipped: ${event.id}: ${event.message}\n`);
        if (event.outcome === 'failed') process.stderr.write(`refused, skipped: ${event.id}: ${event.message}\n`);
        if (++handled % 1000 === 0) process.stdout.write(`… ${handled} conversations\n`);
      },
    });
    process.stdout.write(
      `found ${report.found}: copied ${report.created}, updated ${report.updated}, already there ${report.skipped}, damaged ${report.damaged.length}, refused ${report.failed.length}\n`,
    );
    const r = report.rounds;
    if (r.found > 0) process.stdout.write(`group rounds found ${r.found}: copied ${r.created}, updated ${r.updated}, already there ${r.skipped}, damaged ${r.damaged.length}, refused ${r.failed.length}\n`);
    const notMoved = report.damaged.length + report.failed.length + r.damaged.length + r.failed.length;
    if (notMoved > 0) {
      process.stderr.write(`${notMoved} conversation(s) were not moved (listed above); everything else was.\n`);
      return 2;
    }
    return 0;
  } finally {
    await target.close();
  }
}

// exitCode, not exit(): output still being written to a pipe is not cut off.
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`migrate-store failed: ${toGovError(error).message}\n`);
    process.exitCode = 1;
  },
);
