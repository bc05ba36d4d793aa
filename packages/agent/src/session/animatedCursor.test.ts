/**
 * An animated cursor (a busy spinner) on a real X server (Xvfb animates it itself, XFIXES
 * reports each frame) through the agent's cursor watcher and control link: a helper that keeps
 * images (`cursorCache`) gets each frame whole once and references after; one that does not (an
 * older helper app) gets every frame whole, as before. The bytes of both are logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentControlMessage } from '@remote-help/protocol';
import { ConsentGate } from '../input/consentGate.js';
import { openLinuxDesktop } from '../platform/linux/desktop.js';
import { closeX11, connectX11, requireExtension, type XDisplay } from '../platform/linux/x11.js';
import type { DesktopServices, DisplayInfo } from '../platform/types.js';
import { hasCommand, startXvfb, type Xvfb } from '../testing/xvfb.js';
import { ControlLink } from './controlLink.js';

/** What the test asks of XRENDER (`x11`'s `ext/render.js`); `rgba32` is the ARGB32 picture format it found. */
interface RenderRequests {
  rgba32: number;
  CreatePicture(pid: number, drawable: number, format: number, values: Record<string, number>): void;
  CreateCursor(cid: number, picture: number, hotX: number, hotY: number): void;
  CreateAnimCursor(cid: number, frames: [number, number][]): void;
}

/** What the test asks of the core protocol besides `XClient`'s. */
interface CoreRequests {
  ChangeWindowAttributes(window: number, values: { cursor: number }): void;
}

/** One message the link sent, when, and its length. */
interface Sent {
  at: number;
  bytes: number;
  message: AgentControlMessage;
}

const FRAMES = 12;
const FRAME_MS = 40;
const SIDE = 32;
const DISPLAY: DisplayInfo = {
  id: 'd1',
  name: 'Screen',
  primary: true,
  bounds: { x: 0, y: 0, width: 1280, height: 720 },
};

/** A spinner's frame: a ring of antialiased dots, one dot darker per frame (what makes each PNG 1–2 KB). */
function frame(index: number): Buffer {
  const data = Buffer.alloc(SIDE * SIDE * 4);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const angle = (Math.atan2(y - SIDE / 2, x - SIDE / 2) / (2 * Math.PI) + 1) % 1;
      const radius = Math.hypot(x - SIDE / 2, y - SIDE / 2);
      const ring = Math.max(0, 1 - Math.abs(radius - 11) / 4);
      const lead = (angle * FRAMES - index + FRAMES) % FRAMES;
      const alpha = Math.round(255 * ring * (0.25 + 0.75 * (1 - lead / FRAMES)));
      const grey = Math.round((alpha * (40 + 10 * (index % 3))) / 255);
      // Premultiplied ARGB, little-endian: B, G, R, A.
      data.writeUInt32LE(((alpha << 24) | (grey << 16) | (grey << 8) | grey) >>> 0, (y * SIDE + x) * 4);
    }
  }
  return data;
}

const missing = ['Xvfb'].filter((t) => !hasCommand(t));
if (missing.length > 0) console.warn('Xvfb not installed: skipping the animated cursor test');

describe.skipIf(missing.length > 0)('an animated cursor under Xvfb, through the control link', () => {
  let xvfb: Xvfb;
  let x: XDisplay;
  let desktop: DesktopServices;
  beforeAll(async () => {
    xvfb = await startXvfb();
    x = await connectX11(xvfb.display);
    const client = x.client;
    const core = client as unknown as CoreRequests;
    // XRENDER is not among the extensions the agent uses: asked for by name.
    const byName = requireExtension as unknown as (c: XDisplay['client'], name: string) => Promise<unknown>;
    const render = (await byName(client, 'render')) as RenderRequests | null;
    if (!render) throw new Error('no XRENDER');
    const root = x.screen[0]?.root ?? 0;
    const cursors: [number, number][] = [];
    for (let i = 0; i < FRAMES; i++) {
      const pixmap = client.AllocID();
      client.CreatePixmap(pixmap, root, 32, SIDE, SIDE);
      const gc = client.AllocID();
      client.CreateGC(gc, pixmap, {});
      client.PutImage(2, pixmap, gc, SIDE, SIDE, 0, 0, 0, 32, frame(i));
      const picture = client.AllocID();
      render.CreatePicture(picture, pixmap, render.rgba32, {});
      const cursor = client.AllocID();
      render.CreateCursor(cursor, picture, SIDE / 2, SIDE / 2);
      cursors.push([cursor, FRAME_MS]);
    }
    const spinner = client.AllocID();
    render.CreateAnimCursor(spinner, cursors);
    // The pointer is over the root window: the spinner is what the screen shows.
    core.ChangeWindowAttributes(root, { cursor: spinner });
    await client.sync();
    desktop = await openLinuxDesktop(xvfb.display);
  });
  afterAll(async () => {
    await desktop?.close();
    if (x) await closeX11(x);
    await xvfb?.stop();
  });

  /** Follows the spinner for `ms` through a control link; what it sent. */
  async function follow(ms: number, keeps: boolean): Promise<Sent[]> {
    const sent: Sent[] = [];
    const link = new ControlLink({
      send: (text) => {
        sent.push({ at: performance.now(), bytes: text.length, message: AgentControlMessage.parse(JSON.parse(text)) });
        return true;
      },
      gate: new ConsentGate({ releaseAll: () => undefined }),
      display: () => DISPLAY,
      displays: () => [DISPLAY],
      watchCursorShape: (listener) => desktop.watchCursorShape?.(listener) ?? null,
      onLaser: () => undefined,
      onSelectDisplay: () => undefined,
    });
    link.channelOpened();
    if (keeps) link.handle(JSON.stringify({ type: 'cursorCache' }), false);
    link.open();
    await new Promise((r) => setTimeout(r, ms));
    link.close();
    return sent.filter(({ message: m }) => m.type === 'cursorShape' || m.type === 'cursorShapeRef');
  }

  /** kbit/s of `sent` over its last `ms` (the steady state, after a whole cycle). */
  const kbits = (sent: Sent[], ms: number) => {
    const from = (sent.at(-1)?.at ?? 0) - ms;
    return (sent.filter((s) => s.at > from).reduce((n, s) => n + s.bytes, 0) * 8) / ms;
  };

  it('goes whole once a frame, then by reference, to a helper that keeps images; always whole otherwise', async () => {
    const plain = (await follow(3000, false)).map((s) => s.message);
    const keptSent = await follow(3000, true);
    const kept = keptSent.map((s) => s.message);
    const whole = kept.filter((m) => m.type === 'cursorShape');
    const refs = kept.filter((m) => m.type === 'cursorShapeRef');
    const plainSent = plain.map((message) => ({ at: 0, bytes: JSON.stringify(message).length, message }));
    const plainKbits = (plainSent.reduce((n, s) => n + s.bytes, 0) * 8) / 3000;
    console.log(
      `[animated cursor] ${FRAMES} frames of ${SIDE}×${SIDE} every ${FRAME_MS} ms, 3 s each: without cursorCache ` +
        `${plain.length} images, ${plainKbits.toFixed(1)} kbit/s; with it ${whole.length} images + ${refs.length} ` +
        `references, ${kbits(keptSent, 1500).toFixed(1)} kbit/s over the last 1.5 s`,
    );
    // The frames come (at most one message per 50 ms), every one whole without the cache.
    expect(plain.length).toBeGreaterThan(FRAMES * 2);
    expect(plain.every((m) => m.type === 'cursorShape' && m.image !== null && m.id === undefined)).toBe(true);
    // With it: each frame's image at most once, named; then references to those names only.
    const named = new Set(whole.map((m) => (m.type === 'cursorShape' ? m.id : undefined)));
    expect(whole.length).toBeLessThanOrEqual(FRAMES);
    expect(named.size).toBe(whole.length);
    expect(refs.length).toBeGreaterThan(FRAMES);
    expect(refs.every((m) => m.type === 'cursorShapeRef' && named.has(m.id))).toBe(true);
    expect(kbits(keptSent, 1500)).toBeLessThan(plainKbits / 5);
  });
});
