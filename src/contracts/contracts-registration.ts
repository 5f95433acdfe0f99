import { Injectable, OnModuleInit } from '@nestjs/common';
import { ClientSectionsRegistry } from '../clients/client-sections';
import { InactivationBlockersRegistry } from '../clients/inactivation-blockers';
import { todayInSaoPaulo } from '../common/calendar';
import { contractStatusSql } from './contract-status.sql';
import { contractView } from './contract-view';
import { ContractsService } from './contracts.service';
import { managesClients } from '../auth/role-policy';

/**
 * How contracts plug into the client: the "Contratos" section of the client page (with the "Novo contrato"
 * next step for active clients) and the inactivation rule — contracts active or pending
 * readjustment keep a client active.
 */
@Injectable()
export class ContractsRegistration implements OnModuleInit {
  constructor(
    private readonly sections: ClientSectionsRegistry,
    private readonly blockers: InactivationBlockersRegistry,
    private readonly contracts: ContractsService,
  ) {}

  onModuleInit(): void {
    this.sections.register({
      id: 'contracts',
      titleKey: 'contracts.title',
      order: 100,
      partial: 'contracts/_section',
      load: async (client) => {
        const today = todayInSaoPaulo();
        return {
          contracts: (await this.contracts.listForClient(client.id)).map((k) => contractView(k, today)),
        };
      },
      action: (client, operator) =>
        client.isActive && managesClients(operator)
          ? { labelKey: 'contracts.new', href: `/clients/${client.id}/contracts/new` }
          : null,
    });

    this.blockers.register({
      blockers: async (manager, clientId) => {
        const rows: Array<{ status: string; n: number }> = await manager.query(
          `SELECT ${contractStatusSql('k', '$2')} AS status, count(*)::int AS n
           FROM contracts k WHERE k.client_id = $1 AND k.cancelled_at IS NULL GROUP BY 1`,
          [clientId, todayInSaoPaulo()],
        );
        const count = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
        const href = `/clients/${clientId}#contracts`;
        return [
          { messageKey: 'contracts.blockers.active', count: count('active'), href },
          {
            messageKey: 'contracts.blockers.pendingReadjustment',
            count: count('pending_readjustment'),
            href,
          },
        ];
      },
    });
  }
}
