import { summarizeDeletion, totalRows } from './deletion-summary';

describe('summarizeDeletion', () => {
  it('lists every kind of data in order, with zero when the client has none', () => {
    expect(summarizeDeletion({}).map((k) => [k.key, k.count])).toEqual([
      ['contacts', 0],
      ['contracts', 0],
      ['contractRevisions', 0],
      ['displacements', 0],
      ['tickets', 0],
      ['ticketEvents', 0],
      ['callLogs', 0],
      ['history', 0],
      ['integrationLinks', 0],
      ['relationships', 0],
    ]);
  });

  it('maps tables to kinds and adds up the relationship tables', () => {
    const kinds = summarizeDeletion({
      contacts: 3,
      ticket_events: 120,
      client_attendant_groups: 2,
      client_service_desks: 1,
      call_logs: 7,
      client_integration_links: 2,
      asaas_customers: 1,
    });
    const count = (key: string) => kinds.find((k) => k.key === key)!.count;
    expect(count('contacts')).toBe(3);
    expect(count('ticketEvents')).toBe(120);
    expect(count('relationships')).toBe(3);
    expect(count('callLogs')).toBe(7);
    expect(count('integrationLinks')).toBe(3);
  });

  it('lists a table nobody labelled under its own name, after the known kinds', () => {
    const kinds = summarizeDeletion({ contacts: 1, service_notes: 4 });
    expect(kinds.at(-1)).toEqual({ key: 'other', count: 4, tables: ['service_notes'] });
  });

  it('totals the rows', () => {
    expect(totalRows({ a: 2, b: 3 })).toBe(5);
  });
});
