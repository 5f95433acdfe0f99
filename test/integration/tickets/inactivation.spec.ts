import { Client as PgClient } from 'pg';
import { Client } from '../../../src/clients/client.entity';
import { ClientStatusService } from '../../../src/clients/client-status.service';
import { addDays, todayInSaoPaulo } from '../../../src/common/calendar';
import { ClientHistoryEntry } from '../../../src/history/client-history-entry.entity';
import { TicketsService } from '../../../src/tickets/tickets.service';
import { Ticket } from '../../../src/tickets/ticket.entity';
import { TicketClientInactiveError } from '../../../src/tickets/ticket.errors';
import { asSession, makeDesk, makeLinkedClient } from '../../factories/client.factory';
import { makeContract, setContractDates } from '../../factories/contract.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { makeTicket } from '../../factories/ticket.factory';
import { decode, text } from '../../support/html';
import { csrfFor, login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Links = Awaited<ReturnType<typeof makeLinkedClient>>;

describe('inactivation rules: tickets and contracts keep a client active', () => {
  let t: TestApp;
  let manager: TestOperator;
  let http: ReturnType<TestApp['http']>;
  let token: string;
  const today = todayInSaoPaulo();

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    http = t.http();
    await login(http, manager.email, manager.password);
    token = await csrfFor(http, '/clients');
  });
  afterAll(() => t.close());

  const stored = (id: string) => t.dataSource.getRepository(Client).findOneByOrFail({ id });
  const inactivate = (id: string) =>
    http
      .post(`/clients/${id}/status`)
      .type('form')
      .send({ _csrf: token, status: 'inactive', returnTo: '/clients' });
  const inactivateHtmx = (id: string) =>
    http
      .post(`/clients/${id}/status`)
      .set('HX-Request', 'true')
      .set('HX-Target', `tr#client-${id}`)
      .set('X-CSRF-Token', token)
      .type('form')
      .send({ status: 'inactive', returnTo: '/clients' });
  /** The blocker links of the refusal alert (in the row, or on the no-JS page). */
  const blockerItems = (html: string) =>
    [
      ...(/<div[^>]*class="alert alert-error[^"]*"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '').matchAll(
        /<li><a href="([^"]+)">([^<]+)<\/a><\/li>/g,
      ),
    ].map((m) => ({ href: decode(m[1]), message: decode(m[2]) }));

  /** Refused both ways (htmx row and no-JS page), nothing changed; then `remove` lifts it and inactivation passes. */
  async function expectBlockedUntil(
    links: Links,
    expected: { message: string; href: string },
    remove: () => Promise<unknown>,
  ) {
    const { client } = links;
    const row = await inactivateHtmx(client.id);
    expect(row.status).toBe(422);
    expect(row.text.trim().startsWith(`<tr id="client-${client.id}"`)).toBe(true);
    expect(text(row.text)).toContain('Não é possível inativar este cliente');
    expect(blockerItems(row.text)).toEqual([expected]);
    const page = await inactivate(client.id);
    expect(page.status).toBe(422);
    expect(page.text).toContain('<html');
    expect(text(page.text)).toContain('Nada foi alterado. Resolva primeiro:');
    expect(blockerItems(page.text)).toEqual([expected]);
    expect(await stored(client.id)).toMatchObject({ status: 'active', version: 1 });

    await remove();
    const ok = await inactivateHtmx(client.id);
    expect(ok.status).toBe(200);
    expect(ok.text).not.toContain('Não é possível inativar');
    expect((await stored(client.id)).status).toBe('inactive');
    const [entry] = await t.dataSource
      .getRepository(ClientHistoryEntry)
      .findBy({ clientId: client.id, action: 'status_changed', subject: 'client' });
    expect(entry.changes).toEqual({ status: ['active', 'inactive'] });
  }

  const move = (ticket: Ticket, status: string) =>
    postForm(http, `/tickets/${ticket.id}/status`, { status }, `/tickets/${ticket.id}`);

  it('refuses while the client has an open ticket, until it is closed', async () => {
    const links = await makeLinkedClient(t);
    const ticket = await makeTicket(t, links);
    await expectBlockedUntil(
      links,
      { message: 'Tickets abertos: 1', href: `/tickets?clientId=${links.client.id}&status=open` },
      () => move(ticket, 'closed'),
    );
  });

  it('refuses while the client has a ticket in progress, until it is cancelled', async () => {
    const links = await makeLinkedClient(t);
    const ticket = await makeTicket(t, links, { status: 'in_progress' });
    await expectBlockedUntil(
      links,
      { message: 'Tickets em andamento: 1', href: `/tickets?clientId=${links.client.id}&status=in_progress` },
      () => move(ticket, 'cancelled'),
    );
  });

  it('refuses while the client has a waiting ticket, until it is closed', async () => {
    const links = await makeLinkedClient(t);
    const ticket = await makeTicket(t, links, { status: 'waiting' });
    await expectBlockedUntil(
      links,
      { message: 'Tickets aguardando: 1', href: `/tickets?clientId=${links.client.id}&status=waiting` },
      () => move(ticket, 'closed'),
    );
  });

  it('refuses while a closed ticket of a desk that requires review is not reviewed, until it is reviewed', async () => {
    const links = await makeLinkedClient(t, {}, { desk: await makeDesk(t, undefined, true) });
    const ticket = await makeTicket(t, links, { status: 'closed' });
    await expectBlockedUntil(
      links,
      {
        message: 'Tickets encerrados aguardando revisão: 1',
        href: `/tickets?clientId=${links.client.id}&status=pending_review`,
      },
      () => postForm(http, `/tickets/${ticket.id}/review`, {}, `/tickets/${ticket.id}`),
    );
  });

  it('refuses while the client has an active contract, until it is cancelled', async () => {
    const links = await makeLinkedClient(t);
    const contract = await makeContract(t, links.client);
    await expectBlockedUntil(
      links,
      { message: 'Contratos ativos: 1', href: `/clients/${links.client.id}#contracts` },
      () => postForm(http, `/contracts/${contract.id}/cancel`, {}, `/contracts/${contract.id}`),
    );
  });

  it('refuses while the client has a contract pending readjustment, until it is cancelled', async () => {
    const links = await makeLinkedClient(t);
    const contract = await makeContract(t, links.client);
    await setContractDates(t, contract, { nextReadjustmentDate: addDays(today, -5) });
    await expectBlockedUntil(
      links,
      { message: 'Contratos com reajuste pendente: 1', href: `/clients/${links.client.id}#contracts` },
      () => postForm(http, `/contracts/${contract.id}/cancel`, {}, `/contracts/${contract.id}`),
    );
  });

  it('lists every kind of blocker with its count at once', async () => {
    const links = await makeLinkedClient(t, {}, { desk: await makeDesk(t, undefined, true) });
    await makeTicket(t, links);
    await makeTicket(t, links);
    await makeTicket(t, links, { status: 'in_progress' });
    await makeTicket(t, links, { status: 'waiting' });
    await makeTicket(t, links, { status: 'closed' });
    await makeContract(t, links.client);
    const due = await makeContract(t, links.client);
    await setContractDates(t, due, { nextReadjustmentDate: today });
    const res = await inactivateHtmx(links.client.id);
    expect(res.status).toBe(422);
    expect(blockerItems(res.text).map((b) => b.message)).toEqual([
      'Contratos ativos: 1',
      'Contratos com reajuste pendente: 1',
      'Tickets abertos: 2',
      'Tickets em andamento: 1',
      'Tickets aguardando: 1',
      'Tickets encerrados aguardando revisão: 1',
    ]);
  });

  it('is not blocked by finished things: closed (no review needed), reviewed or cancelled tickets, expired or cancelled contracts', async () => {
    const reviewDesk = await makeDesk(t, undefined, true);
    const links = await makeLinkedClient(t);
    await makeTicket(t, links, { status: 'closed' });
    await makeTicket(t, links, { status: 'cancelled' });
    const reviewed = await makeLinkedClient(t, {}, { desk: reviewDesk, group: links.group });
    await makeTicket(t, reviewed, { status: 'closed', reviewed: true });
    await makeContract(t, links.client, { startDate: '2020-01-01', durationMonths: '12' });
    const cancelled = await makeContract(t, links.client);
    await t.dataSource.query(`UPDATE contracts SET cancelled_at = now() WHERE id = $1`, [cancelled.id]);
    expect((await inactivate(links.client.id)).status).toBe(303);
    expect((await inactivate(reviewed.client.id)).status).toBe(303);
    expect((await stored(links.client.id)).status).toBe('inactive');
  });

  it('always allows reactivation, and an inactive client gets no new ticket (422)', async () => {
    const links = await makeLinkedClient(t);
    expect((await inactivate(links.client.id)).status).toBe(303);
    const refused = await postForm(
      http,
      '/tickets/new',
      {
        clientId: links.client.id,
        serviceDeskId: links.desk.id,
        attendantGroupId: links.group.id,
        title: 'Não abre',
      },
      '/tickets/new',
    );
    expect(refused.status).toBe(422);
    const back = await http
      .post(`/clients/${links.client.id}/status`)
      .type('form')
      .send({ _csrf: token, status: 'active' });
    expect(back.status).toBe(303);
    const opened = await postForm(
      http,
      '/tickets/new',
      {
        clientId: links.client.id,
        serviceDeskId: links.desk.id,
        attendantGroupId: links.group.id,
        title: 'Agora abre',
      },
      '/tickets/new',
    );
    expect(opened.status).toBe(303);
  });

  describe('a ticket created while the client is being inactivated', () => {
    it('waits for an inactivation in progress and is then refused (the client row lock)', async () => {
      const links = await makeLinkedClient(t);
      const other = new PgClient({ connectionString: t.db.url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query(`SELECT 1 FROM clients WHERE id = $1 FOR UPDATE`, [links.client.id]);
        await other.query(`UPDATE clients SET status = 'inactive' WHERE id = $1`, [links.client.id]);
        let settled = false;
        const creating = t.app
          .get(TicketsService)
          .create(asSession(manager), {
            clientId: links.client.id,
            serviceDeskId: links.desk.id,
            attendantGroupId: links.group.id,
            title: 'Corrida',
          })
          .finally(() => (settled = true));
        creating.catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(settled).toBe(false);
        await other.query('COMMIT');
        await expect(creating).rejects.toBeInstanceOf(TicketClientInactiveError);
      } finally {
        await other.end();
      }
      expect(await t.dataSource.getRepository(Ticket).countBy({ clientId: links.client.id })).toBe(0);
    });

    it('makes an inactivation started meanwhile wait for it, and then refuse', async () => {
      const links = await makeLinkedClient(t);
      const other = new PgClient({ connectionString: t.db.url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query(`SELECT status FROM clients WHERE id = $1 FOR SHARE`, [links.client.id]);
        await other.query(
          `INSERT INTO tickets (title, client_id, service_desk_id, attendant_group_id, status) VALUES ('Corrida', $1, $2, $3, 'open')`,
          [links.client.id, links.desk.id, links.group.id],
        );
        let settled = false;
        const changing = t.app
          .get(ClientStatusService)
          .change(asSession(manager), links.client.id, 'inactive')
          .finally(() => (settled = true));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(settled).toBe(false);
        await other.query('COMMIT');
        const result = await changing;
        expect(result.ok).toBe(false);
      } finally {
        await other.end();
      }
      expect((await stored(links.client.id)).status).toBe('active');
    });

    it('never ends with an inactive client that has an open ticket, over many concurrent HTTP races', async () => {
      const opener = t.http();
      await login(opener, manager.email, manager.password);
      const openerToken = await csrfFor(opener, '/tickets/new');
      const outcomes = { ticketWon: 0, inactivationWon: 0 };
      for (let i = 0; i < 30; i++) {
        const links = await makeLinkedClient(t);
        const [ticket, status] = await Promise.all([
          opener
            .post('/tickets/new')
            .type('form')
            .send({
              _csrf: openerToken,
              clientId: links.client.id,
              serviceDeskId: links.desk.id,
              attendantGroupId: links.group.id,
              title: `Corrida ${i}`,
            }),
          inactivate(links.client.id),
        ]);
        const client = await stored(links.client.id);
        const tickets = await t.dataSource
          .getRepository(Ticket)
          .countBy({ clientId: links.client.id, status: 'open' });
        if (client.status === 'inactive') {
          expect([i, status.status, ticket.status, tickets]).toEqual([i, 303, 422, 0]);
          outcomes.inactivationWon += 1;
        } else {
          expect([i, status.status, ticket.status, tickets]).toEqual([i, 422, 303, 1]);
          outcomes.ticketWon += 1;
        }
      }
      expect(outcomes.ticketWon + outcomes.inactivationWon).toBe(30);
    });

    it('stays consistent when the service calls race directly (no HTTP in between)', async () => {
      const tickets = t.app.get(TicketsService);
      const statuses = t.app.get(ClientStatusService);
      const operator = asSession(manager);
      for (let i = 0; i < 40; i++) {
        const links = await makeLinkedClient(t);
        const [created, changed] = await Promise.allSettled([
          tickets.create(operator, {
            clientId: links.client.id,
            serviceDeskId: links.desk.id,
            attendantGroupId: links.group.id,
            title: `Serviço ${i}`,
          }),
          statuses.change(operator, links.client.id, 'inactive'),
        ]);
        const client = await stored(links.client.id);
        const open = await t.dataSource.getRepository(Ticket).countBy({ clientId: links.client.id });
        expect(changed.status).toBe('fulfilled');
        const inactivated = changed.status === 'fulfilled' && changed.value.ok;
        expect([i, inactivated, client.status, created.status, open]).toEqual(
          inactivated ? [i, true, 'inactive', 'rejected', 0] : [i, false, 'active', 'fulfilled', 1],
        );
      }
    });
  });
});
