import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/*
 * A local Conta Azul, after its public API documentation: the OAuth2 authorization-code server and the
 * pessoas API on one port. `/oauth2/authorize` approves at once and redirects to `redirect_uri?code&state`; `/oauth2/token`
 * checks HTTP Basic client credentials and exchanges a code (single use, tied to its redirect URI) or a
 * refresh token — which rotates: a used refresh token gets `invalid_grant`. `/v1/pessoas` wants a live
 * Bearer token (401 otherwise) and answers lists as `{items, totalItems}` (1-based `pagina`).
 */

export interface Pessoa {
  id: string;
  nome: string;
  tipo_pessoa: string;
  documento: string | null;
  codigo: string | null;
  email: string | null;
  perfis: Array<{ tipo_perfil: string }>;
  ativo: boolean;
  body: Record<string, unknown>;
}

export interface ContaAzulRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface TokenRequest {
  grantType: string;
  code?: string;
  refreshToken?: string;
  redirectUri?: string;
  basicOk: boolean;
  result: 'ok' | string;
}

export interface FakeContaAzul {
  /** `http://127.0.0.1:<port>`: both the auth base URL and the API base URL. */
  url: string;
  clientId: string;
  clientSecret: string;
  /** Lifetime of the access tokens it issues (s). */
  expiresIn: number;
  pessoas: Pessoa[];
  requests: ContaAzulRequest[];
  tokenRequests: TokenRequest[];
  /** The refresh token that is currently valid (the last one issued). */
  currentRefreshToken: string | null;
  /** API requests (not OAuth) received. */
  apiRequests(): ContaAzulRequest[];
  /** Makes every access token issued so far invalid (as if expired on the provider's side). */
  expireAccessTokens(): void;
  /** The answer a code exchange gets instead of tokens, e.g. invalid_grant. */
  failCodeExchange: { status: number; error: string; description: string } | null;
  delayMs: number;
  seed(values: Partial<Pessoa> & { nome: string }): Pessoa;
  close(): Promise<void>;
}

export async function startFakeContaAzul(): Promise<FakeContaAzul> {
  const codes = new Map<string, { redirectUri: string; expires: number; used: boolean }>();
  const accessTokens = new Map<string, number>(); // token → expiry (ms)
  const usedRefreshTokens = new Set<string>();
  const bare = (value: unknown) =>
    String(value ?? '')
      .replace(/[^0-9A-Za-z]/g, '')
      .toUpperCase();

  const fake: FakeContaAzul = {
    url: '',
    clientId: 'clientela-fake-client',
    clientSecret: 'Fake-Client-Secret-9f8e7d',
    expiresIn: 3600,
    pessoas: [],
    requests: [],
    tokenRequests: [],
    currentRefreshToken: null,
    failCodeExchange: null,
    delayMs: 0,
    apiRequests: () => fake.requests.filter((r) => r.path.startsWith('/v1/')),
    expireAccessTokens: () => accessTokens.clear(),
    seed(values) {
      const pessoa: Pessoa = {
        id: randomUUID(),
        tipo_pessoa: 'Jurídica',
        documento: null,
        codigo: null,
        email: null,
        perfis: [],
        ativo: true,
        body: {},
        ...values,
      };
      fake.pessoas.push(pessoa);
      return pessoa;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const issueTokens = () => {
    const access = `at-${randomBytes(12).toString('hex')}`;
    const refresh = `rt-${randomBytes(12).toString('hex')}`;
    accessTokens.set(access, Date.now() + fake.expiresIn * 1000);
    fake.currentRefreshToken = refresh;
    return {
      access_token: access,
      refresh_token: refresh,
      expires_in: fake.expiresIn,
      token_type: 'Bearer',
      id_token: 'fake.jwt.token',
    };
  };

  function token(headers: IncomingHttpHeaders, raw: string): { status: number; body: unknown } {
    const form = new URLSearchParams(raw);
    const expected = `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`;
    const record: TokenRequest = {
      grantType: form.get('grant_type') ?? '',
      code: form.get('code') ?? undefined,
      refreshToken: form.get('refresh_token') ?? undefined,
      redirectUri: form.get('redirect_uri') ?? undefined,
      basicOk: headers.authorization === expected,
      result: 'ok',
    };
    fake.tokenRequests.push(record);
    const fail = (status: number, error: string, description: string) => {
      record.result = error;
      return { status, body: { error, error_description: description } };
    };
    if (!record.basicOk) return fail(401, 'invalid_client', 'Client authentication failed');
    if (record.grantType === 'authorization_code') {
      if (fake.failCodeExchange)
        return fail(
          fake.failCodeExchange.status,
          fake.failCodeExchange.error,
          fake.failCodeExchange.description,
        );
      const code = codes.get(record.code ?? '');
      if (!code || code.used || code.expires < Date.now() || code.redirectUri !== record.redirectUri) {
        return fail(400, 'invalid_grant', 'Invalid authorization code');
      }
      code.used = true;
      return { status: 200, body: issueTokens() };
    }
    if (record.grantType === 'refresh_token') {
      const given = record.refreshToken ?? '';
      if (!given || usedRefreshTokens.has(given) || given !== fake.currentRefreshToken)
        return fail(400, 'invalid_grant', 'Invalid Refresh Token');
      usedRefreshTokens.add(given);
      return { status: 200, body: issueTokens() };
    }
    return fail(400, 'unsupported_grant_type', 'unsupported grant type');
  }

  function api(req: ContaAzulRequest): { status: number; body: unknown } {
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const expiry = bearer ? accessTokens.get(bearer) : undefined;
    if (!expiry || expiry < Date.now())
      return { status: 401, body: { error: 'invalid_token', message: 'Token inválido ou expirado' } };
    if (req.path === '/v1/pessoas' && req.method === 'GET') {
      const q = req.query;
      let found = fake.pessoas;
      if (q.get('documentos')) {
        const docs = q.get('documentos')!.split(',').map(bare);
        found = found.filter((p) => p.documento && docs.includes(bare(p.documento)));
      }
      if (q.get('codigos_pessoa')) {
        const wanted = q.get('codigos_pessoa')!.split(',');
        found = found.filter((p) => p.codigo && wanted.includes(p.codigo));
      }
      const page = Math.max(1, Number(q.get('pagina') ?? 1));
      const size = Math.max(1, Number(q.get('tamanho_pagina') ?? 10));
      const items = found.slice((page - 1) * size, page * size).map(({ body: _body, ...p }) => p);
      return { status: 200, body: { items, totalItems: found.length } };
    }
    let body: Record<string, unknown>;
    try {
      body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    } catch {
      return { status: 400, body: { message: 'JSON inválido' } };
    }
    if (req.path === '/v1/pessoas' && req.method === 'POST') {
      if (typeof body.nome !== 'string' || !body.nome.trim())
        return { status: 400, body: { message: 'O campo nome é obrigatório.' } };
      if (String(body.nome).length > 200)
        return { status: 400, body: { message: 'O nome deve ter no máximo 200 caracteres.' } };
      const pessoa = fake.seed({
        nome: String(body.nome),
        tipo_pessoa: String(body.tipo_pessoa ?? ''),
        documento: body.cnpj || body.cpf ? bare(body.cnpj ?? body.cpf) : null,
        codigo: typeof body.codigo === 'string' ? body.codigo : null,
        email: typeof body.email === 'string' ? body.email : null,
        perfis: Array.isArray(body.perfis) ? (body.perfis as Array<{ tipo_perfil: string }>) : [],
        body,
      });
      return { status: 200, body: { id: pessoa.id, nome: pessoa.nome } };
    }
    const one = /^\/v1\/pessoas\/([^/]+)$/.exec(req.path);
    if (one && req.method === 'PATCH') {
      const pessoa = fake.pessoas.find((p) => p.id === decodeURIComponent(one[1]));
      if (!pessoa) return { status: 404, body: { message: 'Pessoa não encontrada.' } };
      if (typeof body.nome === 'string') pessoa.nome = body.nome;
      if (body.cnpj || body.cpf) pessoa.documento = bare(body.cnpj ?? body.cpf);
      if (typeof body.email === 'string') pessoa.email = body.email;
      if (Array.isArray(body.perfis)) pessoa.perfis = body.perfis as Array<{ tipo_perfil: string }>;
      pessoa.body = { ...pessoa.body, ...body };
      return { status: 200, body: { id: pessoa.id, nome: pessoa.nome } };
    }
    return { status: 404, body: { message: 'Não encontrado.' } };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const request: ContaAzulRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      fake.requests.push(request);
      if (url.pathname === '/oauth2/authorize' && req.method === 'GET') {
        const q = url.searchParams;
        if (
          q.get('response_type') !== 'code' ||
          q.get('client_id') !== fake.clientId ||
          !q.get('redirect_uri')
        ) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_request');
          return;
        }
        const code = `code-${randomBytes(8).toString('hex')}`;
        codes.set(code, {
          redirectUri: q.get('redirect_uri')!,
          expires: Date.now() + 3 * 60_000,
          used: false,
        });
        const back = new URL(q.get('redirect_uri')!);
        back.searchParams.set('code', code);
        if (q.get('state') !== null) back.searchParams.set('state', q.get('state')!);
        res.writeHead(302, { location: back.toString() }).end();
        return;
      }
      const answer =
        url.pathname === '/oauth2/token' && req.method === 'POST'
          ? token(req.headers, request.body)
          : api(request);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      }, fake.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return fake;
}
