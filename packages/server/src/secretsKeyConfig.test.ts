/**
 * The secrets key in the configuration (`SECRETS_KEY[_FILE]`, `SECRETS_KEY_PREVIOUS[_FILE]`): 32
 * bytes in base64url or hex, from the environment or an owner-only file; every bad input named by
 * its variable, never echoing the key; the key shown by its id only when the configuration is
 * serialized or inspected.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { keyId } from './secretsAtRest.js';
import { resolveSecretsKey } from './secretsKeyConfig.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-secrets-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY = randomBytes(32);
const OLD = randomBytes(32);

/** The problems `loadConfig` reports for `env` (none: it was accepted). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

/** A key file with `text` and `mode`. */
function keyFile(name: string, text: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

describe('the secrets key', () => {
  it('is off by default', () => {
    expect(loadConfig({}).secretsKey).toBeNull();
  });

  it('takes 32 bytes as base64url, base64 with padding, or hex, from the environment or an owner-only file', () => {
    const forms = [
      KEY.toString('base64url'),
      KEY.toString('base64'),
      KEY.toString('hex'),
      KEY.toString('hex').toUpperCase(),
    ];
    for (const text of forms) expect(loadConfig({ SECRETS_KEY: text }).secretsKey?.current.equals(KEY)).toBe(true);
    const file = keyFile('key', `${KEY.toString('base64url')}\n`);
    const old = keyFile('old', `${OLD.toString('hex')}\r\n`, 0o400);
    const config = loadConfig({ SECRETS_KEY_FILE: file, SECRETS_KEY_PREVIOUS_FILE: old });
    expect(config.secretsKey?.current.equals(KEY)).toBe(true);
    expect(config.secretsKey?.previous?.equals(OLD)).toBe(true);
    const env = loadConfig({ SECRETS_KEY: KEY.toString('hex'), SECRETS_KEY_PREVIOUS: OLD.toString('base64url') });
    expect(env.secretsKey?.previous?.equals(OLD)).toBe(true);
  });

  it('refuses a key of the wrong length or alphabet, naming the variable and never showing the key', () => {
    const short = randomBytes(16);
    const cases: [Record<string, string>, RegExp][] = [
      [
        { SECRETS_KEY: short.toString('base64url') },
        /^SECRETS_KEY: decodes to 16 bytes, not 32; needs 32 random bytes/,
      ],
      [{ SECRETS_KEY: randomBytes(48).toString('base64url') }, /^SECRETS_KEY: decodes to 48 bytes, not 32/],
      [{ SECRETS_KEY: KEY.toString('hex').slice(2) }, /^SECRETS_KEY: is 62 hex digits \(31 bytes\)/],
      [{ SECRETS_KEY: `${KEY.toString('base64url').slice(1)}!` }, /^SECRETS_KEY: is neither base64url nor hex/],
      [{ SECRETS_KEY: `${KEY.toString('base64url')} ` }, /^SECRETS_KEY: is neither base64url nor hex/],
      [
        { SECRETS_KEY: KEY.toString('hex'), SECRETS_KEY_PREVIOUS: short.toString('hex') },
        /^SECRETS_KEY_PREVIOUS: is 32 hex digits/,
      ],
    ];
    for (const [env, expected] of cases) {
      const problems = problemsOf(env);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(expected);
      for (const value of Object.values(env)) expect(problems[0]).not.toContain(value.trim());
    }
  });

  it('refuses a key file that is missing, not a file, open to group or others, or holds no key', () => {
    const missing = join(dir, 'missing');
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    const open = keyFile('open', KEY.toString('base64url'), 0o644);
    const groupOnly = keyFile('group', KEY.toString('base64url'), 0o640);
    const bad = keyFile('bad', 'not a key\n');
    const empty = keyFile('empty', '\n');
    expect(problemsOf({ SECRETS_KEY_FILE: missing })).toEqual([`SECRETS_KEY_FILE: cannot read ${missing} (ENOENT)`]);
    expect(problemsOf({ SECRETS_KEY_FILE: folder })).toEqual([`SECRETS_KEY_FILE: ${folder} is not a file`]);
    expect(problemsOf({ SECRETS_KEY_FILE: open })).toEqual([
      `SECRETS_KEY_FILE: ${open} is open to group or others (mode 0644); make it readable by its owner only: chmod 600 ${open}`,
    ]);
    expect(problemsOf({ SECRETS_KEY_FILE: groupOnly })[0]).toMatch(/is open to group or others \(mode 0640\)/);
    expect(problemsOf({ SECRETS_KEY: KEY.toString('hex'), SECRETS_KEY_PREVIOUS_FILE: open })[0]).toMatch(
      /^SECRETS_KEY_PREVIOUS_FILE: .* is open to group or others/,
    );
    expect(problemsOf({ SECRETS_KEY_FILE: bad })).toEqual([
      expect.stringMatching(/^SECRETS_KEY_FILE: .*\/bad holds no key: it is neither base64url nor hex/),
    ]);
    expect(problemsOf({ SECRETS_KEY_FILE: empty })[0]).toMatch(/holds no key: it is empty/);
    // Windows has no such mode bits: the check is left out there.
    const onWindows = resolveSecretsKey({ SECRETS_KEY_FILE: open }, (name) => name === 'SECRETS_KEY_FILE', 'win32');
    expect(onWindows.problems).toEqual([]);
    expect(onWindows.key?.current.equals(KEY)).toBe(true);
  });

  it('refuses a key and a key file both, a previous key alone, and a previous key equal to the key', () => {
    const file = keyFile('both', KEY.toString('base64url'));
    expect(problemsOf({ SECRETS_KEY: KEY.toString('hex'), SECRETS_KEY_FILE: file })).toEqual([
      'SECRETS_KEY: set SECRETS_KEY or SECRETS_KEY_FILE, not both',
    ]);
    expect(
      problemsOf({
        SECRETS_KEY: KEY.toString('hex'),
        SECRETS_KEY_PREVIOUS: OLD.toString('hex'),
        SECRETS_KEY_PREVIOUS_FILE: file,
      }),
    ).toEqual(['SECRETS_KEY_PREVIOUS: set SECRETS_KEY_PREVIOUS or SECRETS_KEY_PREVIOUS_FILE, not both']);
    expect(problemsOf({ SECRETS_KEY_PREVIOUS: OLD.toString('hex') })).toEqual([
      'SECRETS_KEY_PREVIOUS: is only read beside SECRETS_KEY (the key to seal under from now on)',
    ]);
    expect(problemsOf({ SECRETS_KEY: KEY.toString('hex'), SECRETS_KEY_PREVIOUS: KEY.toString('base64url') })).toEqual([
      'SECRETS_KEY_PREVIOUS: is the same key as SECRETS_KEY; give the key being replaced, or leave it unset',
    ]);
    // A malformed key is reported once, not again as missing beside its previous key.
    expect(problemsOf({ SECRETS_KEY: 'x', SECRETS_KEY_PREVIOUS: OLD.toString('hex') })).toEqual([
      expect.stringMatching(/^SECRETS_KEY: decodes to 0 bytes/),
    ]);
  });

  it('is shown by its id only when the configuration is serialized or inspected', () => {
    const config = loadConfig({ SECRETS_KEY: KEY.toString('base64url'), SECRETS_KEY_PREVIOUS: OLD.toString('hex') });
    const shown = [JSON.stringify(config), inspect(config, { depth: 10 })];
    for (const text of shown) {
      expect(text).toContain(keyId(KEY));
      expect(text).toContain(keyId(OLD));
      for (const key of [KEY, OLD])
        for (const form of [key.toString('base64url'), key.toString('hex'), JSON.stringify([...key])])
          expect(text).not.toContain(form.slice(1, -1));
    }
  });
});
