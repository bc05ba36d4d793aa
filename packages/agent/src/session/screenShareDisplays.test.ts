/**
 * How a share follows display changes reported by its screen source (`watchDisplays`), with a
 * scripted source: which display is shared after the change, whether capture starts again, and
 * what the `displays` event says. The real X11 source and the whole agent under a real
 * resolution change: `platform/linux/x11DisplayChange.test.ts`, `app/displayChange.integration.test.ts`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureStats, DisplayInfo, ScreenFrame, ScreenSource } from '../platform/types.js';
import { waitFor } from '../testing/xvfb.js';
import { ScreenShare } from './screenShare.js';

const display = (id: string, width: number, height: number, primary = false, x = 0): DisplayInfo => ({
  id,
  name: id,
  primary,
  bounds: { x, y: 0, width, height },
});

/** A screen source whose displays the test changes; each `start` delivers one frame of the display's size. */
class ScriptedSource implements ScreenSource {
  displays: DisplayInfo[];
  readonly starts: string[] = [];
  #watcher: ((displays: DisplayInfo[]) => void) | null = null;

  constructor(displays: DisplayInfo[]) {
    this.displays = displays;
  }

  listDisplays(): Promise<DisplayInfo[]> {
    return Promise.resolve(this.displays);
  }

  start(displayId: string, onFrame: (frame: ScreenFrame) => void): Promise<void> {
    this.starts.push(displayId);
    const { width, height } = (this.displays.find((d) => d.id === displayId) as DisplayInfo).bounds;
    onFrame({
      width,
      height,
      data: new Uint8Array(width * height * 4),
      stride: width * 4,
      format: 'bgra',
      timestamp: 0,
    });
    return Promise.resolve();
  }

  watchDisplays(onChange: (displays: DisplayInfo[]) => void): () => void {
    this.#watcher = onChange;
    return () => (this.#watcher = null);
  }

  /** The displays change (as RandR would report them). */
  change(displays: DisplayInfo[]): void {
    this.displays = displays;
    this.#watcher?.(displays);
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
  stats(): CaptureStats {
    return { detection: 'damage', readPath: 'scripted', frames: 0, readMsAvg: 0, readMsLast: 0, diffMsAvg: 0 };
  }
  close(): Promise<void> {
    this.#watcher = null;
    return Promise.resolve();
  }
}

describe('ScreenShare when the displays change', () => {
  let share: ScreenShare | null = null;
  afterEach(async () => {
    await share?.close();
    share = null;
  });

  async function open(source: ScriptedSource): Promise<{ share: ScreenShare; events: boolean[] }> {
    share = await ScreenShare.open({ screen: source, iceServers: [], videoAreas: false });
    const events: boolean[] = [];
    share.on('displays', (shared) => events.push(shared));
    return { share, events };
  }

  it('before capture: takes the new bounds and starts nothing', async () => {
    const source = new ScriptedSource([display('a', 1280, 720, true)]);
    const { share: s, events } = await open(source);
    source.change([display('a', 1024, 768, true)]);
    await waitFor(() => events.length === 1, 2000, 'the displays event');
    expect(events).toEqual([true]);
    expect(s.display.bounds).toMatchObject({ width: 1024, height: 768 });
    expect(source.starts).toEqual([]);
  });

  it('while capturing: starts capture again on the shared display at its new size', async () => {
    const source = new ScriptedSource([display('a', 1280, 720, true)]);
    const { share: s, events } = await open(source);
    s.readyCapture();
    await waitFor(() => source.starts.length === 1, 2000, 'the first capture');
    source.change([display('a', 1920, 1080, true)]);
    await waitFor(() => source.starts.length === 2, 2000, 'capture started again');
    expect(source.starts).toEqual(['a', 'a']);
    expect(events).toEqual([true]);
    expect(s.display.bounds).toMatchObject({ width: 1920, height: 1080 });
  });

  it('another display plugged in: the list changes, the shared display and its capture stay', async () => {
    const source = new ScriptedSource([display('a', 1280, 720, true)]);
    const { share: s, events } = await open(source);
    s.readyCapture();
    await waitFor(() => source.starts.length === 1, 2000, 'the first capture');
    source.change([display('a', 1280, 720, true), display('b', 1920, 1080, false, 1280)]);
    await waitFor(() => events.length === 1, 2000, 'the displays event');
    expect(events).toEqual([false]);
    expect(s.displays().map((d) => d.id)).toEqual(['a', 'b']);
    expect(source.starts).toEqual(['a']);
    // The same list again: nothing to tell.
    source.change([display('a', 1280, 720, true), display('b', 1920, 1080, false, 1280)]);
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([false]);
  });

  it('the shared display unplugged: the primary one is shared instead', async () => {
    const source = new ScriptedSource([display('a', 1280, 720, true), display('b', 1920, 1080, false, 1280)]);
    share = await ScreenShare.open({ screen: source, iceServers: [], videoAreas: false, displayId: 'b' });
    const events: boolean[] = [];
    share.on('displays', (shared) => events.push(shared));
    share.readyCapture();
    await waitFor(() => source.starts.length === 1, 2000, 'the first capture');
    source.change([display('a', 1280, 720, true)]);
    await waitFor(() => source.starts.length === 2, 2000, 'capture of the primary display');
    expect(source.starts).toEqual(['b', 'a']);
    expect(events).toEqual([true]);
    expect(share.display.id).toBe('a');
  });
});
