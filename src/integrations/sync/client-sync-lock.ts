import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Pool, type PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { isEmbeddedUrl } from '../../database/embedded-database';
import { realSleep } from './provider-http';
import { SyncError } from './sync-error';

/** Lock holders at once on a real server: the client-sync worker (2) and the bulk run (1). */
const POOL_SIZE = 3;
const WAIT_MS = 5 * 60_000;
const POLL_MS = 250;

/**
 * One sync of a given client and provider at a time, across processes: a second sync could otherwise look
 * the customer up, find nothing, and create it a second time (Asaas allows duplicates).
 *
 * The lock must last across HTTP calls, which no transaction may (idle-in-transaction timeout, and on the
 * embedded database a transaction blocks every other connection), so it is a session advisory lock held on
 * a connection of a small pool of its own; PostgreSQL releases it if the process dies. An in-process queue
 * per key serialises syncs within the process too — and is all there is on the embedded database, which one
 * process owns and which must not get a second connection (embedded-database.ts).
 */
@Injectable()
export class ClientSyncLock implements OnApplicationShutdown {
  private readonly logger = new Logger('ClientSyncLock');
  /** Null on the embedded database: one process, one session — the in-process queue is the lock. */
  private readonly pool: Pool | null;
  private readonly tails = new Map<string, Promise<void>>();

  constructor(@InjectDataSource() dataSource: DataSource) {
    const { url } = dataSource.options as { url?: string };
    if (!url || isEmbeddedUrl(url)) {
      this.pool = null;
      return;
    }
    this.pool = new Pool({
      connectionString: url,
      max: POOL_SIZE,
      application_name: 'clientela-sync-locks',
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 10_000,
    });
    this.pool.on('error', (error) => this.logger.error({ err: error }, 'idle lock connection failed'));
  }

  async run<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    try {
      await previous;
      return this.pool ? await this.withAdvisoryLock(this.pool, key, fn, signal) : await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.end();
  }

  private async withAdvisoryLock<T>(
    pool: Pool,
    key: string,
    fn: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const connection = await pool.connect();
    let broken: Error | undefined;
    try {
      await this.acquire(connection, key, signal);
      try {
        return await fn();
      } finally {
        await connection
          .query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [lockName(key)])
          .catch((error: Error) => (broken = error)); // a dead connection released the lock with it
      }
    } finally {
      connection.release(broken);
    }
  }

  private async acquire(connection: PoolClient, key: string, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      signal?.throwIfAborted();
      const [row] = (
        await connection.query<{ ok: boolean }>(
          `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`,
          [lockName(key)],
        )
      ).rows;
      if (row.ok) return;
      if (Date.now() > deadline) throw new SyncError('busy');
      await realSleep(POLL_MS);
    }
  }
}

const lockName = (key: string) => `clientela:sync:${key}`;
