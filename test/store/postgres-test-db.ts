/**
 * Throw-away PostgreSQL storage for tests.
 *
 * With TEST_DATABASE_URL (set by .ci/run) the tests use that database;
 * without it, each test file creates its own database through the local
 * server's `postgres` database (trust auth on 127.0.0.1, as on the
 * development machine), so plain `npm test` works too. Inside it every test
 * gets a fresh schema, reached through the connection URL's
 * `options=-c search_path=…`, so test files (and tests) can run in
 * parallel without seeing each other's rows. Everything is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const LOCAL_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestSchema {
  /** A DATABASE_URL whose connections work in this schema only. */
  url: string;
  schema: string;
  drop: () => Promise<void>;
}

export interface TestDatabase {
  /** The database URL (its public schema is not used by the tests). */
  url: string;
  /** A fresh, empty schema. */
  freshSchema: () => Promise<TestSchema>;
  /** A client on the database, for tests that look at or damage rows directly. */
  client: (schema?: string) => Promise<pg.Client>;
  /** Drops every schema made here, and the database if this file created it. */
  close: () => Promise<void>;
}

export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  return client;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const given = process.env.TEST_DATABASE_URL;
  let url: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (given) {
    url = given;
  } else {
    const name = `govstage_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = await connect(LOCAL_ADMIN_URL).catch((error: unknown) => {
      throw new Error(
        `The PostgreSQL tests need a server: set TEST_DATABASE_URL, or run PostgreSQL on 127.0.0.1:5432 with trust auth for "postgres" (${(error as Error).message})`,
      );
    });
    try {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } finally {
      await admin.end();
    }
    const parsed = new URL(LOCAL_ADMIN_URL);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    dropDatabase = async () => {
      const again = await connect(LOCAL_ADMIN_URL);
      try {
        await again.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await again.end();
      }
    };
  }

  const schemas = new Set<string>();
  const dropSchema = async (schema: string) => {
    const client = await connect(url);
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    } finally {
      await client.end();
    }
    schemas.delete(schema);
  };

  return {
    url,
    async freshSchema() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const client = await connect(url);
      try {
        await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
      } finally {
        await client.end();
      }
      schemas.add(schema);
      return { url: withSearchPath(url, schema), schema, drop: () => dropSchema(schema) };
    },
    client: (schema) => connect(schema ? withSearchPath(url, schema) : url),
    async close() {
      if (dropDatabase) {
        await dropDatabase();
        return;
      }
      for (const schema of [...schemas]) await dropSchema(schema);
    },
  };
}

export interface OwnDatabase {
  url: string;
  name: string;
  /** Runs SQL on the server's `postgres` database, as an operator would (ALTER DATABASE …). */
  admin: (sql: string) => Promise<void>;
  drop: () => Promise<void>;
}

/**
 * A whole database of its own on the test server, for tests that change
 * database-level settings (such as refusing connections) that a schema
 * cannot have. Dropped, connections and all, by `drop`.
 */
export async function createOwnDatabase(): Promise<OwnDatabase> {
  const server = new URL(process.env.TEST_DATABASE_URL ?? LOCAL_ADMIN_URL);
  server.pathname = '/postgres';
  server.search = '';
  const adminUrl = server.toString();
  const name = `govstage_own_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = await connect(adminUrl);
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, admin, drop: () => admin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`) };
}
