import {
  DEFAULT_RETRY,
  providerRequest,
  RateLimiter,
  type FetchLike,
  type ProviderResponse,
  type RetryPolicy,
} from '../sync/provider-http';

/** A person (customer, supplier…) as `GET /v1/pessoas` lists it. */
export interface Pessoa {
  id: string;
  nome?: string;
  documento?: string | null;
  codigo?: string | null;
  tipo_pessoa?: string;
  perfis?: Array<string | { tipo_perfil?: string }>;
  ativo?: boolean;
}

/** `{items, totalItems}` (the key is `items`, not `itens`). */
export interface PessoaList {
  items: Pessoa[];
  totalItems: number;
}

export interface PessoaQuery {
  pagina?: number;
  tamanho_pagina?: number;
  documentos?: string;
  codigos_pessoa?: string;
}

/** The Conta Azul person endpoints Clientela uses; tests point the base URL at a local fake. */
export interface ContaAzulApi {
  listPessoas(query: PessoaQuery, signal?: AbortSignal): Promise<PessoaList>;
  createPessoa(body: object, signal?: AbortSignal): Promise<{ id: string | null }>;
  updatePessoa(id: string, body: object, signal?: AbortSignal): Promise<void>;
}

export class ContaAzulApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`Conta Azul HTTP ${status}${detail ? `: ${detail}` : ''}`);
  }
}

/** Where the bearer token comes from: the stored one, and a fresh one after a 401. */
export interface TokenSource {
  get(): Promise<string>;
  renew(rejected: string): Promise<string>;
}

export interface ContaAzulApiOptions {
  baseUrl: string;
  tokens: TokenSource;
  fetch: FetchLike;
  limiter: RateLimiter;
  policy?: RetryPolicy;
}

/** Conta Azul over HTTP: Bearer token (renewed once on a 401), ≤ 8 requests/s through the shared limiter. */
export class HttpContaAzulApi implements ContaAzulApi {
  private readonly baseUrl: string;

  constructor(private readonly options: ContaAzulApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async listPessoas(query: PessoaQuery, signal?: AbortSignal): Promise<PessoaList> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      if (value !== undefined && value !== '') params.set(key, String(value));
    const body = (await this.call(
      'GET',
      `/v1/pessoas?${params.toString()}`,
      undefined,
      signal,
    )) as Partial<PessoaList> | null;
    const items = Array.isArray(body?.items) ? body.items : [];
    return { items, totalItems: Number(body?.totalItems ?? items.length) };
  }

  async createPessoa(body: object, signal?: AbortSignal): Promise<{ id: string | null }> {
    const created = (await this.call('POST', '/v1/pessoas', body, signal)) as { id?: unknown } | null;
    return { id: typeof created?.id === 'string' && created.id ? created.id : null };
  }

  async updatePessoa(id: string, body: object, signal?: AbortSignal): Promise<void> {
    await this.call('PATCH', `/v1/pessoas/${encodeURIComponent(id)}`, body, signal);
  }

  private async call(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    let token = await this.options.tokens.get();
    for (let renewed = false; ; renewed = true) {
      const response = await this.send(method, path, body, token, signal);
      if (response.status === 401 && !renewed) {
        token = await this.options.tokens.renew(token);
        continue;
      }
      if (response.status >= 200 && response.status < 300) return response.body;
      throw new ContaAzulApiError(response.status, messageOf(response));
    }
  }

  private send(
    method: string,
    path: string,
    body: unknown,
    token: string,
    signal?: AbortSignal,
  ): Promise<ProviderResponse> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return providerRequest(
      `${this.baseUrl}${path}`,
      { method, headers, body: body === undefined ? undefined : JSON.stringify(body) },
      {
        fetch: this.options.fetch,
        policy: this.options.policy ?? DEFAULT_RETRY,
        beforeAttempt: () => this.options.limiter.take(),
        signal,
      },
    );
  }
}

/**
 * The error text of an API answer. Its JSON shape is not documented, so the usual
 * fields are tried in turn: `message`, `error_description`, `error`, `errors[]`, `detail`, `title`.
 */
export function messageOf(response: ProviderResponse): string {
  const body = response.body;
  if (typeof body === 'string') return body.slice(0, 300);
  if (!body || typeof body !== 'object') return '';
  const b = body as Record<string, unknown>;
  for (const key of ['message', 'error_description', 'detail', 'title', 'error']) {
    if (typeof b[key] === 'string' && b[key]) return b[key] as string;
  }
  if (Array.isArray(b.errors)) {
    return b.errors
      .map((e) =>
        typeof e === 'string'
          ? e
          : e && typeof e === 'object'
            ? String(
                (e as Record<string, unknown>).message ?? (e as Record<string, unknown>).description ?? '',
              )
            : '',
      )
      .filter(Boolean)
      .join('; ');
  }
  return '';
}
