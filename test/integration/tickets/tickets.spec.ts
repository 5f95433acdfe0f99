import { randomUUID } from 'node:crypto';
import { ClientHistoryEntry } from '../../../src/history/client-history-entry.entity';
import { TicketEvent } from '../../../src/tickets/ticket-event.entity';
import { Ticket } from '../../../src/tickets/ticket.entity';
import {
  linkClient,
  makeClient,
  makeContact,
  makeDesk,
  makeGroup,
  makeLinkedClient,
} from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { makeTicket } from '../../factories/ticket.factory';
import { fieldError, inputValue, options, selectHtml, text, textareaValue } from '../../support/html';
import { login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('minimal tickets', () => {
  let t: TestApp;
  let manager: TestOperator;
  let http: ReturnType<TestApp['http']>;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    http = t.http();
    await login(http, manager.email, manager.password);
  });
  afterAll(() => t.close());

  const stored = (id: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ id });
  const events = (ticketId: string) =>
    t.dataSource.getRepository(TicketEvent).find({ where: { ticketId }, order: { id: 'ASC' } });
  const signedIn = async (operator: TestOperator) => {
    const agent = t.http();
    await login(agent, operator.email, operator.password);
    return agent;
  };

  describe('opening a ticket (GET/POST /tickets/new)', () => {
    it('offers only the chosen client’s linked desks and groups and its contacts, then opens the ticket and goes to its page', async () => {
      const { client, group, desk } = await makeLinkedClient(t, { tradeName: 'Clínica Sorriso' });
      const otherDesk = await makeDesk(t, 'Mesa de outro cliente');
      const contact = await makeContact(t, client, { name: 'Júlia Recepção' });
      const form = await http.get(`/tickets/new?clientId=${client.id}`);
      expect(form.status).toBe(200);
      expect(options(selectHtml(form.text, 'serviceDeskId')!).map((o) => o.value)).toEqual(['', desk.id]);
      expect(options(selectHtml(form.text, 'attendantGroupId')!).map((o) => o.value)).toEqual(['', group.id]);
      expect(options(selectHtml(form.text, 'requesterContactId')!).map((o) => o.label)).toEqual([
        'Sem solicitante',
        'Júlia Recepção',
      ]);
      expect(form.text).not.toContain(otherDesk.id);

      const res = await postForm(http, '/tickets/new', {
        clientId: client.id,
        serviceDeskId: desk.id,
        attendantGroupId: group.id,
        requesterContactId: contact.id,
        title: 'Impressora não imprime',
        description: 'Desde ontem.',
      });
      expect(res.status).toBe(303);
      const [ticket] = await t.dataSource.getRepository(Ticket).findBy({ clientId: client.id });
      expect(res.headers.location).toBe(`/tickets/${ticket.id}`);
      expect(ticket).toMatchObject({
        status: 'open',
        title: 'Impressora não imprime',
        requesterContactId: contact.id,
        createdBy: manager.id,
        closedAt: null,
      });
      expect(await events(ticket.id)).toMatchObject([
        { kind: 'created', fromStatus: null, toStatus: 'open', operatorName: 'Marta Gestora' },
      ]);
      const page = await http.get(res.headers.location);
      expect(text(page.text)).toContain(`Ticket #${ticket.number} Impressora não imprime aberto.`);
      expect(text(page.text)).toContain('Júlia Recepção');
      const [entry] = await t.dataSource
        .getRepository(ClientHistoryEntry)
        .findBy({ clientId: client.id, subject: 'ticket' });
      expect(entry).toMatchObject({
        action: 'created',
        subjectId: ticket.id,
        subjectLabel: `#${ticket.number} Impressora não imprime`,
      });
    });

    it('refuses a desk or group not linked to the client, and a contact of another client, with 422 and the values kept', async () => {
      const { client, group, desk } = await makeLinkedClient(t);
      const foreignDesk = await makeDesk(t);
      const foreignGroup = await makeGroup(t);
      const strangerContact = await makeContact(t, await makeClient(t));
      const cases: Array<[Record<string, string>, string, string]> = [
        [
          { serviceDeskId: foreignDesk.id },
          'serviceDeskId',
          'Escolha uma das mesas de serviço vinculadas a este cliente.',
        ],
        [
          { attendantGroupId: foreignGroup.id },
          'attendantGroupId',
          'Escolha um dos grupos de atendentes vinculados a este cliente.',
        ],
        [
          { requesterContactId: strangerContact.id },
          'requesterContactId',
          'Escolha um contato deste cliente.',
        ],
        [
          { serviceDeskId: 'not-a-uuid' },
          'serviceDeskId',
          'Escolha uma das mesas de serviço vinculadas a este cliente.',
        ],
      ];
      for (const [override, field, message] of cases) {
        const res = await postForm(http, '/tickets/new', {
          clientId: client.id,
          serviceDeskId: desk.id,
          attendantGroupId: group.id,
          title: 'Título mantido',
          description: 'Descrição mantida',
          ...override,
        });
        expect([field, res.status]).toEqual([field, 422]);
        expect(fieldError(res.text, field)).toBe(message);
        expect(inputValue(res.text, 'title')).toBe('Título mantido');
        expect(textareaValue(res.text, 'description')).toBe('Descrição mantida');
      }
      expect(await t.dataSource.getRepository(Ticket).countBy({ clientId: client.id })).toBe(0);
    });

    it('requires a title and a client', async () => {
      const res = await postForm(http, '/tickets/new', { title: 'x' }, '/tickets/new');
      expect(res.status).toBe(422);
      expect(text(res.text)).toContain('Escolha um cliente.');
    });

    it('offers only active clients in the client picker; an inactive client is refused with 422', async () => {
      const { client: active } = await makeLinkedClient(t, { tradeName: 'Zeta Ativa Picker' });
      const {
        client: inactive,
        group,
        desk,
      } = await makeLinkedClient(t, { tradeName: 'Zeta Inativa Picker', status: 'inactive' });
      const picker = await http.get('/tickets/new?q=Zeta');
      expect(picker.status).toBe(200);
      const offered = options(selectHtml(picker.text, 'clientId')!).map((o) => o.value);
      expect(offered).toContain(active.id);
      expect(offered).not.toContain(inactive.id);

      const chosen = await http.get(`/tickets/new?clientId=${inactive.id}`);
      expect(chosen.status).toBe(422);
      expect(text(chosen.text)).toContain(
        'Este cliente está inativo: não é possível abrir tickets para ele.',
      );
      expect(selectHtml(chosen.text, 'serviceDeskId')).toBeUndefined();

      const res = await postForm(
        http,
        '/tickets/new',
        {
          clientId: inactive.id,
          serviceDeskId: desk.id,
          attendantGroupId: group.id,
          title: 'Não deve abrir',
        },
        '/tickets/new',
      );
      expect(res.status).toBe(422);
      expect(text(res.text)).toContain('Este cliente está inativo');
      expect(await t.dataSource.getRepository(Ticket).countBy({ clientId: inactive.id })).toBe(0);
    });
  });

  describe('moving and reviewing (POST /tickets/:id/status, /review)', () => {
    it('moves a ticket, stamping the close, logging each move as a ticket event and in the client history', async () => {
      const links = await makeLinkedClient(t);
      const ticket = await makeTicket(t, links);
      for (const status of ['in_progress', 'waiting', 'closed']) {
        const res = await postForm(http, `/tickets/${ticket.id}/status`, { status }, `/tickets/${ticket.id}`);
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe(`/tickets/${ticket.id}`);
      }
      const closed = await stored(ticket.id);
      expect(closed.status).toBe('closed');
      expect(closed.closedAt).toBeInstanceOf(Date);
      expect((await events(ticket.id)).map((e) => [e.kind, e.fromStatus, e.toStatus])).toEqual([
        ['created', null, 'open'],
        ['status_changed', 'open', 'in_progress'],
        ['status_changed', 'in_progress', 'waiting'],
        ['status_changed', 'waiting', 'closed'],
      ]);
      const page = await http.get(`/tickets/${ticket.id}`);
      expect(text(page.text)).toContain('moveu de “Aguardando” para “Encerrado”');
      expect(text((await http.get(`/clients/${links.client.id}`)).text)).toContain(
        'Situação do ticket Aguardando → Encerrado',
      );
      const reopened = await postForm(
        http,
        `/tickets/${ticket.id}/status`,
        { status: 'open' },
        `/tickets/${ticket.id}`,
      );
      expect(reopened.status).toBe(303);
      expect(await stored(ticket.id)).toMatchObject({ status: 'open', closedAt: null });
    });

    it('refuses an unknown status with 400', async () => {
      const ticket = await makeTicket(t, await makeLinkedClient(t));
      expect(
        (
          await postForm(
            http,
            `/tickets/${ticket.id}/status`,
            { status: 'resolved' },
            `/tickets/${ticket.id}`,
          )
        ).status,
      ).toBe(400);
    });

    it('reviews only a closed ticket of a desk that requires review; anything else is a 422 saying why', async () => {
      const reviewDesk = await makeDesk(t, undefined, true);
      const links = await makeLinkedClient(t, {}, { desk: reviewDesk });
      const open = await makeTicket(t, links);
      const refused = await postForm(http, `/tickets/${open.id}/review`, {}, `/tickets/${open.id}`);
      expect(refused.status).toBe(422);
      expect(text(refused.text)).toContain(
        'Só um ticket encerrado, de mesa que exige revisão e ainda não revisado, pode ser revisado.',
      );

      const closed = await makeTicket(t, links, { status: 'closed' });
      const page = await http.get(`/tickets/${closed.id}`);
      expect(text(page.text)).toContain('aguardando revisão');
      expect(page.text).toContain(`action="/tickets/${closed.id}/review"`);
      const res = await postForm(http, `/tickets/${closed.id}/review`, {}, `/tickets/${closed.id}`);
      expect(res.status).toBe(303);
      expect(await stored(closed.id)).toMatchObject({
        reviewedBy: manager.id,
        reviewedByName: 'Marta Gestora',
      });
      expect((await events(closed.id)).at(-1)).toMatchObject({ kind: 'reviewed' });
      expect((await postForm(http, `/tickets/${closed.id}/review`, {}, `/tickets/${closed.id}`)).status).toBe(
        422,
      );

      const plain = await makeTicket(t, await makeLinkedClient(t), { status: 'closed' });
      expect((await postForm(http, `/tickets/${plain.id}/review`, {}, `/tickets/${plain.id}`)).status).toBe(
        422,
      );
    });

    it('refuses to put a ticket of an inactive client back into work, but lets it be closed or cancelled', async () => {
      const links = await makeLinkedClient(t);
      const closed = await makeTicket(t, links, { status: 'closed' });
      const cancelledLater = await makeTicket(t, links, { status: 'cancelled' });
      await t.dataSource.query(`UPDATE clients SET status = 'inactive' WHERE id = $1`, [links.client.id]);
      const res = await postForm(
        http,
        `/tickets/${closed.id}/status`,
        { status: 'open' },
        `/tickets/${closed.id}`,
      );
      expect(res.status).toBe(422);
      expect(text(res.text)).toContain('O cliente deste ticket está inativo');
      expect((await stored(closed.id)).status).toBe('closed');
      expect(
        (
          await postForm(
            http,
            `/tickets/${cancelledLater.id}/status`,
            { status: 'closed' },
            `/tickets/${cancelledLater.id}`,
          )
        ).status,
      ).toBe(303);
    });
  });

  describe('the list (GET /tickets)', () => {
    it('filters by client, status, desk and pending review, with bookmarkable URLs', async () => {
      const reviewDesk = await makeDesk(t, 'Mesa Revisada Lista', true);
      const a = await makeLinkedClient(t, { tradeName: 'Lista A' }, { desk: reviewDesk });
      const b = await makeLinkedClient(t, { tradeName: 'Lista B' });
      const aOpen = await makeTicket(t, a, { title: 'A aberto' });
      const aPending = await makeTicket(t, a, { title: 'A pendente', status: 'closed' });
      const aReviewed = await makeTicket(t, a, { title: 'A revisado', status: 'closed', reviewed: true });
      const bWaiting = await makeTicket(t, b, { title: 'B aguardando', status: 'waiting' });
      const ids = (html: string) => [...html.matchAll(/<tr id="ticket-([0-9a-f-]{36})"/g)].map((m) => m[1]);

      const all = await http.get('/tickets');
      expect(all.status).toBe(200);
      expect(all.text).toMatch(/aria-current="page"[^>]*>Tickets|href="\/tickets" aria-current="page"/);
      expect(ids(all.text).slice(0, 4)).toEqual([bWaiting.id, aReviewed.id, aPending.id, aOpen.id]);
      expect(ids((await http.get(`/tickets?clientId=${a.client.id}`)).text)).toEqual([
        aReviewed.id,
        aPending.id,
        aOpen.id,
      ]);
      expect(ids((await http.get(`/tickets?clientId=${a.client.id}&status=open`)).text)).toEqual([aOpen.id]);
      expect(ids((await http.get(`/tickets?clientId=${a.client.id}&status=pending_review`)).text)).toEqual([
        aPending.id,
      ]);
      expect(ids((await http.get(`/tickets?status=waiting&serviceDeskId=${b.desk.id}`)).text)).toEqual([
        bWaiting.id,
      ]);
      expect(ids((await http.get(`/tickets?serviceDeskId=${reviewDesk.id}`)).text)).toEqual([
        aReviewed.id,
        aPending.id,
        aOpen.id,
      ]);
      const filtered = await http.get(
        `/tickets?clientId=${a.client.id}&status=closed&bogus=1&sort=drop%20table`,
      );
      expect(filtered.status).toBe(200);
      expect(text(filtered.text)).toContain('Cliente: Lista A');
      expect(ids(filtered.text)).toEqual([aReviewed.id, aPending.id]);
    });

    it('shows the client’s latest tickets on the client page, with “Novo ticket”', async () => {
      const links = await makeLinkedClient(t, { tradeName: 'Seção Tickets' });
      const ticket = await makeTicket(t, links, { title: 'Aparece na seção' });
      const page = await http.get(`/clients/${links.client.id}`);
      const section = /<section id="tickets"[\s\S]*?<\/section>/.exec(page.text)![0];
      expect(section).toContain(`/tickets/${ticket.id}`);
      expect(text(section)).toContain('Aparece na seção');
      expect(section).toContain(`href="/tickets/new?clientId=${links.client.id}"`);
      expect(section).toContain(`href="/tickets?clientId=${links.client.id}"`);
    });
  });

  describe('agents see only tickets of clients linked to their groups', () => {
    it('lists, opens, moves and reviews tickets of their clients; foreign tickets are 404', async () => {
      const agentOperator = await makeOperator(t, 'agent', { name: 'Ana Agente' });
      const team = await makeGroup(t, undefined, [agentOperator]);
      const reviewDesk = await makeDesk(t, undefined, true);
      const mine = await makeLinkedClient(
        t,
        { tradeName: 'Cliente da Ana' },
        { group: team, desk: reviewDesk },
      );
      const foreign = await makeLinkedClient(t, { tradeName: 'Cliente de outra equipe' });
      const myTicket = await makeTicket(t, mine);
      const foreignTicket = await makeTicket(t, foreign);
      const agent = await signedIn(agentOperator);

      const list = await agent.get('/tickets');
      expect(list.text).toContain(myTicket.id);
      expect(list.text).not.toContain(foreignTicket.id);
      expect((await agent.get(`/tickets?clientId=${foreign.client.id}`)).text).not.toContain(
        foreignTicket.id,
      );
      expect((await agent.get(`/tickets/${foreignTicket.id}`)).status).toBe(404);
      expect((await agent.get(`/tickets/${randomUUID()}`)).status).toBe(404);
      expect(
        (await postForm(agent, `/tickets/${foreignTicket.id}/status`, { status: 'closed' }, '/tickets'))
          .status,
      ).toBe(404);
      expect((await postForm(agent, `/tickets/${foreignTicket.id}/review`, {}, '/tickets')).status).toBe(404);
      expect((await stored(foreignTicket.id)).status).toBe('open');

      const picker = await agent.get('/tickets/new?q=Cliente');
      const offered = options(selectHtml(picker.text, 'clientId')!).map((o) => o.value);
      expect(offered).toEqual([mine.client.id]);
      const foreignForm = await postForm(
        agent,
        '/tickets/new',
        {
          clientId: foreign.client.id,
          serviceDeskId: foreign.desk.id,
          attendantGroupId: foreign.group.id,
          title: 'Não pode',
        },
        '/tickets/new',
      );
      expect(foreignForm.status).toBe(422);
      expect(await t.dataSource.getRepository(Ticket).countBy({ clientId: foreign.client.id })).toBe(1);

      const created = await postForm(
        agent,
        '/tickets/new',
        {
          clientId: mine.client.id,
          serviceDeskId: reviewDesk.id,
          attendantGroupId: team.id,
          title: 'Aberto pela agente',
        },
        '/tickets/new',
      );
      expect(created.status).toBe(303);
      const id = created.headers.location.split('/').pop()!;
      expect(
        (await postForm(agent, `/tickets/${id}/status`, { status: 'closed' }, `/tickets/${id}`)).status,
      ).toBe(303);
      expect((await postForm(agent, `/tickets/${id}/review`, {}, `/tickets/${id}`)).status).toBe(303);
      expect(await stored(id)).toMatchObject({
        status: 'closed',
        reviewedByName: 'Ana Agente',
        createdByName: 'Ana Agente',
      });
      await linkClient(t, mine.client, { groups: [], desks: [reviewDesk] });
      expect((await agent.get(`/tickets/${id}`)).status).toBe(404);
    });
  });
});
