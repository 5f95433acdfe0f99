import fc from 'fast-check';
import { addMonths, todayInSaoPaulo, yearMonthOf } from '../../../src/common/calendar';
import {
  linkClient,
  makeClient,
  makeContact,
  makeDesk,
  makeGroup,
  nextCnpj,
} from '../../factories/client.factory';
import { makeContract } from '../../factories/contract.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { makeTicket } from '../../factories/ticket.factory';
import { enableTotp } from '../../factories/totp.factory';
import { changedTables, dataDigest } from '../../support/db-digest';
import { csrfFor, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;
type Value = string | string[] | undefined;
type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type Arb<T> = fc.Arbitrary<T>;

/*
 * Bad input, property-based (no data loss, no 500, no stored script, no mass assignment): random
 * and hostile values posted to every form of the app and sent in the list query strings. Whatever arrives —
 * unicode (RTL, emoji, NUL and control characters), strings up to the body limit, arrays for scalars,
 * `__proto__`/`constructor` keys, impossible dates, SQL and HTML, as a form or as JSON — the answer is:
 *
 *   - never a 5xx;
 *   - a 4xx says why (a field message, an alert or the error page), and changed no stored data: no partial
 *     record, no half-applied edit (a digest of every data table before and after);
 *   - user data comes back escaped (no live `<script>` or `<img onerror>` from the input).
 *
 * Runs are bounded (FUZZ_RUNS, default 25 per form) to keep the suite fast; FUZZ_SEED replays a failure.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const fuzzOptions = (numRuns = RUNS) => ({ numRuns, seed: SEED, endOnFailure: true });

// ---------------------------------------------------------------------------------------------------------
// Values

const HOSTILE = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0001\u0002\u0007\u001b[31m\u007f',
  '\r\n\r\n',
  '\t',
  '\u202Eevil\u202C',
  'مرحبا بالعالم',
  'שלום',
  '👨‍👩‍👧‍👦🇧🇷',
  '\u200B\uFEFF',
  'Ａ１２３',
  'ﷺ'.repeat(30),
  "' OR '1'='1",
  "'; DROP TABLE clients; --",
  '%',
  '_',
  '\\',
  '$1',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{constructor.constructor}}',
  '{{{x}}}',
  '2023-02-30',
  '2023-13-01',
  '0000-00-00',
  '2023-02-29',
  '2024-02-29',
  '9999-12-31',
  '2023-2-3',
  '+275760-09-13',
  '9999-12',
  '0001-01',
  '2026-13',
  '1e309',
  'NaN',
  'Infinity',
  '-0',
  '-1',
  '0',
  '1.500,00',
  '1,5.0',
  '9'.repeat(40),
  '0x10',
  '__proto__',
  'constructor',
  'true',
  'on',
  'null',
  '[]',
  'javascript:alert(1)',
  'http://',
  'https://exemplo.com.br/a b',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];
const EXTRA_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'id',
  'status',
  'purge_after',
  'deletionRequestedAt',
  'role',
  'a[b]',
];

const hostile: Arb<string> = fc.constantFrom(...HOSTILE);
const randomText: Arb<string> = fc.string({ unit: 'binary', maxLength: 200 });
/** Up to the 256 kB body limit (and, percent-encoded, sometimes beyond it: a 413). */
const longText: Arb<string> = fc
  .tuple(fc.integer({ min: 1_000, max: 240_000 }), fc.constantFrom('x', 'é', '👍', '<', '\u0000', ' a'))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length / (unit === 'x' ? 1 : 6))));

/** A field's value: usually a valid one, often hostile, sometimes absent, long or repeated (an array). */
function fieldValue(valid: Arb<Value>): Arb<Value> {
  return fc.oneof(
    { weight: 5, arbitrary: valid },
    { weight: 3, arbitrary: hostile },
    { weight: 2, arbitrary: randomText },
    { weight: 1, arbitrary: longText },
    { weight: 1, arbitrary: fc.array(fc.oneof(hostile, randomText), { minLength: 2, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** A JSON body may also carry what a form cannot: numbers, booleans, null, objects. */
const jsonOnly: Arb<JsonValue> = fc.constantFrom<JsonValue>(
  123,
  -1.5,
  true,
  false,
  null,
  { constructor: 1 },
  { __proto__: { polluted: true } } as unknown as JsonValue,
  [{}],
  [1, 2],
  { toString: 'x' },
);

interface Body {
  encoding: 'form' | 'json';
  pairs: Array<[string, Value | JsonValue]>;
}

function bodyOf(
  fields: Record<string, Arb<Value>>,
  encodings: Array<'form' | 'json'> = ['form', 'form', 'json'],
): Arb<Body> {
  const names = Object.keys(fields);
  return fc
    .record({
      encoding: fc.constantFrom(...encodings),
      values: fc.tuple(...names.map((n) => fieldValue(fields[n]))),
      json: names.length
        ? fc.array(fc.tuple(fc.constantFrom(...names), jsonOnly), { maxLength: 2 })
        : fc.constant([] as Array<[string, JsonValue]>),
      extra: fc.subarray(EXTRA_KEYS, { maxLength: 2 }),
      extraValue: fc.oneof(hostile, fc.constant('1')),
    })
    .map(({ encoding, values, json, extra, extraValue }) => {
      const pairs: Array<[string, Value | JsonValue]> = names.map((n, i) => [n, values[i]]);
      if (encoding === 'json') for (const [name, value] of json) pairs[names.indexOf(name)] = [name, value];
      for (const key of extra) pairs.push([key, extraValue]);
      return { encoding, pairs };
    });
}

/** Serialized by hand: `__proto__` stays an own key, arrays become repeated fields. */
function serialize(body: Body): string {
  if (body.encoding === 'json') {
    const members = body.pairs
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
    return `{${members.join(',')}}`;
  }
  const params = new URLSearchParams();
  for (const [key, value] of body.pairs) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  return params.toString();
}

// Valid values, per kind of field
const word = fc.constantFrom(
  'Padaria',
  'Pão',
  'Quente',
  'Mercado',
  'São',
  'João',
  'Ótica',
  'Ação',
  'Irmãos',
  'Ltda',
);
const name: Arb<Value> = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));
const maybe = (arb: Arb<Value>): Arb<Value> => fc.option(arb, { nil: undefined });
const email: Arb<Value> = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9.]{0,10}[a-z0-9]$/),
    fc.constantFrom('exemplo.com.br', 'example.com'),
  )
  .map(([local, domain]) => `${local.replace(/\.\.+/g, '.')}@${domain}`);
const phone: Arb<Value> = fc.constantFrom(
  '(41) 3333-4444',
  '41999998888',
  '+55 11 98765-4321',
  '(11) 2345-6789',
);
const isoDate = (from: number, to: number): Arb<Value> =>
  fc
    .date({ min: new Date(from, 0, 1), max: new Date(to, 11, 31), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
const money: Arb<Value> = fc
  .integer({ min: 1, max: 100_000_00 })
  .chain((cents) =>
    fc.constantFrom(
      `${Math.floor(cents / 100).toLocaleString('pt-BR')},${String(cents % 100).padStart(2, '0')}`,
      (cents / 100).toFixed(2),
    ),
  );
const percent: Arb<Value> = fc.constantFrom('4,5', '10', '0,01', '3.75', '-2');
const digits = (min: number, max: number): Arb<Value> => fc.integer({ min, max }).map(String);

// ---------------------------------------------------------------------------------------------------------
// Answers

/** The page or fragment says what went wrong: a message under a field, an alert, or the error page. */
const hasMessage = (html: string) =>
  /class="field-error"|role="alert"|<article class="error-page">\s*<header><h1>\d{3}<\/h1><\/header>\s*<p>[^<]+<\/p>/.test(
    html,
  );

function checkAnswer(what: string, res: { status: number; text: string }, changed: string[] | null): void {
  if (res.status >= 500) throw new Error(`${what}: ${res.status}\n${res.text.slice(0, 500)}`);
  if (res.status >= 400 && !hasMessage(res.text))
    throw new Error(`${what}: ${res.status} without a message\n${res.text.slice(0, 800)}`);
  if (res.status >= 400 && changed?.length)
    throw new Error(`${what}: refused with ${res.status} but changed ${changed.join(', ')}`);
  if (res.text.includes('<script>alert(1)</script>') || res.text.includes('<img src=x onerror'))
    throw new Error(`${what}: user input came back unescaped`);
}

describe('fuzzing every form and list query with random and hostile input', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  async function post(agent: Agent, path: string, token: string, body: Body) {
    const req = agent.post(path).set('X-CSRF-Token', token);
    return body.encoding === 'json'
      ? req.set('Content-Type', 'application/json').send(serialize(body))
      : req.type('form').send(serialize(body));
  }

  /** Posts random bodies to one form; each answer is checked as described at the top. */
  async function fuzzForm(
    agent: Agent,
    token: string,
    path: string,
    fields: Record<string, Arb<Value>>,
    options: { runs?: number; prepare?: (body: Body) => Promise<Body>; afterEach?: () => Promise<void> } = {},
  ): Promise<{ accepted: number; refused: number }> {
    const tally = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(bodyOf(fields), async (generated) => {
        const body = options.prepare ? await options.prepare(generated) : generated;
        const before = await dataDigest(t.dataSource);
        const res = await post(agent, path, token, body);
        const changed = res.status >= 400 ? changedTables(before, await dataDigest(t.dataSource)) : null;
        checkAnswer(`POST ${path} ${body.encoding} ${serialize(body).slice(0, 300)}`, res, changed);
        tally[res.status >= 400 ? 'refused' : 'accepted'] += 1;
        await options.afterEach?.();
      }),
      fuzzOptions(options.runs),
    );
    return tally;
  }

  it('POST /setup (no operator yet): hostile first-admin forms', async () => {
    const agent = t.http();
    const token = await csrfFor(agent, '/setup');
    const tally = await fuzzForm(
      agent,
      token,
      '/setup',
      { name, email, password: fc.constantFrom('uma-senha-bem-longa', 'outra senha comprida 123') },
      {
        // An accepted setup creates the admin; undo it so the next run meets the form again.
        afterEach: async () => {
          await t.dataSource.query(`DELETE FROM operators`);
        },
      },
    );
    expect(tally.refused).toBeGreaterThan(0);
  });

  describe('signed in as an admin', () => {
    let admin: TestOperator;
    let agent: Agent;
    let token: string;
    const f = {} as {
      group: string;
      desk: string;
      client: string;
      editClient: string;
      linksClient: string;
      statusClient: string;
      deletionClient: string;
      contact: string;
      contract: string;
      cancelContract: string;
      readjustContract: string;
      displacement: string;
      ticket: string;
      otherGroup: string;
      otherDesk: string;
      operator: string;
    };

    beforeAll(async () => {
      admin = await makeOperator(t, 'admin', { name: 'Fuzz Admin' });
      await enableTotp(t, admin);
      agent = t.http();
      expect((await login(agent, admin.email, admin.password)).status).toBe(303);
      token = await csrfFor(agent, '/account');

      const group = await makeGroup(t, 'Equipe Fuzz', [admin]);
      const desk = await makeDesk(t, 'Mesa Fuzz');
      const links = { groups: [group], desks: [desk] };
      const client = await makeClient(t, { tradeName: 'Cliente Principal' });
      await linkClient(t, client, links);
      const contact = await makeContact(t, client, {
        name: 'Ana Contato',
        phone: '(41) 3333-4444',
        mobile: '41999998888',
      });
      const [contract, cancelContract, readjustContract] = [
        await makeContract(t, client, { name: 'Contrato Editável' }),
        await makeContract(t, client, { name: 'Contrato Cancelável' }),
        await makeContract(t, client, { name: 'Contrato Reajustável' }),
      ];
      const [displacement] = await t.dataSource.query(
        `INSERT INTO displacements (client_id, name, value) VALUES ($1, 'Visita Fuzz', 100) RETURNING id`,
        [client.id],
      );
      const ticket = await makeTicket(t, { client, desk, group });
      const linked = async (tradeName: string) => {
        const c = await makeClient(t, { tradeName });
        await linkClient(t, c, links);
        return c.id;
      };
      Object.assign(f, {
        group: group.id,
        desk: desk.id,
        client: client.id,
        editClient: await linked('Cliente Editável'),
        linksClient: await linked('Cliente Vínculos'),
        statusClient: await linked('Cliente Status'),
        deletionClient: await linked('Cliente Exclusão'),
        contact: contact.id,
        contract: contract.id,
        cancelContract: cancelContract.id,
        readjustContract: readjustContract.id,
        displacement: displacement.id,
        ticket: ticket.id,
        otherGroup: (await makeGroup(t, 'Equipe Editável')).id,
        otherDesk: (await makeDesk(t, 'Mesa Editável')).id,
        operator: (await makeOperator(t, 'agent', { name: 'Operador Editável' })).id,
      });
    });

    /** Puts the row's current version where the generator left the marker, so valid edits are not conflicts. */
    const withVersion = (table: string, id: () => string) => async (body: Body) => {
      const [{ version }] = await t.dataSource.query(`SELECT version FROM ${table} WHERE id = $1`, [id()]);
      return {
        ...body,
        pairs: body.pairs.map(([k, v]): [string, Value | JsonValue] => [
          k,
          v === 'CURRENT' ? String(version) : v,
        ]),
      };
    };
    const today = () => todayInSaoPaulo();

    const clientFields = (): Record<string, Arb<Value>> => ({
      tradeName: name,
      legalName: maybe(name.map((n) => `${n} Ltda`)),
      personType: fc.constantFrom('PJ', 'PF'),
      document: maybe(fc.constant(null).map(() => nextCnpj())),
      stateRegistration: maybe(fc.constant('ISENTO')),
      municipalRegistration: maybe(digits(1000, 99_999_999)),
      email: maybe(email),
      financialEmail: maybe(email),
      phone: maybe(phone),
      website: maybe(fc.constantFrom('https://exemplo.com.br', 'http://padaria.example')),
      postalCode: maybe(fc.constantFrom('80010-000', '01310100')),
      street: maybe(name),
      number: maybe(digits(1, 9999)),
      complement: maybe(fc.constant('Sala 2')),
      district: maybe(fc.constant('Centro')),
      city: maybe(fc.constantFrom('Curitiba', 'São Paulo')),
      state: maybe(fc.constantFrom('PR', 'SP', 'XX')),
      notes: maybe(randomText),
      billingClientId: maybe(fc.constant(null).map(() => f.client)),
    });
    const contactFields = (): Record<string, Arb<Value>> => ({
      name,
      jobTitle: maybe(fc.constant('Gerente')),
      email: maybe(email),
      phone: maybe(phone),
      mobile: maybe(phone),
      isPrimary: maybe(fc.constantFrom('true', 'on', 'false')),
      notes: maybe(randomText),
    });
    const contractFields = (): Record<string, Arb<Value>> => ({
      name,
      modality: fc.constantFrom('fixed_monthly', 'hours_bank', 'per_ticket', 'product_saas', 'free'),
      startDate: isoDate(2020, 2027),
      endDate: maybe(isoDate(2024, 2032)),
      durationMonths: maybe(digits(1, 60)),
      monthlyValue: money,
      includedHours: maybe(fc.constantFrom('10', '12,5')),
      includedTickets: maybe(digits(1, 100)),
      readjustmentIndex: fc.constantFrom('IPCA', 'IGP-M', 'INPC', 'fixed'),
      readjustmentPercent: maybe(percent),
      readjustmentPeriodMonths: maybe(digits(1, 24)),
      nextReadjustmentDate: maybe(isoDate(2024, 2030)),
      autoRenew: maybe(fc.constantFrom('true', 'on')),
    });
    const displacementFields = (): Record<string, Arb<Value>> => ({
      name,
      value: money,
      contractId: maybe(fc.constant(null).map(() => f.contract)),
      distanceKm: maybe(fc.constantFrom('12,5', '300', '0.5')),
      notes: maybe(randomText),
    });
    const groupFields = (): Record<string, Arb<Value>> => ({
      name,
      description: maybe(randomText),
      memberIds: maybe(fc.constant(null).map(() => admin.id)),
    });
    const deskFields = (): Record<string, Arb<Value>> => ({
      name,
      description: maybe(randomText),
      requiresReview: maybe(fc.constantFrom('true', 'on')),
    });
    const operatorFields = (): Record<string, Arb<Value>> => ({
      name,
      email,
      role: fc.constantFrom('admin', 'manager', 'agent'),
      password: fc.constantFrom('uma-senha-bem-longa', 'senha de teste comprida'),
      active: maybe(fc.constantFrom('true', 'on')),
    });

    /** One row per form of the app: where it posts and what a valid submission holds. */
    const FORMS: Array<{
      path: () => string;
      fields: () => Record<string, Arb<Value>>;
      prepare?: (body: Body) => Promise<Body>;
    }> = [
      { path: () => '/clients', fields: clientFields },
      {
        path: () => `/clients/${f.editClient}`,
        fields: () => ({
          ...clientFields(),
          billingClientId: fc.constant(undefined),
          version: fc.constant('CURRENT'),
        }),
        prepare: withVersion('clients', () => f.editClient),
      },
      {
        path: () => `/clients/${f.linksClient}/relationships`,
        fields: () => ({
          attendantGroupIds: fc.constantFrom<Value>(f.group, [f.group, f.otherGroup]),
          serviceDeskIds: fc.constantFrom<Value>(f.desk, [f.desk, f.otherDesk]),
        }),
      },
      {
        path: () => `/clients/${f.statusClient}/status`,
        fields: () => ({
          status: fc.constantFrom('active', 'inactive'),
          returnTo: maybe(fc.constantFrom('/clients', '//evil.example')),
        }),
      },
      { path: () => `/clients/${f.client}/contacts/new`, fields: contactFields },
      { path: () => `/clients/${f.client}/contacts/${f.contact}/edit`, fields: contactFields },
      { path: () => `/clients/${f.client}/contracts/new`, fields: contractFields },
      {
        path: () => `/contracts/${f.contract}/edit`,
        fields: () => ({ ...contractFields(), version: fc.constant('CURRENT') }),
        prepare: withVersion('contracts', () => f.contract),
      },
      { path: () => `/contracts/${f.cancelContract}/cancel`, fields: () => ({ reason: maybe(randomText) }) },
      {
        path: () => `/contracts/${f.readjustContract}/readjustments`,
        fields: () => ({
          percent: maybe(percent),
          newValue: maybe(money),
          effectiveFrom: maybe(isoDate(2024, 2030)),
        }),
      },
      {
        path: () => '/contracts/readjustments',
        fields: () => ({
          contractIds: fc.constantFrom<Value>(f.readjustContract, [f.readjustContract, f.contract]),
          percent,
          effectiveFrom: maybe(isoDate(2024, 2030)),
          due: maybe(fc.constant(null).map(() => yearMonthOf(addMonths(today(), 1)))),
        }),
      },
      { path: () => `/clients/${f.client}/displacements/new`, fields: displacementFields },
      { path: () => `/displacements/${f.displacement}/edit`, fields: displacementFields },
      {
        path: () => '/tickets/new',
        fields: () => ({
          clientId: fc.constant(null).map(() => f.client),
          serviceDeskId: fc.constant(null).map(() => f.desk),
          attendantGroupId: fc.constant(null).map(() => f.group),
          requesterContactId: maybe(fc.constant(null).map(() => f.contact)),
          title: name,
          description: maybe(randomText),
        }),
      },
      {
        path: () => `/tickets/${f.ticket}/status`,
        fields: () => ({ status: fc.constantFrom('open', 'in_progress', 'waiting', 'closed', 'cancelled') }),
      },
      { path: () => `/tickets/${f.ticket}/review`, fields: () => ({}) },
      {
        path: () => `/clients/${f.client}/contacts/${f.contact}/call`,
        fields: () => ({
          number: maybe(fc.constantFrom('phone', 'mobile')),
          returnTo: maybe(fc.constant('/clients')),
        }),
      },
      {
        path: () => `/clients/${f.deletionClient}/delete`,
        fields: () => ({ code: digits(0, 999_999).map((c) => String(c).padStart(6, '0')) }),
      },
      { path: () => '/settings/attendant-groups', fields: groupFields },
      { path: () => `/settings/attendant-groups/${f.otherGroup}/edit`, fields: groupFields },
      { path: () => '/settings/service-desks', fields: deskFields },
      { path: () => `/settings/service-desks/${f.otherDesk}/edit`, fields: deskFields },
      { path: () => '/settings/operators', fields: operatorFields },
      {
        path: () => `/settings/operators/${f.operator}/edit`,
        fields: () => ({ ...operatorFields(), password: maybe(fc.constant('uma-senha-bem-longa')) }),
      },
      {
        path: () => '/settings/telephony',
        fields: () => ({
          provider: fc.constantFrom('none', 'asterisk-ami', 'http-template'),
          host: maybe(fc.constantFrom('pbx.local', '10.0.0.5', '[::1]')),
          port: maybe(digits(1, 65535)),
          username: maybe(fc.constant('clientela')),
          secret: maybe(fc.constant('s3cret')),
          clearSecret: maybe(fc.constant('on')),
          context: maybe(fc.constant('from-internal')),
          channelTemplate: maybe(fc.constant('PJSIP/{extension}')),
          callerId: maybe(fc.constant('Clientela')),
          urlTemplate: maybe(fc.constant('https://pbx.example/call?from={extension}&to={number}')),
          method: maybe(fc.constantFrom('GET', 'POST')),
          headersTemplate: maybe(fc.constant('Authorization: Bearer {secret}')),
          bodyTemplate: maybe(randomText),
          dialFormat: maybe(fc.constantFrom('national', 'e164', 'prefix')),
          dialPrefix: maybe(fc.constant('0')),
          timeoutSeconds: maybe(digits(1, 60)),
        }),
      },
      {
        path: () => '/settings/integrations/asaas',
        fields: () => ({
          environment: fc.constantFrom('sandbox', 'production', 'custom'),
          baseUrl: maybe(fc.constant('https://api-sandbox.asaas.com/v3')),
          apiKey: maybe(fc.constant('$aact_chave_de_teste')),
          clearApiKey: maybe(fc.constant('on')),
        }),
      },
      {
        path: () => '/settings/integrations/conta-azul',
        fields: () => ({
          clientId: fc.constant('app-client-id'),
          clientSecret: maybe(fc.constant('app-secret')),
          authBaseUrl: fc.constant('https://auth.contaazul.com'),
          apiBaseUrl: fc.constant('https://api-v2.contaazul.com'),
        }),
      },
      {
        path: () => '/account',
        fields: () => ({
          name,
          locale: fc.constantFrom('pt-BR', 'en'),
          extension: maybe(fc.constantFrom('1001', 'ana.silva', '*99')),
        }),
      },
      {
        // Never the right current password: the admin keeps theirs.
        path: () => '/account/security/password',
        fields: () => ({
          currentPassword: fc.constant('não-é-a-senha-atual'),
          newPassword: fc.constant('uma-nova-senha-longa'),
        }),
      },
      { path: () => '/account/security/totp', fields: () => ({ code: digits(0, 999_999).map(String) }) },
      {
        path: () => '/account/security/totp/disable',
        fields: () => ({ code: digits(0, 999_999).map(String) }),
      },
      {
        // Never the right password (each wrong one counts against the login limit; reset below).
        path: () => '/account/confirm-password',
        fields: () => ({
          password: fc.constantFrom('não-é-a-senha', 'outra-senha-errada'),
          next: maybe(
            fc.constantFrom('/account/security', '//evil.example', '/\\evil', 'https://evil.example'),
          ),
        }),
      },
    ];

    /** `() => \`/clients/${f.editClient}\`` → `/clients/:editClient`, for the test names. */
    const routeOf = (path: () => string) =>
      path
        .toString()
        .replace(/^\(\)\s*=>\s*/, '')
        .replace(/[`']/g, '')
        .replace(/\$\{f\.(\w+)\}/g, ':$1');

    it.each(FORMS.map((form) => [routeOf(form.path), form] as const))(
      'POST %s: never a 5xx, a refusal says why and stores nothing',
      async (_name, form) => {
        await fuzzForm(agent, token, form.path(), form.fields(), { prepare: form.prepare });
      },
    );

    /** Routes that take no form (or would dial out with valid input), and why they are not fuzzed here. */
    const NOT_FUZZED: Record<string, string> = {
      '/setup': 'fuzzed above, before the first admin exists',
      '/login': 'fuzzed below, anonymously',
      '/logout': 'no fields',
      '/clients/:id/contacts/:contactId/delete': 'no fields',
      '/displacements/:id/delete': 'no fields',
      '/settings/operators/:id/reset-2fa': 'no fields',
      '/settings/integrations/conta-azul/disconnect': 'no fields',
      '/settings/integrations/conta-azul/test': 'no fields; tries the stored connection',
      '/clients/:id/integrations/:provider/sync': 'no fields',
      '/integrations/:provider/sync-all': 'no fields',
      '/settings/telephony/test':
        'valid input connects to the PBX given (the same DTO as /settings/telephony)',
      '/settings/integrations/asaas/test':
        'valid input calls the API given (the same DTO as the settings form)',
    };

    it('fuzzes every POST route of the app that takes a form (a new form needs a row above)', () => {
      const router = (t.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } }).router;
      const posts = router.stack
        .filter((l) => l.route?.methods.post && l.route.stack.some((h) => /^\w+\.\w+$/.test(h.name)))
        .map((l) => l.route!.path);
      expect(posts.length).toBeGreaterThan(40);
      const fuzzed = FORMS.map((form) => form.path());
      const matches = (route: string, path: string) =>
        new RegExp(`^${route.replace(/:\w+/g, '[^/]+')}$`).test(path);
      const missing = posts.filter(
        (route) => !NOT_FUZZED[route] && !fuzzed.some((path) => matches(route, path)),
      );
      expect(missing).toEqual([]);
    });

    it('POST /login: hostile credentials are refused with a message, never a 5xx', async () => {
      const anonymous = t.http();
      const loginToken = await csrfFor(anonymous, '/login');
      try {
        await fuzzForm(anonymous, loginToken, '/login', {
          email: fc.constantFrom(admin.email, 'ninguem@example.com'),
          password: fc.constantFrom(admin.password, 'senha-errada'),
          next: maybe(fc.constantFrom('/clients', '//evil.example', 'https://evil.example', '/\\evil')),
        });
      } finally {
        await t.dataSource.query(`DELETE FROM rate_limits`); // the failures must not lock out later tests
      }
    });

    /** List query strings: any value, any key, arrays — 200 or a 400 that says why. */
    const QUERIES: Array<{ path: string; fields: () => Record<string, Arb<Value>> }> = [
      {
        path: '/clients',
        fields: () => ({
          status: maybe(fc.constantFrom('active', 'inactive', 'all')),
          q: maybe(fc.constantFrom('Cliente', 'pão', '11.222.333/0001-81', 'ex')),
          sort: maybe(fc.constantFrom('tradeName', 'legalName', 'document', 'city', 'status', 'createdAt')),
          dir: maybe(fc.constantFrom('asc', 'desc')),
          page: maybe(digits(1, 200)),
        }),
      },
      {
        path: '/clients/picker',
        fields: () => ({
          q: maybe(fc.constantFrom('Cliente', 'pão')),
          except: maybe(fc.constant(null).map(() => f.client)),
        }),
      },
      {
        path: '/tickets',
        fields: () => ({
          clientId: maybe(fc.constant(null).map(() => f.client)),
          status: maybe(fc.constantFrom('open', 'closed', 'pending_review')),
          serviceDeskId: maybe(fc.constant(null).map(() => f.desk)),
          page: maybe(digits(1, 200)),
        }),
      },
      {
        path: '/tickets/new',
        fields: () => ({
          clientId: maybe(fc.constant(null).map(() => f.client)),
          q: maybe(fc.constant('Cliente')),
          title: maybe(name),
          description: maybe(randomText),
        }),
      },
      {
        path: '/contracts',
        fields: () => ({ due: maybe(fc.constantFrom('2026-01', '2025-12', '9999-12', '0001-01')) }),
      },
      { path: '/login', fields: () => ({ next: maybe(fc.constantFrom('/clients', '//evil.example')) }) },
    ];

    it.each(QUERIES.map((q) => [q.path, q] as const))(
      'GET %s?…: never a 5xx for any query string',
      async (path, query) => {
        await fc.assert(
          fc.asyncProperty(bodyOf(query.fields(), ['form']), async (generated) => {
            // No room for 240 kB in a URL: keep it to what one carries (cut at a whole escape).
            const qs = serialize(generated)
              .slice(0, 6000)
              .replace(/%[0-9A-F]?$/i, '');
            const res = await agent.get(`${path}?${qs}`);
            checkAnswer(`GET ${path}?${qs.slice(0, 300)}`, res, null);
            if (![200, 303, 400].includes(res.status)) throw new Error(`GET ${path}?${qs}: ${res.status}`);
          }),
          fuzzOptions(),
        );
      },
    );

    describe('oversized bodies', () => {
      const FIVE_MB = 5 * 1024 * 1024;

      it.each([
        ['a form', 'application/x-www-form-urlencoded', `tradeName=${'x'.repeat(FIVE_MB)}`],
        ['JSON', 'application/json', JSON.stringify({ tradeName: 'x'.repeat(FIVE_MB) })],
      ])('answers a 5 MB %s with the 413 page and stores nothing', async (_kind, type, payload) => {
        const before = await dataDigest(t.dataSource);
        const res = await agent
          .post('/clients')
          .set('X-CSRF-Token', token)
          .set('Content-Type', type)
          .send(payload);
        expect(res.status).toBe(413);
        expect(res.text).toContain('O conteúdo enviado é grande demais.');
        expect(changedTables(before, await dataDigest(t.dataSource))).toEqual([]);
      });

      it('answers a 5 MB login form from an anonymous visitor with 413', async () => {
        const anonymous = t.http();
        const loginToken = await csrfFor(anonymous, '/login');
        const res = await anonymous
          .post('/login')
          .set('X-CSRF-Token', loginToken)
          .type('form')
          .send(`email=a%40b.c&password=${'y'.repeat(FIVE_MB)}`);
        expect(res.status).toBe(413);
        expect(hasMessage(res.text)).toBe(true);
      });

      it('answers 5 MB of a type no parser reads (text, multipart) with a 4xx, not a 500', async () => {
        for (const type of ['text/plain', 'multipart/form-data; boundary=x']) {
          const res = await agent
            .post('/clients')
            .set('X-CSRF-Token', token)
            .set('Content-Type', type)
            .send('z'.repeat(FIVE_MB));
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
        }
      });
    });
  });
});

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ name: string }> };
}
