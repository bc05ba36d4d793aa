/**
 * @module codeInput
 * What the security-code field accepts: `1234 5678`, `1234-5678` or `12345678`.
 */

/** Keeps what a person may type in a code (digits, spaces, dashes), at most 8 digits. */
export function cleanCodeInput(value: string): string {
  let digits = 0;
  let out = '';
  for (const char of value) {
    if (char >= '0' && char <= '9') {
      if (digits === 8) continue;
      digits += 1;
      out += char;
    } else if (char === ' ' || char === '-') {
      out += char;
    }
  }
  return out.slice(0, 16);
}

/** The digits of what was typed (the server also ignores spaces and dashes). */
export function codeDigits(value: string): string {
  return value.replace(/\D/g, '');
}
