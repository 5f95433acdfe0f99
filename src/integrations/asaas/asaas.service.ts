import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { SessionOperator } from '../../auth/session-operator';
import type { Client } from '../../clients/client.entity';
import { AuditLogger } from '../../common/audit-logger';
import { SecretBoxError } from '../../common/crypto/secret-box';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { IntegrationSettingsStore } from '../sync/integration-settings.store';
import { DEFAULT_RETRY, ProviderNetworkError, type FetchLike, type RetryPolicy } from '../sync/provider-http';
import { SyncError } from '../sync/sync-error';
import type { ConnectionTest } from '../sync/sync-error-message';
import {
  SyncProvidersRegistry,
  type CustomerSyncProvider,
  type ProviderReadiness,
} from '../sync/sync-provider';
import {
  AsaasApiError,
  HttpAsaasClient,
  type AsaasClient,
  type AsaasCustomerInput,
  type AsaasEnvironment,
} from './asaas-client';
import { toAsaasCustomer } from './asaas-customer';
import { asaasDestination, type AsaasSettingsDto } from './dto/asaas-settings.dto';

export const USER_AGENT = 'Clientela/0.1 (helpdesk; clientes)';

export interface AsaasSettingsView {
  environment: AsaasEnvironment;
  /** Only for `custom`. */
  baseUrl: string | null;
  hasApiKey: boolean;
  /** The key is stored but cannot be opened (APP_SECRET changed): it must be typed again. */
  apiKeyBroken: boolean;
}

/**
 * Asaas (boleto billing): its settings (the API key sealed, never shown back) and the customer upsert the sync
 * runs call — look up by `externalReference` (our id), then by `cpfCnpj`, create only when neither
 * finds one (Asaas allows duplicates); a customer we already know is updated with PUT.
 */
@Injectable()
export class AsaasService implements CustomerSyncProvider, OnModuleInit {
  readonly id = 'asaas' as const;
  /** The transport (tests may swap in another fetch); the base URL comes from the settings. */
  fetch: FetchLike = (input, init) => fetch(input, init);
  policy: RetryPolicy = DEFAULT_RETRY;

  constructor(
    private readonly store: IntegrationSettingsStore,
    private readonly registry: SyncProvidersRegistry,
    private readonly audit: AuditLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async settings(): Promise<AsaasSettingsView> {
    const row = await this.store.withSealed('asaas');
    const key = this.store.open('asaas', 'secrets', row.secretsEnc);
    return {
      environment: (row.settings.environment as AsaasEnvironment | undefined) ?? 'sandbox',
      baseUrl: row.settings.baseUrl ?? null,
      hasApiKey: row.secretsEnc !== null,
      apiKeyBroken: key instanceof SecretBoxError,
    };
  }

  async save(operator: SessionOperator, dto: AsaasSettingsDto): Promise<void> {
    // The stored key stays only while the settings still point where it was saved for.
    const moved = asaasDestination(dto) !== asaasDestination(await this.settings());
    await this.store.update('asaas', {
      settings: {
        environment: dto.environment,
        ...(dto.environment === 'custom' ? { baseUrl: dto.baseUrl } : {}),
      },
      ...(dto.apiKey
        ? { secretsEnc: this.store.seal('asaas', 'secrets', dto.apiKey) }
        : dto.clearApiKey || moved
          ? { secretsEnc: null }
          : {}),
      updatedBy: operator.id,
    });
    this.audit.log('integrations.settings_saved', {
      operatorId: operator.id,
      provider: 'asaas',
      environment: dto.environment,
      apiKey: dto.apiKey ? 'replaced' : dto.clearApiKey ? 'cleared' : 'kept',
    });
  }

  async readiness(): Promise<ProviderReadiness> {
    const settings = await this.settings();
    if (!settings.hasApiKey || settings.apiKeyBroken)
      return { ready: false, reasonKey: 'integrations.asaas.notConfigured' };
    return { ready: true };
  }

  /**
   * "Testar conexão" with the values on the form: lists one customer. A blank key means the stored one —
   * only for the address it was saved for; a form pointing elsewhere without a key tests nothing (the
   * page refuses it before it gets here).
   */
  async test(dto: AsaasSettingsDto): Promise<ConnectionTest> {
    let apiKey = dto.apiKey ?? null;
    if (!apiKey && !dto.clearApiKey) {
      if (asaasDestination(dto) !== asaasDestination(await this.settings()))
        return { ok: false, error: new SyncError('not_configured') };
      const row = await this.store.withSealed('asaas');
      const stored = this.store.open('asaas', 'secrets', row.secretsEnc);
      if (stored instanceof SecretBoxError)
        return {
          ok: false,
          error: new SyncError('not_configured', 'a chave guardada não pode ser lida; digite-a de novo'),
        };
      apiKey = stored;
    }
    if (!apiKey) return { ok: false, error: new SyncError('not_configured') };
    const api = this.client(asaasDestination(dto), apiKey);
    try {
      const list = await api.listCustomers({ limit: 1 });
      return { ok: true, count: list.totalCount };
    } catch (error) {
      return { ok: false, error: toSyncError(error) };
    }
  }

  async upsert(client: Client, externalId: string | null, signal?: AbortSignal): Promise<string> {
    const input = toAsaasCustomer(client);
    if (!input) throw new SyncError('missing_document');
    const api = await this.configuredClient();
    try {
      if (externalId) {
        try {
          return (await api.updateCustomer(externalId, input, signal)).id;
        } catch (error) {
          // Removed on the Asaas side (or from another account): find or create it again below.
          if (!(error instanceof AsaasApiError && error.status === 404)) throw error;
        }
      }
      const byReference = (await api.listCustomers({ externalReference: client.id }, signal)).data.find(
        (c) => !c.deleted,
      );
      const existing =
        byReference ??
        (await api.listCustomers({ cpfCnpj: input.cpfCnpj }, signal)).data.find((c) => !c.deleted);
      if (existing)
        return (
          await api.updateCustomer(
            existing.id,
            keepForeignReference(input, existing.externalReference),
            signal,
          )
        ).id;
      return (await api.createCustomer(input, signal)).id;
    } catch (error) {
      throw toSyncError(error);
    }
  }

  /** The client for the saved settings, or SyncError when there is no usable key. */
  private async configuredClient(): Promise<AsaasClient> {
    const row = await this.store.withSealed('asaas');
    const apiKey = this.store.open('asaas', 'secrets', row.secretsEnc);
    if (!apiKey) throw new SyncError('not_configured');
    if (apiKey instanceof SecretBoxError)
      throw new SyncError('not_configured', 'a chave guardada não pode ser lida (APP_SECRET mudou?)');
    const environment = (row.settings.environment as AsaasEnvironment | undefined) ?? 'sandbox';
    return this.client(asaasDestination({ environment, baseUrl: row.settings.baseUrl }), apiKey);
  }

  private client(baseUrl: string, apiKey: string): AsaasClient {
    return new HttpAsaasClient({
      baseUrl,
      apiKey,
      userAgent: USER_AGENT,
      fetch: this.fetch,
      policy: this.policy,
    });
  }
}

/**
 * A customer found by CPF/CNPJ may carry another system's `externalReference`: keep it (we store the
 * Asaas id on our side) rather than break that system's link.
 */
function keepForeignReference(input: AsaasCustomerInput, reference: string | null): AsaasCustomerInput {
  if (!reference || reference === input.externalReference) return input;
  const { externalReference: _ours, ...rest } = input;
  return rest;
}

/** An Asaas failure as the operator reads it: its own `errors[].description` whenever there is one. */
export function toSyncError(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  if (error instanceof ProviderNetworkError) return SyncError.fromNetwork(error);
  if (error instanceof AsaasApiError) {
    const detail = error.descriptions || `HTTP ${error.status}`;
    if (error.status === 401 || error.status === 403) return new SyncError('auth', detail);
    if (error.status === 429) return new SyncError('rate_limited', detail);
    if (error.status >= 500)
      return new SyncError(
        'unavailable',
        `HTTP ${error.status}${error.descriptions ? `: ${error.descriptions}` : ''}`,
      );
    return new SyncError('rejected', detail);
  }
  throw error;
}
