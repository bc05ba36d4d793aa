/**
 * @module config
 * Reads and validates the server's configuration from the environment.
 * Every problem is reported at once, by variable name, before anything starts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { IceServer } from '@remote-help/protocol';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: z.string().min(1).default('sqlite:./data/remote-help.db'),
  TLS_CERT: z.string().min(1).optional(),
  TLS_KEY: z.string().min(1).optional(),
  CODE_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(600),
  DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').max(128).optional(),
  SEED_DEMO: bool.default(true),
  ICE_SERVERS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  WEB_DIST: z.string().optional(),
});

/** The validated configuration the server runs with. */
export interface Config {
  port: number;
  host: string;
  /** Origin (and optional path prefix-free base) users open, e.g. `http://localhost:8080`. No trailing slash. */
  publicUrl: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  tls: { cert: Buffer; key: Buffer } | null;
  codeTtlSeconds: number;
  demoPassword: string | null;
  seedDemo: boolean;
  iceServers: IceServer[];
  logLevel: string;
  trustProxy: boolean;
  webDist: string | null;
}

/** Raised for any invalid setting; `problems` names each variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function parseDatabase(url: string): Config['database'] {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { kind: 'postgres', url };
  const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (!file) throw new ConfigError(['DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/remote-help.db']);
  return { kind: 'sqlite', file: file === ':memory:' ? file : resolve(file) };
}

function parseIceServers(raw: string | undefined): IceServer[] {
  if (!raw) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(['ICE_SERVERS: must be JSON, e.g. [{"urls":"stun:stun.example.org:3478"}]']);
  }
  const parsed = z.array(IceServer).max(10).safeParse(json);
  if (!parsed.success) throw new ConfigError([`ICE_SERVERS: ${parsed.error.issues[0]?.message ?? 'invalid'}`]);
  return parsed.data;
}

function readTls(certPath: string | undefined, keyPath: string | undefined): Config['tls'] {
  if (!certPath || !keyPath) return null;
  const read = (name: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError([`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
  };
  return { cert: read('TLS_CERT', certPath), key: read('TLS_KEY', keyPath) };
}

/** Validates `env` (normally `process.env`) into a `Config`, or throws `ConfigError` listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(EnvSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = EnvSchema.safeParse(relevant);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`);
  if (Boolean(relevant.TLS_CERT) !== Boolean(relevant.TLS_KEY))
    problems.push('TLS_KEY: TLS_CERT and TLS_KEY must be set together');
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;
  const tls = readTls(e.TLS_CERT, e.TLS_KEY);
  const scheme = tls ? 'https' : 'http';
  const displayHost = e.HOST === '0.0.0.0' || e.HOST === '127.0.0.1' || e.HOST === '::' ? 'localhost' : e.HOST;
  const publicUrl = (e.PUBLIC_URL ?? `${scheme}://${displayHost}:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    database: parseDatabase(e.DATABASE_URL),
    tls,
    codeTtlSeconds: e.CODE_TTL_SECONDS,
    demoPassword: e.DEMO_PASSWORD ?? null,
    seedDemo: e.SEED_DEMO,
    iceServers: parseIceServers(e.ICE_SERVERS),
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    webDist: e.WEB_DIST ?? null,
  };
}
