import { type IsoDate } from '../common/calendar';
import { Decimal, formatAmountBR, formatBRL, formatDecimalBR } from '../common/money';
import type { ContractRevision } from './contract-revision.entity';
import type { Contract } from './contract.entity';
import type { ContractStatus } from './domain/contract-rules';

/** Badge class per status: green in force, amber when a readjustment is due, grey/red when over. */
export const STATUS_BADGES: Record<ContractStatus, string> = {
  active: 'badge-success',
  pending_readjustment: 'badge-warning',
  expired: 'badge-muted',
  cancelled: 'badge-error',
};

/** A contract as pages show it: status computed for `today`, money as `R$ 1.500,00`, decimals in pt-BR. */
export function contractView(contract: Contract, today: IsoDate) {
  const status = contract.statusOn(today);
  return {
    ...contract,
    status,
    statusBadge: STATUS_BADGES[status],
    monthlyValueDisplay: formatBRL(contract.monthlyValue),
    includedHoursDisplay: contract.includedHours
      ? formatDecimalBR(contract.includedHours, { grouping: true })
      : null,
    readjustmentPercentDisplay: contract.readjustmentPercent
      ? percentText(contract.readjustmentPercent)
      : null,
    isCancelled: status === 'cancelled',
    canReadjust: status === 'active' || status === 'pending_readjustment',
  };
}

export function revisionView(revision: ContractRevision) {
  return {
    ...revision,
    oldValueDisplay: formatBRL(revision.oldValue),
    newValueDisplay: formatBRL(revision.newValue),
    percentDisplay: revision.percentApplied ? percentText(revision.percentApplied) : null,
    isRenewal: revision.kind === 'renewal',
  };
}

/** `4,5%`, `-1,25%`. */
export const percentText = (value: Decimal): string => `${formatDecimalBR(value, { grouping: true })}%`;

/** The contract's stored values in the form's text (pt-BR numbers, which parse back). */
export function contractFormValues(contract: Contract): Record<string, unknown> {
  return {
    name: contract.name,
    modality: contract.modality,
    startDate: contract.startDate,
    endDate: contract.endDate ?? '',
    durationMonths: contract.durationMonths ?? '',
    monthlyValue: formatAmountBR(contract.monthlyValue),
    includedHours: contract.includedHours ? formatDecimalBR(contract.includedHours) : '',
    includedTickets: contract.includedTickets ?? '',
    readjustmentIndex: contract.readjustmentIndex,
    readjustmentPercent: contract.readjustmentPercent ? formatDecimalBR(contract.readjustmentPercent) : '',
    readjustmentPeriodMonths: contract.readjustmentPeriodMonths,
    nextReadjustmentDate: contract.nextReadjustmentDate,
    autoRenew: contract.autoRenew,
    version: contract.version,
  };
}
