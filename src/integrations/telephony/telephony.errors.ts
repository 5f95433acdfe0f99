import { HttpStatus } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';

/** The call cannot be attempted at all (no such number on the contact): nothing is dialled or logged. */
export class CallRefusedError extends AppError {
  constructor(messageKey: string, vars: Record<string, string> = {}) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, messageKey, vars);
  }
}
