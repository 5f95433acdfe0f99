import { randomUUID } from 'node:crypto';
import { Contact } from '../../../src/clients/contacts/contact.entity';
import { makeClient, makeContact } from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { fieldError, inputValue, text, textareaValue } from '../../support/html';
import { csrfFor, csrfFrom, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

describe("a client's contacts (/clients/:id/contacts/…)", () => {
  let t: TestApp;
  let manager: TestOperator;
  let agentOperator: TestOperator;
  let http: ReturnType<TestApp['http']>;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    agentOperator = await makeOperator(t, 'agent', { name: 'Ana Agente' });
    http = t.http();
    await login(http, manager.email, manager.password);
    token = await csrfFor(http, '/clients');
  });
  afterAll(() => t.close());

  const post = (path: string, fields: Record<string, string>) =>
    http
      .post(path)
      .type('form')
      .send({ _csrf: token, ...fields });
  const contactsOf = (clientId: string) =>
    t.dataSource.getRepository(Contact).find({ where: { clientId }, order: { createdAt: 'ASC' } });
  const primaryNames = async (clientId: string) =>
    (await contactsOf(clientId)).filter((c) => c.isPrimary).map((c) => c.name);
  const historyOf = (clientId: string) =>
    t.dataSource.query(
      `SELECT action, subject, subject_id AS "subjectId", subject_label AS "subjectLabel", changes FROM client_history
       WHERE client_id = $1 AND subject = 'contact' ORDER BY id`,
      [clientId],
    ) as Promise<
      Array<{
        action: string;
        subject: string;
        subjectId: string;
        subjectLabel: string;
        changes: Record<string, [unknown, unknown]>;
      }>
    >;

  it('shows the new-contact form with every field labelled', async () => {
    const client = await makeClient(t, { tradeName: 'Clínica Vida' });
    const res = await http.get(`/clients/${client.id}/contacts/new`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`action="/clients/${client.id}/contacts/new"`);
    for (const name of ['name', 'jobTitle', 'email', 'phone', 'mobile']) {
      expect(inputValue(res.text, name)).toBe('');
      expect(res.text).toContain(`<label for="${name}">`);
    }
    expect(res.text).toContain('name="isPrimary"');
    expect(textareaValue(res.text, 'notes')).toBe('');
  });

  it('creates a contact: 303 to the contacts section, phones stored E.164, e-mail lower-case, shown masked on the client page', async () => {
    const client = await makeClient(t, { tradeName: 'Clínica Saúde' });
    const res = await post(`/clients/${client.id}/contacts/new`, {
      name: 'Beatriz Lima',
      jobTitle: 'Gerente de TI',
      email: 'Beatriz.Lima@ClinicaSaude.com.br',
      phone: '(11) 3456-7890',
      mobile: '+55 11 98765-4321',
      notes: 'Prefere WhatsApp.',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/clients/${client.id}#contacts`);
    const [contact] = await contactsOf(client.id);
    expect(contact).toMatchObject({
      name: 'Beatriz Lima',
      jobTitle: 'Gerente de TI',
      email: 'beatriz.lima@clinicasaude.com.br',
      phone: '+551134567890',
      mobile: '+5511987654321',
      notes: 'Prefere WhatsApp.',
      isPrimary: true, // the first contact of a client is its primary one
    });
    const page = await http.get(`/clients/${client.id}`);
    expect(page.text).toContain('Contato Beatriz Lima cadastrado.');
    const row = new RegExp(`<tr id="contact-${contact.id}">[\\s\\S]*?</tr>`).exec(page.text)![0];
    expect(row).toContain('Beatriz Lima <span class="badge badge-success">principal</span>');
    expect(row).toContain(
      '<a href="tel:+551134567890" aria-label="Ligar para Beatriz Lima: (11) 3456-7890">(11) 3456-7890</a>',
    );
    expect(row).toContain('(11) 98765-4321');
  });

  it('requires a name: 422 with the message and every typed value kept, nothing stored', async () => {
    const client = await makeClient(t);
    const form = {
      name: '',
      jobTitle: 'Financeiro',
      email: 'fin@empresa.com.br',
      phone: '(21) 2345-6789',
      mobile: '(21) 98765-4321',
      isPrimary: 'true',
      notes: 'Só à tarde',
    };
    const res = await post(`/clients/${client.id}/contacts/new`, form);
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'name')).toBe('Campo obrigatório.');
    for (const name of ['jobTitle', 'email', 'phone', 'mobile'] as const)
      expect(inputValue(res.text, name)).toBe(form[name]);
    expect(res.text).toMatch(/name="isPrimary" value="true" role="switch" checked/);
    expect(textareaValue(res.text, 'notes')).toBe('Só à tarde');
    expect(await contactsOf(client.id)).toEqual([]);
  });

  it.each([
    ['phone', { name: 'Telefone Ruim', phone: '1234' }, 'Telefone inválido'],
    ['mobile', { name: 'Celular Ruim', mobile: '+1 212 555 0100' }, 'Telefone inválido'],
    ['email', { name: 'E-mail Ruim', email: 'sem-arroba' }, 'Informe um e-mail válido.'],
  ])('refuses an invalid %s with 422 and the message at the field', async (field, form, message) => {
    const client = await makeClient(t);
    const res = await post(`/clients/${client.id}/contacts/new`, form);
    expect(res.status).toBe(422);
    expect(fieldError(res.text, field)).toContain(message);
    expect(inputValue(res.text, 'name')).toBe(form.name);
    expect(await contactsOf(client.id)).toEqual([]);
  });

  it('keeps at most one primary contact: marking another one primary moves the flag', async () => {
    const client = await makeClient(t);
    await post(`/clients/${client.id}/contacts/new`, { name: 'Primeiro' });
    await post(`/clients/${client.id}/contacts/new`, { name: 'Segundo' });
    expect(await primaryNames(client.id)).toEqual(['Primeiro']);

    await post(`/clients/${client.id}/contacts/new`, { name: 'Terceiro', isPrimary: 'true' });
    expect(await primaryNames(client.id)).toEqual(['Terceiro']);

    const segundo = (await contactsOf(client.id)).find((c) => c.name === 'Segundo')!;
    const res = await post(`/clients/${client.id}/contacts/${segundo.id}/edit`, {
      name: 'Segundo',
      isPrimary: 'true',
    });
    expect(res.status).toBe(303);
    expect(await primaryNames(client.id)).toEqual(['Segundo']);
  });

  it('edits a contact: the form shows the stored values masked, the change is saved and recorded', async () => {
    const client = await makeClient(t);
    const contact = await makeContact(t, client, {
      name: 'Rafael Souza',
      phone: '(11) 3456-7890',
      jobTitle: 'Analista',
    });
    const form = await http.get(`/clients/${client.id}/contacts/${contact.id}/edit`);
    expect(form.status).toBe(200);
    expect(inputValue(form.text, 'name')).toBe('Rafael Souza');
    expect(inputValue(form.text, 'phone')).toBe('(11) 3456-7890');
    expect(form.text).toMatch(/name="isPrimary" value="true" role="switch" checked/);

    const res = await post(`/clients/${client.id}/contacts/${contact.id}/edit`, {
      name: 'Rafael Souza Filho',
      phone: '(31) 3333-4444',
      jobTitle: 'Coordenador',
      isPrimary: 'true',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/clients/${client.id}#contacts`);
    expect((await contactsOf(client.id))[0]).toMatchObject({
      name: 'Rafael Souza Filho',
      phone: '+553133334444',
      jobTitle: 'Coordenador',
      isPrimary: true,
    });
    const [, updated] = await historyOf(client.id);
    expect(updated).toMatchObject({
      action: 'updated',
      subjectId: contact.id,
      subjectLabel: 'Rafael Souza Filho',
    });
    expect(updated.changes).toEqual({
      name: ['Rafael Souza', 'Rafael Souza Filho'],
      phone: ['+551134567890', '+553133334444'],
      jobTitle: ['Analista', 'Coordenador'],
    });
  });

  it('re-renders an invalid edit with 422 and leaves the contact as it was', async () => {
    const client = await makeClient(t);
    const contact = await makeContact(t, client, { name: 'Inalterado' });
    const res = await post(`/clients/${client.id}/contacts/${contact.id}/edit`, {
      name: 'X',
      email: 'novo@empresa.com.br',
    });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'name')).toBe('Deve ter entre 2 e 120 caracteres.');
    expect(inputValue(res.text, 'email')).toBe('novo@empresa.com.br');
    expect((await contactsOf(client.id))[0]).toMatchObject({ name: 'Inalterado', email: null });
  });

  it('deletes a contact and records it', async () => {
    const client = await makeClient(t);
    const keep = await makeContact(t, client, { name: 'Fica' });
    const leave = await makeContact(t, client, { name: 'Sai', email: 'sai@empresa.com.br' });
    const res = await post(`/clients/${client.id}/contacts/${leave.id}/delete`, {});
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/clients/${client.id}#contacts`);
    expect((await contactsOf(client.id)).map((c) => c.id)).toEqual([keep.id]);
    const deleted = (await historyOf(client.id)).find((h) => h.action === 'deleted')!;
    expect(deleted).toMatchObject({ subjectId: leave.id, subjectLabel: 'Sai' });
    expect(deleted.changes.email).toEqual(['sai@empresa.com.br', null]);
    expect((await http.get(`/clients/${client.id}`)).text).toContain('Contato Sai removido.');
  });

  it('shows contact changes in the client history, newest first', async () => {
    const client = await makeClient(t);
    await post(`/clients/${client.id}/contacts/new`, { name: 'Joana Prado', phone: '(11) 3456-7890' });
    const [joana] = await contactsOf(client.id);
    await post(`/clients/${client.id}/contacts/${joana.id}/edit`, {
      name: 'Joana Prado',
      phone: '(11) 3456-7891',
      isPrimary: 'true',
    });
    await post(`/clients/${client.id}/contacts/${joana.id}/delete`, {});
    const page = await http.get(`/clients/${client.id}`);
    const history = text(/<ol class="history">([\s\S]*?)<\/ol>/.exec(page.text)![1]);
    const removed = history.indexOf('Marta Gestora removeu o contato “Joana Prado”');
    const changed = history.indexOf(
      'Marta Gestora alterou o contato “Joana Prado” Telefone (11) 3456-7890 → (11) 3456-7891',
    );
    const created = history.indexOf('Marta Gestora cadastrou o contato “Joana Prado”');
    expect([removed, changed, created].every((i) => i >= 0)).toBe(true);
    expect(removed).toBeLessThan(changed);
    expect(changed).toBeLessThan(created);
  });

  it('answers 404 to a contact of another client, an unknown contact or an id that is not a uuid, and changes nothing', async () => {
    const mine = await makeClient(t);
    const other = await makeClient(t);
    const foreign = await makeContact(t, other, { name: 'Contato Alheio' });
    for (const contactId of [foreign.id, randomUUID(), 'abc']) {
      expect((await http.get(`/clients/${mine.id}/contacts/${contactId}/edit`)).status).toBe(404);
      expect(
        (await post(`/clients/${mine.id}/contacts/${contactId}/edit`, { name: 'Sequestrado' })).status,
      ).toBe(404);
      expect((await post(`/clients/${mine.id}/contacts/${contactId}/delete`, {})).status).toBe(404);
    }
    for (const clientId of [randomUUID(), 'abc']) {
      expect((await http.get(`/clients/${clientId}/contacts/new`)).status).toBe(404);
      expect((await post(`/clients/${clientId}/contacts/new`, { name: 'Órfão' })).status).toBe(404);
      expect((await post(`/clients/${clientId}/contacts/${foreign.id}/edit`, { name: 'Órfão' })).status).toBe(
        404,
      );
    }
    expect(await contactsOf(other.id)).toMatchObject([{ id: foreign.id, name: 'Contato Alheio' }]);
    expect(await contactsOf(mine.id)).toEqual([]);
  });

  it('answers 400 to a field the form does not have', async () => {
    const client = await makeClient(t);
    const res = await post(`/clients/${client.id}/contacts/new`, {
      name: 'Com Extra',
      clientId: randomUUID(),
    });
    expect(res.status).toBe(400);
    expect(await contactsOf(client.id)).toEqual([]);
  });

  it('answers 403 to an agent on every contact route', async () => {
    const client = await makeClient(t);
    const contact = await makeContact(t, client, { name: 'Protegido' });
    const agent = t.http();
    await login(agent, agentOperator.email, agentOperator.password);
    const agentToken = csrfFrom((await agent.get('/account')).text);
    expect((await agent.get(`/clients/${client.id}/contacts/new`)).status).toBe(403);
    expect(
      (
        await agent
          .post(`/clients/${client.id}/contacts/new`)
          .type('form')
          .send({ _csrf: agentToken, name: 'Do Agente' })
      ).status,
    ).toBe(403);
    expect(
      (
        await agent
          .post(`/clients/${client.id}/contacts/${contact.id}/delete`)
          .type('form')
          .send({ _csrf: agentToken })
      ).status,
    ).toBe(403);
    expect((await contactsOf(client.id)).map((c) => c.name)).toEqual(['Protegido']);
  });
});
