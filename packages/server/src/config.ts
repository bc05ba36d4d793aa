/**
 * @module config
 * Reads and validates the server's configuration from the environment.
 * Every problem is reported at once, by variable name, before anything starts.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
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
  RECONNECT_GRACE_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(5, 'must be at least 5 (a page reload takes a few seconds on a slow machine)')
    .max(600, 'must be at most 600 (a dead connection ends its session after this long)')
    .default(30),
  DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').max(128).optional(),
  SEED_DEMO: bool.default(true),
  ICE_SERVERS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.string().default('false'),
  WEB_DIST: z.string().optional(),
  DNS_SERVERS: z.string().optional(),
  DNS_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a whole number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(100, 'must be at least 100')
    .max(30_000, 'must be at most 30000 (an administrator waits for the answer)')
    .default(5000),
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
  /**
   * How long a side whose connections all dropped (a reload, a network change) has to come back
   * before its session ends with `connection_lost`; the other side is told at once that it is offline.
   */
  reconnectGraceSeconds: number;
  demoPassword: string | null;
  seedDemo: boolean;
  iceServers: IceServer[];
  logLevel: string;
  /**
   * Which `X-Forwarded-*` headers to believe: `false` (none, the default), a hop count (that many
   * proxies in front of the server, each appending one address), or the addresses/CIDRs of the proxies.
   */
  trustProxy: TrustProxy;
  webDist: string | null;
  /**
   * The resolver that verifies domains' TXT records: `servers` (`DNS_SERVERS`, e.g.
   * `127.0.0.1:5353,[::1]:53`; null: the system's) and how long one lookup may take.
   */
  dns: { servers: string[] | null; timeoutMs: number };
}

/** How far to trust `X-Forwarded-For`/`-Proto`/`-Host`; see {@link Config.trustProxy}. */
export type TrustProxy = false | number | string[];

/** Names `proxy-addr` (Fastify's trust engine) knows for common private ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address or CIDR (`10.0.0.0/8`, `::1`, `fd00::/8`) or one of {@link PROXY_RANGE_NAMES}. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const TRUST_PROXY_HELP =
  'give the number of proxies in front of the server (e.g. 1) or their addresses/CIDRs (e.g. 127.0.0.1,10.0.0.0/8)';

/**
 * Parses `TRUST_PROXY`. `true` is refused: it used to mean "believe every X-Forwarded-For", which lets
 * any client pick its own address; guessing a hop count for it could silently reopen that hole.
 */
export function parseTrustProxy(raw: string): TrustProxy {
  const value = raw.trim().toLowerCase();
  if (['false', 'no', 'off', '0'].includes(value)) return false;
  if (['true', 'yes', 'on'].includes(value))
    throw new ConfigError([`TRUST_PROXY: "${raw}" would trust addresses any client can forge; ${TRUST_PROXY_HELP}`]);
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new ConfigError([`TRUST_PROXY: ${hops} hops is implausible; ${TRUST_PROXY_HELP}`]);
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isProxyAddress(entry));
  if (bad.length)
    throw new ConfigError([`TRUST_PROXY: not an address or CIDR: ${bad.join(', ')}; ${TRUST_PROXY_HELP}`]);
  return entries;
}

/** Fastify's form of a {@link TrustProxy}: a hop count trusts the nearest `hops` addresses of the chain. */
export function fastifyTrustProxy(trust: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
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

/** `DNS_SERVERS`: comma-separated addresses with optional ports (`1.1.1.1`, `127.0.0.1:5353`, `[::1]:53`). */
export function parseDnsServers(raw: string | undefined): string[] | null {
  if (!raw?.trim()) return null;
  const entries = raw.split(',').map((entry) => entry.trim());
  const valid = (entry: string): boolean => {
    if (isIP(entry)) return true; // 192.0.2.53, 2001:db8::53 (port 53)
    const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(entry) ?? /^([^:[\]]+):(\d{1,5})$/.exec(entry);
    const port = Number(m?.[2]);
    return Boolean(m && isIP(m[1] ?? '') && port >= 1 && port <= 65535);
  };
  const bad = entries.filter((entry) => !valid(entry));
  if (bad.length)
    throw new ConfigError([
      `DNS_SERVERS: not an address[:port]: ${bad.join(', ')}; e.g. 127.0.0.1:5353 or [2001:db8::53]:53`,
    ]);
  return entries;
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
  let trustProxy: TrustProxy = false;
  try {
    trustProxy = parseTrustProxy(relevant.TRUST_PROXY ?? 'false');
  } catch (error) {
    problems.push(...(error as ConfigError).problems);
  }
  let dnsServers: string[] | null = null;
  try {
    dnsServers = parseDnsServers(relevant.DNS_SERVERS);
  } catch (error) {
    problems.push(...(error as ConfigError).problems);
  }
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
    reconnectGraceSeconds: e.RECONNECT_GRACE_SECONDS,
    demoPassword: e.DEMO_PASSWORD ?? null,
    seedDemo: e.SEED_DEMO,
    iceServers: parseIceServers(e.ICE_SERVERS),
    logLevel: e.LOG_LEVEL,
    trustProxy,
    webDist: e.WEB_DIST ?? null,
    dns: { servers: dnsServers, timeoutMs: e.DNS_TIMEOUT_MS },
  };
}
