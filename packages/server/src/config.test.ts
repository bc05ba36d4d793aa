import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, fastifyTrustProxy, loadConfig } from './config.js';

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
});
