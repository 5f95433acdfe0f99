import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { visibleClientSql } from '../clients/client-scope';
import { SqlParams } from '../common/sql';
import { TICKETS_PAGE_SIZE, type TicketListState } from './dto/list-tickets.query';
import { TicketEvent, type TicketEventKind } from './ticket-event.entity';
import { Ticket, type TicketStatus } from './ticket.entity';

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

/** What keeps a client from being inactivated, counted per kind of unfinished ticket. */
export interface UnfinishedTicketCounts {
  open: number;
  inProgress: number;
  waiting: number;
  pendingReview: number;
}

const ROW_SELECT = `t.id, t.number::text AS number, t.title, t.status, t.created_at AS "createdAt", t.closed_at AS "closedAt",
  t.reviewed_at AS "reviewedAt", c.id AS "clientId", c.trade_name AS "clientName", d.name AS "deskName",
  d.requires_review AS "requiresReview", g.name AS "groupName"`;
const ROW_FROM = `tickets t JOIN clients c ON c.id = t.client_id JOIN service_desks d ON d.id = t.service_desk_id
  JOIN attendant_groups g ON g.id = t.attendant_group_id`;

/**
 * The SQL of tickets. Lists go through the client scope (client-scope.ts); a single ticket is checked by
 * its client's visibility in the service. Writes take the transaction's EntityManager first.
 */
@Injectable()
export class TicketsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One page of the tickets of clients the operator sees, newest first (one row more: a next page). */
  listPage(operator: SessionOperator, state: TicketListState): Promise<TicketRow[]> {
    const params = new SqlParams();
    const where = [visibleClientSql(operator, params)];
    if (state.clientId) where.push(`t.client_id = ${params.add(state.clientId)}`);
    if (state.serviceDeskId) where.push(`t.service_desk_id = ${params.add(state.serviceDeskId)}`);
    if (state.status === 'pending_review')
      where.push(`t.status = 'closed' AND t.reviewed_at IS NULL AND d.requires_review`);
    else if (state.status) where.push(`t.status = ${params.add(state.status)}`);
    const offset = (state.page - 1) * TICKETS_PAGE_SIZE;
    return this.dataSource.query(
      `SELECT ${ROW_SELECT} FROM ${ROW_FROM} WHERE ${where.join(' AND ')}
       ORDER BY t.number DESC LIMIT ${TICKETS_PAGE_SIZE + 1} OFFSET ${offset}`,
      params.values,
    );
  }

  /** The client's latest tickets (the client page is already scoped). */
  latestOfClient(clientId: string, limit: number): Promise<TicketRow[]> {
    return this.dataSource.query(
      `SELECT ${ROW_SELECT} FROM ${ROW_FROM} WHERE t.client_id = $1 ORDER BY t.number DESC LIMIT ${limit}`,
      [clientId],
    );
  }

  async countOfClient(clientId: string): Promise<number> {
    const [{ total }] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM tickets WHERE client_id = $1`,
      [clientId],
    );
    return total;
  }

  /** A ticket by id, locked FOR UPDATE when `lock` (inside a transaction), or null. */
  find(id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<Ticket | null> {
    return manager
      .getRepository(Ticket)
      .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  get(id: string, manager: EntityManager = this.dataSource.manager): Promise<Ticket> {
    return manager.getRepository(Ticket).findOneByOrFail({ id });
  }

  async desk(
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ id: string; name: string; requiresReview: boolean }> {
    const [desk] = await manager.query(
      `SELECT id, name, requires_review AS "requiresReview" FROM service_desks WHERE id = $1`,
      [id],
    );
    return desk;
  }

  async group(id: string): Promise<{ id: string; name: string }> {
    const [group] = await this.dataSource.query(`SELECT id, name FROM attendant_groups WHERE id = $1`, [id]);
    return group;
  }

  async contact(id: string): Promise<{ id: string; name: string } | null> {
    const [contact] = await this.dataSource.query(`SELECT id, name FROM contacts WHERE id = $1`, [id]);
    return contact ?? null;
  }

  events(ticketId: string): Promise<TicketEvent[]> {
    return this.dataSource
      .getRepository(TicketEvent)
      .find({ where: { ticketId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Whether the desk, group or contact belongs to the client (its links, its own contacts). */
  async deskLinked(tx: EntityManager, clientId: string, deskId: string): Promise<boolean> {
    return this.exists(
      tx,
      `SELECT 1 FROM client_service_desks WHERE client_id = $1 AND service_desk_id = $2`,
      [clientId, deskId],
    );
  }

  async groupLinked(tx: EntityManager, clientId: string, groupId: string): Promise<boolean> {
    return this.exists(
      tx,
      `SELECT 1 FROM client_attendant_groups WHERE client_id = $1 AND attendant_group_id = $2`,
      [clientId, groupId],
    );
  }

  async contactOfClient(tx: EntityManager, clientId: string, contactId: string): Promise<boolean> {
    return this.exists(tx, `SELECT 1 FROM contacts WHERE client_id = $1 AND id = $2`, [clientId, contactId]);
  }

  async insert(tx: EntityManager, values: Partial<Ticket>): Promise<Ticket> {
    const repository = tx.getRepository(Ticket);
    const { id } = await repository.save(repository.create(values));
    return repository.findOneByOrFail({ id });
  }

  /** Moves the ticket: closing stamps `closed_at`; any move clears the review. */
  async setStatus(tx: EntityManager, id: string, status: TicketStatus): Promise<void> {
    await tx.query(
      `UPDATE tickets SET status = $2::varchar,
         closed_at = CASE WHEN $2::varchar = 'closed' THEN now() ELSE NULL END,
         reviewed_at = NULL, reviewed_by = NULL, reviewed_by_name = NULL, updated_at = now()
       WHERE id = $1`,
      [id, status],
    );
  }

  async markReviewed(tx: EntityManager, id: string, operator: SessionOperator): Promise<void> {
    await tx.query(
      `UPDATE tickets SET reviewed_at = now(), reviewed_by = $2, reviewed_by_name = $3, updated_at = now() WHERE id = $1`,
      [id, operator.id, operator.name],
    );
  }

  async addEvent(
    tx: EntityManager,
    event: {
      ticketId: string;
      operator: SessionOperator;
      kind: TicketEventKind;
      from: TicketStatus | null;
      to: TicketStatus | null;
    },
  ): Promise<void> {
    await tx.getRepository(TicketEvent).insert({
      ticketId: event.ticketId,
      operatorId: event.operator.id,
      operatorName: event.operator.name,
      kind: event.kind,
      fromStatus: event.from,
      toStatus: event.to,
    });
  }

  /** The client's unfinished tickets by kind, in the caller's transaction (the inactivation check). */
  async countUnfinished(manager: EntityManager, clientId: string): Promise<UnfinishedTicketCounts> {
    const [row] = await manager.query(
      `SELECT count(*) FILTER (WHERE t.status = 'open')::int AS open,
              count(*) FILTER (WHERE t.status = 'in_progress')::int AS "inProgress",
              count(*) FILTER (WHERE t.status = 'waiting')::int AS waiting,
              count(*) FILTER (WHERE t.status = 'closed' AND t.reviewed_at IS NULL AND d.requires_review)::int AS "pendingReview"
       FROM tickets t JOIN service_desks d ON d.id = t.service_desk_id
       WHERE t.client_id = $1 AND (t.status IN ('open', 'in_progress', 'waiting') OR (t.status = 'closed' AND t.reviewed_at IS NULL))`,
      [clientId],
    );
    return row;
  }

  private async exists(tx: EntityManager, sql: string, values: unknown[]): Promise<boolean> {
    return (await tx.query(sql, values)).length > 0;
  }
}
