import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Asaas and Conta Azul: their settings, each client's link to the customer it became on the
 * provider, and the sync runs (one client, or all active clients) with their progress.
 *
 * - `integration_settings`: one row per provider, seeded, so saving and the token refresh lock an existing
 *   row (`FOR UPDATE`) instead of racing to insert it. Secrets (API key, client secret) and OAuth tokens are
 *   sealed by SecretBox; `settings` holds only what may be shown back.
 * - `client_integration_links`: references clients (plain FK), so the deletion purge finds it in the
 *   catalog and removes a client's links with the client.
 * - `sync_runs`: no FK to clients — a run outlives the clients it touched; `errors` keeps client id, code
 *   and the provider's message, no personal data. `cursor_code` is the resume point of a bulk run (clients
 *   are processed in code order), so a restart continues where the run stopped.
 */
export class CreateBillingIntegrations1764324500000 implements MigrationInterface {
  name = 'CreateBillingIntegrations1764324500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE integration_settings (
        provider varchar(16) PRIMARY KEY CHECK (provider IN ('asaas', 'conta-azul')),
        settings jsonb NOT NULL DEFAULT '{}',
        secrets_enc text,
        access_token_enc text,
        refresh_token_enc text,
        expires_at timestamptz,
        connected_at timestamptz,
        last_error varchar(500),
        updated_by uuid REFERENCES operators (id) ON DELETE SET NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((access_token_enc IS NULL) = (refresh_token_enc IS NULL))
      )`);
    await q.query(`INSERT INTO integration_settings (provider) VALUES ('asaas'), ('conta-azul')`);

    await q.query(`
      CREATE TABLE client_integration_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id uuid NOT NULL REFERENCES clients (id),
        provider varchar(16) NOT NULL CHECK (provider IN ('asaas', 'conta-azul')),
        external_id varchar(100),
        status varchar(8) NOT NULL DEFAULT 'pending' CHECK (status IN ('synced', 'pending', 'error')),
        requested_at timestamptz,
        last_synced_at timestamptz,
        last_error_code varchar(20),
        last_error varchar(1000),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT client_integration_links_client_provider_key UNIQUE (client_id, provider),
        CHECK (status <> 'error' OR last_error_code IS NOT NULL)
      )`);
    // "Which of our clients is this customer?" (a provider id is unique within its provider).
    await q.query(
      `CREATE UNIQUE INDEX client_integration_links_external_key ON client_integration_links (provider, external_id) WHERE external_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE sync_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider varchar(16) NOT NULL CHECK (provider IN ('asaas', 'conta-azul')),
        kind varchar(3) NOT NULL CHECK (kind IN ('one', 'all')),
        client_id uuid,
        status varchar(8) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'finished', 'failed')),
        total integer NOT NULL DEFAULT 0 CHECK (total >= 0),
        done integer NOT NULL DEFAULT 0 CHECK (done >= 0),
        failed integer NOT NULL DEFAULT 0 CHECK (failed >= 0 AND failed <= done),
        errors jsonb NOT NULL DEFAULT '[]',
        cursor_code bigint,
        requested_by uuid REFERENCES operators (id) ON DELETE SET NULL,
        requested_by_name varchar(120),
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        CHECK ((kind = 'one') = (client_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX sync_runs_provider_idx ON sync_runs (provider, created_at DESC)`);
    // Boot-time recovery looks for unfinished runs; a sync request looks for a queued one of the client.
    await q.query(
      `CREATE INDEX sync_runs_open_idx ON sync_runs (provider, client_id) WHERE status IN ('queued', 'running')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sync_runs`);
    // Its deletion-guard trigger (installed from the catalog at start-up) goes with the table.
    await q.query(`DROP TABLE client_integration_links`);
    await q.query(`DROP TABLE integration_settings`);
  }
}
