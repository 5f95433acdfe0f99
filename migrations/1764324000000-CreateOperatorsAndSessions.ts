import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOperatorsAndSessions1764324000000 implements MigrationInterface {
  name = 'CreateOperatorsAndSessions1764324000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE operators (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(120) NOT NULL,
        email varchar(254) NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('admin', 'manager', 'agent')),
        password_hash varchar(255) NOT NULL,
        active boolean NOT NULL DEFAULT true,
        locale varchar(8) NOT NULL DEFAULT 'pt-BR' CHECK (locale IN ('pt-BR', 'en')),
        extension varchar(32),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX operators_email_key ON operators (lower(email))`);
    // The store of connect-pg-simple (its table.sql), under our own name.
    await q.query(`
      CREATE TABLE sessions (
        sid varchar NOT NULL PRIMARY KEY,
        sess json NOT NULL,
        expire timestamp(6) NOT NULL
      )`);
    await q.query(`CREATE INDEX sessions_expire_idx ON sessions (expire)`);
    // The store of rate-limiter-flexible (RateLimiterPostgres._getCreateTableStmt).
    await q.query(`
      CREATE TABLE rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limits`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE operators`);
  }
}
