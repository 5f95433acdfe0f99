import { HttpStatus } from '@nestjs/common';

/**
 * A refusal the operator should read: carries the HTTP status and an i18n key (or literal message).
 * Modules subclass it with their own codes; the one filter maps it to a page or fragment.
 */
export class AppError extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly messageKey: string,
    readonly vars: Record<string, string | number> = {},
  ) {
    super(messageKey);
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  '57014',
  '55P03',
]);
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'connection terminated',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
];

/** True when an error means "the database can't answer now" (→ 503), not "this request is wrong". */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: string; message?: string; driverError?: unknown; cause?: unknown };
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  if (e.message && UNAVAILABLE_MESSAGES.some((m) => e.message!.includes(m))) return true;
  return isDatabaseUnavailable(e.driverError) || (e.cause !== error && isDatabaseUnavailable(e.cause));
}
