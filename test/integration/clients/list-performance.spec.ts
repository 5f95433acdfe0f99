import { Client as PgClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import type { SessionOperator } from '../../../src/auth/session-operator';
import { clientListQuery } from '../../../src/clients/client-list.sql';
import { documentSearch } from '../../../src/clients/search';
import type { ListState } from '../../../src/clients/dto/list-clients.query';
import {
  linkClient,
  makeContact,
  makeDesk,
  makeGroup,
  removeAllClients,
} from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { rowIds } from '../../support/html';
import { login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

/**
 * "≤ 5 SQL queries per page whatever the page size" and the plan shapes the list's speed at
 * 1,000,000 clients depends on (BENCHMARKS.md). No timings here: `npm run bench` measures those.
 */
describe('client list performance guards', () => {
  let t: TestApp;
  let manager: TestOperator;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager');
  });
  afterAll(() => t.close());

  const state = (changes: Partial<ListState> = {}): ListState => ({
    status: 'active',
    q: '',
    sort: 'tradeName',
    dir: 'asc',
    page: 1,
    ...changes,
  });
  const session = (): SessionOperator => ({
    id: manager.id,
    name: manager.name,
    email: manager.email,
    role: manager.role,
    locale: 'pt-BR',
  });

  /**
   * pg-boss polls its queues every 2 s on connections of its own: on a loaded machine a poll lands in a
   * request's window and is not the request's.
   */
  const isJobQueueConnection = (client: PgClient) =>
    (client as unknown as { connectionParameters: { application_name?: string } }).connectionParameters
      .application_name === 'clientela-jobs';

  describe('SQL queries per page', () => {
    let http: ReturnType<TestApp['http']>;

    /**
     * Every query any pg client of the process sends while `run` runs: the list's, the session store's. The job
     * queue's workers poll `pgboss.*` on a timer of their own, whenever it fires: not the request's queries.
     */
    async function countQueries(run: () => Promise<unknown>): Promise<string[]> {
      const original = PgClient.prototype.query;
      const seen: string[] = [];
      PgClient.prototype.query = function (this: PgClient, ...args: unknown[]) {
        const first = args[0] as string | { text?: string };
        if (!isJobQueueConnection(this)) seen.push(typeof first === 'string' ? first : (first?.text ?? '?'));
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof original;
      try {
        await run();
        // express-session touches the session row after the response is sent.
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        PgClient.prototype.query = original;
      }
      return seen;
    }

    beforeAll(async () => {
      await removeAllClients(t);
      const group = await makeGroup(t, 'Grupo Contagem');
      const desk = await makeDesk(t, 'Mesa Contagem');
      const inserted: Array<{ id: string; status: string }> = await t.dataSource.query(
        `INSERT INTO clients (trade_name, legal_name, city, state, status)
         SELECT format('%s %s', CASE WHEN i <= 50 THEN 'Cinquenta' ELSE 'Cinco' END, lpad(i::text, 3, '0')),
                'Razão ' || i, 'Curitiba', 'PR', CASE WHEN i <= 50 THEN 'active' ELSE 'inactive' END
         FROM generate_series(1, 55) i RETURNING id, status`,
      );
      // Links and contacts on every row, so a per-row lookup (N+1) would show in the counts.
      for (const { id } of inserted) {
        await linkClient(t, { id }, { groups: [group], desks: [desk] });
        await makeContact(t, { id }, { name: 'Contato Principal', phone: '(11) 3456-7890' });
      }
      http = t.http();
      await login(http, manager.email, manager.password);
      await http.get('/clients'); // warm-up: the session row, cached settings
    });

    it.each([
      ['the default list (status filter)', { status: 'inactive' }, {}],
      ['a search', { status: 'all', q: 'cinco' }, { status: 'all', q: 'cinquenta' }],
      [
        'a sort by city, descending',
        { status: 'inactive', sort: 'city', dir: 'desc' },
        { sort: 'city', dir: 'desc' },
      ],
    ])(
      'sends as many queries for 5 rows as for 50 in %s, at most 5 with the session',
      async (_, five, fifty) => {
        const rows: number[] = [];
        const small = await countQueries(async () => {
          const res = await http.get('/clients').query(five);
          rows.push(rowIds(res.text).length);
        });
        const big = await countQueries(async () => {
          const res = await http
            .get('/clients')
            .query(fifty)
            .set('HX-Request', 'true')
            .set('HX-Target', 'clients-table');
          rows.push(rowIds(res.text).length);
        });
        expect(rows).toEqual([5, 50]);
        // Compared statement by statement, so a failure names the extra query.
        const kinds = (queries: string[]) => queries.map((sql) => sql.replace(/\s+/g, ' ').slice(0, 60));
        expect(kinds(big)).toEqual(kinds(small));
        expect(small.length).toBeLessThanOrEqual(5);
        // The counter sees the list statement and the session store's read.
        expect(small.some((sql) => /FROM clients c/.test(sql))).toBe(true);
        expect(small.some((sql) => /^SELECT sess\b/.test(sql))).toBe(true);
      },
    );

    it('keeps the markup of a full page within Latin-1, so V8 encodes it as a one-byte string', async () => {
      // One character above U+00FF anywhere (an arrow, a dash) makes the whole ~110 KB page a two-byte
      // string: flattening and encoding it then cost ≈0.15 ms more per response (BENCHMARKS.md). Symbols
      // go in as character references (&#9650;) instead; client data may still bring wide characters.
      for (const query of [{}, { sort: 'city', dir: 'desc' }, { page: '2', status: 'all' }]) {
        const res = await http.get('/clients').query(query);
        expect(res.status).toBe(200);
        expect([...new Set(res.text.match(/[\u{100}-\u{10ffff}]/gu) ?? [])]).toEqual([]);
      }
    });
  });

  describe('query plans (EXPLAIN)', () => {
    let runner: QueryRunner;

    /** Node types and index names anywhere in the plan. */
    function scans(plan: PlanNode, out: Array<{ node: string; index?: string; direction?: string }> = []) {
      out.push({ node: plan['Node Type'], index: plan['Index Name'], direction: plan['Scan Direction'] });
      for (const child of plan.Plans ?? []) scans(child, out);
      return out;
    }
    async function explain(list: ListState, analyze = false): Promise<PlanNode> {
      const { text, values } = clientListQuery(session(), list);
      const [row] = (await runner.query(
        `EXPLAIN (${analyze ? 'ANALYZE, ' : ''}FORMAT JSON) ${text}`,
        values,
      )) as Array<{
        'QUERY PLAN': Array<{ Plan: PlanNode }> | string;
      }>;
      const json = row['QUERY PLAN'];
      return (typeof json === 'string' ? JSON.parse(json) : json)[0].Plan;
    }
    function subplan(plan: PlanNode, name: string): PlanNode {
      const found = (node: PlanNode): PlanNode | undefined =>
        node['Subplan Name'] === name ? node : (node.Plans ?? []).map(found).find(Boolean);
      const node = found(plan);
      if (!node) throw new Error(`no ${name} in the plan`);
      return node;
    }
    const indexesOf = (plan: PlanNode) => scans(plan).flatMap((s) => (s.index ? [s.index] : []));

    beforeAll(async () => {
      await removeAllClients(t);
      // 3,000 clients: names, some empty cities and legal names, a tenth inactive, a rare word in 12 of them.
      await t.dataSource.query(
        `INSERT INTO clients (trade_name, legal_name, document, city, state, status, email)
         SELECT format('%s %s', (ARRAY['Padaria','Ferragens','Clínica','Transportes'])[1 + i % 4], lpad(i::text, 5, '0'))
                  || CASE WHEN i % 250 = 0 THEN ' Zimbabué' ELSE '' END,
                CASE WHEN i % 7 = 0 THEN NULL ELSE 'Razão Social ' || i END,
                lpad(i::text, 11, '0'),
                CASE WHEN i % 9 = 0 THEN NULL ELSE (ARRAY['Curitiba','Recife','Belém','Natal'])[1 + i % 4] END,
                'PR', CASE WHEN i % 10 = 7 THEN 'inactive' ELSE 'active' END, 'contato' || i || '@exemplo.com.br'
         FROM generate_series(1, 3000) i`,
      );
      await t.dataSource.query(
        `INSERT INTO contacts (client_id, name, phone, is_primary) SELECT id, 'Contato', '+554133334444', true FROM clients`,
      );
      // VACUUM also moves the new rows out of the trigram index's pending list, as autovacuum would.
      await t.dataSource.query(`VACUUM ANALYZE clients`);
      await t.dataSource.query(`VACUUM ANALYZE contacts`);
      runner = t.dataSource.createQueryRunner();
      await runner.connect();
      // On a small table a sequential scan and a sort can be cheaper; pin the choice among the indexes.
      await runner.query(`SET enable_seqscan = off`);
    });
    afterAll(async () => {
      await runner.query(`RESET enable_seqscan`);
      await runner.release();
    });

    it('reads the default page (active, by trade name) in index order from (status, trade_name, id)', async () => {
      const plan = await explain(state());
      expect(indexesOf(plan)).toContain('clients_status_trade_name_idx');
      expect(indexesOf(plan)).not.toContain('clients_search_trgm_idx');
    });

    it.each([
      [{ sort: 'tradeName', dir: 'desc' }, 'clients_status_trade_name_idx', 'Backward'],
      [{ sort: 'city', dir: 'desc' }, 'clients_status_city_desc_idx', 'Forward'],
      [{ sort: 'legalName', dir: 'desc', status: 'all' }, 'clients_legal_name_desc_idx', 'Forward'],
      [{ sort: 'document', dir: 'asc', status: 'inactive' }, 'clients_status_document_idx', 'Forward'],
      [{ sort: 'status', dir: 'desc', status: 'all' }, 'clients_status_id_idx', 'Backward'],
      [{ sort: 'createdAt', dir: 'desc' }, 'clients_status_created_at_idx', 'Backward'],
    ] as Array<[Partial<ListState>, string, string]>)(
      'serves %j from %s (%s), without sorting the table',
      async (changes, index, direction) => {
        const page = subplan(await explain(state(changes)), 'CTE page');
        expect(scans(page)).toContainEqual(expect.objectContaining({ index, direction }));
        expect(scans(page).map((s) => s.node)).not.toContain('Sort');
      },
    );

    it('looks up contacts and links for the 51 rows of a deep page only, not for the skipped ones', async () => {
      const plan = await explain(state({ page: 40 }), true);
      const all = scans(plan);
      expect(all.some((s) => s.index === 'clients_status_trade_name_idx')).toBe(true);
      const loops = (node: PlanNode): number[] => [
        ...(/contacts|client_attendant_groups|client_service_desks/.test(
          node['Relation Name'] ?? node['Index Name'] ?? '',
        )
          ? [node['Actual Loops'] ?? 0]
          : []),
        ...(node.Plans ?? []).flatMap(loops),
      ];
      expect(loops(plan).length).toBeGreaterThan(0);
      expect(Math.max(...loops(plan))).toBeLessThanOrEqual(51);
    });

    it('collects search matches through the trigram index, never by walking a sort index', async () => {
      const plan = await explain(state({ q: 'zimbabue', status: 'all' }));
      const all = scans(plan);
      expect(all).toContainEqual(
        expect.objectContaining({ node: 'Bitmap Index Scan', index: 'clients_search_trgm_idx' }),
      );
      // The sort indexes are not used to find matches: the few matches are sorted in memory.
      expect(
        indexesOf(plan).filter((i) =>
          /^clients_(status_)?(trade_name|city|legal_name|document|created_at)/.test(i),
        ),
      ).toEqual([]);
    });

    it('looks a complete CNPJ up in the document btree, not the trigram index', async () => {
      expect(documentSearch('11.222.333/0001-81')).toBe('11222333000181');
      expect(documentSearch('12.abc.345/01de-35')).toBe('12ABC34501DE35');
      expect(documentSearch('529.982.247-25')).toBe('52998224725');
      expect(documentSearch('52998224725')).toBeNull(); // maybe the start of a CNPJ: a text search
      expect(documentSearch('11.222.333/0001-82')).toBeNull(); // wrong check digits
      const plan = await explain(state({ q: '11.222.333/0001-81' }));
      expect(indexesOf(plan).some((i) => i.startsWith('clients_document'))).toBe(true);
      expect(indexesOf(plan)).not.toContain('clients_search_trgm_idx');
    });
  });
});

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Scan Direction'?: string;
  'Actual Loops'?: number;
  'Subplan Name'?: string;
  Plans?: PlanNode[];
}
