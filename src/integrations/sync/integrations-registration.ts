import { Injectable, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { CLIENT_CHANGED, ClientChangedEvent } from '../../clients/client-events';
import { ClientSectionsRegistry } from '../../clients/client-sections';
import { PurgeScrubsRegistry, type PurgeScrub } from '../../clients/purge/purge-scrubs';
import { IntegrationStatusService } from './integration-status.service';
import { managesClients } from '../../auth/role-policy';

/** The client fields sent to Asaas and Conta Azul: changing one of them makes the customer there stale. */
export const SYNCED_FIELDS = new Set([
  'tradeName',
  'legalName',
  'personType',
  'document',
  'stateRegistration',
  'municipalRegistration',
  'email',
  'financialEmail',
  'phone',
  'postalCode',
  'street',
  'number',
  'complement',
  'district',
  'city',
  'state',
]);

/** The purged client's own sync runs go; bulk runs forget its error entries. */
export const SYNC_RUN_SCRUBS: PurgeScrub[] = [
  {
    table: 'sync_runs',
    sql: `WITH gone AS (
        DELETE FROM sync_runs WHERE ctid = ANY(ARRAY(SELECT ctid FROM sync_runs WHERE client_id = $1::uuid LIMIT $2))
        RETURNING 1)
      SELECT count(*)::int AS n FROM gone`,
  },
  {
    table: 'sync_runs',
    sql: `WITH scrubbed AS (
        UPDATE sync_runs SET errors = (
          SELECT coalesce(jsonb_agg(e), '[]'::jsonb) FROM jsonb_array_elements(errors) e WHERE e ->> 'clientId' IS DISTINCT FROM $1::text)
        WHERE ctid = ANY(ARRAY(
          SELECT ctid FROM sync_runs WHERE errors @> jsonb_build_array(jsonb_build_object('clientId', $1::text)) LIMIT $2))
        RETURNING 1)
      SELECT count(*)::int AS n FROM scrubbed`,
  },
];

/**
 * How billing integrations plug into the client: the "Integrações" section of the client page (one status
 * block per provider, with "Sincronizar") and, when a client's synced data changes, its links go back to
 * "pendente" — in the transaction of the change, so the two cannot disagree.
 */
@Injectable()
export class IntegrationsRegistration implements OnModuleInit {
  constructor(
    private readonly sections: ClientSectionsRegistry,
    private readonly status: IntegrationStatusService,
    private readonly scrubs: PurgeScrubsRegistry,
  ) {}

  onModuleInit(): void {
    // sync_runs outlive the clients they touched (no foreign key): a purged client leaves no id there.
    for (const scrub of SYNC_RUN_SCRUBS) this.scrubs.register(scrub);
    this.sections.register({
      id: 'integrations',
      titleKey: 'integrations.title',
      order: 300,
      partial: 'integrations/_section',
      load: async (client, operator) => ({ providers: await this.status.forClient(client.id, operator) }),
      action: (client, operator) =>
        managesClients(operator)
          ? { labelKey: 'integrations.nextStep', href: `/clients/${client.id}#integrations` }
          : null,
    });
  }

  @OnEvent(CLIENT_CHANGED, { promisify: true, suppressErrors: false })
  async markPending(event: ClientChangedEvent): Promise<void> {
    if (event.subject !== 'client' || event.action !== 'updated') return;
    if (!Object.keys(event.changes).some((field) => SYNCED_FIELDS.has(field))) return;
    await event.manager.query(
      `UPDATE client_integration_links SET status = 'pending', updated_at = now() WHERE client_id = $1 AND status <> 'pending'`,
      [event.clientId],
    );
  }
}
