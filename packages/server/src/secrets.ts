/**
 * @module secrets
 * Server-wide secrets (code hashing key, cookie keys, the IdP's signing key) are made
 * once and kept in the database, so every node of a deployment shares them; with `SECRETS_KEY`
 * they are stored sealed under it (`secretsAtRest`).
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import type { Db } from './db/client.js';
import type { SecretsKey } from './secretsAtRest.js';
import { getOrCreateSecret, sealServerSecrets } from './secretsAtRest.js';

export interface Secrets {
  /** HMAC key for security codes. */
  codeKey: Buffer;
  /** Keys for signing cookies (newest first). */
  cookieKeys: string[];
  /** Private JWK the embedded IdP signs ID tokens with. */
  signingJwk: JWK;
  /** Secret of the first-party web client at the embedded IdP. */
  webClientSecret: string;
}

const random = (): string => randomBytes(32).toString('base64url');

/**
 * Loads the secrets, creating any that do not exist yet. First brings every stored secret to `key`
 * (`sealServerSecrets`): a row that cannot be read with it stops the start with a `SecretsAtRestError`.
 */
export async function loadSecrets(db: Db, key: SecretsKey | null): Promise<Secrets> {
  await sealServerSecrets(db, key);
  const getOrCreate = (name: string, make: () => Promise<string> | string) => getOrCreateSecret(db, key, name, make);
  const codeKey = Buffer.from(await getOrCreate('code_hmac_key', random), 'base64url');
  const cookieKey = await getOrCreate('cookie_key', random);
  const webClientSecret = await getOrCreate('web_client_secret', random);
  const jwkText = await getOrCreate('idp_signing_jwk', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    return JSON.stringify({ ...jwk, alg: 'RS256', use: 'sig', kid: randomBytes(8).toString('hex') });
  });
  return { codeKey, cookieKeys: [cookieKey], signingJwk: JSON.parse(jwkText) as JWK, webClientSecret };
}
