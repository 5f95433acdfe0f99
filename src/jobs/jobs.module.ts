import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue.service';

/**
 * The durable job queue every module's background work goes through (billing syncs, imports, webhook
 * deliveries, …). Global: a module defines its queues in onModuleInit and sends jobs without importing it.
 */
@Global()
@Module({ providers: [JobQueue], exports: [JobQueue] })
export class JobsModule {}
