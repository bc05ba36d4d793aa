/**
 * Integration (issue 13, item 6): the X server under the agent dies mid-session (Xvfb
 * killed with SIGKILL) and later a new one comes up on the same display. The agent
 * survives, tells the helper (`sharer-status: unavailable`) within 5 s, keeps the
 * session, and resumes sharing by itself when the display is back: full control goes on
 * (input is injected on a new X connection, into the new server) and the sharer's pointer
 * reaches the helper again (the desktop services reopen). Real server, real Xvfb, real wrtc.
 */
import type { ChildProcess } from 'node:child_process';
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRig, status, stopRig, type Rig } from '../testing/agentRig.js';
import { hasCommand, pointerLocation, restartXvfb, waitFor, xtool } from '../testing/xvfb.js';

const missing = ['Xvfb', 'xdotool', 'xev', 'xdpyinfo'].filter((t) => !hasCommand(t));
if (missing.length > 0) console.warn(`${missing.join(', ')} not installed: skipping the display-loss test`);

type SessionMessage = Extract<ServerMessage, { type: 'session' }>;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(missing.length > 0)('the X server dies and comes back, under the agent', { timeout: 60_000 }, () => {
  let rig: Rig;
  let second: ChildProcess | undefined;

  beforeAll(async () => {
    // Its own display number: while this test's X server is down, another test's Xvfb
    // (-displayfd takes the lowest free number) must not come up on it.
    rig = await startRig('tiles', { privateFrom: 3000 + (process.pid % 1000) * 10 });
  }, 90_000);
  afterAll(async () => {
    await stopRig(rig);
    second?.kill('SIGTERM');
  });

  it('the helper is told within 5 s, the session stays, and sharing resumes when a display is back', async () => {
    const { hws, viewer, window, xvfb } = rig;
    // The injector's X connection is open and used.
    viewer.sendInput({ type: 'pointerMove', x: 0.5, y: 0.5 });
    await waitFor(async () => (await pointerLocation(xvfb.display)).x === 640, 5000, 'the pointer to move');

    const mark = hws.received.length;
    const killedAt = performance.now();
    xvfb.process.kill('SIGKILL');
    const unavailable = await hws.next<SessionMessage>(status('unavailable'), 10_000, mark);
    const toldMs = performance.now() - killedAt;
    console.log(`Xvfb killed → helper told (sharer-status unavailable): ${toldMs.toFixed(0)} ms`);
    expect(toldMs).toBeLessThan(5000);
    expect(unavailable.session.state).toBe('active');
    const lost = await window.waitFor((s) => s.displayLost, 'the window to say the display is gone');
    expect(lost).toMatchObject({ screen: 'sharing', controlActive: false });

    // A while without a display: the agent keeps trying, the session lives, nothing crashes.
    await sleep(3000);
    expect((await window.state()).displayLost).toBe(true);
    const framesBefore = viewer.frames;

    const backMark = hws.received.length;
    const restartedAt = performance.now();
    second = await restartXvfb(xvfb.display, '1280x720x24');
    const upAt = performance.now();
    await hws.next(status('sharing'), 15_000, backMark);
    await waitFor(() => viewer.frames > framesBefore, 15_000, 'frames of the new display at the helper');
    console.log(
      `display back (Xvfb answering ${(upAt - restartedAt).toFixed(0)} ms after its start) → ` +
        `picture at the helper ${(performance.now() - upAt).toFixed(0)} ms later`,
    );
    // Full control goes on: the helper's input reaches the new server.
    const state = await window.waitFor((s) => !s.displayLost && s.controlActive, 'the window after recovery');
    expect(state).toMatchObject({ screen: 'sharing', inputUnavailable: false, mode: 'control' });
    viewer.sendInput({ type: 'pointerMove', x: 0.1, y: 0.1 });
    await waitFor(
      async () => {
        const at = await pointerLocation(xvfb.display);
        return at.x === 128 && at.y === 72;
      },
      5000,
      "the helper's pointer on the new server",
    );
    expect(hws.received.slice(backMark).some((m) => m.type === 'session' && m.session.mode === 'view')).toBe(false);
    // The sharer's own pointer reaches the helper again: the desktop services were opened on the new server.
    const seen = viewer.control.length;
    await xtool(xvfb.display, 'xdotool', ['mousemove', '320', '180']);
    await waitFor(
      () =>
        viewer.control
          .slice(seen)
          .some((m) => m.type === 'cursor' && Math.abs(m.x - 0.25) < 0.005 && Math.abs(m.y - 0.25) < 0.005),
      10_000,
      "the sharer's pointer at the helper",
    );
  });
});
