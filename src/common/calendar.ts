/**
 * Calendar dates as `YYYY-MM-DD` strings (what `<input type=date>` sends and what TypeORM returns for a
 * PostgreSQL `date` column). No `Date` objects and no time zone are involved, so nothing drifts by a day:
 * the arithmetic is done on day numbers with integer math. Only `dateInSaoPaulo` touches an instant, and it
 * asks Intl for the wall-clock date in America/Sao_Paulo (the zone operators live in; the database keeps UTC).
 *
 * Years 0001–9999 only (4-digit years keep string comparison equal to date comparison).
 */

/** `YYYY-MM-DD`. */
export type IsoDate = string;
/** `YYYY-MM`. */
export type YearMonth = string;

export const SAO_PAULO_TIME_ZONE = 'America/Sao_Paulo';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEAR_MONTH = /^(\d{4})-(\d{2})$/;
const MIN_DAY = daysFromCivil(1, 1, 1);
const MAX_DAY = daysFromCivil(9999, 12, 31);

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A real calendar day written exactly `YYYY-MM-DD` (rejects `2023-02-29`, `2024-13-01`, `2024-1-1`). */
export function isValidIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** `YYYY-MM` with a real month (the `?due=` filter). */
export function isValidYearMonth(value: unknown): value is YearMonth {
  if (typeof value !== 'string') return false;
  const match = YEAR_MONTH.exec(value);
  if (!match) return false;
  const month = Number(match[2]);
  return Number(match[1]) >= 1 && month >= 1 && month <= 12;
}

const saoPauloFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: SAO_PAULO_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date an instant falls on in São Paulo (e.g. 2026-03-01T02:00Z → `2026-02-28`). */
export function dateInSaoPaulo(instant: Date): IsoDate {
  const parts: Record<string, string> = {};
  for (const part of saoPauloFormat.formatToParts(instant)) parts[part.type] = part.value;
  return `${parts.year.padStart(4, '0')}-${parts.month}-${parts.day}`;
}

/** Today in São Paulo. Pass `now` in tests (and to keep one request on one "today"). */
export function todayInSaoPaulo(now: Date = new Date()): IsoDate {
  return dateInSaoPaulo(now);
}

/**
 * `date` plus `months` (may be negative), clamped to the end of the target month:
 * 2024-01-31 + 1 = 2024-02-29, 2023-01-31 + 1 = 2023-02-28, 2024-02-29 + 12 = 2025-02-28.
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [year, month, day] = parts(date);
  if (!Number.isSafeInteger(months)) throw new RangeError(`addMonths needs an integer, got ${months}`);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  if (targetYear < 1 || targetYear > 9999) throw new RangeError(`${date} + ${months} months is out of range`);
  return format(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}

/** `date` plus `days` (may be negative). */
export function addDays(date: IsoDate, days: number): IsoDate {
  const [year, month, day] = parts(date);
  if (!Number.isSafeInteger(days)) throw new RangeError(`addDays needs an integer, got ${days}`);
  const target = daysFromCivil(year, month, day) + days;
  if (target < MIN_DAY || target > MAX_DAY) throw new RangeError(`${date} + ${days} days is out of range`);
  const [y, m, d] = civilFromDays(target);
  return format(y, m, d);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return daysFromCivil(...parts(to)) - daysFromCivil(...parts(from));
}

/** -1, 0 or 1. Both arguments must be valid `YYYY-MM-DD` dates (then text order is date order). */
export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** First and last day of a `YYYY-MM` month: `2026-03` → `2026-03-01` … `2026-03-31`. */
export function monthRange(month: YearMonth): { first: IsoDate; last: IsoDate } {
  if (!isValidYearMonth(month)) throw new RangeError(`Not a YYYY-MM month: ${JSON.stringify(month)}`);
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return { first: `${month}-01`, last: format(year, m, daysInMonth(year, m)) };
}

/** `2026-03-15` → `2026-03`. */
export function yearMonthOf(date: IsoDate): YearMonth {
  parts(date);
  return date.slice(0, 7);
}

/** `2026-03-15` → `15/03/2026`, the pt-BR display form. */
export function formatDateBR(date: IsoDate): string {
  const [year, month, day] = parts(date);
  return `${pad(day, 2)}/${pad(month, 2)}/${pad(year, 4)}`;
}

// ---------------------------------------------------------------------------------------------------------

function parts(date: IsoDate): [number, number, number] {
  if (!isValidIsoDate(date)) throw new RangeError(`Not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function format(year: number, month: number, day: number): IsoDate {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of `daysFromCivil`. */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}
