import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { TotpService, type TotpVerification } from '../auth/totp/totp.service';
import { AuditLogger } from '../common/audit-logger';
import type { TableCounts } from './client-deletion.entity';
import type { Client } from './client.entity';
import { liveClientSql, MARK_FOR_DELETION_SQL } from './client-scope';
import { ClientsService } from './clients.service';
import { summarizeDeletion, type DeletionKind } from './deletion-summary';
import { ClientGraph } from './purge/client-graph';

export interface DeletionPreview {
  client: Client;
  kinds: DeletionKind[];
  /** Other clients billed to this one (faturamento quarteirizado); they will pay for themselves. */
  billedClients: number;
}

export type DeletionOutcome =
  | { ok: true; client: Client; counts: TableCounts }
  | { ok: false; verification: TotpVerification & { ok: false } };

export interface RequestContext {
  ip?: string;
  requestId?: unknown;
}

/** Deletion of a client (SPEC §6): the blast radius, then the TOTP-confirmed mark. The purge does the rest. */
@Injectable()
export class ClientDeletionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clients: ClientsService,
    private readonly totp: TotpService,
    private readonly audit: AuditLogger,
  ) {}

  /** Step 1: every kind of data that would go, with counts, found from the catalog. */
  async preview(operator: SessionOperator, id: string): Promise<DeletionPreview> {
    const client = await this.clients.findVisible(operator, id);
    const graph = await ClientGraph.load(this.dataSource.manager);
    const [counts, [{ billed }]] = await Promise.all([
      graph.countRows(this.dataSource.manager, client.id),
      this.dataSource.query(
        `SELECT count(*)::int AS billed FROM clients c WHERE c.billing_client_id = $1 AND c.id <> $1 AND ${liveClientSql()}`,
        [client.id],
      ) as Promise<Array<{ billed: number }>>,
    ]);
    return { client, kinds: summarizeDeletion(counts), billedClients: billed };
  }

  /**
   * Step 2, one transaction (S19): the code is verified and its time step claimed, the client is marked
   * (from then on every query skips it and the guard trigger refuses new rows for it), clients billed to
   * it stop being, and the PII-free deletion record is written with the counts. A wrong code changes
   * nothing but the operator's failure count.
   */
  async request(
    operator: SessionOperator,
    id: string,
    code: string,
    context: RequestContext,
  ): Promise<DeletionOutcome> {
    const outcome = await this.dataSource.transaction(async (tx): Promise<DeletionOutcome> => {
      const client = await this.clients.findVisible(operator, id, tx);
      // Counted first: the claim below holds the operator row until commit, so keep what follows short.
      const counts = await (await ClientGraph.load(tx)).countRows(tx, client.id);
      const verification = await this.totp.verify(
        operator.id,
        code,
        { purpose: 'client_deletion', clientId: client.id, ip: context.ip, requestId: context.requestId },
        tx,
      );
      // Refused: commit anyway (nothing else changed), so the failure counts against the limits.
      if (!verification.ok) return { ok: false, verification };
      // Another request may have marked it since findVisible: the row lock settles who was first.
      const [current] = (await tx.query(
        `SELECT code::text AS code FROM clients c WHERE c.id = $1 AND ${liveClientSql()} FOR UPDATE`,
        [client.id],
      )) as Array<{ code: string }>;
      if (!current) throw new NotFoundException();
      const billed = (await tx.query(
        `UPDATE clients c SET billing_client_id = NULL, version = version + 1, updated_at = now()
         WHERE c.billing_client_id = $1 AND c.id <> $1 AND ${liveClientSql()} RETURNING c.id`,
        [client.id],
      )) as [Array<{ id: string }>, number];
      for (const { id: billedId } of billed[0]) {
        await this.clients.emit(tx, billedId, operator, 'updated', 'billing', {});
      }
      await tx.query(`UPDATE clients SET ${MARK_FOR_DELETION_SQL}, updated_at = now() WHERE id = $1`, [
        client.id,
      ]);
      await tx.query(
        `INSERT INTO client_deletions (client_id, client_code, requested_by, counts) VALUES ($1, $2, $3, $4::jsonb)`,
        [client.id, current.code, operator.id, JSON.stringify(counts)],
      );
      return { ok: true, client, counts };
    });
    if (outcome.ok) {
      this.audit.log('client.deletion_requested', {
        operatorId: operator.id,
        clientId: outcome.client.id,
        clientCode: outcome.client.code,
        counts: outcome.counts,
        ip: context.ip,
        requestId: context.requestId,
      });
    }
    return outcome;
  }
}
