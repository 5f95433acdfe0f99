import { DataSourceOptions } from 'typeorm';
import { isEmbeddedUrl } from './embedded-database';
import { ENTITIES, MIGRATIONS } from './schema';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DatabaseTuning {
  /** Connections in the app's one pool (TypeORM, session store and rate limiter share it). */
  poolSize?: number;
}

/**
 * One options builder for the app, the CLI and the tests. Timeouts, as connection parameters of this pool:
 * a pool that cannot connect fails within 2 s (→ 503) instead of waiting forever, and no web statement
 * or lock wait can hold a connection for long.
 */
export function dataSourceOptions(url: string, tuning: DatabaseTuning = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    // One connection on the embedded server (see isEmbeddedUrl); a real server gets a normal pool.
    poolSize: isEmbeddedUrl(url) ? 1 : (tuning.poolSize ?? 10),
    // Waiting for the single embedded connection is normal queueing, not an outage.
    connectTimeoutMS: isEmbeddedUrl(url) ? 15000 : 2000,
    applicationName: 'clientela',
    extra: {
      statement_timeout: 5000,
      lock_timeout: 1000,
      idle_in_transaction_session_timeout: 10000,
      idleTimeoutMillis: 30000,
      // A sequential scan always starts at the table's first page (not where the last one stopped), so a
      // search with more matches than the list counts shows the same first matches on every page
      // (client-list.sql.ts). The embedded server ignores it.
      options: '-c synchronize_seqscans=off',
    },
  };
}
