/**
 * The cursor's image through XFIXES: the conversion from premultiplied ARGB, and under a real
 * Xvfb the watcher reporting the current cursor and each new one: the root window's cursor (the
 * one shown while the pointer is over it) set by a client that keeps it, as applications do,
 * and by a client that exits right after setting it, as `xsetroot` does (its image cannot be
 * read: reported as null).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CursorShape } from '../types.js';
import { hasCommand, startXvfb, waitFor, type Xvfb } from '../../testing/xvfb.js';
import { X11CursorWatcher, unpremultiplyArgb } from './cursorWatcher.js';
import { closeX11, connectX11, type XDisplay } from './x11.js';

describe('unpremultiplyArgb', () => {
  it('turns premultiplied B, G, R, A bytes into straight R, G, B, A', () => {
    const argb = Uint8Array.from([0, 32, 64, 128, 10, 20, 30, 0, 255, 255, 255, 255, 200, 1, 0, 100]);
    expect([...unpremultiplyArgb(argb)]).toEqual([128, 64, 0, 128, 0, 0, 0, 0, 255, 255, 255, 255, 0, 3, 255, 100]);
  });
});

/** The core requests the test makes a cursor with (`x11`'s `corereqs.js`). */
interface CursorRequests {
  OpenFont(fid: number, name: string): void;
  CreateGlyphCursor(
    cid: number,
    sourceFont: number,
    maskFont: number,
    sourceChar: number,
    maskChar: number,
    fore: { R: number; G: number; B: number },
    back: { R: number; G: number; B: number },
  ): void;
  ChangeWindowAttributes(window: number, values: { cursor: number }): void;
  GrabServer(): void;
}

const missing = ['Xvfb'].filter((t) => !hasCommand(t));
if (missing.length > 0) console.warn(`${missing.join(', ')} not installed: skipping the cursor watcher test`);

describe.skipIf(missing.length > 0)('X11CursorWatcher under Xvfb', () => {
  let xvfb: Xvfb;
  let x: XDisplay;

  beforeAll(async () => {
    xvfb = await startXvfb('640x480x24');
    x = await connectX11(xvfb.display);
  });
  afterAll(async () => {
    if (x) await closeX11(x);
    await xvfb?.stop();
  });

  /** Sets the root window's cursor to glyph `glyph` of the core cursor font, from client `on` (default the test's own). */
  async function rootCursor(glyph: number, on: XDisplay = x): Promise<void> {
    const client = on.client as typeof on.client & CursorRequests;
    const font = client.AllocID();
    client.OpenFont(font, 'cursor');
    const cursor = client.AllocID();
    const black = { R: 0, G: 0, B: 0 };
    client.CreateGlyphCursor(cursor, font, font, glyph, glyph + 1, black, { R: 65535, G: 65535, B: 65535 });
    client.ChangeWindowAttributes(on.screen[0]!.root, { cursor });
    await client.sync();
  }

  /**
   * What `xsetroot -cursor_name` does, without its race: a client sets the root cursor and is gone
   * before anyone can read the image. It holds the server (a grab) from before the change until it
   * disconnects, so the watcher's read, made on the change, runs only once the cursor's client is gone
   * (xsetroot itself lost that race on a loaded machine: the read got the image).
   */
  async function freedRootCursor(glyph: number): Promise<void> {
    const other = await connectX11(xvfb.display);
    (other.client as typeof other.client & CursorRequests).GrabServer();
    await rootCursor(glyph, other);
    await closeX11(other); // the grab ends with the connection
  }

  it('reports the cursor shown now, then each new one with its own serial and pixels', async () => {
    const watcher = await X11CursorWatcher.open(x);
    expect(watcher).not.toBeNull();
    const shapes: (CursorShape | null)[] = [];
    const stop = watcher!.watch((shape) => shapes.push(shape));
    await waitFor(() => shapes.length === 1, 5000, 'the current cursor');
    // The core cursor font's text caret (XC_xterm) and hand (XC_hand2).
    for (const glyph of [152, 60]) {
      const before = shapes.length;
      await rootCursor(glyph);
      await waitFor(() => shapes.length > before, 5000, `cursor glyph ${glyph}`);
    }
    const [arrow, caret, hand] = shapes as CursorShape[];
    expect(new Set([arrow!.serial, caret!.serial, hand!.serial]).size).toBe(3);
    for (const s of [arrow!, caret!, hand!]) {
      expect(s.rgba.length).toBe(s.width * s.height * 4);
      expect(s.hotX).toBeLessThan(s.width);
      expect(s.hotY).toBeLessThan(s.height);
      // Something is drawn: not every pixel is transparent.
      expect(s.rgba.some((v, i) => i % 4 === 3 && v > 0)).toBe(true);
    }
    expect(Buffer.from(caret!.rgba).equals(Buffer.from(hand!.rgba))).toBe(false);

    // A second listener gets the current image at once.
    const later: (CursorShape | null)[] = [];
    const stopLater = watcher!.watch((shape) => later.push(shape));
    expect(later).toEqual([hand]);
    stopLater();

    // A cursor whose client is gone: shown, but its image cannot be read.
    const before = shapes.length;
    await freedRootCursor(152);
    await waitFor(() => shapes.length === before + 1, 5000, 'the freed cursor');
    expect(shapes[before]).toBeNull();
    // A readable one after it is reported again.
    await rootCursor(60);
    await waitFor(() => shapes.length === before + 2, 5000, 'the hand again');
    expect(shapes[before + 1]?.width).toBe(hand!.width);

    stop();
    const seen = shapes.length;
    await rootCursor(152);
    await new Promise((r) => setTimeout(r, 200));
    expect(shapes).toHaveLength(seen); // stopped: nothing more
  });
});
