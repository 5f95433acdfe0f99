import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { startEmbeddedDatabase } from './embedded-database';

export interface OpenDatabase {
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

/** `DATABASE_URL` when set; otherwise the embedded PostgreSQL persisted under `DATA_DIR/pglite`. */
export async function openDatabase(config: AppConfig): Promise<OpenDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, close: async () => {} };
  const embedded = await startEmbeddedDatabase(join(config.dataDir, 'pglite'));
  return { url: embedded.url, embedded: true, close: () => embedded.stop() };
}
