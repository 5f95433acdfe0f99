import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabase {
  url: string;
  /** The whole data directory as an uncompressed tarball, which `loadDataDir` opens again as it is now. */
  dumpDataDir(): Promise<Blob>;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Where the database persists; undefined keeps it in memory (tests). */
  dataDir?: string;
  /** Starts from a `dumpDataDir()` tarball instead of an empty database (skips initdb, ~4 s). */
  loadDataDir?: Blob;
}

/** How many client connections the embedded server accepts; every pool of the app must fit inside. */
export const EMBEDDED_MAX_CONNECTIONS = 20;

const runningUrls = new Set<string>();

/**
 * True for the URL of an embedded server started by this process. pglite-socket serves every connection
 * from one PGlite session and interleaves their extended-protocol messages, so two connections running
 * parameterised queries at once can break each other ("portal does not exist"): pools on it must have
 * ONE connection, which serialises all queries of the process (see dataSourceOptions).
 */
export const isEmbeddedUrl = (url: string): boolean => runningUrls.has(url);

/**
 * Starts PostgreSQL (PGlite, WASM) in-process and exposes it on a loopback TCP port, so the normal `pg`
 * driver, TypeORM transactions and the session store behave exactly as on a real server
 * (`typeorm-pglite` shares one session between "connections", so one's COMMIT commits another's work).
 */
export async function startEmbeddedDatabase(
  options: EmbeddedDatabaseOptions = {},
): Promise<EmbeddedDatabase> {
  const { dataDir, loadDataDir } = options;
  if (dataDir) mkdirSync(dirname(dataDir), { recursive: true }); // PGlite only creates the leaf folder
  const db = await PGlite.create({ dataDir, loadDataDir, extensions: { pg_trgm, unaccent } });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: EMBEDDED_MAX_CONNECTIONS,
  });
  await server.start();
  let stopped = false;
  const url = `postgres://postgres:postgres@${server.getServerConn()}/postgres`;
  runningUrls.add(url);
  return {
    url,
    dumpDataDir: () => db.dumpDataDir('none'),
    async stop() {
      if (stopped) return;
      stopped = true;
      runningUrls.delete(url);
      await server.stop();
      await db.close();
    },
  };
}
