import type { Request, Response } from 'express';
import { safeLocalPath } from './safe-path';

export const isHtmx = (req: Request): boolean => req.get('HX-Request') === 'true';

/** The id htmx reports as the swap target (`tag#id` in htmx 4), or undefined. */
export function htmxTargetId(req: Request): string | undefined {
  const target = req.get('HX-Target');
  if (!isHtmx(req) || !target) return undefined;
  const hash = target.indexOf('#');
  return hash >= 0 ? target.slice(hash + 1) : target;
}

/**
 * After a successful change: a plain form gets 303 See Other; htmx gets `HX-Redirect`, so the browser
 * loads the next page (with its flash message) and the address bar and history stay true
 * (every change redirects through this one helper). A pending flash message is stored before the answer leaves —
 * for 303s by the `saveFlashBeforeRedirect` middleware (app.setup.ts), for htmx here.
 *
 * The destination always goes through `safeLocalPath`: only a path on this site, encoded, ever reaches
 * `Location` or `HX-Redirect` (a CR/LF there would split the answer; `//host` would leave the site).
 */
export function redirectAfterChange(req: Request, res: Response, to: string): void {
  const url = safeLocalPath(to, '/');
  if (!isHtmx(req)) {
    res.redirect(303, url);
    return;
  }
  const send = () => void res.set('HX-Redirect', url).status(200).end();
  if (req.session?.flash?.length) req.session.save(send);
  else send();
}

/** One URL serves both page and fragment, so caches must key on the header. */
export function varyOnHtmx(res: Response): void {
  res.vary('HX-Request');
  res.vary('HX-Target');
}
