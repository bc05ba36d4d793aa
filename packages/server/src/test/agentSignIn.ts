/**
 * @module test/agentSignIn
 * The native agent's RFC 8252 sign-in, with the browser part done by the test `Client`.
 */
import * as oidc from 'openid-client';
import { Client, DEMO_PASSWORD } from './harness.js';

export async function agentSignIn(
  base: string,
  email: string,
): Promise<oidc.TokenEndpointResponse & { signInPage: string }> {
  const config = await oidc.discovery(new URL(`${base}/oidc`), 'remote-help-agent', undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const redirectUri = 'http://127.0.0.1:49152/callback';
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    prompt: 'consent',
  });
  const browser = new Client(base);
  const form = await browser.follow(url.pathname + url.search);
  const html = await form.text();
  const action = /action="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !csrf) throw new Error(`no sign-in form: ${html.slice(0, 200)}`);
  const posted = await browser.raw(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: DEMO_PASSWORD, csrf }),
  });
  let location = posted.headers.get('location') ?? '';
  for (let i = 0; i < 6 && !location.startsWith(redirectUri); i++) {
    location = (await browser.raw(location)).headers.get('location') ?? '';
  }
  if (!location.startsWith(redirectUri))
    throw new Error(`agent sign-in did not reach the loopback redirect: ${location}`);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(location), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return Object.assign(tokens, { signInPage: html });
}
