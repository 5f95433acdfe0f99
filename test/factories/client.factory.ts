import type { SessionOperator } from '../../src/auth/session-operator';
import { ClientRelationshipsService } from '../../src/clients/client-relationships.service';
import { ClientStatusService } from '../../src/clients/client-status.service';
import type { Client, ClientStatus } from '../../src/clients/client.entity';
import { ClientsService } from '../../src/clients/clients.service';
import type { Contact } from '../../src/clients/contacts/contact.entity';
import { ContactsService } from '../../src/clients/contacts/contacts.service';
import type { ClientFormDto } from '../../src/clients/dto/client-form.dto';
import type { ContactFormDto } from '../../src/clients/contacts/dto/contact-form.dto';
import type { AttendantGroup } from '../../src/relationships/attendant-group.entity';
import { AttendantGroupsService } from '../../src/relationships/attendant-groups.service';
import type { ServiceDesk } from '../../src/relationships/service-desk.entity';
import { ServiceDesksService } from '../../src/relationships/service-desks.service';
import type { TestApp } from '../support/test-app';
import { factoryActor, type TestOperator } from './operator.factory';

/*
 * Clients and what hangs off them, created through the same services the controllers use (so history,
 * normalization and the one-primary-contact rule apply), or in bulk with one SQL statement when a test
 * needs hundreds of rows.
 */

/** The session view of a test operator, as services expect it. */
export const asSession = (operator: TestOperator): SessionOperator => ({
  id: operator.id,
  name: operator.name,
  email: operator.email,
  role: operator.role,
  locale: 'pt-BR',
});

const sessionOf = async (t: TestApp, operator?: TestOperator) =>
  asSession(operator ?? (await factoryActor(t, 'admin', 'Fábrica de Testes')));

let sequence = 0;
/** A unique, readable suffix for names. */
export const uniqueSuffix = () => `${Date.now().toString(36)}${(sequence++).toString(36)}`;

/* Check digits from the published rules (RFB Nota Técnica 49/2024 for the alphanumeric CNPJ). */
const CPF_W1 = [10, 9, 8, 7, 6, 5, 4, 3, 2];
const CPF_W2 = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_W1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_W2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
function checkDigit(chars: string, weights: number[]): number {
  const sum = weights.reduce((total, w, i) => total + (chars.charCodeAt(i) - 48) * w, 0);
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}
/** A valid CPF for a 9-digit base. */
export function cpfFor(base: string): string {
  const d1 = checkDigit(base, CPF_W1);
  return `${base}${d1}${checkDigit(base + d1, CPF_W2)}`;
}
/** A valid CNPJ (numeric or alphanumeric) for a 12-character base. */
export function cnpjFor(base: string): string {
  const d1 = checkDigit(base, CNPJ_W1);
  return `${base}${d1}${checkDigit(base + d1, CNPJ_W2)}`;
}
let documentSequence = Math.floor(Math.random() * 1_000_000);
/** A fresh valid numeric CNPJ (unmasked), different on every call. */
export const nextCnpj = () =>
  cnpjFor(`${String(10_000_000 + (documentSequence++ % 89_999_999)).padStart(8, '0')}0001`);
/** `11222333000181` → `11.222.333/0001-81` (also for letters). */
export const maskCnpj = (cnpj: string) => cnpj.replace(/^(.{2})(.{3})(.{3})(.{4})(\d{2})$/, '$1.$2.$3/$4-$5');
export const maskCpf = (cpf: string) => cpf.replace(/^(\d{3})(\d{3})(\d{3})(\d{2})$/, '$1.$2.$3-$4');

export type ClientOverrides = Partial<ClientFormDto> & { status?: ClientStatus };

/** A client registered through ClientsService (as the form does); `status: 'inactive'` inactivates it after, as the toggle does. */
export async function makeClient(
  t: TestApp,
  overrides: ClientOverrides = {},
  operator?: TestOperator,
): Promise<Client> {
  const { status, ...fields } = overrides;
  const dto = { tradeName: `Cliente ${uniqueSuffix()}`, personType: 'PJ', ...fields } as ClientFormDto;
  const session = await sessionOf(t, operator);
  const client = await t.app.get(ClientsService).create(session, dto);
  if (status === 'inactive') {
    const result = await t.app.get(ClientStatusService).change(session, client.id, 'inactive');
    if (!result.ok) throw new Error('makeClient: a new client could not be inactivated');
    client.status = 'inactive';
  }
  return client;
}

/**
 * `count` clients in one statement (for pagination and query-count tests): trade names
 * `<prefix> 0001`, `<prefix> 0002`…, cities cycling through a few, all active unless told otherwise.
 * Returns their ids in insertion order.
 */
export async function makeClients(
  t: TestApp,
  count: number,
  options: { prefix?: string; status?: ClientStatus } = {},
): Promise<string[]> {
  const rows: Array<{ id: string }> = await t.dataSource.query(
    `INSERT INTO clients (trade_name, city, state, status)
     SELECT format('%s %s', $1::text, lpad(i::text, 4, '0')), (ARRAY['Curitiba','Recife','Belém'])[1 + i % 3], 'PR', $3
     FROM generate_series(1, $2::int) AS i ORDER BY i
     RETURNING id`,
    [options.prefix ?? 'Lote', count, options.status ?? 'active'],
  );
  return rows.map((r) => r.id);
}

/** An attendant group (team) with these members, through the settings service. */
export async function makeGroup(
  t: TestApp,
  name = `Grupo ${uniqueSuffix()}`,
  members: TestOperator[] = [],
): Promise<AttendantGroup> {
  return t.app.get(AttendantGroupsService).create({ name, memberIds: members.map((m) => m.id) });
}

/** A service desk, through the settings service. */
export async function makeDesk(
  t: TestApp,
  name = `Mesa ${uniqueSuffix()}`,
  requiresReview = false,
): Promise<ServiceDesk> {
  return t.app.get(ServiceDesksService).create({ name, requiresReview });
}

/** Replaces the client's groups and desks (as step 2 does, history included). */
export async function linkClient(
  t: TestApp,
  client: { id: string },
  links: { groups?: Array<{ id: string }>; desks?: Array<{ id: string }> },
  operator?: TestOperator,
): Promise<void> {
  const result = await t.app.get(ClientRelationshipsService).replace(
    await sessionOf(t, operator),
    client.id,
    (links.groups ?? []).map((g) => g.id),
    (links.desks ?? []).map((d) => d.id),
  );
  if (!result.ok) throw new Error('linkClient: unknown group or desk');
}

/** A client that is usable: linked to a (new, unless given) group and desk. */
export async function makeLinkedClient(
  t: TestApp,
  overrides: ClientOverrides = {},
  links: { group?: AttendantGroup; desk?: ServiceDesk } = {},
): Promise<{ client: Client; group: AttendantGroup; desk: ServiceDesk }> {
  const client = await makeClient(t, overrides);
  const group = links.group ?? (await makeGroup(t));
  const desk = links.desk ?? (await makeDesk(t));
  await linkClient(t, client, { groups: [group], desks: [desk] });
  return { client, group, desk };
}

/** A contact through ContactsService (phones normalized to E.164, the first one becomes primary). */
export async function makeContact(
  t: TestApp,
  client: { id: string },
  overrides: Partial<ContactFormDto> = {},
  operator?: TestOperator,
): Promise<Contact> {
  const dto = { name: `Contato ${uniqueSuffix()}`, ...overrides } as ContactFormDto;
  return t.app.get(ContactsService).create(await sessionOf(t, operator), client.id, dto);
}

/** Removes every client (and, by cascade, everything that belongs to clients) so a test sees only its own. */
export async function removeAllClients(t: TestApp): Promise<void> {
  await t.dataSource.query(`TRUNCATE clients CASCADE`);
}
