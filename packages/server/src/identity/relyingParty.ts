/**
 * @module identity/relyingParty
 * The web app signs people in as an ordinary OpenID Connect relying party
 * (`openid-client`: authorization code + PKCE + state + nonce). Today the IdP is the
 * embedded one; a tenant's own IdP (Entra ID, Okta, Keycloak) plugs in here later.
 */
import type { FastifyInstance } from 'fastify';
import * as oidc from 'openid-client';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit.js';
import type { UsersRepo } from '../users/repo.js';
import type { AuthSessions } from './authSessions.js';
import { SESSION_TTL_MS } from './authSessions.js';
import { issuerOf, OIDC_PATH, WEB_CLIENT_ID } from './provider.js';

export interface RelyingPartyOptions {
  publicUrl: string;
  /** Where this server can reach itself (server-to-server calls to the embedded IdP). */
  internalUrl: () => string;
  clientSecret: string;
  sessions: AuthSessions;
  users: UsersRepo;
  audit: AuditLog;
  cookieName: string;
  secure: boolean;
}

const FLOW_COOKIE = 'rh_signin';
const FlowState = z.object({ state: z.string(), nonce: z.string(), verifier: z.string(), returnTo: z.string() });

/** Only same-site paths are allowed as a return target (no open redirects). */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\'))
    return '/';
  return value.length > 512 ? '/' : value;
}

export async function relyingPartyRoutes(app: FastifyInstance, o: RelyingPartyOptions): Promise<void> {
  const issuer = issuerOf(o.publicUrl);
  let configuration: oidc.Configuration | undefined;

  /** The embedded IdP's metadata is known, so no discovery round trip; server-side calls go to the internal address. */
  const config = (): oidc.Configuration => {
    if (configuration) return configuration;
    const base = `${o.publicUrl}${OIDC_PATH}`;
    configuration = new oidc.Configuration(
      {
        issuer,
        authorization_endpoint: `${base}/auth`,
        token_endpoint: `${base}/token`,
        jwks_uri: `${base}/jwks`,
        userinfo_endpoint: `${base}/me`,
        end_session_endpoint: `${base}/session/end`,
        id_token_signing_alg_values_supported: ['RS256'],
      },
      WEB_CLIENT_ID,
      { client_secret: o.clientSecret },
      oidc.ClientSecretBasic(o.clientSecret),
    );
    if (issuer.startsWith('http:')) oidc.allowInsecureRequests(configuration);
    configuration[oidc.customFetch] = (url, options) => {
      const target = url.startsWith(o.publicUrl) ? o.internalUrl() + url.slice(o.publicUrl.length) : url;
      return fetch(target, options as RequestInit);
    };
    return configuration;
  };

  const cookieBase = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: o.secure };

  app.get('/auth/login', async (request, reply) => {
    const returnTo = safeReturnTo((request.query as Record<string, unknown>).returnTo);
    const verifier = oidc.randomPKCECodeVerifier();
    const flow = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier, returnTo };
    const url = oidc.buildAuthorizationUrl(config(), {
      redirect_uri: `${o.publicUrl}/auth/callback`,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
      // Always ask for credentials: help-desk machines are shared, and signing out must mean it.
      prompt: 'login',
    });
    reply.setCookie(FLOW_COOKIE, JSON.stringify(flow), { ...cookieBase, path: '/auth', maxAge: 600, signed: true });
    return reply.redirect(url.href, 303);
  });

  app.get('/auth/callback', async (request, reply) => {
    const raw = request.cookies[FLOW_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : undefined;
    reply.clearCookie(FLOW_COOKIE, { ...cookieBase, path: '/auth' });
    const flow = unsigned?.valid && unsigned.value ? FlowState.safeParse(safeJson(unsigned.value)) : undefined;
    if (!flow?.success) return reply.redirect('/?signin=expired', 303);
    let claims: oidc.IDToken | undefined;
    try {
      const currentUrl = new URL(request.url, o.publicUrl);
      const tokens = await oidc.authorizationCodeGrant(config(), currentUrl, {
        pkceCodeVerifier: flow.data.verifier,
        expectedState: flow.data.state,
        expectedNonce: flow.data.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      request.log.warn({ err: error }, 'sign-in callback rejected');
      return reply.redirect('/?signin=failed', 303);
    }
    const user = claims ? await o.users.findBySubject(claims.sub) : undefined;
    if (!user || user.disabled) return reply.redirect('/?signin=failed', 303);
    const token = await o.sessions.create(user, request.ip, request.headers['user-agent'] ?? null);
    reply.setCookie(o.cookieName, token, { ...cookieBase, maxAge: SESSION_TTL_MS / 1000 });
    await o.audit.record({
      tenantId: user.tenant_id,
      actor: { type: 'user', id: user.id },
      action: 'app.signed_in',
      ip: request.ip,
    });
    return reply.redirect(flow.data.returnTo, 303);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
