import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { SessionOperator } from '../../auth/session-operator';
import type { Client } from '../../clients/client.entity';
import { AuditLogger } from '../../common/audit-logger';
import { SecretBoxError } from '../../common/crypto/secret-box';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { IntegrationSettingsStore } from '../sync/integration-settings.store';
import {
  DEFAULT_RETRY,
  ProviderNetworkError,
  RateLimiter,
  type FetchLike,
  type RetryPolicy,
} from '../sync/provider-http';
import { SyncError } from '../sync/sync-error';
import type { ConnectionTest } from '../sync/sync-error-message';
import {
  SyncProvidersRegistry,
  type CustomerSyncProvider,
  type ProviderReadiness,
} from '../sync/sync-provider';
import { ContaAzulApiError, HttpContaAzulApi, type ContaAzulApi, type Pessoa } from './conta-azul-api';
import {
  authorizeUrl,
  CALLBACK_PATH,
  CONTA_AZUL_DEFAULTS,
  ContaAzulOAuth,
  OAuthError,
  type OAuthClientConfig,
} from './conta-azul-oauth';
import { bareDocument, hasClientProfile, pessoaCode, toPessoa, withClientProfile } from './conta-azul-pessoa';
import { ContaAzulTokens } from './conta-azul-tokens.service';
import { movedFrom, type ContaAzulSettingsDto } from './dto/conta-azul-settings.dto';

/** Conta Azul asks for ≤ 10 requests/s per account (600/min); we keep a margin (developers.contaazul.com rate limits). */
export const REQUESTS_PER_SECOND = 8;

export interface ContaAzulSettingsView {
  clientId: string | null;
  authBaseUrl: string;
  apiBaseUrl: string;
  hasClientSecret: boolean;
  secretBroken: boolean;
  connected: boolean;
  connectedAt: Date | null;
  expiresAt: Date | null;
  lastError: string | null;
  /** What to register as redirect URI in the Conta Azul developer portal (from PUBLIC_URL). */
  redirectUri: string;
}

/**
 * Conta Azul: app credentials (the secret sealed), the OAuth connection and the pessoa upsert
 * the sync runs call — look up by CPF/CNPJ (or, without one, by our code), then create with profile
 * Cliente; a pessoa we already know is updated with PATCH. Every API call goes through one rate limiter.
 */
@Injectable()
export class ContaAzulService implements CustomerSyncProvider, OnModuleInit {
  readonly id = 'conta-azul' as const;
  fetch: FetchLike = (input, init) => fetch(input, init);
  policy: RetryPolicy = DEFAULT_RETRY;
  readonly limiter = new RateLimiter(REQUESTS_PER_SECOND);

  constructor(
    private readonly store: IntegrationSettingsStore,
    private readonly tokens: ContaAzulTokens,
    private readonly registry: SyncProvidersRegistry,
    private readonly audit: AuditLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  get redirectUri(): string {
    return `${this.config.publicUrl}${CALLBACK_PATH}`;
  }

  async settings(): Promise<ContaAzulSettingsView> {
    const row = await this.store.withSealed('conta-azul');
    const secret = this.store.open('conta-azul', 'secrets', row.secretsEnc);
    return {
      clientId: row.settings.clientId ?? null,
      authBaseUrl: row.settings.authBaseUrl ?? CONTA_AZUL_DEFAULTS.authBaseUrl,
      apiBaseUrl: row.settings.apiBaseUrl ?? CONTA_AZUL_DEFAULTS.apiBaseUrl,
      hasClientSecret: row.secretsEnc !== null,
      secretBroken: secret instanceof SecretBoxError,
      connected: row.accessTokenEnc !== null,
      connectedAt: row.connectedAt,
      expiresAt: row.expiresAt,
      lastError: row.lastError,
      redirectUri: this.redirectUri,
    };
  }

  /** Saves the app credentials; other credentials or another authorisation server end the connection. */
  async save(operator: SessionOperator, dto: ContaAzulSettingsDto): Promise<{ disconnected: boolean }> {
    const current = await this.settings();
    const moved = movedFrom(current, dto);
    const changedApp =
      current.connected && (current.clientId !== dto.clientId || moved || !!dto.clientSecret);
    await this.store.update('conta-azul', {
      settings: { clientId: dto.clientId, authBaseUrl: dto.authBaseUrl, apiBaseUrl: dto.apiBaseUrl },
      // The stored secret stays only while the addresses are those it was saved for.
      ...(dto.clientSecret
        ? { secretsEnc: this.store.seal('conta-azul', 'secrets', dto.clientSecret) }
        : moved
          ? { secretsEnc: null }
          : {}),
      ...(changedApp
        ? { accessTokenEnc: null, refreshTokenEnc: null, expiresAt: null, connectedAt: null }
        : {}),
      updatedBy: operator.id,
    });
    this.audit.log('integrations.settings_saved', {
      operatorId: operator.id,
      provider: 'conta-azul',
      clientSecret: dto.clientSecret ? 'replaced' : 'kept',
      disconnected: changedApp,
    });
    return { disconnected: changedApp };
  }

  async readiness(): Promise<ProviderReadiness> {
    const settings = await this.settings();
    if (!settings.clientId || !settings.hasClientSecret || settings.secretBroken) {
      return { ready: false, reasonKey: 'integrations.contaAzul.notConfigured' };
    }
    if (!settings.connected) return { ready: false, reasonKey: 'integrations.contaAzul.notConnected' };
    return { ready: true };
  }

  /** The authorize URL to send the administrator to, or SyncError when the app credentials are missing. */
  async authorizationUrl(state: string): Promise<string> {
    return authorizeUrl(await this.oauthConfig(), state);
  }

  /** The callback's code → tokens, stored sealed. Throws SyncError with the provider's reason. */
  async completeAuthorization(operator: SessionOperator, code: string): Promise<void> {
    const config = await this.oauthConfig();
    try {
      await this.tokens.connect(await this.oauth().exchangeCode(config, code));
    } catch (error) {
      if (error instanceof OAuthError) {
        throw new SyncError(
          error.status === 401 ? 'auth' : 'rejected',
          `${error.error}${error.description ? `: ${error.description}` : ''}`,
        );
      }
      if (error instanceof ProviderNetworkError) throw SyncError.fromNetwork(error);
      throw error;
    }
    this.audit.log('integrations.connected', { operatorId: operator.id, provider: 'conta-azul' });
  }

  async disconnect(operator: SessionOperator): Promise<void> {
    await this.tokens.disconnect();
    this.audit.log('integrations.disconnected', { operatorId: operator.id, provider: 'conta-azul' });
  }

  /** "Testar conexão": one page of pessoas with the stored connection (refreshing the token if due). */
  async test(): Promise<ConnectionTest> {
    try {
      const api = await this.api();
      const list = await api.listPessoas({ pagina: 1, tamanho_pagina: 1 });
      return { ok: true, count: list.totalItems };
    } catch (error) {
      return { ok: false, error: toSyncError(error) };
    }
  }

  async upsert(client: Client, externalId: string | null, signal?: AbortSignal): Promise<string> {
    const api = await this.api();
    const body = toPessoa(client);
    try {
      if (externalId) {
        try {
          await api.updatePessoa(externalId, body, signal);
          return externalId;
        } catch (error) {
          if (!(error instanceof ContaAzulApiError && error.status === 404)) throw error;
        }
      }
      const existing = await this.find(api, client, signal);
      if (existing) {
        await api.updatePessoa(
          existing.id,
          hasClientProfile(existing) ? body : { ...body, perfis: withClientProfile(existing) },
          signal,
        );
        return existing.id;
      }
      const created = await api.createPessoa(
        {
          ...body,
          ...(client.document ? {} : { codigo: pessoaCode(client) }),
          perfis: [{ tipo_perfil: 'Cliente' }],
        },
        signal,
      );
      if (created.id) return created.id;
      // An answer without the id: the pessoa exists now, so the same lookup finds it.
      const found = await this.find(api, client, signal);
      if (!found) throw new SyncError('rejected', 'a Conta Azul não devolveu o id da pessoa criada');
      return found.id;
    } catch (error) {
      throw toSyncError(error);
    }
  }

  /** By CPF/CNPJ when the client has one; otherwise by the code we gave the pessoa when we created it. */
  private async find(api: ContaAzulApi, client: Client, signal?: AbortSignal): Promise<Pessoa | undefined> {
    if (client.document) {
      const { items } = await api.listPessoas(
        { documentos: client.document, pagina: 1, tamanho_pagina: 10 },
        signal,
      );
      return items.find((p) => bareDocument(p.documento) === client.document);
    }
    const code = pessoaCode(client);
    const { items } = await api.listPessoas({ codigos_pessoa: code, pagina: 1, tamanho_pagina: 10 }, signal);
    return items.find((p) => p.codigo === code);
  }

  private async api(): Promise<ContaAzulApi> {
    const config = await this.oauthConfig();
    const { apiBaseUrl } = await this.settings();
    const oauth = this.oauth();
    return new HttpContaAzulApi({
      baseUrl: apiBaseUrl,
      fetch: this.fetch,
      limiter: this.limiter,
      policy: this.policy,
      tokens: {
        get: () => this.tokens.accessToken(oauth, config),
        renew: (rejected) => this.tokens.accessToken(oauth, config, rejected),
      },
    });
  }

  private async oauthConfig(): Promise<OAuthClientConfig> {
    const row = await this.store.withSealed('conta-azul');
    const secret = this.store.open('conta-azul', 'secrets', row.secretsEnc);
    if (!row.settings.clientId || !secret) throw new SyncError('not_configured');
    if (secret instanceof SecretBoxError)
      throw new SyncError('not_configured', 'o client secret guardado não pode ser lido');
    return {
      authBaseUrl: row.settings.authBaseUrl ?? CONTA_AZUL_DEFAULTS.authBaseUrl,
      clientId: row.settings.clientId,
      clientSecret: secret,
      redirectUri: this.redirectUri,
    };
  }

  private oauth(): ContaAzulOAuth {
    return new ContaAzulOAuth(this.fetch);
  }
}

export function toSyncError(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  if (error instanceof ProviderNetworkError) return SyncError.fromNetwork(error);
  if (error instanceof ContaAzulApiError) {
    const detail = error.detail || `HTTP ${error.status}`;
    if (error.status === 401 || error.status === 403) return new SyncError('auth', detail);
    if (error.status === 429) return new SyncError('rate_limited', detail);
    if (error.status >= 500)
      return new SyncError('unavailable', `HTTP ${error.status}${error.detail ? `: ${error.detail}` : ''}`);
    return new SyncError('rejected', detail);
  }
  throw error;
}
