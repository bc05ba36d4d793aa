/**
 * @module identity/passkeys/passkeyRoutes
 * The contract's passkey endpoints (`@remote-help/protocol` `api/passkeys.ts`) to the passkey
 * service, and the sign-in pages' small script (`packages/server/public/passkey-signin.js`,
 * served from our origin, as the pages' CSP `script-src 'self'` asks).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { registerEndpoints } from '../../http/endpoint.js';
import type { PasskeyService } from './passkeyService.js';

/** Where the sign-in pages load their script from. */
export const PASSKEY_SCRIPT_PATH = '/signin/passkey.js';

/** `src/identity/passkeys` and `dist/identity/passkeys` are both three levels below the package. */
const SCRIPT_URL = new URL('../../../public/passkey-signin.js', import.meta.url);

export async function passkeyRoutes(
  app: FastifyInstance,
  o: { passkeys: PasskeyService; cookieName: string; publicOrigin: string },
): Promise<void> {
  const cookieToken = (cookies: Record<string, string | undefined>) => cookies[o.cookieName];
  registerEndpoints(app, o, {
    listMyPasskeys: ({ principal, request }) => o.passkeys.listMine(principal, cookieToken(request.cookies)),
    startPasskeyRegistration: ({ principal, request, body }) =>
      o.passkeys.startRegistration(principal, cookieToken(request.cookies), body.password),
    finishPasskeyRegistration: ({ principal, body }) =>
      o.passkeys.finishRegistration(principal, body.name, body.response),
    renameMyPasskey: ({ principal, body }) => o.passkeys.rename(principal, body.id, body.name),
    removeMyPasskey: ({ principal, body }) => o.passkeys.removeOwn(principal, body.id),
    listUserPasskeys: ({ principal, params }) => o.passkeys.listFor(principal, params.id),
    removeUserPasskeys: ({ principal, params }) => o.passkeys.removeAllFor(principal, params.id),
  });

  const script = readFileSync(SCRIPT_URL, 'utf8');
  app.get(PASSKEY_SCRIPT_PATH, async (_request, reply) =>
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
      .send(script),
  );
}
