import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

const SECRET = 'a-secret-that-is-long-enough-0123456789';

/** The message of the ConfigError that loadConfig throws for this environment. */
function configError(env: Record<string, string>): string {
  try {
    loadConfig({ APP_SECRET: SECRET, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'clientela-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('applies the documented defaults', () => {
    const config = loadConfig({ APP_SECRET: SECRET, DATA_DIR: dataDir });
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:3000',
      dataDir,
      nodeEnv: 'development',
      logLevel: 'info',
      cookieSecure: false,
      trustProxy: false,
      appSecret: SECRET,
    });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('resolves a relative DATA_DIR (default ./data) to an absolute path', () => {
    expect(loadConfig({ APP_SECRET: SECRET }).dataDir).toBe(join(process.cwd(), 'data'));
  });

  it('builds the default public URL from HOST and PORT', () => {
    expect(loadConfig({ APP_SECRET: SECRET, HOST: '0.0.0.0', PORT: '8080' }).publicUrl).toBe(
      'http://0.0.0.0:8080',
    );
  });

  it('reads every key and drops a trailing slash from PUBLIC_URL', () => {
    const config = loadConfig({
      APP_SECRET: SECRET,
      DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://u:p@db:5432/clientela',
      PORT: '8081',
      HOST: '0.0.0.0',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      COOKIE_SECURE: 'false',
      TRUST_PROXY: 'loopback',
      PUBLIC_URL: 'https://clientela.example.com.br/',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u:p@db:5432/clientela',
      port: 8081,
      host: '0.0.0.0',
      nodeEnv: 'production',
      logLevel: 'warn',
      cookieSecure: false,
      trustProxy: 'loopback',
      publicUrl: 'https://clientela.example.com.br',
    });
  });

  it('makes cookies Secure by default in production', () => {
    expect(loadConfig({ APP_SECRET: SECRET, NODE_ENV: 'production' }).cookieSecure).toBe(true);
  });

  it.each(['true', 'TRUE', '1', 'yes', 'on'])('reads COOKIE_SECURE=%s as true', (value) => {
    expect(loadConfig({ APP_SECRET: SECRET, COOKIE_SECURE: value }).cookieSecure).toBe(true);
  });

  it('is quiet in tests unless LOG_LEVEL says otherwise', () => {
    expect(loadConfig({ APP_SECRET: SECRET, NODE_ENV: 'test' }).logLevel).toBe('silent');
  });

  it('ignores variables it does not know and treats empty ones as unset', () => {
    const config = loadConfig({ APP_SECRET: SECRET, PATH: '/usr/bin', PORT: '', HOME: '/root' });
    expect(config.port).toBe(3000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '3.5'],
    ['COOKIE_SECURE', 'maybe'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'loud'],
    ['PUBLIC_URL', 'ftp://x'],
    ['PUBLIC_URL', 'not a url'],
  ])('refuses %s=%s and names the key in the error', (key, value) => {
    const message = configError({ [key]: value });
    expect(message).toContain('Invalid configuration');
    expect(message).toContain(key);
    expect(message).toContain('.env.example');
  });

  it('refuses an APP_SECRET shorter than 32 characters, naming the key but not printing the value', () => {
    const message = configError({ APP_SECRET: 'short-secret-value' });
    expect(message).toContain('APP_SECRET');
    expect(message).toContain('32');
    expect(message).not.toContain('short-secret-value');
  });

  it('lists every bad key at once', () => {
    const message = configError({ PORT: 'abc', NODE_ENV: 'staging', COOKIE_SECURE: 'maybe' });
    expect(message).toContain('PORT');
    expect(message).toContain('NODE_ENV');
    expect(message).toContain('COOKIE_SECURE');
  });

  it('refuses to start in production without APP_SECRET, and writes no secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir })).toThrow(/APP_SECRET/);
    expect(existsSync(join(dataDir, 'app-secret'))).toBe(false);
  });

  it('outside production, generates a secret once into DATA_DIR/app-secret and reuses it', () => {
    const dir = join(dataDir, 'nested', 'data'); // created on demand
    const first = loadConfig({ DATA_DIR: dir });
    expect(first.appSecret.length).toBeGreaterThanOrEqual(32);
    const file = join(dir, 'app-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.appSecret);
    expect(statSync(file).mode & 0o077).toBe(0); // readable by the owner only

    const second = loadConfig({ DATA_DIR: dir, NODE_ENV: 'test' });
    expect(second.appSecret).toBe(first.appSecret);
  });

  it('generates a different secret for a different data directory', () => {
    const a = loadConfig({ DATA_DIR: join(dataDir, 'a') }).appSecret;
    const b = loadConfig({ DATA_DIR: join(dataDir, 'b') }).appSecret;
    expect(a).not.toBe(b);
  });

  it('prefers APP_SECRET over a generated one', () => {
    loadConfig({ DATA_DIR: dataDir });
    expect(loadConfig({ DATA_DIR: dataDir, APP_SECRET: SECRET }).appSecret).toBe(SECRET);
  });
});
