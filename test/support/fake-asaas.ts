import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/*
 * A local Asaas API v3 (customers only) following the shapes of its public documentation:
 * `access_token` header (401 `invalid_access_token` without a valid one), the list envelope
 * `{object:'list', hasMore, totalCount, limit, offset, data}` filtered by `externalReference`, `cpfCnpj`,
 * `name`, `email`; POST/PUT with `CustomerSaveRequestDTO` (`name` and a valid-looking `cpfCnpj` required);
 * errors as `{errors:[{code, description}]}`; 404 for unknown ids; a GET with a body gets 403 (CloudFront).
 * Tests queue scripted answers (429 with rate-limit headers, 5xx) and may slow every answer down.
 */

export interface AsaasCustomerRecord {
  object: 'customer';
  id: string;
  dateCreated: string;
  name: string;
  email: string | null;
  company: string | null;
  phone: string | null;
  mobilePhone: string | null;
  address: string | null;
  addressNumber: string | null;
  complement: string | null;
  province: string | null;
  postalCode: string | null;
  cpfCnpj: string;
  personType: 'FISICA' | 'JURIDICA';
  deleted: boolean;
  additionalEmails: string | null;
  externalReference: string | null;
  notificationDisabled: boolean;
  observations: string | null;
  municipalInscription: string | null;
  stateInscription: string | null;
  canDelete: boolean;
  canEdit: boolean;
  city: number | null;
  cityName: string | null;
  state: string | null;
  country: string;
  foreignCustomer: boolean;
}

export interface AsaasRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | null;
  at: number;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeAsaas {
  /** The API root, `http://127.0.0.1:<port>/v3` (what the "custom" environment's base URL holds). */
  url: string;
  apiKey: string;
  customers: AsaasCustomerRecord[];
  requests: AsaasRequest[];
  /** Answers given (in order) to the next API requests instead of the normal handling. */
  script: ScriptedAnswer[];
  /** Milliseconds every answer waits. */
  delayMs: number;
  /**
   * Holds the answers to the requests that arrive from now on until the returned function is called: a
   * provider that has not answered yet, for as long as the test needs, whatever the machine's speed.
   */
  hold(): () => void;
  /** A validation rule: return an error description to refuse a POST/PUT body with 400. */
  validate?: (body: Record<string, unknown>) => { code: string; description: string } | null;
  /** Requests that reached the customer endpoints with a valid key (scripted answers included). */
  apiRequests(): AsaasRequest[];
  /** Adds a customer as if created in Asaas by someone else. */
  seed(values: Partial<AsaasCustomerRecord> & { name: string; cpfCnpj: string }): AsaasCustomerRecord;
  close(): Promise<void>;
}

const FIELDS = [
  'name',
  'email',
  'company',
  'phone',
  'mobilePhone',
  'address',
  'addressNumber',
  'complement',
  'province',
  'postalCode',
  'cpfCnpj',
  'additionalEmails',
  'externalReference',
  'observations',
  'municipalInscription',
  'stateInscription',
] as const;

export async function startFakeAsaas(options: { apiKey?: string } = {}): Promise<FakeAsaas> {
  let sequence = 5401844;
  let held: Promise<void> | undefined;
  const error = (code: string, description: string) => ({ errors: [{ code, description }] });
  const digits = (value: unknown) =>
    String(value ?? '')
      .replace(/[^0-9A-Za-z]/g, '')
      .toUpperCase();

  const fake: FakeAsaas = {
    url: '',
    apiKey: options.apiKey ?? '$aact_hmlg_000MzkwODA2MWY2OGM3MWRlMDU2NWM3MzJlNzZmNGZhZGY6OmZha2U=',
    customers: [],
    requests: [],
    script: [],
    delayMs: 0,
    hold() {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      held = gate;
      return () => {
        if (held === gate) held = undefined;
        release();
      };
    },
    apiRequests: () =>
      fake.requests.filter(
        (r) => r.path.startsWith('/v3/customers') && r.headers.access_token === fake.apiKey,
      ),
    seed(values) {
      const customer = build(values);
      fake.customers.push(customer);
      return customer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function build(
    values: Partial<AsaasCustomerRecord> & { name: string; cpfCnpj: string },
  ): AsaasCustomerRecord {
    const cpfCnpj = digits(values.cpfCnpj);
    return {
      object: 'customer',
      id: `cus_${String(sequence++).padStart(12, '0')}`,
      dateCreated: new Date().toISOString().slice(0, 10),
      email: null,
      company: null,
      phone: null,
      mobilePhone: null,
      address: null,
      addressNumber: null,
      complement: null,
      province: null,
      postalCode: null,
      personType: cpfCnpj.length === 11 ? 'FISICA' : 'JURIDICA',
      deleted: false,
      additionalEmails: null,
      externalReference: null,
      notificationDisabled: false,
      observations: null,
      municipalInscription: null,
      stateInscription: null,
      canDelete: true,
      canEdit: true,
      city: null,
      cityName: null,
      state: null,
      country: 'Brasil',
      foreignCustomer: false,
      ...values,
      cpfCnpj,
    };
  }

  function validate(
    body: Record<string, unknown>,
    partial: boolean,
  ): { code: string; description: string } | null {
    if (!partial && (typeof body.name !== 'string' || !body.name.trim()))
      return { code: 'invalid_name', description: 'O campo name deve ser informado.' };
    if (!partial || body.cpfCnpj !== undefined) {
      const doc = digits(body.cpfCnpj);
      if (!doc) return { code: 'invalid_cpfCnpj', description: 'O campo cpfCnpj deve ser informado.' };
      if (doc.length !== 11 && doc.length !== 14)
        return { code: 'invalid_cpfCnpj', description: 'O CPF/CNPJ informado é inválido.' };
    }
    return fake.validate?.(body) ?? null;
  }

  function pick(body: Record<string, unknown>): Partial<AsaasCustomerRecord> {
    const out: Record<string, unknown> = {};
    for (const field of FIELDS)
      if (body[field] !== undefined) out[field] = body[field] === '' ? null : body[field];
    return out as Partial<AsaasCustomerRecord>;
  }

  function handle(req: AsaasRequest): ScriptedAnswer {
    if (!req.path.startsWith('/v3/'))
      return { status: 404, body: error('not_found', 'Recurso não encontrado.') };
    if (req.headers.access_token !== fake.apiKey) {
      return { status: 401, body: error('invalid_access_token', 'A chave de API fornecida é inválida') };
    }
    if (req.method === 'GET' && req.body !== null)
      return { status: 403, body: '<html>403 Forbidden (CloudFront)</html>' };
    const scripted = fake.script.shift();
    if (scripted) return scripted;

    if (req.path === '/v3/customers' && req.method === 'GET') {
      const q = req.query;
      const offset = Math.max(0, Number(q.get('offset') ?? 0));
      const limit = Math.min(100, Math.max(1, Number(q.get('limit') ?? 10)));
      let found = fake.customers.filter((c) => !c.deleted);
      if (q.has('externalReference'))
        found = found.filter((c) => c.externalReference === q.get('externalReference'));
      if (q.has('cpfCnpj')) found = found.filter((c) => c.cpfCnpj === digits(q.get('cpfCnpj')));
      if (q.has('email')) found = found.filter((c) => c.email === q.get('email'));
      if (q.has('name'))
        found = found.filter((c) => c.name.toLowerCase().includes(String(q.get('name')).toLowerCase()));
      const data = found.slice(offset, offset + limit);
      return {
        status: 200,
        body: {
          object: 'list',
          hasMore: offset + limit < found.length,
          totalCount: found.length,
          limit,
          offset,
          data,
        },
      };
    }
    if (req.path === '/v3/customers' && req.method === 'POST') {
      const body = req.body ?? {};
      const refused = validate(body, false);
      if (refused) return { status: 400, body: { errors: [refused] } };
      const customer = build({ ...pick(body), name: String(body.name), cpfCnpj: String(body.cpfCnpj) });
      fake.customers.push(customer);
      return { status: 200, body: customer };
    }
    const one = /^\/v3\/customers\/([^/]+)$/.exec(req.path);
    if (one) {
      const customer = fake.customers.find((c) => c.id === decodeURIComponent(one[1]));
      if (!customer) return { status: 404, body: error('invalid_object', 'Cliente não encontrado.') };
      if (req.method === 'GET') return { status: 200, body: customer };
      if (req.method === 'PUT') {
        const body = req.body ?? {};
        const refused = validate(body, true);
        if (refused) return { status: 400, body: { errors: [refused] } };
        Object.assign(customer, pick(body));
        if (body.cpfCnpj !== undefined) customer.cpfCnpj = digits(body.cpfCnpj);
        return { status: 200, body: customer };
      }
    }
    return { status: 405, body: error('method_not_allowed', 'Método não permitido.') };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | null = null;
      if (raw) {
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          body = { _raw: raw };
        }
      }
      const request: AsaasRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        at: Date.now(),
      };
      fake.requests.push(request);
      const answer = handle(request);
      const gate = held ?? Promise.resolve();
      void gate.then(() =>
        setTimeout(() => {
          if (res.destroyed) return;
          const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
          res.writeHead(answer.status, {
            'content-type': typeof answer.body === 'string' ? 'text/html' : 'application/json',
            ...(answer.headers ?? {}),
          });
          res.end(text);
        }, fake.delayMs),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v3`;
  return fake;
}
