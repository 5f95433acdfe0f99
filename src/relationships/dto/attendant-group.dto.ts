import { Transform } from 'class-transformer';
import { IsArray, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { NoBidiControls } from '../../common/text-rules';

/** A repeated form field arrives as a string (one box ticked) or an array (several). */
const toList = ({ value }: { value: unknown }) => (Array.isArray(value) ? value : [value]);

export class AttendantGroupDto {
  @IsString({ message: 'validation.required' })
  @Length(2, 120, { message: 'validation.length|$constraint1|$constraint2' })
  @NoBidiControls()
  name: string;
  @IsOptional()
  @IsString({ message: 'validation.invalid' })
  @MaxLength(500, { message: 'validation.maxLength|$constraint1' })
  description?: string;
  /** Absent when no box is ticked; the service treats that as "no members". */
  @IsOptional()
  @Transform(toList)
  @IsArray({ message: 'validation.invalid' })
  @IsUUID('all', { each: true, message: 'attendantGroups.unknownMember' })
  memberIds?: string[];
}
