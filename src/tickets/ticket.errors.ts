import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';

/** A refusal that belongs to a field of the ticket form (422, shown beside the field). */
export class TicketFieldError extends AppError {
  constructor(
    readonly field: string,
    messageKey: string,
  ) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, messageKey);
  }
}

/** Only a closed ticket of a desk that requires review, not yet reviewed, can be reviewed. */
export class TicketNotReviewableError extends AppError {
  constructor() {
    super(HttpStatus.UNPROCESSABLE_ENTITY, 'tickets.errors.notReviewable');
  }
}

/** The client is inactive: a ticket cannot be opened or moved back into work for it. */
export class TicketClientInactiveError extends AppError {
  constructor(messageKey: string) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, messageKey);
  }
}
