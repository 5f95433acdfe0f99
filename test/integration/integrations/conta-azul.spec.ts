import { SecretBox } from '../../../src/common/crypto/secret-box';
import { CONTA_AZUL_DEFAULTS, ContaAzulOAuth } from '../../../src/integrations/conta-azul/conta-azul-oauth';
import { ContaAzulTokens } from '../../../src/integrations/conta-azul/conta-azul-tokens.service';
import { ContaAzulService } from '../../../src/integrations/conta-azul/conta-azul.service';
import { IntegrationSettingsStore } from '../../../src/integrations/sync/integration-settings.store';
import { makeClient, maskCnpj, nextCnpj } from '../../factories/client.factory';
import { closeApp, connectContaAzul, linkOf, waitForClientSync } from '../../factories/integrations.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { startFakeContaAzul, type FakeContaAzul } from '../../support/fake-conta-azul';
import { fieldError, inputValue, text } from '../../support/html';
import { csrfFor, login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;
const PAGE = '/settings/integrations/conta-azul';
const box = (t: TestApp) => new SecretBox(t.config.appSecret, 'integrations');

describe('Conta Azul integration', () => {
  let t: TestApp;
  let fake: FakeContaAzul;
  let admin: TestOperator;
  let agent: Agent;

  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_URL: 'https://clientela.example.com.br' } });
    fake = await startFakeContaAzul();
    admin = await makeOperator(t, 'admin', { name: 'Ana Admin' });
    agent = t.http();
    await login(agent, admin.email, admin.password);
  });
  afterAll(async () => {
    await closeApp(t);
    await fake.close();
  });

  const sealedRow = async () =>
    (
      await t.dataSource.query(
        `SELECT secrets_enc, access_token_enc, refresh_token_enc, expires_at, connected_at, last_error FROM integration_settings WHERE provider = 'conta-azul'`,
      )
    )[0];
  const saveSettings = (overrides: Record<string, string> = {}) =>
    postForm(agent, PAGE, {
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      authBaseUrl: fake.url,
      apiBaseUrl: fake.url,
      ...overrides,
    });
  /** Connect → the fake's authorize (which approves) → our callback, as a browser follows the redirects. */
  const connectThroughBrowser = async () => {
    const connect = await agent.get(`${PAGE}/connect`);
    expect(connect.status).toBe(303);
    const authorize = await fetch(connect.headers.location, { redirect: 'manual' });
    const back = new URL(authorize.headers.get('location')!);
    return { connect, back, callback: await agent.get(`${back.pathname}${back.search}`) };
  };
  const sync = async (clientId: string) => {
    const token = await csrfFor(agent, `/clients/${clientId}`);
    return agent
      .post(`/clients/${clientId}/integrations/conta-azul/sync`)
      .type('form')
      .send({ _csrf: token });
  };
  const expireStoredToken = () =>
    t.dataSource.query(
      `UPDATE integration_settings SET expires_at = now() - interval '1 minute' WHERE provider = 'conta-azul'`,
    );

  describe('settings and the OAuth connection', () => {
    it('shows the real addresses as defaults and the redirect URI to register', async () => {
      const page = await agent.get(PAGE);
      expect(page.status).toBe(200);
      expect(inputValue(page.text, 'authBaseUrl')).toBe(CONTA_AZUL_DEFAULTS.authBaseUrl);
      expect(inputValue(page.text, 'apiBaseUrl')).toBe(CONTA_AZUL_DEFAULTS.apiBaseUrl);
      expect(page.text).toContain(
        'https://clientela.example.com.br/settings/integrations/conta-azul/callback',
      );
      expect(text(page.text)).toContain('Não conectada');
    });

    it('requires the client secret once, stores it encrypted and never shows it back', async () => {
      const missing = await saveSettings({ clientSecret: '' });
      expect(missing.status).toBe(422);
      expect(fieldError(missing.text, 'clientSecret')).toBe('Informe o client secret do aplicativo.');
      expect(inputValue(missing.text, 'clientId')).toBe(fake.clientId);

      expect((await saveSettings()).status).toBe(303);
      const row = await sealedRow();
      expect(row.secrets_enc).toMatch(/^v1\./);
      expect(box(t).open(row.secrets_enc, 'integration_settings:conta-azul:secrets')).toBe(fake.clientSecret);
      const page = await agent.get(PAGE);
      expect(page.text).not.toContain(fake.clientSecret);
      expect(inputValue(page.text, 'clientSecret')).toBe('');
      expect(text(page.text)).toContain('Client secret configurada');
    });

    it('connects: authorize URL with client id, redirect URI, scope and a signed state; the callback stores the tokens encrypted', async () => {
      await saveSettings();
      const { connect, back, callback } = await connectThroughBrowser();
      const authorize = new URL(connect.headers.location);
      expect(`${authorize.origin}${authorize.pathname}`).toBe(`${fake.url}/oauth2/authorize`);
      expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
        response_type: 'code',
        client_id: fake.clientId,
        redirect_uri: 'https://clientela.example.com.br/settings/integrations/conta-azul/callback',
        scope: 'openid profile aws.cognito.signin.user.admin',
      });
      expect(authorize.searchParams.get('state')).toMatch(/^[\w-]+\.\d{13}\.[\w-]+$/);
      expect(back.pathname).toBe('/settings/integrations/conta-azul/callback');

      expect(callback.status).toBe(303);
      expect(callback.headers.location).toBe(PAGE);
      const exchange = fake.tokenRequests.at(-1)!;
      expect(exchange).toMatchObject({
        grantType: 'authorization_code',
        basicOk: true,
        result: 'ok',
        redirectUri: authorize.searchParams.get('redirect_uri'),
      });

      const row = await sealedRow();
      expect(row.access_token_enc).toMatch(/^v1\./);
      expect(box(t).open(row.refresh_token_enc, 'integration_settings:conta-azul:refreshToken')).toBe(
        fake.currentRefreshToken,
      );
      expect(JSON.stringify(row)).not.toContain(fake.currentRefreshToken);
      const page = await agent.get(PAGE);
      expect(text(page.text)).toContain('Conta Azul conectada.');
      expect(text(page.text)).toContain('Conectada');
      expect(page.text).not.toContain(fake.currentRefreshToken!);

      const test = await postForm(agent, `${PAGE}/test`, {}, PAGE);
      expect(text(test.text)).toContain('Conexão com a Conta Azul funcionando');
    });

    it('refuses a forged, tampered or replayed state with a 400 page, storing nothing', async () => {
      const before = fake.tokenRequests.length;
      const forged = await agent.get(`${PAGE}/callback?code=abc&state=forjado.1999999999999.assinatura`);
      expect(forged.status).toBe(400);
      expect(text(forged.text)).toContain('Não foi possível confirmar este retorno da Conta Azul');

      const connect = await agent.get(`${PAGE}/connect`);
      const state = new URL(connect.headers.location).searchParams.get('state')!;
      const tampered = state.replace(/\.(\d{13})\./, (_m, ms: string) => `.${Number(ms) + 60_000}.`);
      expect(
        (await agent.get(`${PAGE}/callback?code=abc&state=${encodeURIComponent(tampered)}`)).status,
      ).toBe(400);
      // The nonce was spent by that attempt: even the genuine state no longer works.
      expect((await agent.get(`${PAGE}/callback?code=abc&state=${encodeURIComponent(state)}`)).status).toBe(
        400,
      );

      // A state from another session is worthless here.
      const other = t.http();
      await login(other, admin.email, admin.password);
      const theirs = new URL((await other.get(`${PAGE}/connect`)).headers.location).searchParams.get(
        'state',
      )!;
      await agent.get(`${PAGE}/connect`);
      expect((await agent.get(`${PAGE}/callback?code=abc&state=${encodeURIComponent(theirs)}`)).status).toBe(
        400,
      );
      expect(fake.tokenRequests.length).toBe(before);
    });

    it('reports a refused code exchange or a denied authorisation in Portuguese', async () => {
      fake.failCodeExchange = {
        status: 400,
        error: 'invalid_grant',
        description: 'Authorization code expired',
      };
      const { callback } = await connectThroughBrowser();
      fake.failCodeExchange = null;
      expect(callback.status).toBe(303);
      const page = await agent.get(PAGE);
      expect(text(page.text)).toContain(
        'A Conta Azul recusou a autorização (invalid_grant: Authorization code expired).',
      );

      const connect = await agent.get(`${PAGE}/connect`);
      const state = new URL(connect.headers.location).searchParams.get('state')!;
      await agent.get(
        `${PAGE}/callback?error=access_denied&error_description=User+cancelled&state=${encodeURIComponent(state)}`,
      );
      expect(text((await agent.get(PAGE)).text)).toContain(
        'A Conta Azul não autorizou a conexão (access_denied: User cancelled).',
      );
    });

    it('disconnects, deleting the tokens', async () => {
      await connectThroughBrowser();
      expect((await sealedRow()).access_token_enc).not.toBeNull();
      const res = await postForm(agent, `${PAGE}/disconnect`, {}, PAGE);
      expect(res.status).toBe(303);
      const row = await sealedRow();
      expect(row).toMatchObject({ access_token_enc: null, refresh_token_enc: null, connected_at: null });
      expect(await t.app.get(ContaAzulService).readiness()).toEqual({
        ready: false,
        reasonKey: 'integrations.contaAzul.notConnected',
      });
    });

    it('is for admins only', async () => {
      const manager = await makeOperator(t, 'manager');
      const m = t.http();
      await login(m, manager.email, manager.password);
      expect((await m.get(PAGE)).status).toBe(403);
      expect((await m.get(`${PAGE}/connect`)).status).toBe(403);
      expect((await m.get(`${PAGE}/callback?code=x&state=y`)).status).toBe(403);
    });
  });

  describe('sync', () => {
    beforeAll(async () => {
      await connectContaAzul(t, fake);
    });

    it('creates the client as a pessoa with profile Cliente, then PATCHes it on the next sync', async () => {
      const client = await makeClient(t, {
        tradeName: 'Oficina do Zé',
        legalName: 'José Mecânica ME',
        personType: 'PJ',
        document: nextCnpj(),
        stateRegistration: 'ISENTO',
        email: 'ze@oficina.com.br',
        phone: '(11) 3333-4444',
        postalCode: '01310-100',
        street: 'Rua Augusta',
        number: '10',
        district: 'Consolação',
        city: 'São Paulo',
        state: 'SP',
      });
      await sync(client.id);
      const link = await waitForClientSync(t, client.id, 'conta-azul');
      expect(link.status).toBe('synced');
      const pessoa = fake.pessoas.find((p) => p.id === link.externalId)!;
      expect(pessoa.body).toMatchObject({
        nome: 'José Mecânica ME',
        nome_fantasia: 'Oficina do Zé',
        tipo_pessoa: 'Jurídica',
        cnpj: maskCnpj(client.document!),
        email: 'ze@oficina.com.br',
        telefone_comercial: '1133334444',
        perfis: [{ tipo_perfil: 'Cliente' }],
        enderecos: [
          {
            cep: '01310-100',
            logradouro: 'Rua Augusta',
            numero: '10',
            bairro: 'Consolação',
            cidade: 'São Paulo',
            estado: 'SP',
            pais: 'Brasil',
          },
        ],
        inscricoes: [{ indicador_inscricao_estadual: 'ISENTO' }],
      });
      const requests = fake.apiRequests();
      expect(requests.every((r) => r.headers.authorization?.startsWith('Bearer at-'))).toBe(true);

      const count = fake.pessoas.length;
      await sync(client.id);
      const again = await waitForClientSync(t, client.id, 'conta-azul');
      expect(again.externalId).toBe(link.externalId);
      expect(fake.pessoas).toHaveLength(count);
      expect(fake.apiRequests().at(-1)).toMatchObject({
        method: 'PATCH',
        path: `/v1/pessoas/${link.externalId}`,
      });
    });

    it('finds an existing pessoa by CNPJ and adds the Cliente profile, keeping the others', async () => {
      const document = nextCnpj();
      const supplier = fake.seed({
        nome: 'Fornecedor Antigo',
        documento: maskCnpj(document),
        perfis: [{ tipo_perfil: 'Fornecedor' }],
      });
      const client = await makeClient(t, { tradeName: 'Fornecedor Antigo', document });
      const count = fake.pessoas.length;
      await sync(client.id);
      const link = await waitForClientSync(t, client.id, 'conta-azul');
      expect(link).toMatchObject({ status: 'synced', externalId: supplier.id });
      expect(fake.pessoas).toHaveLength(count);
      expect(supplier.perfis).toEqual([{ tipo_perfil: 'Fornecedor' }, { tipo_perfil: 'Cliente' }]);
    });

    it('refreshes an expiring token, persisting the rotated refresh token, across two expiries', async () => {
      const client = await makeClient(t, { tradeName: 'Rotação Ltda', document: nextCnpj() });
      const sealedRefresh = async () =>
        box(t).open((await sealedRow()).refresh_token_enc, 'integration_settings:conta-azul:refreshToken');
      const refreshes = () => fake.tokenRequests.filter((r) => r.grantType === 'refresh_token');
      const before = refreshes().length;

      const first = await sealedRefresh();
      await expireStoredToken();
      fake.expireAccessTokens();
      await sync(client.id);
      expect((await waitForClientSync(t, client.id, 'conta-azul')).status).toBe('synced');
      const second = await sealedRefresh();
      expect(second).not.toBe(first);
      expect(second).toBe(fake.currentRefreshToken);

      await expireStoredToken();
      fake.expireAccessTokens();
      await sync(client.id);
      expect((await waitForClientSync(t, client.id, 'conta-azul')).status).toBe('synced');
      const third = await sealedRefresh();
      expect(third).toBe(fake.currentRefreshToken);

      const used = refreshes().slice(before);
      expect(used.map((r) => r.refreshToken)).toEqual([first, second]);
      expect(used.every((r) => r.result === 'ok' && r.basicOk)).toBe(true);
      const row = await sealedRow();
      expect(new Date(row.expires_at).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    });

    it('refreshes on a 401 even before the stored expiry, and retries the call', async () => {
      const client = await makeClient(t, { tradeName: 'Token Revogado Ltda', document: nextCnpj() });
      fake.expireAccessTokens(); // the provider dropped the token; our expiry still says it is good
      const before = fake.tokenRequests.length;
      await sync(client.id);
      expect((await waitForClientSync(t, client.id, 'conta-azul')).status).toBe('synced');
      expect(fake.tokenRequests.slice(before).map((r) => r.grantType)).toEqual(['refresh_token']);
    });

    it('lets concurrent refreshes spend the refresh token once (row lock), both getting the new access token', async () => {
      await expireStoredToken();
      const before = fake.tokenRequests.length;
      const service = t.app.get(ContaAzulService);
      const tokens = t.app.get(ContaAzulTokens);
      const oauth = new ContaAzulOAuth(service.fetch);
      const config = {
        authBaseUrl: fake.url,
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        redirectUri: service.redirectUri,
      };
      const results = await Promise.all([
        tokens.accessToken(oauth, config),
        tokens.accessToken(oauth, config),
        tokens.accessToken(oauth, config),
      ]);
      expect(new Set(results).size).toBe(1);
      const spent = fake.tokenRequests.slice(before);
      expect(spent).toHaveLength(1);
      expect(spent[0].result).toBe('ok');
    });

    it('drops the connection when the refresh token is refused (invalid_grant) and says so', async () => {
      const store = t.app.get(IntegrationSettingsStore);
      const used = fake.tokenRequests.find(
        (r) => r.grantType === 'refresh_token' && r.result === 'ok',
      )!.refreshToken!;
      await store.update('conta-azul', { refreshTokenEnc: store.seal('conta-azul', 'refreshToken', used) });
      await expireStoredToken();
      fake.expireAccessTokens();
      const client = await makeClient(t, { tradeName: 'Sem Conexão Ltda', document: nextCnpj() });
      await sync(client.id);
      const link = await waitForClientSync(t, client.id, 'conta-azul');
      expect(link).toMatchObject({ status: 'error', lastErrorCode: 'not_connected' });
      expect(fake.tokenRequests.at(-1)).toMatchObject({
        grantType: 'refresh_token',
        result: 'invalid_grant',
      });
      const row = await sealedRow();
      expect(row).toMatchObject({ access_token_enc: null, refresh_token_enc: null });
      expect(row.last_error).toContain('invalid_grant');
      const page = await agent.get(`/clients/${client.id}`);
      expect(text(page.text)).toContain('Conta Azul: conexão não autorizada');
      expect(text((await agent.get(PAGE)).text)).toContain(
        'A conexão foi perdida (invalid_grant: Invalid Refresh Token)',
      );
      // Reconnecting brings it back.
      await connectContaAzul(t, fake);
      await sync(client.id);
      expect((await waitForClientSync(t, client.id, 'conta-azul')).status).toBe('synced');
      expect((await linkOf(t, client.id, 'conta-azul'))?.lastError).toBeNull();
    });
  });
});
