import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { CLIENT_STATUSES, type ClientStatus } from '../client.entity';

export class ChangeStatusDto {
  @IsIn(CLIENT_STATUSES, { message: 'validation.choice' }) status: ClientStatus;
  /** Where a plain (no-JS) form returns to: the list URL the operator was on. */
  @IsOptional() @IsString() @MaxLength(500) returnTo?: string;
}
