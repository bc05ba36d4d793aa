/**
 * @module identity/principal
 * Who is making a request, as established by authentication. Every service call takes one.
 */
import type { Permission } from '@remote-help/protocol';

export interface Principal {
  userId: string;
  tenantId: string;
  permissions: readonly Permission[];
  /** Source address, for rate limits and the audit log. */
  ip: string | null;
  /** Which app the request comes from: the browser apps (cookie) or the native agent (bearer token). */
  client: 'web' | 'agent';
  /** How the person signed in (RFC 8176 `amr`), when known: conditional access asks for `mfa`. */
  amr?: readonly string[];
  /** When they entered their credentials (ms since the epoch), when known: sign-in frequency. */
  authTime?: number | null;
  /** The browser's User-Agent (device platform for conditional access). */
  userAgent?: string | null;
}

export const can = (principal: Principal, permission: Permission): boolean =>
  principal.permissions.includes(permission);
