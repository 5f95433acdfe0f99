import type { Request } from 'express';
import { promisify } from 'node:util';

/**
 * Stores the session now. express-session saves a changed session only after it has written the
 * response headers (`writetop` in its `res.end`), so a browser that follows a 303 at once can load the
 * next page before the flash message (or return path) just queued is stored — and that page then writes
 * the old session back. Call this before redirecting after changing the session.
 */
export async function saveSession(req: Request): Promise<void> {
  await promisify(req.session.save.bind(req.session))();
}
