import type { ClientPage, ClientRow } from './client-list.service';
import { COUNT_CAP, MIN_SEARCH } from './client-list.sql';
import { displayDocument, displayPhone } from './client-view';
import { listUrl, PAGE_SIZE, SORT_KEYS, STATUS_FILTERS, type ListState } from './dto/list-clients.query';
import { isActiveStatus } from './client.entity';

/** Everything `clients/_table` needs: rows with display values, header links, the pager. */
export function tableView(state: ListState, page: ClientPage, locale: string) {
  const headers = SORT_KEYS.filter((k) => k !== 'createdAt').map((key) => {
    const current = state.sort === key;
    const dir = current && state.dir === 'asc' ? 'desc' : 'asc';
    return {
      key,
      current,
      ariaSort: current ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none',
      href: listUrl(state, { sort: key, dir, page: 1 }),
    };
  });
  const first = (state.page - 1) * PAGE_SIZE + 1;
  const url = listUrl(state);
  return {
    state,
    url,
    headers: Object.fromEntries(headers.map((h) => [h.key, h])),
    statusFilters: STATUS_FILTERS.map((s) => ({
      value: s,
      current: state.status === s,
      href: listUrl(state, { status: s, page: 1 }),
    })),
    rows: page.rows.map((row) => rowView(row, url)),
    empty: page.rows.length === 0,
    range: page.rows.length ? { first, last: first + page.rows.length - 1 } : null,
    total: page.total,
    totalCapped: page.totalCapped,
    countCap: COUNT_CAP.toLocaleString(locale),
    searchTooShort: page.searchTooShort,
    broadSearch: page.broadSearch,
    minSearch: MIN_SEARCH,
    prev: state.page > 1 ? listUrl(state, { page: state.page - 1 }) : null,
    next: page.hasNext && state.page < 200 ? listUrl(state, { page: state.page + 1 }) : null,
    deepLimit: page.hasNext && state.page >= 200,
  };
}

/**
 * One row of `clients/_row`; `returnTo` (the list's URL) is where its call button comes back to without
 * JavaScript (its status toggle uses the table's one status form, which holds the same URL).
 */
export function rowView(row: ClientRow, returnTo: string) {
  return {
    ...row,
    documentDisplay: displayDocument(row.document),
    phoneHref: row.primaryContactPhone ? `tel:${row.primaryContactPhone}` : null,
    phoneDisplay: displayPhone(row.primaryContactPhone),
    canPickContact: !row.primaryContactPhone && row.contactsWithPhone > 0,
    isActive: isActiveStatus(row.status),
    returnTo,
  };
}
