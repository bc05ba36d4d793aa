/**
 * @module identity/accountRoutes
 * The contract's "Security info" endpoints (`@remote-help/protocol` `api/account.ts`) to the
 * multi-factor and account services.
 */
import type { FastifyInstance } from 'fastify';
import { registerEndpoints } from '../http/endpoint.js';
import type { AccountSecurity } from './accountSecurity.js';
import type { MfaService } from './mfa/mfaService.js';

export async function accountRoutes(
  app: FastifyInstance,
  o: { mfa: MfaService; account: AccountSecurity; cookieName: string; publicOrigin: string },
): Promise<void> {
  /** This browser's session token (bearer callers have none). */
  const cookieToken = (cookies: Record<string, string | undefined>): string | undefined => cookies[o.cookieName];
  registerEndpoints(app, o, {
    getMySecurityInfo: ({ principal }) => o.mfa.securityInfo(principal),
    startMfaEnrollment: ({ principal }) => o.mfa.startEnrollment(principal),
    confirmMfaEnrollment: ({ principal, body }) => o.mfa.confirmEnrollment(principal, body.code, body.password),
    removeMyMfa: ({ principal, body }) => o.mfa.removeOwn(principal, body.password),
    changeMyPassword: ({ principal, body, request }) =>
      o.account.changePassword(principal, cookieToken(request.cookies), body.currentPassword, body.newPassword),
    resetUserMfa: ({ principal, params }) => o.mfa.resetFor(principal, params.id),
    signOutUserEverywhere: ({ principal, params }) => o.account.signOutUser(principal, params.id),
    signOutEverywhere: ({ principal, request }) =>
      o.account.signOutEverywhere(principal, principal.client === 'web' ? cookieToken(request.cookies) : undefined),
  });
}
