import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsUUID } from 'class-validator';

/** A repeated form field arrives as a string (one value), an array, or not at all. */
const asList = ({ value }: { value: unknown }) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Step 2 of "Novo cliente": the teams and desks linked to the client. */
export class ClientRelationshipsDto {
  @Transform(asList)
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true, message: 'validation.choice' })
  attendantGroupIds: string[] = [];
  @Transform(asList)
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true, message: 'validation.choice' })
  serviceDeskIds: string[] = [];
}
