import { randomUUID } from 'node:crypto';
import { Operator } from '../../../src/auth/operator.entity';
import { AttendantGroup } from '../../../src/relationships/attendant-group.entity';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

const LIST = '/settings/attendant-groups';
const NEW = `${LIST}/new`;

describe('attendant groups settings', () => {
  let t: TestApp;
  let manager: TestOperator;
  let ana: TestOperator;
  let bruno: TestOperator;
  let carla: TestOperator;
  let retired: TestOperator;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    ana = await makeOperator(t, 'agent', { name: 'Ana Souza' });
    bruno = await makeOperator(t, 'agent', { name: 'Bruno Lima' });
    carla = await makeOperator(t, 'manager', { name: 'Carla Dias' });
    retired = await makeOperator(t, 'agent', { name: 'Rui Desligado' });
    await t.dataSource.getRepository(Operator).update(retired.id, { active: false });
  });
  afterAll(() => t.close());

  const signedIn = async (operator: TestOperator) => {
    const agent = t.http();
    await login(agent, operator.email, operator.password);
    return agent;
  };
  const groupNamed = (name: string) =>
    t.dataSource.getRepository(AttendantGroup).findOne({ where: { name }, relations: { members: true } });
  const memberIdsOf = async (name: string) =>
    ((await groupNamed(name))?.members.map((m) => m.id) ?? []).sort();
  const createGroup = async (name: string, memberIds: string[]) => {
    const res = await postForm(await signedIn(manager), LIST, { name, memberIds }, NEW);
    expect(res.status).toBe(303);
    return (await groupNamed(name))!;
  };

  it('lets a manager create a group with two members and lists it with its member count', async () => {
    const agent = await signedIn(manager);
    const res = await postForm(
      agent,
      LIST,
      { name: 'Suporte N1', description: 'Primeiro nível', memberIds: [ana.id, bruno.id] },
      NEW,
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(LIST);
    const group = await groupNamed('Suporte N1');
    expect(group).toMatchObject({ description: 'Primeiro nível' });
    expect(await memberIdsOf('Suporte N1')).toEqual([ana.id, bruno.id].sort());

    const list = await agent.get(LIST);
    expect(list.status).toBe(200);
    expect(list.text).toContain('Grupo “Suporte N1” criado.');
    const row = new RegExp(
      `id="attendant-group-${group!.id}"[\\s\\S]*?Primeiro nível[\\s\\S]*?<td class="num">2</td>`,
    );
    expect(list.text).toMatch(row);
    expect(list.text).toContain(`href="${LIST}/${group!.id}/edit"`);
  });

  it('offers every active operator as a checkbox with e-mail and role, and no inactive one', async () => {
    const res = await (await signedIn(manager)).get(NEW);
    expect(res.status).toBe(200);
    for (const operator of [manager, ana, bruno, carla]) {
      expect(res.text).toContain(`name="memberIds" value="${operator.id}"`);
      expect(res.text).toContain(operator.email);
    }
    expect(res.text).not.toContain(retired.id);
    expect(res.text).toContain('Agente');
    // The filter box is an enhancement: hidden in the markup, no name (so it is never submitted), no inline script.
    expect(res.text).toMatch(/data-list-filter="member-list" hidden/);
    expect(res.text).toMatch(/<input id="member-filter" type="search"(?![^>]*name=)/);
    expect(res.text).not.toMatch(/<script(?![^>]*src=)/);
  });

  it('re-renders the form with 422, the typed values and a message per field when the input is invalid', async () => {
    const res = await postForm(
      await signedIn(manager),
      LIST,
      { name: 'X', description: 'Equipe de campo', memberIds: [ana.id] },
      NEW,
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="X"');
    expect(res.text).toContain('Equipe de campo</textarea>');
    expect(res.text).toContain(`value="${ana.id}" checked`);
    expect(res.text).not.toContain(`value="${bruno.id}" checked`);
    expect(res.text).toContain('Deve ter entre 2 e 120 caracteres.');
    expect(res.text).toMatch(/id="name"[^>]*aria-invalid="true"/);
    expect(await groupNamed('X')).toBeNull();
  });

  it('refuses a name another group already has, whatever the case', async () => {
    await createGroup('Infraestrutura', []);
    const res = await postForm(
      await signedIn(manager),
      LIST,
      { name: 'INFRAESTRUTURA', memberIds: ana.id },
      NEW,
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Já existe um grupo com este nome.');
    expect(res.text).toContain('value="INFRAESTRUTURA"');
    expect(res.text).toContain(`value="${ana.id}" checked`);
    expect(await t.dataSource.getRepository(AttendantGroup).countBy({ name: 'INFRAESTRUTURA' })).toBe(0);
  });

  it('replaces the whole member list on edit, and keeps its own name in another case', async () => {
    const group = await createGroup('Redes', [ana.id, bruno.id]);
    const agent = await signedIn(manager);
    const form = await agent.get(`${LIST}/${group.id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="Redes"');
    expect(form.text).toContain(`value="${ana.id}" checked`);
    expect(form.text).toContain(`value="${bruno.id}" checked`);
    expect(form.text).not.toContain(`value="${carla.id}" checked`);

    // A single ticked box arrives as a plain string, not an array.
    const res = await postForm(agent, `${LIST}/${group.id}/edit`, { name: 'REDES', memberIds: carla.id });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(LIST);
    expect(await memberIdsOf('REDES')).toEqual([carla.id]);
    expect((await agent.get(LIST)).text).toContain('Grupo “REDES” atualizado.');

    // No box ticked: the field is absent and the group ends up empty.
    const cleared = await postForm(agent, `${LIST}/${group.id}/edit`, {
      name: 'REDES',
      description: 'Sem equipe',
    });
    expect(cleared.status).toBe(303);
    expect(await groupNamed('REDES')).toMatchObject({ description: 'Sem equipe', members: [] });
  });

  it.each([
    ['an inactive operator', () => retired.id],
    ['an unknown operator id', () => randomUUID()],
    ['a value that is not an id', () => 'admin'],
  ])('refuses %s among the members with 422 and saves nothing', async (_, badId) => {
    const agent = await signedIn(manager);
    const created = await postForm(agent, LIST, { name: 'Plantão', memberIds: [ana.id, badId()] }, NEW);
    expect(created.status).toBe(422);
    expect(created.text).toContain('Selecione apenas operadores ativos da lista.');
    expect(created.text).toContain('value="Plantão"');
    expect(created.text).toContain(`value="${ana.id}" checked`);
    expect(await groupNamed('Plantão')).toBeNull();

    const group = (await groupNamed('Suporte N2')) ?? (await createGroup('Suporte N2', [bruno.id]));
    const edited = await postForm(agent, `${LIST}/${group.id}/edit`, {
      name: 'Suporte N2 renomeado',
      memberIds: [ana.id, badId()],
    });
    expect(edited.status).toBe(422);
    expect(edited.text).toContain('Selecione apenas operadores ativos da lista.');
    expect(await groupNamed('Suporte N2 renomeado')).toBeNull();
    expect(await memberIdsOf('Suporte N2')).toEqual([bruno.id]);
  });

  it('warns on the edit form that deactivated members leave the group when it is saved', async () => {
    const group = await createGroup('Noturno', [ana.id]);
    await t.dataSource.query(
      `INSERT INTO attendant_group_members (attendant_group_id, operator_id) VALUES ($1, $2)`,
      [group.id, retired.id],
    );
    const form = await (await signedIn(manager)).get(`${LIST}/${group.id}/edit`);
    expect(form.text).toContain('Estes membros estão desativados e sairão do grupo quando você salvar:');
    expect(form.text).toContain(retired.email);
  });

  it('lets an admin in too', async () => {
    const admin = await makeOperator(t, 'admin');
    expect((await (await signedIn(admin)).get(LIST)).status).toBe(200);
  });

  it('answers 403 to an agent, on the list and on a submission', async () => {
    const agent = await signedIn(ana);
    expect((await agent.get(LIST)).status).toBe(403);
    expect((await agent.get(NEW)).status).toBe(403);
    const res = await postForm(agent, LIST, { name: 'Invasores', memberIds: ana.id }, '/account');
    expect(res.status).toBe(403);
    expect(await groupNamed('Invasores')).toBeNull();
  });

  it('sends an anonymous visitor to the login page', async () => {
    const res = await t.http().get(LIST);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(LIST)}`);
  });

  it('answers 400 to a field the form does not have', async () => {
    const res = await postForm(
      await signedIn(manager),
      LIST,
      { name: 'Campos extras', clientIds: randomUUID() },
      NEW,
    );
    expect(res.status).toBe(400);
    expect(await groupNamed('Campos extras')).toBeNull();
  });

  it('answers 404 to an id that is not a uuid or not a group', async () => {
    const agent = await signedIn(manager);
    for (const id of ['123', 'not-a-uuid', randomUUID()]) {
      expect((await agent.get(`${LIST}/${id}/edit`)).status).toBe(404);
      const res = await postForm(agent, `${LIST}/${id}/edit`, { name: 'Fantasma' }, NEW);
      expect(res.status).toBe(404);
    }
    expect(await groupNamed('Fantasma')).toBeNull();
  });
});
