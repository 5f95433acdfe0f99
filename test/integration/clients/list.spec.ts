import fc from 'fast-check';
import { Client as PgClient } from 'pg';
import {
  linkClient,
  makeClient,
  makeClients,
  makeContact,
  makeDesk,
  makeGroup,
  removeAllClients,
} from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { decode, findTag, rowHtml, rowIds, rowNames, text } from '../../support/html';
import { login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

const SORT_KEYS = ['tradeName', 'legalName', 'document', 'city', 'status', 'createdAt'] as const;
type SortKey = (typeof SORT_KEYS)[number];

describe('the client list (GET /clients)', () => {
  let t: TestApp;
  let manager: TestOperator;
  let agentOperator: TestOperator;
  let http: ReturnType<TestApp['http']>;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    agentOperator = await makeOperator(t, 'agent', { name: 'Ana Agente' });
    http = t.http();
    await login(http, manager.email, manager.password);
  });
  afterAll(() => t.close());

  const list = (query: Record<string, string | number> = {}) => http.get('/clients').query(query);

  describe('status filter', () => {
    let active: Client;
    let inactive: Client;
    beforeAll(async () => {
      await removeAllClients(t);
      active = await makeClient(t, { tradeName: 'Empresa Ativa' });
      inactive = await makeClient(t, { tradeName: 'Empresa Inativa', status: 'inactive' });
    });

    it('shows only active clients by default', async () => {
      const res = await list();
      expect(res.status).toBe(200);
      expect(rowIds(res.text)).toEqual([active.id]);
      expect(decode(res.text)).toMatch(/<a href="\/clients\?status=inactive"[^>]*>Inativos<\/a>/);
      expect(res.text).toMatch(/<a href="\/clients"[^>]*aria-current="true">Ativos<\/a>/);
    });

    it('shows only inactive clients with status=inactive, and both with status=all', async () => {
      const inactiveOnly = await list({ status: 'inactive' });
      expect(rowIds(inactiveOnly.text)).toEqual([inactive.id]);
      expect(decode(inactiveOnly.text)).toMatch(
        /<a href="\/clients\?status=inactive"[^>]*aria-current="true">Inativos<\/a>/,
      );
      expect(rowHtml(inactiveOnly.text, inactive.id)).toContain('class="row-inactive"');

      const all = await list({ status: 'all' });
      expect(rowIds(all.text).sort()).toEqual([active.id, inactive.id].sort());
    });

    it('keeps the filter in the sort links and the search form, so the state stays in the URL', async () => {
      const res = await list({ status: 'inactive', q: 'empresa' });
      expect(decode(res.text)).toContain('href="/clients?status=inactive&q=empresa&dir=desc"');
      expect(res.text).toContain('<input type="hidden" name="status" value="inactive">');
      expect(res.text).toMatch(/<input id="q" type="search" name="q" value="empresa"/);
    });
  });

  it.each([
    ['an unknown sort key', { sort: 'password' }],
    ['a sort key with SQL in it', { sort: 'trade_name; DROP TABLE clients' }],
    ['an unknown direction', { dir: 'up' }],
    ['an unknown status', { status: 'deleted' }],
    ['page 0', { page: 0 }],
    ['a page beyond 200', { page: 201 }],
    ['a page that is not a number', { page: 'dois' }],
    ['a search over 100 characters', { q: 'x'.repeat(101) }],
    ['an unknown parameter', { limit: 1000 }],
  ])('answers 400 to %s', async (_, query) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('<tr id="client-');
  });

  it('answers 400 to a repeated parameter (an array where one value is expected)', async () => {
    expect((await http.get('/clients?sort=tradeName&sort=city')).status).toBe(400);
  });

  describe('sorting', () => {
    it('breaks ties by id, in the direction of the sort, for clients with equal trade names', async () => {
      await removeAllClients(t);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++)
        ids.push((await makeClient(t, { tradeName: i % 2 ? 'Mesmo Nome' : 'Outro Nome' })).id);
      const same = ids.filter((_, i) => i % 2).sort();
      const other = ids.filter((_, i) => !(i % 2)).sort();
      expect(rowIds((await list({ sort: 'tradeName' })).text)).toEqual([...same, ...other]);
      expect(rowIds((await list({ sort: 'tradeName', dir: 'desc' })).text)).toEqual([
        ...other.reverse(),
        ...same.reverse(),
      ]);
      // The same request twice gives the same order.
      expect(rowIds((await list()).text)).toEqual(rowIds((await list()).text));
    });

    it('marks the current sort with aria-sort and links each header to the opposite direction', async () => {
      const asc = await list({ sort: 'city' });
      expect(decode(asc.text)).toMatch(
        /<th scope="col" aria-sort="ascending"><a href="\/clients\?sort=city&dir=desc"/,
      );
      expect(asc.text).toMatch(/<th scope="col" aria-sort="none"><a href="\/clients"[^>]*>Nome fantasia/);
      const desc = await list({ sort: 'city', dir: 'desc' });
      expect(decode(desc.text)).toMatch(
        /<th scope="col" aria-sort="descending"><a href="\/clients\?sort=city"/,
      );
      // Each header link is a real link (no JS) and an htmx swap of the table that pushes the URL (the
      // target, swap and push are inherited from the table head).
      expect(decode(asc.text)).toContain(
        '<a href="/clients?sort=city&dir=desc" hx-get="/clients?sort=city&dir=desc">',
      );
      expect(asc.text).toContain(
        '<thead hx-target:inherited="#clients-table" hx-swap:inherited="outerHTML" hx-push-url:inherited="true">',
      );
    });

    /*
     * Property: for any set of clients, every sort key in both directions lists them exactly as a reference
     * sort does — key first (empty values last in both directions), then id in the same direction.
     * Strings are drawn from [a-c] so ties are frequent and the test database's collation (C or a
     * locale) orders them as JavaScript's code-unit comparison does.
     */
    it('orders every sort key, ascending and descending, like a reference sort (property)', async () => {
      const word = (min: number, max: number) =>
        fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: min, maxLength: max });
      const rowArb = fc.record({
        tradeName: word(2, 3),
        legalName: fc.option(word(1, 2), { nil: null }),
        document: fc.option(fc.string({ unit: fc.constantFrom('1', '2', '3'), minLength: 2, maxLength: 2 }), {
          nil: null,
        }),
        city: fc.option(word(1, 2), { nil: null }),
        status: fc.constantFrom('active', 'inactive'),
        createdAt: fc.integer({ min: 0, max: 4 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 30 }), async (generated) => {
          await removeAllClients(t);
          // Documents are unique among clients: a repeated one is dropped.
          const seen = new Set<string>();
          const rows = generated.map((r) => {
            const document = r.document && !seen.has(r.document) ? (seen.add(r.document), r.document) : null;
            return {
              ...r,
              document,
              createdAt: new Date(Date.UTC(2026, 0, 1, 12, r.createdAt)).toISOString(),
            };
          });
          const inserted: Array<{ id: string }> = await t.dataSource.query(
            `INSERT INTO clients (trade_name, legal_name, document, city, status, created_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) RETURNING id`,
            [
              rows.map((r) => r.tradeName),
              rows.map((r) => r.legalName),
              rows.map((r) => r.document),
              rows.map((r) => r.city),
              rows.map((r) => r.status),
              rows.map((r) => r.createdAt),
            ],
          );
          const withIds = rows.map((r, i) => ({ ...r, id: inserted[i].id }));
          for (const sort of SORT_KEYS) {
            for (const dir of ['asc', 'desc'] as const) {
              const res = await list({ status: 'all', sort, dir });
              expect(res.status).toBe(200);
              expect({ sort, dir, ids: rowIds(res.text) }).toEqual({
                sort,
                dir,
                ids: referenceSort(withIds, sort, dir).map((r) => r.id),
              });
            }
          }
        }),
        { numRuns: 15 },
      );
    });

    it('keeps the order stable across pages: pages 1–3 of many equal names are the whole sorted list, each row once', async () => {
      await removeAllClients(t);
      await makeClients(t, 40, { prefix: 'Igual' });
      await t.dataSource.query(`UPDATE clients SET trade_name = 'Igual'`);
      await makeClients(t, 80, { prefix: 'Zeta' });
      await t.dataSource.query(`UPDATE clients SET trade_name = 'Zeta' WHERE trade_name LIKE 'Zeta %'`);
      const all: Array<{ id: string; trade_name: string }> = await t.dataSource.query(
        `SELECT id, trade_name FROM clients`,
      );
      for (const dir of ['asc', 'desc'] as const) {
        const pages = [];
        for (const page of [1, 2, 3]) pages.push(...rowIds((await list({ dir, page })).text));
        const expected = referenceSort(
          all.map((r) => ({ id: r.id, tradeName: r.trade_name })),
          'tradeName',
          dir,
        ).map((r) => r.id);
        expect(pages).toEqual(expected);
        expect(new Set(pages).size).toBe(120);
      }
    });
  });

  describe('search', () => {
    let saoJorge: Client;
    let acougue: Client;
    let alfanumerico: Client;
    let natural: Client;
    let inativa: Client;

    beforeAll(async () => {
      await removeAllClients(t);
      saoJorge = await makeClient(t, {
        tradeName: 'Padaria São Jorge',
        legalName: 'Jorge & Filhos Panificadora Ltda',
        document: '11222333000181',
        email: 'Contato@SaoJorge.com.br',
      });
      acougue = await makeClient(t, {
        tradeName: 'Açougue Central',
        legalName: 'Carnes Nobres ME',
        email: 'vendas@central.com.br',
      });
      alfanumerico = await makeClient(t, { tradeName: 'Tecnologia Nova', document: '12ABC34501DE35' });
      natural = await makeClient(t, { tradeName: '100% Natural' });
      inativa = await makeClient(t, { tradeName: 'São Jorge Antiga', status: 'inactive' });
    });

    const found = async (q: string, extra: Record<string, string> = {}) =>
      rowIds((await list({ q, ...extra })).text).sort();

    it.each([
      ['the trade name, without accents', 'sao jorge', () => [saoJorge]],
      ['the trade name, with accents and in upper case', 'SÃO JORGE', () => [saoJorge]],
      ['a cedilla-free spelling', 'acougue', () => [acougue]],
      ['the legal name', 'panificadora', () => [saoJorge]],
      ['the legal name (another client)', 'nobres', () => [acougue]],
      ['the document, masked', '11.222.333/0001-81', () => [saoJorge]],
      ['the document, unmasked', '11222333000181', () => [saoJorge]],
      ['part of the document, masked', '222.333', () => [saoJorge]],
      ['an alphanumeric CNPJ, masked', '12.ABC.345/01DE-35', () => [alfanumerico]],
      ['an alphanumeric CNPJ, unmasked in lower case', '12abc34501de35', () => [alfanumerico]],
      ['the e-mail', 'contato@saojorge', () => [saoJorge]],
      ['the e-mail domain', 'central.com.br', () => [acougue]],
      ['a literal percent sign, not a wildcard', '100%', () => [natural]],
    ])('finds clients by %s', async (_, q, expected) => {
      expect(await found(q)).toEqual(
        expected()
          .map((c) => c.id)
          .sort(),
      );
    });

    it('treats LIKE wildcards in the search as text', async () => {
      expect(await found('%%%')).toEqual([]);
      expect(await found('___')).toEqual([]);
    });

    it('searches within the status filter: inactive clients only with status=inactive or all', async () => {
      expect(await found('jorge')).toEqual([saoJorge.id]);
      expect(await found('jorge', { status: 'inactive' })).toEqual([inativa.id]);
      expect(await found('jorge', { status: 'all' })).toEqual([saoJorge.id, inativa.id].sort());
    });

    it('says so when nothing matches', async () => {
      const res = await list({ q: 'inexistente' });
      expect(rowIds(res.text)).toEqual([]);
      expect(res.text).toContain('Nenhum cliente encontrado para esta busca.');
    });

    it('shows a hint and does not filter for fewer than 3 characters', async () => {
      const res = await list({ q: 'pa' });
      expect(res.status).toBe(200);
      expect(res.text).toContain(
        'A busca precisa de ao menos 3 caracteres; mostrando a lista sem filtro de texto.',
      );
      expect(rowIds(res.text).sort()).toEqual([saoJorge.id, acougue.id, alfanumerico.id, natural.id].sort());
      expect((await list({ q: 'pad' })).text).not.toContain('A busca precisa de ao menos 3 caracteres');
    });

    it('keeps the search in the sort links', async () => {
      const res = await list({ q: 'jorge' });
      expect(decode(res.text)).toContain('href="/clients?q=jorge&sort=city"');
    });
  });

  describe('pagination', () => {
    beforeAll(async () => {
      await removeAllClients(t);
      await makeClients(t, 120, { prefix: 'Lote' });
    });

    it('shows rows 1–50 on the first page with a link to the next one', async () => {
      const res = await list();
      expect(rowNames(res.text)).toEqual(
        Array.from({ length: 50 }, (_, i) => `Lote ${String(i + 1).padStart(4, '0')}`),
      );
      expect(text(res.text)).toContain('1–50 de 120');
      expect(decode(res.text)).toContain('<a href="/clients?page=2" hx-get="/clients?page=2"');
      expect(res.text).not.toContain('rel="prev"');
    });

    it('shows rows 51–100 on page 2, with links both ways', async () => {
      const res = await list({ page: 2 });
      expect(rowNames(res.text)).toEqual(
        Array.from({ length: 50 }, (_, i) => `Lote ${String(i + 51).padStart(4, '0')}`),
      );
      expect(text(res.text)).toContain('51–100 de 120');
      expect(res.text).toMatch(/<a href="\/clients"[^>]*rel="prev"/);
      expect(decode(res.text)).toMatch(/<a href="\/clients\?page=3"[^>]*rel="next"/);
    });

    it('shows the last 20 rows on page 3 and no next link', async () => {
      const res = await list({ page: 3 });
      expect(rowIds(res.text)).toHaveLength(20);
      expect(text(res.text)).toContain('101–120 de 120');
      expect(res.text).not.toContain('rel="next"');
    });

    it('keeps sort and direction in the page links', async () => {
      const res = await list({ sort: 'city', dir: 'desc', page: 2 });
      expect(decode(res.text)).toMatch(/<a href="\/clients\?sort=city&dir=desc&page=3"[^>]*rel="next"/);
      expect(decode(res.text)).toMatch(/<a href="\/clients\?sort=city&dir=desc"[^>]*rel="prev"/);
    });

    it('shows an empty page past the end (up to page 200)', async () => {
      const res = await list({ page: 200 });
      expect(res.status).toBe(200);
      expect(rowIds(res.text)).toEqual([]);
    });

    it('counts up to 10,000 and then says "more than", and stops at page 200 asking to refine the search', async () => {
      await makeClients(t, 10_000, { prefix: 'Massa' });
      const first = await list();
      expect(text(first.text)).toContain('1–50 de mais de 10.000');
      const last = await list({ page: 200 });
      expect(rowIds(last.text)).toHaveLength(50);
      expect(last.text).not.toContain('rel="next"');
      expect(last.text).toContain('Para ir além, refine a busca.');
      expect((await list({ page: 201 })).status).toBe(400);
    });
  });

  describe('page and fragment', () => {
    beforeAll(async () => {
      await removeAllClients(t);
      await makeClient(t, { tradeName: 'Fragmento Um' });
    });

    it('varies on HX-Request', async () => {
      const res = await list();
      expect(res.headers.vary.split(/,\s*/)).toContain('HX-Request');
    });

    it('answers an htmx request targeting the table with only the table fragment', async () => {
      const res = await http
        .get('/clients')
        .query({ sort: 'city' })
        .set('HX-Request', 'true')
        .set('HX-Target', 'div#clients-table');
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('<html');
      expect(res.text).not.toContain('<h1>');
      expect(res.text.trim()).toMatch(/^<div id="clients-table" class="clients-table">[\s\S]*<\/div>$/);
      expect(rowNames(res.text)).toEqual(['Fragmento Um']);
      expect(res.headers.vary.split(/,\s*/)).toContain('HX-Request');
    });

    it('answers the whole page to a plain request and to htmx requests aimed elsewhere', async () => {
      for (const headers of [
        {},
        { 'HX-Request': 'true', 'HX-Target': 'main#main' },
        { 'HX-Target': 'div#clients-table' },
      ]) {
        const res = await http.get('/clients').set(headers);
        expect(res.text).toContain('<html');
        expect(res.text).toContain('<div id="clients-table" class="clients-table">');
      }
    });
  });

  describe('rows', () => {
    let rowsPage: string;
    let linked: Client;
    let onlyGroup: Client;
    let bare: Client;
    let withPrimaryPhone: Client;
    let withPrimaryMobile: Client;
    let onlyOthersHavePhones: Client;

    beforeAll(async () => {
      await removeAllClients(t);
      const group = await makeGroup(t, 'Suporte Linhas');
      const desk = await makeDesk(t, 'Mesa Linhas');
      linked = await makeClient(t, {
        tradeName: 'Linha Completa',
        document: '11222333000181',
        city: 'Curitiba',
        state: 'PR',
      });
      await linkClient(t, linked, { groups: [group], desks: [desk] });
      onlyGroup = await makeClient(t, { tradeName: 'Linha Só Grupo' });
      await linkClient(t, onlyGroup, { groups: [group] });
      bare = await makeClient(t, { tradeName: 'Linha Sem Nada' });
      withPrimaryPhone = await makeClient(t, { tradeName: 'Linha Telefone' });
      await makeContact(t, withPrimaryPhone, {
        name: 'Paula Principal',
        phone: '(11) 3456-7890',
        mobile: '(11) 98765-4321',
      });
      await makeContact(t, withPrimaryPhone, { name: 'Outro Contato', phone: '(21) 2345-6789' });
      withPrimaryMobile = await makeClient(t, { tradeName: 'Linha Celular' });
      await makeContact(t, withPrimaryMobile, { name: 'Carlos Celular', mobile: '(11) 98765-4321' });
      onlyOthersHavePhones = await makeClient(t, { tradeName: 'Linha Outros Telefones' });
      await makeContact(t, onlyOthersHavePhones, { name: 'Sem Telefone', email: 'sem@telefone.com.br' });
      await makeContact(t, onlyOthersHavePhones, { name: 'Com Telefone', phone: '(31) 3333-4444' });
      rowsPage = (await list()).text;
    });

    it('shows code, trade name link, masked document and city/UF', async () => {
      const row = rowHtml(rowsPage, linked.id)!;
      expect(row).toContain(`<td>${linked.code}</td>`);
      expect(row).toContain(`<a href="/clients/${linked.id}">Linha Completa</a>`);
      expect(row).toContain('11.222.333/0001-81');
      expect(row).toContain('Curitiba/PR');
    });

    it('flags clients without attendant groups or service desks', async () => {
      expect(rowHtml(rowsPage, linked.id)).not.toContain('badge-warning');
      expect(rowHtml(rowsPage, onlyGroup.id)).not.toContain('sem grupo');
      expect(rowHtml(rowsPage, onlyGroup.id)).toContain('title="Sem mesa de serviço">sem mesa</span>');
      expect(rowHtml(rowsPage, bare.id)).toContain('title="Sem grupo de atendentes">sem grupo</span>');
      expect(rowHtml(rowsPage, bare.id)).toContain('title="Sem mesa de serviço">sem mesa</span>');
    });

    it("links the phone icon to tel: with the primary contact's E.164 number, phone before mobile", async () => {
      expect(
        findTag(rowHtml(rowsPage, withPrimaryPhone.id)!, 'a', {
          href: 'tel:+551134567890',
          'aria-label': 'Ligar para Linha Telefone',
          title: 'Ligar para Paula Principal: (11) 3456-7890',
        }),
      ).toBeDefined();
      expect(
        findTag(rowHtml(rowsPage, withPrimaryMobile.id)!, 'a', {
          href: 'tel:+5511987654321',
          'aria-label': 'Ligar para Linha Celular',
        }),
      ).toBeDefined();
    });

    it('links the phone icon to the contacts section when only non-primary contacts have phones', async () => {
      const row = rowHtml(rowsPage, onlyOthersHavePhones.id)!;
      expect(
        findTag(row, 'a', {
          href: `/clients/${onlyOthersHavePhones.id}#contacts`,
          'aria-label': 'Ligar para Linha Outros Telefones',
          title: 'Escolher um contato para ligar',
        }),
      ).toBeDefined();
      expect(row).not.toContain('tel:');
    });

    it('disables the phone icon, with the reason, when no contact has a phone', async () => {
      for (const client of [bare, linked]) {
        const row = rowHtml(rowsPage, client.id)!;
        expect(row).not.toContain('tel:');
        expect(
          findTag(row, 'span', {
            'aria-disabled': 'true',
            'aria-label': `Ligar para ${client.tradeName} (indisponível)`,
            title: 'Nenhum contato com telefone cadastrado',
          }),
        ).toBeDefined();
      }
    });

    it('offers the trash icon, named "Excluir …" by its title, leading to the deletion page', async () => {
      // A real link (no JS); htmx may enhance it into a dialog.
      expect(
        findTag(rowHtml(rowsPage, bare.id)!, 'a', {
          href: `/clients/${bare.id}/delete`,
          'hx-get': `/clients/${bare.id}/delete`,
          title: 'Excluir Linha Sem Nada',
        }),
      ).toBeDefined();
    });

    it('offers the inline status toggle: a button of the list’s one status form, with the list URL to come back to', async () => {
      const row = rowHtml(rowsPage, bare.id)!;
      expect(
        findTag(row, 'button', {
          form: 'status-form',
          formaction: `/clients/${bare.id}/status`,
          'hx-post': `/clients/${bare.id}/status`,
          name: 'status',
          value: 'inactive',
          'aria-label': 'Inativar Linha Sem Nada',
        }),
      ).toBeDefined();
      // The form carries the token and the way back once for all rows; htmx swaps the row in place.
      expect(rowsPage).toMatch(
        /<form id="status-form" method="post" hidden><input type="hidden" name="_csrf" value="[^"]+"><input type="hidden" name="returnTo" value="\/clients"><\/form>/,
      );
      expect(rowsPage).toContain('<tbody hx-target:inherited="closest tr" hx-swap:inherited="outerHTML">');
      expect(row).not.toContain('name="_csrf"');
    });

    it('escapes client names in the rows', async () => {
      const evil = await makeClient(t, { tradeName: '<script>alert(1)</script>' });
      const res = await list();
      expect(rowHtml(res.text, evil.id)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(res.text).not.toContain('<script>alert(1)');
    });

    it('shows an agent neither the toggle nor the trash icon', async () => {
      const group = await makeGroup(t, 'Grupo da Ana', [agentOperator]);
      await linkClient(t, bare, { groups: [group] });
      const agent = t.http();
      await login(agent, agentOperator.email, agentOperator.password);
      const res = await agent.get('/clients');
      expect(rowIds(res.text)).toEqual([bare.id]);
      const row = rowHtml(res.text, bare.id)!;
      expect(row).not.toContain('/status');
      expect(row).not.toContain('/delete');
      expect(row).toContain('<span class="badge badge-success">Ativo</span>');
      expect(res.text).not.toContain('href="/clients/new"');
    });
  });

  describe('SQL queries per page', () => {
    /** Counts the queries TypeORM runs (logger) and every query any pg client sends (sessions included). */
    async function countQueries(run: () => Promise<unknown>): Promise<{ app: number; total: number }> {
      const logger = t.dataSource.logger;
      const logQuery = logger.logQuery;
      const clientQuery = PgClient.prototype.query;
      let app = 0;
      let total = 0;
      logger.logQuery = function (this: unknown, ...args: Parameters<typeof logQuery>) {
        app++;
        return logQuery.apply(logger, args);
      };
      PgClient.prototype.query = function (this: PgClient, ...args: unknown[]) {
        // pg-boss polls its queues on connections of its own: not the request's queries.
        const name = (this as unknown as { connectionParameters: { application_name?: string } })
          .connectionParameters.application_name;
        if (name !== 'clientela-jobs') total++;
        return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof clientQuery;
      try {
        await run();
        // Let the session store finish touching the session row.
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        logger.logQuery = logQuery;
        PgClient.prototype.query = clientQuery;
      }
      return { app, total };
    }

    beforeAll(async () => {
      await removeAllClients(t);
      const group = await makeGroup(t, 'Grupo Consultas');
      const desk = await makeDesk(t, 'Mesa Consultas');
      // Rows with contacts and links, so a per-row lookup (N+1) would show.
      const big = await makeClients(t, 50, { prefix: 'Cinquenta' });
      const small = await makeClients(t, 5, { prefix: 'Cinco' });
      for (const id of [...big, ...small]) {
        await linkClient(t, { id }, { groups: [group], desks: [desk] });
        await makeContact(t, { id }, { name: 'Contato Principal', phone: '(11) 3456-7890' });
      }
    });

    it('runs the same small number of queries for a page of 5 rows and a page of 50', async () => {
      await list(); // warm-up: session and prepared state
      for (const sort of ['tradeName', 'city', 'createdAt']) {
        let five = 0;
        let fifty = 0;
        // Background jobs share the pool and can only add queries to a window: the fewest of three is the request's.
        const fewest = async (q: string, rows: (n: number) => void) => {
          const counts = [];
          for (let i = 0; i < 3; i++) {
            counts.push(
              await countQueries(async () => {
                const res = await list({ q, sort });
                rows(rowIds(res.text).length);
              }),
            );
          }
          return {
            app: Math.min(...counts.map((c) => c.app)),
            total: Math.min(...counts.map((c) => c.total)),
          };
        };
        const small = await fewest('cinco', (n) => (five = n));
        const big = await fewest('cinquenta', (n) => (fifty = n));
        expect([five, fifty]).toEqual([5, 50]);
        // The counters see the queries at all (rows and capped count are one statement, client-list.sql.ts)…
        expect(small.app).toBeGreaterThanOrEqual(1);
        expect(small.total).toBeGreaterThanOrEqual(small.app);
        // …and there are few of them, the same for 5 rows as for 50.
        expect(small.app).toBeLessThanOrEqual(5);
        expect(big.app).toBe(small.app);
        expect(big.total).toBe(small.total);
        expect(big.total).toBeLessThanOrEqual(5 + 2); // + reading and touching the session
      }
    });
  });
});

type Client = Awaited<ReturnType<typeof makeClient>>;
type Sortable = { id: string } & Partial<Record<SortKey, string | null>>;

/** The list's order: the key (empty values last in both directions), then the id, same direction. */
function referenceSort<T extends Sortable>(rows: T[], key: SortKey, dir: 'asc' | 'desc'): T[] {
  const sign = dir === 'asc' ? 1 : -1;
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows].sort((x, y) => {
    const a = x[key] ?? null;
    const b = y[key] ?? null;
    if (a === null && b !== null) return 1;
    if (b === null && a !== null) return -1;
    const byKey = a === null || b === null ? 0 : compare(a, b);
    return sign * (byKey || compare(x.id, y.id));
  });
}
