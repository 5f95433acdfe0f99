import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** What `npm start` runs. */
export const MAIN_JS = join(ROOT, 'dist', 'src', 'main.js');
/** What `npm run cli -- …` runs. */
export const CLI_JS = join(ROOT, 'dist', 'src', 'cli.js');

/**
 * `npm run build` for the test files that run the real app as a child process (`node dist/src/main.js`): the
 * same incremental swc build as `npm start`, which compiles only what changed and writes every file atomically,
 * so jest workers calling it at the same time are safe.
 */
export async function buildApp(): Promise<string> {
  await run(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--quiet'], { cwd: ROOT });
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

/** The test process's environment with `env` added (or, with `undefined`, removed), as a child gets it. */
function childEnvironment(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  // The test tier's settings are not the app's: it reads DATABASE_URL only.
  delete childEnv.TEST_DATABASE_URL;
  delete childEnv.DATABASE_URL;
  delete childEnv.NODE_OPTIONS;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  return childEnv;
}

/**
 * The built app as a child process, configured only through the environment as in production: `env`
 * adds to (or, with `undefined`, removes from) the test process's environment.
 */
export async function spawnApp(env: Record<string, string | undefined>): Promise<AppProcess> {
  const port = await freePort();
  const childEnv = childEnvironment({ PORT: String(port), HOST: '127.0.0.1', ...env });
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

export interface CliRun {
  /** The exit code, or the signal name. */
  code: number | string;
  stdout: string;
  stderr: string;
}

/** `npm run cli -- <args>` on the built CLI, with the environment as `spawnApp` builds it; waits for the end. */
export async function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI_JS, ...args], {
    cwd: ROOT,
    env: childEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | string>((resolve) =>
    child.once('close', (exitCode, signal) => resolve(exitCode ?? signal ?? 'unknown')),
  );
  return { code, stdout, stderr };
}
