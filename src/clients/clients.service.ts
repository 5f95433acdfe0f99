import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { onUniqueViolation } from '../common/errors/unique-violation';
import { isUuid } from '../common/ids';
import { visibleClientCondition } from '../relationships/access-scope';
import { CLIENT_CHANGED, ClientChangedEvent, diff } from './client-events';
import { Client, CLIENT_FIELDS, type ClientField } from './client.entity';
import { ClientFieldError, ClientVersionConflictError, DuplicateDocumentError } from './client.errors';
import { ClientFormDto } from './dto/client-form.dto';
import { normalizeCep } from './validation/address';
import { normalizeDocument } from './validation/document';
import { normalizeBrazilianPhone } from './validation/phone';
import { normalizeStateRegistration } from './validation/state-registration';

type ClientValues = Pick<Client, ClientField>;

/** Registration, edit and lookup of clients: each use case checks access, loads or 404s, changes, records. */
@Injectable()
export class ClientsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: EventEmitter2,
  ) {}

  /** A client the operator may see and that is not being deleted, or 404. */
  async findVisible(
    operator: SessionOperator,
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Client> {
    if (!isUuid(id)) throw new NotFoundException();
    const scope = visibleClientCondition(operator);
    const client = await manager
      .getRepository(Client)
      .createQueryBuilder('c')
      .where('c.id = :id AND c.deletion_requested_at IS NULL', { id })
      .andWhere(scope.sql, scope.params)
      .getOne();
    if (!client) throw new NotFoundException();
    return client;
  }

  async create(operator: SessionOperator, dto: ClientFormDto): Promise<Client> {
    const values = toValues(dto);
    const created = this.dataSource.transaction(async (tx) => {
      await this.checkDocument(tx, values.document, null);
      await this.checkBilling(tx, operator, null, values.billingClientId);
      const client = await tx
        .getRepository(Client)
        .save(tx.getRepository(Client).create({ ...values, status: 'active', version: 1 }));
      const saved = await tx.getRepository(Client).findOneByOrFail({ id: client.id });
      await this.emit(
        tx,
        saved.id,
        operator,
        'created',
        'client',
        diff<ClientValues>(null, values, CLIENT_FIELDS),
      );
      return saved;
    });
    return created.catch(this.documentTakenMeanwhile(values.document, null));
  }

  /**
   * Saves an edit only if nobody saved since the operator loaded the form (`version`, required); otherwise
   * throws a conflict carrying the current record, and writes nothing.
   */
  async update(operator: SessionOperator, id: string, dto: ClientFormDto): Promise<Client> {
    const values = toValues(dto);
    const updated = this.dataSource.transaction(async (tx) => {
      const current = await this.findVisible(operator, id, tx);
      // An edit that does not say which version it was made on cannot be told from a stale one.
      if (dto.version !== current.version) throw new ClientVersionConflictError(current);
      await this.checkDocument(tx, values.document, id);
      await this.checkBilling(tx, operator, id, values.billingClientId);
      const result = await tx
        .createQueryBuilder()
        .update(Client)
        .set({ ...values, version: () => 'version + 1' })
        .where('id = :id AND version = :version', { id, version: current.version })
        .execute();
      if (!result.affected) throw new ClientVersionConflictError(await this.findVisible(operator, id));
      const changes = diff<ClientValues>(current, values, CLIENT_FIELDS);
      if (Object.keys(changes).length) await this.emit(tx, id, operator, 'updated', 'client', changes);
      return tx.getRepository(Client).findOneByOrFail({ id });
    });
    return updated.catch(this.documentTakenMeanwhile(values.document, id));
  }

  /** Active clients (other than `exceptId`) whose name or document matches, for the billing picker. */
  async searchPickable(operator: SessionOperator, q: string, exceptId?: string, limit = 20) {
    const scope = visibleClientCondition(operator);
    const qb = this.dataSource
      .getRepository(Client)
      .createQueryBuilder('c')
      .select(['c.id', 'c.code', 'c.tradeName', 'c.document'])
      .where(`c.deletion_requested_at IS NULL AND c.status = 'active'`)
      .andWhere(scope.sql, scope.params)
      .orderBy('c.tradeName')
      .addOrderBy('c.id')
      .limit(limit);
    if (exceptId) qb.andWhere('c.id <> :exceptId', { exceptId });
    const term = q.trim();
    if (term.length >= 2) {
      qb.andWhere(`c.search_text LIKE '%' || lower(clientela_unaccent(:term)) || '%'`, {
        term: escapeLike(normalizeSearch(term)),
      });
    }
    return qb.getMany();
  }

  async findBillingClient(
    id: string | null,
  ): Promise<Pick<Client, 'id' | 'code' | 'tradeName' | 'document'> | null> {
    // A typed value that is not a uuid (a 422 re-render) would be a SQL error, not "no such client".
    if (!id || !isUuid(id)) return null;
    return this.dataSource
      .getRepository(Client)
      .findOne({ select: { id: true, code: true, tradeName: true, document: true }, where: { id } });
  }

  async emit(
    manager: EntityManager,
    clientId: string,
    operator: SessionOperator | null,
    action: string,
    subject: string,
    changes: ClientChangedEvent['changes'],
    subjectId: string | null = null,
    subjectLabel: string | null = null,
  ): Promise<void> {
    await this.events.emitAsync(
      CLIENT_CHANGED,
      new ClientChangedEvent(manager, clientId, operator, action, subject, changes, subjectId, subjectLabel),
    );
  }

  /** A simultaneous save took the document after our check: answer with the same refusal as the check. */
  private documentTakenMeanwhile(document: string | null, exceptId: string | null) {
    return onUniqueViolation({
      clients_document_key: () => this.checkDocument(this.dataSource.manager, document, exceptId),
    });
  }

  private async checkDocument(
    tx: EntityManager,
    document: string | null,
    exceptId: string | null,
  ): Promise<void> {
    if (!document) return;
    const qb = tx
      .getRepository(Client)
      .createQueryBuilder('c')
      .select(['c.code', 'c.tradeName'])
      .where('c.document = :document AND c.deletion_requested_at IS NULL', { document });
    if (exceptId) qb.andWhere('c.id <> :exceptId', { exceptId });
    const existing = await qb.getOne();
    if (existing) throw new DuplicateDocumentError(existing);
  }

  /**
   * Faturamento quarteirizado: the payer must be another visible, existing client, and following the
   * payer chain must never come back to this client (no cycles). Billing changes are serialised so two
   * concurrent edits cannot close a cycle together.
   */
  private async checkBilling(
    tx: EntityManager,
    operator: SessionOperator,
    clientId: string | null,
    billingId: string | null,
  ) {
    if (!billingId) return;
    if (billingId === clientId) throw new ClientFieldError('billingClientId', 'clients.billingSelf');
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('clientela:billing-graph'))`);
    const scope = visibleClientCondition(operator);
    const payer = await tx
      .getRepository(Client)
      .createQueryBuilder('c')
      .where('c.id = :billingId AND c.deletion_requested_at IS NULL', { billingId })
      .andWhere(scope.sql, scope.params)
      .getExists();
    if (!payer) throw new ClientFieldError('billingClientId', 'validation.billingClient');
    if (!clientId) return;
    const [{ cycle }] = await tx.query(
      `WITH RECURSIVE chain(id, depth) AS (
         SELECT $1::uuid, 0
         UNION ALL
         SELECT c.billing_client_id, chain.depth + 1 FROM clients c JOIN chain ON c.id = chain.id
         WHERE c.billing_client_id IS NOT NULL AND chain.depth < 1000
       ) SELECT EXISTS (SELECT 1 FROM chain WHERE id = $2::uuid) AS cycle`,
      [billingId, clientId],
    );
    if (cycle) throw new ClientFieldError('billingClientId', 'clients.billingCycle');
  }
}

/** Form values → stored values: documents unmasked upper-case, phones E.164, CEP digits, UF upper-case. */
function toValues(dto: ClientFormDto): ClientValues {
  return {
    tradeName: dto.tradeName,
    legalName: dto.legalName ?? null,
    personType: dto.personType ?? 'PJ',
    document: dto.document ? normalizeDocument(dto.document) : null,
    stateRegistration: dto.stateRegistration ? normalizeStateRegistration(dto.stateRegistration) : null,
    municipalRegistration: dto.municipalRegistration ?? null,
    email: dto.email?.toLowerCase() ?? null,
    financialEmail: dto.financialEmail?.toLowerCase() ?? null,
    phone: dto.phone ? normalizeBrazilianPhone(dto.phone) : null,
    website: dto.website ?? null,
    postalCode: dto.postalCode ? normalizeCep(dto.postalCode) : null,
    street: dto.street ?? null,
    number: dto.number ?? null,
    complement: dto.complement ?? null,
    district: dto.district ?? null,
    city: dto.city ?? null,
    state: dto.state ? dto.state.toUpperCase() : null,
    notes: dto.notes ?? null,
    billingClientId: dto.billingClientId ?? null,
  };
}

/** Lower-cases; a query that looks like a CNPJ/CPF (digits and mask punctuation) loses the punctuation. */
export function normalizeSearch(q: string): string {
  const trimmed = q.trim().toLowerCase();
  return /^[\d.\-/\s]+$/.test(trimmed) ||
    /^[0-9a-z]{2}\.[0-9a-z]{3}\.[0-9a-z]{3}\/[0-9a-z]{4}-\d{2}$/.test(trimmed)
    ? trimmed.replace(/[.\-/\s]/g, '')
    : trimmed;
}

export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
