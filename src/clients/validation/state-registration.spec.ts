import fc from 'fast-check';
import { UF_CODES, type Uf } from './address';
import {
  isValidMunicipalRegistration,
  isValidStateRegistration,
  normalizeStateRegistration,
} from './state-registration';

/**
 * Per UF: the worked example of its SINTEGRA page (sintegra.gov.br/Cad_Estados/cad_XX.html), as
 * published with its mask, and a second number on which three independent npm implementations
 * (@brazilian-utils/brazilian-utils, br-validations, inscricaoestadual) agree.
 */
const VALID: Record<Uf, [sintegraExample: string, other: string]> = {
  AC: ['01.004.823/001-12', '0158373491075'],
  AL: ['240000048', '248389327'],
  AM: ['99.999.999-0', '961843330'],
  AP: ['030123459', '032025807'],
  BA: ['123456-63', '516150660'],
  CE: ['06000001-5', '067657141'],
  DF: ['07.300001.001-09', '0791124142190'],
  ES: ['999999990', '240587766'],
  GO: ['10.987.654-7', '107331888'],
  MA: ['12.000038-5', '124824846'],
  MG: ['062.307.904/0081', '8624051826080'],
  MS: ['283115947', '289229340'],
  MT: ['0013000001-9', '87442049396'],
  PA: ['15-999999-5', '159650410'],
  PB: ['06000001-5', '673918262'],
  PE: ['0321418-40', '202561402'],
  PI: ['01234567-9', '587153881'],
  PR: ['123.45678-50', '5017212127'],
  RJ: ['99.999.99-3', '65751321'],
  RN: ['20.040.040-1', '204577535'],
  RO: ['0000000062521-3', '00000000697648'],
  RR: ['24006628-1', '249122704'],
  RS: ['224/3658792', '1481279820'],
  SC: ['251.040.852', '867409223'],
  SE: ['27123456-3', '464888468'],
  SP: ['110.042.490.114', '084037986236'],
  TO: ['29.01.022783-6', '29013229929'],
};

/** The same number with its last digit, always a check digit, replaced. */
const withWrongLastDigit = (ie: string) => ie.slice(0, -1) + String((Number(ie.at(-1)) + 1) % 10);

describe('isValidStateRegistration', () => {
  it('has an example for each of the 27 UFs', () => {
    expect(Object.keys(VALID).sort()).toEqual([...UF_CODES].sort());
  });

  describe.each(UF_CODES)('%s', (uf) => {
    it.each(VALID[uf])('accepts %s', (ie) => {
      expect(isValidStateRegistration(ie, uf)).toBe(true);
      expect(isValidStateRegistration(ie, uf.toLowerCase())).toBe(true);
      expect(isValidStateRegistration(normalizeStateRegistration(ie), uf)).toBe(true);
    });

    it.each(VALID[uf])('refuses %s with a wrong check digit', (ie) => {
      expect(isValidStateRegistration(withWrongLastDigit(ie), uf)).toBe(false);
    });
  });

  it("follows the UF's rule: a valid IE of one state is refused for a state whose format differs", () => {
    expect(isValidStateRegistration('110.042.490.114', 'RJ')).toBe(false);
    expect(isValidStateRegistration('99.999.99-3', 'SP')).toBe(false);
    expect(isValidStateRegistration('01.004.823/001-12', 'MG')).toBe(false);
  });

  it("accepts a São Paulo rural producer's IE (P prefix) only for SP", () => {
    expect(isValidStateRegistration('P-01100424.3/002', 'SP')).toBe(true);
    expect(isValidStateRegistration('p011004243002', 'SP')).toBe(true);
    expect(isValidStateRegistration('P-01100424.4/002', 'SP')).toBe(false);
    expect(isValidStateRegistration('P240000048', 'AL')).toBe(false);
  });

  it('accepts the 8- and 9-digit forms of Bahia and the 9- and 10-digit forms of Rio Grande do Norte', () => {
    expect(isValidStateRegistration('612345-57', 'BA')).toBe(true);
    expect(isValidStateRegistration('1000003-06', 'BA')).toBe(true);
    expect(isValidStateRegistration('20.0.040.040-0', 'RN')).toBe(true);
  });

  it('always accepts ISENTO, in any case, with or without a UF', () => {
    for (const value of ['ISENTO', 'isento', 'Isento', ' ISENTO ']) {
      expect(isValidStateRegistration(value)).toBe(true);
      expect(isValidStateRegistration(value, 'SP')).toBe(true);
    }
  });

  it('checks only the shape without a UF, or with a code that is not a UF', () => {
    expect(isValidStateRegistration('12345678')).toBe(true);
    expect(isValidStateRegistration('123.456.789.012-34')).toBe(true);
    expect(isValidStateRegistration('P-01100424.3/002')).toBe(true);
    expect(isValidStateRegistration('110.042.490.115', null)).toBe(true);
    expect(isValidStateRegistration('110.042.490.115', 'XX')).toBe(true);
    expect(isValidStateRegistration('1234567')).toBe(false);
    expect(isValidStateRegistration('123456789012345')).toBe(false);
  });

  it('refuses letters and other text around the digits, which the underlying library would drop', () => {
    expect(isValidStateRegistration('IE 240000048', 'AL')).toBe(false);
    expect(isValidStateRegistration('240000048a', 'AL')).toBe(false);
    expect(isValidStateRegistration('ISENTA', 'AL')).toBe(false);
    expect(isValidStateRegistration('', 'AL')).toBe(false);
    expect(isValidStateRegistration('...', 'AL')).toBe(false);
  });

  it('never throws, whatever the string and the UF', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789P./- ') })),
        fc.oneof(fc.constantFrom(...UF_CODES), fc.string(), fc.constant(undefined)),
        (value, uf) => {
          expect(typeof isValidStateRegistration(value, uf)).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('normalizeStateRegistration', () => {
  it('removes the mask and spells ISENTO in upper case', () => {
    expect(normalizeStateRegistration('110.042.490.114')).toBe('110042490114');
    expect(normalizeStateRegistration('p-01100424.3/002')).toBe('P011004243002');
    expect(normalizeStateRegistration(' isento ')).toBe('ISENTO');
  });
});

describe('isValidMunicipalRegistration', () => {
  it('accepts free text of letters, digits and punctuation up to 30 characters', () => {
    expect(isValidMunicipalRegistration('1.234.567-8')).toBe(true);
    expect(isValidMunicipalRegistration('CCM 2.345.678/001')).toBe(true);
    expect(isValidMunicipalRegistration('A'.repeat(30))).toBe(true);
  });

  it('refuses blank text, more than 30 characters, and characters outside letters, digits and punctuation', () => {
    expect(isValidMunicipalRegistration('')).toBe(false);
    expect(isValidMunicipalRegistration('   ')).toBe(false);
    expect(isValidMunicipalRegistration('A'.repeat(31))).toBe(false);
    expect(isValidMunicipalRegistration('<script>')).toBe(false);
    expect(isValidMunicipalRegistration('12\n34')).toBe(false);
  });
});
