import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { NoBidiControls } from '../../../common/text-rules';
import { IsBrazilianPhone } from '../../validation/decorators';
import { checkbox } from '../../../common/forms';

const max = 'validation.maxLength|$constraint1';

export class ContactFormDto {
  @IsString({ message: 'validation.required' })
  @Length(2, 120, { message: 'validation.length|$constraint1|$constraint2' })
  @NoBidiControls()
  name: string;
  @IsOptional() @IsString() @MaxLength(120, { message: max }) jobTitle?: string;
  @IsOptional()
  @IsEmail({}, { message: 'validation.email' })
  @MaxLength(254, { message: max })
  email?: string;
  @IsOptional() @IsString() @IsBrazilianPhone() phone?: string;
  @IsOptional() @IsString() @IsBrazilianPhone() mobile?: string;
  @IsOptional() @Transform(checkbox) @IsBoolean() isPrimary?: boolean;
  @IsOptional() @IsString() @MaxLength(2000, { message: max }) notes?: string;
}
