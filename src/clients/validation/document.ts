import { cnpj, cpf } from 'cpf-cnpj-validator';

export type PersonType = 'PF' | 'PJ';
export type DocumentKind = 'CPF' | 'CNPJ';

/** Longer input is rejected before any work: a document is 18 characters masked. */
const MAX_INPUT = 64;
const ASCII_PUNCTUATION_OR_SPACE = /[\s!-/:-@[-`{-~]/g;
const CPF_SHAPE = /^\d{11}$/;
/**
 * CNPJ since July 2026 (RFB Nota Técnica Conjunta COCAD/SUARA/RFB 49/2024): 12 characters [0-9A-Z]
 * (8 of root, 4 of branch) and 2 numeric check digits. The legacy all-digit CNPJ is the same shape.
 */
const CNPJ_SHAPE = /^[0-9A-Z]{12}\d{2}$/;

/**
 * Strips whitespace and ASCII punctuation (mask characters `.`, `/`, `-` and typing slips alike) and
 * upper-cases ASCII letters only: `'12.abc.345/01de-35'` → `'12ABC34501DE35'`. Other characters are
 * kept, so the result of a non-document stays invalid rather than being cleaned into a valid one
 * (`String#toUpperCase` would turn `'ß'` into `'SS'`, hence the ASCII-only mapping).
 */
export function normalizeDocument(input: string): string {
  if (typeof input !== 'string') return '';
  return input.replace(ASCII_PUNCTUATION_OR_SPACE, '').replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/** The kind a document has by its shape (11 digits, or 12 alphanumerics + 2 digits); validity is not checked. */
export function documentKind(input: string): DocumentKind | null {
  const normalized = normalizeDocument(input);
  if (CPF_SHAPE.test(normalized)) return 'CPF';
  if (CNPJ_SHAPE.test(normalized)) return 'CNPJ';
  return null;
}

/**
 * True when the input, masked or not, is a CPF or CNPJ whose check digits are right. A person type
 * narrows the kind: `PF` (pessoa física) expects a CPF, `PJ` (pessoa jurídica) a CNPJ.
 *
 * Check digits come from `cpf-cnpj-validator`, whose CNPJ rule covers the alphanumeric format (value of
 * a character = ASCII code − 48, weights 2..9 from the right, modulus 11); its strict mode is used on the
 * normalized string so it cannot clean garbage into a valid document. On top of it, a document whose base
 * (the part before the check digits) is one repeated character is refused: it passes the arithmetic for
 * `000.000.000-00`, `111.111.111-11`, `11.111.111/1111-80` and the like, but is never issued.
 */
export function isValidDocument(input: string, personType?: PersonType): boolean {
  if (typeof input !== 'string' || input.length > MAX_INPUT) return false;
  const normalized = normalizeDocument(input);
  const kind = documentKind(normalized);
  if (kind === null) return false;
  if (personType === 'PF' && kind !== 'CPF') return false;
  if (personType === 'PJ' && kind !== 'CNPJ') return false;
  const base = normalized.slice(0, kind === 'CPF' ? 9 : 12);
  if (isOneRepeatedCharacter(base)) return false;
  return kind === 'CPF' ? cpf.isValid(normalized, true) : cnpj.isValid(normalized, true);
}

/**
 * The masked form for display: `000.000.000-00` for a CPF, `XX.XXX.XXX/XXXX-00` for a CNPJ (letters
 * included). Input of neither shape comes back unchanged, so a legacy oddity is still shown as stored.
 */
export function formatDocument(input: string): string {
  const normalized = normalizeDocument(input);
  switch (documentKind(normalized)) {
    case 'CPF':
      return normalized.replace(/^(\d{3})(\d{3})(\d{3})(\d{2})$/, '$1.$2.$3-$4');
    case 'CNPJ':
      return normalized.replace(/^(.{2})(.{3})(.{3})(.{4})(\d{2})$/, '$1.$2.$3/$4-$5');
    default:
      return input;
  }
}

function isOneRepeatedCharacter(value: string): boolean {
  return value.length > 0 && [...value].every((c) => c === value[0]);
}
