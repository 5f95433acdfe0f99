import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { NoBidiControls } from '../../common/text-rules';
import { PERSON_TYPES, type PersonType } from '../client.entity';
import {
  IsBrazilianPhone,
  IsCep,
  IsCpfOrCnpj,
  IsHttpUrl,
  IsMunicipalRegistration,
  IsStateRegistration,
  IsUf,
} from '../validation/decorators';

const len = 'validation.length|$constraint1|$constraint2';
const max = 'validation.maxLength|$constraint1';
const ADDRESS_FIELDS = ['postalCode', 'street', 'number', 'complement', 'district', 'city', 'state'] as const;
const hasAddress = (o: ClientFormDto) => ADDRESS_FIELDS.some((f) => o[f] !== undefined);

/** Step 1 of "Novo cliente" and the edit form; only the trade name is required. */
export class ClientFormDto {
  @IsString({ message: 'validation.required' })
  @Length(2, 120, { message: len })
  @NoBidiControls()
  tradeName: string;
  @IsOptional() @IsString() @MaxLength(160, { message: max }) @NoBidiControls() legalName?: string;
  @IsOptional() @IsIn(PERSON_TYPES, { message: 'validation.choice' }) personType?: PersonType;
  @IsOptional() @IsString() @IsCpfOrCnpj() document?: string;
  @IsOptional()
  @IsString()
  @MaxLength(20, { message: max })
  @IsStateRegistration()
  stateRegistration?: string;
  @IsOptional() @IsString() @IsMunicipalRegistration() municipalRegistration?: string;
  @IsOptional()
  @IsEmail({}, { message: 'validation.email' })
  @MaxLength(254, { message: max })
  email?: string;
  @IsOptional()
  @IsEmail({}, { message: 'validation.email' })
  @MaxLength(254, { message: max })
  financialEmail?: string;
  @IsOptional() @IsString() @IsBrazilianPhone() phone?: string;
  @IsOptional() @IsString() @MaxLength(255, { message: max }) @IsHttpUrl() website?: string;
  @IsOptional() @IsString() @IsCep() postalCode?: string;
  @IsOptional() @IsString() @MaxLength(160, { message: max }) street?: string;
  @IsOptional() @IsString() @MaxLength(20, { message: max }) number?: string;
  @IsOptional() @IsString() @MaxLength(120, { message: max }) complement?: string;
  @IsOptional() @IsString() @MaxLength(120, { message: max }) district?: string;
  /** An address is optional as a block, but a given address needs its city and UF. */
  @ValidateIf(hasAddress)
  @IsString({ message: 'validation.addressCity' })
  @MaxLength(120, { message: max })
  city?: string;
  @ValidateIf(hasAddress) @IsString({ message: 'validation.addressState' }) @IsUf() state?: string;
  @IsOptional() @IsString() @MaxLength(5000, { message: max }) notes?: string;
  @IsOptional() @IsUUID('all', { message: 'validation.billingClient' }) billingClientId?: string;
  /** The version the operator loaded (edit only): a stale one is a conflict, never a silent overwrite. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) version?: number;
}
