/* eslint-disable no-console -- the suite prints what it measured */
/**
 * @module testing/pauseSuite
 * Integration (issue 13, item 3, agent side): the sharer pauses and resumes from the
 * agent window. The whole agent runs against the real server (child process) under a
 * private Xvfb; the helper is a real wrtc peer on the real server WebSocket, so what is
 * counted is what arrived on the helper's side of the WebRTC connection (tile messages,
 * decoded video frames, cursor messages). Input is checked on the X server (xdotool, xev).
 */
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PixelPath } from '../session/screenShare.js';
import { keysyms, settle, startRig, status, stopRig, type Rig } from './agentRig.js';
import { openPainter } from './xpainter.js';
import { hasCommand, pointerLocation, waitFor, xtool } from './xvfb.js';

const missing = ['Xvfb', 'xdotool', 'xev'].filter((t) => !hasCommand(t));
if (missing.length > 0) console.warn(`${missing.join(', ')} not installed: skipping the pause tests`);

const none = { shift: false, ctrl: false, alt: false, meta: false };
type SessionMessage = Extract<ServerMessage, { type: 'session' }>;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The pause/resume suite for one pixel path. */
export function describePauseAndResume(pixels: PixelPath): void {
  describe.skipIf(missing.length > 0)(
    `pause and resume from the agent window (--pixels ${pixels}), under Xvfb`,
    { timeout: 60_000 },
    () => {
      let rig: Rig;

      beforeAll(async () => {
        rig = await startRig(pixels);
      }, 90_000);
      afterAll(() => stopRig(rig));

      it('while paused nothing reaches the helper and no input is injected; Resume continues in full control without a new Allow', async () => {
        const { window, viewer, hws, xvfb } = rig;
        // Full control works before the pause.
        viewer.sendInput({ type: 'pointerMove', x: 0.25, y: 0.25 });
        await waitFor(async () => (await pointerLocation(xvfb.display)).x === 320, 5000, 'the pointer to move');
        await settle(viewer);

        const mark = hws.received.length;
        const pausedAt = performance.now();
        await window.command({ type: 'pause' });
        const paused = await hws.next<SessionMessage>(status('paused'), 5000, mark);
        console.log(
          `[${pixels}] Pause → helper told (sharer-status paused): ${(performance.now() - pausedAt).toFixed(0)} ms`,
        );
        expect(paused.session.mode).toBe('control'); // the session and its mode stay
        expect(await window.state()).toMatchObject({ paused: true, controlActive: false, screen: 'sharing' });
        await waitFor(
          () => viewer.control.some((m) => m.type === 'controlState' && !m.active),
          5000,
          'controlState off at the helper',
        );
        const tilesAtPause = viewer.tileMessages;
        const framesAtPause = viewer.frames;
        const cursorsAtPause = viewer.control.filter((m) => m.type === 'cursor').length;

        // The screen changes and the helper sends everything it can while paused.
        const painter = await openPainter(xvfb.display);
        const before = await pointerLocation(xvfb.display);
        rig.clearXev();
        try {
          for (let i = 0; i < 5; i++) {
            await painter.fill(50 + i * 60, 50, 50, 50, 0xff0000 + i * 0x30);
            // Keys first, while the pointer is over the xev window (it has the focus then).
            viewer.sendInput({ type: 'key', code: 'KeyQ', down: true, modifiers: none });
            viewer.sendInput({ type: 'key', code: 'KeyQ', down: false, modifiers: none });
            viewer.sendInput({ type: 'text', text: 'secret' });
            viewer.sendInput({ type: 'pointerMove', x: 0.1, y: 0.1 * (i + 1) });
            viewer.sendInput({ type: 'pointerButton', button: 0, down: true, x: 0.1, y: 0.1 });
            viewer.sendInput({ type: 'pointerButton', button: 0, down: false });
            // The sharer moves the pointer (inside the xev window): no cursor position goes out either.
            await xtool(xvfb.display, 'xdotool', ['mousemove', String(750 + i * 50), '500']);
            await sleep(300);
          }
          // Longer than the video keep-alive (1 s) and the tile loss timers.
          await sleep(1500);
          const afterPause = await pointerLocation(xvfb.display);
          expect(afterPause).toEqual({ x: 950, y: 500 }); // only the sharer's own moves
          expect(keysyms(rig)).toEqual([]);
          console.log(
            `[${pixels}] while paused (3 s, 5 screen changes, 35 input messages): ` +
              `${viewer.tileMessages - tilesAtPause} tile messages, ${viewer.frames - framesAtPause} frames, ` +
              `${viewer.control.filter((m) => m.type === 'cursor').length - cursorsAtPause} cursor messages at the helper`,
          );
          expect(viewer.tileMessages - tilesAtPause).toBe(0);
          expect(viewer.frames - framesAtPause).toBe(0);
          expect(viewer.control.filter((m) => m.type === 'cursor').length).toBe(cursorsAtPause);
          expect(before).not.toEqual(afterPause);

          // Resume: no request, no Allow; the whole picture comes again, then input works.
          const resumeMark = hws.received.length;
          const resumedAt = performance.now();
          await window.command({ type: 'resume' });
          const resumed = await hws.next<SessionMessage>(status('sharing'), 5000, resumeMark);
          expect(resumed.session.mode).toBe('control');
          expect(resumed.session.pendingMode).toBeNull();
          await waitFor(() => viewer.frames > framesAtPause, 10_000, 'frames after resume');
          console.log(
            `[${pixels}] Resume → first frame at the helper: ${(performance.now() - resumedAt).toFixed(0)} ms`,
          );
          expect((await window.state()).controlActive).toBe(true);
          viewer.sendInput({ type: 'pointerMove', x: 0.5, y: 0.5 });
          await waitFor(async () => (await pointerLocation(xvfb.display)).x === 640, 5000, 'the pointer to move again');
          rig.clearXev();
          await xtool(xvfb.display, 'xdotool', ['mousemove', '900', '500']); // focus the xev window
          viewer.sendInput({ type: 'pointerMove', x: 900 / 1279, y: 500 / 719 });
          await sleep(200);
          viewer.sendInput({ type: 'key', code: 'KeyZ', down: true, modifiers: none });
          viewer.sendInput({ type: 'key', code: 'KeyZ', down: false, modifiers: none });
          await waitFor(() => keysyms(rig).includes('z'), 5000, 'a key at xev after resume');
        } finally {
          await painter.close();
        }
      });
    },
  );
}
