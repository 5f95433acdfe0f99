import { makeClient, makeContact } from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { csrfFor, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

/*
 * Every destination a request can choose (`next` at login, `returnTo` of the status toggle and of a call)
 * goes through one helper before it reaches `Location` or `HX-Redirect`: a header split (CR/LF), a tab
 * the browser drops (`/\t/evil.com` is `//evil.com`), a protocol-relative or absolute URL all end at the
 * default destination, never at a 500 or another site.
 */
const HOSTILE: Array<[string, string]> = [
  ['CRLF', '/clients\r\nSet-Cookie: pwned=1'],
  ['a tab that browsers drop', '/\t/evil.com'],
  ['a protocol-relative URL', '//evil.com'],
  ['a backslash host', '/\\evil.com'],
  ['an encoded CRLF', '/clients%0d%0aSet-Cookie:%20pwned=1'],
  ['an absolute URL', 'https://evil.com/'],
  ['dot segments that end as //', '/.//evil.com'],
];

describe('redirect destinations chosen by the request', () => {
  let t: TestApp;
  let manager: TestOperator;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager');
  });
  afterAll(() => t.close());

  const expectOnlyTheDefault = (
    res: { status: number; headers: Record<string, string> },
    header: string,
    fallback: string,
  ) => {
    expect(res.status).toBeLessThan(500);
    expect(res.headers[header]).toBe(fallback);
    expect(res.headers['set-cookie'] ?? []).not.toContainEqual(expect.stringContaining('pwned'));
  };

  describe.each([
    ['a plain form (303 Location)', false, 'location'],
    ['htmx (HX-Redirect)', true, 'hx-redirect'],
  ])('after signing in, with %s', (_how, htmx, header) => {
    it.each(HOSTILE)('sends `next` with %s to /clients', async (_what, next) => {
      const agent = t.http();
      const token = await csrfFor(agent, '/login');
      const req = agent.post('/login').type('form');
      if (htmx) req.set('HX-Request', 'true');
      const res = await req.send({ _csrf: token, email: manager.email, password: manager.password, next });
      expectOnlyTheDefault(res, header, '/clients');
      expect((await agent.get('/account')).status).toBe(200); // and the login itself went through
    });

    it('keeps a same-site `next`, encoded', async () => {
      const agent = t.http();
      const token = await csrfFor(agent, '/login');
      const req = agent.post('/login').type('form');
      if (htmx) req.set('HX-Request', 'true');
      const res = await req.send({
        _csrf: token,
        email: manager.email,
        password: manager.password,
        next: '/clients?q=São Paulo',
      });
      expect(res.headers[header]).toBe('/clients?q=S%C3%A3o%20Paulo');
    });
  });

  it.each(HOSTILE)('drops a `next` with %s from the login form', async (_what, next) => {
    const res = await t.http().get(`/login?next=${encodeURIComponent(next)}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('name="next"');
  });

  it.each(HOSTILE)(
    'sends the status toggle’s `returnTo` with %s back to the client page',
    async (_what, returnTo) => {
      const client = await makeClient(t);
      const agent = t.http();
      await login(agent, manager.email, manager.password);
      const token = await csrfFor(agent, '/clients');
      const res = await agent
        .post(`/clients/${client.id}/status`)
        .type('form')
        .send({ _csrf: token, status: 'inactive', returnTo });
      expectOnlyTheDefault(res, 'location', `/clients/${client.id}`);
    },
  );

  it.each(HOSTILE)('links a call’s `returnTo` with %s back to the client page', async (_what, returnTo) => {
    const client = await makeClient(t);
    const contact = await makeContact(t, client, { name: 'Contato Ligação', phone: '(41) 3333-4444' });
    const agent = t.http();
    await login(agent, manager.email, manager.password);
    const token = await csrfFor(agent, '/clients');
    const res = await agent
      .post(`/clients/${client.id}/contacts/${contact.id}/call`)
      .type('form')
      .send({ _csrf: token, number: 'phone', returnTo });
    expect(res.status).toBe(200); // no provider: the page with the tel: link and a way back
    expect(res.text).toContain(`href="/clients/${client.id}"`);
    expect(res.text).not.toContain('evil.com');
    expect(res.text).not.toContain('pwned');
  });
});
