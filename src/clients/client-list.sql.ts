import type { SessionOperator } from '../auth/session-operator';
import { SqlParams, type SqlQuery } from '../common/sql';
import { visibleClientSql } from './client-scope';
import { ListState, PAGE_SIZE, SortKey } from './dto/list-clients.query';
import { documentSearch, escapeLike, normalizeSearch } from './search';

/**
 * The SQL of the client list, shared by ClientListService, the plan tests and the bench's
 * bare baseline, so all three run exactly the same statement. Performance notes, measured on 1,000,000
 * clients (BENCHMARKS.md):
 *
 * - One statement per page: the page of ids, the capped total and the row details together.
 * - The page is chosen on ids alone (an index-only scan of the sort key's index, migration
 *   1764324600000), and only its 51 rows are joined to contacts and links: with OFFSET 9,950 the old
 *   query computed those lookups for every skipped row (≈150–400 ms at page 200, now ≈5 ms).
 * - Every ORDER BY is one an index serves forward or backward: NOT NULL keys sort `DESC` (nulls first
 *   and last are the same there), nullable keys have their own `DESC NULLS LAST` indexes.
 * - A search first collects at most COUNT_CAP + 1 matching ids without any ORDER BY (a MATERIALIZED CTE,
 *   so the planner cannot walk a sort index filtering millions of rows: 0.3–3 s for common terms), via the
 *   trigram GIN index or, for very common terms, a short sequential scan; the total and the page come
 *   from those ids. Up to COUNT_CAP matches the order is exact; beyond, the page is ordered among the
 *   first COUNT_CAP + 1 matches found (the page says so and asks to refine the search).
 * - A complete, valid CNPJ (or masked CPF) is an exact match on `document` through its unique btree.
 */

/** The total is counted up to here ("mais de 10.000"), never over the whole table. */
export const COUNT_CAP = 10_000;
export const MIN_SEARCH = 3;

/** Whitelisted sort keys → columns; nothing from the query string reaches SQL otherwise. */
const SORT_COLUMNS: Record<SortKey, { column: string; nullable: boolean }> = {
  tradeName: { column: 'trade_name', nullable: false },
  legalName: { column: 'legal_name', nullable: true },
  document: { column: 'document', nullable: true },
  city: { column: 'city', nullable: true },
  status: { column: 'status', nullable: false },
  createdAt: { column: 'created_at', nullable: false },
};

export const ROW_SELECT = `
  c.id, c.code::text AS code, c.trade_name AS "tradeName", c.legal_name AS "legalName", c.document,
  c.city, c.state, c.status,
  NOT EXISTS (SELECT 1 FROM client_attendant_groups g WHERE g.client_id = c.id) AS "missingGroups",
  NOT EXISTS (SELECT 1 FROM client_service_desks d WHERE d.client_id = c.id) AS "missingDesks",
  pc.id AS "primaryContactId", pc.name AS "primaryContactName", coalesce(pc.phone, pc.mobile) AS "primaryContactPhone",
  (SELECT count(*)::int FROM contacts ct WHERE ct.client_id = c.id AND (ct.phone IS NOT NULL OR ct.mobile IS NOT NULL)) AS "contactsWithPhone"`;
const PRIMARY_CONTACT = `LEFT JOIN LATERAL (
  SELECT id, name, phone, mobile FROM contacts WHERE client_id = c.id AND is_primary LIMIT 1) pc ON true`;

export interface ListQuery extends SqlQuery {
  /** A text search (≥ MIN_SEARCH characters) filters the list. */
  search: boolean;
}

/**
 * `key DIR, id DIR` as the indexes store it. Empty values come last in both directions: that is
 * PostgreSQL's default for ASC; for DESC a nullable key says NULLS LAST (its `_desc_idx` index has that
 * order) and a NOT NULL key leaves the default, which then orders the same rows the same way.
 */
export function listOrderBy(alias: string, sort: SortKey, dir: 'asc' | 'desc', keyExpr?: string): string {
  const { column, nullable } = SORT_COLUMNS[sort];
  const key = keyExpr ?? `${alias}.${column}`;
  if (dir === 'asc') return `${key} ASC, ${alias}.id ASC`;
  return `${key} DESC${nullable ? ' NULLS LAST' : ''}, ${alias}.id DESC`;
}

/**
 * One statement for a list page: rows `{ total, ...ClientRow }` in display order — one row with a null
 * `id` when the page is empty, so the total still arrives. At most PAGE_SIZE + 1 client rows (the extra
 * one says there is a next page).
 */
export function clientListQuery(operator: SessionOperator, state: ListState): ListQuery {
  const params = new SqlParams();
  const conditions = [visibleClientSql(operator, params)];
  if (state.status !== 'all') conditions.push(`c.status = ${params.add(state.status)}`);
  const search = state.q.length >= MIN_SEARCH;
  if (search) {
    const document = documentSearch(state.q);
    conditions.push(
      document
        ? `c.document = ${params.add(document)}`
        : `c.search_text LIKE '%' || lower(clientela_unaccent(${params.add(escapeLike(normalizeSearch(state.q)))})) || '%'`,
    );
  }
  const where = conditions.join(' AND ');
  const { column } = SORT_COLUMNS[state.sort];
  const page = `LIMIT ${PAGE_SIZE + 1} OFFSET ${(state.page - 1) * PAGE_SIZE}`;

  const ids = search
    ? // No ORDER BY before the LIMIT: the matches are collected the cheap way, then sorted in memory.
      `hits AS MATERIALIZED (
         SELECT c.id, c.${column} AS k FROM clients c WHERE ${where} LIMIT ${COUNT_CAP + 1}
       ),
       total AS MATERIALIZED (SELECT count(*)::int AS n FROM hits),
       page AS MATERIALIZED (SELECT h.id FROM hits h ORDER BY ${listOrderBy('h', state.sort, state.dir, 'h.k')} ${page})`
    : `page AS MATERIALIZED (
         SELECT c.id FROM clients c WHERE ${where} ORDER BY ${listOrderBy('c', state.sort, state.dir)} ${page}
       ),
       total AS MATERIALIZED (
         SELECT count(*)::int AS n FROM (SELECT 1 FROM clients c WHERE ${where} LIMIT ${COUNT_CAP + 1}) s
       )`;
  const text = `WITH ${ids}
    SELECT t.n AS total, r.* FROM total t
    LEFT JOIN LATERAL (
      SELECT ${ROW_SELECT}, c.${column} AS "sortKey" FROM page p JOIN clients c ON c.id = p.id ${PRIMARY_CONTACT}
    ) r ON true
    ORDER BY ${listOrderBy('r', state.sort, state.dir, 'r."sortKey"')}`;
  return { text, values: params.values, search };
}

/** One row as the list shows it (after an inline status change). */
export function clientRowQuery(operator: SessionOperator, id: string): SqlQuery {
  const params = new SqlParams();
  const text = `SELECT ${ROW_SELECT} FROM clients c ${PRIMARY_CONTACT}
    WHERE c.id = ${params.add(id)} AND ${visibleClientSql(operator, params)}`;
  return { text, values: params.values };
}
