/**
 * @module config
 * Reads and validates the server's configuration from the environment.
 * Every problem is reported at once, by variable name, before anything starts.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
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
  HTTP_REDIRECT_PORT: z.coerce
    .number({ error: 'must be a port number, e.g. 80' })
    .int('must be a port number, e.g. 80')
    .min(1, 'must be a port number, e.g. 80')
    .max(65535, 'must be a port number, e.g. 80')
    .optional(),
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
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379' })
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1–64 letters, digits or :_.- (e.g. rh: or rh:prod:)')
    .default('rh:'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (a Prometheus bearer token)').max(256).optional(),
  METRICS_ADDRESS: z.string().optional(),
  TURN_URLS: z.string().optional(),
  TURN_SECRET: z.string().min(16, 'must be at least 16 characters (coturn static-auth-secret)').max(512).optional(),
  TURN_TTL_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(60, 'must be at least 60')
    .max(86_400, 'must be at most 86400 (a day)')
    .default(3600),
  SHUTDOWN_DRAIN_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1')
    .max(300, 'must be at most 300')
    .default(10),
  WORKERS: z
    .string()
    .regex(/^(auto|[1-9]\d{0,1})$/, 'must be a number of worker processes (1–64) or auto (one per CPU)')
    .default('1'),
});

/** The validated configuration the server runs with. */
export interface Config {
  port: number;
  host: string;
  /** Origin (and optional path prefix-free base) users open, e.g. `http://localhost:8080`. No trailing slash. */
  publicUrl: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string | undefined };
  tls: { cert: Buffer; key: Buffer } | null;
  /**
   * A plain-HTTP port on `host` (`HTTP_REDIRECT_PORT`, e.g. 80) that answers every request with a 308
   * to the same path and query on `publicUrl` (https). Only with `tls`. Null: no such listener.
   */
  httpRedirectPort: number | null;
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
  /**
   * Scale-out (`REDIS_URL`): the bus, presence, device presence, the device-proof replay cache and
   * back-off counters live in Redis, shared by every node; every key starts with `prefix`
   * (`REDIS_PREFIX`, default `rh:`). Null: one node, everything in process (the embedded default).
   */
  redis: { url: string; prefix: string } | null;
  /**
   * Prometheus `/metrics`: on the main port behind `token` (`METRICS_TOKEN`, Bearer), and/or on a
   * separate listener at `address` (`METRICS_ADDRESS`, e.g. `127.0.0.1:9464`). Neither: off (404).
   */
  metrics: { token: string | null; address: { host: string; port: number } | null };
  /**
   * TURN REST credentials (`TURN_URLS` + `TURN_SECRET`, coturn `use-auth-secret`): each hello carries
   * these URLs with a username and password minted for `ttlSeconds` (`TURN_TTL_SECONDS`). Null: none.
   */
  turn: { urls: string[]; secret: string; ttlSeconds: number } | null;
  /** How long a SIGTERM waits for in-flight HTTP requests before cutting them (`SHUTDOWN_DRAIN_SECONDS`). */
  shutdownDrainMs: number;
  /**
   * Server processes of this node behind its one port (`WORKERS`: a number, or `auto` for one per CPU;
   * default 1). More than one needs `redis`: each worker is a node of the deployment (`ops/workers`).
   */
  workers: number;
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

const POSTGRES_URL_HELP = 'e.g. postgres://remote_help:secret@db.example.org:5432/remote_help[?schema=name]';

/** `postgres://user:password@host:port/database`, with an optional `schema` (search_path) parameter. */
function parsePostgresUrl(url: string): Config['database'] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError([`DATABASE_URL: not a valid PostgreSQL URL; ${POSTGRES_URL_HELP}`]);
  }
  const problems: string[] = [];
  if (!parsed.hostname) problems.push('has no host');
  if (parsed.port && !(Number(parsed.port) >= 1 && Number(parsed.port) <= 65535)) problems.push('has a bad port');
  if (parsed.pathname.length <= 1) problems.push('names no database');
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    problems.push('has a schema that is not a plain lower-case identifier');
  if (problems.length)
    throw new ConfigError([`DATABASE_URL: the PostgreSQL URL ${problems.join(', ')}; ${POSTGRES_URL_HELP}`]);
  parsed.searchParams.delete('schema');
  return { kind: 'postgres', url: parsed.toString(), ...(schema ? { schema } : {}) };
}

function parseDatabase(url: string): Config['database'] {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return parsePostgresUrl(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw new ConfigError([`DATABASE_URL: unsupported scheme; use sqlite:<file> or postgres://…`]);
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

/** `METRICS_ADDRESS`: `host:port` or `[v6]:port` of the separate metrics listener. */
export function parseListenAddress(name: string, raw: string | undefined): { host: string; port: number } | null {
  if (!raw?.trim()) return null;
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(raw.trim()) ?? /^([^:[\]]+):(\d{1,5})$/.exec(raw.trim());
  const port = Number(m?.[2]);
  if (!m || !isIP(m[1] ?? '') || port < 0 || port > 65535)
    throw new ConfigError([`${name}: not an address:port: ${raw}; e.g. 127.0.0.1:9464`]);
  return { host: m[1] ?? '', port };
}

/** `TURN_URLS`: comma-separated `turn:`/`turns:` URLs, e.g. `turns:turn.example.com:443?transport=tcp`. */
export function parseTurnUrls(raw: string | undefined): string[] {
  if (!raw?.trim()) return [];
  const urls = raw.split(',').map((url) => url.trim());
  const bad = urls.filter((url) => !/^turns?:[A-Za-z0-9.\-[\]:]+(\?transport=(udp|tcp))?$/.test(url));
  if (bad.length)
    throw new ConfigError([
      `TURN_URLS: not a turn: or turns: URL: ${bad.join(', ')}; e.g. turns:turn.example.com:443?transport=tcp`,
    ]);
  if (urls.length > 10) throw new ConfigError(['TURN_URLS: at most 10 URLs']);
  return urls;
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
  let metricsAddress: Config['metrics']['address'] = null;
  let turnUrls: string[] = [];
  try {
    metricsAddress = parseListenAddress('METRICS_ADDRESS', relevant.METRICS_ADDRESS);
  } catch (error) {
    problems.push(...(error as ConfigError).problems);
  }
  try {
    turnUrls = parseTurnUrls(relevant.TURN_URLS);
  } catch (error) {
    problems.push(...(error as ConfigError).problems);
  }
  if (Boolean(relevant.TURN_URLS) !== Boolean(relevant.TURN_SECRET))
    problems.push('TURN_SECRET: TURN_URLS and TURN_SECRET must be set together');
  if (relevant.HTTP_REDIRECT_PORT && !(relevant.TLS_CERT && relevant.TLS_KEY))
    problems.push(
      'HTTP_REDIRECT_PORT: only when the server speaks HTTPS itself (TLS_CERT and TLS_KEY); behind a reverse proxy, let the proxy redirect',
    );
  const workers = parseWorkers(relevant.WORKERS);
  if (workers !== null && workers > 64) problems.push('WORKERS: at most 64 worker processes');
  if (workers !== null && workers > 1 && !relevant.REDIS_URL)
    problems.push(
      `WORKERS: ${workers} worker processes need REDIS_URL: they share sessions, presence and counters through Redis, as separate nodes do`,
    );
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;
  if (e.HTTP_REDIRECT_PORT !== undefined && e.HTTP_REDIRECT_PORT === e.PORT)
    throw new ConfigError([`HTTP_REDIRECT_PORT: ${e.HTTP_REDIRECT_PORT} is PORT already; e.g. 80 beside 443`]);
  if (e.HTTP_REDIRECT_PORT !== undefined && e.PUBLIC_URL && !e.PUBLIC_URL.startsWith('https:'))
    throw new ConfigError(['HTTP_REDIRECT_PORT: redirects to PUBLIC_URL, which must then be https://']);
  const iceServers = parseIceServers(e.ICE_SERVERS);
  if (e.TURN_SECRET && iceServers.some((server) => server.credential))
    throw new ConfigError([
      'ICE_SERVERS: carries a static TURN password while TURN_SECRET mints short-lived ones; remove it (keep STUN entries)',
    ]);
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
    httpRedirectPort: e.HTTP_REDIRECT_PORT ?? null,
    codeTtlSeconds: e.CODE_TTL_SECONDS,
    reconnectGraceSeconds: e.RECONNECT_GRACE_SECONDS,
    demoPassword: e.DEMO_PASSWORD ?? null,
    seedDemo: e.SEED_DEMO,
    iceServers,
    logLevel: e.LOG_LEVEL,
    trustProxy,
    webDist: e.WEB_DIST ?? null,
    dns: { servers: dnsServers, timeoutMs: e.DNS_TIMEOUT_MS },
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.REDIS_PREFIX } : null,
    metrics: { token: e.METRICS_TOKEN ?? null, address: metricsAddress },
    turn:
      e.TURN_SECRET && turnUrls.length
        ? { urls: turnUrls, secret: e.TURN_SECRET, ttlSeconds: e.TURN_TTL_SECONDS }
        : null,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_SECONDS * 1000,
    workers: workers ?? 1,
  };
}

/** `WORKERS`: `auto` is one per CPU the process may use; null when malformed (the schema reports it). */
function parseWorkers(raw: string | undefined): number | null {
  if (raw === undefined) return 1;
  if (raw === 'auto') return availableParallelism();
  return /^[1-9]\d{0,1}$/.test(raw) ? Number(raw) : null;
}
