import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { Client, type ClientStatus } from './client.entity';
import { ClientsRepository } from './clients.repository';
import { ClientsService } from './clients.service';
import { InactivationBlocker, InactivationBlockersRegistry } from './inactivation-blockers';

export type StatusChangeResult =
  { ok: true; client: Client } | { ok: false; blockers: InactivationBlocker[] };

/** Activation and inactivation: refused while tickets or contracts are unfinished; reactivation always allowed. */
@Injectable()
export class ClientStatusService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clients: ClientsService,
    private readonly repository: ClientsRepository,
    private readonly blockers: InactivationBlockersRegistry,
  ) {}

  /**
   * Checks the blockers and changes the status in one transaction, with the client row locked: whatever
   * creates a ticket or contract for a client locks the same row (FOR SHARE), so the two cannot interleave.
   * Reactivation is always allowed. Nothing changes when refused.
   */
  async change(operator: SessionOperator, id: string, status: ClientStatus): Promise<StatusChangeResult> {
    return this.dataSource.transaction(async (tx) => {
      const client = await this.clients.findVisible(operator, id, tx);
      await this.repository.lockForUpdate(tx, id);
      if (client.status === status) return { ok: true as const, client };
      if (status === 'inactive') {
        const blockers = await this.blockers.collect(tx, id);
        if (blockers.length) return { ok: false as const, blockers };
      }
      await this.repository.setStatus(tx, id, status);
      await this.clients.emit(tx, {
        clientId: id,
        operator,
        action: 'status_changed',
        subject: 'client',
        changes: {
          status: [client.status, status],
        },
      });
      return { ok: true as const, client: { ...client, status } as Client };
    });
  }
}
