import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { lockDataDir, type LockOwner } from './data-dir-lock';
import { startEmbeddedDatabase } from './embedded-database';

export interface OpenDatabase {
  url: string;
  embedded: boolean;
  /** Set when the embedded database's lock was left by a process that no longer runs (a crash, a kill -9). */
  staleLockOwner?: LockOwner;
  close(): Promise<void>;
}

/**
 * `DATABASE_URL` when set; otherwise the embedded PostgreSQL persisted under `DATA_DIR/pglite`, opened by one
 * process at a time (throws `DataDirLockedError` naming the process that has it open).
 */
export async function openDatabase(config: AppConfig): Promise<OpenDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, close: async () => {} };
  const lock = lockDataDir(config.dataDir);
  try {
    const embedded = await startEmbeddedDatabase({ dataDir: join(config.dataDir, 'pglite') });
    return {
      url: embedded.url,
      embedded: true,
      staleLockOwner: lock.staleOwner,
      async close() {
        try {
          await embedded.stop();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
