import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { dialNumber } from './dial-number';

describe('dialNumber', () => {
  it.each([
    ['+5511987654321', 'e164', null, '+5511987654321'],
    ['+5511987654321', 'e164-digits', null, '5511987654321'],
    ['+5511987654321', 'national', null, '11987654321'],
    ['+551134567890', 'national', null, '1134567890'],
    ['+5511987654321', 'prefix', '0', '011987654321'],
    ['+551134567890', 'prefix', '015', '0151134567890'],
    ['+558001234567', 'national', null, '08001234567'],
    ['+558001234567', 'prefix', '0', '08001234567'],
    ['+5540040001', 'prefix', '0', '40040001'],
    ['+5540040001', 'e164', null, '+5540040001'],
  ] as const)('dials %s in the %s form (prefix %s) as %s', (e164, format, prefix, expected) => {
    expect(dialNumber(e164, format, prefix)).toBe(expected);
  });

  it('refuses what is not a valid Brazilian number', () => {
    expect(dialNumber('+14155552671', 'e164')).toBeNull();
    expect(dialNumber('+551112345678', 'national')).toBeNull();
    expect(dialNumber('abc', 'e164')).toBeNull();
  });

  it('keeps the national number at the end of every form of any mobile number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 11, max: 99 }), fc.integer({ min: 0, max: 99_999_999 }), (ddd, rest) => {
        const e164 = `+55${ddd}9${String(rest).padStart(8, '0')}`;
        // Not every DDD exists, and libphonenumber reads e.g. +55 90 900… as a 0900 premium-rate number.
        if (parsePhoneNumberFromString(e164)?.getType() !== 'MOBILE') return;
        const national = dialNumber(e164, 'national');
        expect(national).toBe(e164.slice(3));
        expect(dialNumber(e164, 'prefix', '0')).toBe(`0${national}`);
        expect(dialNumber(e164, 'e164-digits')).toBe(`55${national}`);
      }),
      { numRuns: 2000 },
    );
  });
});
