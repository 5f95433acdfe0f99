import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { visibleClientSql } from '../clients/client-scope';
import { ClientsService } from '../clients/clients.service';
import {
  isValidIsoDate,
  monthRange,
  todayInSaoPaulo,
  type IsoDate,
  type YearMonth,
} from '../common/calendar';
import { isUuid } from '../common/ids';
import { Decimal, Money, parseMoney, toSql, toSqlDecimal } from '../common/money';
import { SqlParams } from '../common/sql';
import { ContractRevision } from './contract-revision.entity';
import { Contract } from './contract.entity';
import { ContractCancelledError, ContractFieldError, ContractNotReadjustableError } from './contract.errors';
import { ContractsService } from './contracts.service';
import { parsePercent, planReadjustment, type ReadjustmentPlan } from './domain/contract-rules';

export interface ReadjustmentInput {
  percent?: string;
  newValue?: string;
  effectiveFrom?: string;
}

export interface DueContractRow {
  id: string;
  name: string;
  clientId: string;
  clientName: string;
  clientCode: string;
  monthlyValue: Money;
  nextReadjustmentDate: IsoDate;
  readjustmentIndex: string;
  readjustmentPercent: Decimal | null;
  contract: Contract;
}

/**
 * Readjustments (reajustes): one contract or many selected from the month they are due ("Data Base"). Each
 * writes a revision (adendo) effective from a date, with old and new value and who applied it, moves the
 * next readjustment date one period on (planReadjustment) and records the change in the client history,
 * all in one transaction.
 */
@Injectable()
export class ContractReadjustmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contracts: ContractsService,
    private readonly clients: ClientsService,
  ) {}

  async applyOne(operator: SessionOperator, id: string, input: ReadjustmentInput): Promise<ReadjustmentPlan> {
    const { percent, newValue, effectiveFrom } = parseInput(input, true);
    return this.dataSource.transaction(async (tx) => {
      const { contract } = await this.contracts.findVisible(operator, id, tx, true);
      return this.apply(tx, operator, contract, {
        percent,
        newValue,
        effectiveFrom: effectiveFrom ?? contract.nextReadjustmentDate,
      });
    });
  }

  /**
   * The same percentage applied to every selected contract, all or none. Each revision takes effect on the
   * contract's own readjustment date unless `effectiveFrom` says otherwise. Contracts are locked in id
   * order, so two bulk runs over overlapping selections cannot deadlock.
   */
  async applyMany(operator: SessionOperator, ids: string[], input: ReadjustmentInput): Promise<number> {
    const unique = [...new Set(ids)].filter(isUuid).sort();
    if (!unique.length) throw new ContractFieldError('contractIds', 'contracts.errors.noneSelected');
    const { percent, effectiveFrom } = parseInput(
      { percent: input.percent, effectiveFrom: input.effectiveFrom },
      false,
    );
    if (!percent) throw new ContractFieldError('percent', 'contracts.errors.percentOrNewValueRequired');
    return this.dataSource.transaction(async (tx) => {
      for (const id of unique) {
        const { contract } = await this.contracts.findVisible(operator, id, tx, true);
        await this.apply(tx, operator, contract, {
          percent,
          newValue: null,
          effectiveFrom: effectiveFrom ?? contract.nextReadjustmentDate,
        });
      }
      return unique.length;
    });
  }

  /** Contracts not cancelled whose next readjustment falls in `month`, of clients the operator sees. */
  async dueIn(operator: SessionOperator, month: YearMonth): Promise<DueContractRow[]> {
    const { first, last } = monthRange(month);
    const params = new SqlParams();
    const rows: Array<{ id: string; clientName: string; clientCode: string }> = await this.dataSource.query(
      `SELECT k.id, c.trade_name AS "clientName", c.code::text AS "clientCode"
       FROM contracts k JOIN clients c ON c.id = k.client_id
       WHERE k.cancelled_at IS NULL AND k.next_readjustment_date BETWEEN ${params.add(first)} AND ${params.add(last)}
         AND ${visibleClientSql(operator, params)}
       ORDER BY k.next_readjustment_date, c.trade_name, k.id
       LIMIT 1000`,
      params.values,
    );
    if (!rows.length) return [];
    const byId = new Map(
      (await this.dataSource.getRepository(Contract).findBy({ id: In(rows.map((r) => r.id)) })).map((k) => [
        k.id,
        k,
      ]),
    );
    return rows.map((row) => {
      const contract = byId.get(row.id)!;
      return {
        id: contract.id,
        name: contract.name,
        clientId: contract.clientId,
        clientName: row.clientName,
        clientCode: row.clientCode,
        monthlyValue: contract.monthlyValue,
        nextReadjustmentDate: contract.nextReadjustmentDate,
        readjustmentIndex: contract.readjustmentIndex,
        readjustmentPercent: contract.readjustmentPercent,
        contract,
      };
    });
  }

  private async apply(
    tx: EntityManager,
    operator: SessionOperator,
    contract: Contract,
    input: { percent: Decimal | null; newValue: Money | null; effectiveFrom: IsoDate },
  ): Promise<ReadjustmentPlan> {
    if (contract.cancelledAt) throw new ContractCancelledError();
    const status = contract.statusOn(todayInSaoPaulo());
    if (status !== 'active' && status !== 'pending_readjustment')
      throw new ContractNotReadjustableError(contract.name);
    const plan = planReadjustment({
      currentValue: contract.monthlyValue,
      percent: input.percent,
      newValue: input.newValue,
      nextReadjustmentDate: contract.nextReadjustmentDate,
      periodMonths: contract.readjustmentPeriodMonths,
      effectiveFrom: input.effectiveFrom,
    });
    if (!plan.ok) {
      const [field, code] = Object.entries(plan.errors)[0];
      throw new ContractFieldError(
        field === 'newValue' ? 'newValue' : field === 'effectiveFrom' ? 'effectiveFrom' : 'percent',
        code,
      );
    }
    const { newValue, nextReadjustmentDate, percentApplied, effectiveFrom } = plan.value;
    await tx.query(
      `UPDATE contracts SET monthly_value = $2, next_readjustment_date = $3, version = version + 1, updated_at = now() WHERE id = $1`,
      [contract.id, toSql(newValue), nextReadjustmentDate ?? contract.nextReadjustmentDate],
    );
    await tx.getRepository(ContractRevision).insert({
      contractId: contract.id,
      kind: 'readjustment',
      effectiveFrom,
      oldValue: contract.monthlyValue,
      newValue,
      percentApplied,
      oldNextReadjustmentDate: contract.nextReadjustmentDate,
      newNextReadjustmentDate: nextReadjustmentDate,
      operatorId: operator.id,
      operatorName: operator.name,
    });
    await this.clients.emit(tx, {
      clientId: contract.clientId,
      operator,
      action: 'readjusted',
      subject: 'contract',
      changes: {
        monthlyValue: [contract.monthlyValue.toString(), newValue.toString()],
        ...(percentApplied ? { percentApplied: [null, toSqlDecimal(percentApplied)] } : {}),
        effectiveFrom: [null, effectiveFrom],
        nextReadjustmentDate: [contract.nextReadjustmentDate, nextReadjustmentDate],
      },
      subjectId: contract.id,
      subjectLabel: contract.name,
    });
    return plan.value;
  }
}

/** The form's text → exact values; an unparsable field is a field error (422), not a 500. */
function parseInput(input: ReadjustmentInput, allowNewValue: boolean) {
  const percentText = input.percent?.trim() || undefined;
  const valueText = allowNewValue ? input.newValue?.trim() || undefined : undefined;
  const dateText = input.effectiveFrom?.trim() || undefined;
  if (percentText && valueText)
    throw new ContractFieldError('percent', 'contracts.errors.percentAndNewValue');
  if (!percentText && !valueText)
    throw new ContractFieldError('percent', 'contracts.errors.percentOrNewValueRequired');
  const percent = percentText ? parsePercent(percentText) : null;
  if (percentText && !percent) throw new ContractFieldError('percent', 'contracts.errors.invalidPercent');
  const newValue = valueText ? parseMoney(valueText) : null;
  if (valueText && !newValue) throw new ContractFieldError('newValue', 'contracts.errors.money');
  if (dateText && !isValidIsoDate(dateText))
    throw new ContractFieldError('effectiveFrom', 'contracts.errors.invalidDate');
  return { percent, newValue, effectiveFrom: dateText ?? null };
}
