import { ContaAzulService } from '../../../src/integrations/conta-azul/conta-azul.service';
import { asSession, makeClient, makeContact } from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { setExtension } from '../../factories/telephony.factory';
import { startFakeAmi, type FakeAmi } from '../../support/fake-ami-server';
import { startFakeAsaas, type FakeAsaas } from '../../support/fake-asaas';
import { startFakeContaAzul, type FakeContaAzul } from '../../support/fake-conta-azul';
import { startFakeDialer, type FakeDialer } from '../../support/fake-http-dialer';
import { fieldError } from '../../support/html';
import { login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

/*
 * A stored secret (Asaas API key, Conta Azul client secret, telephony secret) goes only to the
 * destination it was saved for. "Testar" with `environment=custom` and a new `baseUrl`, the key left
 * blank, used to send the saved key to that URL; the telephony URL template accepted `{secret}` on another
 * host with the secret left blank. Here each "other destination" is a local fake that records everything
 * it receives: it must receive nothing, for "Testar" and for saving (and for what a save would lead to:
 * the next call, the next OAuth exchange).
 */
describe('stored secrets and where they are sent', () => {
  let t: TestApp;
  let admin: TestOperator;
  let agent: Agent;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await makeOperator(t, 'admin');
    agent = t.http();
    expect((await login(agent, admin.email, admin.password)).status).toBe(303);
  });
  afterAll(() => t.close());

  describe('Asaas API key', () => {
    const PAGE = '/settings/integrations/asaas';
    let home: FakeAsaas;
    let elsewhere: FakeAsaas;

    beforeAll(async () => {
      home = await startFakeAsaas({ apiKey: 'chave-guardada-do-asaas' });
      elsewhere = await startFakeAsaas({ apiKey: 'chave-digitada-agora' });
      const saved = await postForm(agent, PAGE, {
        environment: 'custom',
        baseUrl: home.url,
        apiKey: home.apiKey,
      });
      expect(saved.status).toBe(303);
    });
    afterAll(async () => {
      await home.close();
      await elsewhere.close();
    });

    const leakedTo = (fake: FakeAsaas) =>
      fake.requests.filter((r) => JSON.stringify(r.headers).includes(home.apiKey));

    it('refuses "Testar" for another base URL with the key left blank (422), and sends nothing there', async () => {
      const res = await postForm(
        agent,
        `${PAGE}/test`,
        { environment: 'custom', baseUrl: elsewhere.url },
        PAGE,
      );
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'apiKey')).toMatch(/^A chave guardada só é enviada ao endereço/);
      expect(elsewhere.requests).toEqual([]);
    });

    it('refuses "Testar" for another environment with the key left blank (422)', async () => {
      const before = home.requests.length;
      const res = await postForm(agent, `${PAGE}/test`, { environment: 'production' }, PAGE);
      expect(res.status).toBe(422);
      expect(home.requests.length).toBe(before);
    });

    it('refuses to save another base URL with the key left blank (422): settings and key unchanged', async () => {
      const res = await postForm(agent, PAGE, { environment: 'custom', baseUrl: elsewhere.url });
      expect(res.status).toBe(422);
      const [row] = await t.dataSource.query(
        `SELECT settings ->> 'baseUrl' AS "baseUrl", secrets_enc IS NOT NULL AS "hasKey" FROM integration_settings WHERE provider = 'asaas'`,
      );
      expect(row).toEqual({ baseUrl: home.url, hasKey: true });
      expect(elsewhere.requests).toEqual([]);
    });

    it('tests the saved address with the saved key, and another address only with the key typed', async () => {
      const same = await postForm(agent, `${PAGE}/test`, { environment: 'custom', baseUrl: home.url }, PAGE);
      expect(same.status).toBe(200);
      expect(leakedTo(home).length).toBeGreaterThan(0);
      const typed = await postForm(
        agent,
        `${PAGE}/test`,
        { environment: 'custom', baseUrl: elsewhere.url, apiKey: elsewhere.apiKey },
        PAGE,
      );
      expect(typed.status).toBe(200);
      expect(elsewhere.apiRequests().length).toBeGreaterThan(0);
      expect(leakedTo(elsewhere)).toEqual([]);
    });
  });

  describe('telephony secret', () => {
    const PAGE = '/settings/telephony';
    let homeAmi: FakeAmi;
    let otherAmi: FakeAmi;
    let homeDialer: FakeDialer;
    let otherDialer: FakeDialer;

    beforeAll(async () => {
      homeAmi = await startFakeAmi({ secret: 'segredo-do-ami-guardado' });
      otherAmi = await startFakeAmi({ secret: 'outro' });
      homeDialer = await startFakeDialer();
      otherDialer = await startFakeDialer();
    });
    afterAll(async () => {
      for (const fake of [homeAmi, otherAmi, homeDialer, otherDialer]) await fake.close();
    });

    const ami = (target: FakeAmi, secret?: string) => ({
      provider: 'asterisk-ami',
      host: target.host,
      port: String(target.port),
      username: 'clientela',
      context: 'from-internal',
      channelTemplate: 'PJSIP/{extension}',
      method: 'POST',
      dialFormat: 'e164',
      timeoutSeconds: '2',
      ...(secret ? { secret } : {}),
    });
    const dialer = (target: FakeDialer, path: string, secret?: string) => ({
      provider: 'http-template',
      urlTemplate: `${target.url}${path}?token={secret}&numero={e164}&ramal={extension}`,
      method: 'GET',
      dialFormat: 'e164',
      timeoutSeconds: '2',
      ...(secret ? { secret } : {}),
    });
    const settingsRow = async () =>
      (
        await t.dataSource.query(`SELECT host, port, url_template AS "urlTemplate" FROM telephony_settings`)
      )[0];

    it('refuses "Testar" and saving the AMI at another host or port with the secret left blank; nothing connects there', async () => {
      expect((await postForm(agent, PAGE, ami(homeAmi, 'segredo-do-ami-guardado'))).status).toBe(303);
      const tested = await postForm(agent, `${PAGE}/test`, ami(otherAmi), PAGE);
      expect(tested.status).toBe(422);
      expect(fieldError(tested.text, 'secret')).toMatch(/^O segredo guardado só é enviado ao servidor/);
      const saved = await postForm(agent, PAGE, ami(otherAmi));
      expect(saved.status).toBe(422);
      expect(await settingsRow()).toMatchObject({ host: homeAmi.host, port: homeAmi.port });
      expect(otherAmi.connections).toBe(0);
      // the same AMI, secret left blank: tested with the stored secret, at home
      expect((await postForm(agent, `${PAGE}/test`, ami(homeAmi), PAGE)).status).toBe(200);
      expect(homeAmi.actions).toContainEqual(
        expect.objectContaining({ Action: 'Login', Secret: 'segredo-do-ami-guardado' }),
      );
    });

    it('refuses a URL template with {secret} on another host with the secret left blank; the next call still goes home', async () => {
      expect((await postForm(agent, PAGE, dialer(homeDialer, '/discar', 'segredo-do-discador'))).status).toBe(
        303,
      );
      const saved = await postForm(agent, PAGE, dialer(otherDialer, '/roubar'));
      expect(saved.status).toBe(422);
      expect(fieldError(saved.text, 'secret')).toMatch(/^O segredo guardado só é enviado ao servidor/);
      expect((await settingsRow()).urlTemplate).toContain(homeDialer.url);
      // another path on the same server keeps the stored secret
      expect((await postForm(agent, PAGE, dialer(homeDialer, '/discar/v2'))).status).toBe(303);

      const manager = await makeOperator(t, 'manager');
      await setExtension(t, manager, '2001');
      const client = await makeClient(t);
      const contact = await makeContact(t, client, { name: 'Contato Para Ligar', phone: '(41) 3333-4444' });
      const caller = t.http();
      await login(caller, manager.email, manager.password);
      const call = await postForm(
        caller,
        `/clients/${client.id}/contacts/${contact.id}/call`,
        { number: 'phone' },
        `/clients/${client.id}`,
      );
      expect(call.status).toBeLessThan(500);
      expect(homeDialer.requests.map((r) => r.query.get('token'))).toContain('segredo-do-discador');
      expect(otherDialer.requests).toEqual([]);
    });

    it('drops the stored secret when settings that do not use it are saved elsewhere', async () => {
      expect((await postForm(agent, PAGE, ami(homeAmi, 'segredo-do-ami-guardado'))).status).toBe(303);
      const withoutSecret = {
        provider: 'http-template',
        urlTemplate: `${otherDialer.url}/discar?numero={e164}`,
        method: 'GET',
        dialFormat: 'e164',
      };
      expect((await postForm(agent, PAGE, withoutSecret)).status).toBe(303);
      const [{ secret }] = await t.dataSource.query(`SELECT secret_enc AS secret FROM telephony_settings`);
      expect(secret).toBeNull();
      // so a {secret} added there later has no stored secret to carry: only one typed with it
      expect((await postForm(agent, PAGE, dialer(otherDialer, '/discar'))).status).toBe(303);
      const [{ again }] = await t.dataSource.query(`SELECT secret_enc AS again FROM telephony_settings`);
      expect(again).toBeNull();
      expect(otherDialer.requests).toEqual([]);
    });
  });

  describe('Conta Azul client secret', () => {
    const PAGE = '/settings/integrations/conta-azul';
    let home: FakeContaAzul;
    let elsewhere: FakeContaAzul;

    beforeAll(async () => {
      home = await startFakeContaAzul();
      elsewhere = await startFakeContaAzul();
      const saved = await postForm(agent, PAGE, {
        clientId: home.clientId,
        clientSecret: home.clientSecret,
        authBaseUrl: home.url,
        apiBaseUrl: home.url,
      });
      expect(saved.status).toBe(303);
    });
    afterAll(async () => {
      await home.close();
      await elsewhere.close();
    });

    it.each([
      ['the authorisation server', { authBaseUrl: 'ELSEWHERE', apiBaseUrl: 'HOME' }],
      ['the API', { authBaseUrl: 'HOME', apiBaseUrl: 'ELSEWHERE' }],
    ])(
      'refuses to point %s elsewhere with the secret left blank (422); the next token exchange goes home',
      async (_what, addresses) => {
        const url = (which: string) => (which === 'HOME' ? home.url : elsewhere.url);
        const res = await postForm(agent, PAGE, {
          clientId: home.clientId,
          authBaseUrl: url(addresses.authBaseUrl),
          apiBaseUrl: url(addresses.apiBaseUrl),
        });
        expect(res.status).toBe(422);
        expect(fieldError(res.text, 'clientSecret')).toMatch(/^O client secret guardado só é enviado/);
        // what a saved change would have led to: the OAuth code exchange, with the client secret
        await t.app
          .get(ContaAzulService)
          .completeAuthorization(asSession(admin), 'codigo-qualquer')
          .catch(() => undefined);
        expect(home.tokenRequests.length).toBeGreaterThan(0);
        expect(elsewhere.requests).toEqual([]);
      },
    );
  });
});
