import { describe, expect, it } from 'vitest';
import { listenForRedirect } from './loopback.js';

describe('loopback redirect (RFC 8252 §7.3)', () => {
  it('listens on 127.0.0.1 and resolves with the callback that carries the expected state', async () => {
    const redirect = await listenForRedirect();
    expect(redirect.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const waiting = redirect.wait('state-1', 5000);
    expect((await fetch(`${redirect.redirectUri}?code=c&state=other`)).status).toBe(400);
    expect((await fetch(redirect.redirectUri.replace('/callback', '/elsewhere'))).status).toBe(404);
    const ok = await fetch(`${redirect.redirectUri}?code=the-code&state=state-1&iss=x`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'none'");
    const url = await waiting;
    expect(url.searchParams.get('code')).toBe('the-code');
    redirect.close();
  });

  it('turns an IdP error into a typed failure', async () => {
    const redirect = await listenForRedirect();
    const outcome = redirect.wait('s', 5000).catch((error: unknown) => error);
    await fetch(`${redirect.redirectUri}?error=access_denied&state=s`);
    expect(await outcome).toMatchObject({ reason: 'signin_cancelled' });
    redirect.close();
  });

  it('times out, and can be cancelled', async () => {
    const slow = await listenForRedirect();
    await expect(slow.wait('s', 50)).rejects.toMatchObject({ reason: 'signin_failed' });
    slow.close();
    const cancelled = await listenForRedirect();
    const abort = new AbortController();
    const waiting = cancelled.wait('s', 5000, abort.signal);
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ reason: 'signin_cancelled' });
    cancelled.close();
  });
});
