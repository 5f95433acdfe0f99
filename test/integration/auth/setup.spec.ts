import { Operator } from '../../../src/auth/operator.entity';
import { csrfFrom } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('first-run setup', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('sends a visitor of an empty install from / to /setup, and /login to /setup too', async () => {
    const agent = t.http();
    expect((await agent.get('/')).headers.location).toBe('/setup');
    expect((await agent.get('/login')).headers.location).toBe('/setup');
  });

  it('re-renders the form with 422 and the typed values when the input is invalid', async () => {
    const agent = t.http();
    const token = csrfFrom((await agent.get('/setup')).text);
    const res = await agent
      .post('/setup')
      .type('form')
      .send({ _csrf: token, name: 'Ana', email: 'not-an-email', password: 'short' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="Ana"');
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain('Informe um e-mail válido.');
    expect(res.text).not.toContain('value="short"');
    expect(await t.dataSource.getRepository(Operator).count()).toBe(0);
  });

  it('creates the first admin once, then answers 404 on /setup', async () => {
    const agent = t.http();
    const token = csrfFrom((await agent.get('/setup')).text);
    const res = await agent
      .post('/setup')
      .type('form')
      .send({ _csrf: token, name: 'Ana Admin', email: 'Ana@Example.com', password: 'uma-senha-bem-longa' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    const operators = await t.dataSource.getRepository(Operator).find();
    expect(operators).toHaveLength(1);
    expect(operators[0]).toMatchObject({ email: 'ana@example.com', role: 'admin', active: true });
    const loginPage = await agent.get('/login');
    expect(loginPage.status).toBe(200);
    expect(loginPage.text).toContain('Administrador criado.');

    expect((await agent.get('/setup')).status).toBe(404);
    const again = await agent
      .post('/setup')
      .type('form')
      .send({ _csrf: token, name: 'Eve', email: 'eve@example.com', password: 'outra-senha-longa' });
    expect(again.status).toBe(404);
    expect(await t.dataSource.getRepository(Operator).count()).toBe(1);
  });

  it('stores the password as an argon2id hash', async () => {
    const [row] = await t.dataSource.query(`SELECT password_hash FROM operators`);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });
});
