import request from 'supertest';
import { Operator } from '../../../src/auth/operator.entity';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { csrfFor, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

/** What an error page must never show: stack frames or raw error names. */
function expectNoInternals(html: string): void {
  expect(html).not.toMatch(/\bat .+\(.*:\d+:\d+\)/);
  expect(html).not.toMatch(/^\s+at /m);
  expect(html).not.toContain('Error:');
  expect(html).not.toMatch(/node_modules|\/src\/|\.ts:\d+/);
}

describe('security: CSRF, headers, access and error pages', () => {
  let t: TestApp;
  let admin: TestOperator;
  let adminAgent: Agent;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await makeOperator(t, 'admin', { name: 'Ana Admin' });
    adminAgent = t.http();
    expect((await login(adminAgent, admin.email, admin.password)).status).toBe(303);
  });
  afterAll(() => t.close());

  const operatorCount = () => t.dataSource.getRepository(Operator).count();
  const nameOf = async (id: string) =>
    (await t.dataSource.getRepository(Operator).findOneByOrFail({ id })).name;

  async function signedIn(role: 'admin' | 'manager' | 'agent'): Promise<{ op: TestOperator; agent: Agent }> {
    const op = await makeOperator(t, role);
    const agent = t.http();
    expect((await login(agent, op.email, op.password)).status).toBe(303);
    return { op, agent };
  }

  const newOperatorFields = (email: string) => ({
    name: 'Bruno Novo',
    email,
    role: 'agent',
    password: 'uma-senha-bem-longa',
    active: 'true',
  });

  describe('CSRF', () => {
    it('refuses a POST without a CSRF token with 403 and creates no operator', async () => {
      const before = await operatorCount();
      const res = await adminAgent
        .post('/settings/operators')
        .type('form')
        .send(newOperatorFields('sem-token@example.com'));
      expect(res.status).toBe(403);
      expect(res.text).toContain('O formulário expirou ou veio de outra origem.');
      expect(await operatorCount()).toBe(before);
    });

    it('refuses POST /account without a token and does not rename the operator', async () => {
      const { op, agent } = await signedIn('agent');
      const res = await agent.post('/account').type('form').send({ name: 'Nome Trocado', locale: 'pt-BR' });
      expect(res.status).toBe(403);
      expect(await nameOf(op.id)).toBe(op.name);
    });

    it('refuses a token issued to another session', async () => {
      const { op, agent } = await signedIn('agent');
      const foreignToken = await csrfFor(adminAgent, '/account');
      const res = await agent
        .post('/account')
        .type('form')
        .send({ _csrf: foreignToken, name: 'Nome Trocado', locale: 'pt-BR' });
      expect(res.status).toBe(403);
      expect(await nameOf(op.id)).toBe(op.name);
    });

    it('refuses a token and cookie copied from another session', async () => {
      const { op, agent } = await signedIn('agent');
      const page = await adminAgent.get('/account');
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
      // the victim's own session cookie, but the attacker's CSRF cookie and token
      const res = await agent
        .post('/account')
        .set('X-CSRF-Token', token)
        .type('form')
        .send({ name: 'Nome Trocado', locale: 'pt-BR' });
      expect(res.status).toBe(403);
      expect(await nameOf(op.id)).toBe(op.name);
    });

    it('refuses a cross-site request (Sec-Fetch-Site: cross-site) even with a valid token', async () => {
      const { op, agent } = await signedIn('agent');
      const token = await csrfFor(agent, '/account');
      const res = await agent
        .post('/account')
        .set('Sec-Fetch-Site', 'cross-site')
        .type('form')
        .send({ _csrf: token, name: 'Nome Trocado', locale: 'pt-BR' });
      expect(res.status).toBe(403);
      expect(await nameOf(op.id)).toBe(op.name);
    });

    it('accepts a same-origin browser request with a valid token', async () => {
      const { op, agent } = await signedIn('agent');
      const token = await csrfFor(agent, '/account');
      const res = await agent
        .post('/account')
        .set('Sec-Fetch-Site', 'same-origin')
        .type('form')
        .send({ _csrf: token, name: 'Nome Trocado', locale: 'pt-BR' });
      expect(res.status).toBe(303);
      expect(await nameOf(op.id)).toBe('Nome Trocado');
    });

    it('accepts the token in the X-CSRF-Token header instead of the field (htmx)', async () => {
      const { op, agent } = await signedIn('agent');
      const page = await agent.get('/account');
      const header = /hx-headers:inherited='\{"X-CSRF-Token":"([^"]+)"\}'/.exec(page.text);
      expect(header).not.toBeNull();
      const res = await agent
        .post('/account')
        .set('HX-Request', 'true')
        .set('X-CSRF-Token', header![1])
        .type('form')
        .send({ name: 'Via Htmx', locale: 'pt-BR' });
      expect(res.status).toBe(200);
      expect(res.headers['hx-redirect']).toBe('/account');
      expect(await nameOf(op.id)).toBe('Via Htmx');
    });

    it('answers an htmx request without a token with a 403 fragment for the flash area', async () => {
      const { agent } = await signedIn('agent');
      const res = await agent
        .post('/account')
        .set('HX-Request', 'true')
        .type('form')
        .send({ name: 'Via Htmx', locale: 'pt-BR' });
      expect(res.status).toBe(403);
      expect(res.headers['hx-retarget']).toBe('#flash');
      expect(res.text).not.toContain('<html');
      expect(res.text).toContain('role="alert"');
    });
  });

  describe('response headers', () => {
    const pages = ['/login', '/account', '/account/security', '/settings/operators', '/no-such-page'];

    it.each(pages)('sends a strict CSP and anti-framing headers on %s', async (path) => {
      const res = await adminAgent.get(path);
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toBeDefined();
      const directives = Object.fromEntries(
        csp.split(';').map((d) => {
          const [name, ...values] = d.trim().split(/\s+/);
          return [name, values.join(' ')];
        }),
      );
      expect(directives['default-src']).toBe("'self'");
      expect(directives['script-src']).toBe("'self'");
      expect(directives['frame-ancestors']).toBe("'none'");
      expect(directives['object-src']).toBe("'none'");
      expect(directives['base-uri']).toBe("'none'");
      expect(directives['form-action']).toBe("'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['referrer-policy']).toBeDefined();
    });

    it.each(['/account', '/account/security', '/settings/operators'])(
      'marks the authenticated page %s Cache-Control: no-store',
      async (path) => {
        const res = await adminAgent.get(path);
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe('no-store');
      },
    );

    it('sends the CSP on static assets too', async () => {
      const res = await request(t.app.getHttpServer()).get('/assets/css/app.css');
      expect(res.status).toBe(200);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    it('serves htmx and Pico from the app itself, never from a CDN', async () => {
      const page = await request(t.app.getHttpServer()).get('/login');
      expect(page.text).toContain('src="/vendor/htmx.min.js"');
      expect(page.text).not.toMatch(/src="https?:\/\//);
      expect(page.text).not.toMatch(/href="https?:\/\//);
      expect((await request(t.app.getHttpServer()).get('/vendor/htmx.min.js')).status).toBe(200);
      expect((await request(t.app.getHttpServer()).get('/vendor/pico.min.css')).status).toBe(200);
    });

    it('has no inline script or inline event handler in the pages', async () => {
      for (const path of ['/account', '/settings/operators', '/settings/operators/new']) {
        const html = (await adminAgent.get(path)).text;
        expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
        expect(html).not.toMatch(/\son[a-z]+=/i);
        expect(html).not.toMatch(/\shx-on/);
      }
    });
  });

  describe('mass assignment (unknown form fields)', () => {
    it('refuses `role` on POST /account with 400 and changes nothing', async () => {
      const { op, agent } = await signedIn('agent');
      const token = await csrfFor(agent, '/account');
      const res = await agent
        .post('/account')
        .type('form')
        .send({ _csrf: token, name: 'Nome Trocado', locale: 'pt-BR', role: 'admin' });
      expect(res.status).toBe(400);
      expect(res.text).toContain('role');
      expectNoInternals(res.text);
      const row = await t.dataSource.getRepository(Operator).findOneByOrFail({ id: op.id });
      expect(row).toMatchObject({ role: 'agent', name: op.name });
    });

    it.each([
      ['id', '00000000-0000-4000-8000-000000000000'],
      ['isAdmin', 'true'],
      ['passwordHash', 'x'],
      ['locale', 'en'],
    ])(
      'refuses the unknown field `%s` on POST /settings/operators with 400 and creates nothing',
      async (field, value) => {
        const before = await operatorCount();
        const token = await csrfFor(adminAgent, '/settings/operators/new');
        const res = await adminAgent
          .post('/settings/operators')
          .type('form')
          .send({
            _csrf: token,
            ...newOperatorFields(`extra-${field.toLowerCase()}@example.com`),
            [field]: value,
          });
        expect(res.status).toBe(400);
        expect(await operatorCount()).toBe(before);
      },
    );

    it('ignores a `__proto__` field instead of polluting anything', async () => {
      const { op, agent } = await signedIn('agent');
      const token = await csrfFor(agent, '/account');
      const res = await agent
        .post('/account')
        .set('Content-Type', 'application/json')
        .send(`{"_csrf":"${token}","name":"Nome Json","locale":"pt-BR","__proto__":{"role":"admin"}}`);
      expect(res.status).toBe(303);
      expect(({} as Record<string, unknown>).role).toBeUndefined();
      const row = await t.dataSource.getRepository(Operator).findOneByOrFail({ id: op.id });
      expect(row).toMatchObject({ role: 'agent', name: 'Nome Json' });
    });

    it('answers a JSON body with a nested object for a field with 422, not a 500', async () => {
      const { op, agent } = await signedIn('agent');
      const token = await csrfFor(agent, '/account');
      const res = await agent
        .post('/account')
        .set('Content-Type', 'application/json')
        .send({ _csrf: token, name: { constructor: 'x' }, locale: 'pt-BR' });
      expect(res.status).toBe(422);
      expect(res.text).toContain('Campo obrigatório.');
      expect((await t.dataSource.getRepository(Operator).findOneByOrFail({ id: op.id })).name).toBe(op.name);
    });
  });

  describe('access control', () => {
    it.each([
      '/clients',
      '/clients?status=all',
      '/settings/operators',
      '/settings/operators/new',
      '/account',
      '/account/security',
    ])('sends an anonymous GET %s to /login?next=… with 303', async (path) => {
      const res = await request(t.app.getHttpServer()).get(path);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    });

    it('keeps the query string in next', async () => {
      const res = await request(t.app.getHttpServer()).get('/settings/operators?x=1');
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent('/settings/operators?x=1')}`);
    });

    it('sends an anonymous POST to /login without next, and changes nothing', async () => {
      const agent = t.http();
      const token = await csrfFor(agent, '/login');
      const before = await operatorCount();
      const res = await agent
        .post('/settings/operators')
        .type('form')
        .send({ _csrf: token, ...newOperatorFields('anon@example.com') });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
      expect(await operatorCount()).toBe(before);
    });

    it('answers an anonymous htmx request with HX-Redirect: /login', async () => {
      const res = await request(t.app.getHttpServer()).get('/settings/operators').set('HX-Request', 'true');
      expect(res.status).toBe(401);
      expect(res.headers['hx-redirect']).toBe('/login');
    });

    it.each(['agent', 'manager'] as const)(
      'shows a %s a friendly 403 page on /settings/operators, without internals',
      async (role) => {
        const { agent } = await signedIn(role);
        const res = await agent.get('/settings/operators');
        expect(res.status).toBe(403);
        expect(res.text).toContain('Você não tem permissão para isso.');
        expectNoInternals(res.text);
      },
    );

    it('refuses an agent creating an operator with 403 and creates nothing', async () => {
      const { agent } = await signedIn('agent');
      const token = await csrfFor(agent, '/account');
      const before = await operatorCount();
      const res = await agent
        .post('/settings/operators')
        .type('form')
        .send({ _csrf: token, ...newOperatorFields('pelo-agente@example.com'), role: 'admin' });
      expect(res.status).toBe(403);
      expect(await operatorCount()).toBe(before);
    });
  });

  describe('error pages', () => {
    it('answers a body over 256 kB with a 413 page, not a 500', async () => {
      const { agent } = await signedIn('agent');
      const token = await csrfFor(agent, '/account');
      const res = await agent
        .post('/account')
        .type('form')
        .send({ _csrf: token, name: 'x'.repeat(300 * 1024), locale: 'pt-BR' });
      expect(res.status).toBe(413);
      expect(res.text).toContain('O conteúdo enviado é grande demais.');
      expectNoInternals(res.text);
    });

    it('answers a malformed JSON body with 400, not a 500', async () => {
      const { agent } = await signedIn('agent');
      const token = await csrfFor(agent, '/account');
      const res = await agent
        .post('/account')
        .set('X-CSRF-Token', token)
        .set('Content-Type', 'application/json')
        .send('{"name": ');
      expect(res.status).toBe(400);
      expectNoInternals(res.text);
    });

    it.each(['xyz', '1', "1' OR '1'='1", '00000000-0000-0000-0000-00000000000g'])(
      'answers /settings/operators/%s/edit with 404 (malformed id)',
      async (id) => {
        const res = await adminAgent.get(`/settings/operators/${encodeURIComponent(id)}/edit`);
        expect(res.status).toBe(404);
        expect(res.text).toContain('Página não encontrada.');
        expectNoInternals(res.text);
      },
    );

    it('answers an unknown operator id with 404', async () => {
      const res = await adminAgent.get('/settings/operators/6f1c1f5e-2c2b-4f55-9c55-5a1f3f0b9d11/edit');
      expect(res.status).toBe(404);
    });

    it('shows a signed-in operator the navigation on a 404 page', async () => {
      const res = await adminAgent.get('/no-such-page');
      expect(res.status).toBe(404);
      expect(res.text).toContain('Página não encontrada.');
      expect(res.text).toContain('Ana Admin');
      expect(res.text).toContain('action="/logout"');
      expectNoInternals(res.text);
    });

    it('shows the 404 page in the operator’s language', async () => {
      const op = await makeOperator(t, 'agent');
      await t.dataSource.getRepository(Operator).update(op.id, { locale: 'en' });
      const agent = t.http();
      await login(agent, op.email, op.password); // the session takes the locale at login
      const res = await agent.get('/no-such-page');
      expect(res.status).toBe(404);
      expect(res.text).toContain('Page not found.');
      expect(res.text).toContain('<html lang="en"');
    });

    it('shows a friendly 500 page without internals when the database fails a query', async () => {
      await t.dataSource.query(`ALTER TABLE operators RENAME TO operators_away`);
      try {
        const res = await adminAgent.get('/settings/operators');
        expect(res.status).toBe(500);
        expect(res.text).toContain('Ocorreu um erro inesperado.');
        expectNoInternals(res.text);
        expect(res.text).not.toContain('operators_away');
        expect(res.text).not.toContain('relation');
      } finally {
        await t.dataSource.query(`ALTER TABLE operators_away RENAME TO operators`);
      }
    });
  });

  describe('health', () => {
    it.each([
      ['/healthz', { status: 'ok' }],
      ['/readyz', { status: 'ok', database: 'up' }],
    ])('answers %s with 200 JSON without a session', async (path, body) => {
      const res = await request(t.app.getHttpServer()).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body).toEqual(body);
      expect(res.headers['set-cookie']).toBeUndefined();
    });
  });
});
