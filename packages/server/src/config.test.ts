/**
 * The configuration: every variable checked before anything starts, every bad one named at
 * once (`loadConfig`), and a start that fails at run time told in one line naming the setting
 * at fault (`startupProblem`, and the real `main.ts` in a child process).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from './config.js';
import { ConfigError, fastifyTrustProxy, loadConfig, startupProblem } from './config.js';
import { migrate, openDatabase } from './db/client.js';
import { makeCertificates } from './test/certificates.js';
import { testPostgresUrl } from './test/database.js';
import { MAIN_START_TIMEOUT_MS } from './test/mainProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The problems `loadConfig` reports for `env` (none: it was accepted). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('configuration', () => {
  it('has sane defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:8080',
      codeTtlSeconds: 600,
      tls: null,
    });
    expect(c.database).toMatchObject({ kind: 'sqlite' });
    expect((c.database as { file: string }).file).toMatch(/data\/remote-help\.db$/);
  });

  it('lists every bad variable by name', () => {
    try {
      loadConfig({ PORT: 'eighty', PUBLIC_URL: 'ftp://x', CODE_TTL_SECONDS: '5', TLS_CERT: '/x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'PUBLIC_URL', 'CODE_TTL_SECONDS', 'TLS_KEY']) expect(text).toContain(name);
    }
  });

  it('validates ICE servers and strips a trailing slash from the public URL', () => {
    expect(() => loadConfig({ ICE_SERVERS: 'not json' })).toThrow(/ICE_SERVERS/);
    expect(() => loadConfig({ ICE_SERVERS: '[{"nope":1}]' })).toThrow(/ICE_SERVERS/);
    const c = loadConfig({ ICE_SERVERS: '[{"urls":"stun:127.0.0.1:3478"}]', PUBLIC_URL: 'https://help.example.com/' });
    expect(c.iceServers).toEqual([{ urls: 'stun:127.0.0.1:3478' }]);
    expect(c.publicUrl).toBe('https://help.example.com');
  });

  it('takes a PostgreSQL DATABASE_URL with an optional schema, and refuses a malformed one by name', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://rh:secret@db.example.org:5432/remote_help' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://rh:secret@db.example.org:5432/remote_help',
    });
    expect(
      loadConfig({ DATABASE_URL: 'postgresql://db.example.org/rh?schema=node_a&sslmode=require' }).database,
    ).toEqual({ kind: 'postgres', url: 'postgresql://db.example.org/rh?sslmode=require', schema: 'node_a' });
    for (const bad of [
      'postgres://',
      'postgres://db.example.org',
      'postgres://db.example.org:99999/rh',
      'postgres://db.example.org/rh?schema=Robert;DROP',
      'mysql://db.example.org/rh',
    ]) {
      expect(() => loadConfig({ DATABASE_URL: bad }), bad).toThrow(/DATABASE_URL/);
    }
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database).toEqual({ kind: 'sqlite', file: ':memory:' });
  });

  it('takes WORKERS as a count or auto, and refuses more than one without Redis', () => {
    expect(loadConfig({}).workers).toBe(1);
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadConfig({ ...redis, WORKERS: '4' }).workers).toBe(4);
    expect(loadConfig({ ...redis, WORKERS: 'auto' }).workers).toBe(availableParallelism());
    expect(loadConfig({ WORKERS: '1' }).workers).toBe(1);
    expect(() => loadConfig({ WORKERS: '2' })).toThrow(/WORKERS: 2 worker processes need REDIS_URL/);
    for (const bad of ['0', '-1', '1.5', 'two', '100', '065']) {
      expect(() => loadConfig({ ...redis, WORKERS: bad }), bad).toThrow(
        /WORKERS: must be a number of worker processes/,
      );
    }
    expect(() => loadConfig({ ...redis, WORKERS: '65' })).toThrow(/WORKERS: at most 64/);
  });

  it('reports unreadable TLS files clearly', () => {
    expect(() => loadConfig({ TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: '/nonexistent/key.pem' })).toThrow(
      /TLS_CERT: cannot read/,
    );
  });

  it('takes TRUST_PROXY as a hop count or a list of proxy addresses, and refuses a blanket "true"', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback' }).trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
    for (const bad of ['true', 'yes', 'TRUE', '11', '10.0.0.0/33', 'proxy.example.com', '10.0.0.1,', '1.2.3.4/8/9']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY: .*hop|TRUST_PROXY: .*(address|CIDR)/);
    }
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/number of proxies .* or their addresses/);
  });

  it('gives a dropped side RECONNECT_GRACE_SECONDS (default 30) to come back, within sane bounds', () => {
    expect(loadConfig({}).reconnectGraceSeconds).toBe(30);
    expect(loadConfig({ RECONNECT_GRACE_SECONDS: '10' }).reconnectGraceSeconds).toBe(10);
    expect(loadConfig({ RECONNECT_GRACE_SECONDS: '600' }).reconnectGraceSeconds).toBe(600);
    expect(loadConfig({ RECONNECT_GRACE_SECONDS: '' }).reconnectGraceSeconds).toBe(30);
    for (const bad of ['abc', '2.5', '4', '0', '-30', '601', '1e9']) {
      expect(() => loadConfig({ RECONNECT_GRACE_SECONDS: bad }), bad).toThrow(/RECONNECT_GRACE_SECONDS: must be/);
    }
  });

  it('gives Fastify a hop count as "trust the nearest N addresses"', () => {
    const trust = fastifyTrustProxy(2) as (address: string, hop: number) => boolean;
    expect([0, 1, 2, 3].map((hop) => trust('203.0.113.1', hop))).toEqual([true, true, false, false]);
    expect(fastifyTrustProxy(false)).toBe(false);
    expect(fastifyTrustProxy(['10.0.0.0/8'])).toEqual(['10.0.0.0/8']);
  });

  it('takes PORT (and the other numbers) only in decimal: PORT 1–65535, never 0, hex, an exponent or a blank', () => {
    for (const [raw, port] of [
      ['1', 1],
      ['8080', 8080],
      ['65535', 65535],
    ] as const) {
      expect(loadConfig({ PORT: raw }).port).toBe(port);
    }
    for (const bad of [' ', '0', '00', '0x1f90', '1e3', '-1', '+80', '65536', '80.0', '8080 ', 'eighty', '99999999']) {
      expect(problemsOf({ PORT: bad }), JSON.stringify(bad)).toEqual([
        'PORT: must be a port number from 1 to 65535, e.g. 8080',
      ]);
    }
    // The same reading everywhere a number is configured: no `Number()` leniency.
    const tls = { TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: '/nonexistent/key.pem' };
    expect(problemsOf({ ...tls, HTTP_REDIRECT_PORT: '0x50' })[0]).toMatch(/^HTTP_REDIRECT_PORT: must be a port number/);
    for (const name of ['CODE_TTL_SECONDS', 'RECONNECT_GRACE_SECONDS', 'TURN_TTL_SECONDS', 'SHUTDOWN_DRAIN_SECONDS']) {
      for (const bad of ['0x3c', '6e1', ' ']) {
        expect(problemsOf({ [name]: bad }), `${name}=${bad}`).toEqual([`${name}: must be a whole number of seconds`]);
      }
    }
    expect(problemsOf({ DNS_TIMEOUT_MS: '1e3' })).toEqual(['DNS_TIMEOUT_MS: must be a whole number of milliseconds']);
    expect(loadConfig({ CODE_TTL_SECONDS: '60', DNS_TIMEOUT_MS: '700' })).toMatchObject({
      codeTtlSeconds: 60,
      dns: { timeoutMs: 700 },
    });
  });

  it('takes PUBLIC_URL as an origin only: no path, query, fragment or credentials', () => {
    for (const [raw, origin] of [
      ['https://help.example.com', 'https://help.example.com'],
      ['https://help.example.com/', 'https://help.example.com'],
      ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
      ['https://Help.Example.COM:443/', 'https://help.example.com'],
      ['http://[::1]:8080/', 'http://[::1]:8080'],
    ]) {
      expect(loadConfig({ PUBLIC_URL: raw }).publicUrl, raw).toBe(origin);
    }
    expect(problemsOf({ PUBLIC_URL: 'https://ex.com/sub?x=1#f' })).toEqual([
      'PUBLIC_URL: has a path (/sub), a query, a fragment; give the scheme, host and port people open, e.g. https://help.example.com (the server serves from /)',
    ]);
    for (const [bad, why] of [
      ['https://ex.com/sub', /a path \(\/sub\)/],
      ['https://ex.com/sub/', /a path \(\/sub\/\)/],
      ['https://ex.com//', /a path/],
      ['https://ex.com/?', /a query/],
      ['https://ex.com/?x=1', /a query/],
      ['https://ex.com#', /a fragment/],
      ['https://ex.com/#top', /a fragment/],
      ['https://user:secret@ex.com', /credentials/],
      ['https://user@ex.com/', /credentials/],
      ['https://@ex.com/', /credentials/],
      ['http://ex.com:0', /port 0/],
      ['ftp://ex.com', /must start with http:\/\/ or https:\/\//],
      ['help.example.com', /not a URL/],
      ['https://', /not a URL/],
    ] as const) {
      const problems = problemsOf({ PUBLIC_URL: bad });
      expect(problems, bad).toHaveLength(1);
      expect(problems[0], bad).toMatch(/^PUBLIC_URL: /);
      expect(problems[0], bad).toMatch(why);
      // The password never reaches the message.
      expect(problems[0]).not.toContain('secret');
    }
  });

  it('takes HOST as an IP address or a host name', () => {
    for (const host of ['127.0.0.1', '0.0.0.0', '::', '::1', 'fe80::1', 'localhost', 'node-1.internal']) {
      expect(loadConfig({ HOST: host }).host).toBe(host);
    }
    for (const bad of [
      'not a host!',
      ' ',
      '[::1]',
      'localhost:8080',
      'http://localhost',
      '10.0.0.256',
      'a_b.example',
    ]) {
      expect(problemsOf({ HOST: bad }), JSON.stringify(bad)).toEqual([
        'HOST: must be an IP address of this machine (e.g. 127.0.0.1, 0.0.0.0 or ::) or a host name to listen on',
      ]);
    }
    // The default public URL of an IPv6 host is a URL.
    expect(loadConfig({ HOST: '::1', PORT: '8443' }).publicUrl).toBe('http://[::1]:8443');
    expect(loadConfig({ HOST: '::' }).publicUrl).toBe('http://localhost:8080');
  });

  it('names every bad variable at once, those checked beyond their shape too', () => {
    expect(problemsOf({ PORT: 'abc', DATABASE_URL: 'mysql://x', ICE_SERVERS: 'nope' })).toEqual([
      'PORT: must be a port number from 1 to 65535, e.g. 8080',
      'DATABASE_URL: unsupported scheme; use sqlite:<file> or postgres://…',
      'ICE_SERVERS: must be JSON, e.g. [{"urls":"stun:stun.example.org:3478"}]',
    ]);
    const problems = problemsOf({
      HOST: 'not a host!',
      PUBLIC_URL: 'http://ex.com/app',
      DATABASE_URL: 'postgres://db.example.org',
      ICE_SERVERS: '[{"urls":"http://x"}]',
      TURN_URLS: 'turn:turn.example.com:99999',
      TURN_SECRET: 'a-long-enough-secret',
      TLS_CERT: '/nonexistent/cert.pem',
      TLS_KEY: '/nonexistent/key.pem',
      PORT: '443',
      HTTP_REDIRECT_PORT: '443',
      TRUST_PROXY: 'true',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'HOST',
      'PUBLIC_URL',
      'DATABASE_URL',
      'TRUST_PROXY',
      'TURN_URLS',
      'ICE_SERVERS',
      'HTTP_REDIRECT_PORT',
      'TLS_CERT',
      'TLS_KEY',
    ]);
  });

  it('refuses ICE_SERVERS that WebRTC clients would refuse, naming the variable and the entry', () => {
    const good = [
      [{ urls: 'stun:stun.l.google.com:19302' }],
      [{ urls: ['stun:stun.example.org', 'stuns:stun.example.org:5349', 'stun:[2001:db8::1]:3478'] }],
      [{ urls: 'turn:turn.example.org:3478?transport=udp', username: 'u', credential: 'c' }],
      [{ urls: ['turns:turn.example.org:443?transport=tcp', 'turn:192.0.2.7'], username: 'u', credential: 'c' }],
      [],
    ];
    for (const servers of good)
      expect(loadConfig({ ICE_SERVERS: JSON.stringify(servers) }).iceServers).toEqual(servers);
    const bad: [unknown, RegExp][] = [
      [[{ urls: 'stun.l.google.com:19302' }], /entry 1 urls: "stun.l.google.com:19302" does not start with stun:/],
      [[{ urls: 'http://x' }], /entry 1 urls: "http:\/\/x" does not start with stun:/],
      [[{ urls: 'stun://stun.example.org' }], /without \/\//],
      [[{ urls: 'stun:' }], /the host must be/],
      [[{ urls: 'stun:stun.example.org:70000' }], /the port must be/],
      [[{ urls: 'stun:stun.example.org?transport=udp' }], /takes no query/],
      [[{ urls: 'turn:t.example.org?transport=tls', username: 'u', credential: 'c' }], /\?transport=udp or/],
      [
        [{ urls: 'turn:turn.example.org' }],
        /entry 1 username: a turn: or turns: URL needs a username and a credential/,
      ],
      [[{ urls: 'turns:turn.example.org', username: 'u' }], /entry 1 credential: .* needs a username and a credential/],
      [[{ urls: 'stun:a.example' }, { urls: ['stun:b.example', 'x'] }], /entry 2 urls\.1: "x" does not start/],
      [[{ urls: [] }], /entry 1 urls:/],
      [{ urls: 'stun:stun.example.org' }, /ICE_SERVERS: /],
      [Array.from({ length: 11 }, () => ({ urls: 'stun:stun.example.org' })), /ICE_SERVERS: /],
    ];
    for (const [servers, why] of bad) {
      const problems = problemsOf({ ICE_SERVERS: JSON.stringify(servers) });
      expect(problems.length, JSON.stringify(servers)).toBeGreaterThan(0);
      for (const problem of problems) expect(problem).toMatch(/^ICE_SERVERS: /);
      expect(problems.join('\n'), JSON.stringify(servers)).toMatch(why);
    }
  });

  it('refuses TURN_URLS that WebRTC clients would refuse, each named', () => {
    const secret = { TURN_SECRET: 'a-long-enough-secret' };
    for (const urls of [
      'turns:turn.example.com:443?transport=tcp',
      'turn:turn.example.com:3478?transport=udp,turn:turn.example.com:443?transport=tcp',
      'turn:[2001:db8::1]:3478',
      'turn:10.0.0.1',
    ]) {
      expect(loadConfig({ ...secret, TURN_URLS: urls }).turn?.urls, urls).toEqual(urls.split(','));
    }
    for (const [bad, why] of [
      ['stun:stun.example.com', /not a turn: or turns: URL: "stun:stun.example.com"/],
      ['https://turn.example.com', /not a turn: or turns: URL/],
      ['turn://turn.example.com', /without \/\//],
      ['turn:', /the host must be/],
      ['turn:user@turn.example.com', /the host must be/],
      ['turn:turn.example.com:99999', /the port must be/],
      ['turns:turn.example.com:0x1bb', /the port must be/],
      ['turn:turn.example.com?transport=sctp', /\?transport=udp or \?transport=tcp/],
      ['turn:turn.example.com?transport=udp&x=1', /\?transport=udp or \?transport=tcp/],
    ] as const) {
      const problems = problemsOf({ ...secret, TURN_URLS: `turns:ok.example.com:443,${bad}` });
      expect(problems, bad).toHaveLength(1);
      expect(problems[0], bad).toMatch(/^TURN_URLS: /);
      expect(problems[0], bad).toMatch(why);
    }
  });

  it('checks TLS_CERT and TLS_KEY are a PEM certificate and its key before anything listens', () => {
    const certs = makeCertificates(dir, 'rh.test');
    expect(loadConfig({ TLS_CERT: certs.certFile, TLS_KEY: certs.keyFile }).tls).not.toBeNull();
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate\n');
    expect(problemsOf({ TLS_CERT: garbage, TLS_KEY: certs.keyFile })).toEqual([
      `TLS_CERT: ${garbage} is not a PEM certificate (-----BEGIN CERTIFICATE-----)`,
    ]);
    expect(problemsOf({ TLS_CERT: certs.certFile, TLS_KEY: garbage })).toEqual([
      `TLS_KEY: ${garbage} is not a PEM private key (-----BEGIN PRIVATE KEY-----)`,
    ]);
    // The certificate given as the key and the key as the certificate: both named.
    expect(problemsOf({ TLS_CERT: certs.keyFile, TLS_KEY: certs.certFile }).map((p) => p.split(':')[0])).toEqual([
      'TLS_CERT',
      'TLS_KEY',
    ]);
    // Another key (the CA's) than the certificate's.
    expect(problemsOf({ TLS_CERT: certs.certFile, TLS_KEY: join(dir, 'ca.key') })).toEqual([
      `TLS_KEY: ${join(dir, 'ca.key')} is not the private key of the certificate in TLS_CERT`,
    ]);
    expect(problemsOf({ TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: '/nonexistent/key.pem' })).toEqual([
      'TLS_CERT: cannot read /nonexistent/cert.pem (ENOENT)',
      'TLS_KEY: cannot read /nonexistent/key.pem (ENOENT)',
    ]);
  });
});

/** Whatever `fn` throws (it must throw). */
async function thrownBy(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

describe('a start that fails at run time', () => {
  const sqlite = (env: Record<string, string> = {}): Config =>
    loadConfig({ DATABASE_URL: `sqlite:${dir}/rh.db`, ...env });

  it('names HOST or PORT when the listener cannot bind', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const config = sqlite({ PORT: String(port) });
      const inUse = await thrownBy(
        () =>
          new Promise<void>((resolve, reject) =>
            createServer()
              .once('error', reject)
              .listen(port, '127.0.0.1', () => resolve()),
          ),
      );
      expect(startupProblem(inUse, config)).toBe(`PORT: port ${port} on 127.0.0.1 is in use by another process`);
    } finally {
      busy.close();
    }
    const listenError = (code: string, port: number, address = '127.0.0.1') =>
      Object.assign(new Error(`listen ${code}: ${address}:${port}`), { code, syscall: 'listen', address, port });
    const config = sqlite({ HOST: '192.0.2.1', PORT: '80' });
    expect(startupProblem(listenError('EADDRNOTAVAIL', 80, '192.0.2.1'), config)).toBe(
      'HOST: 192.0.2.1 is not an address of this machine',
    );
    expect(startupProblem(listenError('EACCES', 80), config)).toBe(
      'PORT: port 80 on 192.0.2.1 needs a privilege this process lacks (below 1024: CAP_NET_BIND_SERVICE)',
    );
    const named = sqlite({ HOST: 'nonexistent.invalid' });
    const unresolved = Object.assign(new Error('getaddrinfo ENOTFOUND nonexistent.invalid'), {
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname: 'nonexistent.invalid',
    });
    expect(startupProblem(unresolved, named)).toBe('HOST: nonexistent.invalid does not resolve to an address');
    const certs = makeCertificates(dir, 'rh.test');
    const redirect = sqlite({
      TLS_CERT: certs.certFile,
      TLS_KEY: certs.keyFile,
      PORT: '443',
      HTTP_REDIRECT_PORT: '80',
    });
    expect(startupProblem(listenError('EADDRINUSE', 80), redirect)).toMatch(/^HTTP_REDIRECT_PORT: port 80 on /);
    const metrics = sqlite({ METRICS_ADDRESS: '127.0.0.1:9464' });
    expect(startupProblem(listenError('EADDRINUSE', 9464), metrics)).toBe(
      'METRICS_ADDRESS: 127.0.0.1:9464 is in use by another process',
    );
  });

  it('names DATABASE_URL when SQLite cannot open its file or make its folder', async () => {
    // A folder where the file should be, and a file where the folder should be.
    const folder = sqlite({ DATABASE_URL: `sqlite:${dir}` });
    const cantOpen = await thrownBy(() => openDatabase(folder.database));
    expect(startupProblem(cantOpen, folder)).toBe(
      `DATABASE_URL: cannot use the SQLite file ${dir} (SQLITE_CANTOPEN: unable to open database file)`,
    );
    const underFile = sqlite({ DATABASE_URL: 'sqlite:/dev/null/rh.db' });
    const noFolder = await thrownBy(() => openDatabase(underFile.database));
    expect(startupProblem(noFolder, underFile)).toMatch(
      /^DATABASE_URL: cannot create the folder of the SQLite file \/dev\/null\/rh\.db \(E[A-Z]+ at \/dev\/null\)$/,
    );
    // Missing folders are made, several levels deep.
    const nested = openDatabase(sqlite({ DATABASE_URL: `sqlite:${dir}/a/b/c/rh.db` }).database);
    await nested.destroy();
    expect(existsSync(`${dir}/a/b/c/rh.db`)).toBe(true);
    // Under procfs mkdir answers ENOENT below a folder that exists: Node's recursive mkdir looped for ever.
    const inProc = sqlite({ DATABASE_URL: 'sqlite:/proc/remote-help-test/rh.db' });
    const noProcFolder = await thrownBy(() => openDatabase(inProc.database));
    expect(startupProblem(noProcFolder, inProc)).toBe(
      'DATABASE_URL: cannot create the folder of the SQLite file /proc/remote-help-test/rh.db (ENOENT at /proc/remote-help-test)',
    );
    // A fault of the server's own names no setting.
    expect(startupProblem(Object.assign(new Error('UNIQUE'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }), folder)).toBeNull();
    expect(startupProblem(new TypeError('x is undefined'), folder)).toBeNull();
  });

  it('names DATABASE_URL when PostgreSQL cannot be reached or refuses, without its password', async () => {
    const unreachable = loadConfig({ DATABASE_URL: 'postgres://rh:secret@127.0.0.1:1/remote_help' });
    const db = openDatabase(unreachable.database);
    try {
      const refused = await thrownBy(() => migrate(db));
      expect(startupProblem(refused, unreachable)).toBe(
        'DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:1/remote_help (ECONNREFUSED)',
      );
    } finally {
      await db.destroy();
    }
    // Several addresses tried (happy eyeballs): an AggregateError without a message.
    const aggregate = Object.assign(new AggregateError([{ code: 'ECONNREFUSED', address: '::1', port: 1 }], ''), {});
    expect(startupProblem(aggregate, unreachable)).toMatch(/^DATABASE_URL: cannot reach PostgreSQL/);
    const postgres = testPostgresUrl();
    if (postgres) {
      const url = new URL(postgres);
      url.pathname = '/no_such_database_rh';
      const missing = loadConfig({ DATABASE_URL: url.toString() });
      const mdb = openDatabase(missing.database);
      try {
        const refused = await thrownBy(() => migrate(mdb));
        expect(startupProblem(refused, missing)).toBe(
          `DATABASE_URL: PostgreSQL at ${url.hostname}:${url.port || 5432}/no_such_database_rh refused the connection: database "no_such_database_rh" does not exist`,
        );
      } finally {
        await mdb.destroy();
      }
    }
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });
    expect(startupProblem(pgError('28P01', 'password authentication failed for user "rh"'), unreachable)).toMatch(
      /^DATABASE_URL: PostgreSQL at 127\.0\.0\.1:1\/remote_help refused the connection: password authentication failed/,
    );
    expect(startupProblem(pgError('42601', 'syntax error at or near "x"'), unreachable)).toBeNull();
    expect(JSON.stringify(startupProblem(pgError('28P01', 'x'), unreachable))).not.toContain('secret');
  });

  it(
    'main prints one line naming DATABASE_URL and exits 1 without a stack; a bad configuration lists all and exits 2',
    async () => {
      const main = fileURLToPath(new URL('./main.ts', import.meta.url));
      const run = (env: Record<string, string>) => {
        const child = spawn(process.execPath, ['--import', 'tsx', main], {
          env: {
            ...process.env,
            TSX_TSCONFIG_PATH: fileURLToPath(new URL('../../../tsconfig.test.json', import.meta.url)),
            HOST: '127.0.0.1',
            PORT: '18080',
            PUBLIC_URL: '',
            DATABASE_URL: '',
            ICE_SERVERS: '',
            LOG_LEVEL: 'info',
            WORKERS: '1',
            ...env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
        child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
        return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
          child.once('close', (code) => resolve({ code, stdout, stderr })),
        );
      };
      const [badPath, badConfig] = await Promise.all([
        run({ DATABASE_URL: `sqlite:${dir}` }),
        run({ PORT: 'abc', DATABASE_URL: 'mysql://x', ICE_SERVERS: 'nope' }),
      ]);
      // oidc-provider warns about the Node version on its own (Node 20); everything else is ours.
      const ours = (stderr: string) => stderr.split('\n').filter((line) => !line.startsWith('oidc-provider WARNING'));
      expect(badPath.code).toBe(1);
      expect(badPath.stdout).toBe('');
      expect(ours(badPath.stderr)).toEqual([
        `remote-help failed to start: DATABASE_URL: cannot use the SQLite file ${dir} (SQLITE_CANTOPEN: unable to open database file)`,
        '',
      ]);
      expect(badConfig).toEqual({
        code: 2,
        stdout: '',
        stderr: [
          'Invalid configuration:',
          '  - PORT: must be a port number from 1 to 65535, e.g. 8080',
          '  - DATABASE_URL: unsupported scheme; use sqlite:<file> or postgres://…',
          '  - ICE_SERVERS: must be JSON, e.g. [{"urls":"stun:stun.example.org:3478"}]',
          '',
        ].join('\n'),
      });
    },
    MAIN_START_TIMEOUT_MS,
  );
});
