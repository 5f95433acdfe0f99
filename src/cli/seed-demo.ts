import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { todayInSaoPaulo, type IsoDate } from '../common/calendar';
import {
  DEMO_ATTENDANT_GROUPS,
  DEMO_SERVICE_DESKS,
  REVIEW_DESK,
  demoBranch,
  demoClient,
  type DemoClient,
} from './demo-data';

/** Clients per transaction: big enough for few round trips, small enough to keep each one short. */
const BATCH = 5000;
/** One client in this many is a branch billed to the client before it (its head office). */
const BRANCH_EVERY = 50;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Rows for one table, inserted with a single `INSERT … SELECT * FROM unnest($1::type[], $2::type[], …)`: one
 * parameter per column whatever the number of rows (a VALUES list would hit PostgreSQL's 65,535 parameters
 * at a few thousand rows), and one short statement for the server to parse.
 */
class Rows {
  private readonly values: unknown[][];

  constructor(
    private readonly table: string,
    private readonly columns: Array<[name: string, type: string]>,
  ) {
    this.values = columns.map(() => []);
  }

  add(...row: unknown[]): void {
    row.forEach((value, i) => this.values[i].push(value));
  }

  async insert(tx: EntityManager): Promise<void> {
    if (!this.values[0].length) return;
    const names = this.columns.map(([name]) => name).join(', ');
    const arrays = this.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
    await tx.query(`INSERT INTO ${this.table} (${names}) SELECT * FROM unnest(${arrays})`, this.values);
  }
}

interface Operator {
  id: string;
  name: string;
  extension: string | null;
}

const at = (date: IsoDate, time = '12:00:00-03:00') => `${date}T${time}`;
const daysAgo = (days: number, hours = 0) =>
  new Date(Date.now() - days * DAY_MS + hours * 3_600_000).toISOString();

/**
 * `npm run cli -- seed:demo --clients N`: N demo clients (demo-data.ts) appended to what is there, with their
 * contacts, relationships, contracts (+ revisions), tickets (+ events), displacements and calls, in
 * transactions of 5,000 clients. Ticket reviewers and callers are the existing operators, if any.
 */
export async function seedDemo(
  dataSource: DataSource,
  clients: number,
  log: (m: string) => void = console.log,
): Promise<void> {
  const started = Date.now();
  const today = todayInSaoPaulo();
  const [{ existing }] = await dataSource.query(`SELECT count(*)::int AS existing FROM clients`);
  const groups = await ensureRows(dataSource, 'attendant_groups', DEMO_ATTENDANT_GROUPS);
  const desks = await ensureRows(dataSource, 'service_desks', DEMO_SERVICE_DESKS);
  await dataSource.query(`UPDATE service_desks SET requires_review = true WHERE name = $1`, [REVIEW_DESK]);
  const operators: Operator[] = await dataSource.query(
    `SELECT id, name, extension FROM operators WHERE active ORDER BY created_at, id LIMIT 20`,
  );
  const operatorFor = (n: number): Operator | undefined => operators[n % Math.max(operators.length, 1)];

  for (let offset = existing; offset < existing + clients; offset += BATCH) {
    const size = Math.min(BATCH, existing + clients - offset);
    const batch = new DemoBatch();
    let previous: { client: DemoClient; id: string } | undefined;
    for (let i = 0; i < size; i++) {
      const n = offset + i + 1;
      const branch = i % BRANCH_EVERY === 1 && previous ? demoBranch(previous.client, n, today) : null;
      const client = branch ?? demoClient(n, today);
      const id = batch.add(client, {
        billingClientId: branch ? previous!.id : null,
        groupId: groups.get(DEMO_ATTENDANT_GROUPS[client.group])!,
        deskId: desks.get(DEMO_SERVICE_DESKS[client.desk])!,
        operator: operatorFor(n),
      });
      previous = { client, id };
    }
    await dataSource.transaction((tx) => batch.insert(tx));
    const done = offset - existing + size;
    if (done % 50_000 === 0 || done === clients) {
      log(`  ${done} / ${clients} clients (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  }
  await dataSource.query(
    `ANALYZE clients; ANALYZE contacts; ANALYZE client_attendant_groups; ANALYZE client_service_desks;
     ANALYZE contracts; ANALYZE contract_revisions; ANALYZE tickets; ANALYZE ticket_events;
     ANALYZE displacements; ANALYZE call_logs`,
  );
  log(`Seeded ${clients} clients in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/** The rows of one transaction's clients, table by table, in the order their foreign keys need. */
class DemoBatch {
  private readonly clients = new Rows('clients', [
    ['id', 'uuid'],
    ['trade_name', 'text'],
    ['legal_name', 'text'],
    ['person_type', 'text'],
    ['document', 'text'],
    ['state_registration', 'text'],
    ['email', 'text'],
    ['financial_email', 'text'],
    ['phone', 'text'],
    ['website', 'text'],
    ['postal_code', 'text'],
    ['street', 'text'],
    ['number', 'text'],
    ['complement', 'text'],
    ['district', 'text'],
    ['city', 'text'],
    ['state', 'text'],
    ['status', 'text'],
    ['billing_client_id', 'uuid'],
  ]);
  private readonly groupLinks = new Rows('client_attendant_groups', [
    ['client_id', 'uuid'],
    ['attendant_group_id', 'uuid'],
  ]);
  private readonly deskLinks = new Rows('client_service_desks', [
    ['client_id', 'uuid'],
    ['service_desk_id', 'uuid'],
  ]);
  private readonly contacts = new Rows('contacts', [
    ['id', 'uuid'],
    ['client_id', 'uuid'],
    ['name', 'text'],
    ['job_title', 'text'],
    ['email', 'text'],
    ['phone', 'text'],
    ['mobile', 'text'],
    ['is_primary', 'boolean'],
  ]);
  private readonly contracts = new Rows('contracts', [
    ['id', 'uuid'],
    ['client_id', 'uuid'],
    ['name', 'text'],
    ['modality', 'text'],
    ['start_date', 'date'],
    ['end_date', 'date'],
    ['duration_months', 'int'],
    ['monthly_value', 'numeric'],
    ['included_hours', 'numeric'],
    ['included_tickets', 'int'],
    ['readjustment_index', 'text'],
    ['readjustment_percent', 'numeric'],
    ['next_readjustment_date', 'date'],
    ['auto_renew', 'boolean'],
    ['cancelled_at', 'timestamptz'],
    ['cancellation_reason', 'text'],
  ]);
  private readonly revisions = new Rows('contract_revisions', [
    ['contract_id', 'uuid'],
    ['kind', 'text'],
    ['effective_from', 'date'],
    ['old_value', 'numeric'],
    ['new_value', 'numeric'],
    ['percent_applied', 'numeric'],
    ['old_next_readjustment_date', 'date'],
    ['new_next_readjustment_date', 'date'],
    ['operator_id', 'uuid'],
    ['operator_name', 'text'],
    ['created_at', 'timestamptz'],
  ]);
  private readonly tickets = new Rows('tickets', [
    ['id', 'uuid'],
    ['title', 'text'],
    ['client_id', 'uuid'],
    ['service_desk_id', 'uuid'],
    ['attendant_group_id', 'uuid'],
    ['requester_contact_id', 'uuid'],
    ['status', 'text'],
    ['closed_at', 'timestamptz'],
    ['reviewed_at', 'timestamptz'],
    ['reviewed_by', 'uuid'],
    ['reviewed_by_name', 'text'],
    ['created_by', 'uuid'],
    ['created_by_name', 'text'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ]);
  private readonly ticketEvents = new Rows('ticket_events', [
    ['ticket_id', 'uuid'],
    ['operator_id', 'uuid'],
    ['operator_name', 'text'],
    ['kind', 'text'],
    ['from_status', 'text'],
    ['to_status', 'text'],
    ['created_at', 'timestamptz'],
  ]);
  private readonly displacements = new Rows('displacements', [
    ['client_id', 'uuid'],
    ['name', 'text'],
    ['value', 'numeric'],
    ['contract_id', 'uuid'],
    ['distance_km', 'numeric'],
  ]);
  private readonly calls = new Rows('call_logs', [
    ['client_id', 'uuid'],
    ['contact_id', 'uuid'],
    ['contact_name', 'text'],
    ['operator_id', 'uuid'],
    ['operator_name', 'text'],
    ['extension', 'text'],
    ['number_kind', 'text'],
    ['number_e164', 'text'],
    ['dialled', 'text'],
    ['provider', 'text'],
    ['result', 'text'],
    ['provider_call_id', 'text'],
    ['created_at', 'timestamptz'],
  ]);

  /** Adds a client and everything hanging off it; returns the client's id. */
  add(
    c: DemoClient,
    refs: { billingClientId: string | null; groupId: string; deskId: string; operator?: Operator },
  ): string {
    const id = randomUUID();
    const op = refs.operator;
    this.clients.add(
      id,
      c.tradeName,
      c.legalName,
      c.personType,
      c.document,
      c.stateRegistration,
      c.email,
      c.financialEmail,
      c.phone,
      c.website,
      c.postalCode,
      c.street,
      c.number,
      c.complement,
      c.district,
      c.city,
      c.state,
      c.status,
      refs.billingClientId,
    );
    if (c.linked) {
      this.groupLinks.add(id, refs.groupId);
      this.deskLinks.add(id, refs.deskId);
    }
    let contactId: string | null = null;
    if (c.contact) {
      contactId = randomUUID();
      const k = c.contact;
      this.contacts.add(contactId, id, k.name, k.jobTitle, k.email, k.phone, k.mobile, true);
      for (const call of c.calls) {
        const e164 = k.phone ?? k.mobile;
        const viaPbx = call.viaPbx && op?.extension;
        this.calls.add(
          id,
          contactId,
          k.name,
          op?.id ?? null,
          op?.name ?? null,
          viaPbx ? op.extension : null,
          k.phone ? 'phone' : 'mobile',
          e164,
          viaPbx ? `0${e164.slice(3)}` : e164,
          viaPbx ? 'asterisk-ami' : 'none',
          viaPbx ? 'originated' : 'tel_link',
          null,
          daysAgo(call.daysAgo, 3),
        );
      }
    }
    let contractId: string | null = null;
    for (const contract of c.contracts) {
      contractId = randomUUID();
      this.contracts.add(
        contractId,
        id,
        contract.name,
        contract.modality,
        contract.startDate,
        contract.endDate,
        contract.durationMonths,
        contract.monthlyValue,
        contract.includedHours,
        contract.includedTickets,
        contract.readjustmentIndex,
        contract.readjustmentPercent,
        contract.nextReadjustmentDate,
        contract.autoRenew,
        contract.cancelled ? at(contract.cancelled.at) : null,
        contract.cancelled?.reason ?? null,
      );
      const revision = contract.revision;
      if (revision) {
        this.revisions.add(
          contractId,
          'readjustment',
          revision.effectiveFrom,
          revision.oldValue,
          revision.newValue,
          revision.percent,
          revision.effectiveFrom,
          contract.nextReadjustmentDate,
          op?.id ?? null,
          op?.name ?? null,
          at(revision.effectiveFrom, '10:00:00-03:00'),
        );
      }
    }
    for (const ticket of c.tickets) {
      const ticketId = randomUUID();
      const createdAt = daysAgo(ticket.daysAgo);
      const closedAt = ticket.status === 'closed' ? daysAgo(ticket.daysAgo, 26) : null;
      const reviewed =
        ticket.status === 'closed' && !ticket.pendingReview && DEMO_SERVICE_DESKS[c.desk] === REVIEW_DESK;
      const reviewedAt = reviewed ? daysAgo(ticket.daysAgo, 30) : null;
      const changedAt = ticket.status === 'open' ? createdAt : (closedAt ?? daysAgo(ticket.daysAgo, 2));
      this.tickets.add(
        ticketId,
        ticket.title,
        id,
        refs.deskId,
        refs.groupId,
        contactId,
        ticket.status,
        closedAt,
        reviewedAt,
        reviewed ? (op?.id ?? null) : null,
        reviewed ? (op?.name ?? null) : null,
        op?.id ?? null,
        op?.name ?? null,
        createdAt,
        reviewedAt ?? changedAt,
      );
      this.ticketEvents.add(ticketId, op?.id ?? null, op?.name ?? null, 'created', null, 'open', createdAt);
      if (ticket.status !== 'open') {
        this.ticketEvents.add(
          ticketId,
          op?.id ?? null,
          op?.name ?? null,
          'status_changed',
          'open',
          ticket.status,
          changedAt,
        );
      }
      if (reviewedAt) {
        this.ticketEvents.add(ticketId, op?.id ?? null, op?.name ?? null, 'reviewed', null, null, reviewedAt);
      }
    }
    if (c.displacement) {
      const d = c.displacement;
      this.displacements.add(id, d.name, d.value, d.ofContract ? contractId : null, d.distanceKm);
    }
    return id;
  }

  async insert(tx: EntityManager): Promise<void> {
    for (const rows of [
      this.clients,
      this.groupLinks,
      this.deskLinks,
      this.contacts,
      this.contracts,
      this.revisions,
      this.tickets,
      this.ticketEvents,
      this.displacements,
      this.calls,
    ]) {
      await rows.insert(tx);
    }
  }
}

/** The ids of the named rows, inserting those missing (names are unique regardless of case). */
async function ensureRows(
  dataSource: DataSource,
  table: 'attendant_groups' | 'service_desks',
  names: readonly string[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const name of names) {
    await dataSource.query(
      `INSERT INTO ${table} (name) SELECT $1::varchar WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE lower(name) = lower($1::varchar))`,
      [name],
    );
    const [{ id }] = await dataSource.query(
      `SELECT id FROM ${table} WHERE lower(name) = lower($1::varchar)`,
      [name],
    );
    ids.set(name, id);
  }
  return ids;
}
