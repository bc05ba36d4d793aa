/**
 * @module identity/federation/secretBox
 * Client secrets of external identity providers are stored encrypted (AES-256-GCM) under a
 * server secret (`federation_key` in `server_secrets`, made once, shared by every node), so a
 * copy of the database's rows alone does not give away an organization's client secret.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { iso } from '../../time.js';

const NAME = 'federation_key';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Loads the key, creating it on first use (another node may win the race: read back what is stored). */
  static async load(db: Db): Promise<SecretBox> {
    const read = () => db.selectFrom('server_secrets').select('value').where('name', '=', NAME).executeTakeFirst();
    if (!(await read())) {
      await db
        .insertInto('server_secrets')
        .values({ name: NAME, value: randomBytes(32).toString('base64url'), created_at: iso(Date.now()) })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    }
    const stored = await read();
    if (!stored) throw new Error('federation key missing');
    return new SecretBox(Buffer.from(stored.value, 'base64url'));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
  }

  open(sealed: string): string {
    const [iv, tag, data] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
    if (!iv || !tag || !data) throw new Error('sealed secret malformed');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  }
}
