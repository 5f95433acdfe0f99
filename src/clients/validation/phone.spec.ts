import fc from 'fast-check';
import { formatPhone, formatWithMetadata, isValidBrazilianPhone, normalizeBrazilianPhone } from './phone';

describe('normalizeBrazilianPhone', () => {
  it.each([
    ['(11) 98765-4321', '+5511987654321'],
    ['11 98765-4321', '+5511987654321'],
    ['11987654321', '+5511987654321'],
    ['+55 11 98765-4321', '+5511987654321'],
    ['+55 (11) 98765-4321', '+5511987654321'],
    ['011 98765 4321', '+5511987654321'],
    ['021 11 98765 4321', '+5511987654321'],
    ['11 3456-7890', '+551134567890'],
    ['(61) 3212-3456', '+556132123456'],
    ['0800 123 4567', '+558001234567'],
    ['0800-724-0000', '+558007240000'],
    ['4004-0001', '+5540040001'],
  ])('stores %s as %s', (input, e164) => {
    expect(normalizeBrazilianPhone(input)).toBe(e164);
    expect(isValidBrazilianPhone(input)).toBe(true);
  });

  it.each([
    ['a mobile number without its leading 9', '11 8765-4321'],
    ['a landline prefix no operator uses', '(11) 1234-5678'],
    ['a number without its area code', '98765-4321'],
    ['too few digits', '12345'],
    ['too many digits', '(11) 98765-43210'],
    ['a number of another country', '+1 650 253 0000'],
    ['a number with an extension', '(11) 98765-4321 ramal 22'],
    ['letters around the number', 'tel (11) 98765-4321'],
    ['a trailing letter', '(11) 98765-4321x'],
    ['an empty value', ''],
  ])('refuses %s (%s)', (_why, input) => {
    expect(normalizeBrazilianPhone(input)).toBeNull();
    expect(isValidBrazilianPhone(input)).toBe(false);
  });

  it('never throws, and whatever it returns is E.164 for Brazil', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789+()-. ') })),
        (input) => {
          const e164 = normalizeBrazilianPhone(input);
          if (e164 !== null) expect(e164).toMatch(/^\+55\d{8,11}$/);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('formatPhone', () => {
  it('shows a stored number in the national format', () => {
    expect(formatPhone('+5511987654321')).toBe('(11) 98765-4321');
    expect(formatPhone('+551134567890')).toBe('(11) 3456-7890');
    expect(formatPhone('+558001234567')).toBe('0800 123 4567');
  });

  it('round-trips: a formatted number normalizes back to the same E.164', () => {
    for (const e164 of ['+5511987654321', '+556132123456', '+558001234567', '+5540040001']) {
      expect(normalizeBrazilianPhone(formatPhone(e164))).toBe(e164);
    }
  });

  it('formats every area code, landline and mobile, exactly as libphonenumber does', () => {
    const samples: string[] = [];
    for (let ddd = 10; ddd <= 99; ddd++) {
      for (const subscriber of [
        '23456789',
        '34560000',
        '45678901',
        '59999999',
        '987654321',
        '912340000',
        '61234567',
        '81234567',
        '98765432',
        '1234567',
      ]) {
        samples.push(`+55${ddd}${subscriber}`);
      }
    }
    samples.push(
      '+558001234567',
      '+5540040001',
      '+553003123456',
      '+14155552671',
      '+551198765432',
      '+55119876543210',
    );
    for (const e164 of samples) expect([e164, formatPhone(e164)]).toEqual([e164, formatWithMetadata(e164)]);
  });

  it('returns a value it cannot parse unchanged', () => {
    expect(formatPhone('abc')).toBe('abc');
    expect(formatPhone('')).toBe('');
  });
});
