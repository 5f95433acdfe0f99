import request from 'supertest';
import { Client } from '../../../src/clients/client.entity';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { cookiePair, csrfFrom, login, setCookie } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

/** Rounds per race: each is a real race on PostgreSQL, and not every round interleaves the same way. */
const ROUNDS = 5;
/** Requests that write the session, in flight while the session is being ended. */
const IN_FLIGHT = 6;

/**
 * An operator's browser, as an attacker who copied its cookies holds it: the session and CSRF cookies
 * and the page's token, usable from anywhere.
 */
interface Stolen {
  cookie: string;
  token: string;
}

/*
 * Ending a session must end it for certain. A session is loaded with its operator's row in one query and
 * refused once the operator is inactive or their session generation moved on (deactivation, role and
 * password changes); a save never re-inserts a row a logout or an admin deleted; role, status, name and
 * language are read from the database on every request. The attacks below run requests that write the
 * session (POST /account: a flash each) in parallel with the change that ends it, many times, and then
 * replay the copied cookie.
 */
describe('sessions that end for certain', () => {
  let t: TestApp;
  let admin: TestOperator;
  let adminAgent: Agent;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await makeOperator(t, 'admin', { name: 'Ana Admin' });
    adminAgent = t.http();
    expect((await login(adminAgent, admin.email, admin.password)).status).toBe(303);
    adminToken = csrfFrom((await adminAgent.get('/account')).text);
  });
  afterAll(() => t.close());

  const server = () => t.app.getHttpServer();
  const sessionsOf = async (id: string) =>
    (await t.dataSource.query(`SELECT 1 FROM sessions WHERE sess -> 'operator' ->> 'id' = $1`, [id])).length;

  /** Signs `op` in and returns the agent and a copy of its cookies and token. */
  async function signIn(op: TestOperator): Promise<{ agent: Agent; stolen: Stolen }> {
    const agent = t.http();
    const signedIn = await login(agent, op.email, op.password);
    expect(signedIn.status).toBe(303);
    const page = await agent.get('/account');
    const cookie = [setCookie(signedIn, 'clientela.sid'), setCookie(page, 'clientela.csrf')]
      .map((line) => cookiePair(line!))
      .join('; ');
    return { agent, stolen: { cookie, token: csrfFrom(page.text) } };
  }

  /** POST /account with the copied cookies: writes the session (a flash), as a browser tab would. */
  const saveAccount = (stolen: Stolen, op: TestOperator) =>
    request(server())
      .post('/account')
      .set('Cookie', stolen.cookie)
      .type('form')
      .send({ _csrf: stolen.token, name: op.name, locale: 'pt-BR' });

  /**
   * Runs `change` while IN_FLIGHT lanes keep sending `write` back to back until it has answered, so that
   * session saves are in flight before, during and just after the moment the session ends.
   */
  async function whileWriting<T>(change: PromiseLike<T>, write: () => PromiseLike<unknown>): Promise<T> {
    let done = false;
    const finished = Promise.resolve(change).finally(() => {
      done = true;
    });
    const lane = async () => {
      do await write();
      while (!done);
    };
    const [result] = await Promise.all([finished, ...Array.from({ length: IN_FLIGHT }, lane)]);
    return result;
  }

  /** What the copied cookie gets afterwards: it must be a signed-out visitor for every route. */
  async function expectSignedOut(stolen: Stolen, op: TestOperator): Promise<void> {
    const page = await request(server()).get('/account').set('Cookie', stolen.cookie);
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Faccount');
    const clientsBefore = await t.dataSource.getRepository(Client).count();
    const create = await request(server())
      .post('/clients')
      .set('Cookie', stolen.cookie)
      .type('form')
      .send({ _csrf: stolen.token, tradeName: 'Cliente Do Invasor' });
    expect(create.status).toBeGreaterThanOrEqual(300);
    expect(create.status).toBeLessThan(500);
    expect(create.headers.location ?? '').not.toMatch(/^\/clients\//);
    expect(await t.dataSource.getRepository(Client).count()).toBe(clientsBefore);
    expect(await sessionsOf(op.id)).toBe(0);
  }

  it('refuses a copied cookie after the operator is deactivated while their requests were in flight', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const op = await makeOperator(t, 'manager');
      const { stolen } = await signIn(op);
      const deactivate = adminAgent
        .post(`/settings/operators/${op.id}/edit`)
        .type('form')
        .send({ _csrf: adminToken, name: op.name, email: op.email, role: op.role }); // "active" unticked
      const ended = await whileWriting(deactivate, () => saveAccount(stolen, op));
      expect(ended.status).toBe(303);
      await expectSignedOut(stolen, op);
    }
  });

  it('refuses a copied cookie after a demotion made while its requests were in flight', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const op = await makeOperator(t, 'admin');
      const { stolen } = await signIn(op);
      const demote = adminAgent
        .post(`/settings/operators/${op.id}/edit`)
        .type('form')
        .send({ _csrf: adminToken, name: op.name, email: op.email, role: 'agent', active: 'true' });
      const ended = await whileWriting(demote, () => saveAccount(stolen, op));
      expect(ended.status).toBe(303);
      await expectSignedOut(stolen, op);
      // Signing in again gives the new role only.
      const again = t.http();
      await login(again, op.email, op.password);
      expect((await again.get('/settings/operators')).status).toBe(403);
    }
  });

  it('refuses a copied cookie after the operator logs out while other tabs were saving', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const op = await makeOperator(t, 'manager');
      const { stolen } = await signIn(op);
      const logout = request(server())
        .post('/logout')
        .set('Cookie', stolen.cookie)
        .type('form')
        .send({ _csrf: stolen.token });
      const out = await whileWriting(logout, () => saveAccount(stolen, op));
      expect(out.status).toBe(303);
      await expectSignedOut(stolen, op);
    }
  });

  it('refuses a copied cookie after a password change elsewhere; the session that changed it stays', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const op = await makeOperator(t, 'manager');
      const { agent: own } = await signIn(op);
      const { stolen } = await signIn(op); // the copied one: another session of the same operator
      const ownToken = csrfFrom((await own.get('/account/security')).text);
      const newPassword = `senha-nova-da-rodada-${round}`;
      const change = own
        .post('/account/security/password')
        .type('form')
        .send({ _csrf: ownToken, currentPassword: op.password, newPassword });
      const changed = await whileWriting(change, () => saveAccount(stolen, op));
      expect(changed.status).toBe(303);
      const page = await request(server()).get('/account').set('Cookie', stolen.cookie);
      expect(page.status).toBe(303);
      expect((await own.get('/account')).status).toBe(200);
      expect(await sessionsOf(op.id)).toBe(1); // only the one that changed it
    }
  });

  it('applies a role or status changed in the database at the next request, without a new sign-in', async () => {
    const op = await makeOperator(t, 'admin');
    const { agent } = await signIn(op);
    expect((await agent.get('/settings/operators')).status).toBe(200);
    await t.dataSource.query(`UPDATE operators SET role = 'agent' WHERE id = $1`, [op.id]);
    expect((await agent.get('/settings/operators')).status).toBe(403);
    await t.dataSource.query(`UPDATE operators SET active = false WHERE id = $1`, [op.id]);
    const page = await agent.get('/account');
    expect(page.status).toBe(303);
    expect(await sessionsOf(op.id)).toBe(0);
  });

  it('shows a renamed operator’s new name and language in every open session', async () => {
    const op = await makeOperator(t, 'agent', { name: 'Nome Antigo' });
    const { agent: first } = await signIn(op);
    const { agent: second } = await signIn(op);
    // renamed by an admin (name only: the sessions go on)
    const renamed = await adminAgent.post(`/settings/operators/${op.id}/edit`).type('form').send({
      _csrf: adminToken,
      name: 'Nome Dado Pelo Admin',
      email: op.email,
      role: 'agent',
      active: 'true',
    });
    expect(renamed.status).toBe(303);
    for (const agent of [first, second])
      expect((await agent.get('/account')).text).toContain('<summary>Nome Dado Pelo Admin</summary>');
    // renamed by themself in one tab, with another language
    const token = csrfFrom((await first.get('/account')).text);
    await first.post('/account').type('form').send({ _csrf: token, name: 'Nome Novo', locale: 'en' });
    const other = await second.get('/account');
    expect(other.text).toContain('<summary>Nome Novo</summary>');
    expect(other.text).toContain('<html lang="en"');
  });
});

describe('anonymous visitors and the origin of state changes', () => {
  let t: TestApp;
  let op: TestOperator;

  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_URL: 'https://clientela.example.com.br' } });
    op = await makeOperator(t, 'manager');
  });
  afterAll(() => t.close());

  const sessionRows = async () =>
    Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM sessions`))[0].n);

  it('stores no session for 200 anonymous views of the login page, and the form still signs in', async () => {
    const before = await sessionRows();
    const agents = Array.from({ length: 200 }, () => t.http());
    const pages = [];
    for (const agent of agents) {
      const page = await agent.get('/login');
      expect(page.status).toBe(200);
      expect(setCookie(page, 'clientela.sid')).toBeUndefined();
      pages.push(page);
    }
    expect(await sessionRows()).toBe(before);
    // CSRF for the login form works without a stored session: the last visitor signs in with its token…
    const res = await agents[199]
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(pages[199].text), email: op.email, password: op.password });
    expect(res.status).toBe(303);
    expect(await sessionRows()).toBe(before + 1);
    // …while another visitor's token does not go with this visitor's cookie
    const foreign = await agents[0]
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(pages[1].text), email: op.email, password: op.password });
    expect(foreign.status).toBe(403);
  });

  it('refuses a state change from another origin with 403, even with a valid token', async () => {
    const agent = t.http();
    await login(agent, op.email, op.password);
    const token = csrfFrom((await agent.get('/account')).text);
    const post = (origin?: string, host?: string) => {
      const req = agent.post('/account').type('form');
      if (origin) req.set('Origin', origin);
      if (host) req.set('Host', host);
      return req.send({ _csrf: token, name: 'Nome Pela Origem', locale: 'pt-BR' });
    };
    for (const origin of ['https://evil.example', 'null', 'https://clientela.example.com.br.evil.example']) {
      const refused = await post(origin);
      expect([origin, refused.status]).toEqual([origin, 403]);
    }
    const [{ name }] = await t.dataSource.query(`SELECT name FROM operators WHERE id = $1`, [op.id]);
    expect(name).toBe(op.name);
    // PUBLIC_URL's origin, the origin the request reached, and no Origin at all (scripts) are accepted
    expect((await post('https://clientela.example.com.br')).status).toBe(303);
    expect((await post('http://intranet.example:8080', 'intranet.example:8080')).status).toBe(303);
    expect((await post('http://intranet.example:8080', 'other.example:8080')).status).toBe(403);
    expect((await post()).status).toBe(303);
  });
});

describe('the origin behind a TLS proxy (TRUST_PROXY)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => t.close());

  it('takes the scheme and host the proxy reports as this site’s origin', async () => {
    const op = await makeOperator(t, 'manager');
    const agent = t.http();
    await login(agent, op.email, op.password);
    const token = csrfFrom((await agent.get('/account')).text);
    const post = (origin: string) =>
      agent
        .post('/account')
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-Host', 'crm.example.org')
        .set('Origin', origin)
        .type('form')
        .send({ _csrf: token, name: op.name, locale: 'pt-BR' });
    expect((await post('https://crm.example.org')).status).toBe(303);
    expect((await post('http://crm.example.org')).status).toBe(403);
    expect((await post('https://other.example.org')).status).toBe(403);
  });
});
