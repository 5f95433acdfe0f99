import type { Request } from 'express';

export type FlashKind = 'success' | 'error' | 'info';
export type FlashVars = Record<string, string | number>;
export interface FlashMessage {
  kind: FlashKind;
  /** An i18n key or a literal message. */
  message: string;
  vars?: FlashVars;
  /** The client whose data the message names: purging that client removes the message (see below). */
  clientId?: string;
}

/**
 * Whose data a message's variables name. `{ clientId }` when they name a client's data (its name, a
 * contact, a ticket, a contract…): the message is stored with the client's id, and the purge of that
 * client removes every stored message carrying its id from all sessions, so no name outlives the client
 * in a session row. `null` when they name no client's data (a team, an operator, a count).
 */
export type FlashAbout = { clientId: string } | null;

/** Queues a message for the next page the operator sees (stored in the PostgreSQL-backed session). */
export function flash(req: Request, kind: FlashKind, message: string): void;
/** The same with variables; `about` must say whose data they name (see FlashAbout). */
export function flash(
  req: Request,
  kind: FlashKind,
  message: string,
  vars: FlashVars,
  about: FlashAbout,
): void;
export function flash(
  req: Request,
  kind: FlashKind,
  message: string,
  vars?: FlashVars,
  about?: FlashAbout,
): void {
  const queue = (req.session.flash ??= []);
  queue.push({ kind, message, vars, ...(about ? { clientId: about.clientId } : {}) });
}

export function takeFlash(req: Request): FlashMessage[] {
  const queue = req.session?.flash ?? [];
  if (queue.length) delete req.session.flash;
  return queue;
}
