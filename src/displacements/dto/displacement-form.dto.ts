import { IsOptional, IsString, Length, MaxLength } from 'class-validator';

const text = { message: 'validation.invalid' };

/** The displacement form (`name`, `value`, `contractId`, `distanceKm`, `notes`): value and distance stay text, parsed exactly by `parseDisplacementValues`. */
export class DisplacementFormDto {
  @IsString({ message: 'validation.required' })
  @Length(2, 120, { message: 'validation.length|$constraint1|$constraint2' })
  name: string;
  @IsString({ message: 'validation.required' }) @MaxLength(30, text) value: string;
  @IsOptional() @IsString(text) @MaxLength(36, text) contractId?: string;
  @IsOptional() @IsString(text) @MaxLength(20, text) distanceKm?: string;
  @IsOptional()
  @IsString(text)
  @MaxLength(2000, { message: 'validation.maxLength|$constraint1' })
  notes?: string;
}
