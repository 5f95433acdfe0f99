import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { buildApp, killApp, spawnApp, type AppProcess } from '../../support/built-app';
import { csrfFor, csrfFrom, login } from '../../support/session';

type Agent = ReturnType<typeof request.agent>;

const ADMIN = { name: 'Eva Primeira', email: 'eva@example.com', password: 'uma-senha-que-sobrevive' };

/**
 * Data safety of the embedded database (no DATABASE_URL → PGlite under DATA_DIR): the real app,
 * built as `npm start` builds it, runs as a child process; `kill -9` right after a change must not lose
 * it, and the README's backup recipe for the embedded database (stop the app, copy DATA_DIR) must give a
 * working copy.
 */
describe('embedded database: kill -9 and backup by copying DATA_DIR', () => {
  let dataDir: string;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    await buildApp();
    dataDir = mkdtempSync(join(tmpdir(), 'clientela-embedded-'));
  }, 120_000);
  afterAll(async () => {
    await killApp(app);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The app on the embedded database in `dir`, as a local install runs it (no DATABASE_URL, no APP_SECRET). */
  async function start(dir: string): Promise<AppProcess> {
    const started = await spawnApp({
      DATA_DIR: dir,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      APP_SECRET: undefined,
    });
    await started.ready(90_000);
    return started;
  }

  async function signIn(base: string): Promise<Agent> {
    const agent = request.agent(base);
    const res = await login(agent, ADMIN.email, ADMIN.password);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/clients');
    return agent;
  }

  it('keeps the first admin created at /setup after a kill -9 right after the answer', async () => {
    app = await start(dataDir);
    const agent = request.agent(app.baseUrl);
    const form = await agent.get('/setup');
    expect(form.status).toBe(200);
    const res = await agent
      .post('/setup')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), ...ADMIN });
    expect(res.status).toBe(303);
    await killApp(app); // SIGKILL: no shutdown hook, no checkpoint

    app = await start(dataDir);
    expect((await request(app.baseUrl).get('/setup')).status).toBe(404); // an operator exists
    await signIn(app.baseUrl);
  }, 120_000);

  it('keeps a client registered just before a kill -9', async () => {
    const agent = await signIn(app!.baseUrl);
    const token = await csrfFor(agent, '/clients/new');
    const created = await agent
      .post('/clients')
      .type('form')
      .send({ _csrf: token, tradeName: 'Padaria Sobrevivente', personType: 'PJ' });
    expect(created.status).toBe(303);
    await killApp(app);

    app = await start(dataDir);
    const list = await (await signIn(app.baseUrl)).get('/clients');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Padaria Sobrevivente');
  }, 120_000);

  it('restores from a copy of DATA_DIR taken after a normal stop (README "Backups")', async () => {
    app!.child.kill('SIGTERM');
    expect(await app!.exited).toBe(0);
    const copy = mkdtempSync(join(tmpdir(), 'clientela-restored-'));
    try {
      cpSync(dataDir, copy, { recursive: true });
      app = await start(copy);
      const list = await (await signIn(app.baseUrl)).get('/clients');
      expect(list.text).toContain('Padaria Sobrevivente');
      await killApp(app);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 120_000);
});
