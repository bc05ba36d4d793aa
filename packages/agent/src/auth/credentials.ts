/**
 * @module auth/credentials
 * The signed-in state of the agent for one server: hands out a valid access token,
 * refreshing it shortly before it expires (one refresh at a time, however many callers
 * wait), signs in and out. A refresh token the IdP refuses ends the sign-in.
 */
import { AgentError, isAgentError } from '../errors.js';
import type { TokenEndpoint } from './oidc.js';
import { runSignIn, type SignInOptions } from './signIn.js';
import type { StoredTokens, TokenStore } from './tokenStore.js';

/** Hands out access tokens; implemented by `Credentials`, faked in tests. */
export interface AccessTokenProvider {
  /** A valid access token; `forceRefresh` when the server refused the current one. */
  accessToken(options?: { forceRefresh?: boolean }): Promise<string>;
}

/** What `Credentials` works with. */
export interface CredentialsOptions {
  server: string;
  store: TokenStore;
  /** The token endpoint (discovered lazily from the server by default). */
  endpoint: () => Promise<TokenEndpoint>;
  now?: () => number;
  /** Refresh this long before the access token expires (default 60 s). */
  refreshSkewMs?: number;
}

/** Tokens of one server: stored, refreshed, revoked. */
export class Credentials implements AccessTokenProvider {
  readonly server: string;
  readonly #store: TokenStore;
  readonly #endpoint: () => Promise<TokenEndpoint>;
  readonly #now: () => number;
  readonly #skewMs: number;
  #refreshing: Promise<StoredTokens> | null = null;

  constructor(options: CredentialsOptions) {
    this.server = options.server;
    this.#store = options.store;
    this.#endpoint = options.endpoint;
    this.#now = options.now ?? Date.now;
    this.#skewMs = options.refreshSkewMs ?? 60_000;
  }

  /** The stored tokens, or null when not signed in. */
  tokens(): Promise<StoredTokens | null> {
    return this.#store.get(this.server);
  }

  async accessToken(options: { forceRefresh?: boolean } = {}): Promise<string> {
    const tokens = await this.tokens();
    if (!tokens) throw new AgentError('signin_required', 'Sign in to continue.');
    if (!options.forceRefresh && tokens.expiresAt - this.#skewMs > this.#now()) return tokens.accessToken;
    return (await this.#refresh(tokens)).accessToken;
  }

  /** Runs the browser sign-in and stores the tokens. */
  async signIn(options: Omit<SignInOptions, 'server'> = {}): Promise<StoredTokens> {
    const tokens = await runSignIn({ ...options, server: this.server });
    await this.#store.set(tokens);
    return tokens;
  }

  /** Forgets the tokens and revokes the refresh token at the IdP (best effort). */
  async signOut(): Promise<void> {
    const removed = await this.#store.remove(this.server);
    const refreshToken = removed[0]?.refreshToken;
    if (!refreshToken) return;
    try {
      await (await this.#endpoint()).revoke(refreshToken);
    } catch {
      // The server may be unreachable; the token is gone from this device either way.
    }
  }

  #refresh(tokens: StoredTokens): Promise<StoredTokens> {
    if (!this.#refreshing) {
      const run = this.#runRefresh(tokens);
      this.#refreshing = run;
      const clear = (): void => {
        if (this.#refreshing === run) this.#refreshing = null;
      };
      run.then(clear, clear);
    }
    return this.#refreshing;
  }

  async #runRefresh(tokens: StoredTokens): Promise<StoredTokens> {
    try {
      if (!tokens.refreshToken) throw new AgentError('signin_required', 'The sign-in expired; sign in again.');
      const next = await (await this.#endpoint()).refresh(tokens.refreshToken, tokens);
      await this.#store.set(next);
      return next;
    } catch (error) {
      if (isAgentError(error, 'signin_required')) await this.#store.remove(this.server);
      throw error;
    }
  }
}

/** Discovers the server's IdP on first use and keeps it (a failed discovery is retried next time). */
export function lazyEndpoint(discover: () => Promise<TokenEndpoint>): () => Promise<TokenEndpoint> {
  let found: Promise<TokenEndpoint> | null = null;
  return () => {
    found ??= discover().catch((error: unknown) => {
      found = null;
      throw error;
    });
    return found;
  };
}
