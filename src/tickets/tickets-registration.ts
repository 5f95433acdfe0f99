import { Injectable, OnModuleInit } from '@nestjs/common';
import { ClientSectionsRegistry } from '../clients/client-sections';
import { InactivationBlockersRegistry } from '../clients/inactivation-blockers';
import { ticketRowView } from './ticket-view';
import { TicketsRepository } from './tickets.repository';
import { TicketsService } from './tickets.service';

/**
 * How tickets plug into the client: the "Tickets" section of the client page (latest tickets, "Novo ticket")
 * and the inactivation rules — tickets open, in progress or waiting, and closed tickets of a
 * review desk not yet reviewed, keep a client active. Each kind links to the list filtered to it.
 */
@Injectable()
export class TicketsRegistration implements OnModuleInit {
  constructor(
    private readonly sections: ClientSectionsRegistry,
    private readonly blockers: InactivationBlockersRegistry,
    private readonly tickets: TicketsService,
    private readonly repository: TicketsRepository,
  ) {}

  onModuleInit(): void {
    this.sections.register({
      id: 'tickets',
      titleKey: 'tickets.title',
      order: 400,
      partial: 'tickets/_section',
      load: async (client) => {
        const { rows, total } = await this.tickets.recentForClient(client.id);
        return { tickets: rows.map(ticketRowView), total, more: total > rows.length };
      },
      action: (client) =>
        client.isActive ? { labelKey: 'tickets.new', href: `/tickets/new?clientId=${client.id}` } : null,
    });

    this.blockers.register({
      blockers: async (manager, clientId) => {
        const row = await this.repository.countUnfinished(manager, clientId);
        const href = (status: string) => `/tickets?clientId=${clientId}&status=${status}`;
        return [
          { messageKey: 'tickets.blockers.open', count: row.open, href: href('open') },
          { messageKey: 'tickets.blockers.inProgress', count: row.inProgress, href: href('in_progress') },
          { messageKey: 'tickets.blockers.waiting', count: row.waiting, href: href('waiting') },
          {
            messageKey: 'tickets.blockers.pendingReview',
            count: row.pendingReview,
            href: href('pending_review'),
          },
        ];
      },
    });
  }
}
