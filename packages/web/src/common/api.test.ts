import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, setCsrfToken } from './api';
import { leaveSession, logout, redeemCode } from './endpoints';
import { session } from '../test/fixtures';

function respondWith(status: number, body?: unknown) {
  const fetchMock = vi.fn(async () =>
    body === undefined ? new Response(null, { status }) : new Response(JSON.stringify(body), { status }),
  );
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

describe('api', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setCsrfToken(null);
  });

  it('sends JSON with the CSRF token on POST and validates the reply', async () => {
    const fetchMock = respondWith(200, { session: session({ state: 'ended', endReason: 'helper_left' }) });
    setCsrfToken('token-1');
    const ended = await leaveSession('s1');
    expect(ended.endReason).toBe('helper_left');
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/sessions/s1/leave', {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': 'token-1' },
      credentials: 'same-origin',
      body: '{}',
    });
  });

  it('throws a typed ApiError from the error envelope', async () => {
    respondWith(429, { ok: false, error: 'rate_limited', message: 'slow down', data: { retryAfterSeconds: 30 } });
    const error = await redeemCode('12345678').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', data: { retryAfterSeconds: 30 } });
  });

  it('falls back to a code from the status when the body is not an envelope', async () => {
    respondWith(404, { nope: true });
    await expect(redeemCode('12345678')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('rejects a successful reply that breaks the contract', async () => {
    respondWith(200, { session: { id: 's1' } });
    await expect(leaveSession('s1')).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('reports a network failure as network_error and accepts 204 on logout', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('offline'))),
    );
    await expect(logout()).rejects.toMatchObject({ status: 0, code: 'network_error' });
    respondWith(204);
    await expect(logout()).resolves.toBeUndefined();
  });
});
