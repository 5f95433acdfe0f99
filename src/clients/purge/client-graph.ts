import type { EntityManager, QueryRunner } from 'typeorm';

/** One foreign key as the catalog describes it. Identifiers are already quoted for SQL. */
export interface ForeignKey {
  name: string;
  /** `regclass::text`: quoted and schema-qualified when needed, ready to splice into SQL. */
  table: string;
  /** The bare table name (labels, counts). */
  tableName: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  /** Every referencing column may be NULL (the reference is optional). */
  nullable: boolean;
}

/** What the purge does with one table that holds data of a client. */
export interface TablePlan {
  table: string;
  tableName: string;
  /**
   * Chains of required references leading to the client (`ticket_events → tickets → clients`): a row
   * matched through any of them belongs to the client and is deleted.
   */
  ownerPaths: ForeignKey[][];
  /**
   * Optional references from rows that belong to someone else into this client's data (a ticket of
   * another client whose requester was one of this client's contacts): set to NULL, never deleted.
   */
  detachKeys: ForeignKey[];
}

/** The FK catalog query: every foreign key of the database, columns in key order. */
const FOREIGN_KEYS_SQL = `
  SELECT c.conname AS name,
         c.conrelid::regclass::text AS "table",
         cl.relname AS "tableName",
         c.confrelid::regclass::text AS "refTable",
         ARRAY(SELECT quote_ident(a.attname) FROM unnest(c.conkey) WITH ORDINALITY k(num, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.ord)::text[] AS columns,
         ARRAY(SELECT quote_ident(a.attname) FROM unnest(c.confkey) WITH ORDINALITY k(num, ord)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.ord)::text[] AS "refColumns",
         NOT EXISTS (SELECT 1 FROM unnest(c.conkey) k(num)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num WHERE a.attnotnull) AS nullable
  FROM pg_constraint c
  JOIN pg_class cl ON cl.oid = c.conrelid
  WHERE c.contype = 'f' AND c.conparentid = 0
  ORDER BY 2, 1`;

const MAX_PATH_LENGTH = 6;
const MAX_PATHS_PER_TABLE = 16;

/**
 * Where a client's data lives, read from the PostgreSQL catalog (pg_constraint) rather than listed by
 * hand: every table with a foreign key to clients, and every table that hangs off those, is found — so
 * tables other modules add later (contracts, tickets, call logs, integration links) are counted in the
 * confirmation and removed by the purge without touching this code.
 *
 * Rules (per table T that reaches clients):
 * - T's required references (NOT NULL) into the client's data say whom a row belongs to: rows reached
 *   through them are the client's. A table with only optional references is owned through those.
 * - T's other, optional references into the client's data point at it from someone else's rows: they
 *   are detached (set to NULL), so another client's ticket survives the removal of a contact it cited.
 * - `tables` is in deletion order: every table comes before the tables it references (children first).
 */
export class ClientGraph {
  private constructor(
    readonly root: string,
    readonly tables: TablePlan[],
    /** Optional references of clients rows into the client's data (billing_client_id → clients). */
    readonly rootDetachKeys: ForeignKey[],
    /** Tables whose deletion order could not be settled (a reference cycle); purged last, retried. */
    readonly cyclic: string[],
  ) {}

  static async load(db: EntityManager | QueryRunner, root = 'clients'): Promise<ClientGraph> {
    const keys = (await db.query(FOREIGN_KEYS_SQL)) as ForeignKey[];
    return ClientGraph.fromForeignKeys(keys, root);
  }

  static fromForeignKeys(keys: ForeignKey[], root = 'clients'): ClientGraph {
    // 1. Every table that reaches the root through references.
    const reaching = new Set<string>();
    for (let grew = true; grew;) {
      grew = false;
      for (const key of keys) {
        if (key.table === root || reaching.has(key.table)) continue;
        if (key.refTable === root || reaching.has(key.refTable)) {
          reaching.add(key.table);
          grew = true;
        }
      }
    }
    const intoData = (key: ForeignKey) => key.refTable === root || reaching.has(key.refTable);

    // 2. Owning and detachable references of each table.
    const owning = new Map<string, ForeignKey[]>();
    const detach = new Map<string, ForeignKey[]>();
    for (const table of reaching) {
      const own = keys.filter((k) => k.table === table && intoData(k));
      const required = own.filter((k) => !k.nullable && k.refTable !== table);
      const owners = required.length ? required : own.filter((k) => k.refTable !== table);
      owning.set(table, owners);
      // The other optional references, including a table's references to itself (a parent row).
      detach.set(
        table,
        own.filter((k) => k.nullable && !owners.includes(k)),
      );
    }

    // 3. Paths to the root through owning references (cycles cut, length and count capped).
    const pathsOf = (table: string, seen: Set<string>): ForeignKey[][] => {
      const paths: ForeignKey[][] = [];
      for (const key of owning.get(table) ?? []) {
        if (key.refTable === root) paths.push([key]);
        else if (!seen.has(key.refTable) && seen.size < MAX_PATH_LENGTH) {
          for (const rest of pathsOf(key.refTable, new Set([...seen, key.refTable])))
            paths.push([key, ...rest]);
        }
        if (paths.length >= MAX_PATHS_PER_TABLE) break;
      }
      return paths.slice(0, MAX_PATHS_PER_TABLE);
    };

    // 4. Children before parents (Kahn's algorithm over the references between these tables).
    const refsOf = (table: string) =>
      [...(owning.get(table) ?? []), ...(detach.get(table) ?? [])]
        .map((k) => k.refTable)
        .filter((ref) => ref !== table && ref !== root);
    const pendingReferrers = new Map<string, number>([...reaching].map((t) => [t, 0]));
    for (const table of reaching) {
      for (const ref of new Set(refsOf(table)))
        pendingReferrers.set(ref, (pendingReferrers.get(ref) ?? 0) + 1);
    }
    const order: string[] = [];
    const ready = [...reaching].filter((t) => pendingReferrers.get(t) === 0).sort();
    while (ready.length) {
      const table = ready.shift()!;
      order.push(table);
      for (const ref of new Set(refsOf(table))) {
        const left = pendingReferrers.get(ref)! - 1;
        pendingReferrers.set(ref, left);
        if (left === 0) {
          ready.push(ref);
          ready.sort();
        }
      }
    }
    const cyclic = [...reaching].filter((t) => !order.includes(t)).sort();
    order.push(...cyclic);

    const byTable = new Map(keys.map((k) => [k.table, k.tableName]));
    const tables = order.map((table) => ({
      table,
      tableName: byTable.get(table) ?? table,
      ownerPaths: pathsOf(table, new Set([table])),
      detachKeys: detach.get(table) ?? [],
    }));
    const rootDetachKeys = keys.filter((k) => k.table === root && k.nullable && intoData(k));
    return new ClientGraph(root, tables, rootDetachKeys, cyclic);
  }

  /** How many rows of each table belong to the client (tables with none included, as 0). */
  async countRows(db: EntityManager | QueryRunner, clientId: string): Promise<Record<string, number>> {
    const sql = this.countSql();
    if (!sql) return {};
    const [row] = (await db.query(sql, [clientId])) as Array<Record<string, string>>;
    return Object.fromEntries(Object.entries(row).map(([table, n]) => [table, Number(n)]));
  }

  /** A count of the client's rows per table (`$1` = client id), all tables in one statement. */
  countSql(): string | null {
    const columns = this.tables
      .filter((plan) => plan.ownerPaths.length)
      .map((plan) => `(${ownedCountSql(plan)}) AS ${quoteLiteralIdent(plan.tableName)}`);
    return columns.length ? `SELECT ${columns.join(',\n  ')}` : null;
  }
}

/** `SELECT count(*)` of the rows of `plan` that belong to client `$1`. */
export function ownedCountSql(plan: TablePlan): string {
  if (plan.ownerPaths.length === 1) {
    const { joins, where } = pathJoin(plan.ownerPaths[0], 't');
    return `SELECT count(*)::bigint FROM ${plan.table} t${joins} WHERE ${where}`;
  }
  // Several paths may reach the same row: count each row once.
  const selects = plan.ownerPaths.map((path) => {
    const { joins, where } = pathJoin(path, 't');
    return `SELECT t.ctid FROM ${plan.table} t${joins} WHERE ${where}`;
  });
  return `SELECT count(*)::bigint FROM (${selects.join(' UNION ')}) owned`;
}

/**
 * Deletes up to `$2` rows of the table that belong to client `$1` through one path, returning how many.
 * `ctid = ANY(ARRAY(…))` addresses any table, with or without a primary key, by a TID scan.
 */
export function deleteBatchSql(plan: TablePlan, path: ForeignKey[]): string {
  const { joins, where } = pathJoin(path, 't');
  return `WITH gone AS (
    DELETE FROM ${plan.table} WHERE ctid = ANY(ARRAY(
      SELECT t.ctid FROM ${plan.table} t${joins} WHERE ${where} LIMIT $2))
    RETURNING 1)
  SELECT count(*)::int AS n FROM gone`;
}

/**
 * Sets `key` to NULL in up to `$2` rows of `key.table` that point at a row of the client's data in
 * `key.refTable`, reached through `refPath` (a path of the referenced table). Returns how many.
 */
export function detachBatchSql(key: ForeignKey, refPath: ForeignKey[] | null): string {
  const on = key.columns.map((c, i) => `d.${c} = t.${key.refColumns[i]}`).join(' AND ');
  const set = key.columns.map((c) => `${c} = NULL`).join(', ');
  const target = refPath
    ? (() => {
        const { joins, where } = pathJoin(refPath, 't');
        return `JOIN ${key.refTable} t ON ${on}${joins} WHERE ${where}`;
      })()
    : `JOIN ${key.refTable} t ON ${on} WHERE t.id = $1`; // a reference to the client row itself
  return `WITH detached AS (
    UPDATE ${key.table} SET ${set} WHERE ctid = ANY(ARRAY(
      SELECT d.ctid FROM ${key.table} d ${target} LIMIT $2))
    RETURNING 1)
  SELECT count(*)::int AS n FROM detached`;
}

/**
 * The joins from alias `a` along `path` up to the client, and the condition that pins it to `$1`. The
 * last hop compares with the client id directly when it references `clients.id`, saving a join.
 */
export function pathJoin(path: ForeignKey[], a: string): { joins: string; where: string } {
  let joins = '';
  let alias = a;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const last = i === path.length - 1;
    if (last && key.refColumns.length === 1 && key.refColumns[0] === 'id') {
      return { joins, where: `${alias}.${key.columns[0]} = $1` };
    }
    const next = `${a}${i + 1}`;
    const on = key.columns.map((c, j) => `${alias}.${c} = ${next}.${key.refColumns[j]}`).join(' AND ');
    joins += ` JOIN ${key.refTable} ${next} ON ${on}`;
    alias = next;
  }
  return { joins, where: `${alias}.id = $1` };
}

const quoteLiteralIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
