/**
 * @module auth/signIn
 * One run of OAuth for native apps (RFC 8252): listen on a loopback redirect, open the
 * authorization URL in the system browser, wait for the browser to come back, exchange
 * the code (PKCE S256, state checked by `openid-client`) and return the tokens. The URL's
 * state and challenge would let another local user finish a sign-in of their own into this
 * agent (or cancel it): the browser gets it through a private hand-over page, never on a
 * command line (`platform/browser.ts`), deleted at the latest when the sign-in ends.
 */
import { openUrl } from '../platform/browser.js';
import { listenForRedirect } from './loopback.js';
import { AgentOidcClient } from './oidc.js';
import type { StoredTokens } from './tokenStore.js';

/** How long the user has to finish signing in in the browser. */
export const SIGN_IN_TIMEOUT_MS = 5 * 60_000;

/** One sign-in run. */
export interface SignInOptions {
  /** The IdP client of the server (discovered if absent). */
  client?: AgentOidcClient;
  server: string;
  /**
   * Opens the authorization URL; default: the system browser (`REMOTE_HELP_BROWSER` overrides).
   * `finished` aborts once the sign-in is over (what was written to open it may go).
   */
  openBrowser?: (url: string, signIn: { finished: AbortSignal }) => Promise<void>;
  timeoutMs?: number;
  /** Aborting cancels the sign-in (`AgentError('signin_cancelled')`). */
  signal?: AbortSignal;
}

/** Runs the sign-in flow and returns the new tokens (not yet stored). */
export async function runSignIn(options: SignInOptions): Promise<StoredTokens> {
  const client = options.client ?? (await AgentOidcClient.discover(options.server));
  const redirect = await listenForRedirect();
  const finished = new AbortController();
  try {
    const request = await client.authorizationRequest(redirect.redirectUri);
    const callback = redirect.wait(request.state, options.timeoutMs ?? SIGN_IN_TIMEOUT_MS, options.signal);
    // A failure to open the browser must not leave the wait pending.
    callback.catch(() => undefined);
    const open =
      options.openBrowser ??
      (async (url: string, signIn: { finished: AbortSignal }) => void (await openUrl(url, { until: signIn.finished })));
    await open(request.url.href, { finished: finished.signal });
    return await client.exchange(request, await callback);
  } finally {
    finished.abort();
    redirect.close();
  }
}
