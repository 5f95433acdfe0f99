import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import type { AppConfig } from './config/app-config';

/** Builds the configured (not yet listening) app; main.ts and the HTTP/browser tests share it. */
export async function createApp(config: AppConfig, databaseUrl: string): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl), {
    bodyParser: false, // configureApp registers it before CSRF, which must read the parsed `_csrf` field
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  await configureApp(app, config);
  return app;
}
