import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import type { Client } from './client.entity';

/** Refusals that belong to a form field: the controller re-renders the form (422) with the message there. */
export class ClientFieldError extends AppError {
  constructor(
    readonly field: string,
    messageKey: string,
    vars: Record<string, string | number> = {},
  ) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, messageKey, vars);
  }
}

export class DuplicateDocumentError extends ClientFieldError {
  constructor(existing: { code: string; tradeName: string }) {
    super('document', 'clients.documentTaken', { code: existing.code, name: existing.tradeName });
  }
}

/** The operator edited a stale copy: someone saved in between. Nothing was written. */
export class ClientVersionConflictError extends AppError {
  constructor(readonly current: Client) {
    super(HttpStatus.CONFLICT, 'error.409');
  }
}

export class ClientInactiveError extends AppError {
  constructor() {
    super(HttpStatus.UNPROCESSABLE_ENTITY, 'clients.inactiveRefused');
  }
}
