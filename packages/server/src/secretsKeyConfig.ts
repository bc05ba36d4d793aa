/**
 * @module secretsKeyConfig
 * Reads the key `server_secrets` is sealed under (`secretsAtRest`) from the environment:
 * `SECRETS_KEY` or `SECRETS_KEY_FILE`, and while rotating `SECRETS_KEY_PREVIOUS` or
 * `SECRETS_KEY_PREVIOUS_FILE`. A key is 32 bytes in base64url (43 characters; plain base64 and
 * `=` padding are taken too) or hex (64 digits). A key file must be readable by its owner only,
 * as ssh asks of a private key. No message ever shows a key or part of one.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { SecretsKey } from './secretsAtRest.js';

const KEY_HELP =
  'needs 32 random bytes as 43 base64url characters or 64 hex digits, e.g. from: openssl rand -base64 32 | tr "+/" "-_" | tr -d "="';

/** Decodes a key's text, or says what is wrong with it (never echoing it). */
export function decodeSecretsKey(text: string): Buffer | string {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!text) return `is empty; ${KEY_HELP}`;
  if (/^[0-9a-fA-F]+$/.test(text) && text.length !== 43 && text.length !== 44)
    return `is ${text.length} hex digits (${Math.floor(text.length / 2)} bytes); ${KEY_HELP}`;
  if (!/^[A-Za-z0-9_+/-]+={0,2}$/.test(text)) return `is neither base64url nor hex; ${KEY_HELP}`;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== 32) return `decodes to ${bytes.length} bytes, not 32; ${KEY_HELP}`;
  return bytes;
}

/** `SECRETS_KEY` and `SECRETS_KEY_PREVIOUS` in the environment schema: the text decoded to 32 bytes. */
export const secretsKeyText = z.string().transform((text, ctx) => {
  const key = decodeSecretsKey(text);
  if (typeof key !== 'string') return key;
  ctx.addIssue({ code: 'custom', message: key });
  return z.NEVER;
});

/** Reads a key file (`SECRETS_KEY_FILE`): owner-only, one key, a trailing newline allowed. */
function readKeyFile(variable: string, path: string, platform: NodeJS.Platform): Buffer | string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return `${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return `${variable}: ${path} is not a file`;
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    if (platform !== 'win32' && stat.mode & 0o077)
      return `${variable}: ${path} is open to group or others (mode ${mode}); make it readable by its owner only: chmod 600 ${path}`;
    if (stat.size > 1024) return `${variable}: ${path} is ${stat.size} bytes, not one key; ${KEY_HELP}`;
    const key = decodeSecretsKey(readFileSync(fd, 'utf8').trimEnd());
    return typeof key === 'string' ? `${variable}: ${path} holds no key: it ${key}` : key;
  } catch (error) {
    return `${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  } finally {
    closeSync(fd);
  }
}

/** The secrets-key variables: decoded by the schema (keys) or as given (file paths). */
export interface SecretsKeyEnv {
  SECRETS_KEY?: Buffer | undefined;
  SECRETS_KEY_FILE?: string | undefined;
  SECRETS_KEY_PREVIOUS?: Buffer | undefined;
  SECRETS_KEY_PREVIOUS_FILE?: string | undefined;
}

/**
 * The key from the variables the schema accepted (`env`), with `given` the names that were set at
 * all (a malformed key is reported by the schema, and not again as missing). Null: no key.
 */
export function resolveSecretsKey(
  env: SecretsKeyEnv,
  given: (name: keyof SecretsKeyEnv) => boolean,
  platform: NodeJS.Platform = process.platform,
): { key: SecretsKey | null; problems: string[] } {
  const problems: string[] = [];
  const one = (name: 'SECRETS_KEY' | 'SECRETS_KEY_PREVIOUS'): Buffer | null => {
    const file = `${name}_FILE` as const;
    if (given(name) && given(file)) {
      problems.push(`${name}: set ${name} or ${file}, not both`);
      return null;
    }
    const path = env[file];
    if (path === undefined) return env[name] ?? null;
    const key = readKeyFile(file, path, platform);
    if (typeof key === 'string') problems.push(key);
    return typeof key === 'string' ? null : key;
  };
  const current = one('SECRETS_KEY');
  const previous = one('SECRETS_KEY_PREVIOUS');
  const currentGiven = given('SECRETS_KEY') || given('SECRETS_KEY_FILE');
  if ((given('SECRETS_KEY_PREVIOUS') || given('SECRETS_KEY_PREVIOUS_FILE')) && !currentGiven)
    problems.push('SECRETS_KEY_PREVIOUS: is only read beside SECRETS_KEY (the key to seal under from now on)');
  if (current && previous?.equals(current))
    problems.push(
      'SECRETS_KEY_PREVIOUS: is the same key as SECRETS_KEY; give the key being replaced, or leave it unset',
    );
  if (problems.length || !current) return { key: null, problems };
  return { key: new SecretsKey(current, previous), problems };
}
