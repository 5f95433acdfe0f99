import { randomUUID } from 'node:crypto';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { serializeError } from './common/log-serializers';
import { HttpExceptionFilter } from './common/errors/http-exception.filter';
import type { AppConfig } from './config/app-config';
import { APP_CONFIG } from './config/app-config.token';
import { dataSourceOptions } from './database/data-source-options';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { ClientsModule } from './clients/clients.module';
import { HistoryModule } from './history/history.module';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { RelationshipsModule } from './relationships/relationships.module';
import { ScheduleModule } from '@nestjs/schedule';
import { ContractsModule } from './contracts/contracts.module';
import { DisplacementsModule } from './displacements/displacements.module';
import { TicketsModule } from './tickets/tickets.module';
import { TelephonyModule } from './integrations/telephony/telephony.module';
import { SyncModule } from './integrations/sync/sync.module';
import { AsaasModule } from './integrations/asaas/asaas.module';
import { ContaAzulModule } from './integrations/conta-azul/conta-azul.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (req, res) => {
              const id = randomUUID();
              res.setHeader('X-Request-Id', id);
              return id;
            },
            redact: {
              paths: [
                'req.headers.cookie',
                'req.headers.authorization',
                'req.headers["x-csrf-token"]',
                'res.headers["set-cookie"]',
              ],
              remove: true,
            },
            autoLogging: {
              ignore: (req) =>
                req.url === '/healthz' ||
                req.url === '/readyz' ||
                (req.url ?? '').startsWith('/assets') ||
                (req.url ?? '').startsWith('/vendor'),
            },
            // No query strings (search terms) or headers in logs: ids, method, path and status only. Errors
            // say what failed, never the values involved (query parameters, a row's detail, a pg client).
            serializers: {
              err: serializeError,
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url.split('?')[0],
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
        TypeOrmModule.forRoot({ ...dataSourceOptions(databaseUrl), migrationsRun: true }),
        CommonModule,
        JobsModule,
        HealthModule,
        AuthModule,
        EventEmitterModule.forRoot(),
        ClientsModule,
        HistoryModule,
        RelationshipsModule,
        ScheduleModule.forRoot(),
        ContractsModule,
        DisplacementsModule,
        TicketsModule,
        TelephonyModule,
        SyncModule,
        AsaasModule,
        ContaAzulModule,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
      exports: [APP_CONFIG],
      global: true,
    };
  }
}
