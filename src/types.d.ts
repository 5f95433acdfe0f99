import type { FlashMessage } from './common/flash';
import type { SessionOperator, SessionSignIn } from './auth/session-operator';

declare module 'express-session' {
  interface SessionData {
    /** Set at login; the operator's current data is loaded with the session on each request. */
    operator?: SessionSignIn;
    /** Epoch ms of the login; the session dies 12 h later whatever the activity. */
    loginAt?: number;
    flash?: FlashMessage[];
    /** Where to continue after enrolling in 2FA (a deletion that needed it). */
    totpReturnTo?: string;
  }
}

declare global {
  namespace Express {
    interface Request {
      /** The signed-in operator (set for every request by the session middleware), or undefined. */
      operator?: SessionOperator;
      id?: string | number | object;
    }
  }
}
