import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { OperatorsService } from './auth/operators.service';
import { createApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';
import { DataDirLockedError } from './database/data-dir-lock';
import { openDatabase } from './database/open-database';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config);
  const app = await createApp(config, database.url);
  const logger = new Logger('Main');

  // A stray rejection or pool error is logged, never fatal.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

  if (database.staleLockOwner) {
    logger.warn(
      `The embedded database was left open by process ${database.staleLockOwner.pid}, which no longer runs (not stopped cleanly); taken over.`,
    );
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: finishing in-flight requests`);
    await app.close(); // stops accepting, waits for open requests, closes the pool
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  // The last line a newcomer sees says where to go: with no operator yet, every page leads to /setup.
  const firstStart = !(await app.get(OperatorsService).hasAnyOperator());
  await app.listen(config.port, config.host);
  logger.log(
    `Clientela listening on ${config.publicUrl} (${database.embedded ? `embedded PostgreSQL in ${config.dataDir}` : 'PostgreSQL from DATABASE_URL'})`,
  );
  if (firstStart) logger.log(`First start: open ${config.publicUrl}/setup to create the first admin.`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    console.error(error.message);
  } else {
    console.error('Clientela failed to start:', error);
  }
  process.exit(1);
});
