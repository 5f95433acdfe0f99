import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, killApp, runCli, spawnApp, type AppProcess } from '../../support/built-app';

interface LogLine {
  level: number;
  context?: string;
  msg: string;
}

const logLines = (output: string): LogLine[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

/** Polls the output until `predicate` holds (the last lines are written just after the port opens). */
async function outputUntil(app: AppProcess, predicate: (output: string) => boolean): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (!predicate(app.output())) {
    if (Date.now() > deadline) throw new Error(`not seen in the output:\n${app.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return app.output();
}

const WIRING = ['InstanceLoader', 'RoutesResolver', 'RouterExplorer'];

describe('npm start on a new install', () => {
  let dataDir: string;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    await buildApp();
    dataDir = mkdtempSync(join(tmpdir(), 'clientela-first-start-'));
  }, 120_000);
  afterAll(async () => {
    await killApp(app);
    rmSync(dataDir, { recursive: true, force: true });
  });

  // As a newcomer runs it: no settings at all, so the default log level.
  const env = () => ({
    DATA_DIR: dataDir,
    NODE_ENV: 'development',
    LOG_LEVEL: undefined,
    APP_SECRET: undefined,
  });

  it('ends its console with the address that leads to creating the first admin, without route mapping', async () => {
    app = await spawnApp(env());
    await app.ready(90_000);
    const lines = logLines(await outputUntil(app, (out) => out.includes('First start')));
    expect(lines.at(-1)).toMatchObject({
      level: 30,
      msg: `First start: open ${app.baseUrl}/setup to create the first admin.`,
    });
    expect(lines.filter((line) => WIRING.includes(line.context ?? ''))).toEqual([]);
    expect(lines.length).toBeLessThan(10);
    await killApp(app);
  }, 120_000);

  it('once an admin exists, says where it listens and no longer points to /setup; wiring shows at debug', async () => {
    const created = await runCli(
      [
        'operator:create',
        '--email',
        'ana@example.com',
        '--name',
        'Ana Souza',
        '--role',
        'admin',
        '--password',
        'uma-senha-bem-longa',
      ],
      env(),
    );
    expect(created.code).toBe(0);

    app = await spawnApp({ ...env(), LOG_LEVEL: 'debug' });
    await app.ready(90_000);
    await outputUntil(app, (out) => out.includes('Clientela listening on'));
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const lines = logLines(app.output());
    expect(lines.find((line) => line.msg.startsWith('Clientela listening on'))?.msg).toContain(app.baseUrl);
    expect(lines.some((line) => line.msg.includes('/setup') && line.context === 'Main')).toBe(false);
    const routes = lines.filter((line) => line.context === 'RouterExplorer');
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.every((line) => line.level === 20)).toBe(true);
  }, 120_000);
});
