import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SecretBoxError } from '../../common/crypto/secret-box';
import { IntegrationSettingsStore } from '../sync/integration-settings.store';
import { ProviderNetworkError } from '../sync/provider-http';
import { SyncError } from '../sync/sync-error';
import { ContaAzulOAuth, OAuthError, type OAuthClientConfig, type TokenSet } from './conta-azul-oauth';

/** Refresh this long before the access token expires (an hour-long token is refreshed after ~58 min). */
export const REFRESH_SKEW_MS = 2 * 60_000;

/**
 * Conta Azul OAuth tokens, sealed in `integration_settings`. Refresh tokens rotate and are single-use, so
 * a refresh happens inside a transaction holding the settings row FOR UPDATE: a second refresher (another
 * worker, another instance) waits, then finds the new access token and uses it instead of spending the
 * old refresh token; the rotated refresh token is committed with the access token, every time.
 */
@Injectable()
export class ContaAzulTokens {
  private readonly logger = new Logger('ContaAzulTokens');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: IntegrationSettingsStore,
  ) {}

  /**
   * A valid access token: the stored one, or a fresh one when it is about to expire — or when `rejected`
   * (the token a 401 answered to) is still the stored one.
   */
  async accessToken(oauth: ContaAzulOAuth, client: OAuthClientConfig, rejected?: string): Promise<string> {
    const row = await this.store.withSealed('conta-azul');
    const token = this.store.open('conta-azul', 'accessToken', row.accessTokenEnc);
    if (!token) throw new SyncError('not_connected');
    if (token instanceof SecretBoxError)
      throw new SyncError('not_connected', 'os tokens guardados não podem ser lidos');
    if (token !== rejected && !expiresSoon(row.expiresAt)) return token;
    return this.refresh(oauth, client, rejected ?? token);
  }

  /** Stores the tokens of a completed authorisation (the OAuth callback). */
  async connect(tokens: TokenSet): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.store.withSealed('conta-azul', tx, true);
      await this.store.update('conta-azul', this.columns(tokens, null, new Date()), tx);
    });
  }

  async disconnect(): Promise<void> {
    await this.store.update('conta-azul', {
      accessTokenEnc: null,
      refreshTokenEnc: null,
      expiresAt: null,
      connectedAt: null,
      lastError: null,
    });
  }

  private async refresh(oauth: ContaAzulOAuth, client: OAuthClientConfig, stale: string): Promise<string> {
    const outcome = await this.dataSource.transaction(
      async (tx): Promise<{ token: string } | { error: SyncError }> => {
        // The token endpoint is called while the row is locked: allow the waits that implies, for this transaction only.
        await tx.query(`SET LOCAL lock_timeout = '20s'`);
        await tx.query(`SET LOCAL idle_in_transaction_session_timeout = '30s'`);
        const row = await this.store.withSealed('conta-azul', tx, true);
        const current = this.store.open('conta-azul', 'accessToken', row.accessTokenEnc);
        const refreshToken = this.store.open('conta-azul', 'refreshToken', row.refreshTokenEnc);
        if (!current || !refreshToken) return { error: new SyncError('not_connected') };
        if (current instanceof SecretBoxError || refreshToken instanceof SecretBoxError) {
          return { error: new SyncError('not_connected', 'os tokens guardados não podem ser lidos') };
        }
        // Someone refreshed while we waited for the lock: use theirs.
        if (current !== stale && !expiresSoon(row.expiresAt)) return { token: current };
        let tokens: TokenSet;
        try {
          tokens = await oauth.refresh(client, refreshToken);
        } catch (error) {
          if (
            error instanceof OAuthError &&
            (error.error === 'invalid_grant' || error.status === 400 || error.status === 401)
          ) {
            // The refresh token is dead (used, expired or revoked): only a new authorisation helps.
            const message = `${error.error}${error.description ? `: ${error.description}` : ''}`.slice(
              0,
              500,
            );
            await this.store.update(
              'conta-azul',
              {
                accessTokenEnc: null,
                refreshTokenEnc: null,
                expiresAt: null,
                connectedAt: null,
                lastError: message,
              },
              tx,
            );
            return { error: new SyncError('not_connected', message) };
          }
          if (error instanceof OAuthError)
            return { error: new SyncError('unavailable', `token: ${error.message}`) };
          if (error instanceof ProviderNetworkError) return { error: SyncError.fromNetwork(error) };
          throw error;
        }
        await this.store.update('conta-azul', this.columns(tokens, refreshToken), tx);
        return { token: tokens.accessToken };
      },
    );
    if ('error' in outcome) {
      this.logger.warn({ code: outcome.error.code }, 'Conta Azul token refresh failed');
      throw outcome.error;
    }
    return outcome.token;
  }

  private columns(tokens: TokenSet, previousRefresh: string | null, connectedAt?: Date) {
    return {
      accessTokenEnc: this.store.seal('conta-azul', 'accessToken', tokens.accessToken),
      // A provider that did not rotate keeps the old one; Conta Azul always sends a new one.
      refreshTokenEnc: this.store.seal(
        'conta-azul',
        'refreshToken',
        tokens.refreshToken || previousRefresh || '',
      ),
      expiresAt: new Date(Date.now() + tokens.expiresInSeconds * 1000),
      lastError: null,
      ...(connectedAt ? { connectedAt } : {}),
    };
  }
}

const expiresSoon = (expiresAt: Date | null) =>
  !expiresAt || expiresAt.getTime() - Date.now() < REFRESH_SKEW_MS;
