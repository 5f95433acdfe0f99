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
  // Catalog messages are split once into text and placeholder names (a list page translates ~400 times).
  const parts = compiled(catalog, key) ?? key.split(PLACEHOLDER);
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    out += (Object.hasOwn(vars, parts[i]) ? String(vars[parts[i]]) : `{${parts[i]}}`) + parts[i + 1];
  }
  return out;
}

/** `{name}` placeholders; `split` with this capture yields text, name, text, name, … text. */
const PLACEHOLDER = /\{(\w+)\}/;
const COMPILED = new WeakMap<Record<string, string>, Map<string, string[]>>();

/** The message of a catalog key (or of the pt-BR fallback), split; undefined for a key no catalog has. */
function compiled(catalog: Record<string, string>, key: string): string[] | undefined {
  let messages = COMPILED.get(catalog);
  if (!messages) COMPILED.set(catalog, (messages = new Map()));
  let parts = messages.get(key);
  if (!parts) {
    const text = own(catalog, key) ?? own(CATALOGS[DEFAULT_LOCALE], key);
    if (text === undefined) return undefined; // not cached: arbitrary text must not grow the map
    parts = text.split(PLACEHOLDER);
    messages.set(key, parts);
  }
  return parts;
}

const own = (catalog: Record<string, string>, key: string): string | undefined =>
  Object.hasOwn(catalog, key) ? catalog[key] : undefined;

export function catalogKeys(locale: Locale): string[] {
  return Object.keys(CATALOGS[locale]);
}
