/**
 * Exact money and decimals without floats: `numeric(12,2)` in SQL, BigInt cents in code (a float loses centavos).
 *
 * Money is an integer number of centavos held in a `bigint`; other decimals (percentages, hours, km) are
 * `units / 10^scale`, also on `bigint`. No library: the arithmetic needed here is four operations and one
 * rounding mode, and BigInt does them exactly.
 *
 * Input rule (pt-BR `1.500,00` and plain `1500.00` both accepted; see `splitNumber`):
 *  - Only digits, `.` and `,`; the text starts and ends with a digit (`,5` and `5,` are refused).
 *  - When both `.` and `,` occur, the LAST separator is the decimal one and must occur once; the other one
 *    groups thousands before it (`1.500,00`, `1,500.00`, `1.234.567,89`).
 *  - When one separator occurs several times it only groups thousands (`1.500.000`, `1,500,000`).
 *  - A lone separator followed by 1..maxFractionDigits digits is the decimal one (`1500,5`, `4.5`);
 *    followed by exactly 3 digits (when 3 is more than maxFractionDigits, e.g. money) it groups thousands
 *    (`1.500` → 1500); anything else is refused (`1.5000` as money).
 *  - Thousands groups are exact: 1–3 leading digits not starting with 0, then groups of exactly 3
 *    (`1.50.000`, `0.500`, `1234.567` are refused).
 * Rounding is HALF-UP in the usual decimal sense: halves go away from zero (Java `ROUND_HALF_UP`).
 */

/** numeric(12,2): 9,999,999,999.99 is the largest amount a column holds. */
export const MAX_MONEY_CENTS = 999_999_999_999n;
const MAX_INPUT_LENGTH = 64;
/** Intl's pt-BR currency format puts a no-break space after `R$`; we do the same so lines never split it. */
export const BRL_SEPARATOR = '\u00A0';

/** An exact amount of Brazilian reais, as integer centavos. Immutable; compare with `compareMoney`. */
export class Money {
  private constructor(readonly cents: bigint) {
    Object.freeze(this);
  }

  static readonly ZERO = new Money(0n);

  /** From integer centavos (a `bigint`, or a safe integer `number`). */
  static fromCents(cents: bigint | number): Money {
    if (typeof cents === 'number') {
      if (!Number.isSafeInteger(cents))
        throw new RangeError(`Money.fromCents needs an integer, got ${cents}`);
      return new Money(BigInt(cents));
    }
    if (typeof cents !== 'bigint') throw new TypeError('Money.fromCents needs a bigint or an integer');
    return new Money(cents);
  }

  /** Plain decimal text (`1500.00`, `-3.50`), the same as `toSql` but without the range check. */
  toString(): string {
    return plainCents(this.cents);
  }

  toJSON(): string {
    return this.toString();
  }
}

/** An exact decimal `units / 10^scale`, normalized (no trailing fractional zeros), so equal values are equal fields. */
export class Decimal {
  private constructor(
    readonly units: bigint,
    readonly scale: number,
  ) {
    Object.freeze(this);
  }

  static of(units: bigint, scale = 0): Decimal {
    if (typeof units !== 'bigint') throw new TypeError('Decimal.of needs a bigint');
    if (!Number.isInteger(scale) || scale < 0 || scale > 100)
      throw new RangeError(`Bad decimal scale ${scale}`);
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale -= 1;
    }
    return new Decimal(units, scale);
  }

  /** Plain decimal text: `4.5`, `-1.25`, `12`. */
  toString(): string {
    return plainDecimal(this.units, this.scale, this.scale);
  }

  toJSON(): string {
    return this.toString();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

/**
 * Money typed by a person: `1.500,00`, `1500,00`, `1500.00`, `1.500`, `1500`, `R$ 1.500,50`, `0,5`.
 * Returns null for empty, garbage, negative, more than 2 decimals or more than 9.999.999.999,99.
 */
export function parseMoney(input: string): Money | null {
  if (typeof input !== 'string') return null;
  let text = input.trim();
  if (text.length === 0 || text.length > MAX_INPUT_LENGTH) return null;
  text = text.replace(/^R\$\s*/i, '');
  const parts = splitNumber(text, 2);
  if (!parts) return null;
  const cents = BigInt(parts.int + parts.frac.padEnd(2, '0'));
  return cents > MAX_MONEY_CENTS ? null : Money.fromCents(cents);
}

export interface ParseDecimalOptions {
  /** Accept a leading `-` (percentages may be negative; hours and km may not). Default false. */
  allowNegative?: boolean;
}

/**
 * A decimal typed by a person (`4,5`, `4.5`, `1.234,5`, `-1,25` when negatives are allowed), with at most
 * `maxFractionDigits` decimals. The separator rule is the one described at the top of this file; note that
 * with `maxFractionDigits >= 3` a lone separator followed by 3 digits is a decimal one (`3.333` → 3.333), as
 * percentages, hours and km are small numbers. Returns null for anything else.
 */
export function parseDecimal(
  input: string,
  maxFractionDigits: number,
  options: ParseDecimalOptions = {},
): Decimal | null {
  if (!Number.isInteger(maxFractionDigits) || maxFractionDigits < 0 || maxFractionDigits > 20) {
    throw new RangeError(`Bad maxFractionDigits ${maxFractionDigits}`);
  }
  if (typeof input !== 'string') return null;
  let text = input.trim();
  if (text.length === 0 || text.length > MAX_INPUT_LENGTH) return null;
  let negative = false;
  if (text.startsWith('-')) {
    if (!options.allowNegative) return null;
    negative = true;
    text = text.slice(1);
  }
  const parts = splitNumber(text, maxFractionDigits);
  if (!parts) return null;
  const units = BigInt(parts.int + parts.frac);
  return Decimal.of(negative ? -units : units, parts.frac.length);
}

/**
 * Splits `digits[sep digits]…` into integer and fraction digits following the module's separator rule.
 * Returns null when the text is not a number in either style or is ambiguous.
 */
function splitNumber(text: string, maxFrac: number): { int: string; frac: string } | null {
  if (!/^\d(?:[\d.,]*\d)?$/.test(text)) return null;
  const last = Math.max(text.lastIndexOf('.'), text.lastIndexOf(','));
  if (last < 0) return { int: text, frac: '' };
  const sep = text[last];
  const other = sep === '.' ? ',' : '.';
  const head = text.slice(0, last);
  const tail = text.slice(last + 1);
  const sepCount = text.split(sep).length - 1;
  if (text.includes(other)) {
    if (sepCount !== 1 || tail.length > maxFrac) return null;
    const int = ungroup(head, other);
    return int === null ? null : { int, frac: tail };
  }
  if (sepCount === 1 && tail.length <= maxFrac) return { int: head, frac: tail };
  const int = ungroup(text, sep);
  return int === null ? null : { int, frac: '' };
}

/** `1.234.567` → `1234567` when the grouping is exact (1–3 leading digits, not 0, then groups of 3). */
function ungroup(text: string, sep: string): string | null {
  const groups = text.split(sep);
  if (groups.length < 2) return null;
  if (!/^[1-9]\d{0,2}$/.test(groups[0])) return null;
  for (let i = 1; i < groups.length; i++) if (!/^\d{3}$/.test(groups[i])) return null;
  return groups.join('');
}

// ---------------------------------------------------------------------------------------------------------
// Formatting and SQL

/** `R$ 1.500,00` with a no-break space (U+00A0), exactly what `Intl.NumberFormat('pt-BR', BRL)` prints. */
export function formatBRL(money: Money): string {
  const sign = money.cents < 0n ? '-' : '';
  return `${sign}R$${BRL_SEPARATOR}${groupedCents(abs(money.cents))}`;
}

/** `1.500,00` without the currency: the value to put back into a form field (it parses back). */
export function formatAmountBR(money: Money): string {
  return (money.cents < 0n ? '-' : '') + groupedCents(abs(money.cents));
}

/** `1500.00`: the text for a `numeric(12,2)` parameter. Throws RangeError outside ±9,999,999,999.99. */
export function toSql(money: Money): string {
  if (abs(money.cents) > MAX_MONEY_CENTS)
    throw new RangeError(`Money ${money.toString()} exceeds numeric(12,2)`);
  return plainCents(money.cents);
}

/** Reads a `numeric` column's text (`1500.00`, `-3.5`, `7`). Throws on anything else: it is a bug, not input. */
export function fromSql(value: string): Money {
  if (typeof value !== 'string')
    throw new TypeError(`fromSql expects the numeric column's text, got ${typeof value}`);
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(value);
  if (!match) throw new RangeError(`Not a numeric(12,2) value: ${JSON.stringify(value)}`);
  const cents = BigInt(match[2] + (match[3] ?? '').padEnd(2, '0'));
  return Money.fromCents(match[1] ? -cents : cents);
}

/**
 * A TypeORM-compatible column transformer (`{ transformer: moneyTransformer }`) for `numeric(12,2)`.
 * Structural only, so this file imports nothing from TypeORM. Non-Money values (e.g. find operators)
 * pass through unchanged.
 */
export const moneyTransformer = {
  to(value: unknown): unknown {
    return value instanceof Money ? toSql(value) : value;
  },
  from(value: unknown): Money | null {
    return value === null || value === undefined ? null : fromSql(value as string);
  },
};

export interface FormatDecimalOptions {
  /** Pad the decimals to at least this many (`4,50`). Default 0. */
  minFractionDigits?: number;
  /**
   * Group thousands (`1.234,5`). Default false: with more than 2 allowed decimals `1.234` parses back as
   * 1,234 (see the input rule), so only display text, never a form value, should be grouped.
   */
  grouping?: boolean;
}

/** pt-BR text of a decimal: `4,5`, `-1,25`, `1234,5` (or `1.234,5` with `grouping`). */
export function formatDecimalBR(value: Decimal, options: FormatDecimalOptions = {}): string {
  const digits = Math.max(value.scale, options.minFractionDigits ?? 0);
  const [int, frac] = plainDecimal(value.units, value.scale, digits).split('.');
  const negative = int.startsWith('-');
  const magnitude = negative ? int.slice(1) : int;
  return (
    (negative ? '-' : '') +
    (options.grouping ? groupThousands(magnitude) : magnitude) +
    (frac ? `,${frac}` : '')
  );
}

/** Plain text for a `numeric(p, scale)` parameter (`4.5000` with scale 4). Throws if digits would be lost. */
export function toSqlDecimal(value: Decimal, scale = value.scale): string {
  if (value.scale > scale) throw new RangeError(`${value.toString()} has more than ${scale} decimals`);
  return plainDecimal(value.units, value.scale, scale);
}

/** Reads a `numeric` column's text (`4.5000`, `-1.25`, `12`). Throws on anything else. */
export function fromSqlDecimal(value: string): Decimal {
  if (typeof value !== 'string') throw new TypeError(`fromSqlDecimal expects text, got ${typeof value}`);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) throw new RangeError(`Not a numeric value: ${JSON.stringify(value)}`);
  const frac = match[3] ?? '';
  const units = BigInt(match[2] + frac);
  return Decimal.of(match[1] ? -units : units, frac.length);
}

// ---------------------------------------------------------------------------------------------------------
// Arithmetic

export function addMoney(a: Money, b: Money): Money {
  return Money.fromCents(a.cents + b.cents);
}

export function subtractMoney(a: Money, b: Money): Money {
  return Money.fromCents(a.cents - b.cents);
}

export function sumMoney(values: Iterable<Money>): Money {
  let total = 0n;
  for (const value of values) total += value.cents;
  return Money.fromCents(total);
}

/** Money × an integer quantity (e.g. a SaaS item's monthly value × its quantity). */
export function multiplyMoney(money: Money, quantity: number | bigint): Money {
  if (typeof quantity === 'number' && !Number.isSafeInteger(quantity)) {
    throw new RangeError(`multiplyMoney needs an integer quantity, got ${quantity}`);
  }
  return Money.fromCents(money.cents * BigInt(quantity));
}

/** -1, 0 or 1. */
export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  return a.cents < b.cents ? -1 : a.cents > b.cents ? 1 : 0;
}

export function moneyEquals(a: Money, b: Money): boolean {
  return a.cents === b.cents;
}

/**
 * `money × (1 + percent/100)`, rounded HALF-UP to the centavo: 100,00 + 4,5 % = 104,50;
 * 333,33 + 3,333 % = 344,4398889 → 344,44. The result may exceed numeric(12,2): check before saving.
 */
export function applyPercent(money: Money, percent: Decimal): Money {
  const denominator = 100n * 10n ** BigInt(percent.scale);
  return Money.fromCents(divideHalfUp(money.cents * (denominator + percent.units), denominator));
}

/**
 * The percentage that takes `from` to `to`, rounded HALF-UP to `fractionDigits` decimals
 * (1000,00 → 1045,00 is 4,5 %). Null when `from` is zero (no percentage describes it).
 */
export function percentChange(from: Money, to: Money, fractionDigits = 4): Decimal | null {
  if (from.cents === 0n) return null;
  const scale = 10n ** BigInt(fractionDigits);
  return Decimal.of(divideHalfUp((to.cents - from.cents) * 100n * scale, from.cents), fractionDigits);
}

export function compareDecimals(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = a.units * 10n ** BigInt(scale - a.scale);
  const y = b.units * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** n / d rounded to the nearest integer, halves away from zero. */
export function divideHalfUp(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError('Division by zero');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const quotient = n / d;
  const remainder = n % d;
  if (2n * abs(remainder) >= d) return quotient + (n < 0n ? -1n : 1n);
  return quotient;
}

// ---------------------------------------------------------------------------------------------------------

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

function plainCents(cents: bigint): string {
  return plainDecimal(cents, 2, 2);
}

/** `units / 10^scale` as plain text with exactly `digits` (>= scale) decimals. */
function plainDecimal(units: bigint, scale: number, digits: number): string {
  const negative = units < 0n;
  const text = abs(units)
    .toString()
    .padStart(scale + 1, '0');
  const int = text.slice(0, text.length - scale);
  const frac = text.slice(text.length - scale).padEnd(digits, '0');
  return (negative ? '-' : '') + int + (digits > 0 ? `.${frac}` : '');
}

function groupedCents(cents: bigint): string {
  const text = cents.toString().padStart(3, '0');
  return `${groupThousands(text.slice(0, -2))},${text.slice(-2)}`;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}
