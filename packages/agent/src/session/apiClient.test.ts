import { describe, expect, it } from 'vitest';
import type { AccessTokenProvider } from '../auth/credentials.js';
import { sessionView } from '../testing/fakeSession.js';
import { ApiClient, ApiError, isApiError } from './apiClient.js';

const SERVER = 'https://help.example.com';

interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
}

/** A fetch that answers from `replies` in order and records each request. */
function fakeFetch(replies: (() => Response)[]) {
  const calls: Call[] = [];
  const fetch = (async (input: URL | string | Request, init?: RequestInit) => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : null,
    });
    const reply = replies.shift();
    if (!reply) throw new TypeError('fetch failed');
    return reply();
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

function tokens() {
  const asked: boolean[] = [];
  const provider: AccessTokenProvider = {
    async accessToken(options) {
      asked.push(options?.forceRefresh ?? false);
      return options?.forceRefresh ? 'fresh' : 'stale';
    },
  };
  return { provider, asked };
}

describe('ApiClient', () => {
  it('sends the bearer token and JSON, and validates the reply against the protocol', async () => {
    const { fetch, calls } = fakeFetch([() => json(200, { session: sessionView('joined') })]);
    const api = new ApiClient({ server: SERVER, tokens: tokens().provider, fetch });
    const session = await api.redeem('12345678');
    expect(session.state).toBe('joined');
    expect(calls[0]).toMatchObject({ url: `${SERVER}/api/v1/sessions/redeem`, method: 'POST' });
    expect(calls[0]?.headers.get('authorization')).toBe('Bearer stale');
    expect(JSON.parse(calls[0]?.body ?? '')).toEqual({ code: '12345678', client: 'agent' });
  });

  it('turns the error envelope into a typed ApiError with its data', async () => {
    const { fetch } = fakeFetch([
      () => json(429, { ok: false, error: 'rate_limited', message: 'Slow down', data: { retryAfterSeconds: 8 } }),
    ]);
    const api = new ApiClient({ server: SERVER, tokens: tokens().provider, fetch });
    const error = await api.redeem('12345678').catch((e: unknown) => e);
    expect(isApiError(error, 'rate_limited')).toBe(true);
    expect(error).toMatchObject({ status: 429, message: 'Slow down', retryAfterSeconds: 8 });
  });

  it('retries once with a refreshed token after a 401', async () => {
    const { fetch, calls } = fakeFetch([
      () => json(401, { ok: false, error: 'authentication_required', message: 'Sign in' }),
      () => json(200, { session: sessionView('active', { mode: 'view' }) }),
    ]);
    const { provider, asked } = tokens();
    const api = new ApiClient({ server: SERVER, tokens: provider, fetch });
    await api.dropControl('s1');
    expect(asked).toEqual([false, true]);
    expect(calls[1]?.headers.get('authorization')).toBe('Bearer fresh');
    expect(calls[1]?.url).toBe(`${SERVER}/api/v1/sessions/s1/drop-control`);
  });

  it('reports unreachable servers, non-JSON and unexpected replies with their own codes', async () => {
    const { fetch } = fakeFetch([
      () => new Response('<html>proxy error</html>', { status: 502 }),
      () => json(200, { session: { id: 'x' } }),
      () => new Response('not json', { status: 200 }),
    ]);
    const api = new ApiClient({ server: SERVER, tokens: tokens().provider, fetch });
    await expect(api.leave('s1')).rejects.toMatchObject({ code: 'bad_response', status: 502 });
    await expect(api.leave('s1')).rejects.toMatchObject({ code: 'bad_response' });
    await expect(api.leave('s1')).rejects.toMatchObject({ code: 'bad_response' });
    await expect(api.leave('s1')).rejects.toMatchObject({ code: 'network_error' });
  });

  it('proves the device on redeem only, with a fresh proof for each attempt', async () => {
    const { fetch, calls } = fakeFetch([
      () => json(401, { ok: false, error: 'authentication_required', message: 'Sign in' }),
      () => json(200, { session: sessionView('joined') }),
      () => json(200, { session: sessionView('joined') }),
    ]);
    let n = 0;
    const deviceProof = async (method: string, url: string) => `Device proof-${++n}-${method}-${url}`;
    const api = new ApiClient({ server: SERVER, tokens: tokens().provider, fetch, deviceProof });
    await api.redeem('12345678');
    expect(calls.map((c) => c.headers.get('x-device-proof'))).toEqual([
      `Device proof-1-POST-${SERVER}/api/v1/sessions/redeem`,
      `Device proof-2-POST-${SERVER}/api/v1/sessions/redeem`,
    ]);
    await api.session('s1');
    expect(calls[2]?.headers.get('x-device-proof')).toBeNull();
  });

  it('a redeem refused as a revoked device is told, then made again without a proof; no proof after that', async () => {
    const { fetch, calls } = fakeFetch([
      () => json(403, { ok: false, error: 'device_revoked', message: 'An administrator removed this device.' }),
      () => json(200, { session: sessionView('joined') }),
      () => json(200, { session: sessionView('joined') }),
    ]);
    const told: string[] = [];
    const api = new ApiClient({
      server: SERVER,
      tokens: tokens().provider,
      fetch,
      deviceProof: async () => 'Device proof',
      onDeviceRevoked: async (message) => void told.push(message),
    });
    expect((await api.redeem('12345678')).state).toBe('joined');
    expect(told).toEqual(['An administrator removed this device.']);
    expect(calls.map((c) => c.headers.get('x-device-proof'))).toEqual(['Device proof', null]);
    await api.redeem('87654321');
    expect(calls[2]?.headers.get('x-device-proof')).toBeNull();
    expect(told).toHaveLength(1);
  });

  it('fetches images only from the server itself, and only images', async () => {
    const { fetch, calls } = fakeFetch([
      () => new Response('<svg/>', { headers: { 'content-type': 'image/svg+xml; charset=utf-8' } }),
      () => new Response('<script>', { headers: { 'content-type': 'text/html' } }),
    ]);
    const api = new ApiClient({ server: SERVER, tokens: tokens().provider, fetch });
    const image = await api.image('/api/v1/users/u1/photo?v=1');
    expect(image.contentType).toBe('image/svg+xml');
    expect(calls[0]?.url).toBe(`${SERVER}/api/v1/users/u1/photo?v=1`);
    await expect(api.image('/api/v1/users/u1/photo')).rejects.toMatchObject({ code: 'bad_response' });
    await expect(api.image('https://evil.example/steal')).rejects.toBeInstanceOf(ApiError);
    await expect(api.image('//evil.example/steal')).rejects.toMatchObject({ code: 'bad_request' });
    expect(calls).toHaveLength(2); // the bearer token never went to evil.example
  });
});
