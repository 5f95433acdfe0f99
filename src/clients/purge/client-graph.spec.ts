import {
  ClientGraph,
  deleteBatchSql,
  detachBatchSql,
  ownedCountSql,
  pathJoin,
  type ForeignKey,
} from './client-graph';

/** A foreign key `table(column) → ref(id)`, as the catalog query returns it. */
const fk = (table: string, column: string, ref: string, nullable = false): ForeignKey => ({
  name: `${table}_${column}_fkey`,
  table,
  tableName: table,
  columns: [column],
  refTable: ref,
  refColumns: ['id'],
  nullable,
});

/** The schema as of the contracts/tickets migration, plus tables other modules will add. */
const SCHEMA: ForeignKey[] = [
  fk('attendant_group_members', 'attendant_group_id', 'attendant_groups'),
  fk('attendant_group_members', 'operator_id', 'operators'),
  fk('clients', 'billing_client_id', 'clients', true),
  fk('client_attendant_groups', 'client_id', 'clients'),
  fk('client_attendant_groups', 'attendant_group_id', 'attendant_groups'),
  fk('client_service_desks', 'client_id', 'clients'),
  fk('client_service_desks', 'service_desk_id', 'service_desks'),
  fk('contacts', 'client_id', 'clients'),
  fk('client_history', 'client_id', 'clients'),
  fk('client_history', 'operator_id', 'operators', true),
  fk('contracts', 'client_id', 'clients'),
  fk('contract_revisions', 'contract_id', 'contracts'),
  fk('contract_revisions', 'operator_id', 'operators', true),
  fk('displacements', 'client_id', 'clients'),
  fk('displacements', 'contract_id', 'contracts', true),
  fk('tickets', 'client_id', 'clients'),
  fk('tickets', 'service_desk_id', 'service_desks'),
  fk('tickets', 'requester_contact_id', 'contacts', true),
  fk('ticket_events', 'ticket_id', 'tickets'),
  fk('client_deletions', 'requested_by', 'operators', true),
];

const FUTURE: ForeignKey[] = [
  fk('call_logs', 'client_id', 'clients'),
  fk('call_logs', 'contact_id', 'contacts', true),
  fk('client_integration_links', 'client_id', 'clients'),
  fk('tickets', 'parent_ticket_id', 'tickets', true),
  // attachments hang off either a contract or a ticket: optional references only
  fk('attachments', 'contract_id', 'contracts', true),
  fk('attachments', 'ticket_id', 'tickets', true),
  fk('attachment_thumbnails', 'attachment_id', 'attachments'),
];

const names = (graph: ClientGraph) => graph.tables.map((t) => t.tableName);
const plan = (graph: ClientGraph, table: string) => graph.tables.find((t) => t.tableName === table)!;
const pathOf = (keys: ForeignKey[]) => keys.map((k) => `${k.table}.${k.columns.join(',')}`).join(' → ');

describe('ClientGraph', () => {
  const graph = ClientGraph.fromForeignKeys(SCHEMA);

  it('finds every table holding a client’s data, and only those', () => {
    expect([...names(graph)].sort()).toEqual([
      'client_attendant_groups',
      'client_history',
      'client_service_desks',
      'contacts',
      'contract_revisions',
      'contracts',
      'displacements',
      'ticket_events',
      'tickets',
    ]);
  });

  it('orders children before the tables they reference', () => {
    const order = names(graph);
    const before = (child: string, parent: string) =>
      expect(order.indexOf(child)).toBeLessThan(order.indexOf(parent));
    before('ticket_events', 'tickets');
    before('tickets', 'contacts');
    before('contract_revisions', 'contracts');
    before('displacements', 'contracts');
    expect(graph.cyclic).toEqual([]);
  });

  it('reaches grandchildren through their parent (ticket_events → tickets → clients)', () => {
    expect(plan(graph, 'ticket_events').ownerPaths.map(pathOf)).toEqual([
      'ticket_events.ticket_id → tickets.client_id',
    ]);
    expect(plan(graph, 'contract_revisions').ownerPaths.map(pathOf)).toEqual([
      'contract_revisions.contract_id → contracts.client_id',
    ]);
  });

  it('owns a row through its required references and detaches optional ones from other clients’ rows', () => {
    const tickets = plan(graph, 'tickets');
    expect(tickets.ownerPaths.map(pathOf)).toEqual(['tickets.client_id']);
    expect(tickets.detachKeys.map((k) => k.columns[0])).toEqual(['requester_contact_id']);
    const displacements = plan(graph, 'displacements');
    expect(displacements.ownerPaths.map(pathOf)).toEqual(['displacements.client_id']);
    expect(displacements.detachKeys.map((k) => k.columns[0])).toEqual(['contract_id']);
  });

  it('detaches clients billed to the deleted client instead of deleting them', () => {
    expect(graph.rootDetachKeys.map((k) => k.columns[0])).toEqual(['billing_client_id']);
  });

  it('covers tables added later without any change (call logs, integration links, attachments)', () => {
    const later = ClientGraph.fromForeignKeys([...SCHEMA, ...FUTURE]);
    expect(names(later)).toEqual(
      expect.arrayContaining([
        'call_logs',
        'client_integration_links',
        'attachments',
        'attachment_thumbnails',
      ]),
    );
    // only optional references: the attachment goes with whichever of the client's rows it hangs off
    expect(plan(later, 'attachments').ownerPaths.map(pathOf)).toEqual([
      'attachments.contract_id → contracts.client_id',
      'attachments.ticket_id → tickets.client_id',
    ]);
    expect(plan(later, 'attachment_thumbnails').ownerPaths).toHaveLength(2);
    // a ticket's parent ticket is detached (self-reference), never followed as ownership
    expect(
      plan(later, 'tickets')
        .detachKeys.map((k) => k.columns[0])
        .sort(),
    ).toEqual(['parent_ticket_id', 'requester_contact_id']);
    const order = names(later);
    expect(order.indexOf('attachment_thumbnails')).toBeLessThan(order.indexOf('attachments'));
    expect(order.indexOf('attachments')).toBeLessThan(order.indexOf('tickets'));
    expect(order.indexOf('call_logs')).toBeLessThan(order.indexOf('contacts'));
  });

  it('still orders the rest and reports a reference cycle it cannot order', () => {
    const cycle = ClientGraph.fromForeignKeys([
      ...SCHEMA,
      fk('a_loop', 'client_id', 'clients'),
      fk('a_loop', 'b_id', 'b_loop'),
      fk('b_loop', 'a_id', 'a_loop'),
    ]);
    expect(cycle.cyclic).toEqual(['a_loop', 'b_loop']);
    expect(names(cycle).slice(-2)).toEqual(['a_loop', 'b_loop']);
    expect(plan(cycle, 'b_loop').ownerPaths.map(pathOf)).toEqual(['b_loop.a_id → a_loop.client_id']);
  });

  it('builds batch SQL that pins every path to the client ($1) and the batch size ($2)', () => {
    const events = plan(graph, 'ticket_events');
    expect(deleteBatchSql(events, events.ownerPaths[0]).replace(/\s+/g, ' ')).toBe(
      'WITH gone AS ( DELETE FROM ticket_events WHERE ctid = ANY(ARRAY( SELECT t.ctid FROM ticket_events t JOIN tickets t1 ON t.ticket_id = t1.id WHERE t1.client_id = $1 LIMIT $2)) RETURNING 1) SELECT count(*)::int AS n FROM gone',
    );
    const requester = plan(graph, 'tickets').detachKeys[0];
    expect(detachBatchSql(requester, plan(graph, 'contacts').ownerPaths[0]).replace(/\s+/g, ' ')).toBe(
      'WITH detached AS ( UPDATE tickets SET requester_contact_id = NULL WHERE ctid = ANY(ARRAY( SELECT d.ctid FROM tickets d JOIN contacts t ON d.requester_contact_id = t.id WHERE t.client_id = $1 LIMIT $2)) RETURNING 1) SELECT count(*)::int AS n FROM detached',
    );
    expect(detachBatchSql(graph.rootDetachKeys[0], null)).toContain(
      'JOIN clients t ON d.billing_client_id = t.id WHERE t.id = $1',
    );
  });

  it('counts rows reached by several paths once', () => {
    const later = ClientGraph.fromForeignKeys([...SCHEMA, ...FUTURE]);
    expect(ownedCountSql(plan(later, 'attachments'))).toContain(' UNION ');
    expect(ownedCountSql(plan(later, 'contacts'))).toBe(
      'SELECT count(*)::bigint FROM contacts t WHERE t.client_id = $1',
    );
    expect(later.countSql()).toContain('AS "ticket_events"');
  });

  it('joins through the client row when a path ends on a column other than clients.id', () => {
    const byCode: ForeignKey = { ...fk('legacy', 'client_code', 'clients'), refColumns: ['code'] };
    expect(pathJoin([byCode], 't')).toEqual({
      joins: ' JOIN clients t1 ON t.client_code = t1.code',
      where: 't1.id = $1',
    });
  });

  it('ignores tables unrelated to clients', () => {
    expect(
      ClientGraph.fromForeignKeys([fk('attendant_group_members', 'operator_id', 'operators')]).tables,
    ).toEqual([]);
    expect(ClientGraph.fromForeignKeys([]).countSql()).toBeNull();
  });
});
