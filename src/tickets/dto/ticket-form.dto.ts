import { IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { TICKET_STATUSES, type TicketStatus } from '../ticket.entity';

const choice = { message: 'validation.choice' };

/** `POST /tickets/new`. Ids are checked against the client's links by the service. */
export class TicketFormDto {
  @IsString({ message: 'tickets.errors.clientRequired' }) @MaxLength(36, choice) clientId: string;
  @IsString({ message: 'tickets.errors.deskRequired' }) @MaxLength(36, choice) serviceDeskId: string;
  @IsString({ message: 'tickets.errors.groupRequired' }) @MaxLength(36, choice) attendantGroupId: string;
  @IsOptional() @IsString(choice) @MaxLength(36, choice) requesterContactId?: string;
  @IsString({ message: 'validation.required' })
  @Length(3, 200, { message: 'validation.length|$constraint1|$constraint2' })
  title: string;
  @IsOptional()
  @IsString({ message: 'validation.invalid' })
  @MaxLength(10000, { message: 'validation.maxLength|$constraint1' })
  description?: string;
}

export class TicketStatusDto {
  @IsIn(TICKET_STATUSES, choice) status: TicketStatus;
}

/** The review button posts nothing but the CSRF token. */
export class TicketReviewDto {}
