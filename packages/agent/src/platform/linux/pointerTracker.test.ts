/**
 * Integration: the pointer tracker on a real X server (Xvfb on a free display). The
 * pointer is moved by another client through XTEST, warped (`XWarpPointer`, as other
 * remote-control tools do) and moved by the agent's own injector. Every move must be seen,
 * and a pointer standing still must cost no X round trip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, startXvfb, waitFor, type Xvfb } from '../../testing/xvfb.js';
import type { InputInjector, Point } from '../types.js';
import { openLinuxDesktop } from './desktop.js';
import { createLinuxPlatform } from './index.js';
import { POINTER_FRESH_MS, X11PointerTracker } from './pointerTracker.js';
import { closeX11, connectX11, requireExtension, type XDisplay, type XTestExt } from './x11.js';

const ready = hasCommand('Xvfb');

describe.skipIf(!ready)('X11 pointer tracker under Xvfb', () => {
  let xvfb: Xvfb;
  let x: XDisplay;
  let tracker: X11PointerTracker;
  /** Another client that moves the pointer. */
  let mover: XDisplay;
  let xtest: XTestExt;
  let clock = 0;
  const root = () => mover.screen[0]?.root ?? 0;

  /** XTEST motion, as a real device or a remote-control tool makes it. */
  const fakeMotion = async (px: number, py: number) => {
    xtest.FakeInput(6 /* MotionNotify */, 0, 0, root(), px, py);
    await mover.client.sync();
  };
  const warp = async (px: number, py: number) => {
    mover.client.WarpPointer(0, root(), 0, 0, 0, 0, px, py);
    await mover.client.sync();
  };
  /** Runs `act` and waits until the tracker received its motion event. */
  const moved = async (act: () => Promise<unknown>) => {
    const before = tracker.stats().motionEvents;
    await act();
    await waitFor(() => tracker.stats().motionEvents > before, 5000, 'a motion event');
  };

  beforeAll(async () => {
    xvfb = await startXvfb('800x600x24');
    x = await connectX11(xvfb.display);
    tracker = await X11PointerTracker.open(x, { display: xvfb.display, now: () => clock });
    mover = await connectX11(xvfb.display);
    const ext = await requireExtension(mover.client, 'xtest');
    if (!ext) throw new Error('no XTEST');
    xtest = ext;
  });

  afterAll(async () => {
    tracker?.close();
    if (mover) await closeX11(mover);
    if (x) await closeX11(x);
    await xvfb?.stop();
  });

  it('gets motion events from the server (RECORD)', () => {
    expect(tracker.stats().events).toBe(true);
  });

  it('answers a pointer standing still without asking the server', async () => {
    await moved(() => fakeMotion(120, 130));
    expect(await tracker.position()).toEqual({ x: 120, y: 130 });
    const asked = tracker.stats().queries;
    for (let i = 0; i < 20; i++) expect(await tracker.position()).toEqual({ x: 120, y: 130 });
    expect(tracker.stats().queries).toBe(asked);
  });

  it('sees the first move after standing still, and each one after it, XTEST or warp', async () => {
    for (const [how, px, py] of [
      [fakeMotion, 300, 200],
      [fakeMotion, 301, 200],
      [warp, 10, 590],
      [warp, 11, 590],
      [fakeMotion, 400, 300],
    ] as const) {
      await moved(() => how(px, py));
      expect(await tracker.position()).toEqual({ x: px, y: py });
    }
  });

  it('asks the server again once the known position is old', async () => {
    await moved(() => fakeMotion(50, 60));
    const asked = tracker.stats().queries;
    clock += POINTER_FRESH_MS;
    expect(await tracker.position()).toEqual({ x: 50, y: 60 });
    expect(tracker.stats().queries).toBe(asked + 1);
  });

  it('keeps none of the recorded motion after handling it (a long session does not grow)', async () => {
    const before = tracker.stats().motionEvents;
    for (let i = 0; i < 200; i++) await fakeMotion(100 + (i % 50), 100 + (i % 7));
    await waitFor(() => tracker.stats().motionEvents >= before + 200, 5000, 'the 200 moves');
    // node-x11 would hold one reply per batch of events for as long as the recording runs.
    expect(tracker.stats().keptReplies).toBe(0);
  });

  it('watch reports each move as it happens, and stops when unsubscribed', async () => {
    const seen: (Point | null)[] = [];
    const stop = tracker.watch((point) => seen.push(point));
    expect(stop).not.toBeNull();
    await fakeMotion(222, 333);
    await waitFor(() => seen.some((p) => p?.x === 222 && p.y === 333), 5000, 'the move to be reported');
    await warp(223, 334);
    await waitFor(() => seen.some((p) => p?.x === 223 && p.y === 334), 5000, 'the warp to be reported');
    stop?.();
    const count = seen.length;
    await moved(() => fakeMotion(500, 500));
    expect(seen).toHaveLength(count);
  });

  it("sees the helper's moves made through the agent's own injector (XTEST)", async () => {
    const platform = createLinuxPlatform({ display: xvfb.display });
    const desktop = await openLinuxDesktop(xvfb.display);
    let injector: InputInjector | undefined;
    try {
      const source = await platform.openScreenSource();
      const [display] = await source.listDisplays();
      await source.close();
      if (!display) throw new Error('no display');
      injector = await platform.createInputInjector(display);
      const seen: (Point | null)[] = [];
      desktop.watchPointer?.((point) => seen.push(point));
      // Once still, then moved by the helper: the first move must come through.
      injector.pointerMove(640, 100);
      await waitFor(() => seen.some((p) => p?.x === 640 && p.y === 100), 5000, 'the injected move');
      expect(await desktop.pointerPosition()).toEqual({ x: 640, y: 100 });
      injector.pointerMove(641, 101);
      await waitFor(() => seen.some((p) => p?.x === 641 && p.y === 101), 5000, 'the next injected move');
    } finally {
      await injector?.close();
      await desktop.close();
    }
  });

  it('without RECORD, asks the server on every call', async () => {
    const polling = await X11PointerTracker.open(x, { events: false });
    expect(polling.stats().events).toBe(false);
    expect(polling.watch(() => undefined)).toBeNull();
    await fakeMotion(70, 80);
    expect(await polling.position()).toEqual({ x: 70, y: 80 });
    expect(await polling.position()).toEqual({ x: 70, y: 80 });
    expect(polling.stats()).toMatchObject({ queries: 2, cached: 0 });
  });
});
