import { Injectable } from '@nestjs/common';
import type { SessionOperator } from '../auth/session-operator';
import { COUNT_CAP, MIN_SEARCH } from './client-list.sql';
import { ClientsRepository, type ClientRow } from './clients.repository';
import { ListState, PAGE_SIZE } from './dto/list-clients.query';

export { COUNT_CAP, MIN_SEARCH, type ClientRow };

export interface ClientPage {
  rows: ClientRow[];
  total: number;
  totalCapped: boolean;
  hasNext: boolean;
  searchTooShort: boolean;
  /** A search with more than COUNT_CAP matches: the page is ordered among the first ones found. */
  broadSearch: boolean;
}

/** The client list: one statement per page whatever its size (client-list.sql.ts). */
@Injectable()
export class ClientListService {
  constructor(private readonly clients: ClientsRepository) {}

  async page(operator: SessionOperator, state: ListState): Promise<ClientPage> {
    const { rows: result, search } = await this.clients.listPage(operator, state);
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
      broadSearch: search && n > COUNT_CAP,
    };
  }

  /** One row as the list shows it (after an inline status change). */
  row(operator: SessionOperator, id: string): Promise<ClientRow | null> {
    return this.clients.row(operator, id);
  }
}
