import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** What `npm start` runs. */
export const MAIN_JS = join(ROOT, 'dist', 'src', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const upToDate = () =>
  existsSync(MAIN_JS) &&
  statSync(MAIN_JS).mtimeMs >=
    Math.max(
      newestMtime(join(ROOT, 'src')),
      newestMtime(join(ROOT, 'migrations')),
      statSync(join(ROOT, 'package.json')).mtimeMs,
    );

/**
 * `npm run build` once for the test files that run the real app as a child process (`node dist/src/main.js`),
 * skipped when dist is newer than every source file. A lock directory keeps two jest workers from
 * compiling into dist at the same time.
 */
export async function buildApp(): Promise<string> {
  const lock = join(ROOT, 'dist', '.test-build.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes was left by a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (!upToDate()) {
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT });
      if (!existsSync(MAIN_JS)) {
        // An incremental build info file can outlive the files it describes: build everything again.
        rmSync(join(ROOT, 'dist', '.tsbuildinfo'), { force: true });
        await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT });
      }
    }
  } finally {
    rmdirSync(lock);
  }
  return MAIN_JS;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface AppProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  /** Polls GET /healthz until it answers 200. */
  ready(timeoutMs?: number): Promise<void>;
}

/**
 * The built app as a child process, configured only through the environment as in production: `env`
 * adds to (or, with `undefined`, removes from) the test process's environment.
 */
export async function spawnApp(env: Record<string, string | undefined>): Promise<AppProcess> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
  // The test tier's settings are not the app's: it reads DATABASE_URL only.
  delete childEnv.TEST_DATABASE_URL;
  delete childEnv.DATABASE_URL;
  delete childEnv.NODE_OPTIONS;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    child,
    baseUrl,
    output: () => output,
    exited,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`the app exited before it was ready:\n${output.slice(-3000)}`);
        const ok = await fetch(`${baseUrl}/healthz`)
          .then((res) => res.status === 200)
          .catch(() => false);
        if (ok) return;
        if (Date.now() > deadline)
          throw new Error(`the app was not ready in ${timeoutMs} ms:\n${output.slice(-3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** SIGKILL (if still running) and wait for the end. */
export async function killApp(app: AppProcess | undefined): Promise<void> {
  if (!app) return;
  if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
  await app.exited;
}
