import type { Response } from 'express';
import { translate } from '../../common/i18n/translate';
import type { TotpVerification } from './totp.service';

/**
 * The status and message of a refused code, shared by every form that asks for one: 422 for a wrong or
 * reused code, 429 with `Retry-After` while throttled, 423 once locked.
 */
export function totpRefusal(
  res: Response,
  result: TotpVerification & { ok: false },
): { status: number; message: string } {
  const locale = res.locals.locale as string;
  switch (result.reason) {
    case 'throttled':
      res.set('Retry-After', String(result.retryAfterSeconds));
      return {
        status: 429,
        message: translate(locale, 'totp.throttled', {
          minutes: Math.max(1, Math.ceil(result.retryAfterSeconds / 60)),
        }),
      };
    case 'locked':
      return { status: 423, message: translate(locale, 'totp.locked') };
    case 'not_enrolled':
      return { status: 422, message: translate(locale, 'totp.notEnrolled') };
    case 'replay':
      return {
        status: 422,
        message: translate(locale, result.lockedNow ? 'totp.lockedNow' : 'totp.codeUsed'),
      };
    default:
      return {
        status: 422,
        message: translate(locale, result.lockedNow ? 'totp.lockedNow' : 'totp.wrongCode'),
      };
  }
}
