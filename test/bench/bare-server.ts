import 'reflect-metadata';
import { createServer, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import type { SessionOperator } from '../../src/auth/session-operator';
import { clientListQuery } from '../../src/clients/client-list.sql';
import type { ListState } from '../../src/clients/dto/list-clients.query';
import { formatDocument } from '../../src/clients/validation/document';

/**
 * The bench's "physical limit" (research/security.md §3): `node:http` + one `pg` pool + a template
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
  primaryContactPhone: string | null;
}

const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(
    /[&<>"'`=]/g,
    (c) =>
      ({
        '&': '&amp;',
        '<': '&lt;',
        '>': '&gt;',
        '"': '&quot;',
        "'": '&#x27;',
        '`': '&#x60;',
        '=': '&#x3D;',
      })[c]!,
  );

const row = (r: Row) => `<tr id="client-${r.id}" class="${r.status === 'active' ? '' : 'row-inactive'}">
  <td class="num">${escapeHtml(r.code)}</td>
  <td><a href="/clients/${r.id}">${escapeHtml(r.tradeName)}</a>${r.missingGroups ? '<span class="badge badge-warning">sem grupo</span>' : ''}${r.missingDesks ? '<span class="badge badge-warning">sem mesa</span>' : ''}</td>
  <td class="nowrap">${escapeHtml(r.document ? formatDocument(r.document) : '')}</td>
  <td>${r.city ? `${escapeHtml(r.city)}${r.state ? `/${escapeHtml(r.state)}` : ''}` : ''}</td>
  <td class="status-cell"><span class="badge ${r.status === 'active' ? 'badge-success">Ativo' : 'badge-muted">Inativo'}</span></td>
  <td class="row-actions">${r.primaryContactPhone ? `<a href="tel:${escapeHtml(r.primaryContactPhone)}" class="icon-button" aria-label="Ligar">☎</a>` : ''}<a href="/clients/${r.id}/delete" class="icon-button danger" aria-label="Excluir">🗑</a></td>
</tr>`;

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
      const shown = rows.filter((r) => r.id !== null).slice(0, 50);
      const total = rows[0]?.total ?? 0;
      send(
        res,
        200,
        `<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>Clientes</title></head><body><main>
<h1>Clientes</h1><table class="striped"><thead><tr><th>Código</th><th>Nome fantasia</th><th>CNPJ/CPF</th><th>Cidade/UF</th><th>Situação</th><th></th></tr></thead>
<tbody>${shown.map(row).join('')}</tbody></table>
<nav class="pager"><span>1–${shown.length} de ${total > 10_000 ? 'mais de 10.000' : total}</span></nav></main></body></html>`,
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
