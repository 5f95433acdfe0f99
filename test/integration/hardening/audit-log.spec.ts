import { ClientPurgeService } from '../../../src/clients/purge/client-purge.service';
import { seedClient } from '../../factories/client-data.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { currentCode, enableTotp, wrongCode } from '../../factories/totp.factory';
import { captureAppLog, type CapturedLog } from '../../support/app-log';
import { csrfFor, login, setCookies } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

/*
 * The audit log: logins, 2FA results, authorization denials, deletions and
 * purges are JSON lines with `audit: true`, an event name, the operator id, the address and the request
 * id — and never a password, a TOTP code, a token, an e-mail address or a client's or contact's name.
 * The app's own pino logger is captured (its stream swapped for an array), so this is the real output.
 */
describe('audit log: security events as JSON lines without secrets or personal data', () => {
  let t: TestApp;
  let manager: TestOperator;
  let agentOp: TestOperator;
  let secret: string;
  let log: CapturedLog;

  beforeAll(async () => {
    t = await startTestApp(); // LOG_LEVEL silent while it starts…
    log = captureAppLog('info'); // …then everything at info and above, as in production, is captured
    manager = await makeOperator(t, 'manager', {
      name: 'Marta Auditada',
      email: 'marta.auditada@example.com',
    });
    agentOp = await makeOperator(t, 'agent', { name: 'Aldo Auditado', email: 'aldo.auditado@example.com' });
    secret = await enableTotp(t, manager);
  });
  afterAll(async () => {
    log?.restore();
    await t?.close();
  });

  const entries = () => log.entries();
  const audit = (event: string) => entries().filter((e) => e.audit === true && e.event === event);

  /** Everything secret or personal this test typed or created, to be searched for in every line. */
  const secrets: string[] = [];

  it('logs a failed login with the address and request id, without the e-mail or the password typed', async () => {
    const agent = t.http();
    const token = await csrfFor(agent, '/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: manager.email, password: 'senha-errada-do-teste' });
    expect(res.status).toBe(422);
    secrets.push(manager.email, 'senha-errada-do-teste', token);
    const [failed] = audit('login.failed');
    expect(failed).toMatchObject({ audit: true, event: 'login.failed', ip: expect.any(String) });
    expect(failed.requestId).toBe(res.headers['x-request-id']);
  });

  it('logs a successful login with the operator id only', async () => {
    const agent = t.http();
    const res = await login(agent, manager.email, manager.password);
    expect(res.status).toBe(303);
    secrets.push(manager.password, ...setCookies(res).map((c) => c.split(';')[0].split('=')[1]));
    expect(audit('login.succeeded').at(-1)).toMatchObject({ operatorId: manager.id });
  });

  it('logs an authorization denial (403) with who, the method and the path', async () => {
    const agent = t.http();
    await login(agent, agentOp.email, agentOp.password);
    secrets.push(agentOp.email, agentOp.password);
    expect((await agent.get('/settings/operators')).status).toBe(403);
    expect(audit('authorization.denied').at(-1)).toMatchObject({
      operatorId: agentOp.id,
      method: 'GET',
      path: '/settings/operators',
      requestId: expect.any(String),
    });
  });

  it('logs 2FA results (a wrong code, then the deletion) and the purge, without the codes or any name', async () => {
    const seeded = await seedClient(t, { name: 'Confeitaria Sigilosa' });
    secrets.push(seeded.tradeName, seeded.contactEmail, 'Pão Quente Alimentos');
    const agent = t.http();
    await login(agent, manager.email, manager.password);
    const token = await csrfFor(agent, `/clients/${seeded.client.id}/delete?step=code`);

    const wrong = wrongCode(secret);
    secrets.push(wrong);
    const refused = await agent
      .post(`/clients/${seeded.client.id}/delete`)
      .type('form')
      .send({ _csrf: token, code: wrong });
    expect(refused.status).toBe(422);
    expect(audit('totp.attempt').at(-1)).toMatchObject({
      operatorId: manager.id,
      result: expect.any(String),
    });

    const code = currentCode(secret);
    secrets.push(code);
    const done = await agent
      .post(`/clients/${seeded.client.id}/delete`)
      .type('form')
      .send({ _csrf: token, code });
    expect(done.status).toBe(303);
    expect(audit('client.deletion_requested').at(-1)).toMatchObject({
      operatorId: manager.id,
      clientId: seeded.client.id,
      counts: expect.any(Object),
    });

    await t.app.get(ClientPurgeService).run();
    expect(audit('purge.started').length).toBeGreaterThan(0);
    expect(audit('purge.client_purged').at(-1)).toMatchObject({
      clientId: seeded.client.id,
      counts: expect.any(Object),
    });
    expect(audit('purge.finished').length).toBeGreaterThan(0);
  });

  it('wrote every line as JSON with a time, and none carries a secret, a code, an e-mail or a name', () => {
    expect(log.lines.length).toBeGreaterThan(10);
    for (const entry of entries().filter((e) => e.audit === true)) {
      expect(entry).toMatchObject({ time: expect.any(Number), event: expect.any(String) });
    }
    expect(entries().length).toBe(log.lines.length); // all JSON
    // A 6-digit code is looked for as a whole number (not inside a timestamp or a request id).
    const found = (line: string, s: string) =>
      /^\d+$/.test(s)
        ? new RegExp(`(?<![0-9a-f])${s}(?![0-9a-f])`, 'i').test(line)
        : line.toLowerCase().includes(s.toLowerCase());
    const leaks = secrets
      .filter((s) => s && s.length >= 4)
      .flatMap((s) => log.lines.filter((line) => found(line, s)).map((line) => `${s} in ${line}`));
    expect(leaks).toEqual([]);
    expect(log.lines.join('\n')).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/); // no e-mail address at all
  });
});
