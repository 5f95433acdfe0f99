import { translate } from '../../common/i18n/translate';
import type { SyncError } from './sync-error';

/** The settings page's "Testar": the provider answered with `count` customers, or why it did not. */
export type ConnectionTest = { ok: true; count: number } | { ok: false; error: SyncError };

/**
 * A sync failure as one sentence in the operator's language: what went wrong (`integrations.error.<code>`)
 * followed by the provider's own words, e.g. "O Asaas recusou o cadastro: O CPF/CNPJ informado é inválido."
 */
export function syncErrorMessage(
  locale: string | undefined,
  provider: string,
  code: string,
  detail: string | null | undefined,
): string {
  const base = translate(locale, `integrations.error.${code}`, { provider });
  const words = (detail ?? '').trim().replace(/[.\s]+$/, '');
  return words ? `${base}: ${words}.` : `${base}.`;
}

/** A connection test as the settings page shows it: `okKey` (with `{count}`) or the failure in one sentence. */
export function connectionTestView(
  locale: string,
  provider: string,
  okKey: string,
  result: ConnectionTest,
): { ok: boolean; message: string } {
  if (result.ok) return { ok: true, message: translate(locale, okKey, { count: result.count }) };
  return {
    ok: false,
    message: translate(locale, 'integrations.testFailed', {
      reason: syncErrorMessage(locale, provider, result.error.code, result.error.detail),
    }),
  };
}
