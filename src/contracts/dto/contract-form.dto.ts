import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Length, MaxLength, Min } from 'class-validator';
import { checkbox } from '../../common/forms';

const text = { message: 'validation.invalid' };
const max = 'validation.maxLength|$constraint1';

/**
 * The contract form as submitted. Numbers, money and dates stay text here: their
 * pt-BR/plain parsing and the date rules live in `contract-values.ts` and the domain rules, which report
 * every field at once.
 */
export class ContractFormDto {
  @IsString({ message: 'validation.required' })
  @Length(2, 120, { message: 'validation.length|$constraint1|$constraint2' })
  name: string;
  @IsString({ message: 'validation.required' }) @MaxLength(20, text) modality: string;
  @IsString({ message: 'validation.required' }) @MaxLength(10, text) startDate: string;
  @IsOptional() @IsString(text) @MaxLength(10, text) endDate?: string;
  @IsOptional() @IsString(text) @MaxLength(4, text) durationMonths?: string;
  @IsString({ message: 'validation.required' }) @MaxLength(30, text) monthlyValue: string;
  @IsOptional() @IsString(text) @MaxLength(20, text) includedHours?: string;
  @IsOptional() @IsString(text) @MaxLength(9, text) includedTickets?: string;
  @IsString({ message: 'validation.required' }) @MaxLength(8, text) readjustmentIndex: string;
  @IsOptional() @IsString(text) @MaxLength(20, text) readjustmentPercent?: string;
  @IsOptional() @IsString(text) @MaxLength(3, text) readjustmentPeriodMonths?: string;
  @IsOptional() @IsString(text) @MaxLength(10, text) nextReadjustmentDate?: string;
  /** An unticked checkbox sends nothing: absent means false. */
  @IsOptional() @Transform(checkbox) @IsBoolean() autoRenew?: boolean;
  /** The version the operator loaded (edit only): a stale one is a conflict, never a silent overwrite. */
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  version?: number;
}

export class CancelContractDto {
  @IsOptional() @IsString(text) @MaxLength(500, { message: max }) reason?: string;
}

export class ReadjustmentDto {
  @IsOptional() @IsString(text) @MaxLength(20, text) percent?: string;
  @IsOptional() @IsString(text) @MaxLength(30, text) newValue?: string;
  @IsOptional() @IsString(text) @MaxLength(10, text) effectiveFrom?: string;
}

export class BulkReadjustmentDto {
  /** Repeated field: one value arrives as a string, several as an array. */
  @Transform(({ value }) => (typeof value === 'string' ? [value] : value))
  @IsOptional()
  @IsString({ each: true, ...text })
  @MaxLength(36, { each: true, ...text })
  contractIds?: string[];
  @IsOptional() @IsString(text) @MaxLength(20, text) percent?: string;
  @IsOptional() @IsString(text) @MaxLength(10, text) effectiveFrom?: string;
  /** The `YYYY-MM` list the operator came from, to return to. */
  @IsOptional() @IsString(text) @MaxLength(7, text) due?: string;
}
