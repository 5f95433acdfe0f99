import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { NoBidiControls } from '../../common/text-rules';
import { LOCALES, ROLES, type Locale, type Role } from '../operator.entity';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;
const checkbox = ({ value }: { value: unknown }) =>
  value === 'true' || value === 'on' || value === '1' || value === true;

export class SetupDto {
  @IsString({ message: 'validation.required' })
  @Length(2, 120, { message: 'validation.length|$constraint1|$constraint2' })
  @NoBidiControls()
  name: string;
  @IsEmail({}, { message: 'validation.email' })
  @MaxLength(254, { message: 'validation.maxLength|$constraint1' })
  email: string;
  @IsString({ message: 'validation.required' })
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: 'validation.length|$constraint1|$constraint2' })
  password: string;
}

export class LoginDto {
  @IsString({ message: 'validation.required' })
  @MaxLength(254, { message: 'validation.maxLength|$constraint1' })
  email: string;
  @IsString({ message: 'validation.required' })
  @MaxLength(PASSWORD_MAX, { message: 'validation.maxLength|$constraint1' })
  password: string;
  @IsOptional() @IsString() @MaxLength(2000) next?: string;
}

export class CreateOperatorDto extends SetupDto {
  @IsIn(ROLES, { message: 'validation.choice' }) role: Role;
  @IsOptional() @Transform(checkbox) @IsBoolean() active?: boolean;
}

export class UpdateOperatorDto {
  @IsString({ message: 'validation.required' })
  @Length(2, 120, { message: 'validation.length|$constraint1|$constraint2' })
  @NoBidiControls()
  name: string;
  @IsEmail({}, { message: 'validation.email' })
  @MaxLength(254, { message: 'validation.maxLength|$constraint1' })
  email: string;
  @IsIn(ROLES, { message: 'validation.choice' }) role: Role;
  @IsOptional()
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: 'validation.length|$constraint1|$constraint2' })
  password?: string;
  @IsOptional() @Transform(checkbox) @IsBoolean() active?: boolean;
}

export class AccountDto {
  @IsString({ message: 'validation.required' })
  @Length(2, 120, { message: 'validation.length|$constraint1|$constraint2' })
  @NoBidiControls()
  name: string;
  @IsIn(LOCALES, { message: 'validation.choice' }) locale: Locale;
  @IsOptional()
  @IsString()
  @MaxLength(32, { message: 'validation.maxLength|$constraint1' })
  /** What a PBX dials for the operator: digits, or a SIP user name; never spaces or control characters. */
  @Matches(/^[0-9A-Za-z_.*#+-]+$/, { message: 'validation.extension' })
  extension?: string;
}

export class ChangePasswordDto {
  @IsString({ message: 'validation.required' }) @MaxLength(PASSWORD_MAX) currentPassword: string;
  @IsString({ message: 'validation.required' })
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: 'validation.length|$constraint1|$constraint2' })
  newPassword: string;
}

/** A TOTP code from the authenticator app (form field `code`); its format is checked by the TOTP rules. */
export class TotpCodeDto {
  @IsString({ message: 'validation.required' })
  @MaxLength(16, { message: 'validation.maxLength|$constraint1' })
  code: string;
}

/** "Confirme sua senha": the password again, and where to go back to. */
export class ConfirmPasswordDto {
  @IsString({ message: 'validation.required' })
  @MaxLength(PASSWORD_MAX, { message: 'validation.maxLength|$constraint1' })
  password: string;
  @IsOptional() @IsString() @MaxLength(2000) next?: string;
}
