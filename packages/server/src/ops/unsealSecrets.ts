/**
 * @module ops/unsealSecrets
 * `main.js --unseal-secrets`: writes every row of `server_secrets` back in plain text with the key
 * `SECRETS_KEY` names, for an operator who stops using a secrets key on purpose, then exits. Every
 * node must be stopped first, and started again without `SECRETS_KEY` (a node with it seals again).
 */
import type { Config } from '../config.js';
import { migrate, openDatabase } from '../db/client.js';
import { unsealServerSecrets } from '../secretsAtRest.js';

/** Unseals and says what it did through `print`; returns the exit status (2: no key given). */
export async function unsealSecretsCommand(config: Config, print: (line: string) => void): Promise<number> {
  if (!config.secretsKey) {
    print('--unseal-secrets: set SECRETS_KEY or SECRETS_KEY_FILE to the key server_secrets is sealed under');
    return 2;
  }
  const db = openDatabase(config.database);
  try {
    await migrate(db);
    const names = await unsealServerSecrets(db, config.secretsKey);
    print(
      names.length
        ? `server_secrets: unsealed ${names.join(', ')}; start every node without SECRETS_KEY now`
        : 'server_secrets: nothing was sealed',
    );
    return 0;
  } finally {
    await db.destroy();
  }
}
