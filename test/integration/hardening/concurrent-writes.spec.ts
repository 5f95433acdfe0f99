import { Client as PgClient } from 'pg';
import { Operator } from '../../../src/auth/operator.entity';
import { Contact } from '../../../src/clients/contacts/contact.entity';
import { makeClient, maskCnpj, nextCnpj, uniqueSuffix } from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { captureAppLog, type CapturedLog } from '../../support/app-log';
import { testServerUrl } from '../../support/database';
import { fieldError } from '../../support/html';
import { csrfFor, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

const itOnServer = testServerUrl() ? it : it.skip;

/** Rounds per race: each is a real race on PostgreSQL, and not every round interleaves the same way. */
const ROUNDS = 6;

/*
 * Two requests that create the same thing at the same moment (one CNPJ, one operator e-mail, two primary
 * contacts of one client) both pass the service's "is it free?" check; the unique index then refuses the
 * second write. They must answer as one after the other would: one created, the other a 422 with the form
 * and the message (or, for primary contacts, both saved and one primary) — never a 500. And whatever the
 * database says about a refused row (query parameters, `detail` with the values, the pg client) stays
 * out of the log: it is scanned for every value these races used.
 */
describe('simultaneous duplicate writes', () => {
  let t: TestApp;
  let admin: TestOperator;
  let agents: Agent[];
  let tokens: string[];
  let log: CapturedLog;
  /** Every personal value sent by these tests, to be looked for in the log. */
  const used: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    admin = await makeOperator(t, 'admin', { name: 'Ada Admin' });
    // Two browsers of one admin: two sessions, so express-session does not serialise anything.
    agents = [t.http(), t.http()];
    tokens = [];
    for (const agent of agents) {
      expect((await login(agent, admin.email, admin.password)).status).toBe(303);
      tokens.push(await csrfFor(agent, '/account'));
    }
    log = captureAppLog('info');
  });
  afterAll(async () => {
    log?.restore();
    await t?.close();
  });

  /** The same form posted by both sessions at once. */
  const race = (path: string, fields: (i: number) => Record<string, string>) =>
    Promise.all(
      agents.map((agent, i) =>
        agent
          .post(path)
          .type('form')
          .send({ _csrf: tokens[i], ...fields(i) }),
      ),
    );

  it('registers one client per CNPJ; the other request gets the form back with 422 and the message', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const cnpj = nextCnpj();
      const names = [`Padaria Concorrente ${uniqueSuffix()}`, `Padaria Rival ${uniqueSuffix()}`];
      used.push(cnpj, ...names);
      const answers = await race('/clients', (i) => ({ tradeName: names[i], document: maskCnpj(cnpj) }));
      expect(answers.map((r) => r.status).sort()).toEqual([303, 422]);
      const refused = answers.find((r) => r.status === 422)!;
      expect(fieldError(refused.text, 'document')).toMatch(/^Este documento já pertence ao cliente #\d+ — /);
      expect(refused.text).toContain('name="tradeName"'); // the form, refilled
      const [{ count }] = await t.dataSource.query(
        `SELECT count(*)::int AS count FROM clients WHERE document = $1`,
        [cnpj],
      );
      expect(count).toBe(1);
    }
  });

  it('creates one operator per e-mail; the other request gets the form back with 422 and the message', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const email = `disputado-${uniqueSuffix()}@example.com`;
      const names = [`Bruna Disputada ${uniqueSuffix()}`, `Breno Disputado ${uniqueSuffix()}`];
      used.push(email, ...names);
      const answers = await race('/settings/operators', (i) => ({
        name: names[i],
        email,
        role: 'agent',
        password: 'uma-senha-bem-longa',
        active: 'true',
      }));
      expect(answers.map((r) => r.status).sort()).toEqual([303, 422]);
      const refused = answers.find((r) => r.status === 422)!;
      expect(fieldError(refused.text, 'email')).toBe('Já existe um operador com este e-mail.');
      expect(await t.dataSource.getRepository(Operator).countBy({ email })).toBe(1);
    }
  });

  it('saves both of two contacts marked primary at once, and exactly one of them is the primary', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const client = await makeClient(t, { tradeName: `Cliente Dos Contatos ${uniqueSuffix()}` });
      const names = [`Carla Principal ${uniqueSuffix()}`, `Caio Principal ${uniqueSuffix()}`];
      used.push(client.tradeName, ...names);
      const answers = await race(`/clients/${client.id}/contacts/new`, (i) => ({
        name: names[i],
        isPrimary: 'true',
      }));
      expect(answers.map((r) => r.status)).toEqual([303, 303]);
      const contacts = await t.dataSource.getRepository(Contact).findBy({ clientId: client.id });
      expect(contacts.map((c) => c.name).sort()).toEqual([...names].sort());
      expect(contacts.filter((c) => c.isPrimary)).toHaveLength(1);
    }
  });

  it('logs a database refusal by what failed (code, constraint, table), never the row’s values', async () => {
    // A refusal no form check knows about: its 500 is logged, and the log is what is under test.
    const tradeName = `Recusada Pelo Banco ${uniqueSuffix()}`;
    const cnpj = nextCnpj();
    used.push(tradeName, cnpj);
    await t.dataSource.query(
      `ALTER TABLE clients ADD CONSTRAINT test_refuses_this_name CHECK (trade_name <> '${tradeName}')`,
    );
    try {
      const answer = await agents[0]
        .post('/clients')
        .type('form')
        .send({ _csrf: tokens[0], tradeName, document: maskCnpj(cnpj) });
      expect(answer.status).toBe(500);
    } finally {
      await t.dataSource.query(`ALTER TABLE clients DROP CONSTRAINT test_refuses_this_name`);
    }
    const failure = log.entries().find((e) => e.msg === 'request failed');
    expect(failure?.err).toMatchObject({
      type: 'QueryFailedError',
      code: '23514',
      constraint: 'test_refuses_this_name',
      table: 'clients',
    });
    expect(Object.keys(failure!.err as object)).not.toEqual(
      expect.arrayContaining(['parameters', 'detail', 'query', 'driverError']),
    );
  });

  // Killing a backend needs a real server: the embedded one (PGlite) has a single session for every connection.
  itOnServer('logs an idle connection’s failure without the pg client it carries', async () => {
    const killer = new PgClient({ connectionString: t.db.url, application_name: 'test-killer' });
    await killer.connect();
    try {
      await killer.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'clientela' AND state = 'idle'`,
      );
    } finally {
      await killer.end();
    }
    const failed = () => log.entries().find((e) => e.msg === 'an idle database connection failed');
    for (let waited = 0; !failed() && waited < 10_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(failed()?.err).toMatchObject({ code: '57P01' });
    expect(Object.keys(failed()!.err as object)).not.toContain('client');
    expect((await agents[0].get('/account')).status).toBe(200); // and the app goes on
  });

  it('wrote none of the names, documents, e-mails or password hashes of these races to the log', () => {
    expect(log.lines.length).toBeGreaterThan(0);
    const text = log.lines.join('\n');
    const leaks = used.filter((value) => text.includes(value));
    expect(leaks).toEqual([]);
    expect(text).not.toContain('$argon2id$');
    expect(text).not.toContain('connectionParameters');
  });
});
