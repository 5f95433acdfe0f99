import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SessionOperator } from '../../auth/session-operator';
import { ClientIntegrationLink, type LinkStatus } from './client-integration-link.entity';
import { PROVIDER_LABELS, PROVIDERS, type ProviderId } from './integration-settings.entity';
import { syncErrorMessage } from './sync-error-message';
import { SyncProvidersRegistry } from './sync-provider';
import { administers, managesClients } from '../../auth/role-policy';

/** What the client page shows for one provider (the `integrations/_client-status` fragment). */
export interface ClientProviderStatus {
  clientId: string;
  provider: ProviderId;
  label: string;
  ready: boolean;
  reasonKey: string | null;
  /** `none` before the first sync was ever asked for. */
  status: LinkStatus | 'none';
  externalId: string | null;
  lastSyncedAt: Date | null;
  requestedAt: Date | null;
  lastErrorCode: string | null;
  lastError: string | null;
  /** The last failure as the operator reads it. */
  errorMessage: string | null;
  /** A sync of this client is waiting or running: the fragment refreshes itself until it is done. */
  inQueue: boolean;
  canSync: boolean;
  canConfigure: boolean;
}

@Injectable()
export class IntegrationStatusService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly providers: SyncProvidersRegistry,
  ) {}

  async forClient(
    clientId: string,
    operator: SessionOperator,
    only?: ProviderId,
  ): Promise<ClientProviderStatus[]> {
    const wanted = only ? [only] : [...PROVIDERS];
    const [links, queued] = await Promise.all([
      this.dataSource.getRepository(ClientIntegrationLink).findBy({ clientId }),
      this.dataSource.query<Array<{ provider: ProviderId }>>(
        `SELECT DISTINCT provider FROM sync_runs WHERE client_id = $1 AND status IN ('queued', 'running')`,
        [clientId],
      ),
    ]);
    return Promise.all(
      wanted.map(async (provider) => {
        const readiness = (await this.providers.get(provider)?.readiness()) ?? {
          ready: false,
          reasonKey: 'integrations.notConfigured',
        };
        const link = links.find((l) => l.provider === provider);
        return {
          clientId,
          provider,
          label: PROVIDER_LABELS[provider],
          ready: readiness.ready,
          reasonKey: readiness.ready ? null : (readiness.reasonKey ?? 'integrations.notConfigured'),
          status: link?.status ?? 'none',
          externalId: link?.externalId ?? null,
          lastSyncedAt: link?.lastSyncedAt ?? null,
          requestedAt: link?.requestedAt ?? null,
          lastErrorCode: link?.lastErrorCode ?? null,
          lastError: link?.lastError ?? null,
          errorMessage: link?.lastErrorCode
            ? syncErrorMessage(operator.locale, PROVIDER_LABELS[provider], link.lastErrorCode, link.lastError)
            : null,
          inQueue: queued.some((q) => q.provider === provider),
          canSync: readiness.ready && managesClients(operator),
          canConfigure: administers(operator),
        };
      }),
    );
  }
}
