import { Operator } from '../../../src/auth/operator.entity';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { csrfFor, login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

const NEW_PASSWORD = 'senha-nova-bem-longa';

describe('operators (admin settings)', () => {
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

  const repo = () => t.dataSource.getRepository(Operator);
  const sessionsOf = async (id: string) =>
    (await t.dataSource.query(`SELECT 1 FROM sessions WHERE sess -> 'operator' ->> 'id' = $1`, [id])).length;

  async function signedIn(op: TestOperator): Promise<Agent> {
    const agent = t.http();
    expect((await login(agent, op.email, op.password)).status).toBe(303);
    return agent;
  }

  const edit = (op: { id: string }, fields: Record<string, string>, agent = adminAgent) =>
    postForm(agent, `/settings/operators/${op.id}/edit`, fields);

  it('lists every operator with name, e-mail, role and status', async () => {
    const agent = await makeOperator(t, 'agent', { name: 'Carla Agente' });
    const res = await adminAgent.get('/settings/operators');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Ana Admin');
    expect(res.text).toContain('Carla Agente');
    expect(res.text).toContain(agent.email);
    expect(res.text).toContain('Agente');
    expect(res.text).toContain('Administrador');
    expect(res.text).toContain(`href="/settings/operators/${agent.id}/edit"`);
  });

  it('escapes operator names in the list', async () => {
    await makeOperator(t, 'agent', { name: '<script>alert(1)</script>' });
    const res = await adminAgent.get('/settings/operators');
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('creates an operator who can then sign in with the password given', async () => {
    const res = await postForm(
      adminAgent,
      '/settings/operators',
      {
        name: 'Bruno Gestor',
        email: 'Bruno@Example.com',
        role: 'manager',
        password: NEW_PASSWORD,
        active: 'true',
      },
      '/settings/operators/new',
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/settings/operators');
    const created = await repo().findOneByOrFail({ email: 'bruno@example.com' });
    expect(created).toMatchObject({ name: 'Bruno Gestor', role: 'manager', active: true, locale: 'pt-BR' });
    expect((await adminAgent.get('/settings/operators')).text).toContain('Operador criado.');

    const signIn = await login(t.http(), 'bruno@example.com', NEW_PASSWORD);
    expect(signIn.status).toBe(303);
    expect(signIn.headers.location).toBe('/clients');
  });

  it('re-renders the form with 422 and the typed values (never the password) on invalid input', async () => {
    const before = await repo().count();
    const res = await postForm(
      adminAgent,
      '/settings/operators',
      { name: 'Dora', email: 'nao-e-email', role: 'manager', password: 'curta' },
      '/settings/operators/new',
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="Dora"');
    expect(res.text).toContain('value="nao-e-email"');
    expect(res.text).toMatch(/<option value="manager"\s+selected>/);
    expect(res.text).toContain('Informe um e-mail válido.');
    expect(res.text).toContain('Deve ter entre 12 e 128 caracteres.');
    expect(res.text).not.toContain('curta');
    expect(res.text).toContain('aria-invalid="true"');
    expect(await repo().count()).toBe(before);
  });

  it('refuses an unknown role with 422', async () => {
    const before = await repo().count();
    const res = await postForm(
      adminAgent,
      '/settings/operators',
      { name: 'Eva', email: 'eva@example.com', role: 'root', password: NEW_PASSWORD },
      '/settings/operators/new',
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Escolha uma opção válida.');
    expect(await repo().count()).toBe(before);
  });

  it('refuses a duplicate e-mail whatever its letter case with 422 and a message', async () => {
    const existing = await makeOperator(t, 'agent');
    const before = await repo().count();
    const res = await postForm(
      adminAgent,
      '/settings/operators',
      { name: 'Duplicado', email: existing.email.toUpperCase(), role: 'agent', password: NEW_PASSWORD },
      '/settings/operators/new',
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Já existe um operador com este e-mail.');
    expect(res.text).toContain('value="Duplicado"');
    expect(res.text).not.toContain(NEW_PASSWORD);
    expect(await repo().count()).toBe(before);
  });

  it('shows the edit form with the current values and no password', async () => {
    const op = await makeOperator(t, 'manager', { name: 'Fábio Gestor' });
    const res = await adminAgent.get(`/settings/operators/${op.id}/edit`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('value="Fábio Gestor"');
    expect(res.text).toContain(`value="${op.email}"`);
    expect(res.text).toMatch(/<option value="manager"\s+selected>/);
    expect(res.text).toMatch(/name="active" value="true"[^>]*checked/);
    expect(res.text).not.toMatch(/name="password"[^>]*value=/);
  });

  it('edits name, e-mail and role, keeping the password when the field is blank', async () => {
    const op = await makeOperator(t, 'agent');
    const res = await edit(op, {
      name: 'Gabi Renomeada',
      email: 'Gabi@Example.com',
      role: 'manager',
      active: 'true',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/settings/operators');
    expect(await repo().findOneByOrFail({ id: op.id })).toMatchObject({
      name: 'Gabi Renomeada',
      email: 'gabi@example.com',
      role: 'manager',
      active: true,
    });
    expect((await login(t.http(), 'gabi@example.com', op.password)).status).toBe(303);
  });

  it('refuses to give an operator the e-mail of another (422)', async () => {
    const a = await makeOperator(t, 'agent');
    const b = await makeOperator(t, 'agent');
    const res = await edit(a, {
      name: 'Ana Outra',
      email: b.email.toUpperCase(),
      role: 'agent',
      active: 'true',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Já existe um operador com este e-mail.');
    expect((await repo().findOneByOrFail({ id: a.id })).email).toBe(a.email);
  });

  it('sets a new password: it works at the next login, the old one no longer does, and sessions end', async () => {
    const op = await makeOperator(t, 'agent');
    const theirAgent = await signedIn(op);
    const res = await edit(op, {
      name: op.name,
      email: op.email,
      role: 'agent',
      password: NEW_PASSWORD,
      active: 'true',
    });
    expect(res.status).toBe(303);
    expect((await theirAgent.get('/account')).status).toBe(303);
    expect((await login(t.http(), op.email, op.password)).status).toBe(422);
    expect((await login(t.http(), op.email, NEW_PASSWORD)).status).toBe(303);
  });

  it('deactivating an operator ends their sessions: their next request goes to /login', async () => {
    const op = await makeOperator(t, 'agent');
    const theirAgent = await signedIn(op);
    expect((await theirAgent.get('/account')).status).toBe(200);
    expect(await sessionsOf(op.id)).toBe(1);

    const res = await edit(op, { name: op.name, email: op.email, role: 'agent' }); // checkbox unticked
    expect(res.status).toBe(303);
    expect((await repo().findOneByOrFail({ id: op.id })).active).toBe(false);
    expect(await sessionsOf(op.id)).toBe(0);
    expect((await adminAgent.get('/settings/operators')).text).toContain('Operador desativado');

    const next = await theirAgent.get('/account');
    expect(next.status).toBe(303);
    expect(next.headers.location).toBe('/login?next=%2Faccount');
    expect((await login(t.http(), op.email, op.password)).status).toBe(422);
  });

  it('changing a role ends the operator’s sessions, so the new role applies at once', async () => {
    const op = await makeOperator(t, 'admin');
    const theirAgent = await signedIn(op);
    expect((await theirAgent.get('/settings/operators')).status).toBe(200);
    expect((await edit(op, { name: op.name, email: op.email, role: 'agent', active: 'true' })).status).toBe(
      303,
    );
    expect((await theirAgent.get('/settings/operators')).status).toBe(303);
    const again = await signedIn(op);
    expect((await again.get('/settings/operators')).status).toBe(403);
  });

  it('reactivates an operator', async () => {
    const op = await makeOperator(t, 'agent');
    await repo().update(op.id, { active: false });
    expect((await edit(op, { name: op.name, email: op.email, role: 'agent', active: 'true' })).status).toBe(
      303,
    );
    expect((await login(t.http(), op.email, op.password)).status).toBe(303);
  });

  it('refuses to let an admin deactivate themself (422, still active)', async () => {
    const res = await edit(admin, { name: admin.name, email: admin.email, role: 'admin' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Você não pode desativar a sua própria conta.');
    expect((await repo().findOneByOrFail({ id: admin.id })).active).toBe(true);
    expect((await adminAgent.get('/settings/operators')).status).toBe(200);
  });

  it('answers 404 for an operator that does not exist', async () => {
    const res = await edit(
      { id: '6f1c1f5e-2c2b-4f55-9c55-5a1f3f0b9d11' },
      { name: 'X', email: 'x@example.com', role: 'agent' },
    );
    expect(res.status).toBe(404);
  });

  it('re-renders the edit form with 422 on invalid input, changing nothing', async () => {
    const op = await makeOperator(t, 'agent', { name: 'Hugo' });
    const res = await edit(op, { name: 'H', email: op.email, role: 'agent', active: 'true' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="H"');
    expect(res.text).toContain('Deve ter entre 2 e 120 caracteres.');
    expect((await repo().findOneByOrFail({ id: op.id })).name).toBe('Hugo');
  });
});

describe('operators: the last active admin', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('cannot be demoted (422, still admin)', async () => {
    const admin = await makeOperator(t, 'admin');
    const agent = t.http();
    await login(agent, admin.email, admin.password);
    const res = await postForm(agent, `/settings/operators/${admin.id}/edit`, {
      name: admin.name,
      email: admin.email,
      role: 'manager',
      active: 'true',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('É preciso manter ao menos um administrador ativo.');
    expect((await t.dataSource.getRepository(Operator).findOneByOrFail({ id: admin.id })).role).toBe('admin');
    expect((await agent.get('/settings/operators')).status).toBe(200);
  });

  it('can be demoted by themself once another admin exists, and loses admin rights at once', async () => {
    await makeOperator(t, 'admin'); // a second admin
    const self = await makeOperator(t, 'admin', { name: 'Ivo Admin' });
    const agent = t.http();
    await login(agent, self.email, self.password);
    const res = await postForm(agent, `/settings/operators/${self.id}/edit`, {
      name: self.name,
      email: self.email,
      role: 'manager',
      active: 'true',
    });
    expect(res.status).toBe(303);
    expect((await t.dataSource.getRepository(Operator).findOneByOrFail({ id: self.id })).role).toBe(
      'manager',
    );
    expect((await agent.get('/settings/operators')).status).toBe(403);
    expect((await agent.get('/account')).status).toBe(200); // still signed in, as a manager
  });

  it('survives the last two admins demoting each other at the same moment: one of them stays admin', async () => {
    for (let round = 0; round < 5; round++) {
      const pair = [await makeOperator(t, 'admin'), await makeOperator(t, 'admin')];
      await t.dataSource.query(
        `UPDATE operators SET active = false WHERE role = 'admin' AND id <> ALL($1::uuid[])`,
        [pair.map((o) => o.id)],
      );
      const agents = pair.map(() => t.http());
      for (const [i, agent] of agents.entries()) await login(agent, pair[i].email, pair[i].password);
      const tokens = await Promise.all(agents.map((agent) => csrfFor(agent, '/account')));
      // each demotes the other, both requests in flight together
      const answers = await Promise.all(
        agents.map((agent, i) => {
          const other = pair[1 - i];
          return agent.post(`/settings/operators/${other.id}/edit`).type('form').send({
            _csrf: tokens[i],
            name: other.name,
            email: other.email,
            role: 'manager',
            active: 'true',
          });
        }),
      );
      expect(answers.map((r) => r.status).sort()).toEqual([303, 422]);
      expect(answers.find((r) => r.status === 422)!.text).toContain(
        'É preciso manter ao menos um administrador ativo.',
      );
      expect(await t.dataSource.getRepository(Operator).countBy({ role: 'admin', active: true })).toBe(1);
    }
  });

  it('is counted when the change is made: after the other admins go, the remaining one cannot step down', async () => {
    const admins = await t.dataSource
      .getRepository(Operator)
      .find({ where: { role: 'admin', active: true } });
    const [last, ...others] = admins;
    const actor = await makeOperator(t, 'admin');
    const actorAgent = t.http();
    await login(actorAgent, actor.email, actor.password);
    for (const o of others) await t.dataSource.getRepository(Operator).update(o.id, { active: false });
    // two active admins remain: `last` and `actor`; deactivating `last` is allowed…
    const ok = await postForm(actorAgent, `/settings/operators/${last.id}/edit`, {
      name: last.name,
      email: last.email,
      role: 'admin',
    });
    expect(ok.status).toBe(303);
    // …and now `actor` is the last one: demoting themself is refused
    const refused = await postForm(actorAgent, `/settings/operators/${actor.id}/edit`, {
      name: actor.name,
      email: actor.email,
      role: 'agent',
      active: 'true',
    });
    expect(refused.status).toBe(422);
    expect(await t.dataSource.getRepository(Operator).countBy({ role: 'admin', active: true })).toBe(1);
  });
});
