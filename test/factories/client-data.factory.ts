import { ClientDeletionService } from '../../src/clients/client-deletion.service';
import type { TableCounts } from '../../src/clients/client-deletion.entity';
import type { Client } from '../../src/clients/client.entity';
import type { TestApp } from '../support/test-app';
import { asSession, makeContact, makeLinkedClient, uniqueSuffix } from './client.factory';
import { makeOperator, type TestOperator } from './operator.factory';
import { currentCode, enableTotp } from './totp.factory';

/** What a seeded client has, row by row, for the deletion confirmation and the purge checks. */
export interface SeededClient {
  client: Client;
  tradeName: string;
  contactEmail: string;
  contactIds: string[];
  ticketIds: string[];
  groupId: string;
  deskId: string;
}

export const tableExists = async (t: TestApp, table: string): Promise<boolean> => {
  const [{ exists }] = await t.dataSource.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [table]);
  return exists;
};

/**
 * A client with some of every kind of data the deletion lists: 2 contacts (one with a unique e-mail),
 * 1 group and 1 desk link, 1 contract with 1 revision, 1 displacement, 2 tickets with 3 events each and
 * 1 call log — the tables other modules own are filled in SQL, so only their schema matters here.
 * `ticketEvents` adds that many more events to the first ticket (generate_series), for the big purge.
 */
export async function seedClient(
  t: TestApp,
  options: { name?: string; ticketEvents?: number } = {},
): Promise<SeededClient> {
  const suffix = uniqueSuffix();
  const tradeName = options.name ?? `Padaria Pão Quente ${suffix}`;
  const contactEmail = `ana.${suffix}@paoquente.example`;
  const { client, group, desk } = await makeLinkedClient(t, {
    tradeName,
    legalName: `Pão Quente Alimentos ${suffix} Ltda`,
    email: `contato.${suffix}@paoquente.example`,
  });
  const contacts = [
    await makeContact(t, client, { name: `Ana ${suffix}`, email: contactEmail, phone: '(41) 3333-4444' }),
    await makeContact(t, client, { name: `Bruno ${suffix}` }),
  ];
  const sql = (text: string, params: unknown[]) => t.dataSource.query(text, params);
  const ticketIds: string[] = [];
  if (await tableExists(t, 'contracts')) {
    const [contract] = await sql(
      `INSERT INTO contracts (client_id, name, modality, start_date, duration_months, monthly_value, readjustment_index, next_readjustment_date)
       VALUES ($1, $2, 'fixed_monthly', current_date - 30, 12, 1000, 'IPCA', current_date + 335) RETURNING id`,
      [client.id, `Contrato ${suffix}`],
    );
    await sql(
      `INSERT INTO contract_revisions (contract_id, kind, effective_from, old_value, new_value, percent_applied)
       VALUES ($1, 'readjustment', current_date, 950, 1000, 5.26)`,
      [contract.id],
    );
    await sql(
      `INSERT INTO displacements (client_id, name, value, contract_id, notes) VALUES ($1, $2, 120.5, $3, $4)`,
      [client.id, `Visita ${suffix}`, contract.id, `Falar com ${contactEmail}`],
    );
  }
  if (await tableExists(t, 'tickets')) {
    for (let i = 0; i < 2; i++) {
      const [ticket] = await sql(
        `INSERT INTO tickets (title, description, client_id, service_desk_id, attendant_group_id, requester_contact_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          `Impressora da ${tradeName} ${i}`,
          `Pedido de ${contactEmail}`,
          client.id,
          desk.id,
          group.id,
          contacts[0].id,
        ],
      );
      ticketIds.push(ticket.id);
      await sql(
        `INSERT INTO ticket_events (ticket_id, kind) SELECT $1, 'created' FROM generate_series(1, 3)`,
        [ticket.id],
      );
    }
    if (options.ticketEvents) {
      await sql(
        `INSERT INTO ticket_events (ticket_id, kind, from_status, to_status, operator_name)
         SELECT $1, 'status_changed', 'open', 'in_progress', 'Operador ' || i FROM generate_series(1, $2::int) AS i`,
        [ticketIds[0], options.ticketEvents],
      );
    }
  }
  if (await tableExists(t, 'call_logs')) {
    await sql(
      `INSERT INTO call_logs (client_id, contact_id, contact_name, number_kind, number_e164, provider, result)
       VALUES ($1, $2, $3, 'phone', '+554133334444', 'none', 'tel_link')`,
      [client.id, contacts[0].id, contacts[0].name],
    );
  }
  return {
    client,
    tradeName,
    contactEmail,
    contactIds: contacts.map((c) => c.id),
    ticketIds,
    groupId: group.id,
    deskId: desk.id,
  };
}

/** Rows per table that reference the client, found from the catalog (every uuid column of every table). */
export async function rowsReferencing(
  t: TestApp,
  id: string,
  except: string[] = [],
): Promise<Record<string, number>> {
  const columns: Array<{ table: string; column: string }> = await t.dataSource.query(
    `SELECT c.table_name AS "table", c.column_name AS "column" FROM information_schema.columns c
     JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
     WHERE c.table_schema = 'public' AND c.data_type = 'uuid' AND tb.table_type = 'BASE TABLE'`,
  );
  const found: Record<string, number> = {};
  for (const { table, column } of columns) {
    if (except.includes(table)) continue;
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM "${table}" WHERE "${column}" = $1`,
      [id],
    );
    if (n) found[`${table}.${column}`] = n;
  }
  return found;
}

/** Every table and text-like column (text, varchar, char, json, jsonb) whose value contains `needle`. */
export async function textMentions(
  t: TestApp,
  needle: string,
  except: string[] = [],
): Promise<Record<string, number>> {
  const columns: Array<{ table: string; column: string }> = await t.dataSource.query(
    `SELECT c.table_name AS "table", c.column_name AS "column" FROM information_schema.columns c
     JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
     WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE'
       AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')`,
  );
  const found: Record<string, number> = {};
  for (const { table, column } of columns) {
    if (except.includes(table)) continue;
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM "${table}" WHERE strpos(lower("${column}"::text), lower($1)) > 0`,
      [needle],
    );
    if (n) found[`${table}.${column}`] = n;
  }
  return found;
}

const deleters = new WeakMap<TestApp, Promise<{ operator: TestOperator; secret: string }>>();

/**
 * Marks a client for deletion exactly as `POST /clients/:id/delete` does (TOTP verified, record written),
 * as a manager of the test app with 2FA on.
 */
export async function markForDeletion(t: TestApp, clientId: string): Promise<TableCounts> {
  let deleter = deleters.get(t);
  if (!deleter) {
    deleter = (async () => {
      const operator = await makeOperator(t, 'manager', { name: 'Exclusora de Testes' });
      return { operator, secret: await enableTotp(t, operator) };
    })();
    deleters.set(t, deleter);
  }
  const { operator, secret } = await deleter;
  await t.dataSource.query(`UPDATE operators SET totp_last_step = NULL WHERE id = $1`, [operator.id]);
  const outcome = await t.app
    .get(ClientDeletionService)
    .request(asSession(operator), clientId, currentCode(secret), {});
  if (!outcome.ok) throw new Error(`markForDeletion: ${outcome.verification.reason}`);
  return outcome.counts;
}
