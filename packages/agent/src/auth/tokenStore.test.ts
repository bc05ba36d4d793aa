import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKEN_FILE, TokenStore, type StoredTokens } from './tokenStore.js';

const tokens = (server: string, accessToken = 'at'): StoredTokens => ({
  server,
  accessToken,
  refreshToken: 'rt',
  expiresAt: 1_000,
  account: { subject: 's', email: 'a@b.example', name: 'A' },
});

describe('TokenStore', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rh-store-'));
    dir = join(root, 'remote-help');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes the file with mode 0600 in a 0700 directory, whatever the umask', async () => {
    const old = process.umask(0o000);
    try {
      await new TokenStore(dir).set(tokens('https://a.example'));
    } finally {
      process.umask(old);
    }
    expect(statSync(join(dir, TOKEN_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('keeps each server’s tokens and reads them back', async () => {
    const store = new TokenStore(dir);
    await store.set(tokens('https://a.example', 'A'));
    await store.set(tokens('https://b.example', 'B'));
    await store.set(tokens('https://a.example', 'A2'));
    expect((await new TokenStore(dir).get('https://a.example'))?.accessToken).toBe('A2');
    expect(await store.servers()).toEqual(['https://a.example', 'https://b.example']);
    expect(await store.get('https://c.example')).toBeNull();
  });

  it('removes one server, then the file with the last one', async () => {
    const store = new TokenStore(dir);
    await store.set(tokens('https://a.example'));
    await store.set(tokens('https://b.example'));
    expect((await store.remove('https://a.example')).map((t) => t.server)).toEqual(['https://a.example']);
    expect(await store.servers()).toEqual(['https://b.example']);
    expect(await store.remove()).toHaveLength(1);
    expect(existsSync(join(dir, TOKEN_FILE))).toBe(false);
    expect(await store.remove()).toEqual([]);
  });

  it('refuses and deletes a token file that other users can read', async () => {
    const store = new TokenStore(dir);
    await store.set(tokens('https://a.example'));
    chmodSync(join(dir, TOKEN_FILE), 0o644);
    expect(await store.get('https://a.example')).toBeNull();
    expect(store.lastStatus).toBe('insecure');
    expect(existsSync(join(dir, TOKEN_FILE))).toBe(false);
  });

  it('treats a damaged file as no tokens and overwrites it on the next sign-in', async () => {
    const store = new TokenStore(dir);
    await store.set(tokens('https://a.example'));
    writeFileSync(join(dir, TOKEN_FILE), '{"version":1,"servers":{"x":{"oops":true}}}', { mode: 0o600 });
    expect(await store.get('x')).toBeNull();
    expect(store.lastStatus).toBe('corrupt');
    writeFileSync(join(dir, TOKEN_FILE), 'not json', { mode: 0o600 });
    expect(await store.servers()).toEqual([]);
    await store.set(tokens('https://a.example'));
    expect(await store.servers()).toEqual(['https://a.example']);
  });

  it('serializes concurrent writes without losing any', async () => {
    const store = new TokenStore(dir);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((s) => store.set(tokens(`https://${s}.example`))));
    expect(await store.servers()).toHaveLength(5);
  });
});
