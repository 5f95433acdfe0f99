import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import request from 'supertest';
import { makeClient } from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { testServerUrl } from '../../support/database';
import { buildApp, killApp, spawnApp, type AppProcess } from '../../support/built-app';
import { csrfFrom, login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';
import {
  postgresBinDir,
  startThrowawayPostgres,
  type ThrowawayPostgres,
} from '../../support/throwaway-postgres';

const run = promisify(execFile);
type Agent = ReturnType<typeof request.agent>;

/*
 * Database faults (503 then recovery without a restart; timeouts per connection): the app runs
 * on a PostgreSQL cluster of its own that the test stops with `pg_ctl stop -m immediate` and starts again,
 * whose backends it kills, and whose tables it locks. This needs the machine's PostgreSQL binaries and a
 * real server setup (TEST_DATABASE_URL or DATABASE_URL, as CI has); on the embedded database there is no
 * server to stop, so the suite is skipped there.
 */
const bin = postgresBinDir();
const skipReason = !testServerUrl()
  ? 'no TEST_DATABASE_URL/DATABASE_URL (tests run on embedded PGlite, which has no server to stop)'
  : !bin
    ? 'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin'
    : null;
if (skipReason) console.warn(`Database fault tests skipped: ${skipReason}.`);
const describeOnServer = skipReason ? describe.skip : describe;

const FRIENDLY_503 = 'O banco de dados está indisponível no momento. Tente de novo em alguns segundos.';

/** Runs startTestApp with the cluster as the test server (startTestApp creates a database on it). */
async function appOn(cluster: ThrowawayPostgres, options: { listen?: boolean } = {}): Promise<TestApp> {
  const saved = process.env.TEST_DATABASE_URL;
  process.env.TEST_DATABASE_URL = cluster.url;
  try {
    return await startTestApp(options);
  } finally {
    if (saved === undefined) delete process.env.TEST_DATABASE_URL;
    else process.env.TEST_DATABASE_URL = saved;
  }
}

async function timed<T>(action: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await action();
  return { value, ms: Date.now() - started };
}

async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 200,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`not ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Locks the clients table (ACCESS EXCLUSIVE, in an open transaction), sends a request and returns once that
 * request waits on the lock, found at once so the lock_timeout (1 s) still has nearly all its time to run: the
 * request stays in flight until `locker` commits. The caller ends `locker`.
 */
async function requestHeldByLock<T>(
  databaseUrl: string,
  send: () => Promise<T>,
): Promise<{ locker: Client; inFlight: Promise<T> }> {
  const locker = new Client({ connectionString: databaseUrl });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE clients IN ACCESS EXCLUSIVE MODE');
    const inFlight = send();
    await eventually(
      async () =>
        (
          await locker.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        ).rowCount! > 0,
      5_000,
      'waiting on the lock',
      20,
    );
    return { locker, inFlight };
  } catch (error) {
    await locker.end().catch(() => undefined);
    throw error;
  }
}

describeOnServer('database faults: outage, recovery, killed connections, locks, shutdown', () => {
  let cluster: ThrowawayPostgres;
  let t: TestApp;
  let admin: TestOperator;
  let agent: Agent;

  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
    t = await appOn(cluster, { listen: true });
    admin = await makeOperator(t, 'admin', { name: 'Ana Falhas' });
    await makeClient(t, { tradeName: 'Cliente Resiliente' });
    agent = request.agent(t.baseUrl);
    expect((await login(agent, admin.email, admin.password)).status).toBe(303);
  });
  afterAll(async () => {
    await t?.app.close().catch(() => undefined);
    await cluster?.destroy();
  });

  const adminClient = async () => {
    const client = new Client({ connectionString: t.db.url });
    await client.connect();
    return client;
  };

  it('answers 503 quickly with the friendly page while PostgreSQL is down; /readyz 503, /healthz 200', async () => {
    await cluster.stopImmediately();

    const signedIn = await timed(() => agent.get('/clients'));
    expect(signedIn.value.status).toBe(503);
    expect(signedIn.value.text).toContain(FRIENDLY_503);
    expect(signedIn.value.headers['retry-after']).toBeDefined();
    expect(signedIn.ms).toBeLessThan(3000);

    const anonymous = await timed(() => request(t.baseUrl).get('/login'));
    expect(anonymous.value.status).toBe(503);
    expect(anonymous.value.text).toContain(FRIENDLY_503);
    expect(anonymous.ms).toBeLessThan(3000);

    const htmx = await timed(() => agent.get('/clients?status=all').set('HX-Request', 'true'));
    expect(htmx.value.status).toBe(503);
    expect(htmx.value.headers['hx-retarget']).toBe('#flash');
    expect(htmx.value.text).toContain(FRIENDLY_503);
    expect(htmx.ms).toBeLessThan(3000);

    const post = await timed(() =>
      agent.post('/account').type('form').send({ name: 'Outro Nome', locale: 'pt-BR' }),
    );
    expect(post.value.status).toBe(503);
    expect(post.ms).toBeLessThan(3000);

    const ready = await timed(() => request(t.baseUrl).get('/readyz'));
    expect(ready.value.status).toBe(503);
    expect(ready.value.body).toEqual({ status: 'unavailable', database: 'down' });
    expect(ready.ms).toBeLessThan(3000);

    const health = await request(t.baseUrl).get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
  });

  it('recovers by itself, without a restart, within 10 s of PostgreSQL coming back', async () => {
    await cluster.start();
    const ms = await eventually(
      async () =>
        (await request(t.baseUrl).get('/readyz')).status === 200 &&
        (await agent.get('/clients')).status === 200,
      10_000,
      'recovered',
    );
    expect(ms).toBeLessThan(10_000);
    const page = await agent.get('/clients');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Cliente Resiliente'); // the same session, the same data
  });

  it('survives its idle connections being killed (pool errors are not fatal); the next request works', async () => {
    // Warm the pool: several connections, then idle.
    await Promise.all([agent.get('/clients'), agent.get('/account'), agent.get('/tickets')]);
    const admin = await adminClient();
    try {
      const { rows } = await admin.query<{ killed: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS killed
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      expect(rows[0].killed).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // the 'error' events of the idle clients
    const page = await agent.get('/clients');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Cliente Resiliente');
    expect((await request(t.baseUrl).get('/readyz')).status).toBe(200);
  });

  it('answers 503 (not 500) within about a second when a table lock outlasts lock_timeout', async () => {
    const locker = await adminClient();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE clients IN ACCESS EXCLUSIVE MODE');
      const blocked = await timed(() => agent.get('/clients'));
      expect(blocked.value.status).toBe(503);
      expect(blocked.value.text).toContain(FRIENDLY_503);
      expect(blocked.ms).toBeLessThan(3000);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    expect((await agent.get('/clients')).status).toBe(200);
  });

  it('restores from `pg_dump -Fc` + `pg_restore` as the README says: the copy serves the same data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clientela-dump-'));
    const dump = join(dir, 'clientela.dump');
    const restored = `clientela_restored_${Date.now().toString(36)}`;
    const server = new Client({ connectionString: cluster.url });
    await server.connect();
    try {
      await run(join(bin!, 'pg_dump'), ['-Fc', '-f', dump, t.db.url]);
      await server.query(`CREATE DATABASE ${restored}`);
      const target = new URL(cluster.url);
      target.pathname = `/${restored}`;
      await run(join(bin!, 'pg_restore'), ['--no-owner', '-d', target.toString(), dump]);

      const copy = new Client({ connectionString: target.toString() });
      await copy.connect();
      try {
        const operators = await copy.query(`SELECT email FROM operators WHERE email = $1`, [admin.email]);
        expect(operators.rowCount).toBe(1);
        const clients = await copy.query(`SELECT 1 FROM clients WHERE trade_name = 'Cliente Resiliente'`);
        expect(clients.rowCount).toBe(1);
      } finally {
        await copy.end();
      }
    } finally {
      await server.query(`DROP DATABASE IF EXISTS ${restored} WITH (FORCE)`).catch(() => undefined);
      await server.end();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /*
   * The same faults against the real process, as `npm start` runs it: main.ts's handlers decide whether a
   * pool error or a stray rejection is fatal, and SIGTERM is how a service manager stops the app. In jest
   * neither can be observed in-process (the sandbox sees no process events).
   */
  describe('the real process (node dist/src/main.js)', () => {
    let proc: AppProcess;
    let dataDir: string;
    let procAgent: Agent;
    let databaseUrl: string;

    beforeAll(async () => {
      await buildApp();
      const name = `clientela_process_${Date.now().toString(36)}`;
      const server = new Client({ connectionString: cluster.url });
      await server.connect();
      await server.query(`CREATE DATABASE ${name}`);
      await server.end();
      const url = new URL(cluster.url);
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
      dataDir = mkdtempSync(join(tmpdir(), 'clientela-proc-'));
      proc = await spawnApp({
        DATABASE_URL: databaseUrl,
        NODE_ENV: 'production',
        COOKIE_SECURE: 'false', // plain http on loopback
        APP_SECRET: 'process-test-secret-process-test-secret-0123',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      });
      await proc.ready();
      procAgent = request.agent(proc.baseUrl);
      const setup = await procAgent.get('/setup');
      const fields = { _csrf: csrfFrom(setup.text), name: 'Clara Processo', email: 'clara@example.com' };
      expect(
        (
          await procAgent
            .post('/setup')
            .type('form')
            .send({ ...fields, password: 'senha-do-processo-1' })
        ).status,
      ).toBe(303);
      expect((await login(procAgent, 'clara@example.com', 'senha-do-processo-1')).status).toBe(303);
    }, 120_000);
    afterAll(async () => {
      await killApp(proc);
      rmSync(dataDir, { recursive: true, force: true });
    });

    const alive = () => proc.child.exitCode === null && proc.child.signalCode === null;

    it('keeps running through killed connections and a database restart, then recovers by itself', async () => {
      await Promise.all([procAgent.get('/clients'), procAgent.get('/account'), procAgent.get('/tickets')]);
      const killer = new Client({ connectionString: databaseUrl });
      await killer.connect();
      await killer.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      await killer.end();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await procAgent.get('/clients')).status).toBe(200);
      expect(alive()).toBe(true);

      await cluster.stopImmediately();
      const down = await timed(() => procAgent.get('/clients'));
      expect(down.value.status).toBe(503);
      expect(down.value.text).toContain(FRIENDLY_503);
      expect(down.ms).toBeLessThan(3000);
      expect((await request(proc.baseUrl).get('/readyz')).status).toBe(503);
      expect((await request(proc.baseUrl).get('/healthz')).status).toBe(200);
      // Long enough for the job queue's workers (2 s polls) and idle pool clients to run into the outage.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(alive()).toBe(true);

      await cluster.start();
      await eventually(
        async () =>
          (await request(proc.baseUrl).get('/readyz')).status === 200 &&
          (await procAgent.get('/clients')).status === 200,
        10_000,
        'recovered',
      );
      expect(alive()).toBe(true);
      expect(proc.output()).not.toContain('unhandled promise rejection');
      expect(proc.output()).not.toMatch(/uncaught/i);
    });

    it('on SIGTERM finishes the request in flight (200), then exits with code 0', async () => {
      const { locker, inFlight } = await requestHeldByLock(databaseUrl, () =>
        procAgent.get('/clients').then((res) => res),
      );
      try {
        proc.child.kill('SIGTERM');
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(alive()).toBe(true); // waiting for the request
        await locker.query('COMMIT');
        const res = await inFlight;
        expect(res.status).toBe(200);
        expect(await proc.exited).toBe(0);
      } finally {
        await locker.end().catch(() => undefined);
      }
      expect(proc.output()).toContain('SIGTERM: finishing in-flight requests');
    });
  });

  describe('graceful shutdown', () => {
    it('app.close() lets a request already in flight finish with 200 before the pool closes', async () => {
      const other = await appOn(cluster, { listen: true });
      let closed = false;
      try {
        const op = await makeOperator(other, 'admin', { name: 'Bia Desligamento' });
        await makeClient(other, { tradeName: 'Cliente Em Voo' });
        const browser = request.agent(other.baseUrl);
        expect((await login(browser, op.email, op.password)).status).toBe(303);

        // Hold the list's query on a lock (shorter than lock_timeout), so the request is in flight for a while.
        const { locker, inFlight } = await requestHeldByLock(other.db.url, () =>
          browser.get('/clients').then((res) => res),
        );
        try {
          const closing = other.app.close().then(() => (closed = true));
          await new Promise((resolve) => setTimeout(resolve, 150));
          expect(closed).toBe(false); // still waiting for the request
          await locker.query('COMMIT');
          const res = await inFlight;
          expect(res.status).toBe(200);
          expect(res.text).toContain('Cliente Em Voo');
          await closing;
          expect(closed).toBe(true);
        } finally {
          await locker.end().catch(() => undefined);
        }
        // Closed for good: no new connections.
        await expect(request(other.baseUrl).get('/healthz')).rejects.toThrow(/ECONNREFUSED/);
      } finally {
        if (!closed) await other.app.close().catch(() => undefined);
        await other.db.drop().catch(() => undefined);
      }
    });
  });
});
