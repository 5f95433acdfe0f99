import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sort keys that may be NULL: their descending order (empty values last) needs its own index. */
const NULLABLE_SORT_COLUMNS = ['legal_name', 'document', 'city'];

/**
 * Indexes for every order the client list asks for (measured in BENCHMARKS.md).
 *
 * - The list sorts `key DESC NULLS LAST, id DESC`. A btree read backwards yields `DESC NULLS FIRST`, so
 *   for the nullable keys the `(key, id)` indexes of CreateClients could not serve it: PostgreSQL sorted
 *   the whole table (0.7–2 s at 1,000,000 clients). Each nullable key gets a `(key DESC NULLS LAST, id
 *   DESC)` twin, with and without the status prefix. NOT NULL keys (trade name, creation date, status)
 *   need none: the list asks for plain `DESC` there, which a backward scan serves.
 * - `(status, id)`: sorting by status is ordering by id within a status; without it, "inactive, sorted by
 *   status" walked the primary key skipping the active rows, and "all" sorted the whole table. It is also
 *   the smallest index the capped count of a status can read.
 *
 * Built in the migration's transaction (writes to clients wait; reads go on): about 15 s at 1,000,000
 * clients, so the app's 5 s statement timeout is lifted for it.
 */
export class TuneClientListIndexes1764324600000 implements MigrationInterface {
  name = 'TuneClientListIndexes1764324600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    await q.query(
      `CREATE INDEX clients_status_id_idx ON clients (status, id) WHERE deletion_requested_at IS NULL`,
    );
    for (const column of NULLABLE_SORT_COLUMNS) {
      await q.query(
        `CREATE INDEX clients_status_${column}_desc_idx ON clients (status, ${column} DESC NULLS LAST, id DESC)
         WHERE deletion_requested_at IS NULL`,
      );
      await q.query(
        `CREATE INDEX clients_${column}_desc_idx ON clients (${column} DESC NULLS LAST, id DESC)
         WHERE deletion_requested_at IS NULL`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of [...NULLABLE_SORT_COLUMNS].reverse()) {
      await q.query(`DROP INDEX clients_${column}_desc_idx`);
      await q.query(`DROP INDEX clients_status_${column}_desc_idx`);
    }
    await q.query(`DROP INDEX clients_status_id_idx`);
  }
}
