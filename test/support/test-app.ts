import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { provisionTestDatabase, type TestDatabase } from './database';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  db: TestDatabase;
  dataSource: DataSource;
  /** The base URL when started with `listen: true` (browser tests). */
  baseUrl: string;
  http(): ReturnType<typeof request.agent>;
  close(): Promise<void>;
}

/** The real app (same bootstrap as main.ts) on a fresh database with migrations applied. */
export async function startTestApp(
  options: { listen?: boolean; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const db = await provisionTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'clientela-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    APP_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const app = await createApp(config, db.url);
  let baseUrl = '';
  if (options.listen) {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    baseUrl = `http://127.0.0.1:${address.port}`;
  } else {
    await app.init();
  }
  return {
    app,
    config,
    db,
    dataSource: app.get(DataSource),
    baseUrl,
    http: () => request.agent(app.getHttpServer()),
    async close() {
      await app.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
