import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { diff } from '../clients/client-events';
import type { Client } from '../clients/client.entity';
import { ClientInactiveError } from '../clients/client.errors';
import { ClientsService } from '../clients/clients.service';
import { todayInSaoPaulo } from '../common/calendar';
import { isUuid } from '../common/ids';
import { toSql, toSqlDecimal } from '../common/money';
import { ContractRevision } from './contract-revision.entity';
import { CONTRACT_VALUE_FIELDS, historySnapshot, type ContractValues } from './contract-values';
import { Contract } from './contract.entity';
import { ContractCancelledError, ContractVersionConflictError } from './contract.errors';
import { computeContractStatus } from './domain/contract-rules';

/**
 * Contracts of a client: each use case checks access through the client, loads or 404s,
 * changes and records the change in the client history in the same transaction. Creating (or editing a
 * contract back into force) locks the client row FOR SHARE and refuses an inactive client, so it cannot
 * interleave with an inactivation (which locks the row FOR UPDATE and counts contracts in force).
 */
@Injectable()
export class ContractsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clients: ClientsService,
  ) {}

  /** The contract and its client, when the operator may see the client; otherwise 404. */
  async findVisible(
    operator: SessionOperator,
    id: string,
    manager: EntityManager = this.dataSource.manager,
    lock = false,
  ): Promise<{ contract: Contract; client: Client }> {
    if (!isUuid(id)) throw new NotFoundException();
    const contract = await manager
      .getRepository(Contract)
      .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!contract) throw new NotFoundException();
    const client = await this.clients.findVisible(operator, contract.clientId, manager);
    return { contract, client };
  }

  listForClient(clientId: string): Promise<Contract[]> {
    return this.dataSource
      .getRepository(Contract)
      .find({ where: { clientId }, order: { startDate: 'DESC', name: 'ASC', id: 'ASC' } });
  }

  revisions(contractId: string): Promise<ContractRevision[]> {
    return this.dataSource
      .getRepository(ContractRevision)
      .find({ where: { contractId }, order: { createdAt: 'DESC', id: 'ASC' } });
  }

  async create(operator: SessionOperator, clientId: string, values: ContractValues): Promise<Contract> {
    return this.dataSource.transaction(async (tx) => {
      await this.clients.findVisible(operator, clientId, tx);
      await this.clients.lockActive(tx, clientId);
      const repo = tx.getRepository(Contract);
      const saved = await repo.save(
        repo.create({ ...values, clientId, version: 1, cancelledAt: null, cancellationReason: null }),
      );
      await this.clients.emit(tx, {
        clientId,
        operator,
        action: 'created',
        subject: 'contract',
        changes: diff(null, historySnapshot(values), CONTRACT_VALUE_FIELDS),
        subjectId: saved.id,
        subjectLabel: saved.name,
      });
      return repo.findOneByOrFail({ id: saved.id });
    });
  }

  /**
   * Saves an edit only if nobody saved since the operator loaded the form (`version`). A cancelled contract
   * takes no edits; for an inactive client, an edit may not put a contract back in force.
   */
  async update(
    operator: SessionOperator,
    id: string,
    values: ContractValues,
    version: number | undefined,
  ): Promise<Contract> {
    return this.dataSource.transaction(async (tx) => {
      const { contract, client } = await this.findVisible(operator, id, tx, true);
      // An edit that does not say which version it was made on cannot be told from a stale one.
      if (version !== contract.version) throw new ContractVersionConflictError(contract);
      if (contract.cancelledAt) throw new ContractCancelledError();
      const status = await this.clients.lockStatus(tx, client.id);
      const next = computeContractStatus({ ...values, cancelledAt: null }, todayInSaoPaulo());
      if (status !== 'active' && (next === 'active' || next === 'pending_readjustment'))
        throw new ClientInactiveError();
      await tx.query(
        `UPDATE contracts SET name = $2, modality = $3, start_date = $4, end_date = $5, duration_months = $6,
           monthly_value = $7, included_hours = $8, included_tickets = $9, readjustment_index = $10,
           readjustment_percent = $11, readjustment_period_months = $12, next_readjustment_date = $13,
           auto_renew = $14, version = version + 1, updated_at = now()
         WHERE id = $1`,
        [
          id,
          values.name,
          values.modality,
          values.startDate,
          values.endDate,
          values.durationMonths,
          toSql(values.monthlyValue),
          values.includedHours ? toSqlDecimal(values.includedHours) : null,
          values.includedTickets,
          values.readjustmentIndex,
          values.readjustmentPercent ? toSqlDecimal(values.readjustmentPercent) : null,
          values.readjustmentPeriodMonths,
          values.nextReadjustmentDate,
          values.autoRenew,
        ],
      );
      const changes = diff(historySnapshot(contract), historySnapshot(values), CONTRACT_VALUE_FIELDS);
      if (Object.keys(changes).length)
        await this.clients.emit(tx, {
          clientId: client.id,
          operator,
          action: 'updated',
          subject: 'contract',
          changes,
          subjectId: id,
          subjectLabel: values.name,
        });
      return tx.getRepository(Contract).findOneByOrFail({ id });
    });
  }

  async cancel(operator: SessionOperator, id: string, reason: string | null): Promise<Contract> {
    return this.dataSource.transaction(async (tx) => {
      const { contract, client } = await this.findVisible(operator, id, tx, true);
      if (contract.cancelledAt) throw new ContractCancelledError();
      const today = todayInSaoPaulo();
      const before = contract.statusOn(today);
      await tx.query(
        `UPDATE contracts SET cancelled_at = now(), cancellation_reason = $2, version = version + 1, updated_at = now() WHERE id = $1`,
        [id, reason],
      );
      await this.clients.emit(tx, {
        clientId: client.id,
        operator,
        action: 'cancelled',
        subject: 'contract',
        changes: {
          contractStatus: [before, 'cancelled'],
          ...(reason ? { cancellationReason: [null, reason] } : {}),
        },
        subjectId: id,
        subjectLabel: contract.name,
      });
      return tx.getRepository(Contract).findOneByOrFail({ id });
    });
  }
}
