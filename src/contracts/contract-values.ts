import { isValidIsoDate, type IsoDate } from '../common/calendar';
import { compareDecimals, Decimal, Money, parseDecimal, parseMoney } from '../common/money';
import {
  isContractModality,
  isReadjustmentIndex,
  parsePercent,
  resolveContractTerms,
  type ContractModality,
  type ReadjustmentIndex,
} from './domain/contract-rules';
import type { ContractFormDto } from './dto/contract-form.dto';

/** What a contract stores from its form, parsed and checked. */
export interface ContractValues {
  name: string;
  modality: ContractModality;
  startDate: IsoDate;
  endDate: IsoDate | null;
  durationMonths: number | null;
  monthlyValue: Money;
  includedHours: Decimal | null;
  includedTickets: number | null;
  readjustmentIndex: ReadjustmentIndex;
  readjustmentPercent: Decimal | null;
  readjustmentPeriodMonths: number;
  nextReadjustmentDate: IsoDate;
  autoRenew: boolean;
}

export const CONTRACT_VALUE_FIELDS = [
  'name',
  'modality',
  'startDate',
  'endDate',
  'durationMonths',
  'monthlyValue',
  'includedHours',
  'includedTickets',
  'readjustmentIndex',
  'readjustmentPercent',
  'readjustmentPeriodMonths',
  'nextReadjustmentDate',
  'autoRenew',
] as const;

/** Field → i18n key of the message (with positional arguments after `|`, as class-validator messages). */
export type ValueErrors = Record<string, string>;

/** numeric(7,4): a fixed readjustment percentage below 1.000 %. */
const MAX_FIXED_PERCENT = Decimal.of(1000n);
/** numeric(8,2). */
const MAX_HOURS = Decimal.of(1_000_000n);

/**
 * Parses the contract form's text: money and decimals in the pt-BR (`1.500,00`, `4,5`) or plain (`1500.00`,
 * `4.5`) form, whole months, `YYYY-MM-DD` dates through `resolveContractTerms`. Reports every bad field.
 */
export function parseContractValues(
  raw: Partial<Record<keyof ContractFormDto, unknown>>,
): { ok: true; values: ContractValues } | { ok: false; errors: ValueErrors } {
  const errors: ValueErrors = {};
  const str = (v: unknown): string | undefined =>
    typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

  const name = str(raw.name) ?? '';
  const modality = str(raw.modality);
  if (!isContractModality(modality)) errors.modality = 'validation.choice';
  const index = str(raw.readjustmentIndex);
  if (!isReadjustmentIndex(index)) errors.readjustmentIndex = 'validation.choice';

  const monthlyText = str(raw.monthlyValue);
  const monthlyValue = monthlyText === undefined ? null : parseMoney(monthlyText);
  if (monthlyText === undefined) errors.monthlyValue = 'validation.required';
  else if (!monthlyValue) errors.monthlyValue = 'contracts.errors.money';

  const durationMonths = wholeNumber(
    str(raw.durationMonths),
    'durationMonths',
    'contracts.errors.invalidDuration',
    errors,
  );
  const period = wholeNumber(
    str(raw.readjustmentPeriodMonths),
    'readjustmentPeriodMonths',
    'contracts.errors.invalidPeriod',
    errors,
  );
  const includedTickets = wholeNumber(
    str(raw.includedTickets),
    'includedTickets',
    'contracts.errors.wholeNumber',
    errors,
  );

  let includedHours: Decimal | null = null;
  const hoursText = str(raw.includedHours);
  if (hoursText !== undefined) {
    includedHours = parseDecimal(hoursText, 2);
    if (!includedHours || compareDecimals(includedHours, MAX_HOURS) >= 0)
      errors.includedHours = 'contracts.errors.hours';
  }

  let readjustmentPercent: Decimal | null = null;
  const percentText = str(raw.readjustmentPercent);
  if (index === 'fixed') {
    if (percentText === undefined) errors.readjustmentPercent = 'contracts.errors.fixedPercentRequired';
    else {
      readjustmentPercent = parsePercent(percentText);
      if (!readjustmentPercent) errors.readjustmentPercent = 'contracts.errors.invalidPercent';
      else if (
        compareDecimals(readjustmentPercent, Decimal.of(0n)) < 0 ||
        compareDecimals(readjustmentPercent, MAX_FIXED_PERCENT) >= 0
      )
        errors.readjustmentPercent = 'contracts.errors.fixedPercentRange';
    }
  }

  const dateOrNull = (v: unknown, field: string): string | null => {
    const s = str(v);
    if (s === undefined) return null;
    if (!isValidIsoDate(s)) errors[field] = 'contracts.errors.invalidDate';
    return s;
  };
  const terms = resolveContractTerms({
    startDate: str(raw.startDate) ?? null,
    endDate: dateOrNull(raw.endDate, 'endDate'),
    durationMonths: errors.durationMonths ? null : durationMonths,
    readjustmentPeriodMonths: errors.readjustmentPeriodMonths ? null : period,
    nextReadjustmentDate: dateOrNull(raw.nextReadjustmentDate, 'nextReadjustmentDate'),
  });
  if (!terms.ok) for (const [field, code] of Object.entries(terms.errors)) errors[field] ??= code;
  if (str(raw.startDate) === undefined) errors.startDate = 'validation.required';

  if (
    Object.keys(errors).length ||
    !terms.ok ||
    !monthlyValue ||
    !isContractModality(modality) ||
    !isReadjustmentIndex(index)
  ) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    values: {
      name,
      modality,
      startDate: terms.value.startDate,
      endDate: terms.value.endDate,
      durationMonths: terms.value.durationMonths,
      monthlyValue,
      includedHours,
      includedTickets,
      readjustmentIndex: index,
      readjustmentPercent,
      readjustmentPeriodMonths: terms.value.readjustmentPeriodMonths,
      nextReadjustmentDate: terms.value.nextReadjustmentDate,
      autoRenew: raw.autoRenew === true || ['true', 'on', '1'].includes(String(raw.autoRenew)),
    },
  };
}

function wholeNumber(
  text: string | undefined,
  field: string,
  code: string,
  errors: ValueErrors,
): number | null {
  if (text === undefined) return null;
  if (!/^\d{1,9}$/.test(text)) {
    errors[field] = code;
    return null;
  }
  return Number(text);
}

/** The values as the history records them: plain JSON (money `1500.00`, decimals `4.5`). */
export function historySnapshot(values: Partial<ContractValues>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of CONTRACT_VALUE_FIELDS) {
    const value = values[field];
    out[field] = value instanceof Money || value instanceof Decimal ? value.toString() : value;
  }
  return out;
}
