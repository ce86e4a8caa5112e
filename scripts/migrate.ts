/**
 * `npm run migrate`: brings the PostgreSQL schema at DATABASE_URL up to date
 * and prints its version. Safe to run while servers run or start (the steps
 * take an advisory lock) and safe to run again (it applies only what is missing).
 *
 *   DATABASE_URL=postgres://govstage:…@db.internal:5432/govstage npm run migrate
 */
import { loadEnvFile } from '../src/env-file.js';
import { toGovError } from '../src/errors.js';
import { LATEST_SCHEMA_VERSION } from '../src/store/postgres/migrations.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';

async function main(): Promise<number> {
  loadEnvFile();
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('Set DATABASE_URL, e.g. DATABASE_URL=postgres://govstage:password@127.0.0.1:5432/govstage npm run migrate\n');
    return 1;
  }
  const store = new PostgresStore({ connectionString: url, migrate: false });
  await store.open();
  try {
    const outcome = await store.migrate();
    const what = outcome.applied.length > 0 ? `applied ${outcome.applied.join(', ')} (was ${outcome.from})` : 'already current';
    process.stdout.write(`PostgreSQL ${store.target}: schema version ${outcome.to}, ${what}\n`);
    if (outcome.to > LATEST_SCHEMA_VERSION) {
      process.stdout.write(`Note: the database is ahead of this Govstage (which knows up to version ${LATEST_SCHEMA_VERSION}); nothing was changed.\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

// exitCode, not exit(): output still being written to a pipe is not cut off.
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`migrate failed: ${toGovError(error).message}\n`);
    process.exitCode = 1;
  },
);
