import type { Request, Response } from 'express';

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
 * (STYLE.md: "decided in one helper").
 */
export function redirectAfterChange(req: Request, res: Response, url: string): void {
  const send = () => {
    if (isHtmx(req)) {
      res.set('HX-Redirect', url).status(200).end();
      return;
    }
    res.redirect(303, url);
  };
  // express-session writes the response head before it has finished saving a changed session, and a
  // browser follows a 303 as soon as the head arrives: the next page could load the old session and show
  // the flash message one page late. Save first when a message was queued (a failed save only loses it).
  if (req.session?.flash?.length) req.session.save(() => send());
  else send();
}

/** One URL serves both page and fragment, so caches must key on the header. */
export function varyOnHtmx(res: Response): void {
  res.vary('HX-Request');
  res.vary('HX-Target');
}
