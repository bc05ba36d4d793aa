/**
 * Integration: input through libnut-linux (XTEST) into a private Xvfb, checked with
 * `xdotool getmouselocation` and the events an `xev` window receives. One X display
 * per test file: libnut binds a process to the first display it opens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentGate } from '../../input/consentGate.js';
import { InputDispatcher } from '../../input/inputDispatcher.js';
import { hasCommand, pointerLocation, startXvfb, waitFor, type Xvfb } from '../../testing/xvfb.js';
import type { DisplayInfo, InputInjector } from '../types.js';
import { createLinuxPlatform } from './index.js';

const tools = ['Xvfb', 'xdotool', 'xev'];
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
    xvfb = await startXvfb('1280x720x24');
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
    const presses = [...xevOut.matchAll(/ButtonPress event[\s\S]*?button (\d+)/g)].map((m) => Number(m[1]));
    expect(presses).toEqual([1, 3, 5, 4]);
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

  it('refuses unknown keys with a typed error and sends nothing', async () => {
    xevOut = '';
    expect(() => injector.key('F24', true)).toThrow(expect.objectContaining({ reason: 'unknown_key' }) as Error);
    injector.key('KeyZ', true);
    injector.key('KeyZ', false);
    await waitFor(() => keysyms().length >= 1, 5000, 'z');
    expect(keysyms()).toEqual(['z']);
  });
});
