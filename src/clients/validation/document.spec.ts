import fc from 'fast-check';
import { documentKind, formatDocument, isValidDocument, normalizeDocument } from './document';

/*
 * Reference check digits, written from the published rules and not from the implementation:
 * CPF: 9 digits, weights 10..2 (then 11..2 over 10 digits); CNPJ (RFB Nota Técnica 49/2024): 12
 * characters valued ASCII − 48 ('0'..'9' → 0..9, 'A'..'Z' → 17..42), weights 5,4,3,2,9,8,7,6,5,4,3,2
 * (then 6,5,4,3,2,9,8,7,6,5,4,3,2 over 13). Both: remainder of the sum by 11; < 2 → 0, else 11 − r.
 */
const DIGITS = '0123456789';
const ALPHANUMERICS = DIGITS + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CPF_W1 = [10, 9, 8, 7, 6, 5, 4, 3, 2];
const CPF_W2 = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_W1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_W2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

const value = (c: string) => c.charCodeAt(0) - 48;
function checkDigit(chars: string, weights: number[]): number {
  const sum = weights.reduce((total, w, i) => total + value(chars[i]) * w, 0);
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}
function withCpfDigits(base: string): string {
  const d1 = checkDigit(base, CPF_W1);
  return `${base}${d1}${checkDigit(base + d1, CPF_W2)}`;
}
function withCnpjDigits(base: string): string {
  const d1 = checkDigit(base, CNPJ_W1);
  return `${base}${d1}${checkDigit(base + d1, CNPJ_W2)}`;
}
function referenceValid(doc: string): boolean {
  const repeated = (s: string) => [...s].every((c) => c === s[0]);
  if (/^\d{11}$/.test(doc)) return !repeated(doc.slice(0, 9)) && withCpfDigits(doc.slice(0, 9)) === doc;
  if (/^[0-9A-Z]{12}\d{2}$/.test(doc))
    return !repeated(doc.slice(0, 12)) && withCnpjDigits(doc.slice(0, 12)) === doc;
  return false;
}

const chars = (alphabet: string, length: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: length, maxLength: length });
const notRepeated = (s: string) => !/^(.)\1*$/.test(s);
// The library blacklists this mathematically valid CPF, a well-known test number.
const cpfArb = chars(DIGITS, 9)
  .filter(notRepeated)
  .map(withCpfDigits)
  .filter((cpf) => cpf !== '12345678909');
const numericCnpjArb = chars(DIGITS, 12).filter(notRepeated).map(withCnpjDigits);
const alphanumericCnpjArb = chars(ALPHANUMERICS, 12)
  .filter((base) => notRepeated(base) && /[A-Z]/.test(base))
  .map(withCnpjDigits);
const anyDocumentArb = fc.oneof(cpfArb, numericCnpjArb, alphanumericCnpjArb);
const RUNS = { numRuns: 1000 };

/** A document with one character replaced by another one allowed at that position. */
const mutationArb = anyDocumentArb.chain((doc) =>
  fc.integer({ min: 0, max: doc.length - 1 }).chain((index) => {
    const isCheckDigit = index >= doc.length - 2;
    const alphabet = doc.length === 11 || isCheckDigit ? DIGITS : ALPHANUMERICS;
    return fc
      .constantFrom(...alphabet.replace(doc[index], ''))
      .map((c) => ({ doc, index, mutated: doc.slice(0, index) + c + doc.slice(index + 1) }));
  }),
);

describe('normalizeDocument', () => {
  it('removes the mask and upper-cases letters', () => {
    expect(normalizeDocument('295.379.955-93')).toBe('29537995593');
    expect(normalizeDocument(' 12.abc.345/01de-35 ')).toBe('12ABC34501DE35');
    expect(normalizeDocument('54 550 752 0001 55')).toBe('54550752000155');
  });

  it('keeps characters that are not ASCII, so they cannot be cleaned into a valid document', () => {
    // 'ß'.toUpperCase() is 'SS'; full-width digits are not digits here.
    expect(normalizeDocument('12.ABC.345/01ßE-35')).toBe('12ABC34501ßE35');
    expect(isValidDocument('２９５.３７９.９５５-９３')).toBe(false);
  });
});

describe('documentKind', () => {
  it('tells CPF from CNPJ by shape', () => {
    expect(documentKind('29537995593')).toBe('CPF');
    expect(documentKind('295.379.955-93')).toBe('CPF');
    expect(documentKind('54550752000155')).toBe('CNPJ');
    expect(documentKind('12ABC34501DE35')).toBe('CNPJ');
  });

  it('returns null for other shapes, including a CNPJ with letters in its check digits', () => {
    for (const input of [
      '',
      '123',
      '2953799559',
      '295379955930',
      '12ABC34501DE3A',
      '1234567890123X',
      'ISENTO',
    ]) {
      expect(documentKind(input)).toBeNull();
    }
  });
});

describe('isValidDocument', () => {
  it('accepts the official RFB example of an alphanumeric CNPJ, masked, unmasked and in lower case', () => {
    expect(isValidDocument('12.ABC.345/01DE-35')).toBe(true);
    expect(isValidDocument('12ABC34501DE35')).toBe(true);
    expect(isValidDocument('12.abc.345/01de-35')).toBe(true);
  });

  it('accepts known numeric CNPJs and CPFs', () => {
    expect(isValidDocument('54.550.752/0001-55')).toBe(true);
    expect(isValidDocument('11.222.333/0001-81')).toBe(true);
    expect(isValidDocument('295.379.955-93')).toBe(true);
    expect(isValidDocument('529.982.247-25')).toBe(true);
  });

  it('accepts the alphanumeric combinations of root and branch the RFB lists', () => {
    expect(isValidDocument('AA.345.678/0001-14')).toBe(true);
    expect(isValidDocument('AA.345.678/000A-29')).toBe(true);
    expect(isValidDocument('12.345.678/000A-08')).toBe(true);
  });

  it('refuses wrong check digits', () => {
    expect(isValidDocument('12.ABC.345/01DE-36')).toBe(false);
    expect(isValidDocument('12.ABC.345/01DE-53')).toBe(false);
    expect(isValidDocument('295.379.955-94')).toBe(false);
    expect(isValidDocument('54.550.752/0001-54')).toBe(false);
  });

  it('refuses all-same-digit sequences, though their check digits add up', () => {
    for (const d of DIGITS) {
      expect(isValidDocument(d.repeat(11))).toBe(false);
      expect(isValidDocument(d.repeat(14))).toBe(false);
    }
    expect(isValidDocument('11.111.111/1111-80')).toBe(false);
    expect(isValidDocument(withCnpjDigits('AAAAAAAAAAAA'))).toBe(false);
  });

  it('expects a CPF for a person (PF) and a CNPJ for a company (PJ)', () => {
    expect(isValidDocument('295.379.955-93', 'PF')).toBe(true);
    expect(isValidDocument('295.379.955-93', 'PJ')).toBe(false);
    expect(isValidDocument('12.ABC.345/01DE-35', 'PJ')).toBe(true);
    expect(isValidDocument('12.ABC.345/01DE-35', 'PF')).toBe(false);
    expect(isValidDocument('54.550.752/0001-55', 'PF')).toBe(false);
  });

  it('refuses text around a document instead of picking the digits out of it', () => {
    expect(isValidDocument('CPF 295.379.955-93')).toBe(false);
    expect(isValidDocument('295.379.955-93x')).toBe(false);
    expect(isValidDocument('12.ABC.345/01DE-35 matriz')).toBe(false);
  });

  it('refuses letters in a CPF and in the check digits of a CNPJ', () => {
    expect(isValidDocument('295.379.955-9A')).toBe(false);
    expect(isValidDocument('A95.379.955-93')).toBe(false);
    expect(isValidDocument('12.ABC.345/01DE-3F')).toBe(false);
  });

  it('refuses non-strings without throwing', () => {
    for (const input of [undefined, null, 42, {}, ['295.379.955-93']]) {
      expect(isValidDocument(input as unknown as string)).toBe(false);
    }
  });

  it('accepts every generated CPF, numeric CNPJ and alphanumeric CNPJ, masked or not', () => {
    fc.assert(
      fc.property(anyDocumentArb, (doc) => {
        expect(isValidDocument(doc)).toBe(true);
        expect(isValidDocument(formatDocument(doc))).toBe(true);
        expect(isValidDocument(formatDocument(doc).toLowerCase())).toBe(true);
        expect(isValidDocument(doc, doc.length === 11 ? 'PF' : 'PJ')).toBe(true);
        expect(isValidDocument(doc, doc.length === 11 ? 'PJ' : 'PF')).toBe(false);
      }),
      RUNS,
    );
  });

  it('refuses any change to a check digit', () => {
    fc.assert(
      fc.property(
        mutationArb.filter(({ doc, index }) => index >= doc.length - 2),
        ({ mutated }) => expect(isValidDocument(mutated)).toBe(false),
      ),
      RUNS,
    );
  });

  it('refuses a single-character change that moves the first check sum by anything but 0 or ±1 (mod 11)', () => {
    // Those always change the first check digit. The others may not, see the next two tests.
    fc.assert(
      fc.property(
        mutationArb.filter(({ doc, index, mutated }) => {
          if (index >= doc.length - 2) return false;
          const weight = (doc.length === 11 ? CPF_W1 : CNPJ_W1)[index];
          const shift = (((weight * (value(mutated[index]) - value(doc[index]))) % 11) + 11) % 11;
          return shift !== 0 && shift !== 1 && shift !== 10;
        }),
        ({ mutated }) => expect(isValidDocument(mutated)).toBe(false),
      ),
      RUNS,
    );
  });

  it('agrees with the reference on every single-character change', () => {
    fc.assert(
      fc.property(mutationArb, ({ mutated }) => {
        expect(isValidDocument(mutated)).toBe(referenceValid(mutated) && mutated !== '12345678909');
      }),
      { numRuns: 5000 },
    );
  });

  it('cannot catch every substitution: that is a property of the official algorithms', () => {
    // A CPF whose first remainder is 0 or 1 has check digit 0 either way.
    expect(isValidDocument('704.999.622-06')).toBe(true);
    expect(isValidDocument('804.999.622-06')).toBe(true);
    // Alphanumeric CNPJ: characters whose values differ by 11 ('6' = 6, 'A' = 17, 'L' = 28) weigh the same mod 11.
    expect(isValidDocument('12.6BC.345/01DE-35')).toBe(true);
    expect(isValidDocument('12.LBC.345/01DE-35')).toBe(true);
  });

  it('never throws and never accepts what the reference refuses, whatever the string', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), chars(ALPHANUMERICS + '.-/ ', 18)),
        fc.constantFrom(undefined, 'PF' as const, 'PJ' as const),
        (input, personType) => {
          const valid = isValidDocument(input, personType);
          expect(typeof valid).toBe('boolean');
          if (valid) expect(referenceValid(normalizeDocument(input))).toBe(true);
          expect(() => formatDocument(input)).not.toThrow();
          expect(() => documentKind(input)).not.toThrow();
        },
      ),
      RUNS,
    );
  });
});

describe('formatDocument', () => {
  it('masks a CPF and a CNPJ, alphanumeric included', () => {
    expect(formatDocument('29537995593')).toBe('295.379.955-93');
    expect(formatDocument('54550752000155')).toBe('54.550.752/0001-55');
    expect(formatDocument('12ABC34501DE35')).toBe('12.ABC.345/01DE-35');
  });

  it('returns input of neither shape unchanged', () => {
    expect(formatDocument('123')).toBe('123');
    expect(formatDocument('')).toBe('');
  });

  it('round-trips: the mask of a normalized document normalizes back to it', () => {
    fc.assert(
      fc.property(anyDocumentArb, (doc) => {
        const masked = formatDocument(doc);
        expect(masked).toMatch(
          /^(\d{3}\.\d{3}\.\d{3}-\d{2}|[0-9A-Z]{2}\.[0-9A-Z]{3}\.[0-9A-Z]{3}\/[0-9A-Z]{4}-\d{2})$/,
        );
        expect(normalizeDocument(masked)).toBe(doc);
        expect(formatDocument(masked)).toBe(masked);
      }),
      RUNS,
    );
  });
});
