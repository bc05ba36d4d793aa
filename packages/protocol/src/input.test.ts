import { describe, expect, it } from 'vitest';
import { encodeInput, PACKED_MOVE_BYTES, unpackPointerMove } from './input.js';

describe('encodeInput', () => {
  it('writes JSON text, and a pointer move as 13 bytes only when the channel reads them', () => {
    expect(encodeInput({ type: 'pointerButton', button: 0, down: true, seq: 3 })).toBe(
      JSON.stringify({ type: 'pointerButton', button: 0, down: true, seq: 3 }),
    );
    expect(encodeInput({ type: 'pointerMove', x: 0.25, y: 0.5, seq: 7 })).toBe(
      '{"type":"pointerMove","x":0.25,"y":0.5,"seq":7}',
    );
    const packed = encodeInput({ type: 'pointerMove', x: 0.25, y: 0.5, seq: 7 }, true);
    expect(packed).toBeInstanceOf(Uint8Array);
    expect((packed as Uint8Array).byteLength).toBe(PACKED_MOVE_BYTES);
    expect(unpackPointerMove(packed as Uint8Array)).toEqual({ type: 'pointerMove', x: 0.25, y: 0.5, seq: 7 });
    // Only moves are packed.
    expect(typeof encodeInput({ type: 'releaseAll', seq: 8 }, true)).toBe('string');
  });

  it('refuses what breaks the protocol, packed or not', () => {
    expect(encodeInput({ type: 'pointerMove', x: Number.NaN, y: 0.5 })).toBeNull();
    expect(encodeInput({ type: 'pointerMove', x: 5, y: 0.5 }, true)).toBeNull();
    expect(encodeInput({ type: 'nothing' } as never)).toBeNull();
  });
});
