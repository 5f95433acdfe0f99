import {
  DEFAULT_RETRY,
  providerRequest,
  type FetchLike,
  type ProviderResponse,
  type RetryPolicy,
  type Sleep,
} from '../sync/provider-http';

/** Asaas API v3 base URLs (docs.asaas.com); a custom one must include `/v3` too. */
export const ASAAS_BASE_URLS = {
  sandbox: 'https://api-sandbox.asaas.com/v3',
  production: 'https://api.asaas.com/v3',
} as const;
export const ASAAS_ENVIRONMENTS = ['sandbox', 'production', 'custom'] as const;
export type AsaasEnvironment = (typeof ASAAS_ENVIRONMENTS)[number];

/** `CustomerSaveRequestDTO`: `name` and `cpfCnpj` are required; the rest optional. */
export interface AsaasCustomerInput {
  name: string;
  cpfCnpj: string;
  email?: string;
  additionalEmails?: string;
  phone?: string;
  mobilePhone?: string;
  postalCode?: string;
  address?: string;
  addressNumber?: string;
  complement?: string;
  province?: string;
  stateInscription?: string;
  municipalInscription?: string;
  company?: string;
  externalReference?: string;
}

/** The part of `CustomerGetResponseDTO` we read. */
export interface AsaasCustomer {
  object?: 'customer';
  id: string;
  name: string;
  cpfCnpj: string | null;
  externalReference: string | null;
  deleted?: boolean;
}

/** The list envelope: `{object:'list', hasMore, totalCount, limit, offset, data}`. */
export interface AsaasList<T> {
  object: 'list';
  hasMore: boolean;
  totalCount: number;
  limit: number;
  offset: number;
  data: T[];
}

export interface AsaasCustomerQuery {
  externalReference?: string;
  cpfCnpj?: string;
  offset?: number;
  limit?: number;
}

/** The Asaas customer endpoints Clientela uses; tests give it a local fake server as base URL. */
export interface AsaasClient {
  listCustomers(query: AsaasCustomerQuery, signal?: AbortSignal): Promise<AsaasList<AsaasCustomer>>;
  createCustomer(input: AsaasCustomerInput, signal?: AbortSignal): Promise<AsaasCustomer>;
  updateCustomer(id: string, input: AsaasCustomerInput, signal?: AbortSignal): Promise<AsaasCustomer>;
}

/** Asaas answered with an error status; `errors` are its `{code, description}` entries (ErrorResponseDTO). */
export class AsaasApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: Array<{ code: string; description: string }>,
  ) {
    super(`Asaas HTTP ${status}${errors.length ? `: ${errors.map((e) => e.description).join('; ')}` : ''}`);
  }

  get descriptions(): string {
    return this.errors
      .map((e) => e.description || e.code)
      .filter(Boolean)
      .join('; ');
  }
}

export interface AsaasClientOptions {
  baseUrl: string;
  apiKey: string;
  userAgent: string;
  fetch?: FetchLike;
  policy?: RetryPolicy;
  sleep?: Sleep;
}

/**
 * Asaas over HTTP: `access_token` and `User-Agent` headers (the latter is mandatory for newer accounts),
 * JSON bodies, no body on GET (CloudFront answers 403 to one). Retries and timeouts: providerRequest.
 */
export class HttpAsaasClient implements AsaasClient {
  private readonly baseUrl: string;

  constructor(private readonly options: AsaasClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async listCustomers(query: AsaasCustomerQuery, signal?: AbortSignal): Promise<AsaasList<AsaasCustomer>> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      if (value !== undefined && value !== '') params.set(key, String(value));
    const body = await this.call('GET', `/customers?${params.toString()}`, undefined, signal);
    const list = body as Partial<AsaasList<AsaasCustomer>> | null;
    return {
      object: 'list',
      hasMore: !!list?.hasMore,
      totalCount: Number(list?.totalCount ?? list?.data?.length ?? 0),
      limit: Number(list?.limit ?? 0),
      offset: Number(list?.offset ?? 0),
      data: Array.isArray(list?.data) ? list.data : [],
    };
  }

  async createCustomer(input: AsaasCustomerInput, signal?: AbortSignal): Promise<AsaasCustomer> {
    return this.customer(await this.call('POST', '/customers', input, signal));
  }

  async updateCustomer(id: string, input: AsaasCustomerInput, signal?: AbortSignal): Promise<AsaasCustomer> {
    return this.customer(await this.call('PUT', `/customers/${encodeURIComponent(id)}`, input, signal));
  }

  private customer(body: unknown): AsaasCustomer {
    const customer = body as Partial<AsaasCustomer> | null;
    if (!customer || typeof customer.id !== 'string' || !customer.id) {
      throw new AsaasApiError(502, [
        { code: 'invalid_response', description: 'resposta do Asaas sem o id do cliente' },
      ]);
    }
    return customer as AsaasCustomer;
  }

  private async call(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      access_token: this.options.apiKey,
      'User-Agent': this.options.userAgent,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await providerRequest(
      `${this.baseUrl}${path}`,
      { method, headers, body: body === undefined ? undefined : JSON.stringify(body) },
      {
        fetch: this.options.fetch ?? fetch,
        policy: this.options.policy ?? DEFAULT_RETRY,
        sleep: this.options.sleep,
        signal,
      },
    );
    if (response.status >= 200 && response.status < 300) return response.body;
    throw new AsaasApiError(response.status, errorsOf(response));
  }
}

/** `errors[]` of an Asaas error body; a body without them (a proxy's HTML page) gives none. */
function errorsOf(response: ProviderResponse): Array<{ code: string; description: string }> {
  const body = response.body as { errors?: unknown } | null;
  if (!body || typeof body !== 'object' || !Array.isArray(body.errors)) return [];
  return body.errors
    .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
    .map((e) => ({ code: String(e.code ?? ''), description: String(e.description ?? '') }));
}
