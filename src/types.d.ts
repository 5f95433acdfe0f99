import type { FlashMessage } from './common/flash';
import type { SessionOperator } from './auth/session-operator';

declare module 'express-session' {
  interface SessionData {
    operator?: SessionOperator;
    /** Epoch ms of the login; the session dies 12 h later whatever the activity. */
    loginAt?: number;
    flash?: FlashMessage[];
    /** Set once a CSRF token is issued to an anonymous visitor, so the session (and token) persist. */
    csrf?: boolean;
    /** Where to continue after enrolling in 2FA (a deletion that needed it). */
    totpReturnTo?: string;
  }
}

declare global {
  namespace Express {
    interface Request {
      operator?: SessionOperator;
      id?: string | number | object;
    }
  }
}
