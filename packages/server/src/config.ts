/**
 * @module config
 * Reads and validates the server's configuration from the environment.
 * Every problem is reported at once, by variable name, before anything starts.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { IceServer, iceUrlProblem, isHostName } from '@remote-help/protocol';
import type { IdpAddresses } from './identity/federation/outbound.js';
import type { SecretsKey } from './secretsAtRest.js';
import { SecretsAtRestError } from './secretsAtRest.js';
import { resolveSecretsKey, secretsKeyText } from './secretsKeyConfig.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * A whole number written in decimal digits, then checked by `number`: `Number()` (what
 * `z.coerce` does) also reads `0x1f90` as 8080, `1e3` as 1000 and a blank as 0.
 */
function decimal(number: z.ZodNumber, message: string) {
  return z
    .string()
    .regex(/^[0-9]{1,15}$/, message)
    .transform(Number)
    .pipe(number);
}

/** A TCP port to listen on: decimal 1–65535 (0 would be a random port nobody is told about). */
function portNumber(example: number) {
  const message = `must be a port number from 1 to 65535, e.g. ${example}`;
  return decimal(z.number().int().min(1, message).max(65535, message), message);
}

const SECONDS = 'must be a whole number of seconds';

const EnvSchema = z.object({
  PORT: portNumber(8080).default(8080),
  HOST: z
    .string()
    .refine(
      (host) => isIP(host) !== 0 || isHostName(host),
      'must be an IP address of this machine (e.g. 127.0.0.1, 0.0.0.0 or ::) or a host name to listen on',
    )
    .default('127.0.0.1'),
  PUBLIC_URL: z.string().optional(),
  DATABASE_URL: z.string().min(1).default('sqlite:./data/remote-help.db'),
  TLS_CERT: z.string().min(1).optional(),
  TLS_KEY: z.string().min(1).optional(),
  HTTP_REDIRECT_PORT: portNumber(80).optional(),
  CODE_TTL_SECONDS: decimal(z.number().int().min(30).max(86_400), SECONDS).default(600),
  RECONNECT_GRACE_SECONDS: decimal(
    z
      .number()
      .int(SECONDS)
      .min(5, 'must be at least 5 (a page reload takes a few seconds on a slow machine)')
      .max(600, 'must be at most 600 (a dead connection ends its session after this long)'),
    SECONDS,
  ).default(30),
  DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').max(128).optional(),
  SEED_DEMO: bool.default(true),
  AUDIT_TO_LOG: bool.default(false),
  ICE_SERVERS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.string().default('false'),
  WEB_DIST: z.string().optional(),
  DNS_SERVERS: z.string().optional(),
  IDP_ADDRESSES: z.enum(['public', 'private', 'any']).default('private'),
  DNS_TIMEOUT_MS: decimal(
    z
      .number()
      .int()
      .min(100, 'must be at least 100')
      .max(30_000, 'must be at most 30000 (an administrator waits for the answer)'),
    'must be a whole number of milliseconds',
  ).default(5000),
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
  TURN_TTL_SECONDS: decimal(
    z.number().int().min(60, 'must be at least 60').max(86_400, 'must be at most 86400 (a day)'),
    SECONDS,
  ).default(3600),
  SHUTDOWN_DRAIN_SECONDS: decimal(
    z.number().int().min(1, 'must be at least 1').max(300, 'must be at most 300'),
    SECONDS,
  ).default(10),
  WORKERS: z
    .string()
    .regex(/^(auto|[1-9]\d{0,1})$/, 'must be a number of worker processes (1–64) or auto (one per CPU)')
    .default('1'),
  SECRETS_KEY: secretsKeyText.optional(),
  SECRETS_KEY_FILE: z.string().optional(),
  SECRETS_KEY_PREVIOUS: secretsKeyText.optional(),
  SECRETS_KEY_PREVIOUS_FILE: z.string().optional(),
});
type Env = z.infer<typeof EnvSchema>;

/** The validated configuration the server runs with. */
export interface Config {
  port: number;
  host: string;
  /**
   * The origin people open (`PUBLIC_URL`), e.g. `http://localhost:8080`: scheme, host and port, no
   * path (the server's routes start at `/`), no trailing slash.
   */
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
  /** Each committed audit event also as an `audit event` log line (`AUDIT_TO_LOG`, default off; `audit/logLines`). */
  auditToLog: boolean;
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
   * Which addresses an organization's identity provider may have (`IDP_ADDRESSES`): `public`, `private`
   * (the default: public and private networks) or `any` (loopback too). Link-local and metadata
   * addresses never (`identity/federation/outbound`).
   */
  idpAddresses: IdpAddresses;
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
  /**
   * The key `server_secrets` is sealed under (`SECRETS_KEY` or `SECRETS_KEY_FILE`) and, while rotating,
   * the one it was sealed under before (`SECRETS_KEY_PREVIOUS[_FILE]`); see `secretsAtRest`. Null: the
   * rows are stored plain. Shown by key ids only when serialized.
   */
  secretsKey: SecretsKey | null;
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

/** `ICE_SERVERS`: a JSON array of at most 10 entries; every problem of every entry is named. */
function parseIceServers(raw: string | undefined): IceServer[] {
  if (!raw) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(['ICE_SERVERS: must be JSON, e.g. [{"urls":"stun:stun.example.org:3478"}]']);
  }
  const parsed = z.array(IceServer).max(10).safeParse(json);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const [entry, ...field] = issue.path;
        const where =
          typeof entry === 'number' ? `entry ${entry + 1}${field.length ? ` ${field.join('.')}` : ''}: ` : '';
        return `ICE_SERVERS: ${where}${issue.message}`;
      }),
    );
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

/**
 * Reads `TLS_CERT` and `TLS_KEY` and checks what Node would refuse only when listening: a
 * certificate and a private key in PEM, without a passphrase, that belong together.
 */
function readTls(certPath: string, keyPath: string): NonNullable<Config['tls']> {
  const problems: string[] = [];
  const read = (name: string, path: string): Buffer | null => {
    try {
      return readFileSync(path);
    } catch (error) {
      problems.push(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return null;
    }
  };
  const cert = read('TLS_CERT', certPath);
  const key = read('TLS_KEY', keyPath);
  let certificate: X509Certificate | null = null;
  let privateKey: ReturnType<typeof createPrivateKey> | null = null;
  if (cert) {
    try {
      certificate = new X509Certificate(cert);
    } catch {
      problems.push(`TLS_CERT: ${certPath} is not a PEM certificate (-----BEGIN CERTIFICATE-----)`);
    }
  }
  if (key) {
    try {
      privateKey = createPrivateKey(key);
    } catch (error) {
      problems.push(
        (error as NodeJS.ErrnoException).code === 'ERR_MISSING_PASSPHRASE'
          ? `TLS_KEY: ${keyPath} is encrypted with a passphrase; give the key without one`
          : `TLS_KEY: ${keyPath} is not a PEM private key (-----BEGIN PRIVATE KEY-----)`,
      );
    }
  }
  if (certificate && privateKey && !certificate.checkPrivateKey(privateKey))
    problems.push(`TLS_KEY: ${keyPath} is not the private key of the certificate in TLS_CERT`);
  if (problems.length || !cert || !key) throw new ConfigError(problems);
  return { cert, key };
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

/**
 * `TURN_URLS`: comma-separated `turn:`/`turns:` URLs, e.g. `turns:turn.example.com:443?transport=tcp`,
 * each of the shape every WebRTC client takes (`iceUrlProblem`).
 */
export function parseTurnUrls(raw: string | undefined): string[] {
  if (!raw?.trim()) return [];
  const urls = raw.split(',').map((url) => url.trim());
  const problems = urls.flatMap((url) => {
    if (!/^turns?:/.test(url))
      return [`TURN_URLS: not a turn: or turns: URL: ${JSON.stringify(url)}; ${TURN_URL_EXAMPLE}`];
    const problem = iceUrlProblem(url);
    return problem ? [`TURN_URLS: not a turn: or turns: URL: ${problem}`] : [];
  });
  if (urls.length > 10) problems.push('TURN_URLS: at most 10 URLs');
  if (problems.length) throw new ConfigError(problems);
  return urls;
}

const TURN_URL_EXAMPLE = 'e.g. turns:turn.example.com:443?transport=tcp';

const PUBLIC_URL_HELP =
  'give the scheme, host and port people open, e.g. https://help.example.com (the server serves from /)';

/**
 * `PUBLIC_URL` as its origin: http or https, a host, no credentials, no path (every route and
 * redirect of the server starts at `/`: a path prefix is not supported), no query or fragment
 * (it is the start of the sign-in redirect URIs and the OIDC issuer).
 */
function parsePublicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError([`PUBLIC_URL: not a URL; ${PUBLIC_URL_HELP}`]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError([`PUBLIC_URL: must start with http:// or https://; ${PUBLIC_URL_HELP}`]);
  const extras: string[] = [];
  if (url.username || url.password || /^[a-z]+:\/*[^/?#]*@/i.test(raw)) extras.push('credentials');
  if (url.port === '0') extras.push('port 0');
  if (url.pathname !== '/') extras.push(`a path (${url.pathname})`);
  if (url.search || raw.includes('?')) extras.push('a query');
  if (url.hash || raw.includes('#')) extras.push('a fragment');
  if (extras.length) throw new ConfigError([`PUBLIC_URL: has ${extras.join(', ')}; ${PUBLIC_URL_HELP}`]);
  return url.origin;
}

/** Runs `parse`, moving the problems of a `ConfigError` it throws to `problems` (then undefined). */
function collect<T>(problems: string[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

/** Validates `env` (normally `process.env`) into a `Config`, or throws `ConfigError` listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(EnvSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  ) as Record<keyof Env, string | undefined>;
  const problems: string[] = [];
  // Each variable on its own, so that one bad value hides no other problem (nor a check between two).
  const e: Partial<Env> = {};
  for (const key of Object.keys(EnvSchema.shape) as (keyof Env)[]) {
    const parsed = EnvSchema.shape[key].safeParse(relevant[key]);
    if (parsed.success) Object.assign(e, { [key]: parsed.data });
    else problems.push(...parsed.error.issues.map((i) => `${key}: ${i.message}`));
  }
  const { PUBLIC_URL, DATABASE_URL, TLS_CERT, TLS_KEY } = e;
  const publicUrl = PUBLIC_URL === undefined ? null : collect(problems, () => parsePublicUrl(PUBLIC_URL));
  const database = DATABASE_URL === undefined ? undefined : collect(problems, () => parseDatabase(DATABASE_URL));
  if (Boolean(relevant.TLS_CERT) !== Boolean(relevant.TLS_KEY))
    problems.push('TLS_KEY: TLS_CERT and TLS_KEY must be set together');
  const trustProxy = collect(problems, () => parseTrustProxy(relevant.TRUST_PROXY ?? 'false'));
  const dnsServers = collect(problems, () => parseDnsServers(relevant.DNS_SERVERS));
  const metricsAddress = collect(problems, () => parseListenAddress('METRICS_ADDRESS', relevant.METRICS_ADDRESS));
  const turnUrls = collect(problems, () => parseTurnUrls(relevant.TURN_URLS));
  if (Boolean(relevant.TURN_URLS) !== Boolean(relevant.TURN_SECRET))
    problems.push('TURN_SECRET: TURN_URLS and TURN_SECRET must be set together');
  const iceServers = collect(problems, () => parseIceServers(relevant.ICE_SERVERS));
  if (relevant.TURN_SECRET && iceServers?.some((server) => server.credential))
    problems.push(
      'ICE_SERVERS: carries a static TURN password while TURN_SECRET mints short-lived ones; remove it (keep STUN entries)',
    );
  if (relevant.HTTP_REDIRECT_PORT && !(relevant.TLS_CERT && relevant.TLS_KEY))
    problems.push(
      'HTTP_REDIRECT_PORT: only when the server speaks HTTPS itself (TLS_CERT and TLS_KEY); behind a reverse proxy, let the proxy redirect',
    );
  if (e.HTTP_REDIRECT_PORT !== undefined && e.HTTP_REDIRECT_PORT === e.PORT)
    problems.push(`HTTP_REDIRECT_PORT: ${e.HTTP_REDIRECT_PORT} is PORT already; e.g. 80 beside 443`);
  if (e.HTTP_REDIRECT_PORT !== undefined && publicUrl && !publicUrl.startsWith('https:'))
    problems.push('HTTP_REDIRECT_PORT: redirects to PUBLIC_URL, which must then be https://');
  const workers = parseWorkers(relevant.WORKERS);
  if (workers !== null && workers > 64) problems.push('WORKERS: at most 64 worker processes');
  if (workers !== null && workers > 1 && !relevant.REDIS_URL)
    problems.push(
      `WORKERS: ${workers} worker processes need REDIS_URL: they share sessions, presence and counters through Redis, as separate nodes do`,
    );
  const tls = TLS_CERT && TLS_KEY ? collect(problems, () => readTls(TLS_CERT, TLS_KEY)) : null;
  const secrets = resolveSecretsKey(e, (name) => relevant[name] !== undefined);
  problems.push(...secrets.problems);
  if (problems.length || !database) throw new ConfigError(problems);
  const ok = e as Env;
  const scheme = tls ? 'https' : 'http';
  const displayHost = ['0.0.0.0', '127.0.0.1', '::'].includes(ok.HOST)
    ? 'localhost'
    : isIP(ok.HOST) === 6
      ? `[${ok.HOST}]`
      : ok.HOST;
  return {
    port: ok.PORT,
    host: ok.HOST,
    publicUrl: publicUrl ?? `${scheme}://${displayHost}:${ok.PORT}`,
    database,
    tls: tls ?? null,
    httpRedirectPort: ok.HTTP_REDIRECT_PORT ?? null,
    codeTtlSeconds: ok.CODE_TTL_SECONDS,
    reconnectGraceSeconds: ok.RECONNECT_GRACE_SECONDS,
    demoPassword: ok.DEMO_PASSWORD ?? null,
    seedDemo: ok.SEED_DEMO,
    auditToLog: ok.AUDIT_TO_LOG,
    iceServers: iceServers ?? [],
    logLevel: ok.LOG_LEVEL,
    trustProxy: trustProxy ?? false,
    webDist: ok.WEB_DIST ?? null,
    dns: { servers: dnsServers ?? null, timeoutMs: ok.DNS_TIMEOUT_MS },
    idpAddresses: ok.IDP_ADDRESSES,
    redis: ok.REDIS_URL ? { url: ok.REDIS_URL, prefix: ok.REDIS_PREFIX } : null,
    metrics: { token: ok.METRICS_TOKEN ?? null, address: metricsAddress ?? null },
    turn:
      ok.TURN_SECRET && turnUrls?.length
        ? { urls: turnUrls, secret: ok.TURN_SECRET, ttlSeconds: ok.TURN_TTL_SECONDS }
        : null,
    shutdownDrainMs: ok.SHUTDOWN_DRAIN_SECONDS * 1000,
    workers: workers ?? 1,
    secretsKey: secrets.key,
  };
}

/** What Node and the database drivers put on the errors {@link startupProblem} reads. */
interface StartupError {
  code?: unknown;
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  path?: unknown;
  severity?: unknown;
  message?: unknown;
  errors?: unknown;
}

/** SQLite result codes that say the file cannot be used (not a fault of the server's SQL). */
const SQLITE_FILE_CODES = /^SQLITE_(CANTOPEN|NOTADB|CORRUPT|READONLY|PERM|AUTH|IOERR|FULL)/;
/** PostgreSQL SQLSTATEs (or their classes) of a refused connection: 08 connection, 28 authorization, 3D no database, 53 resources. */
const PG_CONNECTION_STATES = /^(08|28|3D|53|57P03|42501$)/;
/** Errors of a network connection that could not be made. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * One line naming the setting behind an error that stopped the start, or null when no setting
 * explains it (a fault of the server's own): a listener that cannot bind (`HOST`, `PORT`,
 * `HTTP_REDIRECT_PORT`, `METRICS_ADDRESS`), a database that cannot be opened or reached
 * (`DATABASE_URL`; its password is never shown), certificate files Node refuses (`TLS_CERT`, `TLS_KEY`),
 * stored secrets that the secrets key given does not open (`SECRETS_KEY`).
 */
export function startupProblem(error: unknown, config: Config): string | null {
  if (error instanceof SecretsAtRestError) return error.message;
  if (typeof error !== 'object' || error === null) return null;
  const e = error as StartupError;
  // Node reports a connection tried at several addresses (happy eyeballs) as an AggregateError.
  const first = Array.isArray(e.errors) && !e.code ? ((e.errors[0] ?? {}) as StartupError) : e;
  const code = typeof first.code === 'string' ? first.code : '';
  const message = typeof e.message === 'string' && e.message ? e.message : code;

  if (first.syscall === 'listen' || (first.syscall === 'getaddrinfo' && first.hostname === config.host)) {
    const port = typeof first.port === 'number' ? first.port : config.port;
    const metrics = config.metrics.address;
    const [name, where] =
      port === config.httpRedirectPort && port !== config.port
        ? ['HTTP_REDIRECT_PORT', `port ${port} on ${config.host}`]
        : metrics && port === metrics.port && port !== config.port
          ? ['METRICS_ADDRESS', `${metrics.host}:${port}`]
          : ['PORT', `port ${port} on ${config.host}`];
    if (code === 'EADDRINUSE') return `${name}: ${where} is in use by another process`;
    if (code === 'EACCES')
      return `${name}: ${where} needs a privilege this process lacks (below 1024: CAP_NET_BIND_SERVICE)`;
    if (code === 'EADDRNOTAVAIL')
      return `HOST: ${String(first.address ?? config.host)} is not an address of this machine`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `HOST: ${config.host} does not resolve to an address`;
    return `${name}: cannot listen on ${where} (${message})`;
  }

  if (code.startsWith('ERR_OSSL') && config.tls) return `TLS_CERT, TLS_KEY: Node refused them (${message})`;
  const db = config.database;
  if (db.kind === 'sqlite') {
    if (SQLITE_FILE_CODES.test(code))
      return `DATABASE_URL: cannot use the SQLite file ${db.file} (${code}: ${message})`;
    if (typeof first.path === 'string' && first.syscall === 'mkdir' && db.file.startsWith(first.path))
      return `DATABASE_URL: cannot create the folder of the SQLite file ${db.file} (${code} at ${first.path})`;
    return null;
  }
  const url = new URL(db.url);
  const server = `${url.hostname}:${url.port || 5432}${url.pathname}`;
  if (typeof e.severity === 'string' && PG_CONNECTION_STATES.test(code))
    return `DATABASE_URL: PostgreSQL at ${server} refused the connection: ${message}`;
  const samePort = first.port === undefined || Number(first.port) === Number(url.port || 5432);
  const sameHost = first.hostname === undefined || first.hostname === url.hostname;
  if (NETWORK_CODES.has(code) && samePort && sameHost)
    return `DATABASE_URL: cannot reach PostgreSQL at ${server} (${code})`;
  if (/^(timeout expired|Connection terminated (due to connection timeout|unexpectedly))$/.test(message))
    return `DATABASE_URL: PostgreSQL at ${server} did not answer (${message})`;
  return null;
}

/** `WORKERS`: `auto` is one per CPU the process may use; null when malformed (the schema reports it). */
function parseWorkers(raw: string | undefined): number | null {
  if (raw === undefined) return 1;
  if (raw === 'auto') return availableParallelism();
  return /^[1-9]\d{0,1}$/.test(raw) ? Number(raw) : null;
}
