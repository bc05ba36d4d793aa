/**
 * @module identity/providerSession
 * Signing out of the web app ends the embedded provider's session of the same browser too: its
 * `_session` cookie (path `/`, persistent) would otherwise keep the person known to the provider
 * for hours after they signed out, on a machine the next person uses. The session is found the way
 * the provider finds it (its own signed cookie, read with its keys), its grants that do not outlive
 * a sign-out are revoked as the provider's own `end_session` does (the web app's; the native
 * agent's `offline_access` grant stays: the agent signs out by itself), the session is deleted,
 * and the browser is told to drop the cookie and its signature.
 *
 * The provider asks for credentials at every sign-in of our apps anyway (`freshSignInPolicy`);
 * this makes the sign-out true at the provider as well (its sessions, the sign-in log's sessions).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { isSameOrigin } from '../http/auth.js';

/**
 * Ends the provider session whose cookie this request carries, if any, and clears its cookies.
 * Returns the account whose session ended, or null when the browser had none (or a forged one).
 */
export async function endProviderSession(
  provider: Provider,
  request: FastifyRequest,
  reply: FastifyReply,
  secure: boolean,
): Promise<string | null> {
  const name = provider.cookieName('session');
  // A Koa context of the provider only to read the cookie as the provider does: signed, with its keys.
  const cookies = provider.createContext(request.raw, reply.raw).cookies;
  const id = cookies.get(name, { signed: true });
  let ended: string | null = null;
  const session = id && id.length <= 200 ? await provider.Session.find(id) : undefined;
  if (session) {
    for (const { grantId, persistsLogout } of Object.values(session.authorizations ?? {})) {
      if (grantId && !persistsLogout) await revokeGrant(provider, grantId);
    }
    await session.destroy();
    ended = session.accountId ?? null;
  }
  for (const cookie of [name, `${name}.sig`]) {
    if (request.cookies[cookie] !== undefined)
      reply.clearCookie(cookie, { path: '/', httpOnly: true, sameSite: 'lax', secure });
  }
  return ended;
}

/** What the provider's `end_session` revokes with a grant: its tokens and codes, and the grant. */
async function revokeGrant(provider: Provider, grantId: string): Promise<void> {
  await Promise.all([
    provider.AccessToken.revokeByGrantId(grantId),
    provider.AuthorizationCode.revokeByGrantId(grantId),
    provider.RefreshToken.revokeByGrantId(grantId),
  ]);
  await (await provider.Grant.find(grantId))?.destroy();
}

/**
 * A sign-out without a web session (it expired) still ends the provider's, when our own page sent
 * it: a browser's POST names its origin. (Cross-site, the `SameSite=Lax` cookie is not sent anyway.)
 */
export function sentFromOurPage(request: FastifyRequest, publicOrigin: string): boolean {
  const origin = request.headers.origin;
  return typeof origin === 'string' && (origin === publicOrigin || isSameOrigin(origin, request));
}
