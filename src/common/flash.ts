import type { Request } from 'express';

export type FlashKind = 'success' | 'error' | 'info';
export interface FlashMessage {
  kind: FlashKind;
  /** An i18n key or a literal message. */
  message: string;
  vars?: Record<string, string | number>;
}

/** Queues a message for the next page the operator sees (stored in the PostgreSQL-backed session). */
export function flash(req: Request, kind: FlashKind, message: string, vars?: FlashMessage['vars']): void {
  const queue = (req.session.flash ??= []);
  queue.push({ kind, message, vars });
}

export function takeFlash(req: Request): FlashMessage[] {
  const queue = req.session?.flash ?? [];
  if (queue.length) delete req.session.flash;
  return queue;
}
