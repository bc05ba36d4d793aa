/**
 * Integration: the agent's desktop services across an X server that dies and comes back on the
 * same display (Xvfb killed with SIGKILL, a new one started). The real Linux services under the
 * wrapper: while the display is gone every call settles with "unknown", and once it is back the
 * same pointer watcher gets moves again, the stop hotkey is grabbed again and the pointer's
 * position is known again, with no new call from the caller.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinuxPlatform } from '../platform/linux/index.js';
import type { Point } from '../platform/types.js';
import { hasCommand, pointerLocation, restartXvfb, startXvfb, waitFor, xtool, type Xvfb } from '../testing/xvfb.js';
import { ReopeningDesktop } from './reopeningDesktop.js';

const ready = hasCommand('Xvfb') && hasCommand('xdotool') && hasCommand('xdpyinfo');

describe.skipIf(!ready)('desktop services across an X server restart', { timeout: 60_000 }, () => {
  let xvfb: Xvfb;
  let second: ChildProcess | undefined;
  let desktop: ReopeningDesktop;
  const moves: (Point | null)[] = [];
  let presses = 0;
  let ungrab: (() => Promise<void>) | null = null;
  let stopWatching: (() => void) | null = null;

  beforeAll(async () => {
    // A display number of this test's own: while its server is down, no other test's Xvfb may take it.
    xvfb = await startXvfb('640x480x24', 10_000, { privateFrom: 14_000 + (process.pid % 1000) * 10 });
    const platform = createLinuxPlatform({ display: xvfb.display });
    desktop = await ReopeningDesktop.open({ open: () => platform.openDesktop(), retryMs: 200 });
  });

  afterAll(async () => {
    stopWatching?.();
    await ungrab?.();
    await desktop?.close();
    await xvfb?.stop();
    second?.kill('SIGTERM');
  });

  it('follows the pointer and holds the hotkey on the first server', async () => {
    stopWatching = desktop.watchPointer((point) => moves.push(point));
    expect(stopWatching).not.toBeNull();
    ungrab = await desktop.grabStopHotkey(() => presses++);
    expect(ungrab).not.toBeNull();
    await xtool(xvfb.display, 'xdotool', ['mousemove', '100', '110']);
    await waitFor(() => moves.some((p) => p?.x === 100 && p.y === 110), 5000, 'the move on the first server');
    await xtool(xvfb.display, 'xdotool', ['key', 'ctrl+alt+shift+s']);
    await waitFor(() => presses === 1, 5000, 'the hotkey on the first server');
  });

  it('answers "unknown" at once while the display is gone', async () => {
    xvfb.process.kill('SIGKILL');
    await waitFor(() => xvfb.process.exitCode !== null || xvfb.process.signalCode !== null, 5000, 'Xvfb to die');
    await new Promise((resolve) => setTimeout(resolve, 1200)); // past the tracker's freshness
    expect(await desktop.pointerPosition()).toBeNull();
    await desktop.showLaser({ x: 10, y: 10 });
  });

  it('once a display answers again, the same watcher and hotkey work on it with no new call', async () => {
    second = await restartXvfb(xvfb.display, '640x480x24');
    await waitFor(() => desktop.reopened === 1, 10_000, 'the services to be opened again');
    const before = moves.length;
    await xtool(xvfb.display, 'xdotool', ['mousemove', '300', '200']);
    await waitFor(
      () => moves.slice(before).some((p) => p?.x === 300 && p.y === 200),
      5000,
      'the move on the second server',
    );
    expect(await desktop.pointerPosition()).toEqual({ x: 300, y: 200 });
    await xtool(xvfb.display, 'xdotool', ['key', 'ctrl+alt+shift+s']);
    await waitFor(() => presses === 2, 5000, 'the hotkey on the second server');
    // The laser draws on the new server again (its overlay opens there).
    await desktop.showLaser({ x: 320, y: 240 });
    expect(await pointerLocation(xvfb.display)).toEqual({ x: 300, y: 200 });
  });

  it('letting the hotkey go releases the grab on the new server', async () => {
    await ungrab?.();
    ungrab = null;
    await xtool(xvfb.display, 'xdotool', ['key', 'ctrl+alt+shift+s']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(presses).toBe(2);
  });
});

describe.skipIf(!ready)('desktop services when the agent starts before its X server', { timeout: 60_000 }, () => {
  let server: ChildProcess | undefined;
  let desktop: ReopeningDesktop | undefined;

  afterAll(async () => {
    await desktop?.close();
    server?.kill('SIGTERM');
  });

  it('start unavailable, say why once, and work once the display answers, the hotkey asked for meanwhile too', async () => {
    // A free display number of the test's own: taken by an Xvfb, which is then stopped.
    const probe = await startXvfb('640x480x24', 10_000, { privateFrom: 15_000 + (process.pid % 1000) * 10 });
    const display = probe.display;
    await probe.stop();
    const reasons: unknown[] = [];
    const platform = createLinuxPlatform({ display });
    desktop = await ReopeningDesktop.open({
      open: () => platform.openDesktop(),
      retryMs: 200,
      onUnavailable: (error) => reasons.push(error),
    });
    expect(reasons).toHaveLength(1);
    expect(await desktop.pointerPosition()).toBeNull();
    const moves: (Point | null)[] = [];
    const stop = desktop.watchPointer((point) => moves.push(point));
    expect(stop).not.toBeNull();
    // Control allowed while no display answers: the stop hotkey is grabbed once one does.
    let presses = 0;
    const ungrab = await desktop.grabStopHotkey(() => presses++);
    expect(ungrab).not.toBeNull();

    server = await restartXvfb(display, '640x480x24');
    const opened = desktop;
    await waitFor(() => opened.reopened === 1, 10_000, 'the services to open');
    await xtool(display, 'xdotool', ['mousemove', '50', '60']);
    await waitFor(() => moves.some((p) => p?.x === 50 && p.y === 60), 5000, 'the move');
    await xtool(display, 'xdotool', ['key', 'ctrl+alt+shift+s']);
    await waitFor(() => presses === 1, 5000, 'the hotkey grabbed once the display answered');
    await ungrab?.();
    await xtool(display, 'xdotool', ['key', 'ctrl+alt+shift+s']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(presses).toBe(1);
    expect(reasons).toHaveLength(1);
    stop?.();
  });
});
