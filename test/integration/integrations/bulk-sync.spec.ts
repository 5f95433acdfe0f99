import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CreateBillingIntegrations1764324500000 } from '../../../migrations/1764324500000-CreateBillingIntegrations';
import { createApp } from '../../../src/bootstrap';
import { loadConfig } from '../../../src/config/app-config';
import { AsaasService } from '../../../src/integrations/asaas/asaas.service';
import type { ProviderId } from '../../../src/integrations/sync/integration-settings.entity';
import { makeClient, nextCnpj, removeAllClients } from '../../factories/client.factory';
import {
  closeApp,
  configureAsaas,
  connectContaAzul,
  FAST_RETRY,
  runById,
  waitFor,
  waitForNoSessions,
} from '../../factories/integrations.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { provisionTestDatabase } from '../../support/database';
import { startFakeAsaas, type FakeAsaas } from '../../support/fake-asaas';
import { startFakeContaAzul, type FakeContaAzul } from '../../support/fake-conta-azul';
import { text } from '../../support/html';
import { csrfFor, login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

/** `count` active clients with a CNPJ each (one statement), in code order. */
async function makeClientsWithDocuments(
  dataSource: DataSource,
  count: number,
  prefix: string,
): Promise<string[]> {
  const documents = Array.from({ length: count }, () => nextCnpj());
  const rows: Array<{ id: string }> = await dataSource.query(
    `INSERT INTO clients (trade_name, document, status)
     SELECT format('%s %s', $1::text, lpad(i::text, 3, '0')), ($2::text[])[i], 'active'
     FROM generate_series(1, $3::int) AS i ORDER BY i RETURNING id`,
    [prefix, documents, count],
  );
  return rows.map((r) => r.id);
}

const startBulk = async (agent: Agent, provider: ProviderId) => {
  const res = await postForm(agent, `/integrations/${provider}/sync-all`, {}, '/integrations');
  expect(res.status).toBe(303);
  const match = new RegExp(`^/integrations/${provider}/runs/([0-9a-f-]{36})$`).exec(res.headers.location);
  expect(match).not.toBeNull();
  return match![1];
};

describe('bulk sync of all active clients', () => {
  let t: TestApp;
  let asaas: FakeAsaas;
  let contaAzul: FakeContaAzul;
  let admin: TestOperator;
  let agent: Agent;

  beforeAll(async () => {
    t = await startTestApp();
    asaas = await startFakeAsaas();
    contaAzul = await startFakeContaAzul();
    admin = await makeOperator(t, 'admin', { name: 'Ana Admin' });
    agent = t.http();
    await login(agent, admin.email, admin.password);
    await configureAsaas(t, asaas);
    await connectContaAzul(t, contaAzul);
  });
  afterAll(async () => {
    await closeApp(t);
    await asaas.close();
    await contaAzul.close();
  });
  beforeEach(async () => {
    await removeAllClients(t);
    asaas.delayMs = 0;
  });

  it('shows the progress (n of m) on a page that polls itself until the run ends, then lists the errors', async () => {
    await makeClientsWithDocuments(t.dataSource, 10, 'Lote Asaas');
    const noDocument = await makeClient(t, { tradeName: 'Zeta Sem CNPJ' });
    const inactive = await makeClient(t, {
      tradeName: 'Inativo Ltda',
      document: nextCnpj(),
      status: 'inactive',
    });
    asaas.delayMs = 60;

    const runId = await startBulk(agent, 'asaas');
    const page = await agent.get(`/integrations/asaas/runs/${runId}`);
    expect(page.status).toBe(200);
    expect(text(page.text)).toContain('Sincronização de todos os clientes ativos com Asaas iniciada.');
    expect(text(page.text)).toMatch(/\d+ de 11 clientes/);
    expect(page.text).toContain('hx-trigger="every 2s"');
    expect(page.text).toContain(`href="/integrations/asaas/runs/${runId}">Atualizar</a>`);

    // Asking again while it runs shows the same run instead of starting another.
    expect(await startBulk(agent, 'asaas')).toBe(runId);

    const midway = await waitFor(async () => {
      const run = await runById(t, runId);
      return run.done > 0 && run.done < 11 ? run : null;
    });
    const fragment = await agent
      .get(`/integrations/asaas/runs/${runId}`)
      .set('HX-Request', 'true')
      .set('HX-Target', 'section#sync-run-progress');
    expect(fragment.text.trim()).toMatch(/^<section id="sync-run-progress"/);
    expect(fragment.text).toContain('hx-trigger="every 2s"');
    expect(text(fragment.text)).toMatch(new RegExp(`\\d+ de 11 clientes`));
    expect(midway.status).toBe('running');

    const done = await waitFor(async () => {
      const run = await runById(t, runId);
      return run.status === 'finished' ? run : null;
    });
    expect(done).toMatchObject({ total: 11, done: 11, failed: 1 });
    expect(done.errors).toEqual([
      expect.objectContaining({ clientId: noDocument.id, errorCode: 'missing_document' }),
    ]);
    expect(asaas.customers.filter((c) => c.externalReference)).toHaveLength(10);
    expect(asaas.customers.some((c) => c.externalReference === inactive.id)).toBe(false);

    const final = await agent
      .get(`/integrations/asaas/runs/${runId}`)
      .set('HX-Request', 'true')
      .set('HX-Target', 'section#sync-run-progress');
    expect(final.text).not.toContain('hx-trigger');
    expect(final.text).not.toContain('>Atualizar</a>');
    expect(text(final.text)).toContain('Sincronização concluída');
    expect(text(final.text)).toContain('11 de 11 clientes');
    expect(text(final.text)).toContain('10 sincronizado(s)');
    expect(text(final.text)).toContain('1 com erro');
    expect(text(final.text)).toContain('Zeta Sem CNPJ');
    expect(text(final.text)).toContain('O cliente não tem CPF/CNPJ, exigido por Asaas');

    const overview = await agent.get('/integrations');
    expect(overview.status).toBe(200);
    expect(overview.text).toContain(`/integrations/asaas/runs/${runId}`);
  });

  it('keeps Conta Azul at no more than 8 requests per second', async () => {
    await makeClientsWithDocuments(t.dataSource, 12, 'Lote CA');
    const from = contaAzul.apiRequests().length;
    const runId = await startBulk(agent, 'conta-azul');
    const done = await waitFor(async () => {
      const run = await runById(t, runId);
      return run.status === 'finished' ? run : null;
    }, 30_000);
    expect(done).toMatchObject({ total: 12, done: 12, failed: 0 });
    const times = contaAzul
      .apiRequests()
      .slice(from)
      .map((r) => r.at);
    expect(times.length).toBeGreaterThanOrEqual(24); // a search and a create per client
    // Counted as they arrive at the fake (same process: up to ~100 ms of event-loop jitter is allowed for).
    const busiest = Math.max(
      ...times.map((start) => times.filter((at) => at >= start && at < start + 900).length),
    );
    expect(busiest).toBeLessThanOrEqual(8);
  });

  it('is for admins and managers; agents get 403', async () => {
    const agentOp = await makeOperator(t, 'agent');
    const a = t.http();
    await login(a, agentOp.email, agentOp.password);
    const token = await csrfFor(a, '/account');
    expect((await a.post('/integrations/asaas/sync-all').type('form').send({ _csrf: token })).status).toBe(
      403,
    );
    expect((await a.get('/integrations')).status).toBe(403);
  });

  it('has a migration whose down() removes its tables and whose up() brings them back', async () => {
    const migration = new CreateBillingIntegrations1764324500000();
    const runner = t.dataSource.createQueryRunner();
    const tables = async () =>
      (
        await runner.query(
          `SELECT table_name FROM information_schema.tables WHERE table_name IN ('integration_settings', 'client_integration_links', 'sync_runs') ORDER BY 1`,
        )
      ).map((r: { table_name: string }) => r.table_name);
    const saved = await runner.query(`SELECT * FROM integration_settings ORDER BY provider`);
    try {
      await migration.down(runner);
      expect(await tables()).toEqual([]);
      await migration.up(runner);
      expect(await tables()).toEqual(['client_integration_links', 'integration_settings', 'sync_runs']);
      expect(
        (await runner.query(`SELECT provider FROM integration_settings ORDER BY 1`)).map(
          (r: { provider: string }) => r.provider,
        ),
      ).toEqual(['asaas', 'conta-azul']);
    } finally {
      for (const row of saved) {
        await runner.query(
          `UPDATE integration_settings SET settings = $2, secrets_enc = $3, access_token_enc = $4, refresh_token_enc = $5, expires_at = $6, connected_at = $7 WHERE provider = $1`,
          [
            row.provider,
            row.settings,
            row.secrets_enc,
            row.access_token_enc,
            row.refresh_token_enc,
            row.expires_at,
            row.connected_at,
          ],
        );
      }
      await runner.query(`SELECT clientela_install_deletion_guards()`);
      await runner.release();
    }
  });
});

describe('a bulk sync interrupted by a restart', () => {
  it('resumes where it stopped when the app starts again, creating no duplicates', async () => {
    const db = await provisionTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'clientela-test-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      APP_SECRET: 'test-secret-test-secret-test-secret-0123456789',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    const fake = await startFakeAsaas();
    const apps: NestExpressApplication[] = [];
    const start = async () => {
      const app = await createApp(config, db.url);
      await app.init();
      apps.push(app);
      app.get(AsaasService).policy = FAST_RETRY;
      return app;
    };
    try {
      const first = await start();
      const t1 = {
        app: first,
        dataSource: first.get(DataSource),
        config,
        db,
        baseUrl: '',
        http: () => request.agent(first.getHttpServer()),
        close: async () => {},
      } as TestApp;
      const admin = await makeOperator(t1, 'admin');
      const agent = t1.http();
      await login(agent, admin.email, admin.password);
      await configureAsaas(t1, fake);
      const ids = await makeClientsWithDocuments(t1.dataSource, 12, 'Reinício');
      fake.delayMs = 120;

      const runId = await startBulk(agent, 'asaas');
      await waitFor(async () => (await runById(t1, runId)).done >= 3);
      await first.close(); // the worker stops between two clients; its job goes back to the queue
      apps.pop();

      const probe = new DataSource({ type: 'postgres', url: db.url, entities: [] });
      await probe.initialize();
      const [afterStop] = await probe.query(`SELECT status, done, cursor_code FROM sync_runs WHERE id = $1`, [
        runId,
      ]);
      await probe.destroy();
      expect(afterStop.status).toBe('running');
      expect(afterStop.done).toBeGreaterThanOrEqual(3);
      expect(afterStop.done).toBeLessThan(12);
      const createdBeforeRestart = fake.customers.length;
      expect(createdBeforeRestart).toBeLessThan(12);

      fake.delayMs = 0;
      const requestsBeforeRestart = fake.requests.length;
      const second = await start();
      const t2 = { dataSource: second.get(DataSource) } as TestApp;
      const finished = await waitFor(async () => {
        const run = await runById(t2, runId);
        return run.status === 'finished' ? run : null;
      }, 30_000);
      expect(finished).toMatchObject({ total: 12, done: 12, failed: 0 });
      const references = fake.customers.map((c) => c.externalReference);
      expect(references).toHaveLength(12);
      expect(new Set(references)).toEqual(new Set(ids));
      // Clients finished before the stop were not looked at again: the run continued after its cursor.
      const lookups = fake.requests
        .slice(requestsBeforeRestart)
        .filter((r) => r.query.has('externalReference'));
      expect(lookups).toHaveLength(12 - afterStop.done);
      const posts = fake.requests.filter((r) => r.method === 'POST');
      expect(posts).toHaveLength(12);
      const links: Array<{ n: number }> = await t2.dataSource.query(
        `SELECT count(*)::int AS n FROM client_integration_links WHERE provider = 'asaas' AND status = 'synced'`,
      );
      expect(links[0].n).toBe(12);
    } finally {
      for (const app of apps) await app.close();
      await fake.close();
      await waitForNoSessions(db);
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
