import fc from 'fast-check';
import { formatCep, isValidCep, isValidUf, normalizeCep, normalizeUf, UF_CODES, UFS } from './address';

describe('UFS', () => {
  it('lists the 26 states and the Distrito Federal, each code once', () => {
    expect(UFS).toHaveLength(27);
    expect(new Set(UF_CODES).size).toBe(27);
    expect(UFS.find((uf) => uf.code === 'DF')?.name).toBe('Distrito Federal');
    expect(UFS.find((uf) => uf.code === 'SP')?.name).toBe('São Paulo');
  });
});

describe('isValidUf', () => {
  it('accepts each of the 27 codes', () => {
    for (const code of UF_CODES) expect(isValidUf(code)).toBe(true);
  });

  it('refuses other codes, lower case and non-strings', () => {
    for (const value of ['XX', 'BR', 'sp', ' SP', 'São Paulo', '', undefined, null, 35]) {
      expect(isValidUf(value)).toBe(false);
    }
  });
});

describe('normalizeUf', () => {
  it('trims and upper-cases a UF, and returns null for anything else', () => {
    expect(normalizeUf(' sp ')).toBe('SP');
    expect(normalizeUf('Df')).toBe('DF');
    expect(normalizeUf('XX')).toBeNull();
    expect(normalizeUf('')).toBeNull();
  });
});

describe('CEP', () => {
  it('normalizes the usual ways of writing a CEP to its 8 digits', () => {
    expect(normalizeCep('01310-100')).toBe('01310100');
    expect(normalizeCep('01310100')).toBe('01310100');
    expect(normalizeCep('01.310-100')).toBe('01310100');
    expect(normalizeCep(' 70040 010 ')).toBe('70040010');
  });

  it('refuses fewer or more than 8 digits and letters', () => {
    for (const value of ['0131010', '013101000', '01310-10A', 'CEP 01310-100', '', '--------']) {
      expect(normalizeCep(value)).toBeNull();
      expect(isValidCep(value)).toBe(false);
    }
  });

  it('refuses the 00000-000 placeholder and anything else in the unassigned 00 range', () => {
    expect(isValidCep('00000-000')).toBe(false);
    expect(isValidCep('00999-999')).toBe(false);
    expect(isValidCep('01000-000')).toBe(true);
    expect(isValidCep('99999-999')).toBe(true);
  });

  it('formats a CEP as 00000-000 and leaves anything else as it was', () => {
    expect(formatCep('01310100')).toBe('01310-100');
    expect(formatCep('01.310-100')).toBe('01310-100');
    expect(formatCep('abc')).toBe('abc');
  });

  it('round-trips: any 8 digits format, normalize back and validate outside the 00 range', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 8, maxLength: 8 }),
        (cep) => {
          const masked = formatCep(cep);
          expect(masked).toMatch(/^\d{5}-\d{3}$/);
          expect(normalizeCep(masked)).toBe(cep);
          expect(isValidCep(masked)).toBe(!cep.startsWith('00'));
        },
      ),
    );
  });

  it('never throws on random strings', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(typeof isValidCep(value)).toBe('boolean');
        expect(typeof formatCep(value)).toBe('string');
      }),
    );
  });
});
