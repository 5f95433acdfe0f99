import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/** The pg pool TypeORM opened; the session store, rate limiter and job queue share it (one pool to size and watch). */
export function sharedPool(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}
