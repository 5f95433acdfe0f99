import { ACCOUNT_FAILURES } from '../../../src/auth/login-throttle.service';
import { MAX_FAILURES_PER_WINDOW } from '../../../src/auth/totp/totp-rules';
import { AuditLogger } from '../../../src/common/audit-logger';
import { makeClient } from '../../factories/client.factory';
import { makeOperator } from '../../factories/operator.factory';
import { currentCode, enableTotp, wrongCode } from '../../factories/totp.factory';
import { csrfFor, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

/*
 * The throttles hold under simultaneous attempts. Login: each attempt takes its point atomically before
 * the password is checked (a success gives it back), so of 40 attempts at once at most 10 are checked
 * and the right password, arriving after the limit, is refused too. TOTP: the operator's row is locked
 * first, so 12 wrong codes at once are judged one after the other and at most 5 are checked per window.
 */
describe('throttles under simultaneous attempts', () => {
  let t: TestApp;
  let auditLines: Array<[string, Record<string, unknown>]>;

  beforeAll(async () => {
    // Each round comes from its own address (X-Forwarded-For through a trusted proxy), so the per-address
    // limit of one round does not decide the next.
    t = await startTestApp({ env: { TRUST_PROXY: 'loopback' } });
    jest.spyOn(t.app.get(AuditLogger), 'log').mockImplementation((event, fields) => {
      auditLines.push([event, fields]);
    });
  });
  beforeEach(() => {
    auditLines = [];
  });
  afterAll(() => t.close());

  it(`checks at most ${ACCOUNT_FAILURES} of 40 simultaneous logins (39 wrong, 1 right) for one account`, async () => {
    for (let round = 0; round < 3; round++) {
      auditLines = [];
      const op = await makeOperator(t, 'agent');
      const agent = t.http();
      const token = await csrfFor(agent, '/login');
      const address = `203.0.113.${10 + round}`;
      const passwords = Array.from({ length: 40 }, (_, i) =>
        i === 20 ? op.password : `errada-${i}-xxxxxxxx`,
      );
      const answers = await Promise.all(
        passwords.map((password) =>
          agent
            .post('/login')
            .set('X-Forwarded-For', address)
            .type('form')
            .send({ _csrf: token, email: op.email, password }),
        ),
      );
      const statuses = answers.map((r) => r.status);
      const checked = count(statuses, 422) + count(statuses, 303);
      expect(checked).toBeLessThanOrEqual(ACCOUNT_FAILURES);
      expect(count(statuses, 429)).toBe(40 - checked);
      expect(count(statuses, 422) + count(statuses, 303) + count(statuses, 429)).toBe(40);
      const failed = auditLines.filter(([event]) => event === 'login.failed').length;
      expect(failed).toBe(count(statuses, 422));
      // the limit is reached: the right password is refused as well now
      const late = await agent
        .post('/login')
        .set('X-Forwarded-For', address)
        .type('form')
        .send({ _csrf: token, email: op.email, password: op.password });
      expect(late.status).toBe(429);
    }
  });

  it('refuses the right password after the limit was reached by simultaneous wrong ones', async () => {
    const op = await makeOperator(t, 'agent');
    const agent = t.http();
    const token = await csrfFor(agent, '/login');
    const address = '203.0.113.50';
    const wrong = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        agent
          .post('/login')
          .set('X-Forwarded-For', address)
          .type('form')
          .send({ _csrf: token, email: op.email, password: `errada-${i}-xxxxxxxx` }),
      ),
    );
    expect(
      count(
        wrong.map((r) => r.status),
        422,
      ),
    ).toBe(ACCOUNT_FAILURES);
    const right = await agent
      .post('/login')
      .set('X-Forwarded-For', address)
      .type('form')
      .send({ _csrf: token, email: op.email, password: op.password });
    expect(right.status).toBe(429);
    expect((await agent.get('/account')).status).toBe(303);
  });

  it(`checks at most ${MAX_FAILURES_PER_WINDOW} of 12 simultaneous wrong codes (turning 2FA off)`, async () => {
    const op = await makeOperator(t, 'manager');
    const secret = await enableTotp(t, op);
    const agent = t.http();
    await login(agent, op.email, op.password);
    const token = await csrfFor(agent, '/account/security');
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        agent
          .post('/account/security/totp/disable')
          .type('form')
          .send({ _csrf: token, code: wrongCode(secret) }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(count(statuses, 422)).toBe(MAX_FAILURES_PER_WINDOW);
    expect(count(statuses, 429)).toBe(12 - MAX_FAILURES_PER_WINDOW);
    const attempts = auditLines.filter(([event]) => event === 'totp.attempt');
    expect(attempts.filter(([, f]) => f.result === 'invalid')).toHaveLength(MAX_FAILURES_PER_WINDOW);
    const [row] = await t.dataSource.query(
      `SELECT totp_failures AS failures, totp_consecutive_failures AS consecutive FROM operators WHERE id = $1`,
      [op.id],
    );
    expect(row).toEqual({ failures: MAX_FAILURES_PER_WINDOW, consecutive: MAX_FAILURES_PER_WINDOW });
    // and the right code waits for the window too
    const right = await agent
      .post('/account/security/totp/disable')
      .type('form')
      .send({ _csrf: token, code: currentCode(secret) });
    expect(right.status).toBe(429);
  });

  it(`checks at most ${MAX_FAILURES_PER_WINDOW} of 12 simultaneous wrong codes confirming a deletion`, async () => {
    const op = await makeOperator(t, 'manager');
    const secret = await enableTotp(t, op);
    const client = await makeClient(t);
    const agent = t.http();
    await login(agent, op.email, op.password);
    const token = await csrfFor(agent, `/clients/${client.id}/delete?step=code`);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        agent
          .post(`/clients/${client.id}/delete`)
          .type('form')
          .send({ _csrf: token, code: wrongCode(secret) }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(count(statuses, 422)).toBe(MAX_FAILURES_PER_WINDOW);
    expect(count(statuses, 429)).toBe(12 - MAX_FAILURES_PER_WINDOW);
    const [{ marked }] = await t.dataSource.query(
      `SELECT deletion_requested_at IS NOT NULL AS marked FROM clients WHERE id = $1`,
      [client.id],
    );
    expect(marked).toBe(false);
  });
});
