import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { ContactsService } from '../clients/contacts/contacts.service';
import { isUuid } from '../common/ids';
import { ClientLinksService, type ClientLinks } from '../relationships/client-links.service';
import { TICKETS_PAGE_SIZE, type TicketListState } from './dto/list-tickets.query';
import { TicketsRepository, type TicketRow } from './tickets.repository';
import type { TicketFormDto } from './dto/ticket-form.dto';
import type { TicketEvent } from './ticket-event.entity';
import { isPendingReview, Ticket, UNFINISHED_TICKET_STATUSES, type TicketStatus } from './ticket.entity';
import { TicketClientInactiveError, TicketFieldError, TicketNotReviewableError } from './ticket.errors';

export interface TicketDetail {
  ticket: Ticket;
  client: Client;
  desk: { id: string; name: string; requiresReview: boolean };
  group: { id: string; name: string };
  requester: { id: string; name: string } | null;
  events: TicketEvent[];
}

/**
 * Minimal tickets: only what the client rules need. Operators see the tickets of the clients they
 * can see (agents: clients linked to their groups; anything else is a 404). Every change writes a ticket
 * event and a client history entry in its transaction. Whatever puts a ticket into work (creating it,
 * reopening it) locks the client row FOR SHARE and refuses an inactive client, so it serialises with an
 * inactivation.
 */
@Injectable()
export class TicketsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: TicketsRepository,
    private readonly clients: ClientsService,
    private readonly contacts: ContactsService,
    private readonly links: ClientLinksService,
  ) {}

  /** One page (newest first) and whether there is a next one; two bounded queries at most. */
  async list(
    operator: SessionOperator,
    state: TicketListState,
  ): Promise<{ rows: TicketRow[]; hasNext: boolean }> {
    const rows = await this.repository.listPage(operator, state);
    return { rows: rows.slice(0, TICKETS_PAGE_SIZE), hasNext: rows.length > TICKETS_PAGE_SIZE };
  }

  /** The client's latest tickets and how many are still unfinished, for the client page. */
  async recentForClient(clientId: string, limit = 10): Promise<{ rows: TicketRow[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.repository.latestOfClient(clientId, limit),
      this.repository.countOfClient(clientId),
    ]);
    return { rows, total };
  }

  /** A ticket of a client the operator sees, with what its page shows; otherwise 404. */
  async find(operator: SessionOperator, id: string): Promise<TicketDetail> {
    const { ticket, client } = await this.findVisible(operator, id);
    const [desk, group, requester, events] = await Promise.all([
      this.repository.desk(ticket.serviceDeskId),
      this.repository.group(ticket.attendantGroupId),
      ticket.requesterContactId ? this.repository.contact(ticket.requesterContactId) : null,
      this.repository.events(id),
    ]);
    return { ticket, client, desk, group, requester, events };
  }

  /** What the form offers for a client: only its linked desks and groups, and its contacts as requesters. */
  async formOptions(
    clientId: string,
  ): Promise<ClientLinks & { contacts: Array<{ id: string; name: string }> }> {
    const [links, contacts] = await Promise.all([this.links.linksOf(clientId), this.contacts.list(clientId)]);
    return { ...links, contacts: contacts.map((c) => ({ id: c.id, name: c.name })) };
  }

  async create(operator: SessionOperator, dto: TicketFormDto): Promise<Ticket> {
    return this.dataSource.transaction(async (tx) => {
      const client = await this.visibleClientOrFieldError(operator, dto.clientId, tx);
      if ((await this.clients.lockStatus(tx, client.id)) !== 'active')
        throw new TicketClientInactiveError('tickets.errors.clientInactive');
      await this.checkLinks(tx, client.id, dto);
      const ticket = await this.repository.insert(tx, {
        title: dto.title,
        description: dto.description ?? null,
        clientId: client.id,
        serviceDeskId: dto.serviceDeskId,
        attendantGroupId: dto.attendantGroupId,
        requesterContactId: dto.requesterContactId ?? null,
        status: 'open',
        closedAt: null,
        reviewedAt: null,
        reviewedBy: null,
        reviewedByName: null,
        createdBy: operator.id,
        createdByName: operator.name,
      });
      const id = ticket.id;
      await this.repository.addEvent(tx, { ticketId: id, operator, kind: 'created', from: null, to: 'open' });
      await this.clients.emit(tx, {
        clientId: client.id,
        operator,
        action: 'created',
        subject: 'ticket',
        changes: { title: [null, ticket.title] },
        subjectId: id,
        subjectLabel: label(ticket),
      });
      return ticket;
    });
  }

  /**
   * Moves a ticket. Closing stamps `closedAt` (and, on a desk that requires review, leaves it pending review);
   * leaving `closed` clears the close and any review. Back into work (open, in progress, waiting) only while
   * the client is active.
   */
  async changeStatus(operator: SessionOperator, id: string, status: TicketStatus): Promise<Ticket> {
    return this.dataSource.transaction(async (tx) => {
      const { ticket } = await this.findVisible(operator, id, tx, true);
      if (ticket.status === status) return ticket;
      const clientStatus = await this.clients.lockStatus(tx, ticket.clientId);
      if (clientStatus !== 'active' && UNFINISHED_TICKET_STATUSES.includes(status)) {
        throw new TicketClientInactiveError('tickets.errors.clientInactiveReopen');
      }
      await this.repository.setStatus(tx, id, status);
      await this.repository.addEvent(tx, {
        ticketId: id,
        operator,
        kind: 'status_changed',
        from: ticket.status,
        to: status,
      });
      await this.clients.emit(tx, {
        clientId: ticket.clientId,
        operator,
        action: 'status_changed',
        subject: 'ticket',
        changes: { ticketStatus: [ticket.status, status] },
        subjectId: id,
        subjectLabel: label(ticket),
      });
      return this.repository.get(id, tx);
    });
  }

  /** Reviews a closed ticket of a desk that requires review: it stops being "pending review". */
  async review(operator: SessionOperator, id: string): Promise<Ticket> {
    return this.dataSource.transaction(async (tx) => {
      const { ticket } = await this.findVisible(operator, id, tx, true);
      const desk = await this.repository.desk(ticket.serviceDeskId, tx);
      if (!isPendingReview(ticket, desk.requiresReview)) throw new TicketNotReviewableError();
      await this.repository.markReviewed(tx, id, operator);
      await this.repository.addEvent(tx, {
        ticketId: id,
        operator,
        kind: 'reviewed',
        from: 'closed',
        to: 'closed',
      });
      await this.clients.emit(tx, {
        clientId: ticket.clientId,
        operator,
        action: 'reviewed',
        subject: 'ticket',
        changes: {},
        subjectId: id,
        subjectLabel: label(ticket),
      });
      return this.repository.get(id, tx);
    });
  }

  private async findVisible(
    operator: SessionOperator,
    id: string,
    manager: EntityManager = this.dataSource.manager,
    lock = false,
  ) {
    if (!isUuid(id)) throw new NotFoundException();
    const ticket = await this.repository.find(id, manager, lock);
    if (!ticket) throw new NotFoundException();
    const client = await this.clients.findVisible(operator, ticket.clientId, manager);
    return { ticket, client };
  }

  /** A client the operator may see; in a form, a bad or foreign id is a field error (422), not a 404. */
  private async visibleClientOrFieldError(
    operator: SessionOperator,
    clientId: string,
    tx: EntityManager,
  ): Promise<Client> {
    try {
      return await this.clients.findVisible(operator, clientId, tx);
    } catch (error) {
      if (error instanceof NotFoundException)
        throw new TicketFieldError('clientId', 'tickets.errors.clientRequired');
      throw error;
    }
  }

  /** Only the client's linked desks and groups, and its own contacts, are accepted (forged ids → 422). */
  private async checkLinks(tx: EntityManager, clientId: string, dto: TicketFormDto): Promise<void> {
    if (!isUuid(dto.serviceDeskId) || !(await this.repository.deskLinked(tx, clientId, dto.serviceDeskId)))
      throw new TicketFieldError('serviceDeskId', 'tickets.errors.deskNotLinked');
    if (
      !isUuid(dto.attendantGroupId) ||
      !(await this.repository.groupLinked(tx, clientId, dto.attendantGroupId))
    )
      throw new TicketFieldError('attendantGroupId', 'tickets.errors.groupNotLinked');
    const requester = dto.requesterContactId;
    if (
      requester &&
      (!isUuid(requester) || !(await this.repository.contactOfClient(tx, clientId, requester)))
    )
      throw new TicketFieldError('requesterContactId', 'tickets.errors.requester');
  }
}

/** `#123 Impressora parada`: how the history and messages name a ticket. */
export const label = (ticket: Pick<Ticket, 'number' | 'title'>): string =>
  `#${ticket.number} ${ticket.title}`.slice(0, 200);
