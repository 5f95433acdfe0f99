import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two-factor authentication for operators and the deletion of clients.
 *
 * - TOTP state lives on the operator: the seed sealed with AES-256-GCM (never in clear), the last time
 *   step used (replay guard, claimed with one conditional UPDATE) and the failure counters.
 * - `client_deletions` is the proof of erasure: ids, code, who, when and row counts — no personal data and
 *   deliberately no foreign key to clients, so the purge never removes it.
 * - Guard triggers refuse new child rows for a client marked for deletion. They are installed on every
 *   table that references clients by `clientela_install_deletion_guards()`, which reads the catalog; this
 *   migration calls it, and the app calls it again at start-up and before each purge run, so tables added
 *   by later migrations are covered without editing this one.
 */
export class AddTotpAndDeletion1764324300000 implements MigrationInterface {
  name = 'AddTotpAndDeletion1764324300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE operators
        ADD COLUMN totp_secret_enc text,
        ADD COLUMN totp_pending_secret_enc text,
        ADD COLUMN totp_enabled_at timestamptz,
        ADD COLUMN totp_last_step bigint,
        ADD COLUMN totp_failures integer NOT NULL DEFAULT 0,
        ADD COLUMN totp_failure_window_start timestamptz,
        ADD COLUMN totp_consecutive_failures integer NOT NULL DEFAULT 0,
        ADD COLUMN totp_locked_at timestamptz,
        ADD CONSTRAINT operators_totp_enabled_check CHECK ((totp_secret_enc IS NULL) = (totp_enabled_at IS NULL))`);

    await q.query(`
      CREATE TABLE client_deletions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id uuid NOT NULL,
        client_code bigint NOT NULL,
        requested_by uuid REFERENCES operators (id) ON DELETE SET NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        counts jsonb NOT NULL DEFAULT '{}',
        purged_at timestamptz,
        purged_counts jsonb NOT NULL DEFAULT '{}',
        last_attempt_at timestamptz,
        last_error varchar(500)
      )`);
    await q.query(`CREATE UNIQUE INDEX client_deletions_client_key ON client_deletions (client_id)`);
    await q.query(
      `CREATE INDEX client_deletions_pending_idx ON client_deletions (requested_at) WHERE purged_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX clients_deletion_requested_idx ON clients (deletion_requested_at) WHERE deletion_requested_at IS NOT NULL`,
    );
    // Other clients' history records billing changes with the payer's id ("billingClientId": [before,
    // after]); the purge finds those entries through this small index and blanks the deleted id.
    await q.query(
      `CREATE INDEX client_history_billing_ref_idx ON client_history USING gin ((changes -> 'billingClientId'))
       WHERE changes ? 'billingClientId'`,
    );

    // Two triggers per referencing column (TG_ARGV[0] names it): inserts are checked once per statement
    // over its transition table (a bulk insert pays one join, not one lookup per row); an UPDATE that
    // moves a row to a marked client is checked per row. An UPDATE that keeps the value passes (the purge
    // and ordinary edits of existing rows are not new children).
    await q.query(`
      CREATE FUNCTION clientela_refuse_new_rows_of_deleted_clients() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        marked uuid;
      BEGIN
        EXECUTE format(
          'SELECT c.id FROM clientela_new_rows n JOIN clients c ON c.id = n.%I WHERE c.deletion_requested_at IS NOT NULL LIMIT 1',
          TG_ARGV[0]) INTO marked;
        IF marked IS NOT NULL THEN
          RAISE EXCEPTION 'client % is marked for deletion: % refuses new rows for it', marked, TG_TABLE_NAME
            USING ERRCODE = 'CL404', HINT = 'The client is being deleted.';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION clientela_refuse_rows_of_deleted_client() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        new_client uuid := (to_jsonb(NEW) ->> TG_ARGV[0])::uuid;
      BEGIN
        IF new_client IS NULL OR (to_jsonb(OLD) ->> TG_ARGV[0])::uuid IS NOT DISTINCT FROM new_client THEN
          RETURN NEW;
        END IF;
        IF EXISTS (SELECT 1 FROM clients WHERE id = new_client AND deletion_requested_at IS NOT NULL) THEN
          RAISE EXCEPTION 'client % is marked for deletion: % refuses new rows for it', new_client, TG_TABLE_NAME
            USING ERRCODE = 'CL404', HINT = 'The client is being deleted.';
        END IF;
        RETURN NEW;
      END $$`);

    await q.query(`
      CREATE FUNCTION clientela_install_deletion_guards() RETURNS integer
      LANGUAGE plpgsql AS $$
      DECLARE
        fk record;
        on_update text;
        on_insert text;
        installed integer := 0;
      BEGIN
        -- Two app instances starting together must not race to create the same trigger.
        PERFORM pg_advisory_xact_lock(hashtext('clientela:deletion-guards'));
        FOR fk IN
          SELECT c.conrelid AS rel, a.attname AS col
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          WHERE c.contype = 'f' AND c.confrelid = 'clients'::regclass AND cardinality(c.conkey) = 1
            AND c.conparentid = 0
        LOOP
          on_update := left('clientela_deletion_guard_' || fk.col, 63);
          on_insert := left('clientela_deletion_guard_new_' || fk.col, 63);
          IF NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = fk.rel AND t.tgname = on_update) THEN
            EXECUTE format(
              'CREATE TRIGGER %I BEFORE UPDATE OF %I ON %s FOR EACH ROW EXECUTE FUNCTION clientela_refuse_rows_of_deleted_client(%L)',
              on_update, fk.col, fk.rel::regclass, fk.col);
            installed := installed + 1;
          END IF;
          IF NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = fk.rel AND t.tgname = on_insert) THEN
            EXECUTE format(
              'CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS clientela_new_rows FOR EACH STATEMENT '
              'EXECUTE FUNCTION clientela_refuse_new_rows_of_deleted_clients(%L)',
              on_insert, fk.rel::regclass, fk.col);
            installed := installed + 1;
          END IF;
        END LOOP;
        RETURN installed;
      END $$`);
    await q.query(`SELECT clientela_install_deletion_guards()`);
  }

  async down(q: QueryRunner): Promise<void> {
    const triggers: Array<{ name: string; rel: string }> = await q.query(
      `SELECT t.tgname AS name, t.tgrelid::regclass::text AS rel FROM pg_trigger t
       WHERE t.tgname LIKE 'clientela\\_deletion\\_guard\\_%' AND NOT t.tgisinternal`,
    );
    for (const t of triggers) await q.query(`DROP TRIGGER "${t.name.replace(/"/g, '""')}" ON ${t.rel}`);
    await q.query(`DROP FUNCTION clientela_install_deletion_guards()`);
    await q.query(`DROP FUNCTION clientela_refuse_rows_of_deleted_client()`);
    await q.query(`DROP FUNCTION clientela_refuse_new_rows_of_deleted_clients()`);
    await q.query(`DROP INDEX client_history_billing_ref_idx`);
    await q.query(`DROP INDEX clients_deletion_requested_idx`);
    await q.query(`DROP TABLE client_deletions`);
    await q.query(`
      ALTER TABLE operators
        DROP CONSTRAINT operators_totp_enabled_check,
        DROP COLUMN totp_secret_enc,
        DROP COLUMN totp_pending_secret_enc,
        DROP COLUMN totp_enabled_at,
        DROP COLUMN totp_last_step,
        DROP COLUMN totp_failures,
        DROP COLUMN totp_failure_window_start,
        DROP COLUMN totp_consecutive_failures,
        DROP COLUMN totp_locked_at`);
  }
}
