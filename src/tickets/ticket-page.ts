import type { Response } from 'express';
import { isPendingReview, TICKET_STATUSES } from './ticket.entity';
import { TICKET_STATUS_BADGES } from './ticket-view';
import type { TicketDetail } from './tickets.service';

/** `GET /tickets/:id`, and its 422 re-render when a move or review is refused (with the reason). */
export function renderTicketPage(
  res: Response,
  status: number,
  detail: TicketDetail,
  error: string | null = null,
): void {
  const { ticket, client, desk } = detail;
  res.status(status).render('tickets/show', {
    title: `#${ticket.number} ${ticket.title}`,
    section: 'tickets',
    ...detail,
    statusBadge: TICKET_STATUS_BADGES[ticket.status],
    pendingReview: isPendingReview(ticket, desk.requiresReview),
    statuses: TICKET_STATUSES.filter((s) => s !== ticket.status),
    clientInactive: !client.isActive,
    error,
  });
}
