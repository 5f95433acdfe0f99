import type { TableCounts } from './client-deletion.entity';

/** One line of the deletion confirmation: a kind of data and how many rows of it the client has. */
export interface DeletionKind {
  /** i18n key suffix (`deletion.kind.<key>.one|other`), or `other` for a table nobody labelled yet. */
  key: string;
  count: number;
  tables: string[];
}

/**
 * The kinds the confirmation always lists (even at zero, so the operator sees what was checked), in this order, mapped from table names. A table
 * added by a later module that matches none of them is still counted and listed by its own name.
 */
const KINDS: Array<{ key: string; matches: (table: string) => boolean }> = [
  { key: 'contacts', matches: (t) => t === 'contacts' },
  { key: 'contracts', matches: (t) => t === 'contracts' },
  { key: 'contractRevisions', matches: (t) => t === 'contract_revisions' },
  { key: 'displacements', matches: (t) => t === 'displacements' },
  { key: 'tickets', matches: (t) => t === 'tickets' },
  { key: 'ticketEvents', matches: (t) => t === 'ticket_events' },
  { key: 'callLogs', matches: (t) => /(^|_)calls?(_|$)|call_logs?/.test(t) },
  { key: 'history', matches: (t) => t === 'client_history' },
  { key: 'integrationLinks', matches: (t) => /integration|asaas|conta_azul/.test(t) },
  { key: 'relationships', matches: (t) => t === 'client_attendant_groups' || t === 'client_service_desks' },
];

/** Per-table counts → the confirmation's lines: every known kind (0 when absent), then unlabelled tables. */
export function summarizeDeletion(counts: TableCounts): DeletionKind[] {
  const kinds: DeletionKind[] = KINDS.map((k) => ({ key: k.key, count: 0, tables: [] }));
  const others: DeletionKind[] = [];
  for (const [table, count] of Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))) {
    const index = KINDS.findIndex((k) => k.matches(table));
    if (index >= 0) {
      kinds[index].count += count;
      kinds[index].tables.push(table);
    } else {
      others.push({ key: 'other', count, tables: [table] });
    }
  }
  return [...kinds, ...others];
}

export const totalRows = (counts: TableCounts): number =>
  Object.values(counts).reduce((sum, n) => sum + n, 0);
