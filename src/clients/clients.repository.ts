import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { SqlParams } from '../common/sql';
import type { TableCounts } from './client-deletion.entity';
import { clientListQuery, clientRowQuery } from './client-list.sql';
import {
  liveClientSql,
  MARK_FOR_DELETION_SQL,
  visibleClientSql,
  whereLiveClient,
  whereVisibleClient,
} from './client-scope';
import { Client, type ClientField, type ClientStatus } from './client.entity';
import type { ListState } from './dto/list-clients.query';
import { escapeLike, normalizeSearch } from './search';

export type ClientValues = Pick<Client, ClientField>;
export type ClientSummary = Pick<Client, 'id' | 'code' | 'tradeName' | 'document'>;

/** A row of the client list, as the list statement (client-list.sql.ts) returns it. */
export interface ClientRow {
  id: string;
  code: string;
  tradeName: string;
  legalName: string | null;
  document: string | null;
  city: string | null;
  state: string | null;
  status: ClientStatus;
  missingGroups: boolean;
  missingDesks: boolean;
  primaryContactId: string | null;
  primaryContactName: string | null;
  primaryContactPhone: string | null;
  contactsWithPhone: number;
}

/**
 * The SQL of clients, named after what it does for the domain. Every read goes through the client scope
 * (client-scope.ts). Methods that only make sense inside a transaction (locks, writes) take its
 * EntityManager first; reads take one last, defaulting to the data source.
 */
@Injectable()
export class ClientsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A client the operator may see, or null. */
  findVisible(
    operator: SessionOperator,
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Client | null> {
    return whereVisibleClient(
      manager.getRepository(Client).createQueryBuilder('c').where('c.id = :id', { id }),
      operator,
    ).getOne();
  }

  /** A client not marked for deletion, whoever asks (background work), or null. */
  findLive(id: string, manager: EntityManager = this.dataSource.manager): Promise<Client | null> {
    return whereLiveClient(
      manager.getRepository(Client).createQueryBuilder('c').where('c.id = :id', { id }),
    ).getOne();
  }

  /**
   * Locks the client row FOR SHARE until the transaction ends and returns its committed status (null when
   * it is gone). Whatever creates what keeps a client active (a ticket, a contract, a contact) takes this
   * lock; a status change takes FOR UPDATE (`lockForUpdate`), so the two serialise.
   */
  async lockForShare(tx: EntityManager, id: string): Promise<ClientStatus | null> {
    const [row] = await tx.query(
      `SELECT c.status FROM clients c WHERE c.id = $1 AND ${liveClientSql()} FOR SHARE`,
      [id],
    );
    return (row?.status as ClientStatus | undefined) ?? null;
  }

  /** Locks the client row FOR UPDATE until the transaction ends; its code, or null when it is gone. */
  async lockForUpdate(tx: EntityManager, id: string): Promise<{ code: string } | null> {
    const [row] = await tx.query(
      `SELECT c.code::text AS code FROM clients c WHERE c.id = $1 AND ${liveClientSql()} FOR UPDATE`,
      [id],
    );
    return row ?? null;
  }

  async insert(tx: EntityManager, values: ClientValues): Promise<Client> {
    const repository = tx.getRepository(Client);
    const { id } = await repository.save(repository.create({ ...values, status: 'active', version: 1 }));
    return repository.findOneByOrFail({ id });
  }

  /** Saves an edit only if the row still has `version`; false when someone saved in between. */
  async updateIfVersion(
    tx: EntityManager,
    id: string,
    version: number,
    values: ClientValues,
  ): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(Client)
      .set({ ...values, version: () => 'version + 1' })
      .where('id = :id AND version = :version', { id, version })
      .execute();
    return Boolean(result.affected);
  }

  async setStatus(tx: EntityManager, id: string, status: ClientStatus): Promise<void> {
    await tx.query(
      `UPDATE clients SET status = $2, version = version + 1, updated_at = now() WHERE id = $1`,
      [id, status],
    );
  }

  get(id: string, manager: EntityManager = this.dataSource.manager): Promise<Client> {
    return manager.getRepository(Client).findOneByOrFail({ id });
  }

  /** The client not being deleted that holds this CNPJ/CPF (other than `exceptId`), or null. */
  documentHolder(
    tx: EntityManager,
    document: string,
    exceptId: string | null,
  ): Promise<Pick<Client, 'code' | 'tradeName'> | null> {
    const qb = whereLiveClient(
      tx
        .getRepository(Client)
        .createQueryBuilder('c')
        .select(['c.code', 'c.tradeName'])
        .where('c.document = :document', { document }),
    );
    if (exceptId) qb.andWhere('c.id <> :exceptId', { exceptId });
    return qb.getOne();
  }

  /** Whether the operator may see this client (e.g. choose it as a payer). */
  isVisible(tx: EntityManager, operator: SessionOperator, id: string): Promise<boolean> {
    return whereVisibleClient(
      tx.getRepository(Client).createQueryBuilder('c').where('c.id = :id', { id }),
      operator,
    ).getExists();
  }

  /** Serialises billing changes until the transaction ends, so two edits cannot close a cycle together. */
  async lockBillingGraph(tx: EntityManager): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('clientela:billing-graph'))`);
  }

  /** Whether following the payers from `fromId` (itself included) reaches `targetId`. */
  async billingChainReaches(tx: EntityManager, fromId: string, targetId: string): Promise<boolean> {
    const [{ reaches }] = await tx.query(
      `WITH RECURSIVE chain(id, depth) AS (
         SELECT $1::uuid, 0
         UNION ALL
         SELECT c.billing_client_id, chain.depth + 1 FROM clients c JOIN chain ON c.id = chain.id
         WHERE c.billing_client_id IS NOT NULL AND chain.depth < 1000
       ) SELECT EXISTS (SELECT 1 FROM chain WHERE id = $2::uuid) AS reaches`,
      [fromId, targetId],
    );
    return reaches;
  }

  /** Active clients the operator sees (other than `exceptId`) whose name or document contains `term`. */
  searchActive(
    operator: SessionOperator,
    term: string,
    exceptId: string | undefined,
    limit: number,
  ): Promise<ClientSummary[]> {
    const qb = whereVisibleClient(
      this.dataSource
        .getRepository(Client)
        .createQueryBuilder('c')
        .select(['c.id', 'c.code', 'c.tradeName', 'c.document'])
        .where(`c.status = 'active'`),
      operator,
    )
      .orderBy('c.tradeName')
      .addOrderBy('c.id')
      .limit(limit);
    if (exceptId) qb.andWhere('c.id <> :exceptId', { exceptId });
    if (term) {
      qb.andWhere(`c.search_text LIKE '%' || lower(clientela_unaccent(:term)) || '%'`, {
        term: escapeLike(normalizeSearch(term)),
      });
    }
    return qb.getMany();
  }

  /** A live client with whether this operator may see it (null when it is gone). */
  async findLiveWithVisibility(
    operator: SessionOperator,
    id: string,
  ): Promise<(ClientSummary & { visible: boolean }) | null> {
    const params = new SqlParams();
    const [row] = await this.dataSource.query(
      `SELECT c.id, c.code::text AS code, c.trade_name AS "tradeName", c.document,
              (${visibleClientSql(operator, params)}) AS visible
       FROM clients c WHERE c.id = ${params.add(id)} AND ${liveClientSql()}`,
      params.values,
    );
    return row ?? null;
  }

  /** How many other live clients are billed to this one (faturamento quarteirizado). */
  async countBilledTo(id: string): Promise<number> {
    const [{ billed }] = await this.dataSource.query(
      `SELECT count(*)::int AS billed FROM clients c WHERE c.billing_client_id = $1 AND c.id <> $1 AND ${liveClientSql()}`,
      [id],
    );
    return billed;
  }

  /** The live clients billed to this one pay for themselves from now on; their ids. */
  async detachBilledClients(tx: EntityManager, id: string): Promise<string[]> {
    const [rows] = (await tx.query(
      `UPDATE clients c SET billing_client_id = NULL, version = version + 1, updated_at = now()
       WHERE c.billing_client_id = $1 AND c.id <> $1 AND ${liveClientSql()} RETURNING c.id`,
      [id],
    )) as [Array<{ id: string }>, number];
    return rows.map((r) => r.id);
  }

  /** Marks the client: from now on it is outside every scope, and the purge removes its data. */
  async markForDeletion(tx: EntityManager, id: string): Promise<void> {
    await tx.query(`UPDATE clients SET ${MARK_FOR_DELETION_SQL}, updated_at = now() WHERE id = $1`, [id]);
  }

  /** The PII-free proof of a deletion: which client, who asked, and how much data it had. */
  async recordDeletion(
    tx: EntityManager,
    deletion: { clientId: string; clientCode: string; requestedBy: string; counts: TableCounts },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO client_deletions (client_id, client_code, requested_by, counts) VALUES ($1, $2, $3, $4::jsonb)`,
      [deletion.clientId, deletion.clientCode, deletion.requestedBy, JSON.stringify(deletion.counts)],
    );
  }

  /** One list page: rows `{ total, ...ClientRow }` in display order (see clientListQuery). */
  listPage(
    operator: SessionOperator,
    state: ListState,
  ): Promise<{ rows: Array<ClientRow & { total: number; sortKey?: unknown }>; search: boolean }> {
    const query = clientListQuery(operator, state);
    return this.dataSource.query(query.text, query.values).then((rows) => ({ rows, search: query.search }));
  }

  /** One row as the list shows it, if the operator may see the client. */
  async row(operator: SessionOperator, id: string): Promise<ClientRow | null> {
    const query = clientRowQuery(operator, id);
    const [row] = await this.dataSource.query(query.text, query.values);
    return row ?? null;
  }
}
