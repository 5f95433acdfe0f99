import { isValidIe } from '@brazilian-utils/brazilian-utils/is-valid-ie';
import { normalizeUf } from './address';

export const EXEMPT = 'ISENTO';
export const MUNICIPAL_REGISTRATION_MAX = 30;

const MAX_INPUT = 40;
/** Digits and the separators the 27 SEFAZ masks use; `P` starts a São Paulo rural producer's IE. */
const IE_CHARACTERS = /^P?[\d\s./-]+$/;
/** Shortest and longest IE over the 27 UFs: RJ has 8 digits, RO 14. */
const IE_DIGITS = /^\d{8,14}$/;
const SP_RURAL_PRODUCER = /^P\d{12}$/;
const MUNICIPAL_REGISTRATION = /^[0-9A-Za-z .,/\\()#:_-]+$/;

/**
 * What is stored for an inscrição estadual: `ISENTO`, or the registration without its mask
 * (`'110.042.490.114'` → `'110042490114'`, `'p-01100424.3/002'` → `'P011004243002'`).
 */
export function normalizeStateRegistration(value: string): string {
  const trimmed = value.trim();
  if (trimmed.toUpperCase() === EXEMPT) return EXEMPT;
  return trimmed.replace(/[\s./-]/g, '').replace(/^p/, 'P');
}

/**
 * True for `ISENTO` (any case), and for an IE that passes its UF's SINTEGRA check digits when a UF is
 * given. Without a UF, or with a code that is not a UF (the UF field reports that one itself), only the
 * shape is checked: 8 to 14 digits, or `P` + 12 digits.
 *
 * The per-UF rules are `@brazilian-utils/brazilian-utils`'s `isValidIe`, which covers all 27 UFs (its
 * deliberate deviations from the SINTEGRA pages are listed in its documentation: e.g. PE accepts only the
 * current 9-digit eFisco number, not the retired 14-digit CACEPE one). Its sanitizer drops every
 * non-digit, so the characters are checked here first: `'IE 240000048'` is not an IE even if its digits are.
 */
export function isValidStateRegistration(value: string, uf?: string | null): boolean {
  if (typeof value !== 'string' || value.length > MAX_INPUT) return false;
  const trimmed = value.trim();
  if (trimmed.toUpperCase() === EXEMPT) return true;
  if (!IE_CHARACTERS.test(trimmed.replace(/^p/, 'P'))) return false;
  const normalized = normalizeStateRegistration(trimmed);
  const state = typeof uf === 'string' ? normalizeUf(uf) : null;
  if (state === null) return IE_DIGITS.test(normalized) || SP_RURAL_PRODUCER.test(normalized);
  if (normalized.startsWith('P') && state !== 'SP') return false;
  return isValidIe({ value: normalized, stateCode: state });
}

/**
 * Inscrição municipal: each of the 5,570 municipalities has its own format and most publish no check
 * digit, so it is free text: up to 30 letters, digits, spaces and common punctuation.
 */
export function isValidMunicipalRegistration(value: string): boolean {
  return (
    typeof value === 'string' &&
    value.trim().length > 0 &&
    value.length <= MUNICIPAL_REGISTRATION_MAX &&
    MUNICIPAL_REGISTRATION.test(value)
  );
}
