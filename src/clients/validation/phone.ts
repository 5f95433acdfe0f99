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

/** A Brazilian geographic number: area code, then 8 digits of a landline or 9 of a mobile. */
const BR_LANDLINE = /^\+55([1-9][1-9])([2-5]\d{3})(\d{4})$/;
const BR_MOBILE = /^\+55([1-9][1-9])(9\d{4})(\d{4})$/;
/** The area codes (DDD) in use, per Anatel. */
const AREA_CODES = new Set(
  '11 12 13 14 15 16 17 18 19 21 22 24 27 28 31 32 33 34 35 37 38 41 42 43 44 45 46 47 48 49 51 53 54 55 61 62 63 64 65 66 67 68 69 71 73 74 75 77 79 81 82 83 84 85 86 87 88 89 91 92 93 94 95 96 97 98 99'.split(
    ' ',
  ),
);

/**
 * The national form for display: `'+5511987654321'` → `'(11) 98765-4321'`, `'+558001234567'` →
 * `'0800 123 4567'`. A value that does not parse comes back unchanged. Geographic numbers — nearly every
 * stored phone — take a fast path with the same result as libphonenumber's `formatNational` (phone.spec.ts
 * compares them over every area code); the parser costs ≈4 µs a number, a list page shows up to 100.
 */
export function formatPhone(e164: string): string {
  if (typeof e164 !== 'string') return '';
  const geographic = BR_MOBILE.exec(e164) ?? BR_LANDLINE.exec(e164);
  if (geographic && AREA_CODES.has(geographic[1]))
    return `(${geographic[1]}) ${geographic[2]}-${geographic[3]}`;
  return formatWithMetadata(e164);
}

/** formatPhone through libphonenumber's metadata, for any number. */
export function formatWithMetadata(e164: string): string {
  const phone = parsePhoneNumberFromString(e164, 'BR');
  if (!phone) return e164;
  return phone.country === 'BR' ? phone.formatNational() : phone.formatInternational();
}
