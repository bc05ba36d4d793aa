/**
 * The whole pixel path of a session under Xvfb: X11 capture → ScreenShare → WebRTC (wrtc)
 * → the helper app's TileReceiver, compared pixel for pixel with what the X server holds;
 * and the `--pixels video` path delivering decoded frames.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLinuxPlatform } from '../platform/linux/index.js';
import type { ScreenFrame } from '../platform/types.js';
import { connectLoopback, type LoopbackHelper } from '../testing/loopback.js';
import { Picture } from '../testing/picture.js';
import { hasCommand, startXvfb, waitFor, type Xvfb } from '../testing/xvfb.js';
import { openPainter } from '../testing/xpainter.js';
import { randomFillSync } from 'node:crypto';
import { ScreenShare, type PixelPath } from './screenShare.js';

/** The helper's picture, kept as 0xRRGGBB per pixel. */

/** The screen as the X server has it now, read by a separate capture. */
async function screenNow(display: string): Promise<Uint32Array> {
  const source = await createLinuxPlatform({ display }).openScreenSource();
  try {
    const [first] = await source.listDisplays();
    const frame = await new Promise<ScreenFrame>((resolve, reject) => {
      source.start(first?.id ?? '', resolve).catch(reject);
    });
    const out = new Uint32Array(frame.width * frame.height);
    for (let y = 0; y < frame.height; y++) {
      for (let x = 0; x < frame.width; x++) {
        const p = y * frame.stride + x * 4;
        out[y * frame.width + x] =
          ((frame.data[p + 2] as number) << 16) | ((frame.data[p + 1] as number) << 8) | (frame.data[p] as number);
      }
    }
    return out;
  } finally {
    await source.close();
  }
}

const missing = ['Xvfb', 'xev'].filter((t) => !hasCommand(t));

/** Waits until the helper's picture is the X server's screen, pixel for pixel. */
const untilExact = (display: string, picture: Picture, ms: number, what: string) =>
  waitFor(
    async () => {
      const now = await screenNow(display);
      return now.every((v, i) => v === picture.pixels[i]);
    },
    ms,
    what,
  );

describe.skipIf(missing.length > 0)('ScreenShare under Xvfb', { timeout: 30_000 }, () => {
  let xvfb: Xvfb;
  let share: ScreenShare | null = null;
  let helper: LoopbackHelper | null = null;
  let window: ChildProcess | null = null;

  beforeAll(async () => {
    xvfb = await startXvfb('640x480x24');
  });
  afterEach(async () => {
    window?.kill();
    window = null;
    helper?.close();
    helper = null;
    await share?.close();
    share = null;
  });
  afterAll(() => xvfb?.stop());

  const open = async (pixels: PixelPath) => {
    share = await ScreenShare.open({
      screen: await createLinuxPlatform({ display: xvfb.display }).openScreenSource(),
      iceServers: [],
      pixels,
    });
    return share;
  };

  it('tiles: the helper holds exactly the screen, and then every change', async () => {
    const picture = new Picture();
    const media = await open('tiles');
    helper = await connectLoopback(media, () => undefined, picture);
    await waitFor(() => (helper?.tiles?.stats.frames ?? 0) > 0, 10_000, 'the first tile frame');
    expect([picture.width, picture.height]).toEqual([640, 480]);
    // Xvfb's root weave: two colours, every pixel as the X server has it.
    const expected = await screenNow(xvfb.display);
    expect(picture.pixels).toEqual(expected);

    window = spawn('xev', ['-geometry', '200x120+300+200'], {
      env: { ...process.env, DISPLAY: xvfb.display },
      stdio: 'ignore',
    });
    await waitFor(() => picture.at(400, 260) === 0xffffff, 10_000, 'the new window at the helper');
    await untilExact(xvfb.display, picture, 5000, 'the helper picture to match the screen');
    const stats = (await media.stats()).tiles;
    expect(stats?.frames).toBeGreaterThanOrEqual(2);
    expect(stats?.lost).toBe(0);
    expect(helper.tiles?.stats.dropped).toBe(0);
  });

  /** Connected while the sharer reads the request (ADR 0023): no capture yet; returns once `tiles` is open. */
  const connectedBeforeAllow = async (media: ScreenShare, picture: Picture): Promise<LoopbackHelper> => {
    const connected = await connectLoopback(
      {
        on: (event, listener) => media.on(event, listener),
        handleSignal: (p) => media.handleSignal(p),
        start: () => media.connect(),
      },
      () => undefined,
      picture,
    );
    await waitFor(() => connected.tiles !== null, 10_000, 'the tiles channel open');
    return connected;
  };

  it('tiles: a capture readied at Allow reads the screen but sends nothing until start, then the exact picture', async () => {
    const picture = new Picture();
    const media = await open('tiles');
    helper = await connectedBeforeAllow(media, picture);
    media.readyCapture();
    await waitFor(async () => (await media.stats()).capture.frames > 0, 10_000, 'the first frame read');
    // The screen changes while held: read, still not sent.
    window = spawn('xev', ['-geometry', '200x120+300+200'], {
      env: { ...process.env, DISPLAY: xvfb.display },
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(helper.tiles?.stats.messages ?? 0).toBe(0);
    expect((await media.stats()).tiles?.messages ?? 0).toBe(0);
    // Encoded meanwhile, so that the picture goes the moment the session is active.
    expect((await media.stats()).tiles?.prepared).toBe(1);

    await media.start(); // the server made the session active
    await waitFor(() => (helper?.tiles?.stats.frames ?? 0) > 0, 10_000, 'the first tile frame');
    await waitFor(() => picture.at(400, 260) === 0xffffff, 10_000, 'the window drawn while held');
    await untilExact(xvfb.display, picture, 5000, 'the helper picture to match the screen');
  });

  /** Padding messages the helper received on the `warm` channel. */
  const warmMessages = (h: LoopbackHelper | null) => h?.received.filter((m) => m.startsWith('warm:')).length ?? 0;

  it('tiles: connected before Allow, padding opens the congestion window once; none after the picture was asked for', async () => {
    const picture = new Picture();
    const media = await open('tiles');
    helper = await connectedBeforeAllow(media, picture);
    // The default 32 KiB, in messages of 4 KiB, and not a tile.
    await waitFor(() => warmMessages(helper) === 8, 10_000, 'the padding at the helper');
    expect(helper.tiles?.stats.messages ?? 0).toBe(0);
    media.readyCapture();
    await media.start();
    await waitFor(() => (helper?.tiles?.stats.frames ?? 0) > 0, 10_000, 'the first tile frame');
    await untilExact(xvfb.display, picture, 5000, 'the helper picture to match the screen');
    await new Promise((r) => setTimeout(r, 300));
    expect(warmMessages(helper)).toBe(8);
  });

  it('tiles: a share started at once (the connection made after Allow) sends no padding', async () => {
    const media = await open('tiles');
    helper = await connectLoopback(media, () => undefined, new Picture());
    await waitFor(() => (helper?.tiles?.stats.frames ?? 0) > 0, 10_000, 'the first tile frame');
    await waitFor(() => helper?.channels.get('warm')?.readyState === 'open', 10_000, 'the warm channel open');
    await new Promise((r) => setTimeout(r, 300));
    expect(warmMessages(helper)).toBe(0);
  });

  it('tiles: a readied capture whose Allow did not go through stops, having sent nothing', async () => {
    const picture = new Picture();
    const media = await open('tiles');
    helper = await connectedBeforeAllow(media, picture);
    media.readyCapture();
    await waitFor(async () => (await media.stats()).capture.frames > 0, 10_000, 'the first frame read');
    await media.cancelCapture();
    const frames = (await media.stats()).capture.frames;
    window = spawn('xev', ['-geometry', '200x120+300+200'], {
      env: { ...process.env, DISPLAY: xvfb.display },
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 500));
    expect((await media.stats()).capture.frames).toBe(frames); // no longer reading
    expect(helper.tiles?.stats.messages ?? 0).toBe(0);
    // The picture encoded while held never left: a later Allow encodes the current one, and it arrives exactly.
    expect((await media.stats()).tiles?.prepared).toBe(1);
    media.readyCapture();
    await waitFor(async () => (await media.stats()).tiles?.prepared === 2, 10_000, 'a new picture encoded');
    expect(helper.tiles?.stats.messages ?? 0).toBe(0);
    await media.start();
    await waitFor(() => (helper?.tiles?.stats.frames ?? 0) > 0, 10_000, 'the first tile frame');
    await untilExact(xvfb.display, picture, 5000, 'the helper picture to match the screen');
  });

  it('tiles: nothing is sent while the screen is still', async () => {
    const media = await open('tiles');
    helper = await connectLoopback(media, () => undefined, new Picture());
    await waitFor(() => (helper?.tiles?.stats.frames ?? 0) > 0, 10_000, 'the first tile frame');
    await new Promise((r) => setTimeout(r, 300));
    const before = (await media.stats()).tiles?.messages;
    await new Promise((r) => setTimeout(r, 1000));
    expect((await media.stats()).tiles?.messages).toBe(before);
  });

  it('tiles: a playing video goes on the video track, cropped to its area, and the picture is exact again once it stops', async () => {
    const picture = new Picture();
    const decoded = new Set<string>();
    const media = await open('tiles');
    const offers: string[] = [];
    media.on('signal', (p) => p.kind === 'sdp' && offers.push(p.description.sdp));
    helper = await connectLoopback(media, (frame) => decoded.add(`${frame.width}x${frame.height}`), picture);
    const tiles = () => helper?.tiles ?? null;
    await waitFor(() => (tiles()?.stats.frames ?? 0) > 0, 10_000, 'the first tile frame');
    // No track until an area plays: a session without video pays for no send controller.
    expect(offers.map((sdp) => /^m=video/m.test(sdp))).toEqual([false]);
    expect((await media.stats()).videoAreas?.track).toBe('absent');
    const x = await openPainter(xvfb.display);
    try {
      const area = { x: 64, y: 64, width: 320, height: 192 }; // on the 64-pixel grid
      const win = await x.fill(area.x, area.y, area.width, area.height, 0x000000);
      let playing = true;
      const noise = new Uint8Array(area.width * area.height * 4);
      const play = (async () => {
        while (playing) {
          await x.image(win, 0, 0, area.width, area.height, randomFillSync(noise));
          await new Promise((r) => setTimeout(r, 33));
        }
      })();
      try {
        await waitFor(() => (tiles()?.videoCells.length ?? 0) > 0, 10_000, 'the video area at the helper');
        expect(tiles()?.videoCells).toEqual([area]);
        await waitFor(() => decoded.has('320x192'), 10_000, 'decoded frames of the area alone');
        // While it plays, its noise does not go as tiles (it would be ~180 KiB a frame).
        const before = (await media.stats()).tiles?.bytes ?? 0;
        await new Promise((r) => setTimeout(r, 1000));
        const stats = await media.stats();
        expect((stats.tiles?.bytes ?? 0) - before).toBeLessThan(50_000);
        expect(stats.videoAreas?.area).toEqual(area);
        expect(stats.videoAreas?.video.framesSent).toBeGreaterThan(5);
        // The track joined the running connection: one more offer, answered, no new connection.
        expect(stats.videoAreas?.track).toBe('ready');
        expect(offers.map((sdp) => /^m=video/m.test(sdp))).toEqual([false, true]);
        expect(helper?.answers).toBe(2);
      } finally {
        playing = false;
        await play;
      }
      // Stopped on its last frame: the area goes back to exact tiles.
      await waitFor(() => tiles()?.videoCells.length === 0, 5000, 'the area back on tiles');
      await untilExact(xvfb.display, picture, 5000, 'the helper picture to match the screen exactly');
      expect((await media.stats()).videoAreas?.area).toBeNull();
    } finally {
      await x.close();
    }
  });

  it('tiles: a flood of large changes is paced to the bulk rate, read less often meanwhile, and ends exact', async () => {
    const picture = new Picture();
    share = await ScreenShare.open({
      screen: await createLinuxPlatform({ display: xvfb.display }).openScreenSource(),
      iceServers: [],
      pixels: 'tiles',
      bulkKbitPerSecond: 200, // 25 KB/s
    });
    const media = share;
    helper = await connectLoopback(media, () => undefined, picture);
    await waitFor(() => (helper?.tiles?.stats.frames ?? 0) > 0, 10_000, 'the first tile frame');
    const x = await openPainter(xvfb.display);
    try {
      const area = { x: 0, y: 0, width: 640, height: 448 };
      const win = await x.fill(area.x, area.y, area.width, area.height, 0xf0f0f0);
      await new Promise((r) => setTimeout(r, 500)); // the bucket refills after the window
      // A terminal pouring text: a new page of dark specks on light, about 20 times a second.
      const page = new Uint8Array(area.width * area.height * 4);
      const before = await media.stats();
      const started = performance.now();
      for (let i = 0; performance.now() - started < 2000; i++) {
        const dark = randomFillSync(new Uint8Array(area.width * area.height));
        for (let p = 0; p < dark.length; p++) page.fill((dark[p] as number) < 32 ? 0x20 : 0xf0, p * 4, p * 4 + 3);
        await x.image(win, 0, 0, area.width, area.height, page);
        await new Promise((r) => setTimeout(r, 50));
      }
      const seconds = (performance.now() - started) / 1000;
      const after = await media.stats();
      const frames = (after.tiles?.frames ?? 0) - (before.tiles?.frames ?? 0);
      const reads = after.capture.frames - before.capture.frames;
      // Each page is ~35 KB of tiles, more than 250 ms at 25 KB/s: every page holds the next
      // one for 250 ms (the longest hold), so 4 a second, plus the 64 KB burst. Unpaced: 20.
      expect(after.tiles?.paced).toBeGreaterThan(before.tiles?.paced ?? 0);
      expect(frames).toBeLessThan(4 * seconds + 6); // paced: 10–11 in 2 s; unpaced: about 40
      expect(reads).toBeLessThan(20 * seconds + 4); // 15 a second while held: 31–33 in 2 s; not slowed: about 70
      expect(after.videoAreas?.area).toBeNull(); // text-like: stays on exact tiles
      await untilExact(xvfb.display, picture, 10_000, 'the helper picture to match the screen exactly');
    } finally {
      await x.close();
    }
  });

  it('video: `--pixels video` sends a VP8 track and no tiles channel', async () => {
    let frames = 0;
    let size = '';
    const media = await open('video');
    helper = await connectLoopback(
      media,
      (frame) => {
        frames++;
        size = `${frame.width}x${frame.height}`;
      },
      new Picture(),
    );
    await waitFor(() => frames > 0, 10_000, 'a decoded video frame');
    expect(size).toBe('640x480');
    expect(helper.channels.has('tiles')).toBe(false);
    expect((await media.stats()).pixels).toBe('video');
  });
});
