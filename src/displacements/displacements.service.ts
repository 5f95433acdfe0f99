import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { diff } from '../clients/client-events';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { AppError } from '../common/errors/app-error';
import { isUuid } from '../common/ids';
import { compareDecimals, Decimal, Money, parseDecimal, parseMoney } from '../common/money';
import { Displacement } from './displacement.entity';
import type { DisplacementFormDto } from './dto/displacement-form.dto';

export interface DisplacementValues {
  name: string;
  value: Money;
  contractId: string | null;
  distanceKm: Decimal | null;
  notes: string | null;
}
const FIELDS = ['name', 'value', 'contract', 'distanceKm', 'notes'] as const;
/** numeric(9,2). */
const MAX_KM = Decimal.of(10_000_000n);

/** The chosen contract is not one of this client's: a field error, never a foreign-key 500. */
export class DisplacementContractError extends AppError {
  readonly field = 'contractId';
  constructor() {
    super(422, 'displacements.errors.contract');
  }
}

/** A client's one-off travel charges (deslocamentos avulsos): CRUD recorded in the client history. */
@Injectable()
export class DisplacementsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clients: ClientsService,
  ) {}

  listForClient(clientId: string): Promise<Displacement[]> {
    return this.dataSource
      .getRepository(Displacement)
      .find({ where: { clientId }, order: { createdAt: 'DESC', id: 'ASC' } });
  }

  /** The displacement and its client when the operator may see the client; otherwise 404. */
  async findVisible(operator: SessionOperator, id: string, manager: EntityManager = this.dataSource.manager) {
    if (!isUuid(id)) throw new NotFoundException();
    const displacement = await manager.getRepository(Displacement).findOneBy({ id });
    if (!displacement) throw new NotFoundException();
    const client: Client = await this.clients.findVisible(operator, displacement.clientId, manager);
    return { displacement, client };
  }

  /** The client's contracts, for the optional "contract" select (cancelled ones are not offered). */
  contractOptions(clientId: string): Promise<Array<{ id: string; name: string }>> {
    return this.dataSource.query(
      `SELECT id, name FROM contracts WHERE client_id = $1 AND cancelled_at IS NULL ORDER BY name, id`,
      [clientId],
    );
  }

  /** Every contract name of the client (cancelled included: old displacements may point at one). */
  async contractNames(clientId: string): Promise<Map<string, string>> {
    const rows: Array<{ id: string; name: string }> = await this.dataSource.query(
      `SELECT id, name FROM contracts WHERE client_id = $1`,
      [clientId],
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async create(
    operator: SessionOperator,
    clientId: string,
    values: DisplacementValues,
  ): Promise<Displacement> {
    return this.dataSource.transaction(async (tx) => {
      await this.clients.findVisible(operator, clientId, tx);
      await this.checkContract(tx, clientId, values.contractId, null);
      const repo = tx.getRepository(Displacement);
      const saved = await repo.save(repo.create({ ...values, clientId }));
      const after = snapshot(values, await contractName(tx, values.contractId));
      await this.clients.emit(tx, {
        clientId,
        operator,
        action: 'created',
        subject: 'displacement',
        changes: diff(null, after, FIELDS),
        subjectId: saved.id,
        subjectLabel: saved.name,
      });
      return saved;
    });
  }

  async update(operator: SessionOperator, id: string, values: DisplacementValues): Promise<Displacement> {
    return this.dataSource.transaction(async (tx) => {
      const { displacement, client } = await this.findVisible(operator, id, tx);
      await tx.query(`SELECT 1 FROM displacements WHERE id = $1 FOR UPDATE`, [id]);
      await this.checkContract(tx, client.id, values.contractId, displacement.contractId);
      await tx.getRepository(Displacement).update(id, { ...values });
      const before = snapshot(displacement, await contractName(tx, displacement.contractId));
      const changes = diff(before, snapshot(values, await contractName(tx, values.contractId)), FIELDS);
      if (Object.keys(changes).length)
        await this.clients.emit(tx, {
          clientId: client.id,
          operator,
          action: 'updated',
          subject: 'displacement',
          changes,
          subjectId: id,
          subjectLabel: values.name,
        });
      return tx.getRepository(Displacement).findOneByOrFail({ id });
    });
  }

  async remove(operator: SessionOperator, id: string): Promise<Displacement> {
    return this.dataSource.transaction(async (tx) => {
      const { displacement, client } = await this.findVisible(operator, id, tx);
      await tx.getRepository(Displacement).delete(id);
      await this.clients.emit(tx, {
        clientId: client.id,
        operator,
        action: 'deleted',
        subject: 'displacement',
        changes: diff(snapshot(displacement, await contractName(tx, displacement.contractId)), {}, FIELDS),
        subjectId: id,
        subjectLabel: displacement.name,
      });
      return displacement;
    });
  }

  /** A contract of this client, not cancelled (keeping the one already linked is always allowed). */
  private async checkContract(
    tx: EntityManager,
    clientId: string,
    contractId: string | null,
    current: string | null,
  ) {
    if (!contractId || contractId === current) return;
    if (!isUuid(contractId)) throw new DisplacementContractError();
    const [row] = await tx.query(
      `SELECT 1 FROM contracts WHERE id = $1 AND client_id = $2 AND cancelled_at IS NULL`,
      [contractId, clientId],
    );
    if (!row) throw new DisplacementContractError();
  }
}

/** Form text → values: `value` in BRL (`1.500,00` or `1500.00`), km with up to 2 decimals (`12,5`). */
export function parseDisplacementValues(
  raw: Partial<Record<keyof DisplacementFormDto, unknown>>,
): { ok: true; values: DisplacementValues } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const valueText = str(raw.value);
  const value = valueText === undefined ? null : parseMoney(valueText);
  if (valueText === undefined) errors.value = 'validation.required';
  else if (!value) errors.value = 'contracts.errors.money';
  const kmText = str(raw.distanceKm);
  const distanceKm = kmText === undefined ? null : parseDecimal(kmText, 2);
  if (kmText !== undefined && (!distanceKm || compareDecimals(distanceKm, MAX_KM) >= 0))
    errors.distanceKm = 'displacements.errors.distance';
  if (Object.keys(errors).length || !value) return { ok: false, errors };
  return {
    ok: true,
    values: {
      name: str(raw.name) ?? '',
      value,
      contractId: str(raw.contractId) ?? null,
      distanceKm,
      notes: str(raw.notes) ?? null,
    },
  };
}

/** What the history records: plain JSON, the contract by name (an id means nothing to a reader). */
const snapshot = (v: Partial<DisplacementValues>, contract: string | null) => ({
  name: v.name,
  value: v.value?.toString(),
  contract,
  distanceKm: v.distanceKm?.toString() ?? null,
  notes: v.notes,
});

async function contractName(tx: EntityManager, id: string | null | undefined): Promise<string | null> {
  if (!id) return null;
  const [row] = await tx.query(`SELECT name FROM contracts WHERE id = $1`, [id]);
  return row?.name ?? null;
}
