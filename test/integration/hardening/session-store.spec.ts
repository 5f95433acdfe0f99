import { PRUNE_INTERVAL_MS, SessionStore } from '../../../src/auth/session-store';
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

describe('pruning expired sessions', () => {
  it('deletes expired rows every 15 minutes, and stops when the app closes (no query on a closed pool)', async () => {
    // Only intervals run on a fake clock; everything else (pg, http, polling below) keeps real time.
    jest.useFakeTimers({
      doNotFake: [
        'Date',
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
      ],
    });
    const prune = jest.spyOn(SessionStore.prototype as unknown as { prune(): void }, 'prune');
    const t = await startTestApp();
    try {
      const expired = 'expired-session-for-the-prune-test';
      await t.dataSource.query(
        `INSERT INTO sessions (sid, sess, expire) VALUES ($1, '{"cookie":{}}', to_timestamp($2))`,
        [expired, Date.now() / 1000 - 60],
      );
      const rows = async () =>
        (await t.dataSource.query(`SELECT 1 FROM sessions WHERE sid = $1`, [expired])).length;
      jest.advanceTimersByTime(PRUNE_INTERVAL_MS);
      expect(prune).toHaveBeenCalledTimes(1);
      for (let waited = 0; (await rows()) > 0 && waited < 10_000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await rows()).toBe(0);
    } finally {
      await t.close();
    }
    jest.advanceTimersByTime(3 * PRUNE_INTERVAL_MS);
    expect(prune).toHaveBeenCalledTimes(1);
    prune.mockRestore();
    jest.useRealTimers();
  });
});
