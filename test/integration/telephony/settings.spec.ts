import { CreateTelephony1764324400000 } from '../../../migrations/1764324400000-CreateTelephony';
import { SecretBox } from '../../../src/common/crypto/secret-box';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { fieldError, inputValue, selectedValue, text } from '../../support/html';
import { startFakeAmi, type FakeAmi } from '../../support/fake-ami-server';
import { startFakeDialer, type FakeDialer } from '../../support/fake-http-dialer';
import { csrfFor, login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;
const PAGE = '/settings/telephony';
const AMI_SECRET = 'Sup3r-S3cret-AMI!';

describe('telephony settings (/settings/telephony)', () => {
  let t: TestApp;
  let ami: FakeAmi;
  let dialer: FakeDialer;
  let admin: TestOperator;
  let agent: Agent;

  beforeAll(async () => {
    t = await startTestApp();
    ami = await startFakeAmi({ secret: AMI_SECRET });
    dialer = await startFakeDialer();
    admin = await makeOperator(t, 'admin', { name: 'Ana Admin' });
    agent = t.http();
    await login(agent, admin.email, admin.password);
  });
  afterAll(async () => {
    await ami.close();
    await dialer.close();
    await t.close();
  });

  const amiForm = (overrides: Record<string, string> = {}) => ({
    provider: 'asterisk-ami',
    host: ami.host,
    port: String(ami.port),
    username: 'clientela',
    secret: AMI_SECRET,
    context: 'from-internal',
    channelTemplate: 'PJSIP/{extension}',
    callerId: 'Clientela <{extension}>',
    method: 'POST',
    dialFormat: 'prefix',
    dialPrefix: '0',
    timeoutSeconds: '2',
    ...overrides,
  });
  const storedSecret = async (): Promise<string | null> =>
    (await t.dataSource.query(`SELECT secret_enc FROM telephony_settings`))[0].secret_enc;

  it('is for admins only: managers and agents get 403', async () => {
    for (const role of ['manager', 'agent'] as const) {
      const op = await makeOperator(t, role);
      const other = t.http();
      await login(other, op.email, op.password);
      expect((await other.get(PAGE)).status).toBe(403);
      const token = await csrfFor(other, '/account');
      expect((await other.post(PAGE).type('form').send({ _csrf: token, provider: 'none' })).status).toBe(403);
    }
  });

  it('starts with no provider (tel: links) and is linked from the settings menu', async () => {
    const res = await agent.get(PAGE);
    expect(res.status).toBe(200);
    expect(selectedValue(res.text, 'provider')).toBe('none');
    expect(res.text).toContain('href="/settings/telephony"');
    expect(res.text).toContain('Nenhuma configurada.');
  });

  it('saves the AMI settings with the secret encrypted, and never shows the secret back', async () => {
    const res = await postForm(agent, PAGE, amiForm());
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(PAGE);

    const sealed = await storedSecret();
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(AMI_SECRET);
    expect(new SecretBox(t.config.appSecret, 'telephony').open(sealed!, 'telephony_settings:1:secret')).toBe(
      AMI_SECRET,
    );
    const [row] = await t.dataSource.query(`SELECT * FROM telephony_settings`);
    expect(row).toMatchObject({
      provider: 'asterisk-ami',
      host: ami.host,
      port: ami.port,
      username: 'clientela',
      dial_format: 'prefix',
      dial_prefix: '0',
      timeout_ms: 2000,
    });
    expect(JSON.stringify(row)).not.toContain(AMI_SECRET);

    const page = await agent.get(PAGE);
    expect(page.text).toContain('Configurações de telefonia salvas.');
    expect(page.text).not.toContain(AMI_SECRET);
    expect(inputValue(page.text, 'secret')).toBe('');
    expect(text(page.text)).toContain('Senha (secret) ou token configurada');
    expect(inputValue(page.text, 'host')).toBe(ami.host);
    expect(selectedValue(page.text, 'dialFormat')).toBe('prefix');
  });

  it('keeps the stored secret when the field is left blank, and replaces or clears it on request', async () => {
    await postForm(agent, PAGE, amiForm());
    const before = await storedSecret();
    expect((await postForm(agent, PAGE, amiForm({ secret: '', context: 'outro-contexto' }))).status).toBe(
      303,
    );
    expect(await storedSecret()).toBe(before);

    expect((await postForm(agent, PAGE, amiForm({ secret: 'outro-segredo' }))).status).toBe(303);
    expect(await storedSecret()).not.toBe(before);

    // An AMI without a secret cannot log in: clearing it needs another provider (or a new secret).
    const refused = await postForm(agent, PAGE, amiForm({ secret: '', clearSecret: 'true' }));
    expect(refused.status).toBe(422);
    expect(fieldError(refused.text, 'secret')).toBe('Informe a senha do usuário AMI.');
    expect((await postForm(agent, PAGE, { provider: 'none', secret: '', clearSecret: 'true' })).status).toBe(
      303,
    );
    expect(await storedSecret()).toBeNull();
  });

  it('refuses incomplete or malformed settings with 422, keeping the typed values but never the secret', async () => {
    const res = await postForm(
      agent,
      PAGE,
      amiForm({
        host: '',
        channelTemplate: 'PJSIP/ramal',
        port: '99999',
        secret: 'typed-secret',
        urlTemplate: 'ftp://x',
      }),
    );
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'channelTemplate')).toContain('{extension}');
    expect(fieldError(res.text, 'port')).toBe('Informe uma porta entre 1 e 65535.');
    expect(fieldError(res.text, 'urlTemplate')).toBe(
      'Informe uma URL completa, começando por http:// ou https://.',
    );
    expect(inputValue(res.text, 'channelTemplate')).toBe('PJSIP/ramal');
    expect(res.text).not.toContain('typed-secret');

    const http = await postForm(agent, PAGE, {
      provider: 'http-template',
      method: 'POST',
      dialFormat: 'prefix',
    });
    expect(http.status).toBe(422);
    expect(fieldError(http.text, 'urlTemplate')).toBe('Campo obrigatório.');
    expect(fieldError(http.text, 'dialPrefix')).toBe('Campo obrigatório.');
  });

  it('"Testar" logs in to the AMI with the typed values, without saving or originating', async () => {
    await postForm(agent, PAGE, { provider: 'none' });
    ami.actions.length = 0;
    const ok = await postForm(agent, `${PAGE}/test`, amiForm(), PAGE);
    expect(ok.status).toBe(200);
    expect(text(ok.text)).toContain('Login aceito pelo Asterisk (Asterisk Call Manager/9.0.0).');
    expect(ami.actions.map((a) => a.Action)).toEqual(['Login', 'Logoff']);
    expect(inputValue(ok.text, 'host')).toBe(ami.host);
    expect(ok.text).not.toContain(AMI_SECRET);
    expect((await t.dataSource.query(`SELECT provider FROM telephony_settings`))[0].provider).toBe('none');

    const bad = await postForm(agent, `${PAGE}/test`, amiForm({ secret: 'errado' }), PAGE);
    expect(text(bad.text)).toContain('O teste falhou: o PBX recusou o login (Authentication failed).');
  });

  it('"Testar" uses the stored secret when the field is blank', async () => {
    await postForm(agent, PAGE, amiForm());
    const res = await postForm(agent, `${PAGE}/test`, amiForm({ secret: '' }), PAGE);
    expect(text(res.text)).toContain('Login aceito pelo Asterisk');
  });

  it('"Testar" with htmx answers only the result fragment, or the form when a field is invalid', async () => {
    const token = await csrfFor(agent, PAGE);
    const res = await agent
      .post(`${PAGE}/test`)
      .type('form')
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', token)
      .send(amiForm({ port: String(ami.port) }));
    expect(res.status).toBe(200);
    expect(res.text.trim()).toMatch(/^<div id="telephony-test-result"/);
    expect(res.text).not.toContain('<html');

    const invalid = await agent
      .post(`${PAGE}/test`)
      .type('form')
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', token)
      .send(amiForm({ host: '' }));
    expect(invalid.status).toBe(422);
    expect(invalid.headers['hx-retarget']).toBe('#telephony-form');
    expect(invalid.text.trim()).toMatch(/^<form id="telephony-form"/);
    expect(fieldError(invalid.text, 'host')).toBe('Campo obrigatório.');
  });

  it('"Testar" for an HTTP dialer checks that its server answers, without calling', async () => {
    const form = {
      provider: 'http-template',
      urlTemplate: `${dialer.url}/dial?ramal={extension}&numero={number}`,
      method: 'GET',
      dialFormat: 'e164',
    };
    const res = await postForm(agent, `${PAGE}/test`, form, PAGE);
    expect(text(res.text)).toContain(
      `O servidor respondeu (127.0.0.1:${new URL(dialer.url).port} · HTTP 200)`,
    );
    expect(dialer.requests.map((r) => r.method)).toEqual(['HEAD']);
  });

  it('has a migration whose down() removes both tables and whose up() brings them back', async () => {
    const migration = new CreateTelephony1764324400000();
    const runner = t.dataSource.createQueryRunner();
    const tables = async () =>
      (
        await runner.query(
          `SELECT table_name FROM information_schema.tables WHERE table_name IN ('telephony_settings', 'call_logs') ORDER BY 1`,
        )
      ).map((r: { table_name: string }) => r.table_name);
    try {
      await migration.down(runner);
      expect(await tables()).toEqual([]);
      await migration.up(runner);
      expect(await tables()).toEqual(['call_logs', 'telephony_settings']);
      expect(await runner.query(`SELECT id, provider FROM telephony_settings`)).toEqual([
        { id: 1, provider: 'none' },
      ]);
    } finally {
      await runner.release();
    }
  });
});
