import type { DataSource } from 'typeorm';

/**
 * A fingerprint of the stored data, per table (md5 of every row), to prove that a refused request changed
 * nothing — no partial record, no half-applied update. Left out: what a refused request may legitimately
 * touch (sessions, login and TOTP failure counters, the pending TOTP enrollment a visit to
 * /account/security prepares) and bookkeeping (migrations, the job queue's own schema).
 */
const SKIPPED_TABLES = new Set(['sessions', 'rate_limits', 'migrations']);
const OPERATOR_COLUMNS = [
  'id',
  'name',
  'email',
  'role',
  'password_hash',
  'active',
  'locale',
  'extension',
  'totp_secret_enc',
  'totp_enabled_at',
];

const queries = new WeakMap<DataSource, Promise<string>>();

async function digestQuery(dataSource: DataSource): Promise<string> {
  const tables: Array<{ name: string }> = await dataSource.query(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const operatorColumns: Array<{ name: string }> = await dataSource.query(
    `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'operators'`,
  );
  const present = new Set(operatorColumns.map((c) => c.name));
  const parts = tables
    .filter((t) => !SKIPPED_TABLES.has(t.name))
    .map((t) => {
      const row =
        t.name === 'operators'
          ? `row(${OPERATOR_COLUMNS.filter((c) => present.has(c))
              .map((c) => `r."${c}"`)
              .join(', ')})::text`
          : 'r::text';
      return `SELECT '${t.name}' AS name, count(*)::int AS rows, coalesce(md5(string_agg(${row}, '|' ORDER BY ${row})), '') AS hash FROM "${t.name}" r`;
    });
  return parts.join('\nUNION ALL\n');
}

/** `{ table: "<rows>:<md5>" }` for every data table. */
export async function dataDigest(dataSource: DataSource): Promise<Record<string, string>> {
  let query = queries.get(dataSource);
  if (!query) {
    query = digestQuery(dataSource);
    queries.set(dataSource, query);
  }
  const rows: Array<{ name: string; rows: number; hash: string }> = await dataSource.query(await query);
  return Object.fromEntries(rows.map((r) => [r.name, `${r.rows}:${r.hash}`]));
}

/** The tables whose fingerprint differs between two digests. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((name) => before[name] !== after[name]);
}
