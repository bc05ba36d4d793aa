/**
 * `server_secrets` sealed under a key kept outside the database (`SECRETS_KEY`, `secretsAtRest`), on
 * the engine of the test run (`TEST_DATABASE_URL=postgres://…` for PostgreSQL): plain rows are
 * sealed in place at start and every secret, and what was sealed under them, stays the same; a raw
 * read shows no plain value; without the key or with a wrong one the start stops with a typed error
 * and nothing changes; rotation re-seals under the new key; a value moved to another name does not
 * open; two nodes starting at once agree; `--unseal-secrets` writes them back plain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from './app.js';
import { loadConfig, startupProblem } from './config.js';
import type { Db } from './db/client.js';
import { migrate, openDatabase } from './db/client.js';
import { SecretBox } from './identity/federation/secretBox.js';
import { unsealSecretsCommand } from './ops/unsealSecrets.js';
import { loadSecrets } from './secrets.js';
import type { SecretsAtRestReason } from './secretsAtRest.js';
import { keyId, SecretsAtRestError, SecretsKey, unsealServerSecrets } from './secretsAtRest.js';
import type { TestDatabase } from './test/database.js';
import { testDatabase } from './test/database.js';
import { startTestServer } from './test/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-secrets-at-rest-'));
const K1 = randomBytes(32);
const K2 = randomBytes(32);
const NAMES = ['code_hmac_key', 'cookie_key', 'federation_key', 'idp_signing_jwk', 'web_client_secret'];

let database: TestDatabase;
/** Two handles on the same database: two nodes. */
let db: Db;
let db2: Db;

beforeAll(async () => {
  database = testDatabase(dir);
  db = openDatabase(database.config);
  await migrate(db);
  db2 = openDatabase(database.config);
}, 60_000);
afterAll(async () => {
  await db?.destroy();
  await db2?.destroy();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await db.deleteFrom('server_secrets').execute();
});

/** The table as stored, by name. */
async function rows(): Promise<Record<string, { value: string; created_at: string }>> {
  const all = await db.selectFrom('server_secrets').select(['name', 'value', 'created_at']).orderBy('name').execute();
  return Object.fromEntries(all.map(({ name, value, created_at }) => [name, { value, created_at }]));
}

/** Every secret a node loads (the federation key as what it seals and opens). */
async function loadAll(handle: Db, key: SecretsKey | null) {
  const secrets = await loadSecrets(handle, key);
  const box = await SecretBox.load(handle, key);
  return { secrets, box };
}

/** The reason and names of the `SecretsAtRestError` that `load` fails with. */
async function refusal(
  load: Promise<unknown>,
): Promise<{ reasons: SecretsAtRestReason[]; names: string[]; message: string }> {
  const error = await load.then(
    () => expect.unreachable('the secrets were loaded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecretsAtRestError);
  const { problems, message } = error as SecretsAtRestError;
  return { reasons: [...new Set(problems.map((p) => p.reason))], names: problems.map((p) => p.name), message };
}

describe('server_secrets at rest', () => {
  it('seals plain rows in place at start; every secret and what was sealed under them stays the same', async () => {
    const plain = await loadAll(db, null);
    const clientSecret = plain.box.seal('contoso-client-secret-123');
    const before = await rows();
    expect(Object.keys(before)).toEqual(NAMES);
    for (const { value } of Object.values(before)) expect(value).not.toMatch(/^kek/);

    const sealed = await loadAll(db, new SecretsKey(K1));
    expect(sealed.secrets).toEqual(plain.secrets);
    expect(sealed.secrets.codeKey.equals(plain.secrets.codeKey)).toBe(true); // TOTP secrets are sealed under it
    expect(sealed.box.open(clientSecret)).toBe('contoso-client-secret-123');

    // A raw read shows no plain value: every row is sealed under K1, and no stored text holds a secret.
    const after = await rows();
    expect(Object.keys(after)).toEqual(NAMES);
    const stored = Object.values(after)
      .map((r) => r.value)
      .join('\n');
    for (const name of NAMES) {
      expect(after[name]!.value).toMatch(new RegExp(`^kek1\\.${keyId(K1)}\\.[\\w-]{16}\\.[\\w-]{22}\\.[\\w-]+$`));
      expect(after[name]!.created_at).toBe(before[name]!.created_at);
      expect(stored).not.toContain(before[name]!.value);
    }
    expect(stored).not.toContain(plain.secrets.signingJwk.d);

    // Loaded again with the key: the same secrets, the rows untouched.
    expect((await loadAll(db, new SecretsKey(K1))).secrets).toEqual(plain.secrets);
    expect(await rows()).toEqual(after);
  });

  it('makes new secrets sealed on a fresh database', async () => {
    const first = await loadAll(db, new SecretsKey(K1));
    const stored = await rows();
    expect(Object.keys(stored)).toEqual(NAMES);
    for (const name of NAMES) expect(stored[name]!.value.startsWith(`kek1.${keyId(K1)}.`)).toBe(true);
    const again = await loadAll(db, new SecretsKey(K1));
    expect(again.secrets).toEqual(first.secrets);
    expect(again.box.open(first.box.seal('x'))).toBe('x');
  });

  it('without the key, a sealed table stops the start naming SECRETS_KEY, and nothing changes', async () => {
    await loadAll(db, new SecretsKey(K1));
    const before = await rows();
    const refused = await refusal(loadSecrets(db, null));
    expect(refused.reasons).toEqual(['key_missing']);
    expect(refused.names).toEqual(NAMES);
    expect(refused.message).toContain('SECRETS_KEY');
    expect(refused.message).toContain(keyId(K1));
    expect((await refusal(SecretBox.load(db, null))).names).toEqual(['federation_key']);
    expect(await rows()).toEqual(before);
  });

  it('with a wrong key, the start stops naming every row and both key ids, and nothing changes', async () => {
    await loadAll(db, new SecretsKey(K1));
    const before = await rows();
    const refused = await refusal(loadSecrets(db, new SecretsKey(K2)));
    expect(refused.reasons).toEqual(['wrong_key']);
    expect(refused.names).toEqual(NAMES);
    expect(refused.message).toContain(keyId(K1));
    expect(refused.message).toContain(keyId(K2));
    expect((await refusal(SecretBox.load(db, new SecretsKey(K2)))).reasons).toEqual(['wrong_key']);
    expect(await rows()).toEqual(before);
  });

  it('rotates: SECRETS_KEY_PREVIOUS opens, everything is sealed again under the new key, the old alone no longer opens', async () => {
    const original = await loadAll(db, new SecretsKey(K1));
    const clientSecret = original.box.seal('fabrikam-secret');
    const rotated = await loadAll(db, new SecretsKey(K2, K1));
    expect(rotated.secrets).toEqual(original.secrets);
    expect(rotated.box.open(clientSecret)).toBe('fabrikam-secret');
    const stored = await rows();
    for (const name of NAMES) expect(stored[name]!.value.startsWith(`kek1.${keyId(K2)}.`)).toBe(true);

    expect((await refusal(loadSecrets(db, new SecretsKey(K1)))).reasons).toEqual(['wrong_key']);
    expect((await loadAll(db, new SecretsKey(K2))).secrets).toEqual(original.secrets);
    expect(await rows()).toEqual(stored);
  });

  it('a sealed value copied to another name, or altered, does not open, and nothing changes', async () => {
    await loadAll(db, new SecretsKey(K1));
    const cookie = (await rows()).cookie_key!.value;
    await db.updateTable('server_secrets').set({ value: cookie }).where('name', '=', 'code_hmac_key').execute();
    const moved = await rows();
    const refused = await refusal(loadSecrets(db, new SecretsKey(K1)));
    expect(refused.reasons).toEqual(['damaged']);
    expect(refused.names).toEqual(['code_hmac_key']);
    expect(await rows()).toEqual(moved);

    // One character of the ciphertext changed.
    const jwk = moved.idp_signing_jwk!.value;
    const altered = `${jwk.slice(0, -2)}${jwk.at(-2) === 'A' ? 'B' : 'A'}${jwk.at(-1)}`;
    await db.updateTable('server_secrets').set({ value: altered }).where('name', '=', 'idp_signing_jwk').execute();
    expect((await refusal(loadSecrets(db, new SecretsKey(K1)))).names).toEqual(['code_hmac_key', 'idp_signing_jwk']);
  });

  it('two nodes starting at once with the key end with one consistent value, plain rows before or none', async () => {
    const plain = await loadAll(db, null);
    const racing = await Promise.all([
      loadAll(db, new SecretsKey(K1)),
      loadAll(db2, new SecretsKey(K1)),
      loadAll(db, new SecretsKey(K1)),
    ]);
    for (const node of racing) {
      expect(node.secrets).toEqual(plain.secrets);
      expect(node.box.open(plain.box.seal('shared'))).toBe('shared');
    }
    const stored = await rows();
    for (const name of NAMES) expect(stored[name]!.value.startsWith(`kek1.${keyId(K1)}.`)).toBe(true);

    await db.deleteFrom('server_secrets').execute();
    const fresh = await Promise.all([loadAll(db, new SecretsKey(K1)), loadAll(db2, new SecretsKey(K1))]);
    expect(fresh[1].secrets).toEqual(fresh[0].secrets);
    expect(fresh[1].box.open(fresh[0].box.seal('shared'))).toBe('shared');
    expect((await loadAll(db, new SecretsKey(K1))).secrets).toEqual(fresh[0].secrets);
  });

  it('--unseal-secrets writes every row back plain with the key, and the server reads them without it', async () => {
    const sealed = await loadAll(db, new SecretsKey(K1));
    const messages: string[] = [];
    const noKey = loadConfig({ DATABASE_URL: database.url });
    expect(await unsealSecretsCommand(noKey, (line) => messages.push(line))).toBe(2);
    expect(messages[0]).toContain('SECRETS_KEY');
    expect(await unsealServerSecrets(db, new SecretsKey(K1))).toEqual(NAMES);
    for (const { value } of Object.values(await rows())) expect(value).not.toMatch(/^kek/);
    expect((await loadAll(db, null)).secrets).toEqual(sealed.secrets);
  });
});

describe('a server started with SECRETS_KEY', () => {
  it('stores its secrets sealed, and without the key does not start, naming SECRETS_KEY, changing nothing', async () => {
    const own = testDatabase(dir, 'server.db');
    const key = K1.toString('base64url');
    const t = await startTestServer({ DATABASE_URL: own.url, SECRETS_KEY: key });
    const stored = await t.server.db.selectFrom('server_secrets').select(['name', 'value']).orderBy('name').execute();
    await t.stop();
    try {
      expect(stored.map((r) => r.name)).toEqual(NAMES);
      for (const row of stored) expect(row.value.startsWith(`kek1.${keyId(K1)}.`)).toBe(true);

      const config = loadConfig({ DATABASE_URL: own.url, WEB_DIST: join(dir, 'no-web') });
      const error = await createServer(config, { logger: false }).then(
        () => expect.unreachable('the server started'),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SecretsAtRestError);
      expect(startupProblem(error, config)).toMatch(/^server_secrets: .* set SECRETS_KEY or SECRETS_KEY_FILE/);
      const check = openDatabase(own.config);
      try {
        expect(await check.selectFrom('server_secrets').select(['name', 'value']).orderBy('name').execute()).toEqual(
          stored,
        );
      } finally {
        await check.destroy();
      }
    } finally {
      await own.drop();
    }
  }, 60_000);
});
