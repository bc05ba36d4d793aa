import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

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

  it('reports unreadable TLS files clearly', () => {
    expect(() => loadConfig({ TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: '/nonexistent/key.pem' })).toThrow(
      /TLS_CERT: cannot read/,
    );
  });
});
