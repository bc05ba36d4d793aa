/**
 * @module identity/signInRoutes
 * `GET/POST /signin/:uid`: the embedded IdP's login interaction. Credentials are checked
 * with argon2id. Each attempt is reserved against the sign-in limits before the password is
 * verified (`ratelimit/signInLimits`); failures are audited. A right password leads to the
 * later steps (`mfa/signInSteps`: authenticator code or passkey, new password); "Sign in with a
 * passkey" skips the password (`passkeys/passkeySignIn`); the end of the sign-in
 * gives the browser a device cookie so that its owner keeps a budget of their own.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit.js';
import type { DeviceCookies } from '../ratelimit/deviceCookie.js';
import type { SignInLimits } from '../ratelimit/signInLimits.js';
import type { UsersRepo } from '../users/repo.js';
import type { SignInSteps, StepOutcome } from './mfa/signInSteps.js';
import { PasswordlessForm, StepForm } from './mfa/signInSteps.js';
import { verifyPassword } from './passwords.js';
import { AGENT_CLIENT_ID, escapeHtml, FIRST_PARTY_CLIENTS } from './provider.js';
import { languageOf as languageOfTag, signInLanguage, type SignInLanguage } from './i18n/index.js';
import { renderShell, renderSignInPage, STYLE } from './signInPage.js';
import type { GateOutcome, SignInGate } from './conditionalAccess/signInGate.js';
import { appOfSignIn, GateForm } from './conditionalAccess/signInGate.js';

export interface SignInRoutesOptions {
  provider: Provider;
  users: UsersRepo;
  limits: SignInLimits;
  deviceCookies: DeviceCookies;
  /** HTTPS: the device cookie gets `Secure` and the `__Secure-` prefix. */
  secure: boolean;
  audit: AuditLog;
  csrfKey: string;
  /** After the password: the authenticator code, a new password when required (`mfa/signInSteps`). */
  steps: SignInSteps;
  /** Conditional access before the sign-in finishes (`conditionalAccess/signInGate`). */
  gate?: SignInGate;
  /** Home-realm discovery (federation): where to send a person before the password page, if anywhere. */
  homeRealm?: (interaction: Interaction, request: FastifyRequest) => Promise<string | undefined>;
}

const LoginForm = z.object({
  email: z.string().trim().toLowerCase().min(3).max(254),
  password: z.string().min(1).max(256),
  csrf: z.string().max(100),
});

const Params = z.object({
  uid: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/),
});

/** `'self'`, plus the loopback origin a native client registered as its redirect (RFC 8252). */
export function formAction(redirectUri: unknown): string {
  if (typeof redirectUri !== 'string') return "'self'";
  try {
    const url = new URL(redirectUri);
    const loopback = url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]');
    return loopback ? `'self' ${url.origin}` : "'self'";
  } catch {
    return "'self'";
  }
}

/** The CSRF token of a sign-in interaction's forms (an HMAC of its uid: nothing to store). */
export const signInCsrf = (key: string, uid: string): string =>
  createHmac('sha256', key).update(`signin:${uid}`).digest('base64url');

export async function signInRoutes(app: FastifyInstance, o: SignInRoutesOptions): Promise<void> {
  await app.register(formbody, { bodyLimit: 8 * 1024 });
  const csrfFor = (uid: string) => signInCsrf(o.csrfKey, uid);
  const clientName = (clientId: unknown, language: SignInLanguage) =>
    clientId === AGENT_CLIENT_ID ? language.t('signIn.agentClient') : 'Remote Help';
  /** The pages' language: the interaction's `ui_locales` (the web app's language), then the browser's. */
  const languageOf = (request: FastifyRequest, interaction?: Interaction) =>
    signInLanguage(interaction?.params.ui_locales, request.headers['accept-language']);
  /** Once the person proved who they are: the language they saved wins, as in the web app after sign-in. */
  const personal = async (userId: string, fallback: SignInLanguage) => {
    const saved = await o.steps.savedLanguage(userId);
    return saved ? languageOfTag(saved) : fallback;
  };

  /**
   * CSP `form-action` also governs where the form's redirects may go: the sign-in ends in a
   * redirect to the client, which for the native agent is its loopback address. `script-src
   * 'self'`: the passkey button's script (`/signin/passkey.js`); nothing inline runs.
   */
  const page = (reply: FastifyReply, status: number, html: string, interaction?: Interaction) =>
    reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header(
        'content-security-policy',
        `default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; form-action ${formAction(interaction?.params.redirect_uri)}; frame-ancestors 'none'`,
      )
      .send(html);

  const details = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await o.provider.interactionDetails(request.raw, reply.raw);
    } catch {
      return undefined;
    }
  };

  const expired = (reply: FastifyReply, language: SignInLanguage) =>
    page(
      reply,
      400,
      renderShell({
        language,
        title: language.t('expired.title'),
        style: STYLE,
        body: `<h1>${escapeHtml(language.t('expired.heading'))}</h1><p><a href="/">${escapeHtml(language.t('expired.startAgain'))}</a></p>`,
      }),
    );

  /**
   * Our own apps need no consent screen (e.g. the agent asking for offline_access): grant what
   * they asked for. Any other client would need a real consent page; there is none yet.
   * Only right after a login of the same authorization request (`lastSubmission.login`: the
   * password, passkey or federated page finished it, past conditional access and into the sign-in
   * log), and only for the person who just signed in: an earlier session of the provider in this
   * browser must not give anyone tokens (the provider asks for that login: `freshSignInPolicy`).
   */
  const grantFirstParty = async (interaction: Interaction, request: FastifyRequest, reply: FastifyReply) => {
    const clientId = String(interaction.params.client_id);
    const accountId = interaction.session?.accountId;
    const signedIn = interaction.lastSubmission?.login?.accountId;
    if (!FIRST_PARTY_CLIENTS.has(clientId) || !accountId || signedIn !== accountId)
      return expired(reply, languageOf(request, interaction));
    const grant = interaction.grantId
      ? await o.provider.Grant.find(interaction.grantId)
      : new o.provider.Grant({ accountId, clientId });
    if (!grant) return expired(reply, languageOf(request, interaction));
    const details = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    const grantId = await grant.save();
    reply.hijack();
    await o.provider.interactionFinished(
      request.raw,
      reply.raw,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  };

  app.get('/signin/:uid', async (request, reply) => {
    const params = Params.safeParse(request.params);
    const interaction = params.success ? await details(request, reply) : undefined;
    if (!params.success || !interaction || interaction.uid !== params.data.uid)
      return expired(reply, languageOf(request, interaction));
    if (interaction.prompt.name === 'consent') return grantFirstParty(interaction, request, reply);
    const elsewhere = await o.homeRealm?.(interaction, request);
    if (elsewhere) return reply.redirect(elsewhere, 303);
    const passkeyOptions = await o.steps.passwordlessOptions(interaction.uid);
    const language = languageOf(request, interaction);
    return page(
      reply,
      200,
      renderSignInPage({
        uid: interaction.uid,
        csrf: csrfFor(interaction.uid),
        clientName: clientName(interaction.params.client_id, language),
        language,
        ...(passkeyOptions ? { passkeyOptions } : {}),
      }),
      interaction,
    );
  });

  app.post('/signin/:uid', async (request, reply) => {
    const params = Params.safeParse(request.params);
    const interaction = params.success ? await details(request, reply) : undefined;
    const language = languageOf(request, interaction);
    if (!params.success || !interaction || interaction.uid !== params.data.uid) return expired(reply, language);
    const { t } = language;
    const uid = interaction.uid;
    const csrfOk = (csrf: string) => {
      const expected = Buffer.from(csrfFor(uid));
      const given = Buffer.from(csrf);
      return given.length === expected.length && timingSafeEqual(given, expected);
    };
    const gateRequest = {
      uid,
      csrf: csrfFor(uid),
      app: appOfSignIn(interaction.params.client_id === AGENT_CLIENT_ID, interaction.params.rh_app),
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
      language,
      personal,
    };
    const respond = async (step: StepOutcome | GateOutcome, gated = false): Promise<unknown> => {
      if (step.kind === 'expired') return expired(reply, language);
      if (step.kind === 'page') return page(reply, step.status, step.html, interaction);
      // Conditional access before the sign-in finishes (it may ask to set up MFA first).
      const outcome =
        o.gate && !gated
          ? await o.gate.check(
              { ...gateRequest, language: await personal(step.user.id, language) },
              step.user,
              step.amr,
            )
          : step;
      if (outcome.kind === 'second_factor')
        return respond(await o.steps.secondFactorFor(uid, csrfFor(uid), outcome.user, outcome.amr, language));
      if (outcome.kind !== 'finish') return respond(outcome, true);
      const { user, amr } = outcome;
      await o.audit.record({
        tenantId: user.tenant_id,
        actor: { type: 'user', id: user.id },
        action: 'signin.succeeded',
        ip: request.ip,
        data: { client: interaction.params.client_id, amr },
      });
      reply.hijack();
      reply.raw.appendHeader('set-cookie', o.deviceCookies.header(o.deviceCookies.issue(user.email), o.secure));
      await o.provider.interactionFinished(
        request.raw,
        reply.raw,
        { login: { accountId: user.id, amr } },
        { mergeWithLastSubmission: false },
      );
    };
    const gateForm = GateForm.safeParse(request.body);
    if (gateForm.success && o.gate) {
      if (!csrfOk(gateForm.data.csrf)) return expired(reply, language);
      // `handle` evaluates again before it lets the sign-in finish.
      return respond(await o.gate.handle(gateRequest, gateForm.data), true);
    }
    const step = StepForm.safeParse(request.body);
    if (step.success) {
      if (!csrfOk(step.data.csrf)) return expired(reply, language);
      return respond(await o.steps.handle(uid, csrfFor(uid), step.data, request.ip, language));
    }
    const base = { uid, csrf: csrfFor(uid), clientName: clientName(interaction.params.client_id, language), language };
    /** The first page again, with an error (and a fresh passkey challenge). */
    const again = async (status: number, model: { email?: string; error: string }) => {
      const passkeyOptions = await o.steps.passwordlessOptions(uid);
      return page(
        reply,
        status,
        renderSignInPage({ ...base, ...model, ...(passkeyOptions ? { passkeyOptions } : {}) }),
        interaction,
      );
    };
    const passwordless = PasswordlessForm.safeParse(request.body);
    if (passwordless.success) {
      if (!csrfOk(passwordless.data.csrf)) return expired(reply, language);
      const { credential } = passwordless.data;
      const outcome = await o.steps.passwordless(uid, csrfFor(uid), credential, request.ip, language);
      if (outcome.kind !== 'refused') return respond(outcome);
      return again(outcome.status, { error: outcome.error });
    }
    const form = LoginForm.safeParse(request.body);
    if (!form.success) return again(400, { error: t('signIn.missingFields') });
    const { email, password, csrf } = form.data;
    if (!csrfOk(csrf)) return expired(reply, language);

    const deviceNonce = o.deviceCookies.nonceFor(o.deviceCookies.read(request.cookies, o.secure), email);
    const attempt = await o.limits.reserve({ email, ip: request.ip, deviceNonce });
    if (!attempt.ok) {
      const error = t('signIn.tooManyAttempts', { duration: language.seconds(attempt.retryAfterSeconds) });
      return again(429, { email, error });
    }
    const user = await o.users.findForSignIn(email);
    const passwordOk = await verifyPassword(user?.password_hash ?? null, password);
    const ok = passwordOk && user && !user.disabled;
    if (!ok || !user) {
      const retry = attempt.waitIfFailedSeconds;
      await o.audit.record({
        tenantId: user?.tenant_id ?? null,
        actor: { type: 'user', id: user?.id ?? null },
        action: 'signin.failed',
        ip: request.ip,
        data: { email, reason: user ? (user.disabled ? 'disabled' : 'bad_password') : 'unknown_account' },
      });
      // Only someone who knows the password learns that the account is disabled (as in Entra ID).
      const error =
        passwordOk && user?.disabled
          ? t('signIn.disabled')
          : retry > 0
            ? t('signIn.wrongPasswordWait', { duration: language.seconds(retry) })
            : t('signIn.wrongPassword');
      return again(passwordOk && user?.disabled ? 403 : 401, { email, error });
    }
    await attempt.succeeded();
    const signedIn = { id: user.id, tenant_id: user.tenant_id, email };
    return respond(await o.steps.afterPassword(uid, csrfFor(uid), signedIn, language));
  });
}
