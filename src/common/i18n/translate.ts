import { Locale } from '../../auth/operator.entity';
import { en } from './en';
import { ptBR } from './pt-BR';

const CATALOGS: Record<Locale, Record<string, string>> = { 'pt-BR': ptBR, en };
export const DEFAULT_LOCALE: Locale = 'pt-BR';

/**
 * Looks a key up in the operator's catalog (falling back to pt-BR, then to the key itself) and fills
 * `{name}` placeholders. Unknown keys fall through so plain messages can pass unchanged.
 */
export function translate(locale: string | undefined, key: string, vars: Record<string, unknown> = {}): string {
  const catalog = CATALOGS[(locale as Locale) ?? DEFAULT_LOCALE] ?? CATALOGS[DEFAULT_LOCALE];
  const text = catalog[key] ?? CATALOGS[DEFAULT_LOCALE][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function catalogKeys(locale: Locale): string[] {
  return Object.keys(CATALOGS[locale]);
}
