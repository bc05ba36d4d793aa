/**
 * @module secrets
 * Server-wide secrets (code hashing key, cookie keys, the IdP's signing key) are made
 * once and kept in the database, so every node of a deployment shares them.
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import type { Db } from './db/client.js';
import { iso } from './time.js';

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

async function getOrCreate(db: Db, name: string, make: () => Promise<string> | string): Promise<string> {
  const existing = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirst();
  if (existing) return existing.value;
  const value = await make();
  await db
    .insertInto('server_secrets')
    .values({ name, value, created_at: iso(Date.now()) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  // Another node may have won the race: read back what is stored.
  const stored = await db
    .selectFrom('server_secrets')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return stored.value;
}

const random = (): string => randomBytes(32).toString('base64url');

/** Loads the secrets, creating any that do not exist yet. */
export async function loadSecrets(db: Db): Promise<Secrets> {
  const codeKey = Buffer.from(await getOrCreate(db, 'code_hmac_key', random), 'base64url');
  const cookieKey = await getOrCreate(db, 'cookie_key', random);
  const webClientSecret = await getOrCreate(db, 'web_client_secret', random);
  const jwkText = await getOrCreate(db, 'idp_signing_jwk', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    return JSON.stringify({ ...jwk, alg: 'RS256', use: 'sig', kid: randomBytes(8).toString('hex') });
  });
  return { codeKey, cookieKeys: [cookieKey], signingJwk: JSON.parse(jwkText) as JWK, webClientSecret };
}
