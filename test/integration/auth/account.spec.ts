import { Operator } from '../../../src/auth/operator.entity';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

describe('my account (/account)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await makeOperator(t, 'admin');
  });
  afterAll(() => t.close());

  const row = (id: string) => t.dataSource.getRepository(Operator).findOneByOrFail({ id });

  async function signedIn(name = 'Joana Agente'): Promise<{ op: TestOperator; agent: Agent }> {
    const op = await makeOperator(t, 'agent', { name });
    const agent = t.http();
    expect((await login(agent, op.email, op.password)).status).toBe(303);
    return { op, agent };
  }

  it('shows the operator’s name, language and extension', async () => {
    const { op, agent } = await signedIn();
    await t.dataSource.getRepository(Operator).update(op.id, { extension: '2010' });
    const res = await agent.get('/account');
    expect(res.status).toBe(200);
    expect(res.text).toContain('value="Joana Agente"');
    expect(res.text).toMatch(/<option value="pt-BR"\s+selected>/);
    expect(res.text).toContain('value="2010"');
  });

  it('changes name and extension; the navigation shows the new name at once', async () => {
    const { op, agent } = await signedIn();
    const res = await postForm(agent, '/account', {
      name: 'Joana Souza',
      locale: 'pt-BR',
      extension: '  2001 ',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account');
    expect(await row(op.id)).toMatchObject({ name: 'Joana Souza', extension: '2001', locale: 'pt-BR' });
    const page = await agent.get('/account');
    expect(page.text).toContain('Dados da conta salvos.');
    expect(page.text).toContain('<summary>Joana Souza</summary>');
  });

  it('clears the extension when the field is left blank', async () => {
    const { op, agent } = await signedIn();
    await t.dataSource.getRepository(Operator).update(op.id, { extension: '2010' });
    expect(
      (await postForm(agent, '/account', { name: op.name, locale: 'pt-BR', extension: '' })).status,
    ).toBe(303);
    expect((await row(op.id)).extension).toBeNull();
  });

  it('switches the interface to English: the next page is in English', async () => {
    const { op, agent } = await signedIn();
    const res = await postForm(agent, '/account', { name: op.name, locale: 'en' });
    expect(res.status).toBe(303);
    expect((await row(op.id)).locale).toBe('en');
    const page = await agent.get('/account');
    expect(page.text).toContain('<html lang="en"');
    expect(page.text).toContain('>Clients</a>');
    expect(page.text).toContain('My account');
    expect(page.text).toContain('Account saved.');
    expect(page.text).not.toContain('>Clientes</a>');
  });

  it('keeps the language at the next login', async () => {
    const { op, agent } = await signedIn();
    await postForm(agent, '/account', { name: op.name, locale: 'en' });
    const again = t.http();
    await login(again, op.email, op.password);
    expect((await again.get('/account')).text).toContain('>Clients</a>');
  });

  it('refuses an unknown language with 422, keeping the typed values and changing nothing', async () => {
    const { op, agent } = await signedIn();
    const res = await postForm(agent, '/account', { name: 'Outro Nome', locale: 'fr', extension: '99' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Escolha uma opção válida.');
    expect(res.text).toContain('value="Outro Nome"');
    expect(res.text).toContain('value="99"');
    expect(await row(op.id)).toMatchObject({ name: op.name, locale: 'pt-BR', extension: null });
  });

  it('refuses an extension with spaces or symbols a PBX cannot dial, with 422 and nothing changed', async () => {
    const { op, agent } = await signedIn();
    const res = await postForm(agent, '/account', {
      name: 'Joana Agente',
      locale: 'pt-BR',
      extension: '20 01; DROP',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Use apenas dígitos, letras');
    expect((await row(op.id)).extension).toBeNull();
  });

  it('refuses a blank name with 422', async () => {
    const { op, agent } = await signedIn();
    const res = await postForm(agent, '/account', { name: '   ', locale: 'pt-BR' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Campo obrigatório.');
    expect((await row(op.id)).name).toBe(op.name);
  });

  describe('password (/account/security)', () => {
    const change = (agent: Agent, currentPassword: string, newPassword: string) =>
      postForm(agent, '/account/security/password', { currentPassword, newPassword }, '/account/security');

    it('refuses a wrong current password with 422 and a message, changing nothing', async () => {
      const { op, agent } = await signedIn();
      const res = await change(agent, 'nao-e-a-senha-atual', 'uma-senha-nova-longa');
      expect(res.status).toBe(422);
      expect(res.text).toContain('A senha atual está incorreta.');
      expect(res.text).not.toContain('nao-e-a-senha-atual');
      expect(res.text).not.toContain('uma-senha-nova-longa');
      expect((await login(t.http(), op.email, op.password)).status).toBe(303);
      expect((await login(t.http(), op.email, 'uma-senha-nova-longa')).status).toBe(422);
    });

    it('refuses a new password shorter than 12 characters with 422', async () => {
      const { op, agent } = await signedIn();
      const res = await change(agent, op.password, 'curta');
      expect(res.status).toBe(422);
      expect(res.text).toContain('Deve ter entre 12 e 128 caracteres.');
      expect((await login(t.http(), op.email, op.password)).status).toBe(303);
    });

    it('ends the operator’s other sessions when the password changes, keeping the current one', async () => {
      const { op, agent } = await signedIn();
      const other = t.http();
      expect((await login(other, op.email, op.password)).status).toBe(303);
      expect((await other.get('/account')).status).toBe(200);
      const res = await postForm(
        agent,
        '/account/security/password',
        { currentPassword: op.password, newPassword: 'uma-senha-nova-e-longa' },
        '/account/security',
      );
      expect(res.status).toBe(303);
      expect((await agent.get('/account')).status).toBe(200);
      const stale = await other.get('/account');
      expect(stale.status).toBe(303);
      expect(stale.headers.location).toMatch(/^\/login/);
    });

    it('changes the password with the right current one; the new one works at the next login', async () => {
      const { op, agent } = await signedIn();
      const res = await change(agent, op.password, 'uma-senha-nova-longa');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account/security');
      expect((await agent.get('/account/security')).text).toContain('Senha alterada.');
      expect((await login(t.http(), op.email, op.password)).status).toBe(422);
      expect((await login(t.http(), op.email, 'uma-senha-nova-longa')).status).toBe(303);
    });
  });
});
