import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions that end for certain. Each operator has a session generation; a session stores the one it
 * was signed in with, and the store loads the session joined with the operator's row, refusing it when
 * the generations differ (or the operator is inactive or gone). Deactivation, a role change and a
 * password change move the generation on, so no session signed in before them works again — even one a
 * request in flight writes back. Sessions saved before this migration carry no generation and end once.
 *
 * The expression index finds an operator's sessions (to delete them) without reading every row.
 */
export class AddSessionGeneration1764324700000 implements MigrationInterface {
  name = 'AddSessionGeneration1764324700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE operators ADD COLUMN session_generation integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX sessions_operator_idx ON sessions ((sess -> 'operator' ->> 'id'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sessions_operator_idx`);
    await q.query(`ALTER TABLE operators DROP COLUMN session_generation`);
  }
}
