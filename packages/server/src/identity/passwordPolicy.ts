/**
 * @module identity/passwordPolicy
 * The embedded provider's password rules (NIST SP 800-63B §5.1.1.2): at least
 * {@link PASSWORD_MIN_LENGTH} characters, no composition rules, and not a password of leaked
 * password lists. The list is bundled (`packages/server/data/common-passwords.txt`: the 10,000
 * most common passwords of @zxcvbn-ts/language-common, MIT) and checked without any network call.
 * A password is refused when it is on the list, or is a listed one with digits or symbols
 * around it (`Password2024!`), or one repeated (`dragondragon`): what guessers try first.
 */
import { readFileSync } from 'node:fs';
import { PASSWORD_MIN_LENGTH } from '@remote-help/protocol';
import { AppError } from '../errors.js';

/** `src/identity` and `dist/identity` are both two levels below the package, where `data/` is. */
const LIST_URL = new URL('../../data/common-passwords.txt', import.meta.url);

let common: Set<string> | undefined;

/** The bundled list, lower case, loaded once. */
export function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(LIST_URL, 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line && !line.startsWith('#')),
  );
  return common;
}

/** True when `password` is, or is built around, a common password. */
export function isCommonPassword(password: string): boolean {
  const list = commonPasswords();
  const lower = password.trim().toLowerCase();
  if (list.has(lower)) return true;
  const core = lower.replace(/^[\d\W_]+/, '').replace(/[\d\W_]+$/, '');
  if (core.length >= 4 && list.has(core)) return true;
  // A listed password with digits or symbols added at the end ("123456789012", "iloveyou!!!!").
  for (let end = lower.length - 1; end >= 4 && /^[\d\W_]$/.test(lower.charAt(end)); end--) {
    if (list.has(lower.slice(0, end))) return true;
  }
  // One listed password said twice or more ("dragondragon", "qwerty123qwerty123").
  for (let size = 4; size <= lower.length / 2; size++) {
    if (lower.length % size !== 0) continue;
    const part = lower.slice(0, size);
    if (part.repeat(lower.length / size) === lower && (list.has(part) || list.has(core.slice(0, size)))) return true;
  }
  return false;
}

/** Why `password` is refused, or null when it may be used. */
export function passwordProblem(password: string): 'too_short' | 'common' | null {
  if ([...password].length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (isCommonPassword(password)) return 'common';
  return null;
}

/** Throws `validation_failed` (naming `field`) when `password` breaks the policy. */
export function assertPasswordAllowed(password: string, field = 'password'): void {
  const problem = passwordProblem(password);
  if (!problem) return;
  throw new AppError(
    'validation_failed',
    problem === 'too_short'
      ? `The password must have at least ${PASSWORD_MIN_LENGTH} characters.`
      : 'This password is too common: it appears in lists of leaked passwords. Choose another one.',
    { field, reason: problem },
  );
}
