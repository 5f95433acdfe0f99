import 'reflect-metadata';
import { createServer, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import type { SessionOperator } from '../../src/auth/session-operator';
import { clientListQuery } from '../../src/clients/client-list.sql';
import type { ListState } from '../../src/clients/dto/list-clients.query';
import { displayDocument, displayPhone } from '../../src/clients/client-view';

/**
 * The bench's "physical limit": `node:http` + one `pg` pool + a template
 * literal, serving GET /clients with the very statement the app runs (client-list.sql.ts) for a manager's
 * default list, and the same 50 rows in similar markup. No framework, session, CSRF or template engine.
 *
 * BENCH_DATABASE_URL, PORT (default 0: any free port; the chosen one is printed as `listening <port>`).
 */
const pool = new Pool({
  connectionString: process.env.BENCH_DATABASE_URL,
  max: 10, // the app's pool size
  options: '-c synchronize_seqscans=off',
  application_name: 'clientela-bench-bare',
});
pool.on('error', () => undefined);

const operator: SessionOperator = {
  id: '00000000-0000-0000-0000-000000000000',
  name: 'Bench',
  email: 'bench@clientela.local',
  role: 'manager',
  locale: 'pt-BR',
};
const state: ListState = { status: 'active', q: '', sort: 'tradeName', dir: 'asc', page: 1 };

interface Row {
  total: number;
  id: string | null;
  code: string;
  tradeName: string;
  document: string | null;
  city: string | null;
  state: string | null;
  status: string;
  missingGroups: boolean;
  missingDesks: boolean;
  primaryContactName: string | null;
  primaryContactPhone: string | null;
  contactsWithPhone: number;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};
const e = (value: unknown): string => String(value ?? '').replace(/[&<>"'`=]/g, (c) => ENTITIES[c]);

const icon = (name: string) =>
  `<svg class="icon" aria-hidden="true"><use href="/assets/icons.svg#${name}"/></svg>`;
/** Stands in for the app's CSRF token (same length), which the app's status form carries. */
const TOKEN = 'f'.repeat(64) + '.' + 'e'.repeat(64);

/** The markup of views/clients/_row.hbs (with _status and _phone-action) for a manager, as a template literal. */
const row = (r: Row) => {
  const active = r.status === 'active';
  const phone = r.primaryContactPhone
    ? `<a href="tel:${e(r.primaryContactPhone)}" aria-label="Ligar para ${e(r.tradeName)}" title="Ligar para ${e(r.primaryContactName)}: ${e(displayPhone(r.primaryContactPhone))}">${icon('phone')}</a>`
    : r.contactsWithPhone > 0
      ? `<a href="/clients/${r.id}#contacts" aria-label="Ligar para ${e(r.tradeName)}" title="Escolha um contato">${icon('phone')}</a>`
      : `<span class="disabled" role="img" aria-disabled="true" aria-label="Ligar para ${e(r.tradeName)} (indisponível)" title="Nenhum contato com telefone">${icon('phone')}</span>`;
  const toggle = active
    ? `<span class="badge badge-success">Ativo</span> <button form="status-form" formaction="/clients/${r.id}/status" hx-post="/clients/${r.id}/status" name="status" value="inactive" class="outline secondary small" aria-label="Inativar ${e(r.tradeName)}">Inativar</button>`
    : `<span class="badge badge-muted">Inativo</span> <button form="status-form" formaction="/clients/${r.id}/status" hx-post="/clients/${r.id}/status" name="status" value="active" class="outline small" aria-label="Ativar ${e(r.tradeName)}">Ativar</button>`;
  return `<tr id="client-${r.id}"${active ? '' : ' class="row-inactive"'}>
<td>${e(r.code)}</td>
<td><a href="/clients/${r.id}">${e(r.tradeName)}</a>${r.missingGroups ? ' <span class="badge badge-warning" title="Sem grupo de atendentes">sem grupo</span>' : ''}${r.missingDesks ? ' <span class="badge badge-warning" title="Sem mesa de serviço">sem mesa</span>' : ''}</td>
<td>${e(displayDocument(r.document))}</td>
<td>${r.city ? `${e(r.city)}${r.state ? `/${e(r.state)}` : ''}` : ''}</td>
<td>${toggle}</td>
<td class="row-actions">${phone}<a href="/clients/${r.id}/delete" hx-get="/clients/${r.id}/delete" class="danger" title="Excluir ${e(r.tradeName)}">${icon('trash')}</a></td>
</tr>`;
};

/** Roughly the layout around the table (head, navigation, search form): the same size as the app's. */
const HEAD = `<!doctype html>
<html lang="pt-BR">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Clientes · Clientela</title>
  <link rel="stylesheet" href="/vendor/pico.min.css">
  <link rel="stylesheet" href="/assets/css/app.css">
  <script src="/vendor/htmx.min.js" defer></script>
  <script src="/assets/js/app.js" defer></script>
</head>
<body hx-headers='{"X-CSRF-Token": "${TOKEN}"}'>
<a class="skip-link" href="#main">Ir para o conteúdo</a>
<header class="container-fluid app-header"><nav><ul><li><a href="/clients" class="brand">Clientela</a></li></ul>
<ul><li><a href="/clients" aria-current="page">Clientes</a></li><li><a href="/tickets">Chamados</a></li><li><a href="/settings">Configurações</a></li>
<li><details class="dropdown"><summary>Operador de benchmark</summary><ul dir="rtl"><li><a href="/account">Minha conta</a></li>
<li><form method="post" action="/logout"><input type="hidden" name="_csrf" value="${TOKEN}"><button type="submit" class="link">Sair</button></form></li></ul></details></li></ul></nav></header>
<main id="main" class="container">
<div class="page-header"><h1>Clientes</h1><a href="/clients/new" role="button">Novo cliente</a></div>
<form method="get" action="/clients" role="search" class="list-search" hx-get="/clients" hx-target="#clients-table" hx-swap="outerHTML" hx-push-url="true" hx-trigger="input changed delay:300ms, submit">
<label for="q" class="visually-hidden">Buscar clientes</label>
<input id="q" type="search" name="q" value="" placeholder="Nome, razão social, CNPJ/CPF ou e-mail" aria-describedby="q-hint" maxlength="100" autocomplete="off">
<button type="submit" class="secondary">${icon('search')} Buscar</button></form>
<small id="q-hint" class="muted">Digite ao menos 3 caracteres para buscar.</small>
<div id="clients-table" class="clients-table"><div class="overflow-auto"><table class="striped"><caption class="visually-hidden">Clientes</caption>
<thead hx-target:inherited="#clients-table" hx-swap:inherited="outerHTML" hx-push-url:inherited="true"><tr><th scope="col">Código</th>
<th scope="col" aria-sort="ascending"><a href="/clients?dir=desc" hx-get="/clients?dir=desc">Nome fantasia<span aria-hidden="true" class="sort-mark"> &#9650;</span></a></th>
<th scope="col" aria-sort="none"><a href="/clients?sort=document" hx-get="/clients?sort=document">CNPJ/CPF</a></th>
<th scope="col" aria-sort="none"><a href="/clients?sort=city" hx-get="/clients?sort=city">Cidade/UF</a></th>
<th scope="col" aria-sort="none"><div class="status-header"><a href="/clients?sort=status" hx-get="/clients?sort=status">Situação</a>
<details class="dropdown status-filter"><summary><span class="visually-hidden">Filtrar por situação: </span>Ativos</summary><ul>
<li><a href="/clients" hx-get="/clients" aria-current="true">Ativos</a></li>
<li><a href="/clients?status=inactive" hx-get="/clients?status=inactive">Inativos</a></li>
<li><a href="/clients?status=all" hx-get="/clients?status=all">Todos</a></li></ul></details></div></th>
<th scope="col"><span class="visually-hidden">Ações</span></th></tr></thead>
<tbody hx-target:inherited="closest tr" hx-swap:inherited="outerHTML">
`;

function send(res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8') {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  if (req.url === '/readyz') return send(res, 200, '{"status":"ok"}', 'application/json');
  if (req.method !== 'GET' || !req.url?.startsWith('/clients'))
    return send(res, 404, 'not found', 'text/plain');
  const { text, values } = clientListQuery(operator, state);
  pool.query<Row>(text, values).then(
    ({ rows }) => {
      const shown = rows.filter((r) => r.id !== null);
      const total = rows[0]?.total ?? 0;
      const count = Math.min(shown.length, 50);
      send(
        res,
        200,
        `${HEAD}${shown.slice(0, 50).map(row).join('')}</tbody></table></div>
<form id="status-form" method="post" hidden><input type="hidden" name="_csrf" value="${TOKEN}"><input type="hidden" name="returnTo" value="/clients"></form>
<nav class="pager" aria-label="Paginação"><span class="muted">1&#8211;${count} de ${total > 10_000 ? 'mais de 10.000' : total}</span>
<span class="pager-links">${shown.length > 50 ? '<a href="/clients?page=2" hx-get="/clients?page=2" hx-target="#clients-table" hx-swap="outerHTML" hx-push-url="true" rel="next">Próxima &#8594;</a>' : ''}</span></nav></div>
</main></body></html>`,
      );
    },
    (error: Error) => send(res, 500, error.message, 'text/plain'),
  );
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
