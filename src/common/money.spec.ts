import fc from 'fast-check';
import {
  addMoney,
  applyPercent,
  BRL_SEPARATOR,
  compareDecimals,
  compareMoney,
  Decimal,
  divideHalfUp,
  formatAmountBR,
  formatBRL,
  formatDecimalBR,
  fromSql,
  fromSqlDecimal,
  MAX_MONEY_CENTS,
  Money,
  moneyTransformer,
  multiplyMoney,
  parseDecimal,
  parseMoney,
  percentChange,
  subtractMoney,
  sumMoney,
  toSql,
  toSqlDecimal,
} from './money';

const cents = (c: bigint | number) => Money.fromCents(c);
const anyCents = fc.bigInt({ min: 0n, max: MAX_MONEY_CENTS });
const brl = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });

/** Plain `1500.00` text built without the module (the reference for formatting tests). */
function plain(c: bigint): string {
  const negative = c < 0n;
  const text = (negative ? -c : c).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${text.slice(0, -2)}.${text.slice(-2)}`;
}

/** Thousands grouping built without the module's regex. */
function group(intDigits: string, sep: string): string {
  const out: string[] = [];
  for (let end = intDigits.length; end > 0; end -= 3) out.unshift(intDigits.slice(Math.max(0, end - 3), end));
  return out.join(sep);
}

describe('parseMoney', () => {
  it.each([
    ['1.500,00', 150000n],
    ['1500,00', 150000n],
    ['1500.00', 150000n],
    ['1500', 150000n],
    ['1.500', 150000n],
    ['1,500', 150000n],
    ['1,500.00', 150000n],
    ['R$ 1.500,50', 150050n],
    ['R$1.500,50', 150050n],
    [`R$${BRL_SEPARATOR}1.500,50`, 150050n],
    ['r$ 10', 1000n],
    ['  42,9  ', 4290n],
    ['0,5', 50n],
    ['0.05', 5n],
    ['0', 0n],
    ['000,10', 10n],
    ['1.234.567,89', 123456789n],
    ['1,234,567.89', 123456789n],
    ['1.234.567', 123456700n],
    ['9.999.999.999,99', 999999999999n],
    ['9999999999.99', 999999999999n],
  ])('reads %j as %s centavos', (input, expected) => {
    expect(parseMoney(input)?.cents).toBe(expected);
  });

  it.each([
    [''],
    ['   '],
    ['R$'],
    ['abc'],
    ['1,5a'],
    ['-1,00'],
    ['-R$ 1,00'],
    ['R$ -1,00'],
    ['+1,00'],
    ['1,234'.repeat(20)],
    [',50'],
    ['50,'],
    ['1.'],
    ['1,0050'],
    ['1,001.5,0'],
    ['1.500.00'],
    ['1,500,00'],
    ['1.5,00'],
    ['1.50.000'],
    ['1234.567'],
    ['0.500'],
    ['01.500'],
    ['1..5'],
    ['1.,5'],
    ['1 500,00'],
    ['1_500'],
    ['1e3'],
    ['Infinity'],
    ['0x10'],
    ['10.000.000.000,00'],
    ['10000000000'],
    ['9999999999.999'],
  ])('refuses %j', (input) => {
    expect(parseMoney(input)).toBeNull();
  });

  it('refuses more than two decimals when the group is not a thousands group', () => {
    expect(parseMoney('1,5000')).toBeNull();
    expect(parseMoney('0,123')).toBeNull();
  });

  it('refuses non-string input at run time', () => {
    expect(parseMoney(undefined as unknown as string)).toBeNull();
    expect(parseMoney(1500 as unknown as string)).toBeNull();
  });

  it('reads every amount written in any of the accepted styles as the same value', () => {
    fc.assert(
      fc.property(anyCents, fc.boolean(), (c, currency) => {
        const [int, frac] = plain(c).split('.');
        const prefix = currency ? 'R$ ' : '';
        const styles = [
          `${group(int, '.')},${frac}`,
          `${int},${frac}`,
          `${int}.${frac}`,
          `${group(int, ',')}.${frac}`,
        ];
        if (frac === '00') styles.push(int, group(int, '.'));
        for (const text of styles) expect(parseMoney(prefix + text)?.cents).toBe(c);
      }),
    );
  });

  it('round-trips formatBRL, formatAmountBR and toSql for any numeric(12,2) amount', () => {
    fc.assert(
      fc.property(anyCents, (c) => {
        const money = cents(c);
        expect(parseMoney(formatBRL(money))?.cents).toBe(c);
        expect(parseMoney(formatAmountBR(money))?.cents).toBe(c);
        expect(parseMoney(toSql(money))?.cents).toBe(c);
        expect(fromSql(toSql(money)).cents).toBe(c);
      }),
    );
  });

  it('round-trips at the boundaries', () => {
    for (const c of [0n, 1n, 9n, 10n, 99n, 100n, 999n, 1000n, 99999n, 100000n, MAX_MONEY_CENTS]) {
      expect(parseMoney(formatBRL(cents(c)))?.cents).toBe(c);
    }
  });
});

describe('formatBRL', () => {
  it('prints R$, a no-break space, dot thousands and comma decimals', () => {
    expect(formatBRL(cents(150000))).toBe('R$\u00A01.500,00');
    expect(formatBRL(cents(5))).toBe('R$\u00A00,05');
    expect(formatBRL(cents(0))).toBe('R$\u00A00,00');
    expect(formatBRL(cents(-150050))).toBe('-R$\u00A01.500,50');
    expect(formatBRL(cents(MAX_MONEY_CENTS))).toBe('R$\u00A09.999.999.999,99');
  });

  it('prints exactly what Intl.NumberFormat pt-BR BRL prints', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -MAX_MONEY_CENTS, max: MAX_MONEY_CENTS }), (c) => {
        expect(formatBRL(cents(c))).toBe(brl.format(plain(c) as unknown as number));
      }),
    );
  });

  it('formatAmountBR leaves the currency out', () => {
    expect(formatAmountBR(cents(123456789))).toBe('1.234.567,89');
    expect(formatAmountBR(cents(-50))).toBe('-0,50');
  });
});

describe('toSql / fromSql', () => {
  it('writes plain text with two decimals', () => {
    expect(toSql(cents(150000))).toBe('1500.00');
    expect(toSql(cents(5))).toBe('0.05');
    expect(toSql(cents(-350))).toBe('-3.50');
    expect(String(cents(150000))).toBe('1500.00');
    expect(JSON.stringify({ v: cents(150000) })).toBe('{"v":"1500.00"}');
  });

  it('refuses to write an amount numeric(12,2) cannot hold', () => {
    expect(() => toSql(cents(MAX_MONEY_CENTS + 1n))).toThrow(RangeError);
    expect(() => toSql(cents(-MAX_MONEY_CENTS - 1n))).toThrow(RangeError);
    expect(toSql(cents(-MAX_MONEY_CENTS))).toBe('-9999999999.99');
  });

  it('reads numeric column text', () => {
    expect(fromSql('1500.00').cents).toBe(150000n);
    expect(fromSql('1500.5').cents).toBe(150050n);
    expect(fromSql('7').cents).toBe(700n);
    expect(fromSql('-3.50').cents).toBe(-350n);
  });

  it.each(['', '1,50', '1.500', 'abc', ' 1.00', '1.', '.5', '1e3'])(
    'throws on %j (a bug, not input)',
    (text) => {
      expect(() => fromSql(text)).toThrow(RangeError);
    },
  );

  it('throws on a float from a misconfigured driver', () => {
    expect(() => fromSql(1500 as unknown as string)).toThrow(TypeError);
  });

  it('moneyTransformer maps Money ⇄ text and keeps null', () => {
    expect(moneyTransformer.to(cents(150000))).toBe('1500.00');
    expect(moneyTransformer.to(null)).toBeNull();
    expect(moneyTransformer.from('1500.00')).toEqual(cents(150000));
    expect(moneyTransformer.from(null)).toBeNull();
    const operator = { _type: 'moreThan' };
    expect(moneyTransformer.to(operator)).toBe(operator);
  });
});

describe('Money', () => {
  it('refuses fractional centavos', () => {
    expect(() => Money.fromCents(1.5)).toThrow(RangeError);
    expect(() => Money.fromCents(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
    expect(Money.fromCents(150).cents).toBe(150n);
  });

  it('is immutable', () => {
    const money = cents(100);
    expect(() => {
      (money as { cents: bigint }).cents = 5n;
    }).toThrow(TypeError);
  });

  it('adds, subtracts, sums, multiplies and compares exactly', () => {
    expect(addMoney(cents(10), cents(20)).cents).toBe(30n);
    expect(subtractMoney(cents(10), cents(20)).cents).toBe(-10n);
    expect(sumMoney([cents(1), cents(2), cents(3)]).cents).toBe(6n);
    expect(sumMoney([]).cents).toBe(0n);
    expect(multiplyMoney(cents(1999), 3).cents).toBe(5997n);
    expect(() => multiplyMoney(cents(1999), 1.5)).toThrow(RangeError);
    expect(compareMoney(cents(1), cents(2))).toBe(-1);
    expect(compareMoney(cents(2), cents(2))).toBe(0);
    expect(compareMoney(cents(3), cents(2))).toBe(1);
  });

  it('never shows float artefacts (0,10 + 0,20 = 0,30)', () => {
    expect(toSql(addMoney(parseMoney('0,10')!, parseMoney('0,20')!))).toBe('0.30');
  });
});

describe('applyPercent', () => {
  const pct = (text: string) => parseDecimal(text, 6, { allowNegative: true })!;

  it.each([
    ['100.00', '4.5', '104.50'],
    ['100.00', '4,5', '104.50'],
    ['333.33', '3.333', '344.44'], // 344.4398889 → 344.44
    ['0.05', '10', '0.06'], // 0.055 → half up
    ['0.15', '-10', '0.14'], // 0.135 → half up
    ['0.25', '-10', '0.23'], // 0.225 → half up
    ['1000.00', '0', '1000.00'],
    ['1000.00', '-99.9999', '0.00'],
    ['1500.00', '100', '3000.00'],
    ['1234.56', '7.89', '1331.97'], // 1331.969784
    ['0.01', '50', '0.02'], // 0.015 → 0.02
    ['0.01', '49.9999', '0.01'],
  ])('%s + %s %% = %s', (value, percent, expected) => {
    expect(toSql(applyPercent(parseMoney(value)!, pct(percent)))).toBe(expected);
  });

  it('rounds half away from zero for negative amounts', () => {
    expect(applyPercent(cents(-5), pct('10')).cents).toBe(-6n); // -0.055 → -0.06
  });

  it('equals an independent BigInt reference (floor of doubled fraction)', () => {
    fc.assert(
      fc.property(
        anyCents,
        fc.bigInt({ min: -999999n, max: 9999999n }),
        fc.integer({ min: 0, max: 4 }),
        (c, units, scale) => {
          // percent = units / 10^scale; result = c * (100*10^s + units) / (100*10^s).
          const den = 100n * 10n ** BigInt(scale);
          const num = c * (den + units);
          const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
          const expected =
            num >= 0n ? floorDiv(2n * num + den, 2n * den) : -floorDiv(-2n * num + den, 2n * den);
          expect(applyPercent(cents(c), Decimal.of(units, scale)).cents).toBe(expected);
        },
      ),
    );
  });
});

describe('percentChange', () => {
  it.each([
    ['1000.00', '1045.00', '4.5'],
    ['300.00', '310.00', '3.3333'],
    ['300.00', '320.00', '6.6667'],
    ['1000.00', '900.00', '-10'],
    ['1000.00', '1000.00', '0'],
    ['3.00', '3.01', '0.3333'],
  ])('%s → %s is %s %%', (from, to, expected) => {
    expect(percentChange(parseMoney(from)!, parseMoney(to)!)?.toString()).toBe(expected);
  });

  it('has no percentage from zero', () => {
    expect(percentChange(cents(0), cents(100))).toBeNull();
  });

  it('is what applyPercent needs to reach the target when the percentage is exact', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.bigInt({ min: -9999n, max: 100000n }),
        (c, bp) => {
          const percent = Decimal.of(bp, 2); // whole hundredths of a percent
          const target = applyPercent(cents(c * 10000n), percent); // c*10000 cents: exact, no rounding
          expect(compareDecimals(percentChange(cents(c * 10000n), target)!, percent)).toBe(0);
        },
      ),
    );
  });
});

describe('divideHalfUp', () => {
  it.each([
    [5n, 2n, 3n],
    [-5n, 2n, -3n],
    [7n, 3n, 2n],
    [-7n, 3n, -2n],
    [8n, 3n, 3n],
    [5n, -2n, -3n],
    [0n, 7n, 0n],
  ])('%s / %s = %s', (n, d, q) => {
    expect(divideHalfUp(n, d)).toBe(q);
  });

  it('refuses division by zero', () => {
    expect(() => divideHalfUp(1n, 0n)).toThrow(RangeError);
  });
});

describe('parseDecimal', () => {
  it.each([
    ['4,5', 2, '4.5'],
    ['4.5', 2, '4.5'],
    ['4,50', 2, '4.5'],
    ['12', 2, '12'],
    ['1.500', 2, '1500'],
    ['1.500', 0, '1500'],
    ['1.234,5', 2, '1234.5'],
    ['1,234.5', 2, '1234.5'],
    ['3.333', 4, '3.333'],
    ['3,333', 4, '3.333'],
    ['1.234,5678', 4, '1234.5678'],
    ['1.234.567', 4, '1234567'],
    ['0,0001', 4, '0.0001'],
  ])('reads %j (max %i decimals) as %s', (input, max, expected) => {
    expect(parseDecimal(input, max)?.toString()).toBe(expected);
  });

  it('reads negatives only when allowed', () => {
    expect(parseDecimal('-1,25', 2, { allowNegative: true })?.toString()).toBe('-1.25');
    expect(parseDecimal('-1.25', 2, { allowNegative: true })?.toString()).toBe('-1.25');
    expect(parseDecimal('-1,25', 2)).toBeNull();
    expect(parseDecimal('--1', 2, { allowNegative: true })).toBeNull();
    expect(parseDecimal('- 1', 2, { allowNegative: true })).toBeNull();
  });

  it.each([
    ['', 2],
    ['abc', 2],
    ['4,5678', 2],
    ['4,56789', 4],
    ['1,5', 0],
    ['1.2.3', 4],
    ['1,234.5,6', 4],
    [',5', 2],
    ['5.', 2],
    ['+5', 2],
    ['R$ 5', 2],
    ['5%', 2],
  ])('refuses %j (max %i decimals)', (input, max) => {
    expect(parseDecimal(input, max)).toBeNull();
  });

  it('refuses a bad maxFractionDigits (a bug)', () => {
    expect(() => parseDecimal('1', -1)).toThrow(RangeError);
    expect(() => parseDecimal('1', 1.5)).toThrow(RangeError);
  });

  it('round-trips formatDecimalBR (ungrouped) and plain text for any value', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.integer({ min: 0, max: 4 }),
        (units, scale) => {
          const value = Decimal.of(units, scale);
          for (const max of [4, 6]) {
            expect(parseDecimal(formatDecimalBR(value), max, { allowNegative: true })).toEqual(value);
            expect(parseDecimal(value.toString(), max, { allowNegative: true })).toEqual(value);
          }
        },
      ),
    );
  });
});

describe('Decimal helpers', () => {
  it('normalizes trailing zeros so equal values are equal', () => {
    expect(Decimal.of(4500n, 3)).toEqual(Decimal.of(45n, 1));
    expect(Decimal.of(0n, 4)).toEqual(Decimal.of(0n));
  });

  it('formats pt-BR, optionally grouped and padded', () => {
    expect(formatDecimalBR(Decimal.of(45n, 1))).toBe('4,5');
    expect(formatDecimalBR(Decimal.of(-125n, 2))).toBe('-1,25');
    expect(formatDecimalBR(Decimal.of(12345n, 1))).toBe('1234,5');
    expect(formatDecimalBR(Decimal.of(12345n, 1), { grouping: true })).toBe('1.234,5');
    expect(formatDecimalBR(Decimal.of(45n, 1), { minFractionDigits: 2 })).toBe('4,50');
    expect(formatDecimalBR(Decimal.of(5n, 2))).toBe('0,05');
  });

  it('writes and reads numeric text with a fixed scale', () => {
    expect(toSqlDecimal(Decimal.of(45n, 1), 4)).toBe('4.5000');
    expect(toSqlDecimal(Decimal.of(-125n, 2))).toBe('-1.25');
    expect(() => toSqlDecimal(Decimal.of(12345n, 5), 4)).toThrow(RangeError);
    expect(fromSqlDecimal('4.5000')).toEqual(Decimal.of(45n, 1));
    expect(fromSqlDecimal('-0.0100')).toEqual(Decimal.of(-1n, 2));
    expect(() => fromSqlDecimal('4,5')).toThrow(RangeError);
  });

  it('compares across scales', () => {
    expect(compareDecimals(Decimal.of(45n, 1), Decimal.of(4500n, 3))).toBe(0);
    expect(compareDecimals(Decimal.of(-100n), Decimal.of(-999999n, 4))).toBe(-1);
    expect(compareDecimals(Decimal.of(1n, 4), Decimal.of(0n))).toBe(1);
  });
});
