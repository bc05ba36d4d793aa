/**
 * @module auth/oidc
 * The one bridge to `openid-client`: discovery of the server's embedded IdP, the
 * authorization URL (PKCE S256, state), the code exchange, refresh and revocation for
 * the public native client `remote-help-agent` (RFC 8252).
 */
import * as oidc from 'openid-client';
import { AgentError } from '../errors.js';
import type { StoredTokens } from './tokenStore.js';

/** The agent's OAuth client id at every remote-help server. */
export const AGENT_CLIENT_ID = 'remote-help-agent';
/** `offline_access` gives a refresh token; `prompt=consent` is needed for the IdP to issue it. */
export const AGENT_SCOPE = 'openid email profile offline_access';
/**
 * Credentials at every sign-in (`login`, and `max_age=0`): the browser may still hold a session of
 * the IdP from someone else at a shared machine. The server insists on it anyway; the code
 * exchange checks it ({@link FRESH_SIGN_IN_SECONDS}).
 */
export const AGENT_PROMPT = 'login consent';
/**
 * How long before its ID token was issued the person may have entered their credentials, for a
 * sign-in to count as theirs and not an earlier session's: both times are the server's (`iat`,
 * `auth_time`), so this machine's clock does not matter. A real sign-in ends seconds before the
 * code is redeemed (codes live 60 s).
 */
export const FRESH_SIGN_IN_SECONDS = 300;

/** One authorization request in flight. */
export interface AuthorizationRequest {
  url: URL;
  redirectUri: string;
  state: string;
  verifier: string;
}

/** What the token store needs from the token endpoint (an interface so tests can fake it). */
export interface TokenEndpoint {
  refresh(refreshToken: string, previous: StoredTokens): Promise<StoredTokens>;
  revoke(token: string): Promise<void>;
}

/** The IdP of one remote-help server, seen by the agent. */
export class AgentOidcClient implements TokenEndpoint {
  readonly server: string;
  readonly #config: oidc.Configuration;
  readonly #now: () => number;

  private constructor(server: string, config: oidc.Configuration, now: () => number) {
    this.server = server;
    this.#config = config;
    this.#now = now;
  }

  /** Discovers `${server}/oidc`. Plain http is allowed only when the server URL is http. */
  static async discover(server: string, now: () => number = Date.now): Promise<AgentOidcClient> {
    const issuer = new URL(`${server}/oidc`);
    const insecure = issuer.protocol === 'http:';
    try {
      const config = await oidc.discovery(issuer, AGENT_CLIENT_ID, undefined, oidc.None(), {
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        timeout: 15,
      });
      return new AgentOidcClient(server, config, now);
    } catch (error) {
      throw new AgentError(
        'network_error',
        `Cannot reach the sign-in service of ${server}: ${describe(error)}`,
        { server },
        { cause: error },
      );
    }
  }

  /** A new authorization request for a loopback redirect URI. */
  async authorizationRequest(redirectUri: string): Promise<AuthorizationRequest> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(this.#config, {
      redirect_uri: redirectUri,
      scope: AGENT_SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      prompt: AGENT_PROMPT,
      max_age: '0',
    });
    return { url, redirectUri, state, verifier };
  }

  /** Exchanges the code in `callbackUrl` (the full loopback URL the browser was sent to). */
  async exchange(request: AuthorizationRequest, callbackUrl: URL): Promise<StoredTokens> {
    try {
      const response = await oidc.authorizationCodeGrant(this.#config, callbackUrl, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
      });
      assertFreshSignIn(response.claims());
      const tokens = this.#toStored(response, null);
      return await this.#withProfile(tokens);
    } catch (error) {
      throw new AgentError('signin_failed', `Sign-in failed: ${describe(error)}`, undefined, { cause: error });
    }
  }

  /** Fills in the name and email from the UserInfo endpoint (the ID token carries only `sub`). */
  async #withProfile(tokens: StoredTokens): Promise<StoredTokens> {
    const account = tokens.account;
    if (!account || (account.name && account.email)) return tokens;
    try {
      const info = await oidc.fetchUserInfo(this.#config, tokens.accessToken, account.subject);
      const name = typeof info.name === 'string' ? info.name : account.name;
      const email = typeof info.email === 'string' ? info.email : account.email;
      return { ...tokens, account: { ...account, name, email } };
    } catch {
      return tokens; // display only: not worth failing the sign-in for
    }
  }

  async refresh(refreshToken: string, previous: StoredTokens): Promise<StoredTokens> {
    try {
      const response = await oidc.refreshTokenGrant(this.#config, refreshToken);
      return this.#toStored(response, previous);
    } catch (error) {
      if (error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant') {
        throw new AgentError('signin_required', 'The sign-in expired or was revoked; sign in again.', undefined, {
          cause: error,
        });
      }
      throw new AgentError('network_error', `Cannot refresh the sign-in: ${describe(error)}`, undefined, {
        cause: error,
      });
    }
  }

  async revoke(token: string): Promise<void> {
    await oidc.tokenRevocation(this.#config, token);
  }

  #toStored(
    response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
    previous: StoredTokens | null,
  ): StoredTokens {
    const claims = response.claims();
    const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
    return {
      server: this.server,
      accessToken: response.access_token,
      // Refresh tokens of public clients rotate; keep the old one only if none came back.
      refreshToken: response.refresh_token ?? previous?.refreshToken ?? null,
      expiresAt: this.#now() + (response.expiresIn() ?? 300) * 1000,
      account: claims
        ? { subject: claims.sub, email: text(claims['email']), name: text(claims['name']) }
        : (previous?.account ?? null),
    };
  }
}

/**
 * Refuses an ID token without `auth_time`, or whose sign-in happened well before it was issued:
 * the IdP signed someone in from an earlier session instead of asking for credentials.
 */
export function assertFreshSignIn(claims: { iat?: unknown; auth_time?: unknown } | undefined): void {
  const { iat, auth_time: authTime } = claims ?? {};
  if (typeof iat !== 'number' || typeof authTime !== 'number')
    throw new Error('the sign-in service did not say when the sign-in happened (auth_time)');
  if (iat - authTime > FRESH_SIGN_IN_SECONDS)
    throw new Error('the sign-in service reused an earlier sign-in instead of asking for credentials');
}

function describe(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError)
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  if (error instanceof oidc.AuthorizationResponseError) return error.error;
  if (error instanceof Error)
    return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
  return String(error);
}
