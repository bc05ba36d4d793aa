import { describe, expect, it } from 'vitest';
import { ApiError } from './ApiError.js';
import type { FetchLike, RequestInitLike } from './client.js';
import { createApiClient, pathFor } from './client.js';

/** A fetch that records requests and answers `status` with `body`. */
function answering(status: number, body: string, contentType = 'application/json') {
  const calls: { url: string; init: RequestInitLike }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return new Response(status === 204 ? null : body, { status, headers: { 'content-type': contentType } });
  };
  return { fetch, calls };
}

describe('the client core', () => {
  it('fills and encodes path parameters, and sends JSON bodies only on commands', async () => {
    const { fetch, calls } = answering(200, JSON.stringify({ ok: true }));
    const api = createApiClient({ baseUrl: 'https://h.example', fetch, headers: () => ({ 'x-test': '1' }) });
    await api.dismissLaunch({ params: { id: 'a/b?c' }, body: { deviceId: 'd1' } });
    expect(calls[0]?.url).toBe('https://h.example/api/v1/sessions/a%2Fb%3Fc/dismiss-launch');
    expect(calls[0]?.init).toMatchObject({ method: 'POST', body: '{"deviceId":"d1"}' });
    expect(calls[0]?.init.headers).toMatchObject({ 'x-test': '1', 'content-type': 'application/json' });
    expect(() => pathFor('/api/v1/sessions/:id', {})).toThrow(ApiError);
  });

  it('names a reply without an envelope by its status, or bad_response', async () => {
    await expect(
      createApiClient({ baseUrl: '', fetch: answering(404, '<h1>no</h1>', 'text/html').fetch }).getMe(),
    ).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(
      createApiClient({ baseUrl: '', fetch: answering(502, '<h1>proxy</h1>', 'text/html').fetch }).getMe(),
    ).rejects.toMatchObject({ code: 'bad_response', status: 502 });
    await expect(
      createApiClient({ baseUrl: '', fetch: answering(200, 'not json').fetch }).getMe(),
    ).rejects.toMatchObject({ code: 'bad_response', status: 200 });
  });

  it('gives a picture as bytes with its content type, and 204 as undefined', async () => {
    const photo = createApiClient({ baseUrl: '', fetch: answering(200, 'PNG', 'image/png; x=1').fetch });
    const result = await photo.getUserPhoto({ params: { id: 'u1' } });
    expect(result.contentType).toBe('image/png');
    expect(new TextDecoder().decode(result.body)).toBe('PNG');
    const none = createApiClient({ baseUrl: '', fetch: answering(204, '').fetch });
    await expect(none.deleteRole({ params: { id: 'r1' } })).resolves.toBeUndefined();
  });
});
