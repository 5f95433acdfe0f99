import { makeOperator } from '../../factories/operator.factory';
import { login, setCookie } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

/**
 * Session ids of at least 128 bits from a CSPRNG, kept in PostgreSQL (not in the
 * process's memory, so they survive a restart and are shared by instances, and can be destroyed there).
 */
describe('session ids and their store', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('issues 192-bit random session ids and keeps each session in the sessions table', async () => {
    const operator = await makeOperator(t, 'agent');
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const res = await login(t.http(), operator.email, operator.password);
      const cookie = setCookie(res, 'clientela.sid')!;
      // signed cookie: s:<id>.<signature>; express-session's id is 24 random bytes, base64url (32 chars)
      const id = /^clientela\.sid=s%3A([A-Za-z0-9_-]+)\./.exec(cookie)?.[1];
      expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
      ids.add(id!);
      const [row] = await t.dataSource.query(
        `SELECT sess -> 'operator' ->> 'id' AS operator FROM sessions WHERE sid = $1`,
        [id],
      );
      expect(row).toEqual({ operator: operator.id });
    }
    expect(ids.size).toBe(3);
  });
});
