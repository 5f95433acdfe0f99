import fc from 'fast-check';
import {
  addDays,
  addMonths,
  compareDates,
  dateInSaoPaulo,
  daysBetween,
  daysInMonth,
  formatDateBR,
  isLeapYear,
  isValidIsoDate,
  isValidYearMonth,
  monthRange,
  todayInSaoPaulo,
  yearMonthOf,
} from './calendar';

/** Any real date 0001-01-01..9999-12-31, generated through the platform's Date (independent of the module). */
const anyDate = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
/** Dates 1900..2200, so that results of ±100 years stay in range. */
const modernDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const ymd = (date: string) => date.split('-').map(Number) as [number, number, number];

describe('isValidIsoDate', () => {
  it.each(['2024-02-29', '2000-02-29', '2023-12-31', '0001-01-01', '9999-12-31', '2026-04-30'])(
    'accepts %j',
    (d) => {
      expect(isValidIsoDate(d)).toBe(true);
    },
  );

  it.each([
    '2023-02-29',
    '1900-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-04-31',
    '2024-01-00',
    '2024-1-1',
    '24-01-01',
    '0000-01-01',
    '12024-01-01',
    '2024-01-01T00:00:00Z',
    ' 2024-01-01',
    '2024/01/01',
    '01/02/2024',
    '',
    null,
    undefined,
    20240101,
  ])('rejects %j', (d) => {
    expect(isValidIsoDate(d)).toBe(false);
  });

  it('agrees with the platform calendar for every day it generates', () => {
    fc.assert(fc.property(anyDate, (d) => expect(isValidIsoDate(d)).toBe(true)));
  });
});

describe('isValidYearMonth / monthRange / yearMonthOf', () => {
  it.each([
    ['2026-03', '2026-03-01', '2026-03-31'],
    ['2026-04', '2026-04-01', '2026-04-30'],
    ['2024-02', '2024-02-01', '2024-02-29'],
    ['2023-02', '2023-02-01', '2023-02-28'],
    ['2000-02', '2000-02-01', '2000-02-29'],
    ['2100-02', '2100-02-01', '2100-02-28'],
    ['2026-12', '2026-12-01', '2026-12-31'],
  ])('%s runs from %s to %s', (month, first, last) => {
    expect(monthRange(month)).toEqual({ first, last });
  });

  it.each(['2026-13', '2026-00', '2026-3', '2026-03-01', 'março', ''])('rejects the month %j', (m) => {
    expect(isValidYearMonth(m)).toBe(false);
    expect(() => monthRange(m)).toThrow(RangeError);
  });

  it('gives the month of a date', () => {
    expect(yearMonthOf('2026-03-15')).toBe('2026-03');
    expect(() => yearMonthOf('2026-02-30')).toThrow(RangeError);
  });
});

describe('leap years and month lengths', () => {
  it.each([
    [2024, true],
    [2023, false],
    [2000, true],
    [1900, false],
    [2100, false],
    [2400, true],
  ])('%i leap: %s', (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
    expect(daysInMonth(year, 2)).toBe(leap ? 29 : 28);
  });

  it('matches the platform calendar for every month', () => {
    for (let month = 1; month <= 12; month++) {
      const reference = new Date(Date.UTC(2023, month, 0)).getUTCDate();
      expect(daysInMonth(2023, month)).toBe(reference);
    }
  });
});

describe('todayInSaoPaulo', () => {
  it('is the São Paulo wall-clock date, not the UTC one (UTC−3)', () => {
    expect(todayInSaoPaulo(new Date('2026-03-01T02:59:59Z'))).toBe('2026-02-28');
    expect(todayInSaoPaulo(new Date('2026-03-01T03:00:00Z'))).toBe('2026-03-01');
    expect(todayInSaoPaulo(new Date('2025-12-31T23:59:59-03:00'))).toBe('2025-12-31');
    expect(todayInSaoPaulo(new Date('2026-01-01T00:00:00-03:00'))).toBe('2026-01-01');
  });

  it('follows the historical daylight-saving rules of the tz database (UTC−2 in January 2019)', () => {
    expect(todayInSaoPaulo(new Date('2019-01-15T02:30:00Z'))).toBe('2019-01-15');
    expect(todayInSaoPaulo(new Date('2019-01-15T01:30:00Z'))).toBe('2019-01-14');
  });

  it('defaults to now', () => {
    const before = dateInSaoPaulo(new Date());
    const today = todayInSaoPaulo();
    expect(isValidIsoDate(today)).toBe(true);
    expect([before, dateInSaoPaulo(new Date())]).toContain(today);
  });

  it('always produces a valid date, at most one day behind UTC', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('2200-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        (instant) => {
          const local = dateInSaoPaulo(instant);
          const utc = instant.toISOString().slice(0, 10);
          expect(isValidIsoDate(local)).toBe(true);
          expect([0, -1]).toContain(daysBetween(utc, local));
        },
      ),
    );
  });
});

describe('addMonths', () => {
  it.each([
    ['2024-01-31', 1, '2024-02-29'],
    ['2023-01-31', 1, '2023-02-28'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-02-29', 48, '2028-02-29'],
    ['2024-03-31', 1, '2024-04-30'],
    ['2024-03-31', -1, '2024-02-29'],
    ['2024-01-15', 0, '2024-01-15'],
    ['2024-01-15', -1, '2023-12-15'],
    ['2024-12-15', 1, '2025-01-15'],
    ['2024-01-15', -13, '2022-12-15'],
    ['2024-08-31', 6, '2025-02-28'],
    ['0001-01-31', 1, '0001-02-28'],
    ['9999-11-30', 1, '9999-12-30'],
  ])('%s + %i months = %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });

  it('throws on invalid input or out-of-range results', () => {
    expect(() => addMonths('2023-02-29', 1)).toThrow(RangeError);
    expect(() => addMonths('2024-01-01', 1.5)).toThrow(RangeError);
    expect(() => addMonths('9999-12-01', 1)).toThrow(RangeError);
    expect(() => addMonths('0001-01-01', -1)).toThrow(RangeError);
  });

  it('never yields an invalid date, moves exactly n months and keeps the day or clamps it to the month end', () => {
    fc.assert(
      fc.property(modernDate, fc.integer({ min: -1200, max: 1200 }), (date, n) => {
        const result = addMonths(date, n);
        expect(isValidIsoDate(result)).toBe(true);
        const [y, m, d] = ymd(date);
        const [ry, rm, rd] = ymd(result);
        expect(ry * 12 + rm - (y * 12 + m)).toBe(n);
        const reference = new Date(Date.UTC(2000, rm, 0));
        reference.setUTCFullYear(ry, rm, 0); // last day of the result's month, via the platform
        expect(rd).toBe(Math.min(d, reference.getUTCDate()));
      }),
    );
  });

  it('adding 12·k months keeps the day, except 29 February in a non-leap target year', () => {
    fc.assert(
      fc.property(modernDate, fc.integer({ min: -8, max: 8 }), (date, k) => {
        const result = addMonths(date, 12 * k);
        const [y, m, d] = ymd(date);
        const [ry, rm, rd] = ymd(result);
        expect([ry, rm]).toEqual([y + k, m]);
        if (m === 2 && d === 29 && !isLeapYear(y + k)) expect(rd).toBe(28);
        else expect(rd).toBe(d);
      }),
    );
  });

  it('is reversible for days up to the 28th', () => {
    fc.assert(
      fc.property(modernDate, fc.integer({ min: -1200, max: 1200 }), (date, n) => {
        fc.pre(ymd(date)[2] <= 28);
        expect(addMonths(addMonths(date, n), -n)).toBe(date);
      }),
    );
  });
});

describe('addDays / daysBetween', () => {
  it.each([
    ['2024-02-28', 1, '2024-02-29'],
    ['2024-02-29', 1, '2024-03-01'],
    ['2023-02-28', 1, '2023-03-01'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2025-12-31', 1, '2026-01-01'],
    ['2026-01-01', -1, '2025-12-31'],
    ['2026-03-15', 0, '2026-03-15'],
    ['2000-01-01', 366, '2001-01-01'],
  ])('%s + %i days = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it('agrees with the platform calendar', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -100_000, max: 100_000 }), (date, n) => {
        const [y, m, d] = ymd(date);
        const reference = new Date(0);
        reference.setUTCFullYear(y, m - 1, d + n);
        const year = reference.getUTCFullYear();
        fc.pre(year >= 1 && year <= 9999);
        expect(addDays(date, n)).toBe(reference.toISOString().slice(0, 10));
        expect(daysBetween(date, addDays(date, n))).toBe(n);
      }),
    );
  });

  it('throws out of range', () => {
    expect(() => addDays('9999-12-31', 1)).toThrow(RangeError);
    expect(() => addDays('0001-01-01', -1)).toThrow(RangeError);
  });
});

describe('compareDates / formatDateBR', () => {
  it('orders dates', () => {
    expect(compareDates('2024-01-31', '2024-02-01')).toBe(-1);
    expect(compareDates('2024-02-01', '2024-02-01')).toBe(0);
    expect(compareDates('2025-01-01', '2024-12-31')).toBe(1);
  });

  it('orders like day numbers', () => {
    fc.assert(
      fc.property(anyDate, anyDate, (a, b) => {
        expect(compareDates(a, b)).toBe(Math.sign(daysBetween(b, a)));
      }),
    );
  });

  it('shows dates as dd/mm/aaaa', () => {
    expect(formatDateBR('2026-03-05')).toBe('05/03/2026');
    expect(() => formatDateBR('2026-3-5')).toThrow(RangeError);
  });
});
