/**
 * Integration: input through XTEST on the agent's own X connection into a private Xvfb,
 * checked with `xdotool getmouselocation` and the events an `xev` window receives; then
 * the X server is restarted under a live injector.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentGate } from '../../input/consentGate.js';
import { InputDispatcher } from '../../input/inputDispatcher.js';
import { hasCommand, pointerLocation, restartXvfb, startXvfb, waitFor, xtool, type Xvfb } from '../../testing/xvfb.js';
import type { DisplayInfo, InputInjector } from '../types.js';
import { createLinuxPlatform } from './index.js';
import type { XTestInjector } from './xtestInjector.js';

const tools = ['Xvfb', 'xdotool', 'xev', 'xmodmap'];
const missing = tools.filter((t) => !hasCommand(t));
if (missing.length > 0) console.warn(`${missing.join(', ')} not installed: skipping the X11 input integration tests`);

const none = { shift: false, ctrl: false, alt: false, meta: false };

describe.skipIf(missing.length > 0)('Linux input injection under Xvfb', () => {
  let xvfb: Xvfb;
  let injector: InputInjector;
  let display: DisplayInfo;
  let xev: ChildProcess;
  let xevOut = '';

  beforeAll(async () => {
    // A display number of its own: the last test restarts the X server on it.
    xvfb = await startXvfb('1280x720x24', 10_000, { privateFrom: 16_000 + (process.pid % 1000) * 10 });
    const platform = createLinuxPlatform({ display: xvfb.display });
    const source = await platform.openScreenSource();
    const [first] = await source.listDisplays();
    await source.close();
    if (!first) throw new Error('no display');
    display = first;
    injector = await platform.createInputInjector(display);
    // A window that prints the key and button events it receives. Without a window
    // manager, Xvfb's focus follows the pointer, so keys go to the window under it.
    xev = spawn('xev', ['-geometry', '400x300+0+0', '-event', 'keyboard', '-event', 'button', '-event', 'structure'], {
      env: { ...process.env, DISPLAY: xvfb.display },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    xev.stdout?.on('data', (chunk: Buffer) => (xevOut += chunk.toString()));
    await waitFor(() => xevOut.includes('MapNotify'), 5000, 'the xev window');
  });

  afterAll(async () => {
    xev?.kill();
    await injector?.close();
    await xvfb?.stop();
  });

  const buttonPresses = () => [...xevOut.matchAll(/ButtonPress event[\s\S]*?button (\d+)/g)].map((m) => Number(m[1]));
  const keysyms = () => [...xevOut.matchAll(/KeyPress event[\s\S]*?keysym 0x[0-9a-f]+, (\w+)/g)].map((m) => m[1]);

  it('moves the pointer to the display pixel asked for', async () => {
    injector.pointerMove(321, 123);
    expect(await pointerLocation(xvfb.display)).toEqual({ x: 321, y: 123 });
    injector.pointerMove(5000, 5000);
    expect(await pointerLocation(xvfb.display)).toEqual({ x: 1279, y: 719 });
  });

  it('types into the focused window, with modifiers', async () => {
    injector.pointerMove(200, 150);
    xevOut = '';
    for (const code of ['KeyH', 'KeyI']) {
      injector.key(code, true);
      injector.key(code, false);
    }
    injector.key('ShiftLeft', true);
    injector.key('Digit1', true);
    injector.key('Digit1', false);
    injector.key('ShiftLeft', false);
    injector.key('Enter', true);
    injector.key('Enter', false);
    await waitFor(() => keysyms().length >= 5, 5000, 'key events');
    expect(keysyms()).toEqual(['h', 'i', 'Shift_L', 'exclam', 'Return']);
  });

  it('clicks and scrolls in the window under the pointer', async () => {
    xevOut = '';
    injector.pointerButton(0, true);
    injector.pointerButton(0, false);
    injector.pointerButton(2, true);
    injector.pointerButton(2, false);
    injector.wheel(0, 1);
    injector.wheel(0, -1);
    await waitFor(() => (xevOut.match(/ButtonRelease/g) ?? []).length >= 4, 5000, 'button events');
    expect(buttonPresses()).toEqual([1, 3, 5, 4]);
  });

  it('scrolls right and left as the DOM says (buttons 7 and 6), one click per notch', async () => {
    xevOut = '';
    injector.wheel(2, 0); // DOM: positive dx scrolls right
    injector.wheel(-1, 0);
    injector.wheel(1, 2);
    await waitFor(() => buttonPresses().length >= 6, 5000, 'wheel buttons');
    expect(buttonPresses()).toEqual([7, 7, 6, 5, 5, 7]);
  });

  it('releaseAll lets go of held keys', async () => {
    xevOut = '';
    injector.key('ControlLeft', true);
    injector.releaseAll();
    await waitFor(() => xevOut.includes('KeyRelease'), 5000, 'the release');
    expect(xevOut).toMatch(/KeyRelease event[\s\S]*Control_L/);
    expect(injector.heldKeys().size).toBe(0);
  });

  it('injects nothing through the dispatcher unless the consent gate allows it', async () => {
    const gate = new ConsentGate(injector);
    const dispatcher = new InputDispatcher(gate, injector);
    injector.pointerMove(10, 10);
    xevOut = '';
    const send = (m: unknown) => dispatcher.handle(JSON.stringify(m));

    expect(send({ type: 'pointerMove', x: 0.5, y: 0.5 })).toBe('blocked');
    expect(send({ type: 'key', code: 'KeyJ', down: true, modifiers: none })).toBe('blocked');
    gate.setSessionMode('control');
    expect(send({ type: 'pointerMove', x: 0.5, y: 0.5 })).toBe('blocked'); // no local consent yet
    expect(await pointerLocation(xvfb.display)).toEqual({ x: 10, y: 10 });

    gate.setLocalConsent(true);
    expect(send({ type: 'pointerMove', x: 0.1, y: 0.2 })).toBe('injected');
    expect(await pointerLocation(xvfb.display)).toEqual({ x: 128, y: 144 });
    expect(send({ type: 'key', code: 'KeyK', down: true, modifiers: none })).toBe('injected');

    gate.revoke(); // releases K before anything else can arrive
    expect(send({ type: 'key', code: 'KeyL', down: true, modifiers: none })).toBe('blocked');
    expect(send({ type: 'pointerMove', x: 0.9, y: 0.9 })).toBe('blocked');
    await waitFor(() => xevOut.includes('KeyRelease'), 5000, 'the release of K');
    expect(keysyms()).toEqual(['k']);
    expect(xevOut).toMatch(/KeyRelease event[\s\S]*keysym 0x6b, k/);
    expect(await pointerLocation(xvfb.display)).toEqual({ x: 128, y: 144 });
  });

  it('releases a key on the keycode it went down on, and refuses keys the layout lacks', async () => {
    xevOut = '';
    injector.key('KeyQ', true);
    injector.key('KeyQ', false);
    await waitFor(() => xevOut.includes('KeyRelease'), 5000, 'q');
    expect(xevOut).toMatch(/KeyRelease event[\s\S]*keysym 0x71, q/);
    expect(injector.heldKeys().size).toBe(0);
    // The layout loses its q (as a layout switch would): the next press is refused, nothing sent or held.
    const table = await xtool(xvfb.display, 'xmodmap', ['-pke']);
    const row = /^keycode\s+(\d+) = q Q/m.exec(table);
    if (!row) throw new Error('no q in the layout');
    await xtool(xvfb.display, 'xmodmap', ['-e', `keycode ${row[1]} =`]);
    try {
      await waitFor(
        () => {
          try {
            injector.key('KeyQ', true);
            injector.key('KeyQ', false);
            return false;
          } catch (error) {
            return (error as { reason?: string }).reason === 'key_unavailable';
          }
        },
        5000,
        'the mapping without q',
      );
      // Every q pressed before that is in xev's output once an m pressed after it is.
      injector.key('KeyM', true);
      injector.key('KeyM', false);
      await waitFor(() => keysyms().includes('m'), 5000, 'm');
      xevOut = '';
      expect(() => injector.key('KeyQ', true)).toThrow(expect.objectContaining({ reason: 'key_unavailable' }) as Error);
      expect(injector.heldKeys().size).toBe(0);
    } finally {
      await xtool(xvfb.display, 'xmodmap', ['-e', `keycode ${row[1]} = q Q`]);
    }
    await waitFor(
      () => {
        try {
          injector.key('KeyQ', true);
          injector.key('KeyQ', false);
          return true;
        } catch {
          return false;
        }
      },
      5000,
      'q back',
    );
    await waitFor(() => /KeyRelease event[\s\S]*keysym 0x71, q/.test(xevOut), 5000, 'the release of q');
    expect(keysyms()).toEqual(['q']); // the refused press sent nothing
  });

  it('refuses unknown keys with a typed error and sends nothing', async () => {
    xevOut = '';
    expect(() => injector.key('F24', true)).toThrow(expect.objectContaining({ reason: 'unknown_key' }) as Error);
    injector.key('KeyZ', true);
    injector.key('KeyZ', false);
    await waitFor(() => keysyms().length >= 1, 5000, 'z');
    expect(keysyms()).toEqual(['z']);
  });

  it('refuses input once its X server is gone, and a new injector drives the server that replaced it', async () => {
    injector.key('AltLeft', true);
    xev.kill();
    await xvfb.stop();
    await waitFor(() => (injector as XTestInjector).lost, 5000, 'the injector to see its connection end');
    expect(() => injector.pointerMove(10, 10)).toThrow(
      expect.objectContaining({ reason: 'input_unavailable' }) as Error,
    );
    expect(() => injector.key('KeyA', true)).toThrow(expect.objectContaining({ reason: 'input_unavailable' }) as Error);
    await injector.abandon?.();

    const replacement = await restartXvfb(xvfb.display, '1280x720x24');
    try {
      injector = await createLinuxPlatform({ display: xvfb.display }).createInputInjector(display);
      injector.pointerMove(640, 360);
      expect(await pointerLocation(xvfb.display)).toEqual({ x: 640, y: 360 });
    } finally {
      await injector.close();
      replacement.kill();
    }
  });
});
