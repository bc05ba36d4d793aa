/**
 * @module test/orgIdp
 * A second, independently configured `oidc-provider` on its own 127.0.0.1 port standing in for an
 * organization's IdP (Entra ID, Okta, Keycloak) in federation tests. It signs in whoever the test
 * names (`nextAccount`) without a form, puts the profile and groups in the ID token, and can tamper
 * with the ID token it returns from `/token` (re-signed with its own key, or with another) so tests
 * see the relying party refuse a wrong issuer, audience, expiry, nonce or signature.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { JWK, JWTPayload } from 'jose';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import Provider from 'oidc-provider';

export interface OrgAccount {
  email?: string;
  name?: string;
  job_title?: string;
  company?: string;
  picture?: string;
  groups?: string[];
}

export interface Tamper {
  claims?: (payload: JWTPayload) => JWTPayload;
  /** Sign with a key the IdP never published (same `kid`). */
  foreignKey?: boolean;
}

export interface OrgIdp {
  issuer: string;
  accounts: Map<string, OrgAccount>;
  nextAccount: string;
  tamper: Tamper | null;
  /** Payloads of the ID tokens handed out, in order (before tampering). */
  issued: JWTPayload[];
  stop(): Promise<void>;
}

export async function startOrgIdp(o: { clientId: string; clientSecret: string; redirectUri: string }): Promise<OrgIdp> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kid = randomBytes(6).toString('hex');
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid };
  const foreign = (await generateKeyPair('RS256')).privateKey;
  const signingKey = await importJWK(jwk, 'RS256');

  const idp: OrgIdp = {
    issuer,
    accounts: new Map(),
    nextAccount: '',
    tamper: null,
    issued: [],
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: o.clientId,
        client_secret: o.clientSecret,
        redirect_uris: [o.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'job_title', 'company', 'picture'],
      groups: ['groups'],
    },
    // The profile in the ID token itself (as Entra ID does with optional claims).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async loadExistingGrant(ctx) {
      const clientId = ctx.oidc.client?.clientId;
      const accountId = ctx.oidc.session?.accountId;
      if (!clientId || !accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
    async findAccount(_ctx, sub) {
      const account = idp.accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, email_verified: true, ...account }) };
    },
  });

  // Tampering happens after the provider has answered `/token`.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.status !== 200) return;
    const body = ctx.body as { id_token?: string } | undefined;
    if (!body?.id_token) return;
    const payload = decodeJwt(body.id_token);
    idp.issued.push(payload);
    const tamper = idp.tamper;
    if (!tamper) return;
    const changed = tamper.claims ? tamper.claims({ ...payload }) : payload;
    body.id_token = await new SignJWT(changed)
      .setProtectedHeader({ alg: 'RS256', kid })
      .sign(tamper.foreignKey ? foreign : signingKey);
  });

  const callback = provider.callback();
  server.on('request', (req, res) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '');
    if (!match) return void callback(req, res);
    void (async () => {
      try {
        await provider.interactionDetails(req, res);
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: idp.nextAccount } },
          { mergeWithLastSubmission: false },
        );
      } catch (error) {
        res.statusCode = 500;
        res.end(String(error));
      }
    })();
  });
  return idp;
}
