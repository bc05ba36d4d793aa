/**
 * @module identity/federation/secretBox
 * Client secrets of external identity providers are stored encrypted (AES-256-GCM) under a
 * server secret (`federation_key` in `server_secrets`, made once, shared by every node), so a
 * copy of the database's rows alone does not give away an organization's client secret; with
 * `SECRETS_KEY`, `federation_key` is itself sealed under a key kept outside the database (`secretsAtRest`).
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.js';
import type { SecretsKey } from '../../secretsAtRest.js';
import { getOrCreateSecret, openGcm, sealGcm } from '../../secretsAtRest.js';

const NAME = 'federation_key';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Loads the key, creating it on first use (another node may win the race: what is stored is used). */
  static async load(db: Db, secretsKey: SecretsKey | null): Promise<SecretBox> {
    const value = await getOrCreateSecret(db, secretsKey, NAME, () => randomBytes(32).toString('base64url'));
    return new SecretBox(Buffer.from(value, 'base64url'));
  }

  seal(plain: string): string {
    return sealGcm(this.key, plain);
  }

  open(sealed: string): string {
    return openGcm(this.key, sealed);
  }
}
