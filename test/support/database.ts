import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/database/embedded-database';

export interface TestDatabase {
  url: string;
  embedded: boolean;
  drop(): Promise<void>;
}

/** The server tests run against: TEST_DATABASE_URL, else DATABASE_URL, else none (embedded PGlite). */
export const testServerUrl = (): string | undefined =>
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

/**
 * A fresh database for one test file: a new, empty database on the real server (dropped afterwards), so
 * files can run in parallel; or, when no server is configured, an in-memory embedded PostgreSQL with every
 * migration applied (the app finds none pending).
 */
export async function provisionTestDatabase(): Promise<TestDatabase> {
  const server = testServerUrl();
  if (!server) {
    const embedded = await migratedEmbeddedDatabase();
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
        await untilNoSessions(client, name);
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A closed app's connections end asynchronously, and on a busy machine some are still saying goodbye when
 * the test file drops its database: `WITH (FORCE)` would terminate them, and the client that owned one reports
 * an unhandled "terminating connection due to administrator command" in that file. So the drop waits for them
 * (a generous bound: a connection a test left open on purpose is terminated after it).
 */
async function untilNoSessions(admin: Client, database: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`,
      [database],
    );
    if (rows[0].n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * An empty PGlite runs initdb in WASM (about 4 s, more on a busy machine) before the app applies every
 * migration; for each of some fifty test files that was most of an embedded run. So the first file of a run
 * that needs one builds a migrated database and dumps it into the run's folder (jest-global-setup.js), and
 * every file starts from that dump, in memory, in about half a second. Without the run's folder (a custom jest
 * config), each file starts from an empty database as before.
 */
async function migratedEmbeddedDatabase(): Promise<EmbeddedDatabase> {
  const runDir = process.env.CLIENTELA_TEST_RUN_DIR;
  if (!runDir) return startEmbeddedDatabase();
  const template = join(runDir, 'pglite-migrated.tar');
  await onceForTheRun(template, async () => {
    const db = await startEmbeddedDatabase();
    try {
      const dataSource = new DataSource(dataSourceOptions(db.url));
      await dataSource.initialize();
      try {
        await dataSource.runMigrations({ transaction: 'each' });
      } finally {
        await dataSource.destroy();
      }
      return Buffer.from(await (await db.dumpDataDir()).arrayBuffer());
    } finally {
      await db.stop();
    }
  });
  return startEmbeddedDatabase({ loadDataDir: new Blob([readFileSync(template)]) });
}

/**
 * Writes `file` with what `make` returns unless it exists; of the jest workers asking at once, one makes it
 * (holding a lock directory) and the others wait for it.
 */
async function onceForTheRun(file: string, make: () => Promise<Buffer>): Promise<void> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + 180_000;
  while (!existsSync(file)) {
    let mine = false;
    try {
      mkdirSync(lock);
      mine = true;
    } catch {
      // A worker killed while making it leaves its lock behind; making it takes seconds, not minutes.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
    }
    if (mine) {
      try {
        if (!existsSync(file)) {
          writeFileSync(`${file}.${process.pid}`, await make());
          renameSync(`${file}.${process.pid}`, file);
        }
      } finally {
        rmdirSync(lock);
      }
      return;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
