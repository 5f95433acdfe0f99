import { isUuid } from '../../common/ids';
import { TICKET_STATUSES } from '../ticket.entity';

/** `status` filter values: each ticket status, plus closed tickets awaiting review. Empty = all. */
export const TICKET_STATUS_FILTERS = [...TICKET_STATUSES, 'pending_review'] as const;
export type TicketStatusFilter = (typeof TICKET_STATUS_FILTERS)[number];
export const TICKETS_PAGE_SIZE = 50;
export const MAX_TICKET_PAGE = 200;

export interface TicketListState {
  clientId: string | null;
  status: TicketStatusFilter | null;
  serviceDeskId: string | null;
  page: number;
}

/** The query string → a whitelisted state; anything unknown is ignored, never passed to SQL. */
export function ticketListState(query: Record<string, unknown>): TicketListState {
  const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
  const status = one(query.status);
  const page = Number(one(query.page));
  return {
    clientId: isUuid(one(query.clientId)) ? (one(query.clientId) as string) : null,
    status: (TICKET_STATUS_FILTERS as readonly unknown[]).includes(status)
      ? (status as TicketStatusFilter)
      : null,
    serviceDeskId: isUuid(one(query.serviceDeskId)) ? (one(query.serviceDeskId) as string) : null,
    page: Number.isInteger(page) && page >= 1 && page <= MAX_TICKET_PAGE ? page : 1,
  };
}

/** The list URL for a state (with changes): every filter is a bookmarkable link. */
export function ticketListUrl(state: TicketListState, changes: Partial<TicketListState> = {}): string {
  const next = { ...state, ...changes };
  const params = new URLSearchParams();
  if (next.clientId) params.set('clientId', next.clientId);
  if (next.status) params.set('status', next.status);
  if (next.serviceDeskId) params.set('serviceDeskId', next.serviceDeskId);
  if (next.page > 1) params.set('page', String(next.page));
  const qs = params.toString();
  return qs ? `/tickets?${qs}` : '/tickets';
}
