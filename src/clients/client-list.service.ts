import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import type { SqlQuery } from '../common/sql';
import { clientListQuery, clientRowQuery, COUNT_CAP, MIN_SEARCH } from './client-list.sql';
import { ListState, PAGE_SIZE } from './dto/list-clients.query';

export { COUNT_CAP, MIN_SEARCH };

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
  /** A search with more than COUNT_CAP matches: the page is ordered among the first ones found. */
  broadSearch: boolean;
}

/** The client list (SPEC §4): one statement per page whatever its size (client-list.sql.ts). */
@Injectable()
export class ClientListService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(operator: SessionOperator, state: ListState): Promise<ClientPage> {
    const query = clientListQuery(operator, state);
    const result = await this.query<ClientRow & { total: number; sortKey?: unknown }>(query);
    const n = result[0]?.total ?? 0;
    const rows = result
      .filter((r) => r.id !== null)
      .map(({ total: _total, sortKey: _sortKey, ...row }) => row);
    return {
      rows: rows.slice(0, PAGE_SIZE),
      hasNext: rows.length > PAGE_SIZE,
      total: Math.min(n, COUNT_CAP),
      totalCapped: n > COUNT_CAP,
      searchTooShort: state.q.length > 0 && state.q.length < MIN_SEARCH,
      broadSearch: query.search && n > COUNT_CAP,
    };
  }

  /** One row as the list shows it (after an inline status change). */
  async row(operator: SessionOperator, id: string): Promise<ClientRow | null> {
    const [row] = await this.query<ClientRow>(clientRowQuery(operator, id));
    return row ?? null;
  }

  private query<T>(query: SqlQuery): Promise<T[]> {
    return this.dataSource.query(query.text, query.values);
  }
}
