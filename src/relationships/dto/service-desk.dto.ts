import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { checkbox } from '../../common/forms';
import { NoBidiControls } from '../../common/text-rules';

export class ServiceDeskDto {
  @IsString({ message: 'validation.required' })
  @Length(2, 120, { message: 'validation.length|$constraint1|$constraint2' })
  @NoBidiControls()
  name: string;
  @IsOptional()
  @IsString({ message: 'validation.invalid' })
  @MaxLength(500, { message: 'validation.maxLength|$constraint1' })
  description?: string;
  /** An unticked checkbox sends nothing: absent means false. */
  @IsOptional() @Transform(checkbox) @IsBoolean() requiresReview?: boolean;
}
