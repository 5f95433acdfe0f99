import { ClientPurgeService } from '../../../src/clients/purge/client-purge.service';
import { markForDeletion, seedClient } from '../../factories/client-data.factory';
import { makeClient, uniqueSuffix } from '../../factories/client.factory';
import { contractFields } from '../../factories/contract.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { csrfFor, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

/*
 * Flash messages wait in the session until the next page: an htmx change answers HX-Redirect, and a
 * browser that never follows it (a closed tab) leaves the message stored — with a contact's name, a
 * ticket's title. After a purge, no session row may still hold a name from the purged client's records.
 * Every message that names a client's data is stored with that client's id, and the purge removes what
 * carries it, from every session.
 */
describe('flash messages after a purge', () => {
  let t: TestApp;
  let manager: TestOperator;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager');
  });
  afterAll(() => t.close());

  /**
   * Changes made through htmx whose HX-Redirect is never followed: their flashes stay in the session. The
   * token is read once, before them — any page read in between would show (and so take) the messages.
   */
  async function changeAndLeave(
    agent: Agent,
    changes: Array<[path: string, fields: Record<string, string>]>,
  ) {
    const token = await csrfFor(agent, '/account');
    for (const [path, fields] of changes) {
      const res = await agent
        .post(path)
        .set('HX-Request', 'true')
        .type('form')
        .send({ _csrf: token, ...fields });
      expect([path, res.status, res.headers['hx-redirect']]).toEqual([path, 200, expect.any(String)]);
    }
  }

  const sessionsText = async () =>
    ((await t.dataSource.query(`SELECT sess::text AS text FROM sessions`)) as Array<{ text: string }>)
      .map((row) => row.text)
      .join('\n');

  it('leaves no contact name, ticket title, contract or displacement name of the client in any session', async () => {
    const seeded = await seedClient(t);
    const doomed = seeded.client;
    const suffix = uniqueSuffix();
    const names = {
      contact: `Contato Que Some ${suffix}`,
      editedContact: `Contato Renomeado ${suffix}`,
      ticket: `Chamado Que Some ${suffix}`,
      contract: `Contrato Que Some ${suffix}`,
      displacement: `Deslocamento Que Some ${suffix}`,
    };
    // Two operators' sessions hold messages about the client…
    const first = t.http();
    await login(first, manager.email, manager.password);
    const clientPage = `/clients/${doomed.id}`;
    await changeAndLeave(first, [
      [`${clientPage}/contacts/new`, { name: names.contact }],
      [
        '/tickets/new',
        {
          clientId: doomed.id,
          serviceDeskId: seeded.deskId,
          attendantGroupId: seeded.groupId,
          title: names.ticket,
        },
      ],
    ]);
    const other = await makeOperator(t, 'manager');
    const second = t.http();
    await login(second, other.email, other.password);
    await changeAndLeave(second, [
      [`${clientPage}/contacts/${seeded.contactIds[0]}/edit`, { name: names.editedContact }],
      [`${clientPage}/contracts/new`, contractFields({ name: names.contract }) as Record<string, string>],
      [`${clientPage}/displacements/new`, { name: names.displacement, value: '80,00' }],
    ]);
    // …and a third holds one about another client, which must survive.
    const keeper = await makeClient(t, { tradeName: `Cliente Que Fica ${suffix}` });
    const third = t.http();
    await login(third, manager.email, manager.password);
    await changeAndLeave(third, [
      [`/clients/${keeper.id}/contacts/new`, { name: `Contato Que Fica ${suffix}` }],
    ]);

    const before = await sessionsText();
    for (const name of Object.values(names)) expect([name, before.includes(name)]).toEqual([name, true]);

    await markForDeletion(t, doomed.id);
    const report = await t.app.get(ClientPurgeService).run();
    expect(report.purged.map((p) => p.clientId)).toContain(doomed.id);

    const after = await sessionsText();
    for (const name of Object.values(names)) expect([name, after.includes(name)]).toEqual([name, false]);
    expect(after).not.toContain(doomed.id);
    expect(after).toContain(`Contato Que Fica ${suffix}`);
    // the sessions themselves go on
    expect((await first.get('/account')).status).toBe(200);
    expect((await second.get('/account')).status).toBe(200);
  });
});
