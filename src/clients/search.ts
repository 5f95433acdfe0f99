import { documentKind, isValidDocument, normalizeDocument } from './validation/document';

/*
 * How a typed search term becomes a pattern for the `search_text` column (unaccented, lower-case names,
 * document and e-mail; trigram-indexed), shared by the list and the pickers.
 */

/** Lower-cases; a query that looks like a CNPJ/CPF (digits and mask punctuation) loses the punctuation. */
export function normalizeSearch(q: string): string {
  const trimmed = q.trim().toLowerCase();
  return /^[\d.\-/\s]+$/.test(trimmed) ||
    /^[0-9a-z]{2}\.[0-9a-z]{3}\.[0-9a-z]{3}\/[0-9a-z]{4}-\d{2}$/.test(trimmed)
    ? trimmed.replace(/[.\-/\s]/g, '')
    : trimmed;
}

/** `%`, `_` and `\` match themselves in a LIKE pattern. */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * The document a search names exactly, else null: a valid CNPJ (14 characters, masked or not, numeric or
 * alphanumeric) or a valid CPF typed with its mask (`123.456.789-09`). Eleven bare digits stay a text
 * search: they may be the start of a CNPJ being typed.
 */
export function documentSearch(q: string): string | null {
  const kind = documentKind(q);
  if (kind === 'CNPJ' || (kind === 'CPF' && /^\d{3}\.\d{3}\.\d{3}-\d{2}$/.test(q.trim()))) {
    return isValidDocument(q) ? normalizeDocument(q) : null;
  }
  return null;
}
