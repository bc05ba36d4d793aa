/**
 * @module sessions/codes
 * Security codes: 8 decimal digits from a CSPRNG, uniform over 00000000–99999999
 * (leading zeros are as likely as any digit), stored only as a keyed hash.
 */
import { createHmac, randomInt } from 'node:crypto';

export const CODE_DIGITS = 8;
const CODE_SPACE = 10 ** CODE_DIGITS;

/** A fresh code; `randomInt` rejects modulo bias, so every code is equally likely. */
export function generateCode(): string {
  return randomInt(0, CODE_SPACE).toString().padStart(CODE_DIGITS, '0');
}

/** The keyed hash under which a code is stored and looked up. */
export function hashCode(key: Buffer, code: string): string {
  return createHmac('sha256', key).update(`remote-help/code/v1:${code}`).digest('base64url');
}
