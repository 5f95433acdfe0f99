// The `max` metadata carries the per-type number patterns: with the default `min` metadata,
// libphonenumber-js checks only the length, so `(11) 1234-5678` (no such prefix) would pass.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Digits, `+` and the separators people type; letters would let the parser pick a number out of prose. */
const PHONE_CHARACTERS = /^\+?[\d\s().-]+$/;
const MAX_INPUT = 40;

/**
 * The E.164 form (`'+5511987654321'`) of a valid Brazilian number, or null. Accepts the usual ways of
 * writing one: `(11) 98765-4321`, `11 3456-7890`, `+55 11 98765-4321`, `011 98765 4321` (trunk prefix),
 * `021 11 98765 4321` (carrier code), and non-geographic numbers (`0800 123 4567`, `4004-0001`).
 * A number of another country, or one with an extension (E.164 cannot hold it), is refused.
 */
export function normalizeBrazilianPhone(input: string): string | null {
  if (typeof input !== 'string' || input.length > MAX_INPUT) return null;
  const value = input.trim();
  if (!PHONE_CHARACTERS.test(value)) return null;
  const phone = parsePhoneNumberFromString(value, 'BR');
  if (!phone || phone.country !== 'BR' || phone.ext || !phone.isValid()) return null;
  return phone.number;
}

export function isValidBrazilianPhone(input: string): boolean {
  return normalizeBrazilianPhone(input) !== null;
}

/**
 * The national form for display: `'+5511987654321'` → `'(11) 98765-4321'`, `'+558001234567'` →
 * `'0800 123 4567'`. A value that does not parse comes back unchanged.
 */
export function formatPhone(e164: string): string {
  if (typeof e164 !== 'string') return '';
  const phone = parsePhoneNumberFromString(e164, 'BR');
  if (!phone) return e164;
  return phone.country === 'BR' ? phone.formatNational() : phone.formatInternational();
}
