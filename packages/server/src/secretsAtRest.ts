/**
 * @module secretsAtRest
 * The rows of `server_secrets` sealed under a key kept outside the database (`SECRETS_KEY`), so a
 * copy of the database alone gives away none of them (and so none of the secrets sealed under them:
 * federation client secrets under `federation_key`, TOTP secrets under `code_hmac_key`).
 *
 * A sealed row reads `kek1.<key id>.<iv>.<tag>.<ciphertext>`: AES-256-GCM with a fresh 12-byte IV and
 * `kek1:<name>` as additional data (a value moved to another name does not open), the key id the
 * first 8 hex digits of a hash of the key (so an error can say which key is missing). Without a key
 * the rows stay plain as before; a sealed row then stops the start, it is never replaced.
 * The AES-GCM helpers here are also the ones the federation and MFA boxes seal their values with.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { Db } from './db/client.js';
import { iso } from './time.js';

/** Seals `plain` under a 32-byte `key` (AES-256-GCM, fresh IV): `iv.tag.ciphertext`, each base64url. */
export function sealGcm(key: Buffer, plain: string, aad?: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad) cipher.setAAD(aad);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
}

/** Opens what {@link sealGcm} made with the same key and `aad`; throws when it was altered or is not one. */
export function openGcm(key: Buffer, sealed: string, aad?: Buffer): string {
  const parts = sealed.split('.');
  const [iv, tag, data] = parts.map((p) => Buffer.from(p, 'base64url'));
  if (parts.length !== 3 || iv?.length !== 12 || tag?.length !== 16 || !data) throw new Error('sealed value malformed');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
}

/** A short, public name of a key (8 hex digits of a hash of it): what errors and logs may show. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('remote-help/secrets-key-id\0').update(key).digest('hex').slice(0, 8);
}

/**
 * The key `server_secrets` is sealed under (`SECRETS_KEY`) and, while rotating, the one it was sealed
 * under before (`SECRETS_KEY_PREVIOUS`). Shown in JSON and `inspect` by key ids only.
 */
export class SecretsKey {
  constructor(
    readonly current: Buffer,
    readonly previous: Buffer | null = null,
  ) {
    if (current.length !== 32 || (previous && previous.length !== 32)) throw new Error('a secrets key is 32 bytes');
  }

  toJSON(): { id: string; previousId: string | null } {
    return { id: keyId(this.current), previousId: this.previous ? keyId(this.previous) : null };
  }

  [inspect.custom](): string {
    return `SecretsKey(${keyId(this.current)}${this.previous ? `, previous ${keyId(this.previous)}` : ''})`;
  }
}

const FORMAT = 'kek1';
const SEALED = /^kek\d+\./;
const aadOf = (name: string): Buffer => Buffer.from(`${FORMAT}:${name}`, 'utf8');

/** Seals the value of the `server_secrets` row `name` under `key`. */
export function sealAtRest(key: Buffer, name: string, value: string): string {
  return `${FORMAT}.${keyId(key)}.${sealGcm(key, value, aadOf(name))}`;
}

/**
 * Why a row of `server_secrets` cannot be read: `key_missing` (sealed, no `SECRETS_KEY`), `wrong_key`
 * (sealed under a key that is neither `SECRETS_KEY` nor `SECRETS_KEY_PREVIOUS`), `damaged` (sealed
 * under the key given but does not open: altered, copied from another name, or an unknown format).
 */
export type SecretsAtRestReason = 'key_missing' | 'wrong_key' | 'damaged';

/** One row that cannot be read; `sealedWith` is the key id it names. */
export interface SecretsAtRestProblem {
  name: string;
  reason: SecretsAtRestReason;
  sealedWith: string | null;
}

/** Raised when rows of `server_secrets` cannot be read with the key given; the server must not start. */
export class SecretsAtRestError extends Error {
  constructor(
    readonly problems: SecretsAtRestProblem[],
    key: SecretsKey | null,
  ) {
    super(explain(problems, key));
    this.name = 'SecretsAtRestError';
  }

  /** The first problem's reason (every problem is in `problems`). */
  get reason(): SecretsAtRestReason {
    return this.problems[0]?.reason ?? 'damaged';
  }
}

function explain(problems: SecretsAtRestProblem[], key: SecretsKey | null): string {
  const namesOf = (reason: SecretsAtRestReason) => problems.filter((p) => p.reason === reason);
  const ids = (list: SecretsAtRestProblem[]) => [...new Set(list.map((p) => p.sealedWith ?? '?'))].join(', ');
  const names = (list: SecretsAtRestProblem[]) => list.map((p) => p.name).join(', ');
  const given = key
    ? `SECRETS_KEY is key ${keyId(key.current)}${key.previous ? `, SECRETS_KEY_PREVIOUS key ${keyId(key.previous)}` : ''}`
    : '';
  const parts: string[] = [];
  const missing = namesOf('key_missing');
  if (missing.length)
    parts.push(
      `${names(missing)} sealed under key ${ids(missing)}: set SECRETS_KEY or SECRETS_KEY_FILE to that key (new secrets would sign everyone out and lose every federation and MFA secret, so none are made)`,
    );
  const wrong = namesOf('wrong_key');
  if (wrong.length)
    parts.push(
      `${names(wrong)} sealed under key ${ids(wrong)}, which is not the key given (${given}): set SECRETS_KEY to the key they were sealed under (and, while rotating, the new one as SECRETS_KEY and the old as SECRETS_KEY_PREVIOUS)`,
    );
  const damaged = namesOf('damaged');
  if (damaged.length)
    parts.push(
      `${names(damaged)} do not open under the key they name (altered, copied from another name, or a format this version does not read): restore server_secrets from a backup`,
    );
  return `server_secrets: ${parts.join('; ')}`;
}

/** The plain value of a stored row and whether it must be (re)sealed under the current key; or the problem. */
function read(
  key: SecretsKey | null,
  name: string,
  stored: string,
): { value: string; reseal: boolean } | SecretsAtRestProblem {
  if (!SEALED.test(stored)) return { value: stored, reseal: key !== null };
  const [format, id = '', ...rest] = stored.split('.');
  const problem = (reason: SecretsAtRestReason) => ({ name, reason, sealedWith: id || null });
  if (!key) return problem('key_missing');
  if (format !== FORMAT) return problem('damaged');
  const under = [key.current, key.previous].find((k) => k && keyId(k) === id);
  if (!under) return problem('wrong_key');
  try {
    return { value: openGcm(under, rest.join('.'), aadOf(name)), reseal: under !== key.current };
  } catch {
    return problem('damaged');
  }
}

/**
 * The plain value stored as `name`, made by `make` and stored (sealed with a key) when there is none.
 * A row that is plain, or sealed under `SECRETS_KEY_PREVIOUS`, is sealed under `SECRETS_KEY` in place,
 * compare-and-set on the value read: a node that starts at the same time seals the same secret, and
 * whichever write lands is read back. Throws {@link SecretsAtRestError} when the row cannot be read.
 */
export async function getOrCreateSecret(
  db: Db,
  key: SecretsKey | null,
  name: string,
  make: () => Promise<string> | string,
): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirst();
    if (!row) {
      const value = await make();
      await db
        .insertInto('server_secrets')
        .values({ name, value: key ? sealAtRest(key.current, name, value) : value, created_at: iso(Date.now()) })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      continue; // another node may have won the race: read back what is stored
    }
    const opened = read(key, name, row.value);
    if ('reason' in opened) throw new SecretsAtRestError([opened], key);
    if (!opened.reseal || !key) return opened.value;
    const result = await db
      .updateTable('server_secrets')
      .set({ value: sealAtRest(key.current, name, opened.value) })
      .where('name', '=', name)
      .where('value', '=', row.value)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) return opened.value;
  }
  throw new Error(`server_secrets: ${name} kept changing while it was read`);
}

/**
 * Brings every row of `server_secrets` to the key given, before any is used: with a key, plain rows
 * and rows under the previous key are sealed under the current one (each compare-and-set); every row
 * must open. Throws {@link SecretsAtRestError} naming every row that cannot be read, having changed
 * none of those.
 */
export async function sealServerSecrets(db: Db, key: SecretsKey | null): Promise<void> {
  const rows = await db.selectFrom('server_secrets').select(['name', 'value']).orderBy('name').execute();
  const problems = rows.flatMap((row) => {
    const opened = read(key, row.name, row.value);
    return 'reason' in opened ? [opened] : [];
  });
  if (problems.length) throw new SecretsAtRestError(problems, key);
  for (const row of rows)
    await getOrCreateSecret(db, key, row.name, () => {
      throw new Error(`server_secrets: ${row.name} vanished while it was sealed`);
    });
}

/**
 * Writes every row of `server_secrets` back in plain text (compare-and-set), for an operator who
 * removes `SECRETS_KEY` on purpose (`main.js --unseal-secrets`). Returns the names it unsealed.
 */
export async function unsealServerSecrets(db: Db, key: SecretsKey): Promise<string[]> {
  await sealServerSecrets(db, key);
  const rows = await db.selectFrom('server_secrets').select(['name', 'value']).orderBy('name').execute();
  const unsealed: string[] = [];
  for (const row of rows) {
    const opened = read(key, row.name, row.value);
    if ('reason' in opened) throw new SecretsAtRestError([opened], key);
    if (!SEALED.test(row.value)) continue;
    const result = await db
      .updateTable('server_secrets')
      .set({ value: opened.value })
      .where('name', '=', row.name)
      .where('value', '=', row.value)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1)
      throw new Error(`server_secrets: ${row.name} changed while it was unsealed`);
    unsealed.push(row.name);
  }
  return unsealed;
}
