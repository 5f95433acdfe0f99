import { AuditLogger } from '../../../src/common/audit-logger';
import { seedClient, type SeededClient } from '../../factories/client-data.factory';
import { makeClient, makeContact } from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { currentCode, enableTotp, wrongCode } from '../../factories/totp.factory';
import { decode, fieldError, rowIds, text } from '../../support/html';
import { csrfFor, login, postForm } from '../../support/session';
import { testServerUrl } from '../../support/database';
import { startTestApp, type TestApp } from '../../support/test-app';

/**
 * Races, a killed backend and a second session's locks need a real PostgreSQL: the embedded one (PGlite)
 * has a single session shared by every connection. Skipped there, run in CI (.ci/run uses the server).
 */
const itOnServer = testServerUrl() ? it : it.skip;

type Agent = ReturnType<TestApp['http']>;

/** The text of each line of the confirmation's list, keyed by kind. */
function listedKinds(html: string): Record<string, { count: number; label: string }> {
  const kinds: Record<string, { count: number; label: string }> = {};
  for (const m of html.matchAll(/<li data-kind="(\w+)" data-count="(\d+)"[^>]*>([^<]*)<\/li>/g)) {
    kinds[m[1]] = { count: Number(m[2]), label: decode(m[3]) };
  }
  return kinds;
}

describe('deleting a client: confirmation, TOTP and the mark', () => {
  let t: TestApp;
  let manager: TestOperator;
  let secret: string;
  let agent: Agent;
  let audit: Array<[string, Record<string, unknown>]>;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    secret = await enableTotp(t, manager);
    agent = t.http();
    expect((await login(agent, manager.email, manager.password)).status).toBe(303);
    jest.spyOn(t.app.get(AuditLogger), 'log').mockImplementation((event, fields) => {
      audit.push([event, fields]);
    });
  });
  beforeEach(async () => {
    audit = [];
    // each test starts on a fresh 30-second step for this operator (no waiting for the next code)
    await t.dataSource.query(
      `UPDATE operators SET totp_last_step = NULL, totp_failures = 0, totp_consecutive_failures = 0 WHERE id = $1`,
      [manager.id],
    );
  });
  afterAll(() => t.close());

  const markedAt = async (id: string) =>
    (await t.dataSource.query(`SELECT deletion_requested_at FROM clients WHERE id = $1`, [id]))[0]
      ?.deletion_requested_at ?? null;
  const deletionRecords = (id: string) =>
    t.dataSource.query(`SELECT * FROM client_deletions WHERE client_id = $1`, [id]);

  async function deleteWith(code: string, clientId: string, as: Agent = agent) {
    const token = await csrfFor(as, '/account');
    return as.post(`/clients/${clientId}/delete`).type('form').send({ _csrf: token, code });
  }

  describe('step 1: what will be removed', () => {
    let seeded: SeededClient;
    beforeAll(async () => {
      seeded = await seedClient(t);
    });

    it('lists every kind of related data with its count, and says it is irreversible', async () => {
      const res = await agent.get(`/clients/${seeded.client.id}/delete`);
      expect(res.status).toBe(200);
      const page = text(res.text);
      expect(page).toContain(`Excluir ${seeded.tradeName}?`);
      expect(page).toContain('Esta ação é irreversível.');
      expect(page).toContain('removidos definitivamente em até dois dias');
      const kinds = listedKinds(res.text);
      expect(kinds.contacts).toEqual({ count: 2, label: '2 contatos' });
      expect(kinds.relationships).toEqual({
        count: 2,
        label: '2 vínculos com grupos de atendentes e mesas de serviço',
      });
      expect(kinds.history.count).toBeGreaterThanOrEqual(4); // created, 2 contacts, relationships
      expect(kinds.contracts).toEqual({ count: 1, label: '1 contrato' });
      expect(kinds.contractRevisions).toEqual({ count: 1, label: '1 revisão de contrato (adendo)' });
      expect(kinds.displacements).toEqual({ count: 1, label: '1 deslocamento' });
      expect(kinds.tickets).toEqual({ count: 2, label: '2 tickets' });
      expect(kinds.ticketEvents).toEqual({ count: 6, label: '6 eventos de tickets' });
      expect(kinds.callLogs).toEqual({ count: 1, label: '1 registro de chamada' });
      expect(kinds.integrationLinks.label).toMatch(/vínculo.* de integração/);
      expect(Object.keys(kinds)).toEqual(
        expect.arrayContaining([
          'contacts',
          'contracts',
          'contractRevisions',
          'displacements',
          'tickets',
          'ticketEvents',
          'callLogs',
          'history',
          'integrationLinks',
          'relationships',
        ]),
      );
      expect(res.text).toContain(`href="/clients/${seeded.client.id}/delete?step=code"`);
    });

    it('answers htmx with the dialog fragment alone (Vary: HX-Request)', async () => {
      const res = await agent.get(`/clients/${seeded.client.id}/delete`).set('HX-Request', 'true');
      expect(res.status).toBe(200);
      expect(res.text.trimStart()).toMatch(
        /^<dialog id="delete-dialog" class="delete-dialog" open data-dialog/,
      );
      expect(res.text).not.toContain('<html');
      expect(res.headers.vary).toMatch(/HX-Request/);
      expect(res.text).toContain('data-dialog-close');
      // the page without JS wraps the same partial
      const page = await agent.get(`/clients/${seeded.client.id}/delete`);
      expect(page.text).toContain('<dialog id="delete-dialog" class="delete-dialog in-page" open');
    });

    it('is linked from the trash icon of the list row and of the client page, as htmx dialog and plain link', async () => {
      const list = await agent.get('/clients');
      expect(list.text).toContain(
        `href="/clients/${seeded.client.id}/delete" hx-get="/clients/${seeded.client.id}/delete"`,
      );
      const show = await agent.get(`/clients/${seeded.client.id}`);
      expect(show.text).toContain(
        `href="/clients/${seeded.client.id}/delete" hx-get="/clients/${seeded.client.id}/delete"`,
      );
    });

    it('counts a table added later by another module, without code changes', async () => {
      await t.dataSource.query(`CREATE TABLE IF NOT EXISTS widget_notes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, client_id uuid NOT NULL REFERENCES clients (id), note text)`);
      await t.dataSource.query(
        `INSERT INTO widget_notes (client_id, note) SELECT $1, 'nota' FROM generate_series(1, 4)`,
        [seeded.client.id],
      );
      const res = await agent.get(`/clients/${seeded.client.id}/delete`);
      expect(text(res.text)).toContain('4 registro(s) em widget_notes');
      await t.dataSource.query(`DROP TABLE widget_notes`);
    });

    it('is for managers and admins only: an agent gets 403 and cannot post either', async () => {
      const agentOp = await makeOperator(t, 'agent');
      const agentAgent = t.http();
      await login(agentAgent, agentOp.email, agentOp.password);
      expect((await agentAgent.get(`/clients/${seeded.client.id}/delete`)).status).toBe(403);
      const res = await deleteWith('123456', seeded.client.id, agentAgent);
      expect(res.status).toBe(403);
      expect(await markedAt(seeded.client.id)).toBeNull();
    });

    it('answers 404 for an unknown or malformed id', async () => {
      expect((await agent.get('/clients/6f1c1f5e-2c2b-4f55-9c55-5a1f3f0b9d11/delete')).status).toBe(404);
      expect((await agent.get('/clients/nope/delete')).status).toBe(404);
    });
  });

  describe('step 2: the TOTP code', () => {
    it('asks for the current code', async () => {
      const client = await makeClient(t);
      const res = await agent.get(`/clients/${client.id}/delete?step=code`);
      expect(res.status).toBe(200);
      expect(res.text).toMatch(
        /<input id="delete-code" name="code" inputmode="numeric" autocomplete="one-time-code"/,
      );
      expect(res.text).toContain(`action="/clients/${client.id}/delete"`);
      expect(text(res.text)).toContain('Remover cliente');
    });

    it('sends an operator without 2FA to enroll first, then back to the deletion', async () => {
      const other = await makeOperator(t, 'admin');
      const otherAgent = t.http();
      await login(otherAgent, other.email, other.password);
      const client = await makeClient(t);
      const res = await otherAgent.get(`/clients/${client.id}/delete?step=code`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account/security#totp');
      const security = await otherAgent.get('/account/security');
      expect(text(security.text)).toContain(
        'Para excluir clientes, ative antes a verificação em duas etapas',
      );
      const key = decode(/<code id="totp-secret"[^>]*>([^<]+)<\/code>/.exec(security.text)![1]).replace(
        /\s/g,
        '',
      );
      const confirmed = await postForm(
        otherAgent,
        '/account/security/totp',
        { code: currentCode(key) },
        '/account/security',
      );
      expect(confirmed.status).toBe(303);
      expect(confirmed.headers.location).toBe(`/clients/${client.id}/delete?step=code`);
      // posting without 2FA is sent to enrollment too, and nothing changes
      const third = await makeOperator(t, 'manager');
      const thirdAgent = t.http();
      await login(thirdAgent, third.email, third.password);
      const posted = await deleteWith('123456', client.id, thirdAgent);
      expect(posted.status).toBe(303);
      expect(posted.headers.location).toBe('/account/security#totp');
      expect(await markedAt(client.id)).toBeNull();
    });

    it('refuses a wrong code with 422 and changes nothing', async () => {
      const seeded = await seedClient(t);
      const before = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM client_history WHERE client_id = $1`,
        [seeded.client.id],
      );
      const code = wrongCode(secret);
      const res = await deleteWith(code, seeded.client.id);
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'code')).toContain('Código incorreto');
      expect(await markedAt(seeded.client.id)).toBeNull();
      expect(await deletionRecords(seeded.client.id)).toEqual([]);
      expect(
        await t.dataSource.query(`SELECT count(*)::int AS n FROM client_history WHERE client_id = $1`, [
          seeded.client.id,
        ]),
      ).toEqual(before);
      expect((await agent.get(`/clients/${seeded.client.id}`)).status).toBe(200);
      expect(audit).toContainEqual([
        'totp.attempt',
        expect.objectContaining({
          result: 'invalid',
          purpose: 'client_deletion',
          operatorId: manager.id,
          clientId: seeded.client.id,
        }),
      ]);
      expect(JSON.stringify(audit)).not.toContain(code);
    });

    it('refuses a malformed code (422), and htmx gets the dialog back with the message', async () => {
      const client = await makeClient(t);
      const token = await csrfFor(agent, '/account');
      const res = await agent
        .post(`/clients/${client.id}/delete`)
        .set('HX-Request', 'true')
        .set('X-CSRF-Token', token)
        .type('form')
        .send({ code: '12a' });
      expect(res.status).toBe(422);
      expect(res.text.trimStart()).toMatch(/^<dialog id="delete-dialog"/);
      expect(res.text).toContain('aria-invalid="true"');
      expect(await markedAt(client.id)).toBeNull();
    });

    it('with the right code marks the client: 404 at once, gone from list, search and picker, with the flash', async () => {
      const seeded = await seedClient(t);
      const { client } = seeded;
      const res = await deleteWith(currentCode(secret), client.id);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/clients');
      const list = await agent.get('/clients?status=all');
      expect(text(list.text)).toContain('Os dados serão completamente removidos em até dois dias.');
      expect(rowIds(list.text)).not.toContain(client.id);
      expect(list.text).not.toContain(seeded.tradeName);
      const search = await agent.get(
        `/clients?q=${encodeURIComponent(seeded.tradeName.slice(0, 20))}&status=all`,
      );
      expect(rowIds(search.text)).not.toContain(client.id);
      const picker = await agent.get(`/clients/picker?q=${encodeURIComponent('Padaria')}`);
      expect(picker.text).not.toContain(client.id);
      for (const path of [
        `/clients/${client.id}`,
        `/clients/${client.id}/edit`,
        `/clients/${client.id}/delete`,
        `/clients/${client.id}/relationships`,
      ]) {
        expect([path, (await agent.get(path)).status]).toEqual([path, 404]);
      }
      expect(
        (await postForm(agent, `/clients/${client.id}/status`, { status: 'inactive' }, '/account')).status,
      ).toBe(404);
      expect((await deleteWith(currentCode(secret), client.id)).status).toBe(404);
      expect(await markedAt(client.id)).toBeInstanceOf(Date);
    });

    it('writes a deletion record without personal data: id, code, who, when and counts', async () => {
      const seeded = await seedClient(t);
      await deleteWith(currentCode(secret), seeded.client.id);
      const [record] = await deletionRecords(seeded.client.id);
      expect(record).toMatchObject({
        client_id: seeded.client.id,
        client_code: seeded.client.code,
        requested_by: manager.id,
        purged_at: null,
        purged_counts: {},
      });
      expect(record.requested_at).toBeInstanceOf(Date);
      expect(record.counts).toMatchObject({
        contacts: 2,
        client_attendant_groups: 1,
        client_service_desks: 1,
      });
      expect(record.counts).toMatchObject({ tickets: 2, ticket_events: 6, contract_revisions: 1 });
      const dump = JSON.stringify(record);
      for (const pii of [seeded.tradeName, seeded.contactEmail, 'Pão Quente', 'Ana '])
        expect(dump).not.toContain(pii);
      expect(audit).toContainEqual([
        'client.deletion_requested',
        expect.objectContaining({
          operatorId: manager.id,
          clientId: seeded.client.id,
          counts: record.counts,
          requestId: expect.any(String),
        }),
      ]);
      expect(JSON.stringify(audit)).not.toContain(seeded.tradeName);
    });

    it('answers htmx with HX-Redirect to the list', async () => {
      const client = await makeClient(t);
      const token = await csrfFor(agent, '/account');
      const res = await agent
        .post(`/clients/${client.id}/delete`)
        .set('HX-Request', 'true')
        .set('X-CSRF-Token', token)
        .type('form')
        .send({ code: currentCode(secret) });
      expect(res.status).toBe(200);
      expect(res.headers['hx-redirect']).toBe('/clients');
      expect(await markedAt(client.id)).toBeInstanceOf(Date);
    });

    it('never accepts the same code twice: a replay on another client is refused and changes nothing', async () => {
      const first = await makeClient(t);
      const second = await makeClient(t);
      const code = currentCode(secret);
      expect((await deleteWith(code, first.id)).status).toBe(303);
      const replay = await deleteWith(code, second.id);
      expect(replay.status).toBe(422);
      expect(fieldError(replay.text, 'code')).toBe(
        'Este código já foi usado. Aguarde o próximo código do aplicativo.',
      );
      expect(await markedAt(second.id)).toBeNull();
      expect(audit).toContainEqual([
        'totp.attempt',
        expect.objectContaining({ result: 'replay', clientId: second.id }),
      ]);
    });

    itOnServer(
      'two concurrent requests with one code: exactly one succeeds (different clients)',
      async () => {
        const a = await makeClient(t);
        const b = await makeClient(t);
        const code = currentCode(secret);
        const [tokenA, tokenB] = [await csrfFor(agent, '/account'), await csrfFor(agent, '/account')];
        const responses = await Promise.all([
          agent.post(`/clients/${a.id}/delete`).type('form').send({ _csrf: tokenA, code }),
          agent.post(`/clients/${b.id}/delete`).type('form').send({ _csrf: tokenB, code }),
        ]);
        expect(responses.map((r) => r.status).sort()).toEqual([303, 422]);
        const marked = [await markedAt(a.id), await markedAt(b.id)].filter(Boolean);
        expect(marked).toHaveLength(1);
        const [{ n }] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM client_deletions WHERE client_id = ANY($1)`,
          [[a.id, b.id]],
        );
        expect(n).toBe(1);
      },
    );

    itOnServer('two concurrent requests with one code on the same client: one deletion record', async () => {
      const client = await makeClient(t);
      const code = currentCode(secret);
      const tokens = [
        await csrfFor(agent, '/account'),
        await csrfFor(agent, '/account'),
        await csrfFor(agent, '/account'),
      ];
      const responses = await Promise.all(
        tokens.map((token) =>
          agent.post(`/clients/${client.id}/delete`).type('form').send({ _csrf: token, code }),
        ),
      );
      expect(responses.filter((r) => r.status === 303)).toHaveLength(1);
      expect(responses.every((r) => [303, 404, 422].includes(r.status))).toBe(true);
      expect(await deletionRecords(client.id)).toHaveLength(1);
    });

    it('answers 429 after 5 wrong codes in 15 minutes, leaving the client untouched', async () => {
      const client = await makeClient(t);
      for (let i = 0; i < 5; i++) expect((await deleteWith(wrongCode(secret), client.id)).status).toBe(422);
      const res = await deleteWith(currentCode(secret), client.id);
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBeDefined();
      expect(fieldError(res.text, 'code')).toMatch(
        /^Muitos códigos incorretos\. Aguarde \d+ minuto\(s\) e tente de novo\.$/,
      );
      expect(await markedAt(client.id)).toBeNull();
    });
  });

  describe('once marked', () => {
    it('refuses new rows for the client at the database (guard trigger), also in tables added later', async () => {
      const client = await makeClient(t);
      await deleteWith(currentCode(secret), client.id);
      await expect(
        t.dataSource.query(`INSERT INTO contacts (client_id, name) VALUES ($1, 'Tarde Demais')`, [client.id]),
      ).rejects.toMatchObject({
        code: 'CL404',
      });
      await t.dataSource.query(
        `CREATE TABLE late_links (client_id uuid NOT NULL REFERENCES clients (id), note text)`,
      );
      await t.dataSource.query(`SELECT clientela_install_deletion_guards()`);
      await expect(
        t.dataSource.query(`INSERT INTO late_links (client_id) VALUES ($1)`, [client.id]),
      ).rejects.toMatchObject({ code: 'CL404' });
      // a bulk insert with one row for it is refused as a whole; moving an existing row to it too
      const other0 = await makeClient(t);
      await expect(
        t.dataSource.query(
          `INSERT INTO contacts (client_id, name) VALUES ($1, 'Fica'), ($2, 'Tarde Demais')`,
          [other0.id, client.id],
        ),
      ).rejects.toMatchObject({ code: 'CL404' });
      const [moved] = await t.dataSource.query(
        `INSERT INTO contacts (client_id, name) VALUES ($1, 'Muda') RETURNING id`,
        [other0.id],
      );
      await expect(
        t.dataSource.query(`UPDATE contacts SET client_id = $1 WHERE id = $2`, [client.id, moved.id]),
      ).rejects.toMatchObject({
        code: 'CL404',
      });
      await t.dataSource.query(`UPDATE contacts SET name = 'Mudou' WHERE id = $1`, [moved.id]); // other updates pass
      // rows of other clients are still welcome
      const other = await makeClient(t);
      await t.dataSource.query(`INSERT INTO late_links (client_id) VALUES ($1)`, [other.id]);
      await t.dataSource.query(`DROP TABLE late_links`);
      // …and the app answers 404 rather than failing
      const res = await postForm(
        agent,
        `/clients/${client.id}/contacts/new`,
        { name: 'Tarde Demais' },
        '/account',
      );
      expect(res.status).toBe(404);
    });

    it('clients billed to it are billed in their own name from then on (with a history line)', async () => {
      const payer = await makeClient(t);
      const branch = await makeClient(t, { billingClientId: payer.id });
      const preview = await agent.get(`/clients/${payer.id}/delete`);
      expect(text(preview.text)).toContain('1 cliente(s) faturado(s) em nome deste');
      await deleteWith(currentCode(secret), payer.id);
      const [row] = await t.dataSource.query(`SELECT billing_client_id, version FROM clients WHERE id = $1`, [
        branch.id,
      ]);
      expect(row.billing_client_id).toBeNull();
      const page = await agent.get(`/clients/${branch.id}`);
      expect(page.status).toBe(200);
      expect(text(page.text)).toContain('o faturamento (o cliente pagador foi excluído)');
    });

    it('keeps contacts of other clients and their pages working', async () => {
      const keep = await makeClient(t);
      await makeContact(t, keep, { name: 'Fica Aqui' });
      const gone = await makeClient(t);
      await deleteWith(currentCode(secret), gone.id);
      const page = await agent.get(`/clients/${keep.id}`);
      expect(page.status).toBe(200);
      expect(text(page.text)).toContain('Fica Aqui');
    });
  });
});
