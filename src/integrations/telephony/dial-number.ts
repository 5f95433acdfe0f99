import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { DialFormat } from './telephony-settings.entity';

/**
 * The number as the PBX should dial it, from its E.164 form (contacts store E.164):
 * - `e164`: `+5511987654321` (cloud PBX APIs such as Api4Com, trunks that accept E.164);
 * - `e164-digits`: `5511987654321`;
 * - `national`: DDD + number, `11987654321`; non-geographic numbers as dialled at home (`08001234567`, `40040001`);
 * - `prefix`: the prefix before DDD + number, e.g. `0` → `011987654321`, or `0` + carrier `15` → `01511987654321`.
 *   Numbers without an area code (0800/0300, 4004/3003) take no prefix: they are dialled as they are.
 * Returns null when the value is not a valid Brazilian number.
 */
export function dialNumber(e164: string, format: DialFormat, prefix: string | null = null): string | null {
  const phone = parsePhoneNumberFromString(e164, 'BR');
  if (!phone || phone.country !== 'BR' || !phone.isValid()) return null;
  switch (format) {
    case 'e164':
      return phone.number;
    case 'e164-digits':
      return phone.number.slice(1);
    case 'national':
      return nationalDigits(phone.formatNational());
    case 'prefix': {
      const national = nationalDigits(phone.formatNational());
      return hasAreaCode(national) ? `${prefix ?? ''}${national}` : national;
    }
  }
}

const nationalDigits = (formatted: string) => formatted.replace(/\D/g, '');

/** Fixed lines (10 digits) and mobiles (11 digits) start with a DDD (11–99); 0800… and 4004… do not. */
const hasAreaCode = (national: string) =>
  (national.length === 10 || national.length === 11) && !national.startsWith('0');
