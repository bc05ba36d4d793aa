/**
 * Integration: the desktop services when their X server dies under them (Xvfb killed with
 * SIGKILL, as when the session's display goes away). Every call must still settle at once and
 * ask nothing of the dead connection: node-x11 would keep each request queued on it, and its
 * reply would never come (the laser alone sends one a frame while the helper points).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, startXvfb, waitFor, type Xvfb } from '../../testing/xvfb.js';
import type { DesktopServices } from '../types.js';
import { openLinuxDesktop } from './desktop.js';

/** `promise`'s value, or 'pending' if it has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms = 2000): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);
}

describe.skipIf(!hasCommand('Xvfb'))('Linux desktop services after the X server died', () => {
  let xvfb: Xvfb;
  let desktop: DesktopServices;
  let ungrab: (() => Promise<void>) | null;

  beforeAll(async () => {
    xvfb = await startXvfb('640x480x24');
    desktop = await openLinuxDesktop(xvfb.display);
    // Everything in use, as in a session with full control and the laser shown.
    await desktop.showLaser?.({ x: 100, y: 100 });
    ungrab = await desktop.grabStopHotkey(() => undefined);
    expect(ungrab).not.toBeNull();
    expect(await desktop.pointerPosition()).not.toBeNull();
    xvfb.process.kill('SIGKILL');
    await waitFor(() => xvfb.process.exitCode !== null || xvfb.process.signalCode !== null, 5000, 'Xvfb to die');
    // Past the tracker's freshness (1 s): a position has to be asked for again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  });

  afterAll(async () => {
    await desktop?.close();
    await xvfb?.stop();
  });

  it('the laser settles and draws nothing', async () => {
    expect(await within(desktop.showLaser!({ x: 200, y: 200 }))).toBeUndefined();
    expect(await within(desktop.showLaser!(null))).toBeUndefined();
  });

  it('the pointer is unknown, at once', async () => {
    expect(await within(desktop.pointerPosition())).toBeNull();
  });

  it('the hotkey cannot be grabbed again, and letting the old grab go settles', async () => {
    expect(await within(desktop.grabStopHotkey(() => undefined))).toBeNull();
    expect(await within(ungrab!())).toBeUndefined();
  });

  it('closing settles', async () => {
    expect(await within(desktop.close(), 3000)).toBeUndefined();
  });
});
