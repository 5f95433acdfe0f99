import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase())
      ? true
      : ['0', 'false', 'no', 'off'].includes(String(value).toLowerCase())
        ? false
        : value;

/** The environment as documented in `.env.example`; validated once at boot. */
class EnvDto {
  @IsOptional() @IsString() @MinLength(1) DATABASE_URL?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT?: number;
  @IsOptional() @IsString() @MinLength(1) HOST?: string;
  @IsOptional() @IsString() @MinLength(1) DATA_DIR?: string;
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'APP_SECRET must be at least 32 characters' })
  APP_SECRET?: string;
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL?: string;
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'COOKIE_SECURE must be true or false' })
  COOKIE_SECURE?: boolean;
  @IsOptional() @IsString() TRUST_PROXY?: string;
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  PUBLIC_URL?: string;
}

export interface AppConfig {
  databaseUrl?: string;
  port: number;
  host: string;
  dataDir: string;
  appSecret: string;
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: string;
  cookieSecure: boolean;
  trustProxy: string | false;
  publicUrl: string;
}

export class ConfigError extends Error {}

const SECRET_KEYS = new Set(['APP_SECRET', 'DATABASE_URL']);

function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, 'app-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/** Reads and validates the environment; throws a ConfigError naming each bad key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const dto = plainToInstance(EnvDto, pick(env));
  const errors = validateSync(dto, { whitelist: true });
  if (errors.length) {
    // Secrets are named, never printed: a boot error ends up in logs.
    const shown = (e: { property: string; value?: unknown }) =>
      SECRET_KEYS.has(e.property) ? '(hidden)' : JSON.stringify(e.value);
    const lines = errors.map(
      (e) => `  ${e.property}=${shown(e)}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nSee .env.example for every setting.`);
  }
  const nodeEnv = (dto.NODE_ENV ?? 'development') as AppConfig['nodeEnv'];
  const production = nodeEnv === 'production';
  const dataDir = resolve(dto.DATA_DIR ?? './data');
  if (production && !dto.APP_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  APP_SECRET: required in production (at least 32 characters).',
    );
  }
  const port = dto.PORT ?? 3000;
  const host = dto.HOST ?? '127.0.0.1';
  return {
    databaseUrl: dto.DATABASE_URL,
    port,
    host,
    dataDir,
    appSecret: dto.APP_SECRET ?? loadOrCreateSecret(dataDir),
    nodeEnv,
    logLevel: dto.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    cookieSecure: dto.COOKIE_SECURE ?? production,
    trustProxy: dto.TRUST_PROXY ? dto.TRUST_PROXY : false,
    publicUrl: (dto.PUBLIC_URL ?? `http://${host}:${port}`).replace(/\/$/, ''),
  };
}

const KEYS = [
  'DATABASE_URL',
  'PORT',
  'HOST',
  'DATA_DIR',
  'APP_SECRET',
  'NODE_ENV',
  'LOG_LEVEL',
  'COOKIE_SECURE',
  'TRUST_PROXY',
  'PUBLIC_URL',
] as const;

function pick(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of KEYS) if (env[key] !== undefined && env[key] !== '') out[key] = env[key] as string;
  return out;
}
