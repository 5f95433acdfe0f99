import { randomUUID } from 'node:crypto';
import type { Role } from '../../../src/auth/operator.entity';
import { yearMonthOf } from '../../../src/common/calendar';
import { markForDeletion, seedClient } from '../../factories/client-data.factory';
import {
  linkClient,
  makeClient,
  makeContact,
  makeDesk,
  makeGroup,
  uniqueSuffix,
} from '../../factories/client.factory';
import { makeContract, setContractDates } from '../../factories/contract.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { makeTicket } from '../../factories/ticket.factory';
import { changedTables, dataDigest } from '../../support/db-digest';
import { csrfFor, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

/*
 * The authorization matrix: every route the app registers × every
 * kind of visitor, generated from one table. Each route declares who may use it and whether its ids name a
 * client's data; the expected status follows:
 *
 *   anonymous                           → 303 to /login (401 + HX-Redirect for htmx)
 *   a role the route does not allow     → 403
 *   an agent outside the client's groups, on a route that names the client's data → 404
 *   a client marked for deletion, for every role  → 404
 *   otherwise                           → the route's own answer to the request sent (200, 303, 422…)
 *
 * Whatever the status, a visitor who may not see client A never gets a byte of it (its trade name, its
 * contact's, contract's, ticket's or displacement's name), a refused request or a GET changes no stored
 * data, every POST refuses a missing or cross-site CSRF token, and every answer carries the security headers.
 * The route list comes from Express's router, so a new route without a row here fails the first test.
 */

type Visitor = 'anonymous' | 'admin' | 'manager' | 'agentIn' | 'agentOut';
const VISITORS: Visitor[] = ['anonymous', 'admin', 'manager', 'agentIn', 'agentOut'];
const roleOf = (v: Visitor): Role | null =>
  v === 'anonymous' ? null : v === 'agentIn' || v === 'agentOut' ? 'agent' : v;

/** The ids a path is built from: client A's data (or another client's, for the foreign/deleted passes). */
interface Ids {
  client: string;
  contact: string;
  contract: string;
  displacement: string;
  ticket: string;
  operator: string;
  group: string;
  desk: string;
  run: string;
  dueMonth: string;
}

type Access = 'public' | 'signedIn' | Role[];
const MANAGERS: Role[] = ['admin', 'manager'];
const ADMIN: Role[] = ['admin'];

interface RouteCase {
  method: 'GET' | 'POST';
  /** The path as Express lists it. */
  route: string;
  path: (ids: Ids) => string;
  access: Access;
  /** The ids in the path name one client's data (→ 404 for an agent outside its groups and once deleted). */
  scoped?: boolean;
  /** Status for an allowed visitor (may depend on who). */
  ok: number | ((v: Visitor) => number);
  /** Status for an agent outside the client's groups, when the route is allowed but not scoped by path. */
  foreign?: number;
  body?: Record<string, string | string[]>;
  /** The allowed call destroys its target: give it one of its own. */
  fresh?: (t: TestApp, ids: Ids) => Promise<Partial<Ids>>;
  /** The allowed call ends the session (logout): use a new one. */
  ownSession?: boolean;
}

const signedInGoesTo = (anon: number, signedIn: number) => (v: Visitor) =>
  v === 'anonymous' ? anon : signedIn;

const ROUTES: RouteCase[] = [
  // Public: session and health
  { method: 'GET', route: '/', path: () => '/', access: 'public', ok: 303 },
  { method: 'GET', route: '/setup', path: () => '/setup', access: 'public', ok: 404 },
  { method: 'POST', route: '/setup', path: () => '/setup', access: 'public', ok: 404 },
  { method: 'GET', route: '/login', path: () => '/login', access: 'public', ok: signedInGoesTo(200, 303) },
  { method: 'POST', route: '/login', path: () => '/login', access: 'public', ok: 422 },
  { method: 'GET', route: '/healthz', path: () => '/healthz', access: 'public', ok: 200 },
  { method: 'GET', route: '/readyz', path: () => '/readyz', access: 'public', ok: 200 },
  { method: 'POST', route: '/logout', path: () => '/logout', access: 'signedIn', ok: 303, ownSession: true },

  // The operator's own account
  { method: 'GET', route: '/account', path: () => '/account', access: 'signedIn', ok: 200 },
  { method: 'POST', route: '/account', path: () => '/account', access: 'signedIn', ok: 422 },
  { method: 'GET', route: '/account/security', path: () => '/account/security', access: 'signedIn', ok: 200 },
  {
    method: 'POST',
    route: '/account/security/password',
    path: () => '/account/security/password',
    access: 'signedIn',
    ok: 422,
  },
  {
    method: 'POST',
    route: '/account/security/totp',
    path: () => '/account/security/totp',
    access: 'signedIn',
    ok: 422,
  },
  {
    method: 'POST',
    route: '/account/security/totp/disable',
    path: () => '/account/security/totp/disable',
    access: 'signedIn',
    ok: 422,
  },
  {
    method: 'GET',
    route: '/account/confirm-password',
    path: () => '/account/confirm-password?next=%2Faccount%2Fsecurity',
    access: 'signedIn',
    ok: 200,
  },
  {
    method: 'POST',
    route: '/account/confirm-password',
    path: () => '/account/confirm-password',
    access: 'signedIn',
    ok: 422, // no password
  },

  // Clients
  {
    method: 'GET',
    route: '/clients',
    path: () => `/clients?status=all&q=${encodeURIComponent(SECRET.client.slice(0, 12))}`,
    access: 'signedIn',
    ok: 200,
  },
  { method: 'GET', route: '/clients/new', path: () => '/clients/new', access: MANAGERS, ok: 200 },
  { method: 'POST', route: '/clients', path: () => '/clients', access: MANAGERS, ok: 422 },
  {
    method: 'GET',
    route: '/clients/picker',
    path: () => `/clients/picker?q=${encodeURIComponent(SECRET.client.slice(0, 12))}`,
    access: 'signedIn',
    ok: 200,
  },
  {
    method: 'GET',
    route: '/clients/:id',
    path: (i) => `/clients/${i.client}`,
    access: 'signedIn',
    scoped: true,
    ok: 200,
  },
  {
    method: 'GET',
    route: '/clients/:id/edit',
    path: (i) => `/clients/${i.client}/edit`,
    access: MANAGERS,
    scoped: true,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/clients/:id',
    path: (i) => `/clients/${i.client}`,
    access: MANAGERS,
    scoped: true,
    ok: 422,
  },
  {
    method: 'POST',
    route: '/clients/:id/status',
    path: (i) => `/clients/${i.client}/status`,
    access: MANAGERS,
    scoped: true,
    body: { status: 'inactive' },
    ok: 422, // refused: A has an open ticket and a contract in force (nothing changes)
  },
  {
    method: 'GET',
    route: '/clients/:id/relationships',
    path: (i) => `/clients/${i.client}/relationships`,
    access: MANAGERS,
    scoped: true,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/clients/:id/relationships',
    path: (i) => `/clients/${i.client}/relationships`,
    access: MANAGERS,
    scoped: true,
    body: { attendantGroupIds: 'not-a-group' }, // refused: an empty post would unlink the agent's group
    ok: 422,
  },
  {
    method: 'GET',
    route: '/clients/:id/delete',
    path: (i) => `/clients/${i.client}/delete`,
    access: MANAGERS,
    scoped: true,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/clients/:id/delete',
    path: (i) => `/clients/${i.client}/delete`,
    access: MANAGERS,
    scoped: true,
    ok: 422,
  },

  // Contacts and calls
  {
    method: 'GET',
    route: '/clients/:id/contacts/new',
    path: (i) => `/clients/${i.client}/contacts/new`,
    access: MANAGERS,
    scoped: true,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/clients/:id/contacts/new',
    path: (i) => `/clients/${i.client}/contacts/new`,
    access: MANAGERS,
    scoped: true,
    ok: 422,
  },
  {
    method: 'GET',
    route: '/clients/:id/contacts/:contactId/edit',
    path: (i) => `/clients/${i.client}/contacts/${i.contact}/edit`,
    access: MANAGERS,
    scoped: true,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/clients/:id/contacts/:contactId/edit',
    path: (i) => `/clients/${i.client}/contacts/${i.contact}/edit`,
    access: MANAGERS,
    scoped: true,
    ok: 422,
  },
  {
    method: 'POST',
    route: '/clients/:id/contacts/:contactId/delete',
    path: (i) => `/clients/${i.client}/contacts/${i.contact}/delete`,
    access: MANAGERS,
    scoped: true,
    ok: 303,
    fresh: async (t, ids) => ({
      contact: (await makeContact(t, { id: ids.client }, { name: 'Contato Descartável' })).id,
    }),
  },
  {
    method: 'POST',
    route: '/clients/:id/contacts/:contactId/call',
    path: (i) => `/clients/${i.client}/contacts/${i.contact}/call`,
    access: 'signedIn',
    scoped: true,
    ok: 200, // no telephony provider: the page with the tel: link
  },

  // Contracts and readjustments
  {
    method: 'GET',
    route: '/clients/:id/contracts/new',
    path: (i) => `/clients/${i.client}/contracts/new`,
    access: MANAGERS,
    scoped: true,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/clients/:id/contracts/new',
    path: (i) => `/clients/${i.client}/contracts/new`,
    access: MANAGERS,
    scoped: true,
    ok: 422,
  },
  {
    method: 'GET',
    route: '/contracts/:id',
    path: (i) => `/contracts/${i.contract}`,
    access: 'signedIn',
    scoped: true,
    ok: 200,
  },
  {
    method: 'GET',
    route: '/contracts/:id/edit',
    path: (i) => `/contracts/${i.contract}/edit`,
    access: MANAGERS,
    scoped: true,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/contracts/:id/edit',
    path: (i) => `/contracts/${i.contract}/edit`,
    access: MANAGERS,
    scoped: true,
    ok: 422,
  },
  {
    method: 'POST',
    route: '/contracts/:id/cancel',
    path: (i) => `/contracts/${i.contract}/cancel`,
    access: MANAGERS,
    scoped: true,
    body: { reason: 'x'.repeat(501) }, // refused (too long): an empty post would cancel the contract
    ok: 422,
  },
  {
    method: 'POST',
    route: '/contracts/:id/readjustments',
    path: (i) => `/contracts/${i.contract}/readjustments`,
    access: MANAGERS,
    scoped: true,
    ok: 422,
  },
  {
    method: 'GET',
    route: '/contracts',
    path: (i) => `/contracts?due=${i.dueMonth}`,
    access: MANAGERS,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/contracts/readjustments',
    path: () => '/contracts/readjustments',
    access: MANAGERS,
    ok: 422,
  },

  // Displacements
  {
    method: 'GET',
    route: '/clients/:id/displacements/new',
    path: (i) => `/clients/${i.client}/displacements/new`,
    access: MANAGERS,
    scoped: true,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/clients/:id/displacements/new',
    path: (i) => `/clients/${i.client}/displacements/new`,
    access: MANAGERS,
    scoped: true,
    ok: 422,
  },
  {
    method: 'GET',
    route: '/displacements/:id/edit',
    path: (i) => `/displacements/${i.displacement}/edit`,
    access: MANAGERS,
    scoped: true,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/displacements/:id/edit',
    path: (i) => `/displacements/${i.displacement}/edit`,
    access: MANAGERS,
    scoped: true,
    ok: 422,
  },
  {
    method: 'POST',
    route: '/displacements/:id/delete',
    path: (i) => `/displacements/${i.displacement}/delete`,
    access: MANAGERS,
    scoped: true,
    ok: 303,
    fresh: async (t, ids) => ({
      displacement: await insertDisplacement(t, ids.client, 'Deslocamento Descartável'),
    }),
  },

  // Tickets
  {
    method: 'GET',
    route: '/tickets',
    path: (i) => `/tickets?clientId=${i.client}`,
    access: 'signedIn',
    ok: 200,
  },
  {
    method: 'GET',
    route: '/tickets/new',
    path: (i) => `/tickets/new?clientId=${i.client}`,
    access: 'signedIn',
    ok: 200,
  },
  {
    method: 'POST',
    route: '/tickets/new',
    path: () => '/tickets/new',
    access: 'signedIn',
    body: {}, // filled in beforeAll with client A's ids and a valid title
    ok: 303,
    foreign: 422, // "choose a client": A does not exist for an agent outside its groups
  },
  {
    method: 'GET',
    route: '/tickets/:id',
    path: (i) => `/tickets/${i.ticket}`,
    access: 'signedIn',
    scoped: true,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/tickets/:id/status',
    path: (i) => `/tickets/${i.ticket}/status`,
    access: 'signedIn',
    scoped: true,
    ok: 400,
  },
  {
    method: 'POST',
    route: '/tickets/:id/review',
    path: (i) => `/tickets/${i.ticket}/review`,
    access: 'signedIn',
    scoped: true,
    ok: 422,
  },

  // Settings: teams and desks
  {
    method: 'GET',
    route: '/settings/attendant-groups',
    path: () => '/settings/attendant-groups',
    access: MANAGERS,
    ok: 200,
  },
  {
    method: 'GET',
    route: '/settings/attendant-groups/new',
    path: () => '/settings/attendant-groups/new',
    access: MANAGERS,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/settings/attendant-groups',
    path: () => '/settings/attendant-groups',
    access: MANAGERS,
    ok: 422,
  },
  {
    method: 'GET',
    route: '/settings/attendant-groups/:id/edit',
    path: (i) => `/settings/attendant-groups/${i.group}/edit`,
    access: MANAGERS,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/settings/attendant-groups/:id/edit',
    path: (i) => `/settings/attendant-groups/${i.group}/edit`,
    access: MANAGERS,
    ok: 422,
  },
  {
    method: 'GET',
    route: '/settings/service-desks',
    path: () => '/settings/service-desks',
    access: MANAGERS,
    ok: 200,
  },
  {
    method: 'GET',
    route: '/settings/service-desks/new',
    path: () => '/settings/service-desks/new',
    access: MANAGERS,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/settings/service-desks',
    path: () => '/settings/service-desks',
    access: MANAGERS,
    ok: 422,
  },
  {
    method: 'GET',
    route: '/settings/service-desks/:id/edit',
    path: (i) => `/settings/service-desks/${i.desk}/edit`,
    access: MANAGERS,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/settings/service-desks/:id/edit',
    path: (i) => `/settings/service-desks/${i.desk}/edit`,
    access: MANAGERS,
    ok: 422,
  },

  // Settings: operators (admin)
  { method: 'GET', route: '/settings/operators', path: () => '/settings/operators', access: ADMIN, ok: 200 },
  {
    method: 'GET',
    route: '/settings/operators/new',
    path: () => '/settings/operators/new',
    access: ADMIN,
    ok: 200,
  },
  { method: 'POST', route: '/settings/operators', path: () => '/settings/operators', access: ADMIN, ok: 422 },
  {
    method: 'GET',
    route: '/settings/operators/:id/edit',
    path: (i) => `/settings/operators/${i.operator}/edit`,
    access: ADMIN,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/settings/operators/:id/edit',
    path: (i) => `/settings/operators/${i.operator}/edit`,
    access: ADMIN,
    ok: 422,
  },
  {
    method: 'POST',
    route: '/settings/operators/:id/reset-2fa',
    path: (i) => `/settings/operators/${i.operator}/reset-2fa`,
    access: ADMIN,
    ok: 303,
  },

  // Settings: telephony and billing integrations (admin)
  { method: 'GET', route: '/settings/telephony', path: () => '/settings/telephony', access: ADMIN, ok: 200 },
  { method: 'POST', route: '/settings/telephony', path: () => '/settings/telephony', access: ADMIN, ok: 422 },
  {
    method: 'POST',
    route: '/settings/telephony/test',
    path: () => '/settings/telephony/test',
    access: ADMIN,
    ok: 422,
  },
  {
    method: 'GET',
    route: '/settings/integrations/asaas',
    path: () => '/settings/integrations/asaas',
    access: ADMIN,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/settings/integrations/asaas',
    path: () => '/settings/integrations/asaas',
    access: ADMIN,
    ok: 422,
  },
  {
    method: 'POST',
    route: '/settings/integrations/asaas/test',
    path: () => '/settings/integrations/asaas/test',
    access: ADMIN,
    ok: 422,
  },
  {
    method: 'GET',
    route: '/settings/integrations/conta-azul',
    path: () => '/settings/integrations/conta-azul',
    access: ADMIN,
    ok: 200,
  },
  {
    method: 'POST',
    route: '/settings/integrations/conta-azul',
    path: () => '/settings/integrations/conta-azul',
    access: ADMIN,
    ok: 422,
  },
  {
    method: 'POST',
    route: '/settings/integrations/conta-azul/test',
    path: () => '/settings/integrations/conta-azul/test',
    access: ADMIN,
    ok: 200, // "not configured", said on the page
  },
  {
    method: 'GET',
    route: '/settings/integrations/conta-azul/connect',
    path: () => '/settings/integrations/conta-azul/connect',
    access: ADMIN,
    ok: 303,
  },
  {
    method: 'GET',
    route: '/settings/integrations/conta-azul/callback',
    path: () => '/settings/integrations/conta-azul/callback?code=x&state=forged',
    access: ADMIN,
    ok: 400,
  },
  {
    method: 'POST',
    route: '/settings/integrations/conta-azul/disconnect',
    path: () => '/settings/integrations/conta-azul/disconnect',
    access: ADMIN,
    ok: 303,
  },

  // Syncs
  { method: 'GET', route: '/integrations', path: () => '/integrations', access: MANAGERS, ok: 200 },
  {
    method: 'GET',
    route: '/clients/:id/integrations/:provider',
    path: (i) => `/clients/${i.client}/integrations/asaas`,
    access: 'signedIn',
    scoped: true,
    ok: 303, // without htmx: to the client page's section
  },
  {
    method: 'POST',
    route: '/clients/:id/integrations/:provider/sync',
    path: (i) => `/clients/${i.client}/integrations/asaas/sync`,
    access: MANAGERS,
    scoped: true,
    ok: 303,
  },
  {
    method: 'POST',
    route: '/integrations/:provider/sync-all',
    path: () => '/integrations/conta-azul/sync-all',
    access: MANAGERS,
    ok: 303,
  },
  {
    method: 'GET',
    route: '/integrations/:provider/runs/:runId',
    path: (i) => `/integrations/asaas/runs/${i.run}`,
    access: MANAGERS,
    ok: 200,
  },
];

/** Names only client A's pages may show; a visitor who may not see A must never receive one. */
const suffix = uniqueSuffix();
const SECRET = {
  client: `Sigilosa Matriz ${suffix}`,
  contact: `Contato Sigiloso ${suffix}`,
  contract: `Contrato Sigiloso ${suffix}`,
  displacement: `Deslocamento Sigiloso ${suffix}`,
  ticket: `Chamado Sigiloso ${suffix}`,
};
const PENDING_NAME = `Cliente Em Exclusão ${suffix}`;

async function insertDisplacement(t: TestApp, clientId: string, name: string): Promise<string> {
  const [row] = await t.dataSource.query(
    `INSERT INTO displacements (client_id, name, value) VALUES ($1, $2, 80) RETURNING id`,
    [clientId, name],
  );
  return row.id;
}

describe('authorization matrix: every route × anonymous, admin, manager, agent in/outside the group', () => {
  let t: TestApp;
  const operators = {} as Record<Exclude<Visitor, 'anonymous'>, TestOperator>;
  const agents = {} as Record<Visitor, Agent>;
  const tokens = {} as Record<Visitor, string>;
  let own: Ids;
  let pending: Ids;

  beforeAll(async () => {
    t = await startTestApp();
    operators.admin = await makeOperator(t, 'admin', { name: 'Adão Admin' });
    operators.manager = await makeOperator(t, 'manager', { name: 'Mara Gestora' });
    operators.agentIn = await makeOperator(t, 'agent', { name: 'Iago Do Grupo' });
    operators.agentOut = await makeOperator(t, 'agent', { name: 'Otto De Fora' });
    const groupA = await makeGroup(t, `Equipe A ${suffix}`, [operators.agentIn]);
    const groupB = await makeGroup(t, `Equipe B ${suffix}`, [operators.agentOut]);
    const desk = await makeDesk(t, `Mesa ${suffix}`);

    const clientA = await makeClient(t, { tradeName: SECRET.client });
    await linkClient(t, clientA, { groups: [groupA], desks: [desk] });
    // agentOut has clients too: the lists are not simply empty for them
    const clientB = await makeClient(t, { tradeName: `Cliente Do Grupo B ${suffix}` });
    await linkClient(t, clientB, { groups: [groupB], desks: [desk] });

    const contact = await makeContact(t, clientA, { name: SECRET.contact, phone: '(41) 3333-4444' });
    const contract = await makeContract(t, clientA, { name: SECRET.contract });
    const ticket = await makeTicket(t, { client: clientA, desk, group: groupA }, { title: SECRET.ticket });
    const displacement = await insertDisplacement(t, clientA.id, SECRET.displacement);
    const target = await makeOperator(t, 'agent', { name: 'Alvo Das Edições' });

    // Client C, marked for deletion: gone for everyone, its data included.
    const seeded = await seedClient(t, { name: PENDING_NAME });
    const [pendingContract] = await t.dataSource.query(
      `SELECT id, next_readjustment_date::text AS next FROM contracts WHERE client_id = $1`,
      [seeded.client.id],
    );
    const [pendingDisplacement] = await t.dataSource.query(
      `SELECT id FROM displacements WHERE client_id = $1`,
      [seeded.client.id],
    );
    // A's contract is due in the same month as C's: the "Data Base" list shows one and must hide the other.
    await setContractDates(t, contract, { nextReadjustmentDate: pendingContract.next });
    const dueMonth = yearMonthOf(pendingContract.next);

    // A finished bulk run whose errors name A and C: managers see A's name there, never C's.
    const [run] = await t.dataSource.query(
      `INSERT INTO sync_runs (provider, kind, status, total, done, failed, errors)
       VALUES ('asaas', 'all', 'finished', 2, 2, 2, $1::jsonb) RETURNING id`,
      [
        JSON.stringify(
          [clientA.id, seeded.client.id].map((clientId) => ({
            clientId,
            code: 'rejected',
            errorCode: 'rejected',
            message: 'CPF/CNPJ inválido',
          })),
        ),
      ],
    );
    await markForDeletion(t, seeded.client.id);

    own = {
      client: clientA.id,
      contact: contact.id,
      contract: contract.id,
      displacement,
      ticket: ticket.id,
      operator: target.id,
      group: groupA.id,
      desk: desk.id,
      run: run.id,
      dueMonth,
    };
    pending = {
      ...own,
      client: seeded.client.id,
      contact: seeded.contactIds[0],
      contract: pendingContract.id,
      displacement: pendingDisplacement.id,
      ticket: seeded.ticketIds[0],
    };
    ROUTES.find((r) => r.route === '/tickets/new' && r.method === 'POST')!.body = {
      clientId: clientA.id,
      serviceDeskId: desk.id,
      attendantGroupId: groupA.id,
      title: 'Impressora parada',
    };

    for (const visitor of VISITORS) {
      agents[visitor] = t.http();
      if (visitor !== 'anonymous') {
        const op = operators[visitor];
        expect((await login(agents[visitor], op.email, op.password)).status).toBe(303);
      }
      tokens[visitor] = await csrfFor(agents[visitor], visitor === 'anonymous' ? '/login' : '/account');
    }
  });
  afterAll(() => t.close());

  function expectedStatus(route: RouteCase, visitor: Visitor, foreignIds: boolean): number {
    const role = roleOf(visitor);
    const ok = typeof route.ok === 'function' ? route.ok(visitor) : route.ok;
    if (route.access === 'public') return ok;
    if (!role) return 303;
    if (route.access !== 'signedIn' && !route.access.includes(role)) return 403;
    if (foreignIds && route.scoped) return 404;
    if (visitor === 'agentOut' && route.foreign) return route.foreign;
    if (visitor === 'agentOut' && route.scoped) return 404;
    return ok;
  }

  async function send(
    route: RouteCase,
    visitor: Visitor,
    ids: Ids,
    options: { htmx?: boolean; token?: string | null; headers?: Record<string, string> } = {},
  ) {
    let agent = agents[visitor];
    let token = options.token === undefined ? tokens[visitor] : options.token;
    if (route.ownSession && visitor !== 'anonymous') {
      agent = t.http();
      await login(agent, operators[visitor].email, operators[visitor].password);
      if (token !== null) token = await csrfFor(agent, '/account');
    }
    const path = route.path(ids);
    const req =
      route.method === 'GET'
        ? agent.get(path)
        : agent
            .post(path)
            .type('form')
            .send({ ...(token ? { _csrf: token } : {}), ...route.body });
    if (options.htmx) req.set('HX-Request', 'true');
    for (const [name, value] of Object.entries(options.headers ?? {})) req.set(name, value);
    return { path, res: await req };
  }

  /** What `visitor` may not see: the names of client A's data (unless allowed to see A). */
  const forbiddenNames = (visitor: Visitor, status: number) =>
    visitor === 'anonymous' || visitor === 'agentOut' || status === 403 ? Object.values(SECRET) : [];

  it('has a row for every route the app registers, and no row for a route that is gone', () => {
    const router = (t.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } }).router;
    const registered = new Set<string>();
    for (const layer of router.stack) {
      // Route handlers are named `Controller.method` by Nest; route-scoped middleware is not.
      if (!layer.route || !layer.route.stack.some((l) => /^\w+\.\w+$/.test(l.name))) continue;
      for (const method of Object.keys(layer.route.methods))
        registered.add(`${method.toUpperCase()} ${layer.route.path}`);
    }
    expect(registered.size).toBeGreaterThan(80); // the discovery itself works
    const matrix = new Set(ROUTES.map((r) => `${r.method} ${r.route}`));
    expect({ missingFromMatrix: [...registered].filter((r) => !matrix.has(r)).sort() }).toEqual({
      missingFromMatrix: [],
    });
    expect({ notARoute: [...matrix].filter((r) => !registered.has(r)).sort() }).toEqual({ notARoute: [] });
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.route}`, r] as const))('%s', async (_name, route) => {
    const problems: string[] = [];
    for (const visitor of VISITORS) {
      const expected = expectedStatus(route, visitor, false);
      const allowed =
        expected !== 403 &&
        expected !== 404 &&
        !(expected === 303 && visitor === 'anonymous' && route.access !== 'public');
      const ids = allowed && route.fresh ? { ...own, ...(await route.fresh(t, own)) } : own;
      // Refused requests and every GET (state changes only by POST) leave the stored data as it was.
      const before = route.method === 'GET' || !allowed ? await dataDigest(t.dataSource) : null;
      const { path, res } = await send(route, visitor, ids);
      const where = `${route.method} ${path} as ${visitor}`;
      if (res.status !== expected) problems.push(`${where}: expected ${expected}, got ${res.status}`);
      problems.push(...missingHeaders(where, res.headers));
      if (visitor === 'anonymous' && route.access !== 'public') {
        const login = route.method === 'GET' ? `/login?next=${encodeURIComponent(path)}` : '/login';
        if (res.headers.location !== login)
          problems.push(`${where}: redirected to ${res.headers.location}, not ${login}`);
      }
      for (const name of forbiddenNames(visitor, res.status))
        if (res.text.includes(name)) problems.push(`${where}: the answer contains "${name}"`);
      if (before) {
        const changed = changedTables(before, await dataDigest(t.dataSource));
        if (changed.length) problems.push(`${where} (${res.status}) changed ${changed.join(', ')}`);
      }
    }
    // Every state change checks the CSRF token: none, or a cross-site request with a good one → 403, no change.
    if (route.method === 'POST') {
      for (const [what, options] of [
        ['without a CSRF token', { token: null }],
        ['cross-site (Sec-Fetch-Site) with a valid token', { headers: { 'Sec-Fetch-Site': 'cross-site' } }],
      ] as const) {
        const before = await dataDigest(t.dataSource);
        const { path, res } = await send(route, 'admin', own, options);
        if (res.status !== 403) problems.push(`POST ${path} ${what}: ${res.status}`);
        const changed = changedTables(before, await dataDigest(t.dataSource));
        if (changed.length) problems.push(`POST ${path} ${what} changed ${changed.join(', ')}`);
      }
    }
    // htmx without a session: 401 and HX-Redirect, never a page
    if (route.access !== 'public') {
      const { path, res } = await send(route, 'anonymous', own, { htmx: true });
      if (res.status !== 401 || res.headers['hx-redirect'] !== '/login')
        problems.push(
          `htmx ${route.method} ${path} as anonymous: ${res.status} ${res.headers['hx-redirect']}`,
        );
    }
    // A client marked for deletion is gone for everyone, managers included.
    if (route.scoped) {
      for (const visitor of ['admin', 'manager'] as const) {
        const { path, res } = await send(route, visitor, pending);
        if (res.status !== 404)
          problems.push(`${route.method} ${path} (client marked for deletion) as ${visitor}: ${res.status}`);
        if (res.text.includes(PENDING_NAME))
          problems.push(`${route.method} ${path} as ${visitor} shows the deleted client`);
      }
      // An id that names nothing: 404, not a 500.
      const unknown = {
        ...own,
        client: randomUUID(),
        contact: randomUUID(),
        contract: randomUUID(),
        displacement: randomUUID(),
        ticket: randomUUID(),
      };
      const { path, res } = await send(route, 'admin', unknown);
      if (res.status !== 404) problems.push(`${route.method} ${path} (unknown ids) as admin: ${res.status}`);
    } else if (route.method === 'GET') {
      // Lists, pickers and pages without a client in the path never show the deleted client either.
      for (const visitor of ['admin', 'manager'] as const) {
        const { path, res } = await send(route, visitor, own);
        if (res.text.includes(PENDING_NAME))
          problems.push(`GET ${path} as ${visitor} shows the deleted client`);
      }
    }
    expect(problems).toEqual([]);
  });
});

/** The headers every answer carries: the strict CSP, no sniffing, no framing, no caching. */
function missingHeaders(where: string, headers: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const csp = headers['content-security-policy'] ?? '';
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ])
    if (!csp.includes(directive)) problems.push(`${where}: CSP without ${directive}`);
  if (/unsafe-(inline|eval)/.test(csp)) problems.push(`${where}: CSP allows unsafe-inline/eval`);
  if (headers['x-content-type-options'] !== 'nosniff') problems.push(`${where}: no X-Content-Type-Options`);
  if (headers['x-frame-options'] !== 'DENY') problems.push(`${where}: no X-Frame-Options DENY`);
  if (headers['cache-control'] !== 'no-store')
    problems.push(`${where}: Cache-Control ${headers['cache-control']}`);
  return problems;
}

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ name: string }> };
}
