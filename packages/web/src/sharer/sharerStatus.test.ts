import { describe, expect, it } from 'vitest';
import { desiredSharerStatus } from './sharerStatus';

describe('desiredSharerStatus', () => {
  it('reports nothing outside an active session', () => {
    for (const state of ['waiting', 'joined', 'requested', 'ended', null] as const) {
      expect(desiredSharerStatus(state, true, false)).toBeNull();
      expect(desiredSharerStatus(state, false, false)).toBeNull();
    }
  });

  it('is choosing without a capture (a reload, the browser stopped the share), even if paused before', () => {
    expect(desiredSharerStatus('active', false, false)).toBe('choosing');
    expect(desiredSharerStatus('active', false, true)).toBe('choosing');
  });

  it('is sharing or paused with a capture', () => {
    expect(desiredSharerStatus('active', true, false)).toBe('sharing');
    expect(desiredSharerStatus('active', true, true)).toBe('paused');
  });
});
