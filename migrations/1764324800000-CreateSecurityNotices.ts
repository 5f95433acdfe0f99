import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What happened to an operator's second factor (turned on, turned off, reset by an admin), kept until the
 * operator has seen it on the first page after their next login — so a change they did not make does
 * not go unnoticed. The actor is kept by id (their name is read when the notice is shown).
 */
export class CreateSecurityNotices1764324800000 implements MigrationInterface {
  name = 'CreateSecurityNotices1764324800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE security_notices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        event varchar(32) NOT NULL CHECK (event IN ('totp.enabled', 'totp.disabled', 'totp.reset')),
        actor_id uuid REFERENCES operators (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        shown_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX security_notices_unshown_idx ON security_notices (operator_id) WHERE shown_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE security_notices`);
  }
}
