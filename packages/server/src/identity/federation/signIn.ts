/**
 * @module identity/federation/signIn
 * The server as a relying party of an organization's own OpenID Connect provider, inside the
 * embedded provider's sign-in interaction, so the web app and the native agent (RFC 8252: its
 * loopback client signs in at `/oidc/auth`) federate through the same path:
 *
 * 1. `/signin/:uid` (embedded IdP) → home-realm discovery: `homeRealmRedirect` sends a
 *    `login_hint` of a federated domain, or anyone when some organization federates and no hint
 *    was given, to `/signin/:uid/email` (email first).
 * 2. An email whose domain is an enabled provider's → authorization code + PKCE (S256) + state +
 *    nonce at the provider (discovered through `/.well-known/openid-configuration`); the pending
 *    flow is kept server-side by its state and bound to the browser by a signed cookie.
 *    Any other email → the embedded password page (`?local=1`), the default and the break-glass path.
 * 3. `/auth/federation/callback`: the flow is deleted as it is read (a replayed state finds
 *    nothing), the code is redeemed and the ID token verified by `openid-client` (issuer,
 *    audience, signature by the provider's JWKS, expiry, nonce), the person is provisioned just in
 *    time (`jit.ts`), and `/signin/:uid/federated` finishes the embedded interaction as that person.
 *
 * `/auth/federation/test/:id` (an administrator with `settings.manage`) runs the same flow and
 * shows the mapped claims and the verdict instead of signing anyone in.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';
import { createRemoteJWKSet, customFetch as joseFetch, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { IdParams } from '@remote-help/protocol';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { AuditLog } from '../../audit/audit.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../time.js';
import { can } from '../principal.js';
import type { SignInGate } from '../conditionalAccess/signInGate.js';
import { appOfSignIn } from '../conditionalAccess/signInGate.js';
import type { SignInSteps } from '../mfa/signInSteps.js';
import { AGENT_CLIENT_ID } from '../provider.js';
import { signInLanguage } from '../i18n/index.js';
import { signInCsrf } from '../signInRoutes.js';
import { FederationError, mapClaims, mappedGroupIds, provision, refusalOf } from './jit.js';
import { renderEmailPage, renderFederationError, renderTestResult } from './pages.js';
import type { IdpAddresses } from './outbound.js';
import { guardedFetch } from './outbound.js';
import type { FederationService, ProviderRecord } from './service.js';
import { FEDERATION_CALLBACK_PATH } from './service.js';

export interface FederationSignInOptions {
  provider: Provider;
  federation: FederationService;
  db: Db;
  audit: AuditLog;
  clock: Clock;
  publicUrl: string;
  secure: boolean;
  csrfKey: string;
  /** Which addresses a provider may have (`IDP_ADDRESSES`, `federation/outbound`). */
  addresses: IdpAddresses;
  /** Conditional access before the sign-in finishes (`conditionalAccess/signInGate`). */
  gate?: SignInGate;
  /** The second factor the gate may ask for (an authenticator set up here, when the provider did no MFA). */
  steps?: SignInSteps;
}

const FLOW_COOKIE = 'rh_fed';
const FLOW_TTL_MS = 10 * 60_000;
const RESULT_TTL_MS = 60_000;

const Flow = z.object({
  providerId: z.string(),
  verifier: z.string(),
  nonce: z.string(),
  kind: z.enum(['signin', 'test']),
  uid: z.string().optional(),
  userId: z.string().optional(),
});
type Flow = z.infer<typeof Flow>;

const Uid = z.object({
  uid: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/),
});
const EmailForm = z.object({ email: z.string().trim().toLowerCase().min(3).max(254), csrf: z.string().max(100) });

/** Configurations by provider (and its version), discovered at most every 10 minutes. */
const discovered = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

/**
 * The provider's configuration, discovered through {@link guardedFetch} (`addresses`: the
 * operator's `IDP_ADDRESSES`), which it keeps for every later request (token endpoint).
 */
export function configurationFor(p: ProviderRecord, now: number, addresses: IdpAddresses): Promise<oidc.Configuration> {
  const key = `${p.id}:${p.updatedAt}:${addresses}`;
  const hit = discovered.get(key);
  if (hit && now - hit.at < 10 * 60_000) return hit.config;
  const insecure = new URL(p.issuer).protocol === 'http:';
  const config = oidc.discovery(
    new URL(p.issuer),
    p.clientId,
    p.clientSecret ?? undefined,
    p.clientSecret ? undefined : oidc.None(),
    {
      execute: insecure ? [oidc.allowInsecureRequests] : [],
      timeout: 10,
      [oidc.customFetch]: guardedFetch(addresses) as oidc.CustomFetch,
    },
  );
  config.catch(() => discovered.delete(key));
  discovered.set(key, { at: now, config });
  return config;
}

/** What went wrong, in a stable code and words a person can pass on to their administrator. */
export function classify(error: unknown, provider: string): FederationError {
  if (error instanceof FederationError) return error;
  // openid-client wraps oauth4webapi's errors; jose's carry `code` and `claim`: read the whole chain.
  const chain: { message?: string; code?: string; claim?: string; error?: string; error_description?: string }[] = [];
  for (let e = error as { cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    chain.push(e as (typeof chain)[number]);
    const claim = (e as { cause?: { claim?: string } }).cause?.claim;
    if (claim) chain.push({ claim });
  }
  const blocked = chain.find((e) => e.code === 'IDP_ADDRESS_BLOCKED');
  if (blocked)
    // The person is told the provider cannot be reached; the code tells their administrator why.
    return new FederationError(
      'federation_address_blocked',
      `${provider} could not be reached: ${blocked.message}.`,
      502,
      { provider },
      'federation_provider_unreachable',
    );
  const text = chain.map((e) => `${e.message ?? ''} ${e.code ?? ''}`).join(' | ');
  const claim = chain.find((e) => e.claim)?.claim ?? /"(\w+)" \(/.exec(text)?.[1];
  const oauthError = chain.find((e) => typeof e.error === 'string');
  if (/signature verification failed|SIGNATURE_VERIFICATION|JWKS_NO_MATCHING_KEY/i.test(text))
    return new FederationError(
      'federation_signature_invalid',
      `The sign-in token from ${provider} has an invalid signature.`,
      400,
      { provider },
    );
  if (claim === 'iss')
    return new FederationError(
      'federation_issuer_mismatch',
      `The sign-in token was not issued by ${provider}'s configured issuer.`,
      400,
      { provider },
    );
  if (claim === 'aud' || claim === 'azp')
    return new FederationError(
      'federation_audience_mismatch',
      `The sign-in token from ${provider} was meant for another application.`,
      400,
      { provider },
    );
  if (claim === 'exp' || claim === 'iat' || /ERR_JWT_EXPIRED|expiration/.test(text))
    return new FederationError(
      'federation_token_expired',
      `The sign-in token from ${provider} has expired. Try again.`,
      400,
      { provider },
    );
  if (claim === 'nonce' || /nonce/.test(text))
    return new FederationError(
      'federation_nonce_mismatch',
      `The sign-in token from ${provider} does not belong to this sign-in (nonce).`,
      400,
      { provider },
    );
  if (claim === 'state' || /"state"/.test(text))
    return new FederationError(
      'federation_state_mismatch',
      'This sign-in response does not belong to this sign-in (state).',
      400,
      {},
    );
  if (oauthError) {
    const detail = `${oauthError.error}${oauthError.error_description ? ` (${oauthError.error_description})` : ''}`;
    return new FederationError('federation_provider_error', `${provider} refused the sign-in: ${detail}.`, 400, {
      provider,
      detail,
    });
  }
  if (/discover|fetch failed|ECONNREFUSED|timed out|metadata|unexpected HTTP response/i.test(text))
    return new FederationError(
      'federation_provider_unreachable',
      `${provider} could not be reached or is misconfigured.`,
      502,
      { provider },
    );
  const detail = chain[0]?.message ?? 'unknown error';
  return new FederationError('federation_failed', `Sign-in with ${provider} failed: ${detail}.`, 400, {
    provider,
    detail,
  });
}

/** Each provider's published keys (JWKS), fetched and cached by `jose`. */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * `openid-client` checks the ID token's claims but, for a token received straight from the token
 * endpoint, not its signature (OIDC Core 3.1.3.7 allows that over TLS). We check it too, against
 * the keys the provider publishes, with the same issuer and audience rules.
 */
async function verifySignature(
  config: oidc.Configuration,
  clientId: string,
  idToken: string,
  addresses: IdpAddresses,
): Promise<void> {
  const metadata = config.serverMetadata();
  if (!metadata.jwks_uri)
    throw new FederationError('federation_provider_unreachable', 'The provider publishes no keys (jwks_uri).', 502, {
      provider: metadata.issuer,
    });
  const key = `${addresses} ${metadata.jwks_uri}`;
  let keys = keySets.get(key);
  if (!keys)
    keySets.set(key, (keys = createRemoteJWKSet(new URL(metadata.jwks_uri), { [joseFetch]: guardedFetch(addresses) })));
  await jwtVerify(idToken, keys, { issuer: metadata.issuer, audience: clientId, clockTolerance: 30 });
}

/**
 * Where `/signin/:uid` sends a person before the password page, or undefined: a `login_hint` of a
 * federated domain, or no hint while some organization federates (`?local=1` is the way to the password).
 */
export function homeRealmRedirect(federation: FederationService) {
  return async (interaction: Interaction, request: FastifyRequest): Promise<string | undefined> => {
    if ((request.query as Record<string, unknown>).local === '1') return undefined;
    const hint = interaction.params.login_hint;
    const base = `/signin/${encodeURIComponent(interaction.uid)}/email`;
    if (typeof hint === 'string' && hint.length <= 254 && hint.includes('@'))
      return (await federation.forEmail(hint)) ? `${base}?login_hint=${encodeURIComponent(hint)}` : undefined;
    return (await federation.anyEnabled()) ? base : undefined;
  };
}

export async function federationSignInRoutes(app: FastifyInstance, o: FederationSignInOptions): Promise<void> {
  await app.register(formbody, { bodyLimit: 8 * 1024 });
  const cookieBase = { path: '/auth/federation', httpOnly: true, sameSite: 'lax' as const, secure: o.secure };
  const csrfFor = (uid: string) => createHmac('sha256', o.csrfKey).update(`federation:${uid}`).digest('base64url');
  const now = () => o.clock.now();

  const page = (reply: FastifyReply, status: number, html: string) =>
    reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header(
        'content-security-policy',
        // `form-action` also governs the form's redirect: the email page's answer goes on to the
        // organization's provider (any https origin; plain http only on loopback, for labs and tests).
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self' https: http://127.0.0.1:* http://localhost:*; frame-ancestors 'none'",
      )
      .send(html);

  /** The pages' language: the interaction's `ui_locales` (the web app's language) when known, then the browser's. */
  const languageFor = (request: FastifyRequest, interaction?: Interaction) =>
    signInLanguage(interaction?.params.ui_locales, request.headers['accept-language']);
  const refuse = (reply: FastifyReply, error: FederationError, again = '/auth/login') =>
    page(reply, error.status, renderFederationError(error, again, languageFor(reply.request)));

  const interactionOf = async (request: FastifyRequest, reply: FastifyReply): Promise<Interaction | undefined> => {
    const params = Uid.safeParse(request.params);
    if (!params.success) return undefined;
    try {
      const interaction = await o.provider.interactionDetails(request.raw, reply.raw);
      return interaction.uid === params.data.uid ? interaction : undefined;
    } catch {
      return undefined;
    }
  };
  const expired = (reply: FastifyReply) =>
    refuse(
      reply,
      new FederationError('federation_expired', 'This sign-in page has expired. Start again.', 400, {}),
      '/',
    );

  /** Starts the code flow at the provider: the flow is stored by its state, the browser keeps the state. */
  const start = async (
    reply: FastifyReply,
    provider: ProviderRecord,
    flow: Omit<Flow, 'verifier' | 'nonce' | 'providerId'>,
    loginHint?: string,
  ) => {
    let config: oidc.Configuration;
    try {
      config = await configurationFor(provider, now(), o.addresses);
    } catch (error) {
      return refuse(reply, classify(error, provider.name));
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const stored: Flow = { ...flow, providerId: provider.id, verifier, nonce: oidc.randomNonce() };
    await o.db
      .insertInto('federation_flows')
      .values({ state, data: JSON.stringify(stored), expires_at: now() + FLOW_TTL_MS })
      .execute();
    await o.db.deleteFrom('federation_flows').where('expires_at', '<', now()).execute();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: o.federation.redirectUri,
      scope: provider.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce: stored.nonce,
      ...(loginHint ? { login_hint: loginHint } : {}),
      // Shared help-desk machines: the organization's provider asks again too.
      prompt: 'login',
    });
    reply.setCookie(FLOW_COOKIE, state, { ...cookieBase, maxAge: FLOW_TTL_MS / 1000, signed: true });
    return reply.redirect(url.href, 303);
  };

  // Home-realm discovery: email first.
  app.get('/signin/:uid/email', async (request, reply) => {
    const interaction = await interactionOf(request, reply);
    if (!interaction) return expired(reply);
    const hint = (request.query as Record<string, unknown>).login_hint;
    if (typeof hint === 'string' && hint.length <= 254) {
      const provider = await o.federation.forEmail(hint);
      if (provider) return start(reply, provider, { kind: 'signin', uid: interaction.uid }, hint);
    }
    const language = languageFor(request, interaction);
    return page(reply, 200, renderEmailPage({ uid: interaction.uid, csrf: csrfFor(interaction.uid), language }));
  });

  app.post('/signin/:uid/email', async (request, reply) => {
    const interaction = await interactionOf(request, reply);
    if (!interaction) return expired(reply);
    const uid = interaction.uid;
    const form = EmailForm.safeParse(request.body);
    const language = languageFor(request, interaction);
    if (!form.success)
      return page(
        reply,
        400,
        renderEmailPage({ uid, csrf: csrfFor(uid), error: language.t('federation.emailMissing'), language }),
      );
    const expected = Buffer.from(csrfFor(uid));
    const given = Buffer.from(form.data.csrf);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return expired(reply);
    const provider = await o.federation.forEmail(form.data.email);
    if (provider) return start(reply, provider, { kind: 'signin', uid }, form.data.email);
    return reply.redirect(`/signin/${encodeURIComponent(uid)}?local=1`, 303);
  });

  // The administrator's test: the same flow, no session, the mapped claims shown.
  app.get('/auth/federation/test/:id', async (request, reply) => {
    const id = IdParams.safeParse(request.params);
    // A malformed id gets the API's typed answer, like every `:id` of the contract.
    if (!id.success) throw new AppError('validation_failed', 'The provider id is malformed.');
    const principal = request.auth?.principal;
    if (!principal) return reply.redirect(`/auth/login?returnTo=${encodeURIComponent(request.url)}`, 303);
    if (!can(principal, 'settings.manage'))
      return refuse(
        reply,
        new FederationError(
          'forbidden',
          'Your role does not allow you to manage identity providers.',
          403,
          {},
          'forbidden_manage',
        ),
        '/admin',
      );
    const provider = await o.federation.forTest(principal, id.data.id).catch(() => undefined);
    if (!provider)
      return refuse(
        reply,
        new FederationError('not_found', 'Identity provider not found.', 404, {}),
        '/admin/identity',
      );
    return start(reply, provider, { kind: 'test', userId: principal.userId });
  });

  app.get(FEDERATION_CALLBACK_PATH, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const raw = request.cookies[FLOW_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : undefined;
    reply.clearCookie(FLOW_COOKIE, cookieBase);
    const state = typeof query.state === 'string' ? query.state : '';
    if (!unsigned?.valid || !unsigned.value || !state || unsigned.value !== state) {
      await o.audit.record({
        tenantId: null,
        actor: { type: 'user', id: null },
        action: 'signin.failed',
        ip: request.ip,
        data: { reason: 'federation_state_mismatch' },
      });
      return refuse(
        reply,
        new FederationError(
          'federation_state_mismatch',
          'This sign-in response does not belong to a sign-in started in this browser (state).',
          400,
          {},
        ),
      );
    }
    // Deleted as it is read: a replayed state finds nothing.
    const row = await o.db
      .deleteFrom('federation_flows')
      .where('state', '=', state)
      .returning(['data', 'expires_at'])
      .executeTakeFirst();
    const flow = row && row.expires_at >= now() ? Flow.safeParse(JSON.parse(row.data)) : undefined;
    if (!flow?.success)
      return refuse(
        reply,
        new FederationError(
          'federation_state_replayed',
          'This sign-in response was already used or has expired. Start again.',
          400,
          {},
        ),
      );
    const provider = await o.federation.byId(flow.data.providerId);
    if (!provider)
      return refuse(
        reply,
        new FederationError('federation_provider_missing', 'This identity provider no longer exists.', 400, {}),
      );
    const isTest = flow.data.kind === 'test';
    if (isTest && request.auth?.principal.userId !== flow.data.userId)
      return refuse(
        reply,
        new FederationError('forbidden', 'Sign in to the admin center to test a provider.', 403, {}, 'forbidden_test'),
        '/admin/identity',
      );
    const fail = async (error: FederationError) => {
      await o.audit.record({
        tenantId: provider.tenantId,
        actor: { type: 'user', id: null },
        action: 'signin.failed',
        ip: request.ip,
        data: { provider: provider.name, reason: error.code, test: isTest },
      });
      return refuse(reply, error, isTest ? '/admin/identity' : '/auth/login');
    };
    // Turned off while the person was at the provider: the sign-in it started does not finish
    // (an administrator's test sign-in of a provider not yet on still does).
    if (!isTest && !provider.enabled)
      return fail(
        new FederationError(
          'federation_provider_missing',
          'This identity provider was turned off. Start again.',
          400,
          {},
        ),
      );
    let claims: Record<string, unknown>;
    try {
      if (typeof query.error === 'string') {
        const detail = `${query.error}${typeof query.error_description === 'string' ? ` (${query.error_description.slice(0, 300)})` : ''}`;
        throw new FederationError(
          'federation_provider_error',
          `${provider.name} refused the sign-in: ${detail}.`,
          400,
          {
            provider: provider.name,
            detail,
          },
        );
      }
      const config = await configurationFor(provider, now(), o.addresses);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(request.url, o.publicUrl), {
        pkceCodeVerifier: flow.data.verifier,
        expectedState: state,
        expectedNonce: flow.data.nonce,
        idTokenExpected: true,
      });
      if (!tokens.id_token)
        throw new FederationError('federation_failed', `${provider.name} sent no ID token.`, 400, {
          provider: provider.name,
          detail: 'no ID token',
        });
      await verifySignature(config, provider.clientId, tokens.id_token, o.addresses);
      claims = { ...(tokens.claims() ?? {}) };
    } catch (error) {
      request.log.warn({ err: error }, 'federated sign-in rejected');
      return fail(classify(error, provider.name));
    }
    const mapped = mapClaims(provider, claims);
    if (isTest) {
      const groupIds = await mappedGroupIds(o, provider, mapped.groups);
      return page(
        reply,
        200,
        renderTestResult({
          provider: provider.name,
          mapped: { ...mapped, mappedGroupIds: groupIds },
          verdict: refusalOf(provider, mapped) ?? null,
          raw: claims,
          language: languageFor(request),
        }),
      );
    }
    let userId: string;
    try {
      userId = await provision(o, provider, mapped, request.ip);
    } catch (error) {
      return fail(classify(error, provider.name));
    }
    const key = `r:${randomBytes(32).toString('base64url')}`;
    await o.db
      .insertInto('federation_flows')
      .values({
        state: key,
        // The organization's provider said it used MFA (`amr`, as Entra ID does): conditional access
        // counts it, unless the provider's settings say not to.
        data: JSON.stringify({
          uid: flow.data.uid,
          userId,
          provider: provider.name,
          mfa: provider.countProviderMfa && Array.isArray(claims.amr) && claims.amr.includes('mfa'),
        }),
        expires_at: now() + RESULT_TTL_MS,
      })
      .execute();
    return reply.redirect(
      `/signin/${encodeURIComponent(flow.data.uid ?? '')}/federated?r=${encodeURIComponent(key)}`,
      303,
    );
  });

  // Back under the interaction's cookie path: finish the embedded sign-in as the provisioned person.
  app.get('/signin/:uid/federated', async (request, reply) => {
    const interaction = await interactionOf(request, reply);
    const key = (request.query as Record<string, unknown>).r;
    if (!interaction || typeof key !== 'string' || !key.startsWith('r:') || key.length > 100) return expired(reply);
    const row = await o.db
      .deleteFrom('federation_flows')
      .where('state', '=', key)
      .returning(['data', 'expires_at'])
      .executeTakeFirst();
    const result =
      row && row.expires_at >= now()
        ? (JSON.parse(row.data) as { uid?: string; userId: string; provider: string; mfa?: boolean })
        : undefined;
    if (!result || result.uid !== interaction.uid) return expired(reply);
    const user = await o.db
      .selectFrom('users')
      .select(['tenant_id', 'disabled', 'email'])
      .where('id', '=', result.userId)
      .executeTakeFirst();
    if (!user || user.disabled) return expired(reply);
    const amr = result.mfa ? ['fed', 'mfa'] : ['fed'];
    if (o.gate) {
      const uid = interaction.uid;
      const gated = await o.gate.check(
        {
          uid,
          csrf: signInCsrf(o.csrfKey, uid),
          app: appOfSignIn(interaction.params.client_id === AGENT_CLIENT_ID, interaction.params.rh_app),
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
          language: languageFor(request, interaction),
        },
        { id: result.userId, tenant_id: user.tenant_id, email: user.email },
        amr,
      );
      if (gated.kind === 'expired') return expired(reply);
      if (gated.kind === 'page') return page(reply, gated.status, gated.html);
      if (gated.kind === 'second_factor') {
        // The code form posts to the sign-in page's own route, which finishes (past the gate again) as for a password.
        if (!o.steps) return expired(reply);
        const asked = await o.steps.secondFactorFor(
          uid,
          signInCsrf(o.csrfKey, uid),
          gated.user,
          gated.amr,
          languageFor(request, interaction),
        );
        if (asked.kind === 'page') return page(reply, asked.status, asked.html);
        return expired(reply);
      }
    }
    await o.audit.record({
      tenantId: user.tenant_id,
      actor: { type: 'user', id: result.userId },
      action: 'signin.succeeded',
      ip: request.ip,
      data: { client: interaction.params.client_id, provider: result.provider },
    });
    reply.hijack();
    await o.provider.interactionFinished(
      request.raw,
      reply.raw,
      { login: { accountId: result.userId, amr } },
      { mergeWithLastSubmission: false },
    );
  });
}
