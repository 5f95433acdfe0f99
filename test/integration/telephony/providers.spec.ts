import { createServer } from 'node:net';
import {
  AsteriskAmiProvider,
  RING_TIMEOUT_MS,
  type AmiConfig,
} from '../../../src/integrations/telephony/asterisk-ami.provider';
import {
  callIdFrom,
  HttpTemplateProvider,
  type HttpTemplateConfig,
} from '../../../src/integrations/telephony/http-template.provider';
import { TelLinkProvider } from '../../../src/integrations/telephony/tel-link.provider';
import { DEFAULT_TIMEOUT_MS } from '../../../src/integrations/telephony/telephony-settings.service';
import type { OriginateRequest } from '../../../src/integrations/telephony/telephony-provider';
import { startFakeAmi, type FakeAmi } from '../../support/fake-ami-server';
import { startFakeDialer, type FakeDialer } from '../../support/fake-http-dialer';

const CALL: OriginateRequest = {
  extension: '1001',
  number: '011987654321',
  e164: '+5511987654321',
  contactName: 'Maria "Mari" Souza',
};

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Asterisk AMI provider against a fake AMI server', () => {
  let ami: FakeAmi;
  const config = (overrides: Partial<AmiConfig> = {}): AmiConfig => ({
    host: ami.host,
    port: ami.port,
    username: 'clientela',
    secret: 's3cret-ami',
    context: 'from-internal',
    channelTemplate: 'PJSIP/{extension}',
    callerId: 'Clientela: {contact} <{extension}>',
    timeoutMs: 1000,
    ...overrides,
  });

  beforeEach(async () => {
    ami = await startFakeAmi();
  });
  afterEach(() => ami.close());

  it('logs in, originates with every field from the settings, and logs off', async () => {
    const result = await new AsteriskAmiProvider(config()).originate(CALL);
    expect(result).toEqual({ ok: true, callId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const [login, originate, logoff] = ami.actions;
    expect(login).toMatchObject({
      Action: 'Login',
      Username: 'clientela',
      Secret: 's3cret-ami',
      Events: 'off',
    });
    expect(originate).toEqual({
      _session: '1',
      Action: 'Originate',
      ActionID: result.ok ? result.callId : '',
      Channel: 'PJSIP/1001',
      Context: 'from-internal',
      Exten: '011987654321',
      Priority: '1',
      Timeout: String(RING_TIMEOUT_MS),
      Async: 'true',
      // Quotes would end the caller-id name early: they are dropped.
      CallerID: 'Clientela: Maria Mari Souza <1001>',
    });
    expect(logoff).toMatchObject({ Action: 'Logoff' });
    expect(ami.actions).toHaveLength(3);
    expect(new Set(ami.actions.map((a) => a.ActionID)).size).toBe(3);
  });

  it('sends no CallerID when none is configured', async () => {
    await new AsteriskAmiProvider(config({ callerId: null })).originate(CALL);
    expect(ami.lastOriginate()).not.toHaveProperty('CallerID');
  });

  it('reports a refused login (Response: Error) and never originates', async () => {
    const result = await new AsteriskAmiProvider(config({ secret: 'wrong' })).originate(CALL);
    expect(result).toEqual({ ok: false, code: 'auth', error: 'Authentication failed' });
    expect(ami.lastOriginate()).toBeUndefined();
  });

  it('reports a refused Originate with the PBX message', async () => {
    ami.mode = 'originate-error';
    const result = await new AsteriskAmiProvider(config()).originate(CALL);
    expect(result).toEqual({ ok: false, code: 'rejected', error: 'Originate failed' });
  });

  it('times out when the PBX does not answer the login', async () => {
    ami.mode = 'hang-login';
    const started = Date.now();
    const result = await new AsteriskAmiProvider(config({ timeoutMs: 300 })).originate(CALL);
    expect(result).toEqual({
      ok: false,
      code: 'timeout',
      error: expect.stringContaining('no response to Login'),
    });
    // A bound only a wrong timeout crosses (the settings' 8 s default, or none): 300 ms are configured.
    expect(Date.now() - started).toBeLessThan(DEFAULT_TIMEOUT_MS);
  });

  it('times out when the PBX does not answer the Originate', async () => {
    ami.mode = 'hang-originate';
    const result = await new AsteriskAmiProvider(config({ timeoutMs: 300 })).originate(CALL);
    expect(result).toEqual({
      ok: false,
      code: 'timeout',
      error: expect.stringContaining('no response to Originate'),
    });
  });

  it('times out when the port accepts but sends no banner', async () => {
    ami.mode = 'silent';
    const result = await new AsteriskAmiProvider(config({ timeoutMs: 300 })).originate(CALL);
    expect(result).toEqual({ ok: false, code: 'timeout', error: expect.stringContaining('no banner') });
  });

  it('reports a refused connection', async () => {
    const result = await new AsteriskAmiProvider(config({ port: await closedPort() })).originate(CALL);
    expect(result).toEqual({ ok: false, code: 'connection', error: expect.stringContaining('ECONNREFUSED') });
  });

  it('refuses to send a value with a line break (no AMI header injection)', async () => {
    const result = await new AsteriskAmiProvider(config()).originate({
      ...CALL,
      extension: '1001\r\nAction: Originate',
    });
    expect(result).toMatchObject({ ok: false, code: 'config' });
    expect(ami.lastOriginate()).toBeUndefined();
  });

  it('tests the login without originating', async () => {
    await expect(new AsteriskAmiProvider(config()).test()).resolves.toEqual({
      ok: true,
      detail: 'Asterisk Call Manager/9.0.0',
    });
    expect(ami.actions.map((a) => a.Action)).toEqual(['Login', 'Logoff']);
    await expect(new AsteriskAmiProvider(config({ secret: 'nope' })).test()).resolves.toEqual({
      ok: false,
      code: 'auth',
      error: 'Authentication failed',
    });
  });

  it('says so when the other side is not an AMI', async () => {
    const server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(new AsteriskAmiProvider(config({ port })).test()).resolves.toMatchObject({
        ok: false,
        code: 'protocol',
      });
    } finally {
      server.close();
    }
  });
});

describe('HTTP template provider against a fake dialer', () => {
  let dialer: FakeDialer;
  const config = (overrides: Partial<HttpTemplateConfig> = {}): HttpTemplateConfig => ({
    urlTemplate: `${dialer.url}/click2dial?ramal={extension}&destino={number}`,
    method: 'GET',
    headersTemplate: null,
    bodyTemplate: null,
    username: null,
    secret: null,
    timeoutMs: 1000,
    ...overrides,
  });

  beforeEach(async () => {
    dialer = await startFakeDialer();
  });
  afterEach(() => dialer.close());

  it('fills the URL template with the URL-encoded extension and number', async () => {
    const result = await new HttpTemplateProvider(
      config({ urlTemplate: `${dialer.url}/dial?from={extension}&to={e164}` }),
    ).originate({
      ...CALL,
      extension: '10 01&x=1',
    });
    expect(result).toEqual({ ok: true, callId: 'fake-1' });
    expect(dialer.requests).toHaveLength(1);
    expect(dialer.requests[0].method).toBe('GET');
    expect(dialer.requests[0].url).toBe('/dial?from=10%2001%26x%3D1&to=%2B5511987654321');
    expect(dialer.requests[0].query.get('from')).toBe('10 01&x=1');
  });

  it('posts a JSON body template with JSON-escaped values and the header template (Api4Com shape)', async () => {
    const provider = new HttpTemplateProvider(
      config({
        urlTemplate: `${dialer.url}/api/v1/dialer`,
        method: 'POST',
        headersTemplate: 'Authorization: {secret}\nX-Origem: clientela',
        bodyTemplate: '{"extension":"{extension}","phone":"{e164}","metadata":{"contato":"{contact}"}}',
        secret: 'tok-123',
      }),
    );
    await expect(provider.originate(CALL)).resolves.toEqual({ ok: true, callId: 'fake-1' });
    const [req] = dialer.requests;
    expect(req.method).toBe('POST');
    expect(req.headers.authorization).toBe('tok-123');
    expect(req.headers['x-origem']).toBe('clientela');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      extension: '1001',
      phone: '+5511987654321',
      metadata: { contato: 'Maria "Mari" Souza' },
    });
  });

  it('form-encodes a body template that is not JSON', async () => {
    await new HttpTemplateProvider(
      config({ method: 'POST', bodyTemplate: 'origem={extension}&destino={number}' }),
    ).originate(CALL);
    expect(dialer.requests[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(dialer.requests[0].body).get('destino')).toBe('011987654321');
  });

  it('reports a non-2xx answer with the status and a short excerpt of the body', async () => {
    dialer.answer = {
      status: 401,
      body: JSON.stringify({ error: 'invalid token', detail: 'x'.repeat(1000) }),
    };
    const result = await new HttpTemplateProvider(config()).originate(CALL);
    expect(result).toMatchObject({
      ok: false,
      code: 'http',
      error: expect.stringMatching(/^HTTP 401: \{"error":"invalid token"/),
    });
    expect(!result.ok && result.error.length).toBeLessThanOrEqual(220);
  });

  it('times out when the dialer never answers', async () => {
    dialer.answer = { hang: true };
    const started = Date.now();
    await expect(new HttpTemplateProvider(config({ timeoutMs: 300 })).originate(CALL)).resolves.toMatchObject(
      { ok: false, code: 'timeout' },
    );
    // A bound only a wrong timeout crosses (the settings' 8 s default, or none): 300 ms are configured.
    expect(Date.now() - started).toBeLessThan(DEFAULT_TIMEOUT_MS);
  });

  it('reports a refused connection', async () => {
    const urlTemplate = `http://127.0.0.1:${await closedPort()}/dial?n={number}`;
    await expect(new HttpTemplateProvider(config({ urlTemplate })).originate(CALL)).resolves.toMatchObject({
      ok: false,
      code: 'connection',
    });
  });

  it('refuses a header template that would inject a line', async () => {
    const provider = new HttpTemplateProvider(config({ headersTemplate: 'X-Contato: {contact}' }));
    await expect(provider.originate({ ...CALL, contactName: 'a\r\nX-Evil: 1' })).resolves.toMatchObject({
      ok: false,
      code: 'config',
    });
    expect(dialer.requests).toHaveLength(0);
  });

  it('tests that the server answers without placing a call', async () => {
    await expect(new HttpTemplateProvider(config()).test()).resolves.toMatchObject({
      ok: true,
      detail: expect.stringContaining('HTTP 200'),
    });
    expect(dialer.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['HEAD /']);
  });

  it('finds the call id in the usual answer shapes', () => {
    expect(callIdFrom('{"call_id":"abc"}')).toBe('abc');
    expect(callIdFrom('{"dados":{"id":4921}}')).toBe('4921');
    expect(callIdFrom('{"sid":"CA123","status":"queued"}')).toBe('CA123');
    expect(callIdFrom('  12345\n')).toBe('12345');
    expect(callIdFrom('<html>ok</html>')).toBeNull();
    expect(callIdFrom('{"ok":true}')).toBeNull();
    expect(callIdFrom('')).toBeNull();
  });
});

describe('tel: fallback provider', () => {
  it('answers a tel: link in E.164 whatever the dial format', async () => {
    await expect(new TelLinkProvider().originate(CALL)).resolves.toEqual({
      ok: true,
      callId: null,
      telHref: 'tel:+5511987654321',
    });
  });
});
