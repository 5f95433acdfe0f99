import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { TotpService, type TotpVerification } from '../auth/totp/totp.service';
import { AuditLogger } from '../common/audit-logger';
import type { TableCounts } from './client-deletion.entity';
import type { Client } from './client.entity';
import { ClientsRepository } from './clients.repository';
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

/** Deletion of a client: the blast radius, then the TOTP-confirmed mark. The purge does the rest. */
@Injectable()
export class ClientDeletionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clients: ClientsService,
    private readonly repository: ClientsRepository,
    private readonly totp: TotpService,
    private readonly audit: AuditLogger,
  ) {}

  /** Step 1: every kind of data that would go, with counts, found from the catalog. */
  async preview(operator: SessionOperator, id: string): Promise<DeletionPreview> {
    const client = await this.clients.findVisible(operator, id);
    const graph = await ClientGraph.load(this.dataSource.manager);
    const [counts, billedClients] = await Promise.all([
      graph.countRows(this.dataSource.manager, client.id),
      this.repository.countBilledTo(client.id),
    ]);
    return { client, kinds: summarizeDeletion(counts), billedClients };
  }

  /**
   * Step 2, one transaction, all or nothing: the code is verified and its time step claimed, the client is marked
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
      const locked = await this.repository.lockForUpdate(tx, client.id);
      if (!locked) throw new NotFoundException();
      for (const billedId of await this.repository.detachBilledClients(tx, client.id)) {
        await this.clients.emit(tx, {
          clientId: billedId,
          operator,
          action: 'updated',
          subject: 'billing',
          changes: {},
        });
      }
      await this.repository.markForDeletion(tx, client.id);
      await this.repository.recordDeletion(tx, {
        clientId: client.id,
        clientCode: locked.code,
        requestedBy: operator.id,
        counts,
      });
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
