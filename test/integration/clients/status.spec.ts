import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Client } from '../../../src/clients/client.entity';
import { InactivationBlockersRegistry } from '../../../src/clients/inactivation-blockers';
import { makeClient } from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { decode, rowIds, text } from '../../support/html';
import { csrfFor, csrfFrom, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('activating and inactivating a client (POST /clients/:id/status)', () => {
  let t: TestApp;
  let manager: TestOperator;
  let agentOperator: TestOperator;
  let http: ReturnType<TestApp['http']>;
  let token: string;
  /** Clients a test blocks from inactivation through the plug-in point the tickets/contracts rules use. */
  const blocked = new Set<string>();

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    agentOperator = await makeOperator(t, 'agent', { name: 'Ana Agente' });
    http = t.http();
    await login(http, manager.email, manager.password);
    token = await csrfFor(http, '/clients');
    t.app.get(InactivationBlockersRegistry).register({
      async blockers(_: EntityManager, clientId: string) {
        if (!blocked.has(clientId)) return [];
        return [
          { messageKey: 'Tickets em aberto: {count}', count: 2, href: `/tickets?clientId=${clientId}` },
          { messageKey: 'Contratos ativos: {count}', count: 1, href: `/clients/${clientId}#contracts` },
        ];
      },
    });
  });
  afterAll(() => t.close());

  const post = (id: string, fields: Record<string, string>) =>
    http
      .post(`/clients/${id}/status`)
      .type('form')
      .send({ _csrf: token, ...fields });
  const htmxPost = (id: string, fields: Record<string, string>) =>
    http
      .post(`/clients/${id}/status`)
      .set('HX-Request', 'true')
      .set('HX-Target', `tr#client-${id}`)
      .set('X-CSRF-Token', token)
      .type('form')
      .send(fields);
  const stored = (id: string) => t.dataSource.getRepository(Client).findOneByOrFail({ id });

  it('inactivates without JavaScript: 303 back to the list URL it came from, with a message there', async () => {
    const client = await makeClient(t, { tradeName: 'Loja Fechando' });
    const res = await post(client.id, { status: 'inactive', returnTo: '/clients?sort=city&dir=desc' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/clients?sort=city&dir=desc');
    expect(await stored(client.id)).toMatchObject({ status: 'inactive', version: 2 });
    const next = await http.get(res.headers.location);
    expect(next.text).toContain('Cliente Loja Fechando inativado.');
    expect(rowIds(next.text)).not.toContain(client.id);
  });

  it('reactivates without JavaScript, with a message', async () => {
    const client = await makeClient(t, { tradeName: 'Loja Voltando', status: 'inactive' });
    const res = await post(client.id, { status: 'active', returnTo: '/clients?status=inactive' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/clients?status=inactive');
    expect((await stored(client.id)).status).toBe('active');
    expect((await http.get(res.headers.location)).text).toContain('Cliente Loja Voltando ativado.');
  });

  it.each([
    ['a protocol-relative URL', '//evil.example/clients'],
    ['a backslash trick', '/\\evil.example'],
    ['an absolute URL', 'https://evil.example/'],
    ['a relative path', 'clients'],
    ['nothing', undefined],
  ])('returns to the client page when returnTo is %s', async (_, returnTo) => {
    const client = await makeClient(t);
    const res = await post(
      client.id,
      returnTo === undefined ? { status: 'inactive' } : { status: 'inactive', returnTo },
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/clients/${client.id}`);
  });

  it('answers an htmx toggle with 200 and the row fragment, swapped in place', async () => {
    const client = await makeClient(t, { tradeName: 'Mercadinho Htmx', city: 'Recife', state: 'PE' });
    const res = await htmxPost(client.id, { status: 'inactive', returnTo: '/clients?q=htmx' });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<html');
    expect(res.text.trim()).toMatch(
      new RegExp(`^<tr id="client-${client.id}" class="row-inactive">[\\s\\S]*</tr>$`),
    );
    expect(res.text).toContain('<span class="badge badge-muted">Inativo</span>');
    expect(res.text).toContain('aria-label="Ativar Mercadinho Htmx"');
    // The button submits the list's status form (which keeps the list URL for the next toggle without JS).
    expect(res.text).toContain(
      `<button form="status-form" formaction="/clients/${client.id}/status" hx-post="/clients/${client.id}/status" name="status" value="active"`,
    );
    expect(res.text).toContain('Recife/PE');
    expect((await stored(client.id)).status).toBe('inactive');

    const back = await htmxPost(client.id, { status: 'active', returnTo: '/clients?q=htmx' });
    expect(back.status).toBe(200);
    expect(back.text).toMatch(new RegExp(`^<tr id="client-${client.id}">`));
    expect(back.text).toContain('aria-label="Inativar Mercadinho Htmx"');
  });

  it('records each change in the history, shown on the client page', async () => {
    const client = await makeClient(t, { tradeName: 'Histórico de Situação' });
    await post(client.id, { status: 'inactive' });
    await post(client.id, { status: 'active' });
    const entries: Array<{ action: string; changes: unknown; operator_name: string }> =
      await t.dataSource.query(
        `SELECT action, changes, operator_name FROM client_history WHERE client_id = $1 AND action = 'status_changed' ORDER BY id`,
        [client.id],
      );
    expect(entries).toEqual([
      {
        action: 'status_changed',
        changes: { status: ['active', 'inactive'] },
        operator_name: 'Marta Gestora',
      },
      {
        action: 'status_changed',
        changes: { status: ['inactive', 'active'] },
        operator_name: 'Marta Gestora',
      },
    ]);
    const page = await http.get(`/clients/${client.id}`);
    const history = text(/<ol class="history">([\s\S]*?)<\/ol>/.exec(page.text)![1]);
    const newest = history.indexOf('Situação Inativo → Ativo');
    const older = history.indexOf('Situação Ativo → Inativo');
    expect(newest).toBeGreaterThanOrEqual(0);
    expect(older).toBeGreaterThan(newest);
    expect(history).toContain('Marta Gestora alterou o cliente');
  });

  it('changes nothing and records nothing when the status is already the one asked for', async () => {
    const client = await makeClient(t);
    const res = await post(client.id, { status: 'active' });
    expect(res.status).toBe(303);
    expect(await stored(client.id)).toMatchObject({ status: 'active', version: 1 });
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM client_history WHERE client_id = $1 AND action = 'status_changed'`,
      [client.id],
    );
    expect(n).toBe(0);
  });

  describe('when a module blocks inactivation (the plug-in point for tickets and contracts)', () => {
    it('refuses with 422, lists the blockers with links, and changes nothing (no JavaScript)', async () => {
      const client = await makeClient(t, { tradeName: 'Com Pendências' });
      blocked.add(client.id);
      const res = await post(client.id, { status: 'inactive', returnTo: '/clients' });
      expect(res.status).toBe(422);
      expect(res.text).toContain('Não é possível inativar este cliente');
      expect(decode(res.text)).toContain(`<a href="/tickets?clientId=${client.id}">Tickets em aberto: 2</a>`);
      expect(res.text).toContain('Contratos ativos: 1');
      expect(await stored(client.id)).toMatchObject({ status: 'active', version: 1 });
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM client_history WHERE client_id = $1 AND action = 'status_changed'`,
        [client.id],
      );
      expect(n).toBe(0);
    });

    it('answers htmx with 422 and the row showing why, in place', async () => {
      const client = await makeClient(t, { tradeName: 'Com Pendências Htmx' });
      blocked.add(client.id);
      const res = await htmxPost(client.id, { status: 'inactive', returnTo: '/clients' });
      expect(res.status).toBe(422);
      expect(res.text.trim()).toMatch(new RegExp(`^<tr id="client-${client.id}"`));
      expect(res.text).toContain('role="alert"');
      expect(res.text).toContain('Tickets em aberto: 2');
      expect((await stored(client.id)).status).toBe('active');
    });

    it('always allows reactivation', async () => {
      const client = await makeClient(t, { status: 'inactive' });
      blocked.add(client.id);
      expect((await post(client.id, { status: 'active' })).status).toBe(303);
      expect((await stored(client.id)).status).toBe('active');
    });
  });

  it('answers 400 to a status that does not exist, or a field the form does not have', async () => {
    const client = await makeClient(t);
    expect((await post(client.id, { status: 'deleted' })).status).toBe(400);
    expect((await post(client.id, {})).status).toBe(400);
    expect((await post(client.id, { status: 'inactive', version: '1' })).status).toBe(400);
    expect((await stored(client.id)).status).toBe('active');
  });

  it('answers 404 to an unknown client', async () => {
    expect((await post(randomUUID(), { status: 'inactive' })).status).toBe(404);
    expect((await post('nope', { status: 'inactive' })).status).toBe(404);
  });

  it('answers 403 to an agent, with or without htmx, and changes nothing', async () => {
    const client = await makeClient(t);
    const agent = t.http();
    await login(agent, agentOperator.email, agentOperator.password);
    const agentToken = csrfFrom((await agent.get('/account')).text);
    const plain = await agent
      .post(`/clients/${client.id}/status`)
      .type('form')
      .send({ _csrf: agentToken, status: 'inactive' });
    expect(plain.status).toBe(403);
    const htmx = await agent
      .post(`/clients/${client.id}/status`)
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', agentToken)
      .type('form')
      .send({ status: 'inactive' });
    expect(htmx.status).toBe(403);
    expect((await stored(client.id)).status).toBe('active');
  });

  it('refuses a request without the CSRF token', async () => {
    const client = await makeClient(t);
    const res = await http.post(`/clients/${client.id}/status`).type('form').send({ status: 'inactive' });
    expect(res.status).toBe(403);
    expect((await stored(client.id)).status).toBe('active');
  });
});
