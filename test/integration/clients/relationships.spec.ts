import { randomUUID } from 'node:crypto';
import type { AttendantGroup } from '../../../src/relationships/attendant-group.entity';
import type { ServiceDesk } from '../../../src/relationships/service-desk.entity';
import {
  linkClient,
  makeClient,
  makeDesk,
  makeGroup,
  removeAllClients,
} from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { fieldError, options, rowIds } from '../../support/html';
import { csrfFor, csrfFrom, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('client relationships, step 2 (/clients/:id/relationships)', () => {
  let t: TestApp;
  let manager: TestOperator;
  let http: ReturnType<TestApp['http']>;
  let token: string;
  let suporte: AttendantGroup;
  let redes: AttendantGroup;
  let mesaGeral: ServiceDesk;
  let mesaFinanceiro: ServiceDesk;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    http = t.http();
    await login(http, manager.email, manager.password);
    token = await csrfFor(http, '/clients');
    suporte = await makeGroup(t, 'Suporte N1');
    redes = await makeGroup(t, 'Redes');
    mesaGeral = await makeDesk(t, 'Mesa Geral');
    mesaFinanceiro = await makeDesk(t, 'Mesa Financeiro', true);
  });
  afterAll(() => t.close());

  const save = (clientId: string, fields: Record<string, string | string[]>) =>
    http
      .post(`/clients/${clientId}/relationships`)
      .type('form')
      .send({ _csrf: token, ...fields });
  const linksOf = async (clientId: string) => {
    const groups: Array<{ id: string }> = await t.dataSource.query(
      `SELECT attendant_group_id AS id FROM client_attendant_groups WHERE client_id = $1`,
      [clientId],
    );
    const desks: Array<{ id: string }> = await t.dataSource.query(
      `SELECT service_desk_id AS id FROM client_service_desks WHERE client_id = $1`,
      [clientId],
    );
    return { groups: groups.map((g) => g.id).sort(), desks: desks.map((d) => d.id).sort() };
  };
  const checked = (html: string, name: string) =>
    [...html.matchAll(new RegExp(`name="${name}" value="([0-9a-f-]{36})" checked`, 'g'))]
      .map((m) => m[1])
      .sort();

  it('shows every group and desk as a checkbox, the current links ticked', async () => {
    const client = await makeClient(t, { tradeName: 'Escritório Contábil' });
    await linkClient(t, client, { groups: [redes], desks: [mesaFinanceiro] });
    const res = await http.get(`/clients/${client.id}/relationships`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Passo 2 de 2');
    for (const g of [suporte, redes]) expect(res.text).toContain(`name="attendantGroupIds" value="${g.id}"`);
    for (const d of [mesaGeral, mesaFinanceiro])
      expect(res.text).toContain(`name="serviceDeskIds" value="${d.id}"`);
    expect(checked(res.text, 'attendantGroupIds')).toEqual([redes.id]);
    expect(checked(res.text, 'serviceDeskIds')).toEqual([mesaFinanceiro.id]);
    // The filter boxes are an enhancement: hidden without JS, never submitted.
    expect(res.text).toMatch(/data-list-filter="group-list" hidden/);
    expect(res.text).toMatch(/<input id="group-filter" type="search"(?![^>]*name=)/);
  });

  it('saves one group and one desk sent as single values, then goes to the client page', async () => {
    const client = await makeClient(t, { tradeName: 'Uma Escolha' });
    const res = await save(client.id, { attendantGroupIds: suporte.id, serviceDeskIds: mesaGeral.id });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/clients/${client.id}`);
    expect(await linksOf(client.id)).toEqual({ groups: [suporte.id], desks: [mesaGeral.id] });
    const page = await http.get(`/clients/${client.id}`);
    expect(page.text).toContain('Relacionamentos salvos.');
    expect(page.text).toMatch(/<h3>Grupos de atendentes<\/h3><ul><li>Suporte N1<\/li><\/ul>/);
    expect(page.text).not.toContain('Sem grupo de atendentes');
  });

  it('saves repeated fields (arrays) and replaces the previous links', async () => {
    const client = await makeClient(t, { tradeName: 'Várias Escolhas' });
    await linkClient(t, client, { groups: [suporte], desks: [mesaGeral] });
    const res = await save(client.id, {
      attendantGroupIds: [redes.id, suporte.id],
      serviceDeskIds: [mesaFinanceiro.id],
    });
    expect(res.status).toBe(303);
    expect(await linksOf(client.id)).toEqual({
      groups: [redes.id, suporte.id].sort(),
      desks: [mesaFinanceiro.id],
    });

    const cleared = await save(client.id, {});
    expect(cleared.status).toBe(303);
    expect(await linksOf(client.id)).toEqual({ groups: [], desks: [] });
  });

  it('records what changed, by name, in the history', async () => {
    const client = await makeClient(t);
    await save(client.id, { attendantGroupIds: suporte.id, serviceDeskIds: mesaGeral.id });
    await save(client.id, { attendantGroupIds: [suporte.id, redes.id], serviceDeskIds: mesaGeral.id });
    const entries: Array<{ changes: Record<string, [string[], string[]]>; operator_name: string }> =
      await t.dataSource.query(
        `SELECT changes, operator_name FROM client_history WHERE client_id = $1 AND subject = 'relationships' ORDER BY id`,
        [client.id],
      );
    expect(entries).toEqual([
      {
        operator_name: 'Marta Gestora',
        changes: { attendantGroups: [[], ['Suporte N1']], serviceDesks: [[], ['Mesa Geral']] },
      },
      {
        operator_name: 'Marta Gestora',
        changes: { attendantGroups: [['Suporte N1'], ['Redes', 'Suporte N1']] },
      },
    ]);
    const page = await http.get(`/clients/${client.id}`);
    expect(page.text).toMatch(
      /<th scope="row">Grupos de atendentes<\/th><td class="before">Suporte N1<\/td><td aria-hidden="true">→<\/td><td class="after">Redes, Suporte N1<\/td>/,
    );
  });

  it.each([
    [
      'an unknown group id',
      () => ({ attendantGroupIds: [suporte.id, randomUUID()], serviceDeskIds: mesaGeral.id }),
    ],
    ['an unknown desk id', () => ({ attendantGroupIds: suporte.id, serviceDeskIds: randomUUID() })],
  ])('refuses %s with 422, keeps the ticks and changes nothing', async (_, fields) => {
    const client = await makeClient(t);
    await linkClient(t, client, { groups: [redes], desks: [mesaFinanceiro] });
    const res = await save(client.id, fields());
    expect(res.status).toBe(422);
    expect(res.text).toContain('Algum grupo ou mesa escolhido não existe mais.');
    expect(checked(res.text, 'attendantGroupIds')).toContain(suporte.id);
    expect(await linksOf(client.id)).toEqual({ groups: [redes.id], desks: [mesaFinanceiro.id] });
  });

  it('refuses a value that is not an id with 422 at the field, keeping the valid ticks, and changes nothing', async () => {
    const client = await makeClient(t);
    await linkClient(t, client, { groups: [redes] });
    const res = await save(client.id, {
      attendantGroupIds: [suporte.id, 'todos'],
      serviceDeskIds: mesaGeral.id,
    });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'attendantGroupIds')).toBe('Escolha uma opção válida.');
    expect(checked(res.text, 'attendantGroupIds')).toEqual([suporte.id]);
    expect(checked(res.text, 'serviceDeskIds')).toEqual([mesaGeral.id]);
    expect(await linksOf(client.id)).toEqual({ groups: [redes.id], desks: [] });
  });

  it('answers 400 to a field the form does not have, and 404 to an unknown client', async () => {
    const client = await makeClient(t);
    expect((await save(client.id, { attendantGroupIds: suporte.id, operatorIds: manager.id })).status).toBe(
      400,
    );
    expect(await linksOf(client.id)).toEqual({ groups: [], desks: [] });
    expect((await http.get(`/clients/${randomUUID()}/relationships`)).status).toBe(404);
    expect((await save(randomUUID(), { attendantGroupIds: suporte.id })).status).toBe(404);
  });

  describe('what an agent sees (clients linked to one of its groups, 404 otherwise)', () => {
    let ana: TestOperator;
    let bruno: TestOperator;
    let anaAgent: ReturnType<TestApp['http']>;
    let grupoAna: AttendantGroup;
    let grupoBruno: AttendantGroup;
    let deAna: { id: string };
    let deAnaInativo: { id: string };
    let deBruno: { id: string };
    let deAmbos: { id: string };
    let semGrupo: { id: string };

    beforeAll(async () => {
      await removeAllClients(t);
      ana = await makeOperator(t, 'agent', { name: 'Ana Agente' });
      bruno = await makeOperator(t, 'agent', { name: 'Bruno Agente' });
      grupoAna = await makeGroup(t, 'Equipe da Ana', [ana]);
      grupoBruno = await makeGroup(t, 'Equipe do Bruno', [bruno]);
      deAna = await makeClient(t, { tradeName: 'Visível Alfa', document: '11222333000181' });
      deAnaInativo = await makeClient(t, { tradeName: 'Visível Inativo', status: 'inactive' });
      deBruno = await makeClient(t, { tradeName: 'Visível Beta' });
      deAmbos = await makeClient(t, { tradeName: 'Visível Compartilhado' });
      semGrupo = await makeClient(t, { tradeName: 'Visível Órfão' });
      await linkClient(t, deAna, { groups: [grupoAna], desks: [mesaGeral] });
      await linkClient(t, deAnaInativo, { groups: [grupoAna] });
      await linkClient(t, deBruno, { groups: [grupoBruno] });
      await linkClient(t, deAmbos, { groups: [grupoAna, grupoBruno] });
      anaAgent = t.http();
      await login(anaAgent, ana.email, ana.password);
    });

    it('lists only the clients linked to one of its groups', async () => {
      expect(rowIds((await anaAgent.get('/clients')).text).sort()).toEqual([deAna.id, deAmbos.id].sort());
      expect(rowIds((await anaAgent.get('/clients?status=all')).text).sort()).toEqual(
        [deAna.id, deAnaInativo.id, deAmbos.id].sort(),
      );
      const fragment = await anaAgent
        .get('/clients?status=all&sort=city')
        .set('HX-Request', 'true')
        .set('HX-Target', 'div#clients-table');
      expect(rowIds(fragment.text).sort()).toEqual([deAna.id, deAnaInativo.id, deAmbos.id].sort());
    });

    it('opens its clients (200) and answers 404 for any other, never saying it exists', async () => {
      for (const client of [deAna, deAnaInativo, deAmbos])
        expect((await anaAgent.get(`/clients/${client.id}`)).status).toBe(200);
      for (const client of [deBruno, semGrupo]) {
        const res = await anaAgent.get(`/clients/${client.id}`);
        expect(res.status).toBe(404);
        expect(res.text).not.toContain('Visível');
      }
    });

    it('finds only its clients when searching, also by a document of another client', async () => {
      expect(rowIds((await anaAgent.get('/clients?q=visível&status=all')).text).sort()).toEqual(
        [deAna.id, deAnaInativo.id, deAmbos.id].sort(),
      );
      expect(rowIds((await anaAgent.get('/clients?q=beta')).text)).toEqual([]);
      expect(rowIds((await anaAgent.get('/clients?q=11.222.333/0001-81')).text)).toEqual([deAna.id]);
    });

    it('is offered only its active clients in the billing picker', async () => {
      const res = await anaAgent.get('/clients/picker').query({ q: 'visível' });
      expect(res.status).toBe(200);
      expect(
        options(res.text)
          .map((o) => o.value)
          .sort(),
      ).toEqual(['', deAna.id, deAmbos.id].sort());
    });

    it('loses access as soon as it leaves the group', async () => {
      const brunoAgent = t.http();
      await login(brunoAgent, bruno.email, bruno.password);
      expect((await brunoAgent.get(`/clients/${deBruno.id}`)).status).toBe(200);
      await t.dataSource.query(
        `DELETE FROM attendant_group_members WHERE attendant_group_id = $1 AND operator_id = $2`,
        [grupoBruno.id, bruno.id],
      );
      expect((await brunoAgent.get(`/clients/${deBruno.id}`)).status).toBe(404);
      expect(rowIds((await brunoAgent.get('/clients?status=all')).text)).toEqual([]);
    });

    it('may not edit links, even of its own clients (403)', async () => {
      expect((await anaAgent.get(`/clients/${deAna.id}/relationships`)).status).toBe(403);
      const agentToken = csrfFrom((await anaAgent.get('/account')).text);
      const res = await anaAgent
        .post(`/clients/${deAna.id}/relationships`)
        .type('form')
        .send({ _csrf: agentToken, attendantGroupIds: grupoBruno.id });
      expect(res.status).toBe(403);
      expect((await linksOf(deAna.id)).groups).toEqual([grupoAna.id]);
    });

    it('lets a manager see every client, linked or not', async () => {
      expect(rowIds((await http.get('/clients?status=all')).text).sort()).toEqual(
        [deAna.id, deAnaInativo.id, deBruno.id, deAmbos.id, semGrupo.id].sort(),
      );
      for (const client of [deBruno, semGrupo])
        expect((await http.get(`/clients/${client.id}`)).status).toBe(200);
      const picker = await http.get('/clients/picker').query({ q: 'visível' });
      expect(
        options(picker.text)
          .map((o) => o.value)
          .sort(),
      ).toEqual(['', deAna.id, deBruno.id, deAmbos.id, semGrupo.id].sort());
    });
  });
});
