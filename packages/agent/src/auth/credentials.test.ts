import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentError } from '../errors.js';
import { Credentials, lazyEndpoint } from './credentials.js';
import type { TokenEndpoint } from './oidc.js';
import { TokenStore, type StoredTokens } from './tokenStore.js';

const SERVER = 'https://help.example.com';

/** A token endpoint that counts refreshes and can be told to fail. */
function fakeEndpoint(now: () => number) {
  const state = { refreshes: 0, revoked: [] as string[], fail: null as AgentError | null, delayMs: 0 };
  const endpoint: TokenEndpoint = {
    async refresh(refreshToken, previous) {
      state.refreshes++;
      await new Promise((r) => setTimeout(r, state.delayMs));
      if (state.fail) throw state.fail;
      return {
        ...previous,
        accessToken: `access-${state.refreshes}`,
        refreshToken: `${refreshToken}+`,
        expiresAt: now() + 3600_000,
      };
    },
    async revoke(token) {
      state.revoked.push(token);
    },
  };
  return { endpoint, state };
}

describe('Credentials', () => {
  let dir: string;
  let store: TokenStore;
  let clock: number;
  const now = () => clock;
  const stored = (expiresAt: number, refreshToken: string | null = 'refresh'): StoredTokens => ({
    server: SERVER,
    accessToken: 'access-0',
    refreshToken,
    expiresAt,
    account: null,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rh-cred-'));
    store = new TokenStore(dir);
    clock = 1_000_000;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const make = (endpoint: TokenEndpoint) =>
    new Credentials({ server: SERVER, store, endpoint: async () => endpoint, now, refreshSkewMs: 60_000 });

  it('asks for a sign-in when there are no tokens', async () => {
    const { endpoint } = fakeEndpoint(now);
    await expect(make(endpoint).accessToken()).rejects.toMatchObject({ reason: 'signin_required' });
  });

  it('hands out a valid token without refreshing, and refreshes within the skew before expiry', async () => {
    const { endpoint, state } = fakeEndpoint(now);
    const credentials = make(endpoint);
    await store.set(stored(clock + 120_000));
    expect(await credentials.accessToken()).toBe('access-0');
    expect(state.refreshes).toBe(0);
    clock += 61_000; // 59 s left: inside the 60 s skew
    expect(await credentials.accessToken()).toBe('access-1');
    expect(state.refreshes).toBe(1);
    expect(await store.get(SERVER)).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh+' });
  });

  it('runs one refresh for many concurrent callers', async () => {
    const { endpoint, state } = fakeEndpoint(now);
    state.delayMs = 30;
    const credentials = make(endpoint);
    await store.set(stored(clock - 1));
    const tokens = await Promise.all(Array.from({ length: 5 }, () => credentials.accessToken()));
    expect(new Set(tokens)).toEqual(new Set(['access-1']));
    expect(state.refreshes).toBe(1);
  });

  it('refreshes on demand when the server refused a token that looked valid', async () => {
    const { endpoint, state } = fakeEndpoint(now);
    const credentials = make(endpoint);
    await store.set(stored(clock + 3600_000));
    expect(await credentials.accessToken({ forceRefresh: true })).toBe('access-1');
    expect(state.refreshes).toBe(1);
  });

  it('forgets the sign-in when the IdP refuses the refresh token', async () => {
    const { endpoint, state } = fakeEndpoint(now);
    state.fail = new AgentError('signin_required', 'invalid_grant');
    const credentials = make(endpoint);
    await store.set(stored(clock - 1));
    await expect(credentials.accessToken()).rejects.toMatchObject({ reason: 'signin_required' });
    expect(await store.get(SERVER)).toBeNull();
  });

  it('keeps the tokens when the refresh fails for a network problem, and retries next time', async () => {
    const { endpoint, state } = fakeEndpoint(now);
    state.fail = new AgentError('network_error', 'offline');
    const credentials = make(endpoint);
    await store.set(stored(clock - 1));
    await expect(credentials.accessToken()).rejects.toMatchObject({ reason: 'network_error' });
    expect(await store.get(SERVER)).not.toBeNull();
    state.fail = null;
    expect(await credentials.accessToken()).toBe('access-2');
  });

  it('asks for a sign-in when the token expired and there is no refresh token', async () => {
    const { endpoint, state } = fakeEndpoint(now);
    await store.set(stored(clock - 1, null));
    await expect(make(endpoint).accessToken()).rejects.toMatchObject({ reason: 'signin_required' });
    expect(state.refreshes).toBe(0);
  });

  it('signs out: forgets the tokens and revokes the refresh token', async () => {
    const { endpoint, state } = fakeEndpoint(now);
    await store.set(stored(clock + 3600_000));
    await make(endpoint).signOut();
    expect(await store.get(SERVER)).toBeNull();
    expect(state.revoked).toEqual(['refresh']);
  });

  it('lazyEndpoint discovers once, and again after a failure', async () => {
    let calls = 0;
    const { endpoint } = fakeEndpoint(now);
    const lazy = lazyEndpoint(async () => {
      calls++;
      if (calls === 1) throw new Error('down');
      return endpoint;
    });
    await expect(lazy()).rejects.toThrow('down');
    expect(await lazy()).toBe(endpoint);
    expect(await lazy()).toBe(endpoint);
    expect(calls).toBe(2);
  });
});
