import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { lockClientStatus } from '../clients/client-locks';
import { visibleClientSql } from '../clients/client-scope';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { ContactsService } from '../clients/contacts/contacts.service';
import { isUuid } from '../common/ids';
import { SqlParams } from '../common/sql';
import { ClientLinksService, type ClientLinks } from '../relationships/client-links.service';
import { TICKETS_PAGE_SIZE, type TicketListState } from './dto/list-tickets.query';
import type { TicketFormDto } from './dto/ticket-form.dto';
import { TicketEvent, type TicketEventKind } from './ticket-event.entity';
import { Ticket, UNFINISHED_TICKET_STATUSES, type TicketStatus } from './ticket.entity';
import { TicketClientInactiveError, TicketFieldError, TicketNotReviewableError } from './ticket.errors';

export interface TicketRow {
  id: string;
  number: string;
  title: string;
  status: TicketStatus;
  createdAt: Date;
  closedAt: Date | null;
  reviewedAt: Date | null;
  clientId: string;
  clientName: string;
  deskName: string;
  requiresReview: boolean;
  groupName: string;
}

export interface TicketDetail {
  ticket: Ticket;
  client: Client;
  desk: { id: string; name: string; requiresReview: boolean };
  group: { id: string; name: string };
  requester: { id: string; name: string } | null;
  events: TicketEvent[];
}

const ROW_SELECT = `t.id, t.number::text AS number, t.title, t.status, t.created_at AS "createdAt", t.closed_at AS "closedAt",
  t.reviewed_at AS "reviewedAt", c.id AS "clientId", c.trade_name AS "clientName", d.name AS "deskName",
  d.requires_review AS "requiresReview", g.name AS "groupName"`;
const ROW_FROM = `tickets t JOIN clients c ON c.id = t.client_id JOIN service_desks d ON d.id = t.service_desk_id
  JOIN attendant_groups g ON g.id = t.attendant_group_id`;

/**
 * Minimal tickets (SPEC §3.6): only what the client rules need. Operators see the tickets of the clients they
 * can see (agents: clients linked to their groups; anything else is a 404). Every change writes a ticket
 * event and a client history entry in its transaction. Whatever puts a ticket into work (creating it,
 * reopening it) locks the client row FOR SHARE and refuses an inactive client, so it serialises with an
 * inactivation (SPEC §5).
 */
@Injectable()
export class TicketsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clients: ClientsService,
    private readonly contacts: ContactsService,
    private readonly links: ClientLinksService,
  ) {}

  /** One page (newest first) and whether there is a next one; two bounded queries at most. */
  async list(
    operator: SessionOperator,
    state: TicketListState,
  ): Promise<{ rows: TicketRow[]; hasNext: boolean }> {
    const params = new SqlParams();
    const where = [visibleClientSql(operator, params)];
    if (state.clientId) where.push(`t.client_id = ${params.add(state.clientId)}`);
    if (state.serviceDeskId) where.push(`t.service_desk_id = ${params.add(state.serviceDeskId)}`);
    if (state.status === 'pending_review')
      where.push(`t.status = 'closed' AND t.reviewed_at IS NULL AND d.requires_review`);
    else if (state.status) where.push(`t.status = ${params.add(state.status)}`);
    const offset = (state.page - 1) * TICKETS_PAGE_SIZE;
    const rows: TicketRow[] = await this.dataSource.query(
      `SELECT ${ROW_SELECT} FROM ${ROW_FROM} WHERE ${where.join(' AND ')}
       ORDER BY t.number DESC LIMIT ${TICKETS_PAGE_SIZE + 1} OFFSET ${offset}`,
      params.values,
    );
    return { rows: rows.slice(0, TICKETS_PAGE_SIZE), hasNext: rows.length > TICKETS_PAGE_SIZE };
  }

  /** The client's latest tickets and how many are still unfinished, for the client page. */
  async recentForClient(clientId: string, limit = 10): Promise<{ rows: TicketRow[]; total: number }> {
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${ROW_SELECT} FROM ${ROW_FROM} WHERE t.client_id = $1 ORDER BY t.number DESC LIMIT ${limit}`,
        [clientId],
      ) as Promise<TicketRow[]>,
      this.dataSource.query(`SELECT count(*)::int AS total FROM tickets WHERE client_id = $1`, [clientId]),
    ]);
    return { rows, total };
  }

  /** A ticket of a client the operator sees, with what its page shows; otherwise 404. */
  async find(operator: SessionOperator, id: string): Promise<TicketDetail> {
    const { ticket, client } = await this.findVisible(operator, id);
    const [[desk], [group], requester, events] = await Promise.all([
      this.dataSource.query(
        `SELECT id, name, requires_review AS "requiresReview" FROM service_desks WHERE id = $1`,
        [ticket.serviceDeskId],
      ),
      this.dataSource.query(`SELECT id, name FROM attendant_groups WHERE id = $1`, [ticket.attendantGroupId]),
      ticket.requesterContactId
        ? this.dataSource
            .query(`SELECT id, name FROM contacts WHERE id = $1`, [ticket.requesterContactId])
            .then((r) => r[0] ?? null)
        : null,
      this.dataSource
        .getRepository(TicketEvent)
        .find({ where: { ticketId: id }, order: { createdAt: 'ASC', id: 'ASC' } }),
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
      if ((await lockClientStatus(tx, client.id)) !== 'active')
        throw new TicketClientInactiveError('tickets.errors.clientInactive');
      await this.checkLinks(tx, client.id, dto);
      const repo = tx.getRepository(Ticket);
      const { id } = await repo.save(
        repo.create({
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
        }),
      );
      const ticket = await repo.findOneByOrFail({ id });
      await this.event(tx, id, operator, 'created', null, 'open');
      await this.clients.emit(
        tx,
        client.id,
        operator,
        'created',
        'ticket',
        { title: [null, ticket.title] },
        id,
        label(ticket),
      );
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
      const clientStatus = await lockClientStatus(tx, ticket.clientId);
      if (clientStatus !== 'active' && UNFINISHED_TICKET_STATUSES.includes(status)) {
        throw new TicketClientInactiveError('tickets.errors.clientInactiveReopen');
      }
      await tx.query(
        `UPDATE tickets SET status = $2::varchar,
           closed_at = CASE WHEN $2::varchar = 'closed' THEN now() ELSE NULL END,
           reviewed_at = NULL, reviewed_by = NULL, reviewed_by_name = NULL, updated_at = now()
         WHERE id = $1`,
        [id, status],
      );
      await this.event(tx, id, operator, 'status_changed', ticket.status, status);
      await this.clients.emit(
        tx,
        ticket.clientId,
        operator,
        'status_changed',
        'ticket',
        { ticketStatus: [ticket.status, status] },
        id,
        label(ticket),
      );
      return tx.getRepository(Ticket).findOneByOrFail({ id });
    });
  }

  /** Reviews a closed ticket of a desk that requires review: it stops being "pending review". */
  async review(operator: SessionOperator, id: string): Promise<Ticket> {
    return this.dataSource.transaction(async (tx) => {
      const { ticket } = await this.findVisible(operator, id, tx, true);
      const [desk] = await tx.query(
        `SELECT requires_review AS "requiresReview" FROM service_desks WHERE id = $1`,
        [ticket.serviceDeskId],
      );
      if (ticket.status !== 'closed' || ticket.reviewedAt || !desk?.requiresReview)
        throw new TicketNotReviewableError();
      await tx.query(
        `UPDATE tickets SET reviewed_at = now(), reviewed_by = $2, reviewed_by_name = $3, updated_at = now() WHERE id = $1`,
        [id, operator.id, operator.name],
      );
      await this.event(tx, id, operator, 'reviewed', 'closed', 'closed');
      await this.clients.emit(tx, ticket.clientId, operator, 'reviewed', 'ticket', {}, id, label(ticket));
      return tx.getRepository(Ticket).findOneByOrFail({ id });
    });
  }

  private async findVisible(
    operator: SessionOperator,
    id: string,
    manager: EntityManager = this.dataSource.manager,
    lock = false,
  ) {
    if (!isUuid(id)) throw new NotFoundException();
    const ticket = await manager
      .getRepository(Ticket)
      .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
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
    const ok = async (sql: string, id: string | undefined) =>
      isUuid(id) && (await tx.query(sql, [clientId, id])).length > 0;
    if (
      !(await ok(
        `SELECT 1 FROM client_service_desks WHERE client_id = $1 AND service_desk_id = $2`,
        dto.serviceDeskId,
      ))
    ) {
      throw new TicketFieldError('serviceDeskId', 'tickets.errors.deskNotLinked');
    }
    if (
      !(await ok(
        `SELECT 1 FROM client_attendant_groups WHERE client_id = $1 AND attendant_group_id = $2`,
        dto.attendantGroupId,
      ))
    ) {
      throw new TicketFieldError('attendantGroupId', 'tickets.errors.groupNotLinked');
    }
    if (
      dto.requesterContactId &&
      !(await ok(`SELECT 1 FROM contacts WHERE client_id = $1 AND id = $2`, dto.requesterContactId))
    ) {
      throw new TicketFieldError('requesterContactId', 'tickets.errors.requester');
    }
  }

  private async event(
    tx: EntityManager,
    ticketId: string,
    operator: SessionOperator,
    kind: TicketEventKind,
    from: TicketStatus | null,
    to: TicketStatus | null,
  ) {
    await tx.getRepository(TicketEvent).insert({
      ticketId,
      operatorId: operator.id,
      operatorName: operator.name,
      kind,
      fromStatus: from,
      toStatus: to,
    });
  }
}

/** `#123 Impressora parada`: how the history and messages name a ticket. */
export const label = (ticket: Pick<Ticket, 'number' | 'title'>): string =>
  `#${ticket.number} ${ticket.title}`.slice(0, 200);
