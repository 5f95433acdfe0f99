import type { Client } from '../../../src/clients/client.entity';
import { ClientPurgeService } from '../../../src/clients/purge/client-purge.service';
import { DEFAULT_TIMEOUT_MS } from '../../../src/integrations/telephony/telephony-settings.service';
import type { Contact } from '../../../src/clients/contacts/contact.entity';
import { markForDeletion } from '../../factories/client-data.factory';
import {
  linkClient,
  makeClient,
  makeContact,
  makeGroup,
  makeLinkedClient,
} from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { amiSettings, configureTelephony, setExtension } from '../../factories/telephony.factory';
import { startFakeAmi, type FakeAmi } from '../../support/fake-ami-server';
import { startFakeDialer, type FakeDialer } from '../../support/fake-http-dialer';
import { rowHtml, text } from '../../support/html';
import { csrfFor, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

interface CallLogRow {
  client_id: string;
  contact_id: string | null;
  contact_name: string;
  operator_id: string;
  operator_name: string;
  extension: string | null;
  number_kind: string;
  number_e164: string;
  dialled: string | null;
  provider: string;
  result: string;
  error_code: string | null;
  error: string | null;
  provider_call_id: string | null;
}

describe('click-to-call (POST /clients/:id/contacts/:contactId/call)', () => {
  let t: TestApp;
  let ami: FakeAmi;
  let dialer: FakeDialer;
  let admin: TestOperator;
  let adminAgent: Agent;
  const tokens = new WeakMap<Agent, string>();

  beforeAll(async () => {
    t = await startTestApp();
    ami = await startFakeAmi();
    dialer = await startFakeDialer();
    admin = await makeOperator(t, 'admin', { name: 'Ana Admin' });
    adminAgent = await signIn(admin);
  });
  afterAll(async () => {
    await ami.close();
    await dialer.close();
    await t.close();
  });

  async function signIn(op: TestOperator): Promise<Agent> {
    const agent = t.http();
    expect((await login(agent, op.email, op.password)).status).toBe(303);
    tokens.set(agent, await csrfFor(agent, '/account'));
    return agent;
  }

  const callPath = (client: { id: string }, contact: { id: string }) =>
    `/clients/${client.id}/contacts/${contact.id}/call`;

  /** A call as the button's htmx request makes it. */
  const hxCall = (agent: Agent, path: string, fields: Record<string, string> = {}) =>
    agent
      .post(path)
      .type('form')
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', tokens.get(agent)!)
      .send(fields);

  /** A call as the plain form (no JavaScript) makes it. */
  const formCall = (agent: Agent, path: string, fields: Record<string, string> = {}) =>
    agent
      .post(path)
      .type('form')
      .send({ _csrf: tokens.get(agent)!, ...fields });

  const logsOf = (client: { id: string }): Promise<CallLogRow[]> =>
    t.dataSource.query(`SELECT * FROM call_logs WHERE client_id = $1 ORDER BY created_at, id`, [client.id]);

  const historyOf = (client: {
    id: string;
  }): Promise<
    Array<{ action: string; subject: string; subject_label: string; changes: Record<string, unknown> }>
  > =>
    t.dataSource.query(
      `SELECT action, subject, subject_label, changes FROM client_history WHERE client_id = $1 AND action = 'called' ORDER BY id`,
      [client.id],
    );

  async function clientWithContact(
    contact: { name?: string; phone?: string; mobile?: string } = {
      name: 'Maria Souza',
      mobile: '(11) 98765-4321',
    },
  ) {
    const { client, group } = await makeLinkedClient(t);
    const saved = await makeContact(t, client, contact);
    return { client, group, contact: saved };
  }

  describe('without a provider (tel: links)', () => {
    beforeAll(() => configureTelephony(t, { provider: 'none' }));

    it('answers htmx with a tel: link in E.164 and logs the attempt as tel_link', async () => {
      const { client, contact } = await clientWithContact();
      const res = await hxCall(adminAgent, callPath(client, contact));
      expect(res.status).toBe(200);
      expect(res.text).toContain('href="tel:+5511987654321"');
      expect(text(res.text)).toBe('Ligar para Maria Souza: (11) 98765-4321');
      expect(res.text).not.toContain('<html');
      const [log] = await logsOf(client);
      expect(log).toMatchObject({
        provider: 'none',
        result: 'tel_link',
        number_e164: '+5511987654321',
        number_kind: 'mobile',
        error_code: null,
      });
    });

    it('without JS, shows a page offering the tel: link and a way back', async () => {
      const { client, contact } = await clientWithContact();
      const res = await formCall(adminAgent, callPath(client, contact), { returnTo: '/clients?status=all' });
      expect(res.status).toBe(200);
      expect(res.text).toContain('href="tel:+5511987654321"');
      expect(res.text).toContain('Nenhum PBX configurado');
      expect(res.text).toContain('href="/clients?status&#x3D;all"');
    });

    it('needs no extension to offer the link', async () => {
      await setExtension(t, admin, null);
      const { client, contact } = await clientWithContact();
      expect((await hxCall(adminAgent, callPath(client, contact))).status).toBe(200);
    });

    it('keeps the list’s phone icon a tel: link to the primary contact', async () => {
      const { client, contact } = await clientWithContact();
      const row = rowHtml((await adminAgent.get('/clients?status=all')).text, client.id)!;
      expect(row).toContain('href="tel:+5511987654321"');
      expect(row).not.toContain(callPath(client, contact));
    });

    it('keeps tel: links on the client page’s contacts table', async () => {
      const { client } = await clientWithContact({
        name: 'Rita',
        phone: '(11) 3456-7890',
        mobile: '(11) 98765-4321',
      });
      const page = (await adminAgent.get(`/clients/${client.id}`)).text;
      expect(page).toContain('href="tel:+551134567890"');
      expect(page).toContain('href="tel:+5511987654321"');
      expect(page).not.toContain('/call"');
    });
  });

  describe('through Asterisk AMI', () => {
    beforeAll(async () => {
      await configureTelephony(
        t,
        amiSettings(ami, { dialFormat: 'prefix', dialPrefix: '0', callerId: '{contact} <{extension}>' }),
      );
      await setExtension(t, admin, '1001');
    });
    beforeEach(() => {
      ami.mode = 'success';
    });

    it('rings the operator’s extension and dials the contact; htmx gets “Chamando…”', async () => {
      const { client, contact } = await clientWithContact();
      const res = await hxCall(adminAgent, callPath(client, contact));
      expect(res.status).toBe(200);
      expect(text(res.text)).toBe('Chamando Maria Souza ((11) 98765-4321)…');
      expect(ami.lastOriginate()).toMatchObject({
        Channel: 'PJSIP/1001',
        Context: 'from-internal',
        Exten: '011987654321',
        Priority: '1',
        Async: 'true',
        CallerID: 'Maria Souza <1001>',
      });
      const [log] = await logsOf(client);
      expect(log).toMatchObject({
        contact_id: contact.id,
        contact_name: 'Maria Souza',
        operator_id: admin.id,
        operator_name: 'Ana Admin',
        extension: '1001',
        number_e164: '+5511987654321',
        dialled: '011987654321',
        provider: 'asterisk-ami',
        result: 'originated',
        provider_call_id: ami.lastOriginate()!.ActionID,
      });
    });

    it('records every attempt in the client history and shows it in the page’s “Ligações” section', async () => {
      const { client, contact } = await clientWithContact();
      await hxCall(adminAgent, callPath(client, contact));
      ami.mode = 'originate-error';
      await hxCall(adminAgent, callPath(client, contact));
      const history = await historyOf(client);
      expect(history).toEqual([
        {
          action: 'called',
          subject: 'contact',
          subject_label: 'Maria Souza',
          changes: { mobile: [null, '+5511987654321'], callResult: [null, 'originated'] },
        },
        {
          action: 'called',
          subject: 'contact',
          subject_label: 'Maria Souza',
          changes: {
            mobile: [null, '+5511987654321'],
            callResult: [null, 'error'],
            callError: [null, 'rejected: Originate failed'],
          },
        },
      ]);
      const page = (await adminAgent.get(`/clients/${client.id}`)).text;
      const section = /<section id="calls"[\s\S]*?<\/section>/.exec(page)![0];
      expect(text(section)).toContain('Ligações');
      expect(text(section)).toContain(
        'Ana Admin ramal 1001 Maria Souza (11) 98765-4321 (011987654321) Asterisk Falhou o PBX recusou a chamada (Originate failed)',
      );
      expect(text(section)).toContain('Chamada iniciada');
      expect(page).toContain('href="#calls"');
      expect(text(page)).toContain('Ana Admin ligou para o contato “Maria Souza”');
      expect(text(page)).toContain('Resultado da ligação — → Chamada iniciada');
    });

    it('without JS, flashes “Chamando…” and goes back (303) to where the button was', async () => {
      const { client, contact } = await clientWithContact();
      const res = await formCall(adminAgent, callPath(client, contact), { returnTo: '/clients?q=abc' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/clients?q=abc');
      const plain = await formCall(adminAgent, callPath(client, contact));
      expect(plain.headers.location).toBe(`/clients/${client.id}`);
      expect((await adminAgent.get(`/clients/${client.id}`)).text).toContain(
        'Chamando Maria Souza ((11) 98765-4321)…',
      );
    });

    it('never redirects a no-JS call off the site', async () => {
      const { client, contact } = await clientWithContact();
      const res = await formCall(adminAgent, callPath(client, contact), { returnTo: '//evil.example/x' });
      expect(res.headers.location).toBe(`/clients/${client.id}`);
    });

    it('shows the PBX’s refusal (Response: Error) next to the button, and logs it', async () => {
      ami.mode = 'originate-error';
      const { client, contact } = await clientWithContact();
      const res = await hxCall(adminAgent, callPath(client, contact));
      expect(res.status).toBe(502);
      expect(text(res.text)).toBe(
        'Não foi possível ligar para Maria Souza ((11) 98765-4321): o PBX recusou a chamada (Originate failed).',
      );
      expect((await logsOf(client))[0]).toMatchObject({
        result: 'error',
        error_code: 'rejected',
        error: 'Originate failed',
        provider_call_id: null,
      });
    });

    it('reports a wrong AMI secret as a refused login; without JS as an error flash', async () => {
      await configureTelephony(t, amiSettings(ami, { secret: 'wrong-secret' }));
      try {
        const { client, contact } = await clientWithContact();
        const res = await formCall(adminAgent, callPath(client, contact));
        expect(res.status).toBe(303);
        const page = await adminAgent.get(res.headers.location);
        expect(text(page.text)).toContain(
          'Não foi possível ligar para Maria Souza ((11) 98765-4321): o PBX recusou o login (Authentication failed).',
        );
        expect((await logsOf(client))[0]).toMatchObject({ result: 'error', error_code: 'auth' });
      } finally {
        await configureTelephony(
          t,
          amiSettings(ami, { dialFormat: 'prefix', dialPrefix: '0', callerId: '{contact} <{extension}>' }),
        );
      }
    });

    it('gives up after the configured timeout when the PBX hangs, and says so', async () => {
      ami.mode = 'hang-originate';
      const { client, contact } = await clientWithContact();
      const started = Date.now();
      const res = await hxCall(adminAgent, callPath(client, contact));
      // The factory configures 2 s; only the 8 s default (or no timeout at all) would cross this bound.
      expect(Date.now() - started).toBeLessThan(DEFAULT_TIMEOUT_MS);
      expect(res.status).toBe(502);
      expect(text(res.text)).toContain('o PBX não respondeu a tempo');
      expect((await logsOf(client))[0]).toMatchObject({ result: 'error', error_code: 'timeout' });
    });

    it('explains how to set an extension when the operator has none (htmx and plain), logging the attempt', async () => {
      const manager = await makeOperator(t, 'manager', { name: 'Gil Gerente' });
      const agent = await signIn(manager);
      const { client, contact } = await clientWithContact();
      const originates = ami.actions.length;
      const res = await hxCall(agent, callPath(client, contact));
      expect(res.status).toBe(422);
      expect(text(res.text)).toBe(
        'Para ligar pelo PBX você precisa de um ramal. Informe o seu ramal em Minha conta .',
      );
      expect(res.text).toContain('<a href="/account">Minha conta</a>');
      const plain = await formCall(agent, callPath(client, contact));
      expect(plain.status).toBe(422);
      expect(plain.text).toContain('<a href="/account">Minha conta</a>');
      expect(ami.actions.length).toBe(originates);
      expect(await logsOf(client)).toEqual([
        expect.objectContaining({
          result: 'error',
          error_code: 'no_extension',
          extension: null,
          operator_name: 'Gil Gerente',
        }),
        expect.objectContaining({ result: 'error', error_code: 'no_extension' }),
      ]);
    });

    it('refuses an extension the PBX could not be handed (spaces, line breaks)', async () => {
      const manager = await makeOperator(t, 'manager');
      await setExtension(t, manager, '10 01');
      const agent = await signIn(manager);
      const { client, contact } = await clientWithContact();
      const res = await hxCall(agent, callPath(client, contact));
      expect(res.status).toBe(422);
      expect(res.text).toContain('href="/account"');
    });

    it('turns the list’s phone icon into a call button for the primary contact, returning to the list', async () => {
      const { client, contact } = await clientWithContact();
      const row = rowHtml((await adminAgent.get('/clients?status=all')).text, client.id)!;
      expect(row).toContain(`action="${callPath(client, contact)}"`);
      expect(row).toContain(`hx-post="${callPath(client, contact)}"`);
      expect(row).toContain(`hx-target="#call-status-${client.id}"`);
      expect(row).toContain(`id="call-status-${client.id}"`);
      expect(row).toContain('name="returnTo" value="/clients?status&#x3D;all"');
      expect(row).toContain('aria-label="Ligar para');
      expect(row).not.toContain('href="tel:');
    });

    it('links the icon to the contacts section when several contacts have phones but the primary has none', async () => {
      const client = await makeClient(t);
      await makeContact(t, client, { name: 'Sem Telefone' });
      await makeContact(t, client, { name: 'Beto', phone: '(11) 3456-7890' });
      await makeContact(t, client, { name: 'Carla', mobile: '(21) 98765-4321' });
      const row = rowHtml((await adminAgent.get('/clients?status=all')).text, client.id)!;
      expect(row).toContain(`href="/clients/${client.id}#contacts"`);
      expect(row).toContain('Escolher um contato para ligar');
      expect(row).not.toContain('/call"');
    });

    it('disables the icon, with the reason, when no contact has a phone', async () => {
      const client = await makeClient(t);
      await makeContact(t, client, { name: 'Sem Telefone' });
      const row = rowHtml((await adminAgent.get('/clients?status=all')).text, client.id)!;
      expect(row).toContain('aria-disabled="true"');
      expect(row).toContain('title="Nenhum contato com telefone cadastrado"');
      expect(row).not.toContain('<form method="post" action="/clients/' + client.id + '/contacts');
    });

    it('gives each phone and mobile of the contacts table its own call button', async () => {
      const { client, contact } = await clientWithContact({
        name: 'Rita',
        phone: '(11) 3456-7890',
        mobile: '(11) 98765-4321',
      });
      const page = (await adminAgent.get(`/clients/${client.id}`)).text;
      const contactRow = new RegExp(`<tr id="contact-${contact.id}"[\\s\\S]*?</tr>`).exec(page)![0];
      expect(contactRow.match(new RegExp(`action="${callPath(client, contact)}"`, 'g'))).toHaveLength(2);
      expect(contactRow).toContain('name="number" value="phone"');
      expect(contactRow).toContain('name="number" value="mobile"');
      expect(contactRow).toContain(`id="call-status-${contact.id}-phone"`);
      expect(contactRow).toContain('aria-label="Ligar para Rita: (11) 3456-7890"');
    });

    it('never shows the AMI secret on any page', async () => {
      const { client } = await clientWithContact();
      for (const path of ['/clients', `/clients/${client.id}`, '/settings/telephony']) {
        expect((await adminAgent.get(path)).text).not.toContain('s3cret-ami');
      }
    });
  });

  describe('which number, and in which form', () => {
    beforeAll(async () => {
      await setExtension(t, admin, '2002');
    });

    async function dialledThroughHttp(
      format: 'e164' | 'e164-digits' | 'national' | 'prefix',
      contact: { phone?: string; mobile?: string },
      fields: Record<string, string> = {},
    ) {
      await configureTelephony(t, {
        provider: 'http-template',
        urlTemplate: `${dialer.url}/dial?ramal={extension}&numero={number}&e164={e164}`,
        method: 'GET',
        dialFormat: format,
        dialPrefix: format === 'prefix' ? '0' : undefined,
      });
      const { client, contact: saved } = await clientWithContact({ name: 'Nina', ...contact });
      const before = dialer.requests.length;
      const res = await hxCall(adminAgent, callPath(client, saved), fields);
      return { res, request: dialer.requests[before], client };
    }

    it.each([
      ['a landline typed with DDD', { phone: '(11) 3456-7890' }, 'national', '1134567890', '+551134567890'],
      ['a mobile typed with DDD', { mobile: '11 98765-4321' }, 'national', '11987654321', '+5511987654321'],
      [
        'a mobile typed with +55',
        { mobile: '+55 21 98765-4321' },
        'e164',
        '+5521987654321',
        '+5521987654321',
      ],
      [
        'a mobile typed with 55 and no +',
        { mobile: '55 21 98765-4321' },
        'e164-digits',
        '5521987654321',
        '+5521987654321',
      ],
      [
        'a landline typed with the trunk 0',
        { phone: '011 3456 7890' },
        'prefix',
        '01134567890',
        '+551134567890',
      ],
      ['a toll-free number', { phone: '0800 123 4567' }, 'prefix', '08001234567', '+558001234567'],
    ])('dials %s (%j) in the %s form as %s', async (_label, contact, format, dialled, e164) => {
      const { res, request, client } = await dialledThroughHttp(format as 'national', contact);
      expect(res.status).toBe(200);
      expect(request.query.get('numero')).toBe(dialled);
      expect(request.query.get('e164')).toBe(e164);
      expect(request.query.get('ramal')).toBe('2002');
      expect((await logsOf(client))[0]).toMatchObject({
        number_e164: e164,
        dialled,
        provider: 'http-template',
        result: 'originated',
        provider_call_id: expect.stringMatching(/^fake-/),
      });
    });

    it('normalises a stored number that was not saved in E.164 before dialling it', async () => {
      await configureTelephony(t, {
        provider: 'http-template',
        urlTemplate: `${dialer.url}/dial?n={number}`,
        method: 'GET',
        dialFormat: 'e164',
      });
      const { client, contact } = await clientWithContact({ name: 'Legado', phone: '(11) 3456-7890' });
      await t.dataSource.query(`UPDATE contacts SET phone = '(11) 3456-7890' WHERE id = $1`, [contact.id]);
      const before = dialer.requests.length;
      expect((await hxCall(adminAgent, callPath(client, contact))).status).toBe(200);
      expect(dialer.requests[before].query.get('n')).toBe('+551134567890');
    });

    it('calls the phone by default, the mobile on request, and the mobile when there is no phone', async () => {
      await configureTelephony(t, {
        provider: 'http-template',
        urlTemplate: `${dialer.url}/dial?n={number}`,
        method: 'GET',
        dialFormat: 'e164',
      });
      const { client, contact } = await clientWithContact({
        name: 'Duas Linhas',
        phone: '(11) 3456-7890',
        mobile: '(11) 98765-4321',
      });
      const { contact: mobileOnly } = await clientWithContact({
        name: 'Só Celular',
        mobile: '(31) 98888-7777',
      });
      const dialledFor = async (path: string, fields: Record<string, string> = {}) => {
        const before = dialer.requests.length;
        await hxCall(adminAgent, path, fields);
        return dialer.requests[before]?.query.get('n');
      };
      await expect(dialledFor(callPath(client, contact))).resolves.toBe('+551134567890');
      await expect(dialledFor(callPath(client, contact), { number: 'mobile' })).resolves.toBe(
        '+5511987654321',
      );
      const other = await t.dataSource.query(`SELECT client_id FROM contacts WHERE id = $1`, [mobileOnly.id]);
      await expect(dialledFor(callPath({ id: other[0].client_id }, mobileOnly))).resolves.toBe(
        '+5531988887777',
      );
    });

    it('refuses a number kind the contact does not have (422, nothing dialled or logged)', async () => {
      const { client, contact } = await clientWithContact({ name: 'Só Fixo', phone: '(11) 3456-7890' });
      const before = dialer.requests.length;
      const res = await hxCall(adminAgent, callPath(client, contact), { number: 'mobile' });
      expect(res.status).toBe(422);
      expect(text(res.text)).toBe('O contato Só Fixo não tem celular cadastrado.');
      expect(dialer.requests.length).toBe(before);
      expect(await logsOf(client)).toEqual([]);
    });

    it('cannot be made to dial an arbitrary number (400)', async () => {
      const { client, contact } = await clientWithContact();
      const before = dialer.requests.length;
      const attempts: Array<Record<string, string>> = [
        { number: '+5511912345678' },
        { phone: '+5511912345678' },
        { number: 'phone', to: '+5511912345678' },
      ];
      for (const fields of attempts) {
        expect((await formCall(adminAgent, callPath(client, contact), fields)).status).toBe(400);
      }
      expect(dialer.requests.length).toBe(before);
      expect(await logsOf(client)).toEqual([]);
    });

    it('reports an HTTP dialer’s error status with an excerpt of its answer', async () => {
      await configureTelephony(t, {
        provider: 'http-template',
        urlTemplate: `${dialer.url}/dial?n={number}`,
        method: 'GET',
        dialFormat: 'e164',
      });
      dialer.answer = { status: 401, body: '{"message":"token inválido"}' };
      try {
        const { client, contact } = await clientWithContact();
        const res = await hxCall(adminAgent, callPath(client, contact));
        expect(res.status).toBe(502);
        expect(text(res.text)).toContain('o PBX respondeu com erro (HTTP 401: {"message":"token inválido"})');
        expect((await logsOf(client))[0]).toMatchObject({
          result: 'error',
          error_code: 'http',
          error: 'HTTP 401: {"message":"token inválido"}',
        });
      } finally {
        dialer.answer = {};
      }
    });
  });

  describe('who may call whom', () => {
    let client: Client;
    let contact: Contact;

    beforeAll(async () => {
      await configureTelephony(t, {
        provider: 'http-template',
        urlTemplate: `${dialer.url}/dial?n={number}`,
        method: 'GET',
        dialFormat: 'e164',
      });
      ({ client, contact } = await clientWithContact({ name: 'Alvo', mobile: '(11) 98765-4321' }));
    });

    it('lets an agent of one of the client’s groups call its contacts', async () => {
      const member = await makeOperator(t, 'agent', { name: 'Igor Agente' });
      await setExtension(t, member, '3003');
      const group = await makeGroup(t, undefined, [member]);
      await linkClient(t, client, { groups: [group] });
      const agent = await signIn(member);
      const res = await hxCall(agent, callPath(client, contact));
      expect(res.status).toBe(200);
      expect(text(res.text)).toContain('Chamando Alvo');
      expect((await logsOf(client)).at(-1)).toMatchObject({
        operator_name: 'Igor Agente',
        extension: '3003',
      });
      // …and sees the call button and the call log on the client page.
      const page = (await agent.get(`/clients/${client.id}`)).text;
      expect(page).toContain(`action="${callPath(client, contact)}"`);
      expect(text(/<section id="calls"[\s\S]*?<\/section>/.exec(page)![0])).toContain('Igor Agente');
    });

    it('answers 404 to an agent outside the client’s groups, dialling and logging nothing', async () => {
      const outsider = await makeOperator(t, 'agent');
      await setExtension(t, outsider, '4004');
      const agent = await signIn(outsider);
      const logs = (await logsOf(client)).length;
      const before = dialer.requests.length;
      expect((await hxCall(agent, callPath(client, contact))).status).toBe(404);
      expect((await formCall(agent, callPath(client, contact))).status).toBe(404);
      expect(dialer.requests.length).toBe(before);
      expect((await logsOf(client)).length).toBe(logs);
    });

    it('answers 404 for a contact of another client, or an id that is not one', async () => {
      const { contact: foreign } = await clientWithContact({ name: 'Outro', mobile: '(21) 98765-4321' });
      const before = dialer.requests.length;
      expect((await formCall(adminAgent, callPath(client, foreign))).status).toBe(404);
      expect((await formCall(adminAgent, `/clients/${client.id}/contacts/not-a-uuid/call`)).status).toBe(404);
      expect((await formCall(adminAgent, `/clients/nope/contacts/${contact.id}/call`)).status).toBe(404);
      expect(dialer.requests.length).toBe(before);
    });

    it('counts the call log in the deletion, refuses calls once the client is marked, and purges the log', async () => {
      await configureTelephony(t, { provider: 'none' });
      const { client: doomed, contact: doomedContact } = await clientWithContact({
        name: 'Vai Embora',
        mobile: '(11) 98765-4321',
      });
      await hxCall(adminAgent, callPath(doomed, doomedContact));
      const counts = await markForDeletion(t, doomed.id);
      expect(counts.call_logs).toBe(1);
      expect((await hxCall(adminAgent, callPath(doomed, doomedContact))).status).toBe(404);
      const report = await t.app.get(ClientPurgeService).run();
      expect(report.failed).toEqual([]);
      expect(await logsOf(doomed)).toEqual([]);
      expect((await logsOf(client)).length).toBeGreaterThan(0); // other clients' logs stay
    });

    it('requires the CSRF token', async () => {
      const res = await adminAgent.post(callPath(client, contact)).type('form').send({});
      expect(res.status).toBe(403);
    });
  });
});
