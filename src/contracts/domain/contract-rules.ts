import { addDays, addMonths, isValidIsoDate, IsoDate, monthRange, YearMonth } from '../../common/calendar';
import {
  applyPercent,
  compareDecimals,
  Decimal,
  MAX_MONEY_CENTS,
  Money,
  parseDecimal,
  percentChange,
} from '../../common/money';

/**
 * Contract rules that need no I/O, following Tiflux's contract model (modalities, readjustment by index
 * on a "Data Base" date, automatic renewal): the closed vocabularies, the status computed on read, end dates, readjustment (reajuste) and
 * renewal plans. Dates are `YYYY-MM-DD` calendar days in America/Sao_Paulo; money is exact (`Money`).
 *
 * Validation failures of operator input come back as `{ ok: false, errors: { field: code } }`, where the
 * code is an i18n key (texts in the i18n catalogs); values read from the database that break an
 * invariant throw instead (a bug, not input).
 */

// ---------------------------------------------------------------------------------------------------------
// Vocabularies

/**
 * Tiflux's contract modalities; `free` is its "Livre" (a fixed value with no usage limit). Operators read
 * them through the i18n catalogs (`contracts.modality.*`), as the indexes and statuses.
 */
export const CONTRACT_MODALITIES = [
  'fixed_monthly',
  'hours_bank',
  'per_ticket',
  'product_saas',
  'free',
] as const;
export type ContractModality = (typeof CONTRACT_MODALITIES)[number];

export const READJUSTMENT_INDEXES = ['IPCA', 'IGP-M', 'INPC', 'fixed'] as const;
export type ReadjustmentIndex = (typeof READJUSTMENT_INDEXES)[number];

export const CONTRACT_STATUSES = ['active', 'pending_readjustment', 'expired', 'cancelled'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export function isContractModality(value: unknown): value is ContractModality {
  return typeof value === 'string' && (CONTRACT_MODALITIES as readonly string[]).includes(value);
}

export function isReadjustmentIndex(value: unknown): value is ReadjustmentIndex {
  return typeof value === 'string' && (READJUSTMENT_INDEXES as readonly string[]).includes(value);
}

export function isContractStatus(value: unknown): value is ContractStatus {
  return typeof value === 'string' && (CONTRACT_STATUSES as readonly string[]).includes(value);
}

export const DEFAULT_READJUSTMENT_PERIOD_MONTHS = 12;
export const MAX_PERIOD_MONTHS = 120;
export const MAX_DURATION_MONTHS = 600;
/** Percentages (readjustment, applied %) keep 4 decimals: numeric(7,4) is enough for ±999,9999 %. */
export const PERCENT_FRACTION_DIGITS = 4;

// ---------------------------------------------------------------------------------------------------------
// Error codes (i18n keys; their texts live in the catalogs src/common/i18n/*.ts)

export const CONTRACT_ERROR_CODES = [
  'contracts.errors.invalidDate',
  'contracts.errors.endBeforeStart',
  'contracts.errors.endDateDurationMismatch',
  'contracts.errors.invalidDuration',
  'contracts.errors.invalidPeriod',
  'contracts.errors.readjustmentBeforeStart',
  'contracts.errors.percentOrNewValueRequired',
  'contracts.errors.percentAndNewValue',
  'contracts.errors.invalidPercent',
  'contracts.errors.percentTooLow',
  'contracts.errors.newValueNotPositive',
  'contracts.errors.valueTooLarge',
] as const;
export type ContractErrorCode = (typeof CONTRACT_ERROR_CODES)[number];

export type RuleResult<T, F extends string> =
  { ok: true; value: T } | { ok: false; errors: Partial<Record<F, ContractErrorCode>> };

/** A readjustment percentage typed by a person: `4,5`, `4.5`, `-1,25`; at most 4 decimals. */
export function parsePercent(input: string): Decimal | null {
  return parseDecimal(input, PERCENT_FRACTION_DIGITS, { allowNegative: true });
}

// ---------------------------------------------------------------------------------------------------------
// Status

export interface ContractStatusInput {
  /** Any non-null value (timestamp or date) means cancelled. */
  cancelledAt?: Date | string | null;
  /** Not used by the rule: a contract that starts in the future is `active` (there is no "scheduled"). */
  startDate?: IsoDate | null;
  /** Last day in force (inclusive); null = no fixed term. */
  endDate?: IsoDate | null;
  /** Null = no readjustment scheduled. */
  nextReadjustmentDate?: IsoDate | null;
  /** An auto-renewing contract whose end passed is awaiting its renewal, not expired. */
  autoRenew?: boolean;
}

/**
 * The status on `today` (São Paulo calendar day), first match wins:
 * 1. `cancelled` — a cancellation is recorded;
 * 2. `expired` — `endDate < today` (the end date itself is still in force), unless `autoRenew` is set: the
 *    daily job (`planRenewal`) extends such a contract, and a read before it runs must not show it expired;
 * 3. `pending_readjustment` — `nextReadjustmentDate <= today`: the readjustment is due ON its date, as
 *    Tiflux marks it ("readjust") on the day; applying a revision moves the date on and clears it;
 * 4. `active`.
 */
export function computeContractStatus(contract: ContractStatusInput, today: IsoDate): ContractStatus {
  assertDate(today, 'today');
  if (contract.cancelledAt !== null && contract.cancelledAt !== undefined) return 'cancelled';
  if (contract.endDate && !contract.autoRenew && assertDate(contract.endDate, 'endDate') < today)
    return 'expired';
  if (
    contract.nextReadjustmentDate &&
    assertDate(contract.nextReadjustmentDate, 'nextReadjustmentDate') <= today
  ) {
    return 'pending_readjustment';
  }
  return 'active';
}

// ---------------------------------------------------------------------------------------------------------
// Terms: start, end / duration, readjustment schedule

/** Last day of a contract of `durationMonths` from `startDate`: start + n months − 1 day (2026-01-15, 12 → 2027-01-14). */
export function endDateFrom(startDate: IsoDate, durationMonths: number): IsoDate {
  assertDate(startDate, 'startDate');
  assertMonths(durationMonths, MAX_DURATION_MONTHS, 'durationMonths');
  return addDays(addMonths(startDate, durationMonths), -1);
}

export interface ContractTermsInput {
  startDate?: string | null;
  endDate?: string | null;
  durationMonths?: number | null;
  readjustmentPeriodMonths?: number | null;
  nextReadjustmentDate?: string | null;
}

export interface ContractTerms {
  startDate: IsoDate;
  /** Null = no fixed term (prazo indeterminado). */
  endDate: IsoDate | null;
  durationMonths: number | null;
  readjustmentPeriodMonths: number;
  nextReadjustmentDate: IsoDate;
}

export type ContractTermsField =
  'startDate' | 'endDate' | 'durationMonths' | 'readjustmentPeriodMonths' | 'nextReadjustmentDate';

/**
 * A contract's dates lie in 1900–2199: a typo such as 9999-12-31 is refused as an invalid date rather than
 * overflowing the calendar when a term or period is added to it (end = start + 600 months at most).
 */
const isContractDate = (value: unknown): value is IsoDate =>
  isValidIsoDate(value) && value >= '1900-01-01' && value <= '2199-12-31';

/**
 * Validates and completes the dates of the contract form:
 * - `startDate` is required;
 * - the term is `endDate` or `durationMonths` (1–600) or neither (no fixed term); with only a duration the
 *   end is `endDateFrom(start, duration)`; with both they must agree; the end may not precede the start;
 * - `readjustmentPeriodMonths` is 1–120, default 12;
 * - `nextReadjustmentDate` defaults to start + one period and may not precede the start.
 */
export function resolveContractTerms(
  input: ContractTermsInput,
): RuleResult<ContractTerms, ContractTermsField> {
  const errors: Partial<Record<ContractTermsField, ContractErrorCode>> = {};
  const startDate = isContractDate(input.startDate) ? input.startDate : null;
  if (!startDate) errors.startDate = 'contracts.errors.invalidDate';

  const period = input.readjustmentPeriodMonths ?? DEFAULT_READJUSTMENT_PERIOD_MONTHS;
  if (!isMonths(period, MAX_PERIOD_MONTHS))
    errors.readjustmentPeriodMonths = 'contracts.errors.invalidPeriod';

  const duration = input.durationMonths ?? null;
  if (duration !== null && !isMonths(duration, MAX_DURATION_MONTHS))
    errors.durationMonths = 'contracts.errors.invalidDuration';

  let endDate: IsoDate | null = null;
  if (input.endDate !== null && input.endDate !== undefined) {
    if (!isContractDate(input.endDate)) errors.endDate = 'contracts.errors.invalidDate';
    else endDate = input.endDate;
  }

  let nextReadjustmentDate: IsoDate | null = null;
  if (input.nextReadjustmentDate !== null && input.nextReadjustmentDate !== undefined) {
    if (!isContractDate(input.nextReadjustmentDate))
      errors.nextReadjustmentDate = 'contracts.errors.invalidDate';
    else nextReadjustmentDate = input.nextReadjustmentDate;
  }

  if (startDate && !errors.durationMonths && duration !== null) {
    const computed = endDateFrom(startDate, duration);
    if (endDate === null && !errors.endDate) endDate = computed;
    else if (endDate !== null && endDate !== computed)
      errors.endDate = 'contracts.errors.endDateDurationMismatch';
  }
  if (startDate && endDate && !errors.endDate && endDate < startDate)
    errors.endDate = 'contracts.errors.endBeforeStart';
  if (startDate && nextReadjustmentDate && nextReadjustmentDate < startDate) {
    errors.nextReadjustmentDate = 'contracts.errors.readjustmentBeforeStart';
  }

  if (Object.keys(errors).length > 0 || !startDate) return { ok: false, errors };
  return {
    ok: true,
    value: {
      startDate,
      endDate,
      durationMonths: duration,
      readjustmentPeriodMonths: period,
      nextReadjustmentDate: nextReadjustmentDate ?? addMonths(startDate, period),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Readjustment (reajuste → a revision / adendo)

export interface ReadjustmentInput {
  currentValue: Money;
  /** Exactly one of `percent` and `newValue`. */
  percent?: Decimal | null;
  newValue?: Money | null;
  /** The contract's current next readjustment date; null when none is scheduled (stays null). */
  nextReadjustmentDate: IsoDate | null;
  periodMonths: number;
  effectiveFrom: IsoDate;
}

export interface ReadjustmentPlan {
  oldValue: Money;
  newValue: Money;
  /** The percentage given, or the one the new value implies (4 decimals, HALF-UP); null from a zero value. */
  percentApplied: Decimal | null;
  nextReadjustmentDate: IsoDate | null;
  effectiveFrom: IsoDate;
}

export type ReadjustmentField =
  'percent' | 'newValue' | 'effectiveFrom' | 'periodMonths' | 'nextReadjustmentDate';

/**
 * What applying a readjustment writes: the revision's old/new value and percentage, effective from
 * `effectiveFrom`, and the contract's next readjustment date moved exactly one period on from the PREVIOUS
 * next date (not from today or from `effectiveFrom`), so the contract's anniversary is kept even when the
 * readjustment is applied late. One call moves one period; a contract several periods behind stays pending.
 *
 * Rules: exactly one of percent / newValue; newValue > 0; percent > -100 with at most 4 decimals; the result
 * fits numeric(12,2). A percentage is applied with `applyPercent` (HALF-UP to the centavo).
 */
export function planReadjustment(input: ReadjustmentInput): RuleResult<ReadjustmentPlan, ReadjustmentField> {
  const errors: Partial<Record<ReadjustmentField, ContractErrorCode>> = {};
  const percent = input.percent ?? null;
  const given = input.newValue ?? null;

  if (percent === null && given === null) errors.percent = 'contracts.errors.percentOrNewValueRequired';
  if (percent !== null && given !== null) errors.percent = 'contracts.errors.percentAndNewValue';
  if (percent !== null && !errors.percent) {
    if (percent.scale > PERCENT_FRACTION_DIGITS) errors.percent = 'contracts.errors.invalidPercent';
    else if (compareDecimals(percent, Decimal.of(-100n)) <= 0)
      errors.percent = 'contracts.errors.percentTooLow';
  }
  if (given !== null && !errors.percent) {
    if (given.cents <= 0n) errors.newValue = 'contracts.errors.newValueNotPositive';
    else if (given.cents > MAX_MONEY_CENTS) errors.newValue = 'contracts.errors.valueTooLarge';
  }
  if (!isContractDate(input.effectiveFrom)) errors.effectiveFrom = 'contracts.errors.invalidDate';
  if (!isMonths(input.periodMonths, MAX_PERIOD_MONTHS))
    errors.periodMonths = 'contracts.errors.invalidPeriod';
  if (input.nextReadjustmentDate !== null && !isValidIsoDate(input.nextReadjustmentDate)) {
    errors.nextReadjustmentDate = 'contracts.errors.invalidDate';
  }

  let newValue: Money | null = given;
  let percentApplied: Decimal | null = percent;
  if (percent !== null && !errors.percent) {
    newValue = applyPercent(input.currentValue, percent);
    if (newValue.cents > MAX_MONEY_CENTS) errors.percent = 'contracts.errors.valueTooLarge';
  } else if (given !== null && !errors.newValue && !errors.percent) {
    percentApplied = percentChange(input.currentValue, given, PERCENT_FRACTION_DIGITS);
  }

  if (Object.keys(errors).length > 0 || newValue === null) return { ok: false, errors };
  return {
    ok: true,
    value: {
      oldValue: input.currentValue,
      newValue,
      percentApplied,
      nextReadjustmentDate:
        input.nextReadjustmentDate === null
          ? null
          : addMonths(input.nextReadjustmentDate, input.periodMonths),
      effectiveFrom: input.effectiveFrom,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Renewal

export interface RenewalInput {
  /** The current last day in force. */
  endDate: IsoDate;
  /** The renewal period (the caller picks: the contract's duration, else its readjustment period). */
  periodMonths: number;
}

export interface RenewalPlan {
  endDate: IsoDate;
  periodsAdded: number;
}

/**
 * Extends a contract's term by whole periods. Each period starts the day after the current end, so a term
 * ending on the last day of a month keeps doing so (…-02-28 → next year's 02-28, or 02-29 in a leap year);
 * n periods are computed from the current end in one step, never by compounding month-end clamps.
 * - Without `today`: exactly one period (a manual renewal).
 * - With `today` (the automatic renewal job): as many periods as needed for `endDate >= today`; zero when the
 *   contract has not ended yet.
 * Throws on invalid dates or periods: these come from stored contracts.
 */
export function planRenewal(input: RenewalInput, today?: IsoDate): RenewalPlan {
  assertDate(input.endDate, 'endDate');
  assertMonths(input.periodMonths, MAX_DURATION_MONTHS, 'periodMonths');
  const dayAfter = addDays(input.endDate, 1);
  const endAfter = (periods: number): IsoDate =>
    addDays(addMonths(dayAfter, periods * input.periodMonths), -1);
  if (today === undefined) return { endDate: endAfter(1), periodsAdded: 1 };
  assertDate(today, 'today');
  if (input.endDate >= today) return { endDate: input.endDate, periodsAdded: 0 };
  // An estimate from the month distance, then exact steps (the estimate is off by at most one).
  const monthsBehind =
    (Number(today.slice(0, 4)) - Number(dayAfter.slice(0, 4))) * 12 +
    Number(today.slice(5, 7)) -
    Number(dayAfter.slice(5, 7));
  let periods = Math.max(1, Math.floor(monthsBehind / input.periodMonths));
  while (periods > 1 && endAfter(periods - 1) >= today) periods -= 1;
  while (endAfter(periods) < today) periods += 1;
  return { endDate: endAfter(periods), periodsAdded: periods };
}

/** An auto-renewing, not cancelled contract whose term ended before `today`: the job should renew it. */
export function isRenewalDue(
  contract: { autoRenew: boolean; endDate: IsoDate | null; cancelledAt?: Date | string | null },
  today: IsoDate,
): boolean {
  return contract.autoRenew && !contract.cancelledAt && contract.endDate !== null && contract.endDate < today;
}

// ---------------------------------------------------------------------------------------------------------
// The "Data Base" filter: contracts due for readjustment in a month

/**
 * A predicate for `GET /contracts?due=YYYY-MM`: the next readjustment date falls within that month
 * (first..last day, inclusive) and the contract is not cancelled. For SQL, use `monthRange(month)`.
 * Throws RangeError for an invalid month (validate the query with `isValidYearMonth` first).
 */
export function contractsDueIn(
  month: YearMonth,
): (contract: { nextReadjustmentDate?: IsoDate | null; cancelledAt?: Date | string | null }) => boolean {
  const { first, last } = monthRange(month);
  return (contract) => {
    const date = contract.nextReadjustmentDate;
    if (contract.cancelledAt !== null && contract.cancelledAt !== undefined) return false;
    return typeof date === 'string' && date >= first && date <= last;
  };
}

// ---------------------------------------------------------------------------------------------------------

function isMonths(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max;
}

function assertMonths(value: number, max: number, name: string): void {
  if (!isMonths(value, max))
    throw new RangeError(`${name} must be an integer from 1 to ${max}, got ${value}`);
}

function assertDate(value: string, name: string): IsoDate {
  if (!isValidIsoDate(value))
    throw new RangeError(`${name} is not a YYYY-MM-DD date: ${JSON.stringify(value)}`);
  return value;
}
