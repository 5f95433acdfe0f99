import { SchedulerRegistry } from '@nestjs/schedule';
import { addDays, todayInSaoPaulo } from '../../../src/common/calendar';
import { ContractRenewalJob } from '../../../src/contracts/contract-renewal.job';
import { ContractRevision } from '../../../src/contracts/contract-revision.entity';
import { Contract } from '../../../src/contracts/contract.entity';
import { ClientHistoryEntry } from '../../../src/history/client-history-entry.entity';
import { makeClient } from '../../factories/client.factory';
import { makeContract, setContractDates } from '../../factories/contract.factory';
import { makeOperator } from '../../factories/operator.factory';
import { text } from '../../support/html';
import { login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('the daily contract job: automatic renewal (renovação automática)', () => {
  let t: TestApp;
  const stored = (id: string) => t.dataSource.getRepository(Contract).findOneByOrFail({ id });
  const renewals = (contractId: string) =>
    t.dataSource.getRepository(ContractRevision).findBy({ contractId, kind: 'renewal' });

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('extends an ended auto-renewing contract by one period, records a renewal revision and the history; twice is once', async () => {
    const client = await makeClient(t);
    const contract = await makeContract(t, client, {
      name: 'Renova sozinho',
      startDate: '2025-03-01',
      durationMonths: '12',
      autoRenew: true,
      monthlyValue: '900,00',
    });
    expect(contract.endDate).toBe('2026-02-28');
    const job = t.app.get(ContractRenewalJob);
    expect(await job.renewDue('2026-02-28')).toBe(0); // the last day is still in force
    expect(await job.renewDue('2026-03-01')).toBe(1);
    const saved = await stored(contract.id);
    expect(saved.endDate).toBe('2027-02-28');
    expect(saved.monthlyValue.toString()).toBe('900.00');
    const [revision] = await renewals(contract.id);
    expect(revision).toMatchObject({
      effectiveFrom: '2026-03-01',
      oldEndDate: '2026-02-28',
      newEndDate: '2027-02-28',
      operatorId: null,
      percentApplied: null,
    });
    expect([revision.oldValue.toString(), revision.newValue.toString()]).toEqual(['900.00', '900.00']);
    expect(await job.renewDue('2026-03-01')).toBe(0);
    expect(await renewals(contract.id)).toHaveLength(1);
    const [entry] = await t.dataSource
      .getRepository(ClientHistoryEntry)
      .findBy({ clientId: client.id, action: 'renewed' });
    expect(entry).toMatchObject({
      operatorId: null,
      subjectId: contract.id,
      changes: { endDate: ['2026-02-28', '2027-02-28'] },
    });

    const manager = await makeOperator(t, 'manager');
    const http = t.http();
    await login(http, manager.email, manager.password);
    const page = await http.get(`/contracts/${contract.id}`);
    expect(text(page.text)).toContain(
      'Renovação 01/03/2026 R$ 900,00 R$ 900,00 — Vigência prorrogada até 28/02/2027 Sistema',
    );
    const clientPage = await http.get(`/clients/${client.id}`);
    expect(text(clientPage.text)).toContain('Sistema renovou o contrato “Renova sozinho”');
    expect(text(clientPage.text)).toContain('Término 28/02/2026 → 28/02/2027');
  });

  it('uses the readjustment period when the contract has an end date but no duration, and catches up missed days', async () => {
    const client = await makeClient(t);
    const contract = await makeContract(t, client, {
      startDate: '2025-01-01',
      durationMonths: undefined,
      endDate: '2025-06-30',
      readjustmentPeriodMonths: '6',
      autoRenew: true,
    });
    expect(await t.app.get(ContractRenewalJob).renewDue('2026-01-15')).toBe(1);
    expect((await stored(contract.id)).endDate).toBe('2026-06-30');
    const [revision] = await renewals(contract.id);
    expect(revision).toMatchObject({ oldEndDate: '2025-06-30', newEndDate: '2026-06-30' });
  });

  it('leaves alone contracts without automatic renewal (they expire), cancelled ones, and those still in force', async () => {
    const client = await makeClient(t);
    const today = todayInSaoPaulo();
    const noRenew = await makeContract(t, client, { startDate: '2020-01-01', durationMonths: '12' });
    const cancelled = await makeContract(t, client, {
      startDate: '2020-01-01',
      durationMonths: '12',
      autoRenew: true,
    });
    await t.dataSource.query(`UPDATE contracts SET cancelled_at = now() WHERE id = $1`, [cancelled.id]);
    const running = await makeContract(t, client, { autoRenew: true });
    await setContractDates(t, running, { endDate: today });
    await t.app.get(ContractRenewalJob).renewDue(today);
    for (const k of [noRenew, cancelled, running]) expect(await renewals(k.id)).toHaveLength(0);
    expect((await stored(noRenew.id)).statusOn(today)).toBe('expired');
    expect((await stored(running.id)).endDate).toBe(today);
    expect((await stored(running.id)).statusOn(addDays(today, 1))).toBe('active');
  });

  it('runs on a daily schedule in São Paulo time', () => {
    const job = t.app.get(SchedulerRegistry).getCronJob('contracts-daily');
    expect(job).toBeDefined();
    expect(job.cronTime.source).toBe('10 0 * * *');
    expect(String(job.cronTime.timeZone)).toBe('America/Sao_Paulo');
  });
});
