import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { AsaasService } from '../../src/integrations/asaas/asaas.service';
import { ContaAzulService } from '../../src/integrations/conta-azul/conta-azul.service';
import { ClientIntegrationLink } from '../../src/integrations/sync/client-integration-link.entity';
import type { ProviderId } from '../../src/integrations/sync/integration-settings.entity';
import { DEFAULT_RETRY } from '../../src/integrations/sync/provider-http';
import { SyncRun } from '../../src/integrations/sync/sync-run.entity';
import type { FakeAsaas } from '../support/fake-asaas';
import type { FakeContaAzul } from '../support/fake-conta-azul';
import type { TestDatabase } from '../support/database';
import type { TestApp } from '../support/test-app';
import { asSession } from './client.factory';
import { makeOperator } from './operator.factory';

/** Short backoffs so retry tests take milliseconds, not seconds (the waits a 429 asks for still apply). */
export const FAST_RETRY = { ...DEFAULT_RETRY, baseDelayMs: 50, maxDelayMs: 200, timeoutMs: 3_000 };

/** Asaas pointed at the fake (environment "custom"), the key saved through the service as the page does. */
export async function configureAsaas(t: TestApp, fake: FakeAsaas): Promise<void> {
  const admin = await makeOperator(t, 'admin', { name: 'Admin do Asaas' });
  const asaas = t.app.get(AsaasService);
  asaas.policy = FAST_RETRY;
  await asaas.save(asSession(admin), { environment: 'custom', baseUrl: fake.url, apiKey: fake.apiKey });
}

/** Conta Azul app credentials saved and the account connected through the fake's real code flow. */
export async function connectContaAzul(t: TestApp, fake: FakeContaAzul): Promise<void> {
  const admin = await makeOperator(t, 'admin', { name: 'Admin da Conta Azul' });
  const service = t.app.get(ContaAzulService);
  service.policy = FAST_RETRY;
  await service.save(asSession(admin), {
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    authBaseUrl: fake.url,
    apiBaseUrl: fake.url,
  });
  const authorize = await fetch(await service.authorizationUrl('test-state'), { redirect: 'manual' });
  const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
  await service.completeAuthorization(asSession(admin), code);
}

/** Polls until `check` returns a truthy value (background jobs), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const linkOf = (t: TestApp, clientId: string, provider: ProviderId) =>
  t.dataSource.getRepository(ClientIntegrationLink).findOneBy({ clientId, provider });

export const runById = (t: TestApp, id: string) =>
  t.dataSource.getRepository(SyncRun).findOneByOrFail({ id });

/** Waits until the client's latest run of one for the provider has finished; returns its link. */
export async function waitForClientSync(
  t: TestApp,
  clientId: string,
  provider: ProviderId,
): Promise<ClientIntegrationLink> {
  await waitFor(
    async () => {
      const open: Array<{ n: number }> = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM sync_runs WHERE client_id = $1 AND provider = $2 AND status IN ('queued', 'running')`,
        [clientId, provider],
      );
      return open[0].n === 0;
    },
    20_000,
    `the ${provider} sync of ${clientId}`,
  );
  return (await linkOf(t, clientId, provider))!;
}

/**
 * Waits until the test database has no session left (at most 3 s): a pg pool's `end()` resolves before its
 * sockets have closed, and `DROP DATABASE … WITH (FORCE)` would kill backends that are still saying goodbye
 * (an unhandled "terminating connection" error on a busy machine).
 */
export async function waitForNoSessions(db: TestDatabase): Promise<void> {
  if (db.embedded) return;
  const name = new URL(db.url).pathname.slice(1);
  const admin = new Client({ connectionString: db.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1') });
  await admin.connect();
  try {
    await waitFor(async () => {
      const [{ n }] = (
        await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`,
          [name],
        )
      ).rows;
      return n === 0;
    }, 3_000).catch(() => undefined);
  } finally {
    await admin.end();
  }
}

/** `t.close()`, waiting for the app's sessions to end before the database is dropped. */
export async function closeApp(t: TestApp): Promise<void> {
  await t.app.close();
  await waitForNoSessions(t.db);
  await t.db.drop();
  rmSync(t.config.dataDir, { recursive: true, force: true });
}
