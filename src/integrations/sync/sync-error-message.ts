import { translate } from '../../common/i18n/translate';

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
