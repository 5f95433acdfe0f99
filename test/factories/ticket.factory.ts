import { TicketsService } from '../../src/tickets/tickets.service';
import type { Ticket, TicketStatus } from '../../src/tickets/ticket.entity';
import type { TestApp } from '../support/test-app';
import { asSession, uniqueSuffix } from './client.factory';
import { factoryActor } from './operator.factory';

const actor = (t: TestApp) => factoryActor(t, 'manager', 'Atendente de Testes');

/**
 * A ticket opened through TicketsService for a linked client (events and history written), then moved to
 * `status` and after that to `then` (and reviewed when `reviewed`) the same way the ticket page does.
 */
export async function makeTicket(
  t: TestApp,
  links: { client: { id: string }; desk: { id: string }; group: { id: string } },
  options: {
    status?: TicketStatus;
    then?: TicketStatus;
    reviewed?: boolean;
    title?: string;
    description?: string;
    requesterContactId?: string;
  } = {},
): Promise<Ticket> {
  const tickets = t.app.get(TicketsService);
  const operator = asSession(await actor(t));
  let ticket = await tickets.create(operator, {
    clientId: links.client.id,
    serviceDeskId: links.desk.id,
    attendantGroupId: links.group.id,
    title: options.title ?? `Chamado ${uniqueSuffix()}`,
    description: options.description,
    requesterContactId: options.requesterContactId,
  });
  for (const status of [options.status, options.then]) {
    if (status && status !== ticket.status) ticket = await tickets.changeStatus(operator, ticket.id, status);
  }
  if (options.reviewed) ticket = await tickets.review(operator, ticket.id);
  return ticket;
}
