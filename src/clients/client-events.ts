import type { EntityManager } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import type { FieldChanges } from '../history/client-history-entry.entity';

/**
 * Emitted (and awaited) inside the transaction that changed a client or its data, carrying that
 * transaction's EntityManager: listeners (the history) write in the same transaction, so a change and its
 * record commit or roll back together, while clients never imports the modules that listen.
 */
export const CLIENT_CHANGED = 'client.changed';

/** What changed: on which client, by whom (null: the system), what was done to what, field by field. */
export interface ClientChange {
  clientId: string;
  operator: SessionOperator | null;
  /** `created`, `updated`, `deleted`, `status_changed`, `called`… */
  action: string;
  /** `client`, `contact`, `contract`, `ticket`… */
  subject: string;
  changes: FieldChanges;
  /** The contact, contract or ticket changed, and how the history names it. */
  subjectId?: string | null;
  subjectLabel?: string | null;
}

export class ClientChangedEvent {
  readonly clientId: string;
  readonly operator: SessionOperator | null;
  readonly action: string;
  readonly subject: string;
  readonly changes: FieldChanges;
  readonly subjectId: string | null;
  readonly subjectLabel: string | null;

  constructor(
    /** The transaction of the change: listeners write in it. */
    readonly manager: EntityManager,
    change: ClientChange,
  ) {
    this.clientId = change.clientId;
    this.operator = change.operator;
    this.action = change.action;
    this.subject = change.subject;
    this.changes = change.changes;
    this.subjectId = change.subjectId ?? null;
    this.subjectLabel = change.subjectLabel ?? null;
  }
}

/** `{ field: [before, after] }` for the fields whose value differs (null and '' count as empty). */
export function diff<T extends object>(
  before: Partial<T> | null,
  after: Partial<T>,
  fields: readonly (keyof T & string)[],
): FieldChanges {
  const changes: FieldChanges = {};
  for (const field of fields) {
    const a = normalize(before?.[field]);
    const b = normalize(after[field]);
    if (JSON.stringify(a) !== JSON.stringify(b)) changes[field] = [a, b];
  }
  return changes;
}

const normalize = (value: unknown): unknown =>
  value === undefined || value === '' ? null : value instanceof Date ? value.toISOString() : value;
