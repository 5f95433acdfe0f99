import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PgBoss, type Job, type Queue, type SendOptions } from 'pg-boss';
import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { sharedPool } from '../database/shared-pool';
import { isEmbeddedUrl } from '../database/embedded-database';

/** pg-boss's own pool on a real server: polling two queues, heartbeats and sends need few connections. */
const POOL_SIZE = 3;
/** How long a graceful stop waits for running handlers before pg-boss fails them (they are retried). */
const STOP_TIMEOUT_MS = 15_000;

export interface QueueDefinition<T extends object> {
  name: string;
  options: Omit<Queue, 'name'>;
  /** Jobs of this queue one process runs at the same time. */
  concurrency: number;
  handler: (job: Job<T>, signal: AbortSignal) => Promise<void>;
}

/**
 * The durable job queue (pg-boss 12, in the `pgboss` schema of the app's database — real PostgreSQL or the
 * embedded PGlite alike). Jobs are sent inside the transaction that records what they are for, so a
 * request either commits both or neither; workers start once every module has defined its queues, and stop
 * gracefully with the app: a handler sees `signal` abort, stops at a safe point and throws, and pg-boss
 * retries the job later (here or on another instance). A job whose process died is retried once its
 * heartbeat goes stale.
 */
@Injectable()
export class JobQueue implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('JobQueue');
  private boss: PgBoss | null = null;
  private readonly queues: Array<QueueDefinition<object>> = [];
  private readonly workers = new Map<string, string>();
  private readonly stopping = new AbortController();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Modules define their queues in onModuleInit; the workers start at bootstrap. */
  define<T extends object>(queue: QueueDefinition<T>): void {
    this.queues.push(queue as unknown as QueueDefinition<object>);
  }

  async onModuleInit(): Promise<void> {
    const { url } = this.dataSource.options as { url?: string };
    if (!url) throw new Error('JobQueue needs the database URL of the TypeORM data source');
    // No cron here (the app's schedules use @nestjs/schedule); supervision retries expired jobs.
    const common = { application_name: 'clientela-jobs', schedule: false } as const;
    const boss = isEmbeddedUrl(url)
      ? // The embedded server must see one connection per process (embedded-database.ts): pg-boss runs its
        // statements through the app's pool instead of opening its own.
        new PgBoss({ ...common, db: viaPool(sharedPool(this.dataSource)) })
      : new PgBoss({ ...common, connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: 5_000 });
    boss.on('error', (error) => this.logger.error({ err: error }, 'job queue error'));
    await boss.start();
    this.boss = boss;
  }

  async onApplicationBootstrap(): Promise<void> {
    const boss = this.requireBoss();
    for (const queue of this.queues) {
      await boss.createQueue(queue.name, queue.options);
      const id = await boss.work<object>(
        queue.name,
        { localConcurrency: queue.concurrency, pollingIntervalSeconds: 2 },
        async ([job]) => {
          // Aborted when the app stops, or when pg-boss finds the job's claim gone (heartbeat lost).
          await queue.handler(job, AbortSignal.any([job.signal, this.stopping.signal]));
        },
      );
      this.workers.set(queue.name, id);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    const boss = this.boss;
    this.boss = null;
    if (boss) await boss.stop({ graceful: true, timeout: STOP_TIMEOUT_MS });
  }

  /**
   * Enqueues a job inside `manager`'s transaction (so it exists only if that transaction commits), or on
   * its own. Returns null when the queue's policy refused it as a duplicate (same `singletonKey` waiting).
   */
  async send(
    name: string,
    data: object,
    options: SendOptions = {},
    manager?: EntityManager,
  ): Promise<string | null> {
    const boss = this.requireBoss();
    const runner = manager?.queryRunner;
    if (!runner) return boss.send(name, data, options);
    const db = {
      executeSql: async (text: string, values?: unknown[]) => ({
        rows: (await runner.query(text, values, true)).records as unknown[],
      }),
    };
    return boss.send(name, data, { ...options, db });
  }

  /** Started and not stopping (a quick start-and-close, as in tests, may never get here). */
  get running(): boolean {
    return this.boss !== null && !this.stopping.signal.aborted;
  }

  /** Wakes this process's worker (after the sending transaction committed) instead of waiting for its poll. */
  wake(name: string): void {
    const id = this.workers.get(name);
    if (id && this.boss) this.boss.notifyWorker(id);
  }

  private requireBoss(): PgBoss {
    if (!this.boss) throw new Error('job queue not started (or already stopped)');
    return this.boss;
  }
}

/** pg-boss's database interface over a pg pool (it unwraps the results of multi-statement texts itself). */
function viaPool(pool: Pool) {
  return {
    executeSql: async (text: string, values?: unknown[]) =>
      (await pool.query(text, values)) as unknown as { rows: unknown[] },
  };
}
