import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import type { AppConfig } from './config/app-config';

/** Builds the configured (not yet listening) app; main.ts and the HTTP/browser tests share it. */
export async function createApp(config: AppConfig, databaseUrl: string): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl), {
    bodyParser: false, // configureApp registers them before CSRF, which reads the token from the body
    bufferLogs: true,
  });
  app.useLogger(quietWiring(app.get(PinoLogger)));
  await configureApp(app, config);
  return app;
}

/**
 * Nest reports, at info level, every module it wires and every route it maps (over a hundred lines on each
 * start), which buries the lines a person starting the app needs. Those go to debug (`LOG_LEVEL=debug`).
 */
const WIRING_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

function quietWiring(logger: PinoLogger): LoggerService {
  return {
    log: (message: unknown, ...params: unknown[]) =>
      WIRING_CONTEXTS.has(params.at(-1) as string)
        ? logger.debug(message, ...params)
        : logger.log(message, ...params),
    error: (message: unknown, ...params: unknown[]) => logger.error(message, ...params),
    warn: (message: unknown, ...params: unknown[]) => logger.warn(message, ...params),
    debug: (message: unknown, ...params: unknown[]) => logger.debug(message, ...params),
    verbose: (message: unknown, ...params: unknown[]) => logger.verbose(message, ...params),
    fatal: (message: unknown, ...params: unknown[]) => logger.fatal(message, ...params),
  };
}
