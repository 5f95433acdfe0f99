import { ClientDeletionService } from '../../src/clients/client-deletion.service';
import type { TableCounts } from '../../src/clients/client-deletion.entity';
import type { Client } from '../../src/clients/client.entity';
import { ClientsRepository } from '../../src/clients/clients.repository';
import { todayInSaoPaulo } from '../../src/common/calendar';
import { parseMoney } from '../../src/common/money';
import { ContractReadjustmentsService } from '../../src/contracts/contract-readjustments.service';
import { DisplacementsService } from '../../src/displacements/displacements.service';
import { CallsService } from '../../src/integrations/telephony/calls.service';
import type { TestApp } from '../support/test-app';
import { asSession, makeContact, makeLinkedClient, uniqueSuffix } from './client.factory';
import { makeContract } from './contract.factory';
import { factoryActor, makeOperator, type TestOperator } from './operator.factory';
import { makeTicket } from './ticket.factory';
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

/**
 * A client with some of every kind of data the deletion lists, each made through the service of the module
 * that owns it (history and events written as in the app): 2 contacts (one with a unique e-mail), 1 group
 * and 1 desk link, 1 contract with 1 revision (a readjustment), 1 displacement, 2 tickets with 3 events each
 * (opened, in progress, waiting; the first contact as requester) and 1 call log (a `tel:` call, no PBX).
 * `ticketEvents` adds that many more events to the first ticket for the big purge tests: in one statement,
 * since thousands of service calls would take minutes.
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
  const operator = asSession(await factoryActor(t, 'manager', 'Cadastro de Testes'));

  const contract = await makeContract(t, client, { name: `Contrato ${suffix}`, monthlyValue: '950,00' });
  await t.app
    .get(ContractReadjustmentsService)
    .applyOne(operator, contract.id, { percent: '5,26', effectiveFrom: todayInSaoPaulo() });
  await t.app.get(DisplacementsService).create(operator, client.id, {
    name: `Visita ${suffix}`,
    value: parseMoney('120,50')!,
    contractId: contract.id,
    distanceKm: null,
    notes: `Falar com ${contactEmail}`,
  });

  const ticketIds: string[] = [];
  for (let i = 0; i < 2; i++) {
    const ticket = await makeTicket(
      t,
      { client, desk, group },
      {
        title: `Impressora da ${tradeName} ${i}`,
        description: `Pedido de ${contactEmail}`,
        requesterContactId: contacts[0].id,
        status: 'in_progress',
        then: 'waiting',
      },
    );
    ticketIds.push(ticket.id);
  }
  if (options.ticketEvents) {
    await t.dataSource.query(
      `INSERT INTO ticket_events (ticket_id, kind, from_status, to_status, operator_name)
       SELECT $1, 'status_changed', 'open', 'in_progress', 'Operador ' || i FROM generate_series(1, $2::int) AS i`,
      [ticketIds[0], options.ticketEvents],
    );
  }
  await t.app.get(CallsService).call(operator, client.id, contacts[0].id, 'phone');
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

/**
 * Only the deletion mark, through the clients repository, without the rest of the deletion (no TOTP, no
 * record, clients billed to it left attached): the state a concurrent request can still see.
 */
export async function setDeletionMark(t: TestApp, client: { id: string }): Promise<void> {
  await t.dataSource.transaction((tx) => t.app.get(ClientsRepository).markForDeletion(tx, client.id));
}
