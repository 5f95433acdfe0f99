import type { TicketRow } from './tickets.repository';
import { isPendingReview, type TicketStatus } from './ticket.entity';

export const TICKET_STATUS_BADGES: Record<TicketStatus, string> = {
  open: 'badge-info',
  in_progress: 'badge-info',
  waiting: 'badge-warning',
  closed: 'badge-success',
  cancelled: 'badge-muted',
};

/** A list row with its badge, and whether it waits for review (closed on a desk that requires one). */
export function ticketRowView(row: TicketRow) {
  return {
    ...row,
    statusBadge: TICKET_STATUS_BADGES[row.status],
    pendingReview: isPendingReview(row, row.requiresReview),
  };
}
