import { addDays, addMonths, todayInSaoPaulo } from '../../../src/common/calendar';
import { ContractRevision } from '../../../src/contracts/contract-revision.entity';
import { contractStatusSql } from '../../../src/contracts/contract-status.sql';
import { Contract } from '../../../src/contracts/contract.entity';
import { computeContractStatus } from '../../../src/contracts/domain/contract-rules';
import { ClientHistoryEntry } from '../../../src/history/client-history-entry.entity';
import { makeClient, makeGroup, linkClient } from '../../factories/client.factory';
import { contractFields, makeContract, setContractDates } from '../../factories/contract.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { fieldError, inputValue, selectedValue, text } from '../../support/html';
import { login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('contracts: create, view, edit, cancel', () => {
  let t: TestApp;
  let manager: TestOperator;
  let agentOperator: TestOperator;
  let http: ReturnType<TestApp['http']>;
  const today = todayInSaoPaulo();

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    agentOperator = await makeOperator(t, 'agent', { name: 'Ana Agente' });
    http = t.http();
    await login(http, manager.email, manager.password);
  });
  afterAll(() => t.close());

  const stored = (id: string) => t.dataSource.getRepository(Contract).findOneByOrFail({ id });
  const history = (clientId: string) =>
    t.dataSource
      .getRepository(ClientHistoryEntry)
      .find({ where: { clientId, subject: 'contract' }, order: { id: 'ASC' } });
  const newPath = (clientId: string) => `/clients/${clientId}/contracts/new`;
  const signedIn = async (operator: TestOperator) => {
    const agent = t.http();
    await login(agent, operator.email, operator.password);
    return agent;
  };

  it('creates a contract from pt-BR numbers, goes to its page and shows the money as R$ 1.500,00', async () => {
    const client = await makeClient(t, { tradeName: 'Padaria Pão Quente' });
    const res = await postForm(http, newPath(client.id), {
      name: 'Suporte mensal 2026',
      modality: 'hours_bank',
      startDate: '2026-01-15',
      durationMonths: '12',
      monthlyValue: '1.500,00',
      includedHours: '7,5',
      readjustmentIndex: 'IGP-M',
      autoRenew: 'true',
    });
    expect(res.status).toBe(303);
    const [contract] = await t.dataSource.getRepository(Contract).findBy({ clientId: client.id });
    expect(res.headers.location).toBe(`/contracts/${contract.id}`);
    expect(contract).toMatchObject({
      name: 'Suporte mensal 2026',
      modality: 'hours_bank',
      startDate: '2026-01-15',
      endDate: '2027-01-14',
      durationMonths: 12,
      readjustmentIndex: 'IGP-M',
      readjustmentPercent: null,
      readjustmentPeriodMonths: 12,
      nextReadjustmentDate: '2027-01-15',
      autoRenew: true,
      version: 1,
    });
    expect(contract.monthlyValue.toString()).toBe('1500.00');
    expect(contract.includedHours?.toString()).toBe('7.5');
    const [{ monthly_value }] = await t.dataSource.query(
      `SELECT monthly_value::text FROM contracts WHERE id = $1`,
      [contract.id],
    );
    expect(monthly_value).toBe('1500.00');

    const page = await http.get(res.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Contrato “Suporte mensal 2026” cadastrado.');
    expect(text(page.text)).toContain('R$ 1.500,00');
    expect(text(page.text)).toContain('15/01/2026');
    expect(text(page.text)).toContain('14/01/2027');
    expect(text(page.text)).toContain('Banco de horas');
    expect(text(page.text)).toContain('7,5 h');

    const [entry] = await history(client.id);
    expect(entry).toMatchObject({
      action: 'created',
      subjectId: contract.id,
      subjectLabel: 'Suporte mensal 2026',
      operatorName: 'Marta Gestora',
    });
    expect(entry.changes.monthlyValue).toEqual([null, '1500.00']);
    const clientPage = await http.get(`/clients/${client.id}`);
    expect(text(clientPage.text)).toContain('o contrato “Suporte mensal 2026”');
    expect(text(clientPage.text)).toMatch(/Valor mensal — → R\$ 1\.500,00/);
  });

  it('accepts plain numbers too (1500.00, 4.5) and a fixed readjustment percentage', async () => {
    const client = await makeClient(t);
    const res = await postForm(http, newPath(client.id), {
      name: 'Contrato plano',
      modality: 'fixed_monthly',
      startDate: '2026-03-01',
      monthlyValue: '1500.00',
      includedHours: '4.5',
      readjustmentIndex: 'fixed',
      readjustmentPercent: '4.5',
    });
    expect(res.status).toBe(303);
    const [contract] = await t.dataSource.getRepository(Contract).findBy({ clientId: client.id });
    expect(contract.monthlyValue.toString()).toBe('1500.00');
    expect(contract.readjustmentPercent?.toString()).toBe('4.5');
    expect(contract.endDate).toBeNull();
    const page = await http.get(`/contracts/${contract.id}`);
    expect(text(page.text)).toContain('R$ 1.500,00');
    expect(text(page.text)).toContain('Percentual fixo (4,5%)');
    expect(text(page.text)).toContain('indeterminado');
  });

  it('re-renders the form with 422, every typed value and a message per field when the input is invalid', async () => {
    const client = await makeClient(t);
    const res = await postForm(http, newPath(client.id), {
      name: 'Contrato com erros',
      modality: 'hours_bank',
      startDate: '2026-05-10',
      endDate: '2026-01-01',
      monthlyValue: '1.500,000',
      includedHours: 'muitas',
      readjustmentIndex: 'fixed',
      readjustmentPeriodMonths: '0',
      autoRenew: 'true',
    });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'monthlyValue')).toBe('Informe um valor em reais, como 1.500,00 ou 1500.00.');
    expect(fieldError(res.text, 'endDate')).toBe('O término não pode ser anterior ao início.');
    expect(fieldError(res.text, 'includedHours')).toBe(
      'Informe as horas com até 2 casas decimais, como 7,5.',
    );
    expect(fieldError(res.text, 'readjustmentPercent')).toBe('Informe o percentual do reajuste fixo.');
    expect(fieldError(res.text, 'readjustmentPeriodMonths')).toBe(
      'Informe o período de reajuste em meses, de 1 a 120.',
    );
    expect(inputValue(res.text, 'name')).toBe('Contrato com erros');
    expect(inputValue(res.text, 'monthlyValue')).toBe('1.500,000');
    expect(inputValue(res.text, 'includedHours')).toBe('muitas');
    expect(inputValue(res.text, 'endDate')).toBe('2026-01-01');
    expect(selectedValue(res.text, 'modality')).toBe('hours_bank');
    expect(selectedValue(res.text, 'readjustmentIndex')).toBe('fixed');
    expect(res.text).toMatch(/name="autoRenew" value="true"[^>]*checked/);
    expect(await t.dataSource.getRepository(Contract).countBy({ clientId: client.id })).toBe(0);
  });

  it('says the end date and the duration disagree, and that the name is required', async () => {
    const client = await makeClient(t);
    const res = await postForm(http, newPath(client.id), {
      modality: 'free',
      startDate: '2026-01-15',
      durationMonths: '12',
      endDate: '2026-12-31',
      monthlyValue: '0',
      readjustmentIndex: 'IPCA',
    });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'name')).toBe('Campo obrigatório.');
    expect(fieldError(res.text, 'endDate')).toBe('O término não corresponde à duração informada.');
  });

  it('refuses a contract for an inactive client with 422, on the form and on submit', async () => {
    const client = await makeClient(t, { tradeName: 'Cliente Parado', status: 'inactive' });
    const form = await http.get(newPath(client.id));
    expect(form.status).toBe(422);
    expect(text(form.text)).toContain(
      'Este cliente está inativo: não é possível cadastrar contratos para ele.',
    );
    const res = await postForm(
      http,
      newPath(client.id),
      contractFields() as Record<string, string>,
      `/clients/${client.id}`,
    );
    expect(res.status).toBe(422);
    expect(text(res.text)).toContain('Este cliente está inativo');
    expect(await t.dataSource.getRepository(Contract).countBy({ clientId: client.id })).toBe(0);
    expect(text((await http.get(`/clients/${client.id}`)).text)).not.toContain('Novo contrato');
  });

  it('edits a contract with the version it was loaded at, and records what changed', async () => {
    const client = await makeClient(t);
    const contract = await makeContract(t, client, { name: 'Antes', monthlyValue: '800,00' });
    const form = await http.get(`/contracts/${contract.id}/edit`);
    expect(form.status).toBe(200);
    expect(inputValue(form.text, 'monthlyValue')).toBe('800,00');
    expect(inputValue(form.text, 'version')).toBe('1');
    const res = await postForm(http, `/contracts/${contract.id}/edit`, {
      ...(contractFields({ name: 'Depois', monthlyValue: '850,50', startDate: contract.startDate }) as Record<
        string,
        string
      >),
      version: '1',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/contracts/${contract.id}`);
    const saved = await stored(contract.id);
    expect(saved).toMatchObject({ name: 'Depois', version: 2 });
    expect(saved.monthlyValue.toString()).toBe('850.50');
    const updated = (await history(client.id)).find((e) => e.action === 'updated')!;
    expect(updated.changes).toMatchObject({ name: ['Antes', 'Depois'], monthlyValue: ['800.00', '850.50'] });
    expect(Object.keys(updated.changes).sort()).toEqual(['monthlyValue', 'name']);
  });

  it('detects a concurrent edit (stale version): 409, the typed values kept, nothing overwritten', async () => {
    const client = await makeClient(t);
    const contract = await makeContract(t, client, { name: 'Original' });
    const first = await postForm(http, `/contracts/${contract.id}/edit`, {
      ...(contractFields({ name: 'Primeira', startDate: contract.startDate }) as Record<string, string>),
      version: '1',
    });
    expect(first.status).toBe(303);
    const stale = await postForm(http, `/contracts/${contract.id}/edit`, {
      ...(contractFields({ name: 'Segunda', startDate: contract.startDate }) as Record<string, string>),
      version: '1',
    });
    expect(stale.status).toBe(409);
    expect(text(stale.text)).toContain('Outra pessoa alterou este contrato');
    expect(text(stale.text)).toContain('Versão salva: “Primeira”');
    expect(inputValue(stale.text, 'name')).toBe('Segunda');
    expect(inputValue(stale.text, 'version')).toBe('2');
    expect((await stored(contract.id)).name).toBe('Primeira');
  });

  it('cancels a contract with a reason: status Cancelado, no more edits, history written', async () => {
    const client = await makeClient(t);
    const contract = await makeContract(t, client, { name: 'Vai cancelar' });
    const res = await postForm(
      http,
      `/contracts/${contract.id}/cancel`,
      { reason: 'Cliente encerrou as atividades' },
      `/contracts/${contract.id}`,
    );
    expect(res.status).toBe(303);
    const saved = await stored(contract.id);
    expect(saved.cancelledAt).toBeInstanceOf(Date);
    expect(saved.cancellationReason).toBe('Cliente encerrou as atividades');
    const page = await http.get(`/contracts/${contract.id}`);
    expect(text(page.text)).toContain('Contrato “Vai cancelar” cancelado.');
    expect(page.text).toMatch(/badge-error">Cancelado</);
    expect(page.text).not.toContain(`/contracts/${contract.id}/edit`);
    expect((await http.get(`/contracts/${contract.id}/edit`)).status).toBe(422);
    const again = await postForm(http, `/contracts/${contract.id}/cancel`, {}, `/clients/${client.id}`);
    expect(again.status).toBe(422);
    const entry = (await history(client.id)).find((e) => e.action === 'cancelled')!;
    expect(entry.changes).toEqual({
      contractStatus: ['active', 'cancelled'],
      cancellationReason: [null, 'Cliente encerrou as atividades'],
    });
    expect(text((await http.get(`/clients/${client.id}`)).text)).toContain(
      'Situação do contrato Ativo → Cancelado',
    );
  });

  it('lists the client’s contracts on the client page with status badges, value and next readjustment', async () => {
    const client = await makeClient(t, { tradeName: 'Oficina Central' });
    const active = await makeContract(t, client, { name: 'Em vigor', monthlyValue: '2.345,67' });
    const due = await makeContract(t, client, { name: 'Com reajuste' });
    await setContractDates(t, due, { nextReadjustmentDate: today });
    const expired = await makeContract(t, client, {
      name: 'Antigo',
      startDate: '2020-01-01',
      durationMonths: '12',
    });
    const page = await http.get(`/clients/${client.id}`);
    expect(page.status).toBe(200);
    const section = /<section id="contracts"[\s\S]*?<\/section>/.exec(page.text)![0];
    expect(section).toMatch(
      new RegExp(`id="contract-${active.id}"[\\s\\S]*?badge-success">Ativo<[\\s\\S]*?R\\$\\u00a02\\.345,67`),
    );
    expect(section).toMatch(new RegExp(`id="contract-${due.id}"[\\s\\S]*?badge-warning">Reajuste pendente<`));
    expect(section).toMatch(new RegExp(`id="contract-${expired.id}"[\\s\\S]*?badge-muted">Vencido<`));
    expect(text(section)).toContain(addMonths(active.startDate, 12).split('-').reverse().join('/'));
    expect(page.text).toContain(`href="/clients/${client.id}/contracts/new"`);
  });

  it('lets an agent read contracts of clients linked to their groups, 404 for others, 403 on writes', async () => {
    const group = await makeGroup(t, undefined, [agentOperator]);
    const mine = await makeClient(t);
    await linkClient(t, mine, { groups: [group] });
    const foreign = await makeClient(t);
    const visible = await makeContract(t, mine, { name: 'Contrato visível' });
    const hidden = await makeContract(t, foreign, { name: 'Contrato alheio' });
    const agent = await signedIn(agentOperator);
    expect((await agent.get(`/contracts/${visible.id}`)).status).toBe(200);
    expect((await agent.get(`/contracts/${hidden.id}`)).status).toBe(404);
    expect((await agent.get(`/contracts/not-a-uuid`)).status).toBe(404);
    expect((await agent.get(newPath(mine.id))).status).toBe(403);
    const res = await postForm(agent, `/contracts/${visible.id}/cancel`, {}, `/contracts/${visible.id}`);
    expect(res.status).toBe(403);
    expect((await stored(visible.id)).cancelledAt).toBeNull();
  });

  it('refuses unknown form fields with 400 (no mass assignment)', async () => {
    const client = await makeClient(t);
    const res = await postForm(http, newPath(client.id), {
      ...(contractFields() as Record<string, string>),
      clientId: client.id,
    });
    expect(res.status).toBe(400);
  });

  it('computes the status in SQL exactly as the domain rule does', async () => {
    const client = await makeClient(t);
    const cases = [
      { endDate: null, next: addDays(today, 30), autoRenew: false, cancelled: false },
      { endDate: addDays(today, -1), next: addDays(today, 30), autoRenew: false, cancelled: false },
      { endDate: addDays(today, -1), next: addDays(today, 30), autoRenew: true, cancelled: false },
      { endDate: today, next: today, autoRenew: false, cancelled: false },
      { endDate: addDays(today, 10), next: addDays(today, -3), autoRenew: false, cancelled: false },
      { endDate: addDays(today, -10), next: addDays(today, -3), autoRenew: false, cancelled: false },
      { endDate: addDays(today, -10), next: addDays(today, -3), autoRenew: true, cancelled: false },
      { endDate: addDays(today, 10), next: addDays(today, 1), autoRenew: false, cancelled: true },
    ];
    for (const c of cases) {
      const contract = await makeContract(t, client, {
        startDate: '2020-01-01',
        durationMonths: undefined,
        autoRenew: c.autoRenew,
      });
      await setContractDates(t, contract, { endDate: c.endDate, nextReadjustmentDate: c.next });
      if (c.cancelled)
        await t.dataSource.query(`UPDATE contracts SET cancelled_at = now() WHERE id = $1`, [contract.id]);
      const [{ status }] = await t.dataSource.query(
        `SELECT ${contractStatusSql('k', '$2')} AS status FROM contracts k WHERE id = $1`,
        [contract.id, today],
      );
      const reloaded = await stored(contract.id);
      expect([c, status]).toEqual([c, computeContractStatus(reloaded, today)]);
      expect(reloaded.statusOn(today)).toBe(status);
    }
    expect(await t.dataSource.getRepository(ContractRevision).countBy({ kind: 'renewal' })).toBe(0);
  });
});
