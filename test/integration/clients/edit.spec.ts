import { randomUUID } from 'node:crypto';
import { Client } from '../../../src/clients/client.entity';
import { makeClient, maskCnpj, nextCnpj } from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { csrfFrom, login } from '../../support/session';
import { fieldError, inputValue, selectedValue, text, textareaValue } from '../../support/html';
import { startTestApp, type TestApp } from '../../support/test-app';
import { markForDeletion } from '../../factories/client-data.factory';

/** The fields an edit form shows, as the browser would send them back. */
const FORM_FIELDS = [
  'tradeName',
  'legalName',
  'document',
  'stateRegistration',
  'municipalRegistration',
  'email',
  'financialEmail',
  'phone',
  'website',
  'postalCode',
  'street',
  'number',
  'complement',
  'district',
  'city',
] as const;

/** What a browser submits for the edit form as loaded: every field's value, the token and the version. */
function formAsLoaded(html: string): Record<string, string> {
  const form: Record<string, string> = { _csrf: csrfFrom(html), version: inputValue(html, 'version')! };
  for (const name of FORM_FIELDS) form[name] = inputValue(html, name) ?? '';
  form.personType = selectedValue(html, 'personType')!;
  form.state = selectedValue(html, 'state')!;
  form.billingClientId = selectedValue(html, 'billingClientId')!;
  form.notes = textareaValue(html, 'notes')!;
  return form;
}

/** The history entries of a client page, in page order: heading line and `field: before → after` rows. */
function historyOf(html: string): Array<{ line: string; changes: string[] }> {
  const section = /<ol class="history">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? '';
  return [...section.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => ({
    line: text(/<p>([\s\S]*?)<\/p>/.exec(m[1])?.[1] ?? ''),
    changes: [...m[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => text(row[1])),
  }));
}

describe('editing a client (GET /clients/:id/edit, POST /clients/:id)', () => {
  let t: TestApp;
  let marta: TestOperator;
  let carla: TestOperator;
  let agentOperator: TestOperator;

  beforeAll(async () => {
    t = await startTestApp();
    marta = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    carla = await makeOperator(t, 'manager', { name: 'Carla Dias' });
    agentOperator = await makeOperator(t, 'agent', { name: 'Ana Agente' });
  });
  afterAll(() => t.close());

  const signedIn = async (operator: TestOperator = marta) => {
    const agent = t.http();
    await login(agent, operator.email, operator.password);
    return agent;
  };
  const stored = (id: string) => t.dataSource.getRepository(Client).findOneByOrFail({ id });

  it('shows the same form with the stored values masked and the version', async () => {
    const document = nextCnpj();
    const client = await makeClient(t, {
      tradeName: 'Ótica Visão',
      document,
      phone: '(11) 3456-7890',
      postalCode: '01310100',
      street: 'Rua Augusta',
      city: 'São Paulo',
      state: 'SP',
      notes: 'Linha 1\nLinha 2',
    });
    const res = await (await signedIn()).get(`/clients/${client.id}/edit`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Editar cliente</h1>');
    expect(res.text).toContain(`action="/clients/${client.id}"`);
    expect(inputValue(res.text, 'version')).toBe('1');
    expect(inputValue(res.text, 'tradeName')).toBe('Ótica Visão');
    expect(inputValue(res.text, 'document')).toBe(maskCnpj(document));
    expect(inputValue(res.text, 'phone')).toBe('(11) 3456-7890');
    expect(inputValue(res.text, 'postalCode')).toBe('01310-100');
    expect(selectedValue(res.text, 'state')).toBe('SP');
    expect(textareaValue(res.text, 'notes')).toBe('Linha 1\nLinha 2');
    expect(res.text).not.toContain('Passo 1');
  });

  it('round-trips an edit: the loaded form posted back with changes saves them and bumps the version', async () => {
    const client = await makeClient(t, {
      tradeName: 'Mercado Bom Preço',
      document: nextCnpj(),
      city: 'Recife',
      state: 'PE',
    });
    const agent = await signedIn();
    const loaded = await agent.get(`/clients/${client.id}/edit`);
    const form = {
      ...formAsLoaded(loaded.text),
      tradeName: 'Mercado Bom Preço Recife',
      phone: '(81) 3224-5566',
      email: 'Compras@BomPreco.com.br',
    };
    const res = await agent.post(`/clients/${client.id}`).type('form').send(form);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/clients/${client.id}`);
    const after = await stored(client.id);
    expect(after).toMatchObject({
      tradeName: 'Mercado Bom Preço Recife',
      phone: '+558132245566',
      email: 'compras@bompreco.com.br',
      document: client.document, // its own document is not a duplicate of itself
      city: 'Recife',
      state: 'PE',
      version: 2,
    });
    const page = await agent.get(`/clients/${client.id}`);
    expect(page.text).toContain('Cliente Mercado Bom Preço Recife atualizado.');

    // The form loaded again carries the new version and posts cleanly.
    const again = await agent.get(`/clients/${client.id}/edit`);
    expect(inputValue(again.text, 'version')).toBe('2');
    const second = await agent.post(`/clients/${client.id}`).type('form').send(formAsLoaded(again.text));
    expect(second.status).toBe(303);
    expect((await stored(client.id)).version).toBe(3);
  });

  it('re-renders an invalid edit with 422, the typed values and the version it was loaded with', async () => {
    const client = await makeClient(t, { tradeName: 'Farmácia Saúde' });
    const agent = await signedIn();
    const loaded = await agent.get(`/clients/${client.id}/edit`);
    const form = { ...formAsLoaded(loaded.text), tradeName: 'Farmácia Saúde Total', postalCode: '999' };
    const res = await agent.post(`/clients/${client.id}`).type('form').send(form);
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'postalCode')).toContain('CEP inválido');
    expect(inputValue(res.text, 'tradeName')).toBe('Farmácia Saúde Total');
    expect(inputValue(res.text, 'version')).toBe('1');
    expect(await stored(client.id)).toMatchObject({ tradeName: 'Farmácia Saúde', version: 1 });
  });

  it('refuses to take another client’s document on edit', async () => {
    const document = nextCnpj();
    const holder = await makeClient(t, { tradeName: 'Dona do CNPJ', document });
    const client = await makeClient(t, { tradeName: 'Quer o CNPJ' });
    const agent = await signedIn();
    const loaded = await agent.get(`/clients/${client.id}/edit`);
    const res = await agent
      .post(`/clients/${client.id}`)
      .type('form')
      .send({ ...formAsLoaded(loaded.text), document: maskCnpj(document) });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'document')).toBe(
      `Este documento já pertence ao cliente #${holder.code} — Dona do CNPJ.`,
    );
    expect((await stored(client.id)).document).toBeNull();
  });

  it('detects a stale edit: two managers load the form, the second save gets a 409 page with both values and nothing is overwritten', async () => {
    const client = await makeClient(t, { tradeName: 'Auto Peças Original', city: 'Campinas', state: 'SP' });
    const martaAgent = await signedIn(marta);
    const carlaAgent = await signedIn(carla);
    const martaForm = formAsLoaded((await martaAgent.get(`/clients/${client.id}/edit`)).text);
    const carlaForm = formAsLoaded((await carlaAgent.get(`/clients/${client.id}/edit`)).text);
    expect(martaForm.version).toBe('1');
    expect(carlaForm.version).toBe('1');

    const first = await martaAgent
      .post(`/clients/${client.id}`)
      .type('form')
      .send({ ...martaForm, tradeName: 'Auto Peças da Marta' });
    expect(first.status).toBe(303);

    const second = await carlaAgent
      .post(`/clients/${client.id}`)
      .type('form')
      .send({ ...carlaForm, tradeName: 'Auto Peças da Carla', city: 'Jundiaí' });
    expect(second.status).toBe(409);
    expect(second.text).toContain('Outra pessoa alterou este cliente');
    expect(second.text).toContain('Nada do que você digitou foi gravado.');
    const nameRow =
      /<tr class="differs"><th scope="row">Nome fantasia<\/th><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/.exec(
        second.text,
      );
    expect(nameRow?.slice(1)).toEqual(['Auto Peças da Marta', 'Auto Peças da Carla']);
    const cityRow =
      /<tr class="differs"><th scope="row">Cidade<\/th><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/.exec(
        second.text,
      );
    expect(cityRow?.slice(1)).toEqual(['Campinas', 'Jundiaí']);
    expect(second.text).toContain(`href="/clients/${client.id}/edit"`);

    expect(await stored(client.id)).toMatchObject({
      tradeName: 'Auto Peças da Marta',
      city: 'Campinas',
      version: 2,
    });
    const history = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM client_history WHERE client_id = $1 AND action = 'updated'`,
      [client.id],
    );
    expect(history[0].n).toBe(1);
  });

  it('records field-level before/after in the history, shown on the client page newest first', async () => {
    const agent = await signedIn(marta);
    const loadedNew = await agent.get('/clients/new');
    const created = await agent
      .post('/clients')
      .type('form')
      .send({
        _csrf: csrfFrom(loadedNew.text),
        tradeName: 'Livraria Letras',
        document: '11.222.333/0001-81',
        phone: '(11) 3456-7890',
      });
    expect(created.status).toBe(303);
    const id = created.headers.location.split('/')[2];

    const carlaAgent = await signedIn(carla);
    const loaded = await carlaAgent.get(`/clients/${id}/edit`);
    const edited = await carlaAgent
      .post(`/clients/${id}`)
      .type('form')
      .send({
        ...formAsLoaded(loaded.text),
        tradeName: 'Livraria Letras & Artes',
        phone: '(21) 2345-6789',
        city: 'Niterói',
        state: 'RJ',
      });
    expect(edited.status).toBe(303);

    const page = await agent.get(`/clients/${id}`);
    expect(page.status).toBe(200);
    const history = historyOf(page.text);
    expect(history).toHaveLength(2);
    expect(history[0].line).toContain('Carla Dias alterou o cliente');
    expect(history[0].changes).toEqual(
      expect.arrayContaining([
        'Nome fantasia Livraria Letras → Livraria Letras & Artes',
        'Telefone (11) 3456-7890 → (21) 2345-6789',
        'Cidade — → Niterói',
        'UF — → RJ',
      ]),
    );
    expect(history[0].changes).toHaveLength(4);
    expect(history[1].line).toContain('Marta Gestora cadastrou o cliente');
    expect(history[1].changes).toEqual(
      expect.arrayContaining(['CNPJ/CPF — → 11.222.333/0001-81', 'Nome fantasia — → Livraria Letras']),
    );
    // Dates carry a machine-readable timestamp.
    expect(page.text).toMatch(/<time datetime="\d{4}-\d{2}-\d{2}T/);
  });

  it('answers 403 to an agent on the edit form and on a submission', async () => {
    const client = await makeClient(t, { tradeName: 'Proibido Editar' });
    const agent = await signedIn(agentOperator);
    expect((await agent.get(`/clients/${client.id}/edit`)).status).toBe(403);
    const token = csrfFrom((await agent.get('/account')).text);
    const res = await agent
      .post(`/clients/${client.id}`)
      .type('form')
      .send({ _csrf: token, tradeName: 'Editado pelo Agente', version: '1' });
    expect(res.status).toBe(403);
    expect((await stored(client.id)).tradeName).toBe('Proibido Editar');
  });

  it('answers 404 to an unknown client or an id that is not a uuid', async () => {
    const agent = await signedIn();
    const token = csrfFrom((await agent.get('/clients/new')).text);
    for (const id of [randomUUID(), 'abc', '1']) {
      expect((await agent.get(`/clients/${id}/edit`)).status).toBe(404);
      expect((await agent.get(`/clients/${id}`)).status).toBe(404);
      const res = await agent
        .post(`/clients/${id}`)
        .type('form')
        .send({ _csrf: token, tradeName: 'Fantasma', version: '1' });
      expect(res.status).toBe(404);
    }
  });

  it('answers 404 for a client that is being deleted', async () => {
    const client = await makeClient(t, { tradeName: 'Sumindo' });
    await markForDeletion(t, client.id);
    const agent = await signedIn();
    expect((await agent.get(`/clients/${client.id}`)).status).toBe(404);
    expect((await agent.get(`/clients/${client.id}/edit`)).status).toBe(404);
  });
});
