import { Injectable } from '@nestjs/common';
import type { Client } from '../../clients/client.entity';
import type { ProviderId } from './integration-settings.entity';

export interface ProviderReadiness {
  /** Settings allow syncing (configured; for OAuth, connected). */
  ready: boolean;
  /** i18n key saying what is missing, when not ready. */
  reasonKey?: string;
}

/**
 * A billing provider that keeps customers: Asaas and Conta Azul implement it in their own modules and
 * register here when they start, so the shared sync (jobs, runs, client page section) never imports them.
 */
export interface CustomerSyncProvider {
  readonly id: ProviderId;
  readiness(): Promise<ProviderReadiness>;
  /**
   * Creates or updates the client as a customer and returns the provider's id for it. Idempotent: with
   * `externalId` unknown it looks the customer up before creating, so a retried or resumed sync never
   * creates a second one. Throws SyncError for anything the operator should read.
   */
  upsert(client: Client, externalId: string | null, signal?: AbortSignal): Promise<string>;
}

@Injectable()
export class SyncProvidersRegistry {
  private readonly providers = new Map<ProviderId, CustomerSyncProvider>();

  register(provider: CustomerSyncProvider): void {
    this.providers.set(provider.id, provider);
  }

  get(id: ProviderId): CustomerSyncProvider | undefined {
    return this.providers.get(id);
  }
}
