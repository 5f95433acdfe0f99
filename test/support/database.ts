import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';

export interface TestDatabase {
  url: string;
  embedded: boolean;
  drop(): Promise<void>;
}

/** The server tests run against: TEST_DATABASE_URL, else DATABASE_URL, else none (embedded PGlite). */
export const testServerUrl = (): string | undefined =>
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

/**
 * A fresh, empty database for one test file: a new database on the real server (dropped afterwards), so
 * files can run in parallel; or an in-memory embedded PostgreSQL when no server is configured.
 */
export async function provisionTestDatabase(): Promise<TestDatabase> {
  const server = testServerUrl();
  if (!server) {
    const embedded = await startEmbeddedDatabase();
    return { url: embedded.url, embedded: true, drop: () => embedded.stop() };
  }
  const name = `clientela_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    embedded: false,
    async drop() {
      const client = new Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
