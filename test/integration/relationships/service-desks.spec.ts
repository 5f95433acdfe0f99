import { randomUUID } from 'node:crypto';
import { ServiceDesk } from '../../../src/relationships/service-desk.entity';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

const LIST = '/settings/service-desks';
const NEW = `${LIST}/new`;

describe('service desks settings', () => {
  let t: TestApp;
  let manager: TestOperator;
  let agentOperator: TestOperator;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager');
    agentOperator = await makeOperator(t, 'agent');
  });
  afterAll(() => t.close());

  const signedIn = async (operator: TestOperator) => {
    const agent = t.http();
    await login(agent, operator.email, operator.password);
    return agent;
  };
  const deskNamed = (name: string) => t.dataSource.getRepository(ServiceDesk).findOneBy({ name });

  it('round-trips requiresReview: created ticked, shown ticked, saved unticked', async () => {
    const agent = await signedIn(manager);
    const created = await postForm(
      agent,
      LIST,
      { name: 'Mesa Financeiro', description: 'Chamados do financeiro', requiresReview: 'true' },
      NEW,
    );
    expect(created.status).toBe(303);
    expect(created.headers.location).toBe(LIST);
    const desk = (await deskNamed('Mesa Financeiro'))!;
    expect(desk).toMatchObject({ description: 'Chamados do financeiro', requiresReview: true });

    const list = await agent.get(LIST);
    expect(list.text).toContain('Mesa “Mesa Financeiro” criada.');
    expect(list.text).toMatch(new RegExp(`id="service-desk-${desk.id}"[\\s\\S]*?badge-warning">Sim<`));

    const form = await agent.get(`${LIST}/${desk.id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/name="requiresReview" value="true"[^>]*checked/);

    // An unticked checkbox sends nothing.
    const updated = await postForm(agent, `${LIST}/${desk.id}/edit`, { name: 'Mesa Financeiro' });
    expect(updated.status).toBe(303);
    expect(await deskNamed('Mesa Financeiro')).toMatchObject({ requiresReview: false, description: null });
    expect((await agent.get(LIST)).text).toContain('Mesa “Mesa Financeiro” atualizada.');
    const again = await agent.get(`${LIST}/${desk.id}/edit`);
    expect(again.text).not.toMatch(/name="requiresReview" value="true"[^>]*checked/);
  });

  it('creates a desk without review when the box is left unticked', async () => {
    const res = await postForm(await signedIn(manager), LIST, { name: 'Mesa Campo' }, NEW);
    expect(res.status).toBe(303);
    expect(await deskNamed('Mesa Campo')).toMatchObject({ requiresReview: false, description: null });
  });

  it('re-renders the form with 422, the typed values and a message per field when the input is invalid', async () => {
    const res = await postForm(
      await signedIn(manager),
      LIST,
      { name: '', description: 'x'.repeat(501), requiresReview: 'true' },
      NEW,
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Campo obrigatório.');
    expect(res.text).toContain('Deve ter no máximo 500 caracteres.');
    expect(res.text).toContain(`${'x'.repeat(501)}</textarea>`);
    expect(res.text).toMatch(/name="requiresReview" value="true"[^>]*checked/);
    expect(await t.dataSource.getRepository(ServiceDesk).countBy({ description: 'x'.repeat(501) })).toBe(0);
  });

  it('refuses a name another desk already has, whatever the case, on create and on edit', async () => {
    const agent = await signedIn(manager);
    expect((await postForm(agent, LIST, { name: 'Mesa Suporte' }, NEW)).status).toBe(303);
    const dup = await postForm(agent, LIST, { name: 'mesa suporte', requiresReview: 'true' }, NEW);
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('Já existe uma mesa com este nome.');
    expect(dup.text).toContain('value="mesa suporte"');
    expect(dup.text).toMatch(/name="requiresReview" value="true"[^>]*checked/);

    expect((await postForm(agent, LIST, { name: 'Mesa Projetos' }, NEW)).status).toBe(303);
    const projetos = (await deskNamed('Mesa Projetos'))!;
    const renamed = await postForm(agent, `${LIST}/${projetos.id}/edit`, { name: 'MESA SUPORTE' });
    expect(renamed.status).toBe(422);
    expect(renamed.text).toContain('Já existe uma mesa com este nome.');
    expect(await deskNamed('Mesa Projetos')).not.toBeNull();
  });

  it('answers 403 to an agent, on the list and on a submission', async () => {
    const agent = await signedIn(agentOperator);
    expect((await agent.get(LIST)).status).toBe(403);
    const res = await postForm(agent, LIST, { name: 'Mesa Invasora' }, '/account');
    expect(res.status).toBe(403);
    expect(await deskNamed('Mesa Invasora')).toBeNull();
  });

  it('sends an anonymous visitor to the login page', async () => {
    const res = await t.http().get(NEW);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(NEW)}`);
  });

  it('answers 400 to a field the form does not have', async () => {
    const res = await postForm(await signedIn(manager), LIST, { name: 'Mesa Extra', id: randomUUID() }, NEW);
    expect(res.status).toBe(400);
    expect(await deskNamed('Mesa Extra')).toBeNull();
  });

  it('answers 404 to an id that is not a uuid or not a desk', async () => {
    const agent = await signedIn(manager);
    for (const id of ['1', 'mesa', randomUUID()]) {
      expect((await agent.get(`${LIST}/${id}/edit`)).status).toBe(404);
      expect((await postForm(agent, `${LIST}/${id}/edit`, { name: 'Mesa Fantasma' }, NEW)).status).toBe(404);
    }
    expect(await deskNamed('Mesa Fantasma')).toBeNull();
  });
});
