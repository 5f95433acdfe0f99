import type { Request, Response } from 'express';
import { promisify } from 'node:util';
import { redirectAfterChange } from '../common/htmx';

/**
 * How long a typed password vouches for the person at the keyboard. Enrolling, disabling or resetting a
 * second factor needs a password typed within this window (at login or on the "Confirme sua senha"
 * page), so a copied session cookie alone cannot take over the second factor.
 */
export const REAUTHENTICATION_WINDOW_MS = 10 * 60 * 1000;
export const CONFIRM_PASSWORD_PATH = '/account/confirm-password';

declare module 'express-session' {
  interface SessionData {
    /** Epoch ms of the last password typed in this session (login or confirmation). */
    reauthenticatedAt?: number;
  }
}

export function recentlyAuthenticated(req: Request, now = Date.now()): boolean {
  const at = req.session.reauthenticatedAt;
  return at !== undefined && now - at <= REAUTHENTICATION_WINDOW_MS;
}

/** Sends the operator to confirm their password, then back to `returnTo` (the page with the form). */
export function askForPassword(req: Request, res: Response, returnTo: string): void {
  redirectAfterChange(req, res, `${CONFIRM_PASSWORD_PATH}?next=${encodeURIComponent(returnTo)}`);
}

/**
 * The password was just confirmed: the session moves to a new id (a copy of the old cookie does not share
 * the confirmation) keeping everything it held, and records when.
 */
export async function recordReauthentication(req: Request): Promise<void> {
  const { cookie: _cookie, ...data } = req.session;
  await promisify(req.session.regenerate.bind(req.session))();
  Object.assign(req.session, data, { reauthenticatedAt: Date.now() });
  await promisify(req.session.save.bind(req.session))();
}
