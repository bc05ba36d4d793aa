import { describe, expect, it } from 'vitest';
import { packPointerMove, PACKED_MOVE_BYTES } from '@remote-help/protocol';
import { AgentError } from '../errors.js';
import { MAX_INPUT_MESSAGE_LENGTH, parseInputMessage } from './inputMessages.js';

const ok = (value: unknown) => parseInputMessage(JSON.stringify(value));

function rejection(raw: unknown): AgentError {
  try {
    parseInputMessage(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(AgentError);
    expect((error as AgentError).reason).toBe('invalid_input_message');
    return error as AgentError;
  }
  throw new Error('expected a rejection');
}

describe('parseInputMessage', () => {
  it('accepts every message type', () => {
    expect(ok({ type: 'pointerMove', x: 0.5, y: 0.25 })).toEqual({ type: 'pointerMove', x: 0.5, y: 0.25 });
    expect(ok({ type: 'pointerButton', button: 2, down: true })).toMatchObject({ button: 2, down: true });
    expect(ok({ type: 'pointerButton', button: 0, down: false, x: 1, y: 0 })).toMatchObject({ x: 1, y: 0 });
    expect(ok({ type: 'wheel', dx: 0, dy: -120 })).toEqual({ type: 'wheel', dx: 0, dy: -120, mode: 'pixel' });
    expect(ok({ type: 'wheel', dx: 3, dy: 0, mode: 'line' })).toMatchObject({ mode: 'line' });
    const modifiers = { shift: true, ctrl: false, alt: false, meta: false };
    expect(ok({ type: 'key', code: 'KeyA', down: true, modifiers })).toMatchObject({ code: 'KeyA', modifiers });
    expect(ok({ type: 'text', text: 'héllo' })).toEqual({ type: 'text', text: 'héllo' });
    expect(ok({ type: 'releaseAll' })).toEqual({ type: 'releaseAll' });
  });

  it('accepts UTF-8 bytes as well as strings', () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ type: 'releaseAll' }));
    expect(parseInputMessage(bytes)).toEqual({ type: 'releaseAll' });
    expect(parseInputMessage(bytes.buffer)).toEqual({ type: 'releaseAll' });
  });

  it('reads a packed pointer move through the same schema', () => {
    const bytes = packPointerMove({ x: 0.5, y: 0.25, seq: 7 });
    expect(bytes.byteLength).toBe(PACKED_MOVE_BYTES);
    expect(parseInputMessage(bytes)).toEqual({ type: 'pointerMove', x: 0.5, y: 0.25, seq: 7 });
    expect(parseInputMessage(bytes.buffer)).toEqual({ type: 'pointerMove', x: 0.5, y: 0.25, seq: 7 });
    // A view into a larger buffer (as a receive buffer may be), and no number (seq 0).
    const larger = new Uint8Array(40);
    larger.set(packPointerMove({ x: 1 / 3, y: 2 }), 20);
    const move = parseInputMessage(larger.subarray(20, 33));
    expect(move).toEqual({ type: 'pointerMove', x: expect.closeTo(1 / 3, 7) as number, y: 2 });
    // Float32 keeps well under a pixel of an 8K display's side.
    expect(Math.abs((move as { x: number }).x * 7680 - 7680 / 3)).toBeLessThan(0.01);
  });

  it.each([
    ['a packed move one byte short', packPointerMove({ x: 0.5, y: 0.5 }).subarray(0, PACKED_MOVE_BYTES - 1)],
    ['a packed move with a byte more', Uint8Array.from([...packPointerMove({ x: 0.5, y: 0.5 }), 0])],
    ['a packed move at NaN', packPointerMove({ x: Number.NaN, y: 0.5 })],
    ['a packed move at infinity', packPointerMove({ x: 0.5, y: Number.POSITIVE_INFINITY })],
    ['a packed move far off the display', packPointerMove({ x: 0.5, y: 1e9 })],
    ['a packed move numbered past 2^31', packPointerMove({ x: 0.5, y: 0.5, seq: 2 ** 32 - 1 })],
    ['bytes that are neither JSON nor a packed move', Uint8Array.from([2, 0, 0, 0])],
  ])('rejects %s', (_what, raw) => {
    rejection(raw);
  });

  it.each([
    ['not JSON', '{type:'],
    ['a number', 42],
    ['null', null],
    ['JSON null', 'null'],
    ['an array', '[]'],
    ['no type', JSON.stringify({ x: 0.1, y: 0.1 })],
    ['unknown type', JSON.stringify({ type: 'exec', command: 'rm -rf /' })],
    ['missing coordinates', JSON.stringify({ type: 'pointerMove', x: 0.5 })],
    ['string coordinates', JSON.stringify({ type: 'pointerMove', x: '0.5', y: 0.5 })],
    ['absurd coordinates', JSON.stringify({ type: 'pointerMove', x: 1e9, y: 0 })],
    ['button 3', JSON.stringify({ type: 'pointerButton', button: 3, down: true })],
    ['button as string', JSON.stringify({ type: 'pointerButton', button: 'left', down: true })],
    ['huge wheel', JSON.stringify({ type: 'wheel', dx: 0, dy: 1e7 })],
    ['bad wheel mode', JSON.stringify({ type: 'wheel', dx: 0, dy: 1, mode: 'screen' })],
    ['key without modifiers', JSON.stringify({ type: 'key', code: 'KeyA', down: true })],
    [
      'key code with symbols',
      JSON.stringify({
        type: 'key',
        code: 'Key A;',
        down: true,
        modifiers: { shift: false, ctrl: false, alt: false, meta: false },
      }),
    ],
    ['extra fields', JSON.stringify({ type: 'releaseAll', also: 'this' })],
    ['empty text', JSON.stringify({ type: 'text', text: '' })],
    ['long text', JSON.stringify({ type: 'text', text: 'x'.repeat(257) })],
    ['too large', JSON.stringify({ type: 'text', text: 'x'.repeat(MAX_INPUT_MESSAGE_LENGTH) })],
  ])('rejects %s', (_what, raw) => {
    rejection(raw);
  });

  it('describes what is wrong without echoing the message', () => {
    const error = rejection(JSON.stringify({ type: 'pointerMove', x: 'secret', y: 0 }));
    expect(error.message).toContain('x');
    expect(error.message).not.toContain('secret');
    expect(error.data?.['issues']).toBeInstanceOf(Array);
  });
});
