import { randomUUID } from 'node:crypto';
import { Displacement } from '../../../src/displacements/displacement.entity';
import { ClientHistoryEntry } from '../../../src/history/client-history-entry.entity';
import { linkClient, makeClient, makeGroup } from '../../factories/client.factory';
import { makeContract } from '../../factories/contract.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import {
  fieldError,
  inputValue,
  options,
  selectHtml,
  selectedValue,
  text,
  textareaValue,
} from '../../support/html';
import { login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('displacements (deslocamentos avulsos)', () => {
  let t: TestApp;
  let manager: TestOperator;
  let http: ReturnType<TestApp['http']>;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    http = t.http();
    await login(http, manager.email, manager.password);
  });
  afterAll(() => t.close());

  const newPath = (clientId: string) => `/clients/${clientId}/displacements/new`;
  const stored = (clientId: string) =>
    t.dataSource.getRepository(Displacement).find({ where: { clientId }, order: { createdAt: 'ASC' } });
  const history = (clientId: string) =>
    t.dataSource
      .getRepository(ClientHistoryEntry)
      .find({ where: { clientId, subject: 'displacement' }, order: { id: 'ASC' } });

  it('creates one from pt-BR numbers, back to the client page, where it shows as R$ 1.250,50 and 12,5 km', async () => {
    const client = await makeClient(t);
    const contract = await makeContract(t, client, { name: 'Contrato Campo' });
    const form = await http.get(newPath(client.id));
    expect(form.status).toBe(200);
    expect(options(selectHtml(form.text, 'contractId')!)).toEqual([
      { value: '', label: 'Avulso (sem contrato)' },
      { value: contract.id, label: 'Contrato Campo' },
    ]);
    const res = await postForm(http, newPath(client.id), {
      name: 'Visita técnica — Centro',
      value: '1.250,50',
      distanceKm: '12,5',
      contractId: contract.id,
      notes: 'Ida e volta',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/clients/${client.id}#displacements`);
    const [saved] = await stored(client.id);
    expect(saved).toMatchObject({
      name: 'Visita técnica — Centro',
      contractId: contract.id,
      notes: 'Ida e volta',
    });
    expect([saved.value.toString(), saved.distanceKm?.toString()]).toEqual(['1250.50', '12.5']);
    const page = await http.get(res.headers.location);
    expect(text(page.text)).toContain('Deslocamento “Visita técnica — Centro” cadastrado.');
    const section = /<section id="displacements"[\s\S]*?<\/section>/.exec(page.text)![0];
    expect(text(section)).toContain('Visita técnica — Centro R$ 1.250,50 12,5 km Contrato Campo Ida e volta');
    const [entry] = await history(client.id);
    expect(entry).toMatchObject({ action: 'created', subjectId: saved.id, operatorName: 'Marta Gestora' });
    expect(entry.changes).toMatchObject({
      value: [null, '1250.50'],
      contract: [null, 'Contrato Campo'],
      distanceKm: [null, '12.5'],
    });
    expect(text(page.text)).toContain('Valor — → R$ 1.250,50');
  });

  it('accepts plain numbers (150.00, 7.25) and no contract', async () => {
    const client = await makeClient(t);
    const res = await postForm(http, newPath(client.id), {
      name: 'Taxa de visita',
      value: '150.00',
      distanceKm: '7.25',
    });
    expect(res.status).toBe(303);
    const [saved] = await stored(client.id);
    expect([saved.value.toString(), saved.distanceKm?.toString(), saved.contractId]).toEqual([
      '150.00',
      '7.25',
      null,
    ]);
  });

  it('re-renders with 422, the values kept and a message per field', async () => {
    const client = await makeClient(t);
    const res = await postForm(http, newPath(client.id), {
      name: 'X',
      value: '1,5,0',
      distanceKm: '-3',
      notes: 'mantida',
    });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'name')).toBe('Deve ter entre 2 e 120 caracteres.');
    expect(fieldError(res.text, 'value')).toBe('Informe um valor em reais, como 1.500,00 ou 1500.00.');
    expect(fieldError(res.text, 'distanceKm')).toBe(
      'Informe a distância em km com até 2 casas decimais, como 12,5.',
    );
    expect([
      inputValue(res.text, 'value'),
      inputValue(res.text, 'distanceKm'),
      textareaValue(res.text, 'notes'),
    ]).toEqual(['1,5,0', '-3', 'mantida']);
    expect(await stored(client.id)).toHaveLength(0);
  });

  it('refuses a contract of another client (or a cancelled one) with 422', async () => {
    const client = await makeClient(t);
    const foreign = await makeContract(t, await makeClient(t));
    const cancelled = await makeContract(t, client);
    await t.dataSource.query(`UPDATE contracts SET cancelled_at = now() WHERE id = $1`, [cancelled.id]);
    for (const contractId of [foreign.id, cancelled.id, randomUUID(), 'nope']) {
      const res = await postForm(http, newPath(client.id), {
        name: 'Com contrato alheio',
        value: '10,00',
        contractId,
      });
      expect([contractId, res.status]).toEqual([contractId, 422]);
      expect(fieldError(res.text, 'contractId')).toBe(
        'Escolha um contrato deste cliente que não esteja cancelado.',
      );
    }
    expect(await stored(client.id)).toHaveLength(0);
  });

  it('edits and deletes, recording both in the history', async () => {
    const client = await makeClient(t);
    await postForm(http, newPath(client.id), { name: 'Original', value: '100,00' });
    const [created] = await stored(client.id);
    const form = await http.get(`/displacements/${created.id}/edit`);
    expect([inputValue(form.text, 'value'), selectedValue(form.text, 'contractId')]).toEqual(['100,00', '']);
    const edited = await postForm(http, `/displacements/${created.id}/edit`, {
      name: 'Alterado',
      value: '120,00',
    });
    expect(edited.status).toBe(303);
    expect(edited.headers.location).toBe(`/clients/${client.id}#displacements`);
    const [updated] = await stored(client.id);
    expect([updated.name, updated.value.toString()]).toEqual(['Alterado', '120.00']);
    const removed = await postForm(http, `/displacements/${created.id}/delete`, {}, `/clients/${client.id}`);
    expect(removed.status).toBe(303);
    expect(await stored(client.id)).toHaveLength(0);
    expect((await history(client.id)).map((e) => [e.action, e.subjectLabel])).toEqual([
      ['created', 'Original'],
      ['updated', 'Alterado'],
      ['deleted', 'Alterado'],
    ]);
    expect((await history(client.id))[1].changes).toEqual({
      name: ['Original', 'Alterado'],
      value: ['100.00', '120.00'],
    });
  });

  it('lets agents see displacements on their clients’ page but not change them; foreign ones are 404', async () => {
    const agentOperator = await makeOperator(t, 'agent');
    const group = await makeGroup(t, undefined, [agentOperator]);
    const mine = await makeClient(t);
    await linkClient(t, mine, { groups: [group] });
    await postForm(http, newPath(mine.id), { name: 'Visível para a agente', value: '50,00' });
    const [displacement] = await stored(mine.id);
    const agent = t.http();
    await login(agent, agentOperator.email, agentOperator.password);
    const page = await agent.get(`/clients/${mine.id}`);
    expect(text(page.text)).toContain('Visível para a agente');
    expect(page.text).not.toContain(`/displacements/${displacement.id}/edit`);
    expect((await agent.get(`/displacements/${displacement.id}/edit`)).status).toBe(403);
    expect(
      (await postForm(agent, `/displacements/${displacement.id}/delete`, {}, `/clients/${mine.id}`)).status,
    ).toBe(403);
    const foreign = await makeClient(t);
    expect((await http.get(`/displacements/${randomUUID()}/edit`)).status).toBe(404);
    expect((await agent.get(`/clients/${foreign.id}`)).status).toBe(404);
  });
});
