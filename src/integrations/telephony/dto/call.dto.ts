import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { NUMBER_KINDS, type NumberKind } from '../call-log.entity';

/**
 * `POST /clients/:id/contacts/:contactId/call`. Only which of the contact's registered numbers — never a
 * number itself: nobody can make the PBX dial an arbitrary number through this route.
 */
export class CallDto {
  @IsOptional() @IsIn(NUMBER_KINDS, { message: 'validation.choice' }) number?: NumberKind;
  /** Where a no-JS form returns to (a local path: the list page it came from). */
  @IsOptional() @IsString() @MaxLength(2000) returnTo?: string;
}
