import { ProviderNetworkError } from './provider-http';

/**
 * Why a client could not be synced, as the operator reads it (`integrations.error.<code>`, with the
 * provider's own message as `detail`):
 * - `not_configured` / `not_connected`: settings missing (API key, OAuth connection);
 * - `auth`: the provider refused our credentials (401/403);
 * - `rejected`: the provider refused the data (4xx; `detail` is its message, e.g. Asaas `errors[].description`);
 * - `rate_limited`: still 429 after waiting as asked; `unavailable`: 5xx, timeouts or no connection after retries;
 * - `missing_document`: the provider needs a CPF/CNPJ the client does not have;
 * - `conflict`: the customer found is already linked to another client; `busy`: another sync held the client too long.
 */
export const SYNC_ERROR_CODES = [
  'not_configured',
  'not_connected',
  'auth',
  'rejected',
  'rate_limited',
  'unavailable',
  'missing_document',
  'conflict',
  'busy',
] as const;
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number];

export class SyncError extends Error {
  constructor(
    readonly code: SyncErrorCode,
    readonly detail: string = '',
  ) {
    super(`${code}${detail ? `: ${detail}` : ''}`);
  }

  /** A request that got no answer after its retries. */
  static fromNetwork(error: ProviderNetworkError): SyncError {
    return new SyncError(
      'unavailable',
      error.timedOut
        ? `sem resposta no tempo limite (${error.attempts} tentativas)`
        : `sem conexão: ${error.message} (${error.attempts} tentativas)`,
    );
  }
}
