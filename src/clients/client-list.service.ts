import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { visibleClientCondition } from '../relationships/access-scope';
import { escapeLike, normalizeSearch } from './clients.service';
import { ListState, PAGE_SIZE, SortKey } from './dto/list-clients.query';

/** Whitelisted sort keys → columns; nothing from the query string reaches SQL otherwise. */
const SORT_COLUMNS: Record<SortKey, string> = {
  tradeName: 'c.trade_name',
  legalName: 'c.legal_name',
  document: 'c.document',
  city: 'c.city',
  status: 'c.status',
  createdAt: 'c.created_at',
};
/** The total is counted up to here ("mais de 10.000"), never over the whole table. */
export const COUNT_CAP = 10_000;
export const MIN_SEARCH = 3;

export interface ClientRow {
  id: string;
  code: string;
  tradeName: string;
  legalName: string | null;
  document: string | null;
  city: string | null;
  state: string | null;
  status: 'active' | 'inactive';
  missingGroups: boolean;
  missingDesks: boolean;
  primaryContactId: string | null;
  primaryContactName: string | null;
  primaryContactPhone: string | null;
  contactsWithPhone: number;
}

export interface ClientPage {
  rows: ClientRow[];
  total: number;
  totalCapped: boolean;
  hasNext: boolean;
  searchTooShort: boolean;
}

const ROW_SELECT = `
  c.id, c.code::text AS code, c.trade_name AS "tradeName", c.legal_name AS "legalName", c.document,
  c.city, c.state, c.status,
  NOT EXISTS (SELECT 1 FROM client_attendant_groups g WHERE g.client_id = c.id) AS "missingGroups",
  NOT EXISTS (SELECT 1 FROM client_service_desks d WHERE d.client_id = c.id) AS "missingDesks",
  pc.id AS "primaryContactId", pc.name AS "primaryContactName", coalesce(pc.phone, pc.mobile) AS "primaryContactPhone",
  (SELECT count(*)::int FROM contacts ct WHERE ct.client_id = c.id AND (ct.phone IS NOT NULL OR ct.mobile IS NOT NULL)) AS "contactsWithPhone"`;
const ROW_FROM = `clients c LEFT JOIN LATERAL (
  SELECT id, name, phone, mobile FROM contacts WHERE client_id = c.id AND is_primary LIMIT 1) pc ON true`;

/** The client list (SPEC §4): two queries per page whatever its size — the rows and a capped count. */
@Injectable()
export class ClientListService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(operator: SessionOperator, state: ListState): Promise<ClientPage> {
    const { where, params } = this.filter(operator, state);
    const column = SORT_COLUMNS[state.sort];
    const dir = state.dir === 'desc' ? 'DESC' : 'ASC';
    const offset = (state.page - 1) * PAGE_SIZE;
    const rowsSql = `SELECT ${ROW_SELECT} FROM ${ROW_FROM} WHERE ${where}
      ORDER BY ${column} ${dir} NULLS LAST, c.id ${dir} LIMIT ${PAGE_SIZE + 1} OFFSET ${offset}`;
    const countSql = `SELECT count(*)::int AS n FROM (SELECT 1 FROM clients c WHERE ${where} LIMIT ${COUNT_CAP + 1}) s`;
    const [rows, [{ n }]] = await Promise.all([this.query<ClientRow>(rowsSql, params), this.query<{ n: number }>(countSql, params)]);
    return {
      rows: rows.slice(0, PAGE_SIZE),
      hasNext: rows.length > PAGE_SIZE,
      total: Math.min(n, COUNT_CAP),
      totalCapped: n > COUNT_CAP,
      searchTooShort: state.q.length > 0 && state.q.length < MIN_SEARCH,
    };
  }

  /** One row as the list shows it (after an inline status change). */
  async row(operator: SessionOperator, id: string): Promise<ClientRow | null> {
    const scope = visibleClientCondition(operator);
    const [row] = await this.query<ClientRow>(
      `SELECT ${ROW_SELECT} FROM ${ROW_FROM} WHERE c.id = :id AND c.deletion_requested_at IS NULL AND ${scope.sql}`,
      { id, ...scope.params },
    );
    return row ?? null;
  }

  private filter(operator: SessionOperator, state: ListState) {
    const scope = visibleClientCondition(operator);
    const conditions = ['c.deletion_requested_at IS NULL', scope.sql];
    const params: Record<string, unknown> = { ...scope.params };
    if (state.status !== 'all') {
      conditions.push('c.status = :status');
      params.status = state.status;
    }
    if (state.q.length >= MIN_SEARCH) {
      conditions.push(`c.search_text LIKE '%' || lower(clientela_unaccent(:term)) || '%'`);
      params.term = escapeLike(normalizeSearch(state.q));
    }
    return { where: conditions.join(' AND '), params };
  }

  /** Named parameters (`:name`) through TypeORM's escaping, run on the pool. */
  private query<T>(sql: string, params: Record<string, unknown>): Promise<T[]> {
    const [text, values] = this.dataSource.driver.escapeQueryWithParameters(sql, params);
    return this.dataSource.query(text, values);
  }
}
