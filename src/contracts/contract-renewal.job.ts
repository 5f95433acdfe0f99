import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { liveClientSql } from '../clients/client-scope';
import { ClientsService } from '../clients/clients.service';
import { addDays, SAO_PAULO_TIME_ZONE, todayInSaoPaulo, type IsoDate } from '../common/calendar';
import { ContractRevision } from './contract-revision.entity';
import { Contract } from './contract.entity';
import { isRenewalDue, planRenewal } from './domain/contract-rules';

/**
 * The daily contract job (as Tiflux renews automatically): every auto-renewing contract whose term ended
 * before today is extended by one period (its duration, else its readjustment period — `planRenewal`, which
 * also catches up on days the job did not run), recorded as a 'renewal' revision and in the client history
 * by the system.
 *
 * Status itself needs no job: it is computed from the dates on every read (and in SQL for the blockers), so
 * a contract shows "Reajuste pendente" from the morning its date arrives, whether or not this ran.
 * Each contract renews in its own short transaction, re-checked under a row lock: running twice (two app
 * instances, or a retry) renews nothing twice.
 */
@Injectable()
export class ContractRenewalJob {
  private readonly logger = new Logger(ContractRenewalJob.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clients: ClientsService,
  ) {}

  @Cron('10 0 * * *', { name: 'contracts-daily', timeZone: SAO_PAULO_TIME_ZONE })
  async daily(): Promise<void> {
    try {
      const renewed = await this.renewDue();
      if (renewed) this.logger.log(`renewed ${renewed} contract(s)`);
    } catch (error) {
      this.logger.error({ err: error }, 'contract renewal failed; it will be retried on the next run');
    }
  }

  /** Renews every contract due on `today` (São Paulo); returns how many were renewed. */
  async renewDue(today: IsoDate = todayInSaoPaulo()): Promise<number> {
    const due: Array<{ id: string }> = await this.dataSource.query(
      `SELECT k.id FROM contracts k JOIN clients c ON c.id = k.client_id
       WHERE k.auto_renew AND k.cancelled_at IS NULL AND k.end_date < $1::date AND ${liveClientSql('c')}
       ORDER BY k.end_date, k.id`,
      [today],
    );
    let renewed = 0;
    for (const { id } of due) if (await this.renewOne(id, today)) renewed += 1;
    return renewed;
  }

  private renewOne(id: string, today: IsoDate): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const contract = await tx
        .getRepository(Contract)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!contract || !isRenewalDue(contract, today) || !contract.endDate) return false;
      const period = contract.durationMonths ?? contract.readjustmentPeriodMonths;
      const plan = planRenewal({ endDate: contract.endDate, periodMonths: period }, today);
      if (plan.periodsAdded === 0) return false;
      await tx.query(
        `UPDATE contracts SET end_date = $2, version = version + 1, updated_at = now() WHERE id = $1`,
        [id, plan.endDate],
      );
      await tx.getRepository(ContractRevision).insert({
        contractId: id,
        kind: 'renewal',
        effectiveFrom: addDays(contract.endDate, 1),
        oldValue: contract.monthlyValue,
        newValue: contract.monthlyValue,
        percentApplied: null,
        oldEndDate: contract.endDate,
        newEndDate: plan.endDate,
        oldNextReadjustmentDate: contract.nextReadjustmentDate,
        newNextReadjustmentDate: contract.nextReadjustmentDate,
        operatorId: null,
        operatorName: null,
      });
      await this.clients.emit(tx, {
        clientId: contract.clientId,
        operator: null,
        action: 'renewed',
        subject: 'contract',
        changes: { endDate: [contract.endDate, plan.endDate] },
        subjectId: id,
        subjectLabel: contract.name,
      });
      return true;
    });
  }
}
