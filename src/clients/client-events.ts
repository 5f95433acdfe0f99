import type { EntityManager } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import type { FieldChanges } from '../history/client-history-entry.entity';

/**
 * Emitted (and awaited) inside the transaction that changed a client or its data, carrying that
 * transaction's EntityManager: listeners (the history) write in the same transaction, so a change and its
 * record commit or roll back together, while clients never imports the modules that listen.
 */
export const CLIENT_CHANGED = 'client.changed';

export class ClientChangedEvent {
  constructor(
    readonly manager: EntityManager,
    readonly clientId: string,
    readonly operator: SessionOperator | null,
    readonly action: string,
    readonly subject: string,
    readonly changes: FieldChanges,
    readonly subjectId: string | null = null,
    readonly subjectLabel: string | null = null,
  ) {}
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
