import { describe, expect, it } from 'vitest';
import { cleanCodeInput, codeDigits } from './codeInput';

describe('code input', () => {
  it('accepts grouped or plain codes and keeps at most 8 digits', () => {
    expect(cleanCodeInput('1234 5678')).toBe('1234 5678');
    expect(cleanCodeInput('1234-5678')).toBe('1234-5678');
    expect(cleanCodeInput('12a34b5678 9')).toBe('12345678 ');
    expect(codeDigits('1234 5678')).toBe('12345678');
  });
});
