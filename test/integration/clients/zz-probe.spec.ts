import { makeOperator } from '../../factories/operator.factory';
import { makeClient } from '../../factories/client.factory';
import { login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('probe', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp(); });
  afterAll(() => t.close());
  it('probes', async () => {
    const m = await makeOperator(t, 'manager');
    const a = t.http();
    await login(a, m.email, m.password);
    const c = await makeClient(t, { tradeName: 'Alfa', city: 'São Paulo', state: 'SP' });
    for (const u of ['/clients?sort=bogus', '/clients?dir=up', '/clients?status=x', '/clients?page=201', '/clients?page=2', '/clients?foo=1', '/clients/new', `/clients/${c.id}`]) {
      const r = await a.get(u);
      console.log(u, r.status, r.text.slice(0, 200).replace(/\s+/g, ' '));
    }
    const r = await postForm(a, '/clients', { tradeName: 'Beta', billingClientId: c.id, postalCode: '123' }, '/clients/new');
    console.log(r.status, /<select id="billingClientId"[\s\S]*?<\/select>/.exec(r.text)?.[0]);
  });
});
