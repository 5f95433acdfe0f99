import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Click-to-call: the one row of telephony settings and the log of every call attempt.
 *
 * Settings are a single row (id = 1, seeded with provider `none`, i.e. `tel:` links) so reading them never
 * has to choose between rows. Call logs keep the contact's and operator's names: the log must still read
 * right after a contact is removed or an operator renamed; the contact id then becomes null.
 */
export class CreateTelephony1764324400000 implements MigrationInterface {
  name = 'CreateTelephony1764324400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE telephony_settings (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        provider varchar(16) NOT NULL DEFAULT 'none' CHECK (provider IN ('none', 'asterisk-ami', 'http-template')),
        host varchar(255),
        port integer CHECK (port BETWEEN 1 AND 65535),
        username varchar(80),
        secret_enc text,
        context varchar(80),
        channel_template varchar(120),
        caller_id varchar(120),
        url_template varchar(1000),
        method varchar(4) NOT NULL DEFAULT 'POST' CHECK (method IN ('GET', 'POST')),
        headers_template varchar(2000),
        body_template varchar(4000),
        dial_format varchar(12) NOT NULL DEFAULT 'e164' CHECK (dial_format IN ('e164', 'e164-digits', 'national', 'prefix')),
        dial_prefix varchar(8) CHECK (dial_prefix ~ '^[0-9*#]+$'),
        timeout_ms integer NOT NULL DEFAULT 8000 CHECK (timeout_ms BETWEEN 1000 AND 60000),
        updated_by uuid REFERENCES operators (id) ON DELETE SET NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (dial_format <> 'prefix' OR dial_prefix IS NOT NULL)
      )`);
    await q.query(`INSERT INTO telephony_settings (id) VALUES (1)`);

    await q.query(`
      CREATE TABLE call_logs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id uuid NOT NULL REFERENCES clients (id),
        contact_id uuid REFERENCES contacts (id) ON DELETE SET NULL,
        contact_name varchar(120) NOT NULL,
        operator_id uuid REFERENCES operators (id) ON DELETE SET NULL,
        operator_name varchar(120),
        extension varchar(32),
        number_kind varchar(6) NOT NULL CHECK (number_kind IN ('phone', 'mobile')),
        number_e164 varchar(20) NOT NULL,
        dialled varchar(40),
        provider varchar(16) NOT NULL CHECK (provider IN ('none', 'asterisk-ami', 'http-template')),
        result varchar(12) NOT NULL CHECK (result IN ('originated', 'error', 'tel_link')),
        error_code varchar(20),
        error varchar(500),
        provider_call_id varchar(200),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((result = 'error') = (error_code IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX call_logs_client_idx ON call_logs (client_id, created_at DESC, id DESC)`);
    // Removing a contact sets its calls' contact_id to null; without this index that scans every log.
    await q.query(
      `CREATE INDEX call_logs_contact_idx ON call_logs (contact_id) WHERE contact_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE call_logs`);
    await q.query(`DROP TABLE telephony_settings`);
  }
}
