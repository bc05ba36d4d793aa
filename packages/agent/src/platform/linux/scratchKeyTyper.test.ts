/**
 * The scratch-key typer asks whether it may still type before every key it presses: a text
 * that is being typed stops at the next key once the answer is no (Stop control, pause, the
 * session's end), with every key it pressed released, and so does a typer that was closed.
 * Against a fake X connection that records each request (the real one: linuxText, controlSafety).
 */
import { describe, expect, it } from 'vitest';
import { ScratchKeyTyper } from './scratchKeyTyper.js';
import type { XDisplay, XTestExt } from './x11.js';

const PRESS = 2;
const RELEASE = 3;

/** A keyboard of 8 keycodes from 8: two with a keysym, six empty (the scratch pool). */
const ROWS = [[0x61, 0x41], [0x62, 0x42], ...Array.from({ length: 6 }, () => [0, 0])];

function fakeX() {
  const events: { type: 'press' | 'release' | 'map'; keycode: number; keysym?: number }[] = [];
  const display = {
    min_keycode: 8,
    client: {
      sync: () => new Promise<void>((resolve) => setImmediate(resolve)),
      ChangeKeyboardMapping: (keycode: number, _per: number, keysyms: number[]) =>
        events.push({ type: 'map', keycode, keysym: keysyms[0] as number }),
    },
  } as unknown as XDisplay;
  const xtest = {
    KeyPress: PRESS,
    KeyRelease: RELEASE,
    FakeInput: (type: number, keycode: number) => events.push({ type: type === PRESS ? 'press' : 'release', keycode }),
  } as unknown as XTestExt;
  return { display, xtest, events };
}

/** 20 different Cyrillic letters and a line break: more keysyms than the pool has keycodes. */
const TEXT = `${Array.from({ length: 20 }, (_, i) => String.fromCodePoint(0x410 + i)).join('')}\n`;

describe('ScratchKeyTyper', () => {
  it('types every key of a text, each pressed and released, while it may', async () => {
    const x = fakeX();
    const typer = ScratchKeyTyper.create(x.display, x.xtest, ROWS, { settleMs: 1, restoreAfterMs: 60_000 });
    await typer.type(TEXT, () => true);
    expect(x.events.filter((e) => e.type === 'press')).toHaveLength(21);
    expect(x.events.filter((e) => e.type === 'release')).toHaveLength(21);
    await typer.close();
  });

  it('asks before every key: none is pressed once the answer is no, and every pressed key is released', async () => {
    for (const stopAfter of [0, 1, 5, 6, 7, 13, 20]) {
      const x = fakeX();
      const typer = ScratchKeyTyper.create(x.display, x.xtest, ROWS, { settleMs: 1, restoreAfterMs: 60_000 });
      let asked = 0;
      let allowed = true;
      const presses = () => x.events.filter((e) => e.type === 'press').length;
      // The answer turns to no after `stopAfter` keys, and stays no (what the dispatcher gives).
      await typer.type(TEXT, () => {
        asked++;
        if (presses() >= stopAfter) allowed = false;
        return allowed;
      });
      expect(presses(), `stopped after ${stopAfter}`).toBe(stopAfter);
      expect(asked).toBeGreaterThanOrEqual(stopAfter + 1);
      // Each press is followed at once by the release of the same keycode: nothing is left held.
      const keys = x.events.filter((e) => e.type !== 'map');
      for (let i = 0; i < keys.length; i += 2) {
        expect(keys[i]?.type).toBe('press');
        expect(keys[i + 1]).toEqual({ type: 'release', keycode: keys[i]?.keycode });
      }
      await typer.close();
    }
  });

  it('a consent that ends during the wait for a remap stops the text before its next key (the review’s case)', async () => {
    const x = fakeX();
    const typer = ScratchKeyTyper.create(x.display, x.xtest, ROWS, { settleMs: 30, restoreAfterMs: 60_000 });
    let allowed = true;
    const typing = typer.type(TEXT, () => allowed);
    // The first run (six keycodes) is typed after its remap; the next run waits for the settle time.
    await new Promise((r) => setTimeout(r, 45));
    const before = x.events.filter((e) => e.type === 'press').length;
    expect(before).toBe(6);
    allowed = false; // Stop control
    await typing;
    expect(x.events.filter((e) => e.type === 'press')).toHaveLength(before);
    await typer.close();
  });

  it('a typer closed while typing presses nothing more', async () => {
    const x = fakeX();
    const typer = ScratchKeyTyper.create(x.display, x.xtest, ROWS, { settleMs: 20, restoreAfterMs: 60_000 });
    const typing = typer.type(TEXT, () => true);
    await new Promise((r) => setTimeout(r, 30));
    const before = x.events.filter((e) => e.type === 'press').length;
    await typer.close();
    await typing;
    expect(x.events.filter((e) => e.type === 'press')).toHaveLength(before);
    expect(before).toBeLessThan(21);
  });
});
