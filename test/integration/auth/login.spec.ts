import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Operator } from '../../../src/auth/operator.entity';
import { ACCOUNT_FAILURES } from '../../../src/auth/login-throttle.service';
import { makeOperator, TEST_PASSWORD } from '../../factories/operator.factory';
import { cookiePair, csrfFor, csrfFrom, login, sessionCookieValue, setCookie } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

const SID = 'clientela.sid';

describe('login and sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await makeOperator(t, 'admin'); // an install that is past /setup
  });
  afterAll(() => t.close());

  /** The session cookie the next request of an agent would send (`name=value`), read from a response. */
  const sidOf = (res: request.Response): string => {
    const line = setCookie(res, SID);
    if (!line) throw new Error(`response sets no ${SID} cookie`);
    return cookiePair(line);
  };

  it('signs in with e-mail and password and sends the operator to /clients with 303', async () => {
    const op = await makeOperator(t, 'agent');
    const res = await login(t.http(), op.email, op.password);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/clients');
  });

  it('accepts the e-mail in any letter case', async () => {
    const op = await makeOperator(t, 'agent');
    const res = await login(t.http(), op.email.toUpperCase(), op.password);
    expect(res.status).toBe(303);
  });

  it('goes to the same-site `next` path after signing in', async () => {
    const op = await makeOperator(t, 'agent');
    const agent = t.http();
    const token = await csrfFor(agent, '/login?next=%2Faccount%2Fsecurity');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: op.email, password: op.password, next: '/account/security' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account/security');
  });

  it('keeps `next` from the query string in the login form', async () => {
    const page = await t.http().get('/login?next=%2Faccount');
    expect(page.text).toContain('name="next" value="/account"');
  });

  it.each(['//evil.com', 'https://evil.com', '/\\evil.com', 'javascript:alert(1)'])(
    'ignores the off-site `next` %s and goes to /clients (no open redirect)',
    async (next) => {
      const op = await makeOperator(t, 'agent');
      const agent = t.http();
      const token = await csrfFor(agent, '/login');
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: token, email: op.email, password: op.password, next });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/clients');
    },
  );

  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/ and, outside production, not Secure', async () => {
    const op = await makeOperator(t, 'agent');
    const res = await login(t.http(), op.email, op.password);
    const cookie = setCookie(res, SID)!;
    expect(cookie).toBeDefined();
    const attrs = cookie.split(';').map((a) => a.trim().toLowerCase());
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=lax');
    expect(attrs).toContain('path=/');
    expect(attrs).not.toContain('secure');
    expect(attrs.some((a) => a.startsWith('domain='))).toBe(false);
    // express-session ids are 24 random bytes (192 bits)
    const sid = decodeURIComponent(cookiePair(cookie).split('=')[1]).replace(/^s:/, '').split('.')[0];
    expect(sid.length).toBeGreaterThanOrEqual(32);
  });

  it('issues a new session id at login, and a session id planted before login is not signed in', async () => {
    const op = await makeOperator(t, 'agent');
    // Session fixation: an attacker's session id (one the store knows) planted in the victim's browser.
    const planted = `planted${randomBytes(12).toString('hex')}`;
    await t.dataSource.query(`INSERT INTO sessions (sid, sess, expire) VALUES ($1, $2, to_timestamp($3))`, [
      planted,
      JSON.stringify({ cookie: { path: '/', httpOnly: true } }),
      Date.now() / 1000 + 600,
    ]);
    const before = `${SID}=${sessionCookieValue(planted, t.config.appSecret)}`;
    const server = t.app.getHttpServer();
    const page = await request(server).get('/login').set('Cookie', before);
    const csrfCookie = cookiePair(setCookie(page, 'clientela.csrf')!);
    const res = await request(server)
      .post('/login')
      .set('Cookie', [before, csrfCookie].join('; '))
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: op.email, password: op.password });
    expect(res.status).toBe(303);
    const after = sidOf(res);
    expect(after).not.toBe(before);

    const withOld = await request(server).get('/account').set('Cookie', before);
    expect(withOld.status).toBe(303);
    expect(withOld.headers.location).toBe('/login?next=%2Faccount');
    const withNew = await request(server).get('/account').set('Cookie', after);
    expect(withNew.status).toBe(200);
  });

  it('refuses a wrong password with 422 and a message, keeping the e-mail and never echoing the password', async () => {
    const op = await makeOperator(t, 'agent');
    const agent = t.http();
    const page = await agent.get('/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: op.email, password: 'senha-errada-123' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('E-mail ou senha incorretos.');
    expect(res.text).toContain(`value="${op.email}"`);
    expect(res.text).not.toContain('senha-errada-123');
    expect(setCookie(res, SID)).toBeUndefined(); // still anonymous: no session stored for a refusal
    expect((await agent.get('/account')).status).toBe(303);
  });

  it('gives the same answer for an unknown e-mail as for a wrong password', async () => {
    const agent = t.http();
    const token = await csrfFor(agent, '/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: 'ninguem@example.com', password: TEST_PASSWORD });
    expect(res.status).toBe(422);
    expect(res.text).toContain('E-mail ou senha incorretos.');
  });

  it('refuses an inactive operator even with the right password', async () => {
    const op = await makeOperator(t, 'agent');
    await t.dataSource.getRepository(Operator).update(op.id, { active: false });
    const res = await login(t.http(), op.email, op.password);
    expect(res.status).toBe(422);
    expect(res.text).toContain('E-mail ou senha incorretos.');
  });

  it(`blocks an account after ${ACCOUNT_FAILURES} failures with 429 and Retry-After, even for the right password`, async () => {
    const op = await makeOperator(t, 'agent');
    const agent = t.http();
    const token = await csrfFor(agent, '/login');
    for (let i = 0; i < ACCOUNT_FAILURES; i++) {
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: token, email: op.email, password: `errada-${i}-xxxxxx` });
      expect(res.status).toBe(422);
    }
    const blocked = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: op.email, password: op.password });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    expect(blocked.text).toContain('Muitas tentativas de login');
    expect((await agent.get('/account')).status).toBe(303);

    // Another account from the same address is not affected by this account's block.
    const other = await makeOperator(t, 'agent');
    expect((await login(t.http(), other.email, other.password)).status).toBe(303);
  });

  it('logs out with a POST that destroys the server-side session, so the old cookie is signed out', async () => {
    const op = await makeOperator(t, 'agent');
    const agent = t.http();
    const signedIn = await login(agent, op.email, op.password);
    const cookie = sidOf(signedIn);
    const token = await csrfFor(agent, '/account');
    const res = await agent.post('/logout').type('form').send({ _csrf: token });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    const sessions = await t.dataSource.query(
      `SELECT 1 FROM sessions WHERE sess -> 'operator' ->> 'id' = $1`,
      [op.id],
    );
    expect(sessions).toHaveLength(0);

    const replay = await request(t.app.getHttpServer()).get('/account').set('Cookie', cookie);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toBe('/login?next=%2Faccount');
  });

  it('refuses a logout without a CSRF token (403) and stays signed in', async () => {
    const op = await makeOperator(t, 'agent');
    const agent = t.http();
    await login(agent, op.email, op.password);
    const res = await agent.post('/logout').type('form').send({});
    expect(res.status).toBe(403);
    expect((await agent.get('/account')).status).toBe(200);
  });

  it('does not log out on GET /logout', async () => {
    const op = await makeOperator(t, 'agent');
    const agent = t.http();
    await login(agent, op.email, op.password);
    expect((await agent.get('/logout')).status).toBe(404);
    expect((await agent.get('/account')).status).toBe(200);
  });

  it('refuses a session idle for more than 30 minutes', async () => {
    const op = await makeOperator(t, 'agent');
    const agent = t.http();
    await login(agent, op.email, op.password);
    expect((await agent.get('/account')).status).toBe(200);
    await t.dataSource.query(
      `UPDATE sessions SET expire = now() - interval '1 minute' WHERE sess -> 'operator' ->> 'id' = $1`,
      [op.id],
    );
    const res = await agent.get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount');
  });

  it('pushes the idle deadline on with every request (rolling session)', async () => {
    const op = await makeOperator(t, 'agent');
    const agent = t.http();
    await login(agent, op.email, op.password);
    await t.dataSource.query(
      `UPDATE sessions SET expire = now() + interval '1 minute' WHERE sess -> 'operator' ->> 'id' = $1`,
      [op.id],
    );
    expect((await agent.get('/account')).status).toBe(200);
    const [row] = await t.dataSource.query(
      `SELECT extract(epoch FROM expire - now()) AS left FROM sessions WHERE sess -> 'operator' ->> 'id' = $1`,
      [op.id],
    );
    expect(Number(row.left)).toBeGreaterThan(25 * 60);
  });

  it('writes the idle deadline at most once a minute, so it lags by under a minute and never runs long', async () => {
    const op = await makeOperator(t, 'agent');
    const agent = t.http();
    await login(agent, op.email, op.password);
    expect((await agent.get('/account')).status).toBe(200);
    const expireOf = async (): Promise<number> => {
      const [row] = await t.dataSource.query(
        `SELECT extract(epoch FROM expire)::float8 AS at FROM sessions WHERE sess -> 'operator' ->> 'id' = $1`,
        [op.id],
      );
      return Number(row.at);
    };
    const setLeft = (seconds: number) =>
      t.dataSource.query(
        `UPDATE sessions SET expire = now() + make_interval(secs => $2) WHERE sess -> 'operator' ->> 'id' = $1`,
        [op.id, seconds],
      );

    // written 30 s ago: the next request leaves the row alone
    await setLeft(30 * 60 - 30);
    const before = await expireOf();
    expect((await agent.get('/account')).status).toBe(200);
    expect(await expireOf()).toBe(before);

    // written 2 min ago: moved to a full 30 min again
    await setLeft(28 * 60);
    expect((await agent.get('/account')).status).toBe(200);
    const left = (await expireOf()) - Date.now() / 1000;
    expect(left).toBeGreaterThan(30 * 60 - 5);
    expect(left).toBeLessThanOrEqual(30 * 60 + 1);
  });

  it('refuses a session older than 12 hours even if it was active', async () => {
    const op = await makeOperator(t, 'agent');
    const agent = t.http();
    await login(agent, op.email, op.password);
    const thirteenHoursAgo = Date.now() - 13 * 60 * 60 * 1000;
    await t.dataSource.query(
      `UPDATE sessions SET sess = jsonb_set(sess::jsonb, '{loginAt}', to_jsonb($2::bigint))::json
       WHERE sess -> 'operator' ->> 'id' = $1`,
      [op.id, thirteenHoursAgo],
    );
    const res = await agent.get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount');
    // and it stays signed out: the old session is gone from the store
    expect((await agent.get('/account')).status).toBe(303);
  });

  it('sends a signed-in operator who opens /login on to /clients', async () => {
    const op = await makeOperator(t, 'agent');
    const agent = t.http();
    await login(agent, op.email, op.password);
    const res = await agent.get('/login');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/clients');
  });

  it('re-renders the login form with 422 when the e-mail is missing', async () => {
    const agent = t.http();
    const token = await csrfFor(agent, '/login');
    const res = await agent.post('/login').type('form').send({ _csrf: token, password: 'whatever-password' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Campo obrigatório.');
    expect(res.text).not.toContain('whatever-password');
  });
});

describe('login with COOKIE_SECURE=true (behind a TLS proxy)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The app sits behind a proxy that terminates TLS and says so in X-Forwarded-Proto.
    t = await startTestApp({ env: { COOKIE_SECURE: 'true', TRUST_PROXY: 'loopback' } });
    await makeOperator(t, 'admin');
  });
  afterAll(() => t.close());

  const https = (req: request.Test) => req.set('X-Forwarded-Proto', 'https');

  it('uses a __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/ session cookie without Domain', async () => {
    const op = await makeOperator(t, 'agent');
    const server = t.app.getHttpServer();
    const page = await https(request(server).get('/login'));
    const csrfCookie = setCookie(page, '__Host-clientela.csrf');
    expect(csrfCookie).toBeDefined();
    expect(csrfCookie!.split(';').map((a) => a.trim().toLowerCase())).toEqual(
      expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']),
    );
    // reading the login page stores no session, so it sets no session cookie either
    expect(setCookie(page, '__Host-clientela.sid')).toBeUndefined();
    expect(setCookie(page, 'clientela.sid')).toBeUndefined();

    const res = await https(request(server).post('/login'))
      .set('Cookie', cookiePair(csrfCookie!))
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: op.email, password: op.password });
    expect(res.status).toBe(303);
    const cookie = setCookie(res, '__Host-clientela.sid');
    expect(cookie).toBeDefined();
    const attrs = cookie!.split(';').map((a) => a.trim().toLowerCase());
    expect(attrs).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']));
    expect(attrs.some((a) => a.startsWith('domain='))).toBe(false);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it('never sends the session cookie over plain http', async () => {
    const page = await request(t.app.getHttpServer()).get('/login');
    expect(page.status).toBe(200);
    expect(setCookie(page, '__Host-clientela.sid')).toBeUndefined();
    expect(setCookie(page, 'clientela.sid')).toBeUndefined();
  });
});
