import { Injectable, OnModuleInit } from '@nestjs/common';
import { ClientSectionsRegistry } from '../clients/client-sections';
import { formatBRL, formatDecimalBR, sumMoney } from '../common/money';
import { DisplacementsService } from './displacements.service';
import { managesClients } from '../auth/role-policy';

/** The "Deslocamentos" section of the client page, with the "Novo deslocamento" next step. */
@Injectable()
export class DisplacementsRegistration implements OnModuleInit {
  constructor(
    private readonly sections: ClientSectionsRegistry,
    private readonly displacements: DisplacementsService,
  ) {}

  onModuleInit(): void {
    this.sections.register({
      id: 'displacements',
      titleKey: 'displacements.title',
      order: 200,
      partial: 'displacements/_section',
      load: async (client) => {
        const [list, contracts] = await Promise.all([
          this.displacements.listForClient(client.id),
          this.displacements.contractNames(client.id),
        ]);
        return {
          displacements: list.map((d) => ({
            ...d,
            valueDisplay: formatBRL(d.value),
            distanceDisplay: d.distanceKm ? `${formatDecimalBR(d.distanceKm, { grouping: true })} km` : null,
            contractName: d.contractId ? (contracts.get(d.contractId) ?? null) : null,
          })),
          total: list.length ? formatBRL(sumMoney(list.map((d) => d.value))) : null,
        };
      },
      action: (client, operator) =>
        managesClients(operator)
          ? { labelKey: 'displacements.new', href: `/clients/${client.id}/displacements/new` }
          : null,
    });
  }
}
