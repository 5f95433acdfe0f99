import { Client } from '../../../src/clients/client.entity';
import { Contract } from '../../../src/contracts/contract.entity';
import { makeClient, makeContact, makeDesk, makeGroup } from '../../factories/client.factory';
import { contractFields, makeContract } from '../../factories/contract.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { fieldError, inputValue } from '../../support/html';
import { csrfFor, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

/** The invisible direction controls refused in names: embeddings, overrides (U+202A–E), isolates (U+2066–9). */
const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
const BIDI_MESSAGE = /^Remova os caracteres invisíveis de direção de texto/;

/*
 * Two form rules. An edit must say which version it was made on: without `version` it could silently
 * overwrite a newer save, so it is answered as a conflict (409, the stored values beside the typed ones,
 * nothing written). And names refuse Unicode direction controls, which make a name display as something
 * else (a client passing for another): 422 with the form and a message, nothing stored.
 */
describe('edit versions and names', () => {
  let t: TestApp;
  let admin: TestOperator;
  let agent: Agent;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await makeOperator(t, 'admin', { name: 'Adelaide Admin' });
    agent = t.http();
    await login(agent, admin.email, admin.password);
    token = await csrfFor(agent, '/account');
  });
  afterAll(() => t.close());

  const post = (path: string, fields: Record<string, string>) =>
    agent
      .post(path)
      .type('form')
      .send({ _csrf: token, ...fields });

  describe('an edit without its version', () => {
    it('of a client is a conflict (409) that writes nothing; with the version shown there it saves', async () => {
      const client = await makeClient(t, { tradeName: 'Versão Original' });
      const res = await post(`/clients/${client.id}`, { tradeName: 'Sem Versão' });
      expect(res.status).toBe(409);
      const stored = await t.dataSource.getRepository(Client).findOneByOrFail({ id: client.id });
      expect(stored).toMatchObject({ tradeName: 'Versão Original', version: 1 });
      // the conflict page leads to the form as stored, which carries the version
      expect(res.text).toContain(`href="/clients/${client.id}/edit"`);
      const form = await agent.get(`/clients/${client.id}/edit`);
      const version = inputValue(form.text, 'version')!;
      expect(version).toBe('1');
      expect((await post(`/clients/${client.id}`, { tradeName: 'Com Versão', version })).status).toBe(303);
    });

    it('of a contract is a conflict (409) that writes nothing', async () => {
      const client = await makeClient(t);
      const contract = await makeContract(t, client, { name: 'Contrato Original' });
      const fields = contractFields({ name: 'Contrato Sem Versão' }) as Record<string, string>;
      const res = await post(`/contracts/${contract.id}/edit`, fields);
      expect(res.status).toBe(409);
      const stored = await t.dataSource.getRepository(Contract).findOneByOrFail({ id: contract.id });
      expect(stored).toMatchObject({ name: 'Contrato Original', version: 1 });
    });
  });

  describe('names with direction controls', () => {
    it.each(BIDI.map((c) => [`U+${c.charCodeAt(0).toString(16).toUpperCase()}`, c]))(
      'refuses %s in a client’s trade name (422, form refilled, nothing stored)',
      async (_code, control) => {
        const before = await t.dataSource.getRepository(Client).count();
        const res = await post('/clients', { tradeName: `Padaria ${control}Central` });
        expect(res.status).toBe(422);
        expect(fieldError(res.text, 'tradeName')).toMatch(BIDI_MESSAGE);
        expect(res.text).toContain('name="tradeName"');
        expect(await t.dataSource.getRepository(Client).count()).toBe(before);
      },
    );

    it('refuses them in the legal name, a contact, an operator, a team and a desk', async () => {
      const name = 'Nome \u202Eodazilamron';
      const client = await makeClient(t);
      const contact = await makeContact(t, client, { name: 'Contato Certo' });
      const group = await makeGroup(t, 'Equipe Certa');
      const desk = await makeDesk(t, 'Mesa Certa');
      const cases: Array<[string, Record<string, string>, string]> = [
        ['/clients', { tradeName: 'Padaria Legal', legalName: name }, 'legalName'],
        [`/clients/${client.id}/contacts/new`, { name }, 'name'],
        [`/clients/${client.id}/contacts/${contact.id}/edit`, { name }, 'name'],
        [
          '/settings/operators',
          { name, email: 'bidi@example.com', role: 'agent', password: 'uma-senha-bem-longa' },
          'name',
        ],
        [
          `/settings/operators/${admin.id}/edit`,
          { name, email: admin.email, role: 'admin', active: 'true' },
          'name',
        ],
        ['/account', { name, locale: 'pt-BR' }, 'name'],
        ['/settings/attendant-groups', { name }, 'name'],
        [`/settings/attendant-groups/${group.id}/edit`, { name }, 'name'],
        ['/settings/service-desks', { name }, 'name'],
        [`/settings/service-desks/${desk.id}/edit`, { name }, 'name'],
      ];
      for (const [path, fields, field] of cases) {
        const res = await post(path, fields);
        expect([path, res.status, fieldError(res.text, field)]).toEqual([
          path,
          422,
          expect.stringMatching(BIDI_MESSAGE),
        ]);
      }
      const [{ stored }] = await t.dataSource.query(
        `SELECT count(*)::int AS stored FROM (
           SELECT name FROM operators UNION ALL SELECT name FROM contacts UNION ALL SELECT legal_name FROM clients
           UNION ALL SELECT name FROM attendant_groups UNION ALL SELECT name FROM service_desks) n
         WHERE name ~ '[\u202A-\u202E\u2066-\u2069]'`,
      );
      expect(stored).toBe(0);
    });

    it('still accepts names in any script, with accents and right-to-left letters', async () => {
      for (const tradeName of ['Açaí & Cia. Ltda', 'مطعم الشرق', 'שלום Comércio', 'Ñandú 東京']) {
        const res = await post('/clients', { tradeName });
        expect([tradeName, res.status]).toEqual([tradeName, 303]);
      }
    });
  });
});
