import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, killApp, runCli, spawnApp, type AppProcess } from '../../support/built-app';

const ROOT = join(__dirname, '..', '..', '..');
const LOCK_MODULE = join(ROOT, 'dist', 'src', 'database', 'data-dir-lock.js');

/** How a local install runs: no DATABASE_URL, so the embedded database under DATA_DIR. */
const embeddedEnv = (dataDir: string) => ({ DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'warn' });

/** The PID of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

/**
 * A process that takes the lock of `dataDir` with the built lock module and prints `locked` (keeping it until
 * its stdin closes) or `refused <pid>`.
 */
function contender(dataDir: string) {
  const script = `
    const { lockDataDir, DataDirLockedError } = require(${JSON.stringify(LOCK_MODULE)});
    try {
      lockDataDir(${JSON.stringify(dataDir)});
      console.log('locked');
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));
    } catch (error) {
      if (!(error instanceof DataDirLockedError)) throw error;
      console.log('refused ' + error.owner.pid);
    }`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answer = new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, answer, exited };
}

describe('the embedded database is opened by one process at a time', () => {
  // One install for the tests that start the app (its first start creates the database: seconds), a bare
  // folder for each test that only takes the lock.
  let dataDir: string;
  let lockDir: string;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    await buildApp();
    dataDir = mkdtempSync(join(tmpdir(), 'clientela-lock-'));
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  beforeEach(() => {
    lockDir = mkdtempSync(join(tmpdir(), 'clientela-lock-only-'));
  });
  afterEach(async () => {
    await killApp(app);
    app = undefined;
    rmSync(lockDir, { recursive: true, force: true });
  });

  it('refuses the CLI and a second app while the app runs on it, naming the PID of the app', async () => {
    app = await spawnApp(embeddedEnv(dataDir));
    await app.ready(90_000);

    const cli = await runCli(['purge:run'], embeddedEnv(dataDir));
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`in use by process ${app.child.pid} (main.js)`);
    expect(cli.stdout).not.toContain('purge');

    const second = await spawnApp(embeddedEnv(dataDir));
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`in use by process ${app.child.pid}`);

    // the first one was not disturbed
    expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);
  }, 180_000);

  it('takes over the lock left by an app killed with kill -9, and leaves none after a normal end', async () => {
    app = await spawnApp(embeddedEnv(dataDir));
    await app.ready(90_000);
    const killedPid = app.child.pid;
    await killApp(app); // SIGKILL: the lock file stays behind
    expect(JSON.parse(readFileSync(join(dataDir, 'pglite.lock'), 'utf8')).pid).toBe(killedPid);

    const cli = await runCli(['migrate'], embeddedEnv(dataDir));
    expect(cli.code).toBe(0);
    expect(cli.stderr).toContain(`left open by process ${killedPid}, which no longer runs`);
    expect(cli.stdout).toContain('No pending migrations.');
    expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);

    app = await spawnApp(embeddedEnv(dataDir));
    await app.ready(90_000);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);
  }, 180_000);

  it('lets exactly one of several processes racing for a stale lock take it over', async () => {
    const stalePid = await deadPid();
    writeFileSync(join(lockDir, 'pglite.lock'), JSON.stringify({ pid: stalePid, command: 'main.js' }));

    const contenders = Array.from({ length: 4 }, () => contender(lockDir));
    try {
      const answers = await Promise.all(contenders.map((c) => c.answer));
      const winners = contenders.filter((_, i) => answers[i] === 'locked');
      expect(winners).toHaveLength(1);
      const winnerPid = winners[0].child.pid;
      expect(answers.filter((a) => a !== 'locked')).toEqual(Array(3).fill(`refused ${winnerPid}`));
      expect(JSON.parse(readFileSync(join(lockDir, 'pglite.lock'), 'utf8')).pid).toBe(winnerPid);
    } finally {
      for (const c of contenders) c.child.stdin!.end();
      await Promise.all(contenders.map((c) => c.exited));
    }
    expect(existsSync(join(lockDir, 'pglite.lock'))).toBe(false);
  }, 60_000);

  it('takes over a lock whose PID now belongs to another process (started later than the owner)', async () => {
    // The parent of this test process is alive, but it is not the process that wrote this lock.
    writeFileSync(join(lockDir, 'pglite.lock'), JSON.stringify({ pid: process.ppid, start: '1' }));
    const c = contender(lockDir);
    try {
      expect(await c.answer).toBe('locked');
    } finally {
      c.child.stdin!.end();
      await c.exited;
    }
  }, 60_000);
});
