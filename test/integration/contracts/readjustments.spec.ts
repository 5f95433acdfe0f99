import { addDays, addMonths, todayInSaoPaulo, yearMonthOf } from '../../../src/common/calendar';
import { ContractRevision } from '../../../src/contracts/contract-revision.entity';
import { Contract } from '../../../src/contracts/contract.entity';
import { ClientHistoryEntry } from '../../../src/history/client-history-entry.entity';
import { makeClient } from '../../factories/client.factory';
import { makeContract, setContractDates } from '../../factories/contract.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { fieldError, inputValue, text } from '../../support/html';
import { csrfFor, login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('readjustments (reajustes): one contract, or many due in a month', () => {
  let t: TestApp;
  let manager: TestOperator;
  let http: ReturnType<TestApp['http']>;
  const today = todayInSaoPaulo();

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    http = t.http();
    await login(http, manager.email, manager.password);
  });
  afterAll(() => t.close());

  const stored = (id: string) => t.dataSource.getRepository(Contract).findOneByOrFail({ id });
  const revisions = (contractId: string) =>
    t.dataSource.getRepository(ContractRevision).find({ where: { contractId }, order: { createdAt: 'ASC' } });
  const readjust = (id: string, fields: Record<string, string>) =>
    postForm(http, `/contracts/${id}/readjustments`, fields, `/contracts/${id}`);

  it('applies a percentage: new value half-up to the centavo, a revision, the next date one period on', async () => {
    const client = await makeClient(t);
    const contract = await makeContract(t, client, {
      name: 'Suporte',
      monthlyValue: '1.000,00',
      startDate: '2025-06-01',
      durationMonths: '36',
    });
    expect(contract.nextReadjustmentDate).toBe('2026-06-01');
    const res = await readjust(contract.id, { percent: '4,5', effectiveFrom: '2026-06-01' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/contracts/${contract.id}`);
    const saved = await stored(contract.id);
    expect(saved.monthlyValue.toString()).toBe('1045.00');
    expect(saved.nextReadjustmentDate).toBe('2027-06-01');
    expect(saved.version).toBe(2);
    const [revision] = await revisions(contract.id);
    expect(revision).toMatchObject({
      kind: 'readjustment',
      effectiveFrom: '2026-06-01',
      oldNextReadjustmentDate: '2026-06-01',
      newNextReadjustmentDate: '2027-06-01',
      operatorId: manager.id,
      operatorName: 'Marta Gestora',
    });
    expect([
      revision.oldValue.toString(),
      revision.newValue.toString(),
      revision.percentApplied?.toString(),
    ]).toEqual(['1000.00', '1045.00', '4.5']);

    const page = await http.get(res.headers.location);
    expect(text(page.text)).toContain(
      'Reajuste aplicado ao contrato “Suporte”: novo valor R$ 1.045,00 (4,5%).',
    );
    const row = new RegExp(`<tr id="revision-${revision.id}">([\\s\\S]*?)</tr>`).exec(page.text)![1];
    expect(text(row)).toBe(
      'Reajuste 01/06/2026 R$ 1.000,00 R$ 1.045,00 4,5% Próximo reajuste: 01/06/2026 → 01/06/2027 Marta Gestora ' +
        /<small class="muted">([^<]*)<\/small>/.exec(row)![1],
    );
    const [entry] = await t.dataSource
      .getRepository(ClientHistoryEntry)
      .findBy({ clientId: client.id, action: 'readjusted' });
    expect(entry.changes).toMatchObject({
      monthlyValue: ['1000.00', '1045.00'],
      nextReadjustmentDate: ['2026-06-01', '2027-06-01'],
    });
  });

  it.each([
    ['10,00', '0,05', '10.01'], // 10,005 → 10,01 (half-up, not banker's 10,00)
    ['333,33', '3,333', '344.44'], // 344,4398889
    ['100,00', '-2,5', '97.50'],
    ['1.234,56', '7,25', '1324.07'], // 1324,0656
  ])('rounds %s + %s%% half-up to %s', async (value, percent, expected) => {
    const contract = await makeContract(t, await makeClient(t), { monthlyValue: value });
    expect((await readjust(contract.id, { percent })).status).toBe(303);
    expect((await stored(contract.id)).monthlyValue.toString()).toBe(expected);
  });

  it('applies a new value (plain or pt-BR) and records the percentage it implies; effective date defaults to the readjustment date', async () => {
    const contract = await makeContract(t, await makeClient(t), {
      monthlyValue: '1.000,00',
      startDate: '2026-02-28',
      readjustmentPeriodMonths: '6',
    });
    expect(contract.nextReadjustmentDate).toBe('2026-08-28');
    expect((await readjust(contract.id, { newValue: '1087.50' })).status).toBe(303);
    const [revision] = await revisions(contract.id);
    expect(revision.newValue.toString()).toBe('1087.50');
    expect(revision.percentApplied?.toString()).toBe('8.75');
    expect(revision.effectiveFrom).toBe('2026-08-28');
    expect((await stored(contract.id)).nextReadjustmentDate).toBe('2027-02-28');
  });

  it.each([
    [
      { percent: '4,5', newValue: '1.100,00' },
      'percent',
      'Informe o percentual ou o novo valor, não os dois.',
    ],
    [{}, 'percent', 'Informe um percentual ou um novo valor.'],
    [{ percent: '4,55555' }, 'percent', 'Informe um percentual com até 4 casas decimais, como 4,5.'],
    [{ percent: '-100' }, 'percent', 'O percentual deve ser maior que -100%.'],
    [{ newValue: '0,00' }, 'newValue', 'O novo valor deve ser maior que zero.'],
    [{ newValue: 'mil reais' }, 'newValue', 'Informe um valor em reais, como 1.500,00 ou 1500.00.'],
    [{ percent: '5', effectiveFrom: '2026-02-30' }, 'effectiveFrom', 'Informe uma data válida.'],
  ])(
    'refuses %j with 422 on the contract page, keeping the values, changing nothing',
    async (fields, field, message) => {
      const contract = await makeContract(t, await makeClient(t), { monthlyValue: '1.000,00' });
      const res = await readjust(contract.id, fields as Record<string, string>);
      expect(res.status).toBe(422);
      expect(fieldError(res.text, field)).toBe(message);
      for (const [name, value] of Object.entries(fields)) expect(inputValue(res.text, name)).toBe(value);
      const saved = await stored(contract.id);
      expect([saved.monthlyValue.toString(), saved.version]).toEqual(['1000.00', 1]);
      expect(await revisions(contract.id)).toHaveLength(0);
    },
  );

  it('refuses to readjust a cancelled or an expired contract', async () => {
    const client = await makeClient(t);
    const cancelled = await makeContract(t, client);
    await t.dataSource.query(`UPDATE contracts SET cancelled_at = now() WHERE id = $1`, [cancelled.id]);
    expect((await readjust(cancelled.id, { percent: '5' })).status).toBe(422);
    const expired = await makeContract(t, client, {
      name: 'Velho',
      startDate: '2020-01-01',
      durationMonths: '12',
    });
    const res = await readjust(expired.id, { percent: '5' });
    expect(res.status).toBe(422);
    expect(text(res.text)).toContain('O contrato “Velho” não está em vigor');
    expect(await revisions(expired.id)).toHaveLength(0);
  });

  describe('in bulk, from the contracts due in a month (GET /contracts?due=YYYY-MM)', () => {
    const month = yearMonthOf(addMonths(today, 2));
    const inMonth = `${month}-10`;

    it('lists only the contracts due that month, with a checkbox each, and applies one percentage to the selected', async () => {
      const a = await makeContract(t, await makeClient(t, { tradeName: 'Alfa Serviços' }), {
        name: 'Alfa',
        monthlyValue: '1.000,00',
      });
      const b = await makeContract(t, await makeClient(t, { tradeName: 'Beta Serviços' }), {
        name: 'Beta',
        monthlyValue: '2.000,00',
      });
      const notSelected = await makeContract(t, await makeClient(t), {
        name: 'Gama',
        monthlyValue: '500,00',
      });
      const otherMonth = await makeContract(t, await makeClient(t), { name: 'Outro mês' });
      const cancelled = await makeContract(t, await makeClient(t), { name: 'Cancelado no mês' });
      for (const k of [a, b, notSelected, cancelled])
        await setContractDates(t, k, { nextReadjustmentDate: inMonth });
      await setContractDates(t, otherMonth, { nextReadjustmentDate: addDays(`${month}-01`, -1) });
      await t.dataSource.query(`UPDATE contracts SET cancelled_at = now() WHERE id = $1`, [cancelled.id]);

      const list = await http.get(`/contracts?due=${month}`);
      expect(list.status).toBe(200);
      for (const k of [a, b, notSelected]) expect(list.text).toContain(`name="contractIds" value="${k.id}"`);
      expect(list.text).not.toContain(otherMonth.id);
      expect(list.text).not.toContain(cancelled.id);
      expect(text(list.text)).toContain('Alfa Serviços');

      const token = await csrfFor(http, `/contracts?due=${month}`);
      const res = await http
        .post('/contracts/readjustments')
        .type('form')
        .send(
          `_csrf=${encodeURIComponent(token)}&due=${month}&contractIds=${a.id}&contractIds=${b.id}&percent=5,5`,
        );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/contracts?due=${month}`);
      expect((await stored(a.id)).monthlyValue.toString()).toBe('1055.00');
      expect((await stored(b.id)).monthlyValue.toString()).toBe('2110.00');
      expect((await stored(notSelected.id)).monthlyValue.toString()).toBe('500.00');
      for (const k of [a, b]) {
        const [revision] = await revisions(k.id);
        expect(revision).toMatchObject({
          kind: 'readjustment',
          effectiveFrom: inMonth,
          newNextReadjustmentDate: addMonths(inMonth, 12),
          operatorName: 'Marta Gestora',
        });
        expect((await stored(k.id)).nextReadjustmentDate).toBe(addMonths(inMonth, 12));
      }
      const after = await http.get(res.headers.location);
      expect(text(after.text)).toContain('Reajuste aplicado a 2 contrato(s).');
      expect(after.text).not.toContain(`value="${a.id}"`);
      expect(after.text).toContain(`value="${notSelected.id}"`);
    });

    it('takes a single selected contract (one value, not a list) and an explicit effective date', async () => {
      const k = await makeContract(t, await makeClient(t), { monthlyValue: '100,00' });
      await setContractDates(t, k, { nextReadjustmentDate: inMonth });
      const res = await postForm(
        http,
        '/contracts/readjustments',
        { due: month, contractIds: k.id, percent: '10', effectiveFrom: `${month}-01` },
        `/contracts?due=${month}`,
      );
      expect(res.status).toBe(303);
      expect((await stored(k.id)).monthlyValue.toString()).toBe('110.00');
      expect((await revisions(k.id))[0].effectiveFrom).toBe(`${month}-01`);
    });

    it('refuses with 422, changing nothing, when none is selected or the percentage is invalid', async () => {
      const k = await makeContract(t, await makeClient(t), { monthlyValue: '100,00' });
      await setContractDates(t, k, { nextReadjustmentDate: inMonth });
      const none = await postForm(
        http,
        '/contracts/readjustments',
        { due: month, percent: '5' },
        `/contracts?due=${month}`,
      );
      expect(none.status).toBe(422);
      expect(text(none.text)).toContain('Selecione ao menos um contrato.');
      const bad = await postForm(
        http,
        '/contracts/readjustments',
        { due: month, contractIds: k.id, percent: 'cinco' },
        `/contracts?due=${month}`,
      );
      expect(bad.status).toBe(422);
      expect(fieldError(bad.text, 'percent')).toBe(
        'Informe um percentual com até 4 casas decimais, como 4,5.',
      );
      expect(bad.text).toMatch(new RegExp(`value="${k.id}"[^>]*checked`));
      expect((await stored(k.id)).monthlyValue.toString()).toBe('100.00');
    });

    it('is all or nothing: one contract that cannot be readjusted leaves every selected one unchanged', async () => {
      const ok = await makeContract(t, await makeClient(t), { monthlyValue: '100,00' });
      const gone = await makeContract(t, await makeClient(t), {
        name: 'Já cancelado',
        monthlyValue: '100,00',
      });
      await t.dataSource.query(`UPDATE contracts SET cancelled_at = now() WHERE id = $1`, [gone.id]);
      const token = await csrfFor(http, `/contracts?due=${month}`);
      const res = await http
        .post('/contracts/readjustments')
        .type('form')
        .send(
          `_csrf=${encodeURIComponent(token)}&due=${month}&contractIds=${ok.id}&contractIds=${gone.id}&percent=5`,
        );
      expect(res.status).toBe(422);
      expect(text(res.text)).toContain('Este contrato está cancelado');
      expect((await stored(ok.id)).monthlyValue.toString()).toBe('100.00');
      expect(await revisions(ok.id)).toHaveLength(0);
    });

    it('is for managers only: an agent gets 403', async () => {
      const agentOperator = await makeOperator(t, 'agent');
      const agent = t.http();
      await login(agent, agentOperator.email, agentOperator.password);
      expect((await agent.get(`/contracts?due=${month}`)).status).toBe(403);
    });
  });
});
