/**
 * @module identity/relyingParty
 * The web app signs people in as an ordinary OpenID Connect relying party
 * (`openid-client`: authorization code + PKCE + state + nonce). Today the IdP is the
 * embedded one; a tenant's own IdP (Entra ID, Okta, Keycloak) plugs in here later.
 * Its server-to-server calls to the embedded IdP run in-process (Fastify `inject`): no socket,
 * so no certificate for 127.0.0.1 to trust and no dependence on how the host reaches itself.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { LanguageTag } from '@remote-help/protocol';
import * as oidc from 'openid-client';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit.js';
import type { UsersRepo } from '../users/repo.js';
import type { AuthSessions } from './authSessions.js';
import { SESSION_TTL_MS } from './authSessions.js';
import { escapeHtml, issuerOf, OIDC_PATH, WEB_CLIENT_ID } from './provider.js';
import { appOfPath } from './conditionalAccess/signInGate.js';
import { signInLanguage } from './i18n/index.js';
import { renderShell, STYLE } from './signInPage.js';

export interface RelyingPartyOptions {
  publicUrl: string;
  clientSecret: string;
  sessions: AuthSessions;
  users: UsersRepo;
  audit: AuditLog;
  cookieName: string;
  secure: boolean;
}

const FLOW_COOKIE = 'rh_signin';
/** `startedAt`: when the sign-in started (seconds since the epoch); `ui`: the web app's language then. */
const FlowState = z.object({
  state: z.string(),
  nonce: z.string(),
  verifier: z.string(),
  returnTo: z.string(),
  startedAt: z.number(),
  ui: z.string().max(35).optional(),
});

/**
 * Whether the ID token's `auth_time` (seconds) says that the person entered their credentials
 * after this sign-in started (`startedAt`, seconds), i.e. that the provider did not sign them in
 * from an earlier session. Both times come from one clock: the embedded provider runs in this
 * process (and floors `Date.now()` to seconds as `startedAt` is).
 */
export function signedInSince(authTime: unknown, startedAt: number): boolean {
  return typeof authTime === 'number' && Number.isFinite(authTime) && authTime >= startedAt;
}

/** The seconds since the epoch now, on the provider's clock (`oidc-provider` reads `Date.now()`). */
const epochSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * The return target after sign-in: a path on our own origin, or `/`. The value is resolved the way a
 * browser would (`new URL` drops tabs and newlines and reads `\\` as `/`), must stay on `publicUrl`'s
 * origin, and comes back re-serialised (percent-encoded, so always a valid `Location`).
 */
export function safeReturnTo(value: unknown, publicUrl: string): string {
  if (typeof value !== 'string' || value.length > 512 || !value.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(value, publicUrl);
  } catch {
    return '/';
  }
  if (url.origin !== new URL(publicUrl).origin) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  // `/.//evil.example` normalises to `//evil.example`: a path that a browser reads as another host.
  return path.startsWith('//') ? '/' : path;
}

/** Serves the relying party's calls to the embedded IdP in-process, through the same routes and hooks. */
function injectFetch(app: FastifyInstance, publicUrl: string): oidc.CustomFetch {
  const origin = new URL(publicUrl).origin;
  return async (url, options) => {
    const target = new URL(url);
    if (target.origin !== origin) throw new Error(`refusing an IdP call outside ${origin}: ${target.origin}`);
    const { body } = options;
    if (body instanceof ReadableStream) throw new Error('streamed request bodies are not supported');
    const payload =
      body === null || body === undefined
        ? undefined
        : typeof body === 'string' || body instanceof URLSearchParams
          ? body.toString()
          : Buffer.from(body instanceof ArrayBuffer ? new Uint8Array(body) : body);
    const reply = await app.inject({
      method: options.method as 'GET' | 'POST',
      url: `${target.pathname}${target.search}`,
      headers: { ...options.headers, host: target.host },
      ...(payload === undefined ? {} : { payload }),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(reply.headers)) {
      for (const item of [value ?? []].flat()) headers.append(name, String(item));
    }
    const empty = [101, 204, 205, 304].includes(reply.statusCode);
    return new Response(empty ? null : new Uint8Array(reply.rawPayload), { status: reply.statusCode, headers });
  };
}

export async function relyingPartyRoutes(app: FastifyInstance, o: RelyingPartyOptions): Promise<void> {
  const issuer = issuerOf(o.publicUrl);
  let configuration: oidc.Configuration | undefined;

  /** The embedded IdP's metadata is known, so no discovery round trip; server-side calls stay in-process. */
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
    configuration[oidc.customFetch] = injectFetch(app, o.publicUrl);
    return configuration;
  };

  const cookieBase = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: o.secure };

  app.get('/auth/login', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const returnTo = safeReturnTo(query.returnTo, o.publicUrl);
    // Home-realm discovery: an email the app already knows skips the email-first page (federation).
    const loginHint =
      typeof query.login_hint === 'string' && query.login_hint.length <= 254 && query.login_hint.includes('@')
        ? query.login_hint.trim()
        : undefined;
    // The web app's current language, for the sign-in pages (only shipped tags are passed on).
    const uiLocale = LanguageTag.safeParse(query.ui_locales);
    const verifier = oidc.randomPKCECodeVerifier();
    const flow = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier,
      returnTo,
      startedAt: epochSeconds(),
      ...(uiLocale.success ? { ui: uiLocale.data } : {}),
    };
    const url = oidc.buildAuthorizationUrl(config(), {
      redirect_uri: `${o.publicUrl}/auth/callback`,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
      // Always ask for credentials: help-desk machines are shared, and signing out must mean it.
      // The provider insists anyway (`freshSignInPolicy`), and the callback checks `auth_time`.
      prompt: 'login',
      max_age: '0',
      ...(loginHint ? { login_hint: loginHint } : {}),
      ...(uiLocale.success ? { ui_locales: uiLocale.data } : {}),
      rh_app: appOfPath(returnTo),
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
    if (!claims || !user || user.disabled) return reply.redirect('/?signin=failed', 303);
    // A sign-in from an earlier session of the provider is no sign-in of the person at this browser.
    if (!signedInSince(claims.auth_time, flow.data.startedAt)) {
      request.log.warn({ authTime: claims.auth_time, startedAt: flow.data.startedAt }, 'sign-in without a fresh login');
      await o.audit.record({
        tenantId: user.tenant_id,
        actor: { type: 'user', id: user.id },
        action: 'signin.failed',
        ip: request.ip,
        data: { client: WEB_CLIENT_ID, reason: 'stale_sign_in' },
      });
      return signInAgain(reply, flow.data.returnTo, flow.data.ui, request.headers['accept-language']);
    }
    const token = await o.sessions.create(user, request.ip, request.headers['user-agent'] ?? null, {
      amr: Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string') : [],
      authTime: typeof claims.auth_time === 'number' ? claims.auth_time : null,
    });
    reply.setCookie(o.cookieName, token, { ...cookieBase, maxAge: SESSION_TTL_MS / 1000 });
    await o.audit.record({
      tenantId: user.tenant_id,
      actor: { type: 'user', id: user.id },
      action: 'app.signed_in',
      ip: request.ip,
    });
    return reply.redirect(safeReturnTo(flow.data.returnTo, o.publicUrl), 303);
  });
}

/**
 * The page after a refused callback whose login was not fresh: it says so, in the person's language,
 * and offers to sign in again (a link, not a redirect: a provider that keeps answering with an old
 * sign-in must not make the browser loop).
 */
function signInAgain(reply: FastifyReply, returnTo: string, ui: string | undefined, acceptLanguage?: string) {
  const language = signInLanguage(ui, acceptLanguage);
  const { t } = language;
  const again = `/auth/login?${new URLSearchParams({ returnTo, ...(ui ? { ui_locales: ui } : {}) }).toString()}`;
  return reply
    .status(401)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    .send(
      renderShell({
        language,
        title: t('providerError.title'),
        style: STYLE,
        body: `<h1>${escapeHtml(t('providerError.heading'))}</h1><p class="sub">${escapeHtml(t('gate.advice.signInFrequency'))}</p>
<p><a href="${escapeHtml(again)}">${escapeHtml(t('signIn.submit'))}</a></p>`,
      }),
    );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
