import { Locale } from '../../auth/operator.entity';
import { en } from './en';
import { ptBR } from './pt-BR';

const CATALOGS: Record<Locale, Record<string, string>> = { 'pt-BR': ptBR, en };
export const DEFAULT_LOCALE: Locale = 'pt-BR';

/**
 * Looks a key up in the operator's catalog (falling back to pt-BR, then to the key itself) and fills
 * `{name}` placeholders. Unknown keys fall through so plain messages can pass unchanged.
 */
export function translate(
  locale: string | undefined,
  key: string,
  vars: Record<string, unknown> = {},
): string {
  // Own properties only: `constructor` or `toString` must not resolve to Object.prototype members.
  const catalog = Object.hasOwn(CATALOGS, locale ?? '')
    ? CATALOGS[locale as Locale]
    : CATALOGS[DEFAULT_LOCALE];
  const text = own(catalog, key) ?? own(CATALOGS[DEFAULT_LOCALE], key) ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : whole,
  );
}

const own = (catalog: Record<string, string>, key: string): string | undefined =>
  Object.hasOwn(catalog, key) ? catalog[key] : undefined;

export function catalogKeys(locale: Locale): string[] {
  return Object.keys(CATALOGS[locale]);
}
