import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { onUniqueViolation } from '../common/errors/unique-violation';
import { isUuid } from '../common/ids';
import { CLIENT_CHANGED, ClientChangedEvent, diff, type ClientChange } from './client-events';
import { Client, CLIENT_FIELDS, type ClientStatus } from './client.entity';
import {
  ClientFieldError,
  ClientInactiveError,
  ClientVersionConflictError,
  DuplicateDocumentError,
} from './client.errors';
import { ClientsRepository, type ClientSummary, type ClientValues } from './clients.repository';
import { ClientFormDto } from './dto/client-form.dto';
import { normalizeCep } from './validation/address';
import { normalizeDocument } from './validation/document';
import { normalizeBrazilianPhone } from './validation/phone';
import { normalizeStateRegistration } from './validation/state-registration';

/** Whom a client is billed to, as one operator may know it (see `findBillingClient`). */
export type BillingPayer = ({ visible: true } & ClientSummary) | { visible: false };

/** Registration, edit and lookup of clients: each use case checks access, loads or 404s, changes, records. */
@Injectable()
export class ClientsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: ClientsRepository,
    private readonly events: EventEmitter2,
  ) {}

  /** A client the operator may see and that is not being deleted, or 404. */
  async findVisible(
    operator: SessionOperator,
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Client> {
    if (!isUuid(id)) throw new NotFoundException();
    const client = await this.repository.findVisible(operator, id, manager);
    if (!client) throw new NotFoundException();
    return client;
  }

  /**
   * Locks the client row FOR SHARE inside the caller's transaction and returns its committed status (404
   * when it is gone). For modules that create what keeps a client from being inactivated (tickets,
   * contracts): `ClientStatusService` takes the same row FOR UPDATE before counting blockers, so either the
   * new row is committed before the count (and inactivation is refused), or this waits and sees `inactive`.
   */
  async lockStatus(tx: EntityManager, clientId: string): Promise<ClientStatus> {
    const status = await this.repository.lockForShare(tx, clientId);
    if (!status) throw new NotFoundException();
    return status;
  }

  /** `lockStatus`, refusing an inactive client (no new tickets or contracts for it) with a 422. */
  async lockActive(tx: EntityManager, clientId: string): Promise<void> {
    if ((await this.lockStatus(tx, clientId)) !== 'active') throw new ClientInactiveError();
  }

  async create(operator: SessionOperator, dto: ClientFormDto): Promise<Client> {
    const values = toValues(dto);
    const created = this.dataSource.transaction(async (tx) => {
      await this.checkDocument(tx, values.document, null);
      await this.checkBilling(tx, operator, null, values.billingClientId);
      const client = await this.repository.insert(tx, values);
      await this.emit(tx, {
        clientId: client.id,
        operator,
        action: 'created',
        subject: 'client',
        changes: diff<ClientValues>(null, values, CLIENT_FIELDS),
      });
      return client;
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
      if (!(await this.repository.updateIfVersion(tx, id, current.version, values)))
        throw new ClientVersionConflictError(await this.findVisible(operator, id));
      const changes = diff<ClientValues>(current, values, CLIENT_FIELDS);
      if (Object.keys(changes).length)
        await this.emit(tx, { clientId: id, operator, action: 'updated', subject: 'client', changes });
      return this.repository.get(id, tx);
    });
    return updated.catch(this.documentTakenMeanwhile(values.document, id));
  }

  /** Active clients (other than `exceptId`) whose name or document matches, for the pickers. */
  searchPickable(
    operator: SessionOperator,
    q: string,
    exceptId?: string,
    limit = 20,
  ): Promise<ClientSummary[]> {
    const term = q.trim();
    return this.repository.searchActive(operator, term.length >= 2 ? term : '', exceptId, limit);
  }

  /**
   * The client another one is billed to, as this operator may know it: a payer the operator sees comes
   * with its name; one outside the operator's groups only says that billing goes elsewhere (never whose);
   * a payer marked for deletion is no payer at all.
   */
  async findBillingClient(operator: SessionOperator, id: string | null): Promise<BillingPayer | null> {
    // A typed value that is not a uuid (a 422 re-render) would be a SQL error, not "no such client".
    if (!id || !isUuid(id)) return null;
    const found = await this.repository.findLiveWithVisibility(operator, id);
    if (!found) return null;
    const { visible, ...payer } = found;
    return visible ? { visible: true, ...payer } : { visible: false };
  }

  /**
   * Announces a change of the client or its data inside the transaction that made it (`tx`); listeners
   * (the history, the integrations) write in that transaction, so the change and its record commit together.
   */
  async emit(tx: EntityManager, change: ClientChange): Promise<void> {
    await this.events.emitAsync(CLIENT_CHANGED, new ClientChangedEvent(tx, change));
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
    const holder = await this.repository.documentHolder(tx, document, exceptId);
    if (holder) throw new DuplicateDocumentError(holder);
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
    await this.repository.lockBillingGraph(tx);
    if (!(await this.repository.isVisible(tx, operator, billingId)))
      throw new ClientFieldError('billingClientId', 'validation.billingClient');
    if (clientId && (await this.repository.billingChainReaches(tx, billingId, clientId)))
      throw new ClientFieldError('billingClientId', 'clients.billingCycle');
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
