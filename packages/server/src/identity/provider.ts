/**
 * @module identity/provider
 * The embedded OpenID Connect provider (`oidc-provider`, OpenID Certified), mounted at
 * `/oidc`. It signs in local accounts of every tenant; the web app and the agent are its
 * first-party clients and sign in through it like through any external IdP.
 */
import Provider, { interactionPolicy } from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { TrustProxy } from '../config.js';
import type { Db } from '../db/client.js';
import { Backoff } from '../ratelimit/backoff.js';
import { PROVIDER_REQUESTS_ADDRESS } from '../ratelimit/policies.js';
import type { BackoffStore } from '../ratelimit/store.js';
import type { Secrets } from '../secrets.js';
import type { Clock } from '../time.js';
import type { UsersRepo } from '../users/repo.js';
import { signInLanguage, type SignInLanguage } from './i18n/index.js';
import { createOidcAdapter } from './oidcAdapter.js';
import { oidcRequestGuard, type ProviderContext } from './oidcRequestGuard.js';

export const OIDC_PATH = '/oidc';
export const WEB_CLIENT_ID = 'remote-help-web';
export const AGENT_CLIENT_ID = 'remote-help-agent';
export const FIRST_PARTY_CLIENTS: ReadonlySet<string> = new Set([WEB_CLIENT_ID, AGENT_CLIENT_ID]);

export interface ProviderOptions {
  publicUrl: string;
  db: Db;
  users: UsersRepo;
  secrets: Secrets;
  /**
   * Whether requests come through trusted proxies. Fastify decides who the client is (it knows hop
   * counts and proxy lists, Koa does not) and the `/oidc` hook rewrites `X-Forwarded-*` to that one
   * verdict, so Koa trusts exactly one entry: both see the same address, scheme and host.
   */
  trustProxy: TrustProxy;
  /** Where the per-address budget of authorization and sign-out requests is counted (`oidcRequestGuard`). */
  limits: { store: BackoffStore; clock: Clock };
}

export const issuerOf = (publicUrl: string): string => `${publicUrl}${OIDC_PATH}`;

export function createProvider({ publicUrl, db, users, secrets, trustProxy, limits }: ProviderOptions): Provider {
  const secure = publicUrl.startsWith('https:');
  const configuration: Configuration = {
    adapter: createOidcAdapter(db),
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        client_secret: secrets.webClientSecret,
        redirect_uris: [`${publicUrl}/auth/callback`],
        post_logout_redirect_uris: [`${publicUrl}/`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        // Every ID token says when the person signed in: the relying party checks it was this sign-in.
        require_auth_time: true,
      },
      {
        // The native agent (RFC 8252): public client, loopback redirect on any port, PKCE.
        client_id: AGENT_CLIENT_ID,
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        require_auth_time: true,
      },
    ],
    pkce: { required: () => true },
    // The web app the sign-in is for (helper, sharer, admin): conditional access evaluates it at sign-in.
    extraParams: ['rh_app'],
    claims: {
      // `amr` (RFC 8176): how the person signed in (`pwd`, plus `otp`/`mfa` after a second factor).
      openid: ['sub', 'amr'],
      email: ['email', 'email_verified'],
      profile: ['name', 'job_title', 'company', 'picture', 'tenant_id'],
    },
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    cookies: { keys: secrets.cookieKeys, long: { signed: true, secure }, short: { signed: true, secure } },
    jwks: { keys: [secrets.signingJwk] },
    features: {
      devInteractions: { enabled: false },
      // Pushed authorization requests (on by default) let anyone store 56 KB per request for the
      // agent's public client; neither of our clients pushes its requests.
      pushedAuthorizationRequests: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // The provider's own sign-out pages, in the person's language like the sign-in pages.
        logoutSource(ctx, form) {
          const language = signInLanguage(ctx.query.ui_locales, ctx.get('accept-language'));
          const { t } = language;
          ctx.body = providerPage(
            language,
            t('signOut.title'),
            `<h1>${escapeHtml(t('signOut.question'))}</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">${escapeHtml(t('signOut.yes'))}</button>
<button type="submit" form="op.logoutForm" class="alt">${escapeHtml(t('signOut.no'))}</button>`,
          );
        },
        postLogoutSuccessSource(ctx) {
          const language = signInLanguage(ctx.query.ui_locales, ctx.get('accept-language'));
          const { t } = language;
          ctx.body = providerPage(
            language,
            t('signOut.doneTitle'),
            `<h1>${escapeHtml(t('signOut.doneTitle'))}</h1><p>${escapeHtml(t('signOut.done'))}</p><p><a href="/">${escapeHtml(t('common.backToRemoteHelp'))}</a></p>`,
          );
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/signin/${interaction.uid}`, policy: freshSignInPolicy() },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      // A session nobody signed in to carries only a sign-out under way (its form posts itself at
      // once), and anyone can make one: it lives as briefly as an interaction.
      Session: (_ctx, session) => (session.accountId ? 12 * 3600 : 600),
      Grant: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
    },
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const clientId = ctx.oidc.client?.clientId;
      if (!clientId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      // First-party apps need no consent screen: their grant is implied.
      if (!FIRST_PARTY_CLIENTS.has(clientId) || !ctx.oidc.session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile offline_access');
      await grant.save();
      return grant;
    },
    /**
     * The native agent's access tokens carry how and when the person signed in (from the code or
     * refresh token they were exchanged for), so conditional access can read `mfa` at its calls.
     */
    async extraTokenClaims(ctx: KoaContextWithOIDC, token) {
      if (token.kind !== 'AccessToken') return undefined;
      const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
      if (!source) return undefined;
      return { rh_amr: source.amr ?? [], rh_auth_time: source.authTime ?? null };
    },
    async findAccount(_ctx, sub) {
      const user = await users.findBySubject(sub);
      if (!user || user.disabled) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: user.email,
            email_verified: true,
            name: user.display_name,
            job_title: user.job_title,
            company: user.company,
            picture: user.photo_mime ? `${publicUrl}/api/v1/users/${user.id}/photo` : undefined,
            tenant_id: user.tenant_id,
          };
        },
      };
    },
    renderError(ctx, out) {
      providerErrorPage(ctx, String(out.error_description ?? out.error));
    },
  };
  const provider = new Provider(issuerOf(publicUrl), configuration);
  provider.proxy = trustProxy !== false;
  provider.maxIpsCount = 1;
  // Ahead of every route: short parameters, and a per-address budget of requests that store rows.
  provider.use(
    oidcRequestGuard({
      limits: new Backoff(limits.store, limits.clock, PROVIDER_REQUESTS_ADDRESS),
      errorPage: providerErrorPage,
      tooManyPage: tooManyRequestsPage,
    }),
  );
  return provider;
}

/** A page of the provider's own with one paragraph under its heading (`paragraph` is escaped; `dir` its direction). */
function providerMessagePage(ctx: ProviderContext, paragraph: (language: SignInLanguage) => string, dir?: 'ltr'): void {
  const language = signInLanguage(ctx.query.ui_locales, ctx.get('accept-language'));
  const { t } = language;
  ctx.type = 'html';
  ctx.body = providerPage(
    language,
    t('providerError.title'),
    `<h1>${escapeHtml(t('providerError.heading'))}</h1><p${dir ? ` dir="${dir}"` : ''}>${escapeHtml(paragraph(language))}</p><p><a href="/">${escapeHtml(t('common.backToRemoteHelp'))}</a></p>`,
  );
}

/** The provider's error page. The protocol's own words (`description`) stay as written; the page around them is translated. */
function providerErrorPage(ctx: ProviderContext, description: string): void {
  providerMessagePage(ctx, () => description, 'ltr');
}

/** The plain page of a request over its address's budget (`oidcRequestGuard`). */
function tooManyRequestsPage(ctx: ProviderContext, retryAfterSeconds: number): void {
  providerMessagePage(ctx, (language) =>
    language.t('signIn.tooManyAttempts', { duration: language.seconds(retryAfterSeconds) }),
  );
}

/**
 * The default prompts (login, then consent), and one more reason to ask for the login: our own
 * apps are only ever signed in by a login in the same authorization request. Help-desk machines
 * are shared, so an earlier session of the provider in this browser (someone else's, or one a
 * sign-out missed) must never sign anyone in again, whatever the request asks: `prompt=login` is
 * only a wish of the client, which the person at the browser can delete from the URL, and the
 * native agent asks `prompt=consent`. `ctx.oidc.result.login` is set only on the resume after our
 * sign-in routes finished a login (the password, passkey or federated pages, each past conditional
 * access and into the sign-in log), and the consent step after it keeps it (`mergeWithLastSubmission`).
 */
export function freshSignInPolicy(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (!login) throw new Error('the provider has no login prompt');
  login.checks.add(
    new interactionPolicy.Check(
      'fresh_login_required',
      'Remote Help asks for credentials at every sign-in',
      'login_required',
      (ctx) => FIRST_PARTY_CLIENTS.has(ctx.oidc.client?.clientId ?? '') && !ctx.oidc.result?.login,
    ),
  );
  return policy;
}

/**
 * A page of the provider itself (error, sign-out) in the person's language and direction. Kept
 * here, plain, so that the provider needs none of the sign-in pages' modules.
 */
function providerPage(language: SignInLanguage, title: string, body: string): string {
  return `<!doctype html>
<html lang="${language.tag}" dir="${language.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} – Remote Help</title><style>${PROVIDER_PAGE_STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

const PROVIDER_PAGE_STYLE =
  'body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f5f5f5;font-family:"Segoe UI",system-ui,-apple-system,Roboto,"Helvetica Neue",sans-serif;color:#242424}' +
  'main{width:min(440px,calc(100vw - 32px));background:#fff;border-radius:8px;box-shadow:0 2px 4px rgba(0,0,0,.14);padding:44px}h1{font-size:20px;font-weight:600}' +
  'button{display:block;width:100%;margin-top:12px;font:inherit;font-weight:600;font-size:14px;padding:9px 12px;border:0;border-radius:4px;background:#0f6cbd;color:#fff;cursor:pointer}' +
  'button.alt{background:#fff;color:#242424;border:1px solid #d1d1d1}a{color:#0f6cbd}';

/** Escapes text for HTML element and attribute content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
