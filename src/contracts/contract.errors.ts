import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import type { Contract } from './contract.entity';

/** Someone saved the contract since the operator loaded the form. Nothing was written. */
export class ContractVersionConflictError extends AppError {
  constructor(readonly current: Contract) {
    super(HttpStatus.CONFLICT, 'error.409');
  }
}

/** A cancelled contract is closed for edits, readjustments and a second cancellation. */
export class ContractCancelledError extends AppError {
  constructor() {
    super(HttpStatus.UNPROCESSABLE_ENTITY, 'contracts.errors.cancelled');
  }
}

/** Only contracts in force (active or pending readjustment) take a readjustment. */
export class ContractNotReadjustableError extends AppError {
  constructor(name: string) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, 'contracts.errors.notReadjustable', { name });
  }
}

/** Input refused by a field rule: the controller re-renders the form with the message beside the field. */
export class ContractFieldError extends AppError {
  constructor(
    readonly field: string,
    messageKey: string,
    vars: Record<string, string | number> = {},
  ) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, messageKey, vars);
  }
}
