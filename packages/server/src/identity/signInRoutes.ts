/**
 * @module identity/signInRoutes
 * `GET/POST /signin/:uid`: the embedded IdP's login interaction. Credentials are checked
 * with argon2id; failures back off per account and per source address and are audited.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit.js';
import type { Backoff } from '../ratelimit/backoff.js';
import type { UsersRepo } from '../users/repo.js';
import { verifyPassword } from './passwords.js';
import { AGENT_CLIENT_ID, FIRST_PARTY_CLIENTS } from './provider.js';
import { renderSignInPage } from './signInPage.js';

export interface SignInRoutesOptions {
  provider: Provider;
  users: UsersRepo;
  backoff: Backoff;
  audit: AuditLog;
  csrfKey: string;
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

export async function signInRoutes(app: FastifyInstance, o: SignInRoutesOptions): Promise<void> {
  await app.register(formbody, { bodyLimit: 8 * 1024 });
  const csrfFor = (uid: string) => createHmac('sha256', o.csrfKey).update(`signin:${uid}`).digest('base64url');
  const clientName = (clientId: unknown) => (clientId === AGENT_CLIENT_ID ? 'the Remote Help app' : 'Remote Help');

  /**
   * CSP `form-action` also governs where the form's redirects may go: the sign-in ends in a
   * redirect to the client, which for the native agent is its loopback address.
   */
  const page = (reply: FastifyReply, status: number, html: string, interaction?: Interaction) =>
    reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header(
        'content-security-policy',
        `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction(interaction?.params.redirect_uri)}; frame-ancestors 'none'`,
      )
      .send(html);

  const details = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await o.provider.interactionDetails(request.raw, reply.raw);
    } catch {
      return undefined;
    }
  };

  const expired = (reply: FastifyReply) =>
    page(
      reply,
      400,
      '<!doctype html><meta charset="utf-8"><title>Sign-in expired</title><body style="font-family:system-ui;padding:2rem"><h1>This sign-in page has expired</h1><p><a href="/">Start again</a></p>',
    );

  /**
   * Our own apps need no consent screen (e.g. the agent asking for offline_access): grant what
   * they asked for. Any other client would need a real consent page; there is none yet.
   */
  const grantFirstParty = async (interaction: Interaction, request: FastifyRequest, reply: FastifyReply) => {
    const clientId = String(interaction.params.client_id);
    const accountId = interaction.session?.accountId;
    if (!FIRST_PARTY_CLIENTS.has(clientId) || !accountId) return expired(reply);
    const grant = interaction.grantId
      ? await o.provider.Grant.find(interaction.grantId)
      : new o.provider.Grant({ accountId, clientId });
    if (!grant) return expired(reply);
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
    if (!params.success || !interaction || interaction.uid !== params.data.uid) return expired(reply);
    if (interaction.prompt.name === 'consent') return grantFirstParty(interaction, request, reply);
    return page(
      reply,
      200,
      renderSignInPage({
        uid: interaction.uid,
        csrf: csrfFor(interaction.uid),
        clientName: clientName(interaction.params.client_id),
      }),
      interaction,
    );
  });

  app.post('/signin/:uid', async (request, reply) => {
    const params = Params.safeParse(request.params);
    const interaction = params.success ? await details(request, reply) : undefined;
    if (!params.success || !interaction || interaction.uid !== params.data.uid) return expired(reply);
    const uid = interaction.uid;
    const form = LoginForm.safeParse(request.body);
    const base = { uid, csrf: csrfFor(uid), clientName: clientName(interaction.params.client_id) };
    if (!form.success)
      return page(reply, 400, renderSignInPage({ ...base, error: 'Enter your email and password.' }), interaction);
    const { email, password, csrf } = form.data;
    const expected = Buffer.from(csrfFor(uid));
    const given = Buffer.from(csrf);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return expired(reply);

    const keys = [`login:email:${email}`, `login:ip:${request.ip}`];
    const wait = await o.backoff.retryAfterSeconds(keys);
    if (wait > 0) {
      return page(
        reply,
        429,
        renderSignInPage({ ...base, email, error: `Too many attempts. Try again in ${wait} seconds.` }),
        interaction,
      );
    }
    const user = await o.users.findForSignIn(email);
    const ok = (await verifyPassword(user?.password_hash ?? null, password)) && user && !user.disabled;
    if (!ok || !user) {
      const retry = await o.backoff.fail(keys);
      await o.audit.record({
        tenantId: user?.tenant_id ?? null,
        actor: { type: 'user', id: user?.id ?? null },
        action: 'signin.failed',
        ip: request.ip,
        data: { email, reason: user ? (user.disabled ? 'disabled' : 'bad_password') : 'unknown_account' },
      });
      const error = retry > 0 ? `Wrong email or password. Try again in ${retry} seconds.` : 'Wrong email or password.';
      return page(reply, 401, renderSignInPage({ ...base, email, error }), interaction);
    }
    await o.backoff.reset([`login:email:${email}`]);
    await o.audit.record({
      tenantId: user.tenant_id,
      actor: { type: 'user', id: user.id },
      action: 'signin.succeeded',
      ip: request.ip,
      data: { client: interaction.params.client_id },
    });
    reply.hijack();
    await o.provider.interactionFinished(
      request.raw,
      reply.raw,
      { login: { accountId: user.id } },
      { mergeWithLastSubmission: false },
    );
  });
}
