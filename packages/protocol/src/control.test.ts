import { describe, expect, it } from 'vitest';
import { AgentControlMessage, HelperControlMessage, MAX_CURSOR_PNG_BASE64, MAX_CURSOR_SIDE } from './control.js';

/** The base64 of a PNG's signature and the start of its header chunk: what every PNG begins with. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const image = { width: 16, height: 24, hotX: 1, hotY: 1, png: PNG };
const shape = (patch: Record<string, unknown>) => ({ type: 'cursorShape', image: { ...image, ...patch } });

describe('cursorShape (agent → helper)', () => {
  it('carries a PNG with its size and hot spot, or null for no image', () => {
    expect(AgentControlMessage.parse({ type: 'cursorShape', image })).toEqual({ type: 'cursorShape', image });
    expect(AgentControlMessage.parse({ type: 'cursorShape', image: null })).toEqual({
      type: 'cursorShape',
      image: null,
    });
  });

  it.each([
    ['a hot spot right of the image', { hotX: 16 }],
    ['a hot spot below the image', { hotY: 24 }],
    ['a negative hot spot', { hotX: -1 }],
    ['an empty image', { width: 0 }],
    ['a side over the largest', { height: MAX_CURSOR_SIDE + 1 }],
    ['a fractional size', { width: 1.5 }],
    ['something else than a PNG', { png: 'R0lGODlhAQABAAAAACw=' }],
    ['characters outside base64', { png: `${PNG}<script>` }],
    ['a PNG longer than the limit', { png: `iVBORw0KGgo${'A'.repeat(MAX_CURSOR_PNG_BASE64)}` }],
    ['an unknown field', { url: 'https://example.com/cursor.png' }],
  ])('refuses %s', (_name, patch) => {
    expect(AgentControlMessage.safeParse(shape(patch)).success).toBe(false);
  });

  it('refuses a shape without its image field', () => {
    expect(AgentControlMessage.safeParse({ type: 'cursorShape' }).success).toBe(false);
  });
});

describe('cursor images by id (after the helper’s cursorCache)', () => {
  it('names an image with an id and refers to it later; the helper asks with cursorCache', () => {
    const named = { type: 'cursorShape', image, id: 2 ** 48 - 1 };
    expect(AgentControlMessage.parse(named)).toEqual(named);
    expect(AgentControlMessage.parse({ type: 'cursorShapeRef', id: 7 })).toEqual({ type: 'cursorShapeRef', id: 7 });
    expect(HelperControlMessage.parse({ type: 'cursorCache' })).toEqual({ type: 'cursorCache' });
  });

  it.each([
    ['an id for no image', { type: 'cursorShape', image: null, id: 3 }],
    ['a negative id', { type: 'cursorShape', image, id: -1 }],
    ['an id over 48 bits', { type: 'cursorShapeRef', id: 2 ** 48 }],
    ['a fractional id', { type: 'cursorShapeRef', id: 1.5 }],
    ['a reference without an id', { type: 'cursorShapeRef' }],
  ])('refuses %s', (_name, message) => {
    expect(AgentControlMessage.safeParse(message).success).toBe(false);
  });

  it('refuses a cursorCache with anything in it', () => {
    expect(HelperControlMessage.safeParse({ type: 'cursorCache', size: 10 }).success).toBe(false);
  });
});
