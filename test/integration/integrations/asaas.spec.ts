import { SecretBox } from '../../../src/common/crypto/secret-box';
import { AsaasService } from '../../../src/integrations/asaas/asaas.service';
import { makeClient, maskCnpj, nextCnpj, type ClientOverrides } from '../../factories/client.factory';
import { closeApp, configureAsaas, linkOf, waitForClientSync } from '../../factories/integrations.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { startFakeAsaas, type FakeAsaas } from '../../support/fake-asaas';
import { fieldError, inputValue, text } from '../../support/html';
import { csrfFor, login, postForm } from '../../support/session';
import { doesNotHang } from '../../support/does-not-hang';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;
const PAGE = '/settings/integrations/asaas';

/** A client with everything Asaas takes: legal name, CNPJ, inscrições, both e-mails, a mobile, an address. */
const fullClient = (overrides: ClientOverrides = {}): ClientOverrides => ({
  tradeName: 'Padaria Pão Quente',
  legalName: 'Pão Quente Panificadora LTDA',
  personType: 'PJ',
  document: nextCnpj(),
  stateRegistration: 'ISENTO',
  municipalRegistration: '1234567',
  email: 'contato@paoquente.com.br',
  financialEmail: 'financeiro@paoquente.com.br',
  phone: '(11) 98765-4321',
  postalCode: '01310-100',
  street: 'Avenida Paulista',
  number: '1000',
  complement: 'Conjunto 12',
  district: 'Bela Vista',
  city: 'São Paulo',
  state: 'SP',
  ...overrides,
});

describe('Asaas integration', () => {
  let t: TestApp;
  let fake: FakeAsaas;
  let admin: TestOperator;
  let agent: Agent;

  beforeAll(async () => {
    t = await startTestApp();
    fake = await startFakeAsaas();
    admin = await makeOperator(t, 'admin', { name: 'Ana Admin' });
    agent = t.http();
    await login(agent, admin.email, admin.password);
  });
  afterAll(async () => {
    await closeApp(t);
    await fake.close();
  });
  beforeEach(() => {
    fake.script = [];
    fake.delayMs = 0;
    fake.validate = undefined;
  });

  const sync = async (clientId: string, htmx = false) => {
    const token = await csrfFor(agent, `/clients/${clientId}`);
    const req = agent.post(`/clients/${clientId}/integrations/asaas/sync`).type('form');
    if (htmx) req.set('HX-Request', 'true').set('HX-Target', 'article#integration-asaas');
    return req.send({ _csrf: token });
  };
  const customersOf = (clientId: string) => fake.customers.filter((c) => c.externalReference === clientId);

  describe('settings (/settings/integrations/asaas)', () => {
    it('is for admins only', async () => {
      const manager = await makeOperator(t, 'manager');
      const other = t.http();
      await login(other, manager.email, manager.password);
      expect((await other.get(PAGE)).status).toBe(403);
      const token = await csrfFor(other, '/account');
      expect(
        (await other.post(PAGE).type('form').send({ _csrf: token, environment: 'sandbox', apiKey: 'x' }))
          .status,
      ).toBe(403);
      expect(
        (await other.post(`${PAGE}/test`).type('form').send({ _csrf: token, environment: 'sandbox' })).status,
      ).toBe(403);
    });

    it('requires a key and a base URL for the custom environment, keeping the typed values but never the key', async () => {
      const res = await postForm(agent, PAGE, { environment: 'custom', baseUrl: '' });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'baseUrl')).toContain('/v3');
      expect(fieldError(res.text, 'apiKey')).toBe('Informe a chave de API do Asaas.');
      const bad = await postForm(agent, PAGE, {
        environment: 'custom',
        baseUrl: 'ftp://x',
        apiKey: 'typed-key-123',
      });
      expect(bad.status).toBe(422);
      expect(fieldError(bad.text, 'baseUrl')).toBe(
        'Informe uma URL completa, começando por http:// ou https://.',
      );
      expect(inputValue(bad.text, 'baseUrl')).toBe('ftp://x');
      expect(bad.text).not.toContain('typed-key-123');
    });

    it('stores the API key encrypted and never shows it back; a blank key keeps it', async () => {
      const res = await postForm(agent, PAGE, {
        environment: 'custom',
        baseUrl: fake.url,
        apiKey: fake.apiKey,
      });
      expect(res.status).toBe(303);
      const [row] = await t.dataSource.query(
        `SELECT settings, secrets_enc FROM integration_settings WHERE provider = 'asaas'`,
      );
      expect(row.secrets_enc).toMatch(/^v1\./);
      expect(JSON.stringify(row)).not.toContain(fake.apiKey);
      expect(
        new SecretBox(t.config.appSecret, 'integrations').open(
          row.secrets_enc,
          'integration_settings:asaas:secrets',
        ),
      ).toBe(fake.apiKey);
      expect(row.settings).toEqual({ environment: 'custom', baseUrl: fake.url });

      const page = await agent.get(PAGE);
      expect(page.text).toContain('Configurações do Asaas salvas.');
      expect(page.text).not.toContain(fake.apiKey);
      expect(inputValue(page.text, 'apiKey')).toBe('');
      expect(text(page.text)).toContain('Chave de API configurada');

      expect(
        (await postForm(agent, PAGE, { environment: 'custom', baseUrl: fake.url, apiKey: '' })).status,
      ).toBe(303);
      const [after] = await t.dataSource.query(
        `SELECT secrets_enc FROM integration_settings WHERE provider = 'asaas'`,
      );
      expect(after.secrets_enc).toBe(row.secrets_enc);
    });

    it('"Testar conexão" reports success, or the provider’s own refusal in Portuguese', async () => {
      fake.seed({ name: 'Já existente', cpfCnpj: nextCnpj() });
      const ok = await postForm(
        agent,
        `${PAGE}/test`,
        { environment: 'custom', baseUrl: fake.url, apiKey: '' },
        PAGE,
      );
      expect(ok.status).toBe(200);
      expect(text(ok.text)).toContain('Conexão com o Asaas funcionando');
      expect(fake.requests.at(-1)!.headers['user-agent']).toMatch(/^Clientela\//);

      const refused = await postForm(
        agent,
        `${PAGE}/test`,
        { environment: 'custom', baseUrl: fake.url, apiKey: 'chave-errada' },
        PAGE,
      );
      expect(text(refused.text)).toContain(
        'Falha no teste. Asaas recusou as credenciais: A chave de API fornecida é inválida.',
      );
      expect(refused.text).not.toContain('chave-errada');

      const token = await csrfFor(agent, PAGE);
      const fragment = await agent
        .post(`${PAGE}/test`)
        .set('HX-Request', 'true')
        .type('form')
        .send({ _csrf: token, environment: 'custom', baseUrl: fake.url });
      expect(fragment.text.trim()).toMatch(/^<div id="integration-test-result"/);
    });
  });

  describe('sync of one client', () => {
    beforeAll(async () => {
      await configureAsaas(t, fake);
    });

    it('creates the customer in the background with the client’s data, and shows it synced on the client page', async () => {
      const client = await makeClient(t, fullClient());
      // Asaas does not answer until the test has seen the 303: an answer that waited for it would never come.
      const release = fake.hold();
      const started = Date.now();
      try {
        const res = await doesNotHang(sync(client.id), 'the answer waited for Asaas');
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe(`/clients/${client.id}#integrations`);
        expect((await linkOf(t, client.id, 'asaas'))?.status).toBe('pending');
      } finally {
        release();
      }

      const link = await waitForClientSync(t, client.id, 'asaas');
      expect(link.status).toBe('synced');
      const [customer] = customersOf(client.id);
      expect(link.externalId).toBe(customer.id);
      expect(customer).toMatchObject({
        name: 'Pão Quente Panificadora LTDA',
        company: 'Padaria Pão Quente',
        cpfCnpj: client.document,
        email: 'financeiro@paoquente.com.br',
        additionalEmails: 'contato@paoquente.com.br',
        mobilePhone: '11987654321',
        phone: null,
        postalCode: '01310100',
        address: 'Avenida Paulista',
        addressNumber: '1000',
        complement: 'Conjunto 12',
        province: 'Bela Vista',
        stateInscription: 'ISENTO',
        municipalInscription: '1234567',
        externalReference: client.id,
      });
      const calls = fake.apiRequests().filter((r) => r.at >= started);
      expect(calls.map((r) => `${r.method} ${r.path}?${r.query.toString()}`)).toEqual([
        `GET /v3/customers?externalReference=${client.id}`,
        `GET /v3/customers?cpfCnpj=${client.document}`,
        'POST /v3/customers?',
      ]);
      expect(calls.every((r) => r.headers['user-agent']?.startsWith('Clientela/'))).toBe(true);

      const page = await agent.get(`/clients/${client.id}`);
      expect(page.text).toContain('Conta Azul'); // both providers listed
      const block = /<article id="integration-asaas"[\s\S]*?<\/article>/.exec(page.text)![0];
      expect(text(block)).toContain('Sincronizado');
      expect(text(block)).toContain(customer.id);
      expect(block).not.toContain('hx-trigger');
      expect(page.text).toContain('Sincronização com Asaas na fila');
    });

    it('updates the same customer on the next sync (PUT), never creating a second one', async () => {
      const client = await makeClient(t, fullClient());
      await sync(client.id);
      const first = await waitForClientSync(t, client.id, 'asaas');

      const edit = await agent.get(`/clients/${client.id}/edit`);
      const version = inputValue(edit.text, 'version')!;
      const changed = await postForm(
        agent,
        `/clients/${client.id}`,
        {
          tradeName: 'Padaria Pão Quente',
          legalName: 'Pão Quente Panificadora e Confeitaria LTDA',
          personType: 'PJ',
          document: maskCnpj(client.document!),
          email: 'contato@paoquente.com.br',
          version,
        },
        `/clients/${client.id}/edit`,
      );
      expect(changed.status).toBe(303);
      expect((await linkOf(t, client.id, 'asaas'))?.status).toBe('pending');

      const before = fake.apiRequests().length;
      await sync(client.id);
      const second = await waitForClientSync(t, client.id, 'asaas');
      expect(second.status).toBe('synced');
      expect(second.externalId).toBe(first.externalId);
      expect(customersOf(client.id)).toHaveLength(1);
      expect(customersOf(client.id)[0].name).toBe('Pão Quente Panificadora e Confeitaria LTDA');
      expect(
        fake
          .apiRequests()
          .slice(before)
          .map((r) => `${r.method} ${r.path}`),
      ).toEqual([`PUT /v3/customers/${first.externalId}`]);
    });

    it('links a customer that already exists in Asaas with the same CNPJ instead of duplicating it', async () => {
      const document = nextCnpj();
      const existing = fake.seed({
        name: 'Cadastro antigo',
        cpfCnpj: maskCnpj(document),
        externalReference: 'erp-42',
      });
      const client = await makeClient(t, fullClient({ document }));
      const count = fake.customers.length;
      await sync(client.id);
      const link = await waitForClientSync(t, client.id, 'asaas');
      expect(link).toMatchObject({ status: 'synced', externalId: existing.id });
      expect(fake.customers).toHaveLength(count);
      expect(existing.name).toBe('Pão Quente Panificadora LTDA');
      // Another system's reference on that customer is kept (we keep the Asaas id on our side).
      expect(existing.externalReference).toBe('erp-42');
      const history = await agent.get(`/clients/${client.id}`);
      expect(text(history.text)).toContain(`Sistema vinculou o cadastro no provedor “Asaas”`);
    });

    it('waits as a 429 asks (RateLimit-Reset) and then succeeds', async () => {
      const client = await makeClient(t, fullClient());
      fake.script = [
        {
          status: 429,
          headers: { 'RateLimit-Limit': '50', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '1' },
          body: { errors: [{ code: 'rate_limit', description: 'Limite de requisições excedido.' }] },
        },
      ];
      const started = Date.now();
      await sync(client.id);
      const link = await waitForClientSync(t, client.id, 'asaas');
      expect(link.status).toBe('synced');
      const calls = fake.apiRequests().filter((r) => r.at >= started);
      expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(950);
      expect(customersOf(client.id)).toHaveLength(1);
    });

    it('retries 5xx answers with backoff and succeeds', async () => {
      const client = await makeClient(t, fullClient());
      fake.script = [
        { status: 503, body: 'Service Unavailable' },
        { status: 502, body: 'Bad Gateway' },
      ];
      await sync(client.id);
      expect((await waitForClientSync(t, client.id, 'asaas')).status).toBe('synced');
      expect(customersOf(client.id)).toHaveLength(1);
    });

    it('shows the provider’s 4xx message on the client page, in Portuguese', async () => {
      const client = await makeClient(
        t,
        fullClient({ email: 'recusar@paoquente.com.br', financialEmail: undefined }),
      );
      fake.validate = (body) =>
        body.email === 'recusar@paoquente.com.br'
          ? { code: 'invalid_email', description: 'O email informado é inválido.' }
          : null;
      await sync(client.id);
      const link = await waitForClientSync(t, client.id, 'asaas');
      expect(link).toMatchObject({
        status: 'error',
        lastErrorCode: 'rejected',
        lastError: 'O email informado é inválido.',
      });
      const page = await agent.get(`/clients/${client.id}`);
      const block = /<article id="integration-asaas"[\s\S]*?<\/article>/.exec(page.text)![0];
      expect(text(block)).toContain('Erro');
      expect(text(block)).toContain('Asaas recusou o cadastro: O email informado é inválido.');
    });

    it('gives up on a service that keeps failing, saying so', async () => {
      const client = await makeClient(t, fullClient());
      fake.script = Array.from({ length: 4 }, () => ({
        status: 500,
        body: { errors: [{ code: 'internal', description: 'Erro interno' }] },
      }));
      await sync(client.id);
      const link = await waitForClientSync(t, client.id, 'asaas');
      expect(link).toMatchObject({ status: 'error', lastErrorCode: 'unavailable' });
      fake.script = [];
    });

    it('does not call Asaas for a client without CPF/CNPJ, and says why', async () => {
      const client = await makeClient(t, { tradeName: 'Sem Documento Ltda' });
      const before = fake.requests.length;
      await sync(client.id);
      const link = await waitForClientSync(t, client.id, 'asaas');
      expect(link).toMatchObject({ status: 'error', lastErrorCode: 'missing_document' });
      expect(fake.requests.length).toBe(before);
    });

    it('answers htmx with the status fragment, which refreshes itself while the sync is queued', async () => {
      const client = await makeClient(t, fullClient());
      const release = fake.hold(); // still queued when the fragment is rendered, however fast the worker is
      try {
        const res = await doesNotHang(sync(client.id, true), 'the answer waited for Asaas');
        expect(res.status).toBe(200);
        expect(res.headers.vary).toContain('HX-Request');
        expect(res.text.trim()).toMatch(/^<article id="integration-asaas"/);
        expect(res.text).toContain(`hx-get="/clients/${client.id}/integrations/asaas"`);
        expect(res.text).toContain('hx-trigger="every 2s"');
        expect(text(res.text)).toContain('Pendente');
      } finally {
        release();
      }
      await waitForClientSync(t, client.id, 'asaas');
      const polled = await agent.get(`/clients/${client.id}/integrations/asaas`).set('HX-Request', 'true');
      expect(polled.text).not.toContain('hx-trigger');
      expect(text(polled.text)).toContain('Sincronizado');
      // Without JS the same URL is the client page.
      const plain = await agent.get(`/clients/${client.id}/integrations/asaas`);
      expect(plain.status).toBe(303);
    });

    it('lets managers sync but not agents, and 404s for an unknown client', async () => {
      const client = await makeClient(t, fullClient());
      const manager = await makeOperator(t, 'manager');
      const m = t.http();
      await login(m, manager.email, manager.password);
      const token = await csrfFor(m, `/clients/${client.id}`);
      expect(
        (await m.post(`/clients/${client.id}/integrations/asaas/sync`).type('form').send({ _csrf: token }))
          .status,
      ).toBe(303);
      await waitForClientSync(t, client.id, 'asaas');

      const agentOp = await makeOperator(t, 'agent');
      const a = t.http();
      await login(a, agentOp.email, agentOp.password);
      const agentToken = await csrfFor(a, '/account');
      expect(
        (
          await a
            .post(`/clients/${client.id}/integrations/asaas/sync`)
            .type('form')
            .send({ _csrf: agentToken })
        ).status,
      ).toBe(403);
      const unknown = await agent
        .post(`/clients/00000000-0000-4000-8000-000000000000/integrations/asaas/sync`)
        .type('form')
        .send({ _csrf: await csrfFor(agent, '/account') });
      expect(unknown.status).toBe(404);
      const badProvider = await agent
        .post(`/clients/${client.id}/integrations/omie/sync`)
        .type('form')
        .send({ _csrf: await csrfFor(agent, '/account') });
      expect(badProvider.status).toBe(404);
    });

    it('never renders the API key, on any page', async () => {
      const client = await makeClient(t, fullClient());
      for (const path of [PAGE, '/integrations', `/clients/${client.id}`]) {
        const res = await agent.get(path);
        expect(res.status).toBe(200);
        expect(res.text).not.toContain(fake.apiKey);
      }
      expect(await t.app.get(AsaasService).readiness()).toEqual({ ready: true });
    });
  });
});
