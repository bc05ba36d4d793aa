/**
 * @module platform/linux/x11ScreenSource
 * `ScreenSource` for X11. Change detection: the DAMAGE extension on the root window
 * (the server tells us which rectangles changed, so an idle screen costs nothing and
 * only the damaged bounding box is read); without DAMAGE, polling with frame
 * differencing at up to `maxFps`. Pixels are read with MIT-SHM when possible.
 * Display changes (a resolution or layout change through RandR, a monitor plugged in or
 * out) come as RandR screen-change events to `watchDisplays`.
 */
import { AgentError } from '../../errors.js';
import { boundingBox, sameDisplay, simplify, toLocal } from '../../capture/rects.js';
import { diffFrames } from '../../capture/frameDiff.js';
import type {
  CaptureOptions,
  CaptureStats,
  ChangeDetection,
  DisplayInfo,
  Rect,
  ScreenFrame,
  ScreenSource,
} from '../types.js';
import { isXWayland, listX11Displays } from './displays.js';
import { createPixelReader, type PixelReader, type ReadPart } from './pixelReader.js';
import {
  closeX11,
  connectX11,
  requireExtension,
  SegmentFiles,
  type DamageExt,
  type DamageNotifyEvent,
  type XDisplay,
  type XEvent,
} from './x11.js';

export interface X11ScreenSourceOptions {
  /** X display name (default `$DISPLAY`). */
  display?: string;
  /** `auto` uses DAMAGE when the server has it. */
  detection?: 'auto' | ChangeDetection;
  /** `auto` uses MIT-SHM when usable. */
  readPath?: 'auto' | 'shm' | 'core';
  /** How long the first change of a steady stream's frame waits for the rest, ms (default SETTLE_MS). */
  settleMs?: number;
  /** Reads of damage that came in during a frame's read, sent in that frame (default TAIL_READS). */
  tailReads?: number;
  /** How long a flood keeps delta reports before raw ones are tried again, ms (default DELTA_PROBE_MS). */
  deltaProbeMs?: number;
}

const BYTES_PER_PIXEL = 4;

function newStats(readPath: string) {
  return {
    frames: 0,
    reads: 0,
    readMsTotal: 0,
    readMsLast: 0,
    diffMsTotal: 0,
    diffs: 0,
    changeEvents: 0,
    levelSwitches: 0,
    tailReads: 0,
    readPath,
  };
}

interface Capture {
  display: DisplayInfo;
  reader: PixelReader;
  frame: Uint8Array;
  /** Poll detection only: the buffer the next read goes into. */
  spare: Uint8Array | null;
  onFrame: (frame: ScreenFrame) => void;
  onError: ((error: Error) => void) | undefined;
  minIntervalMs: number;
  /** The interval the capture started with (`setMaxFps(undefined)` goes back to it). */
  startIntervalMs: number;
  /** The root window, whose damage is watched. */
  root: number;
  damageId: number;
  /** The damage object replaced by the last switch of report level (its last events still count). */
  retiredDamageId: number;
  /** Delta rectangles instead of raw ones (a flood of drawing), since when (ms). */
  delta: boolean;
  deltaSince: number;
  deltaProbeMs: number;
  pending: Rect[];
  /** Cancels the scheduled read. */
  timer: (() => void) | undefined;
  running: Promise<void> | null;
  /**
   * Captures allowed now (a token bucket: refilled at `maxFps`, holding at most
   * {@link CAPTURE_BURST}). The rate stays at most `maxFps`, yet a change right after a
   * capture (a window painted in two steps, a click after a caret blink) is read at once
   * instead of waiting out a whole frame interval.
   */
  credit: number;
  creditAt: number;
  stopped: boolean;
  /** When the last frame went out (ms). */
  emittedAt: number;
  settleMs: number;
  tailReads: number;
}

/** The interval between captures at `maxFps` frames per second (default 60, at most 240). */
const fpsInterval = (maxFps: number | undefined): number => 1000 / Math.max(1, Math.min(maxFps ?? 60, 240));

/**
 * A change that starts a new frame of a steady stream (the last frame went out between
 * STREAM_MIN_MS and STREAM_MAX_MS ago: an animation, a busy dashboard, a video) waits
 * SETTLE_MS before the read, so that the rest of the application's drawing for that frame
 * (its other requests reach the X server a little later) is read with it: one frame per
 * application frame instead of two (busy screen: 41 → 33 frames/s for 30 drawn, sender CPU
 * 16 → 13 %). A change after a pause (a click, a key, a flip) is read at once, and so is the
 * tail of a frame just read (under STREAM_MIN_MS): latency stays where it was.
 */
const STREAM_MIN_MS = 8;
const STREAM_MAX_MS = 40;
const SETTLE_MS = 1;

function settleDelay(capture: Capture): number {
  const since = performance.now() - capture.emittedAt;
  return since >= STREAM_MIN_MS && since < STREAM_MAX_MS ? capture.settleMs : 0;
}

/** Damage events between two reads above which drawing is a flood (see `#chooseReportLevel`). */
const FLOOD_EVENTS = 256;
/** How long a flood keeps delta reports before raw ones are tried again, ms. */
const DELTA_PROBE_MS = 1000;

/** Extra reads of damage that arrived during a read, before its frame goes out. */
const TAIL_READS = 2;

/** Most rectangles read one by one in a frame (beyond that, their bounding box: a request each costs too). */
const MAX_READ_PARTS = 8;
/** Pixels of bounding box a separate read of one more rectangle must save (see `#readChanged`). */
const SPLIT_PIXELS = 32_768;

/**
 * How long after a RandR screen-change event the displays are listed: a mode switch comes as
 * a burst of events (the screen's size, then each CRTC), and the list is read once after it.
 */
const DISPLAY_SETTLE_MS = 100;

/** Captures the rate limit lets through back to back. */
const CAPTURE_BURST = 3;

/** Adds the credit earned since it was last counted (at most CAPTURE_BURST) and returns it. */
function refill(capture: Capture): number {
  const now = performance.now();
  capture.credit = Math.min(CAPTURE_BURST, capture.credit + (now - capture.creditAt) / capture.minIntervalMs);
  capture.creditAt = now;
  return capture.credit;
}

/** Captures one X11 display at a time. */
export class X11ScreenSource implements ScreenSource {
  readonly #x: XDisplay;
  readonly #damage: DamageExt | null;
  readonly #options: X11ScreenSourceOptions;
  readonly #files: SegmentFiles | null;
  #capture: Capture | null = null;
  /** Set up by `prepare` for the next `start`: the display, its reader and frame buffer. */
  #prepared: { display: DisplayInfo; reader: PixelReader; frame: Uint8Array } | null = null;
  #closed = false;
  #stats = newStats('none');
  /** Who `watchDisplays` tells; RandR events are asked for with the first one. */
  readonly #displayWatchers = new Set<(displays: DisplayInfo[]) => void>();
  #randrSelected = false;
  #displayTimer: NodeJS.Timeout | undefined;

  private constructor(
    x: XDisplay,
    damage: DamageExt | null,
    files: SegmentFiles | null,
    options: X11ScreenSourceOptions,
  ) {
    this.#x = x;
    this.#files = files;
    this.#damage = damage;
    this.#options = options;
    x.client.on('error', (error) =>
      this.#fail(new AgentError('capture_failed', `X error: ${error.message}`, undefined, { cause: error })),
    );
    x.client.on('end', () => this.#fail(new AgentError('display_unavailable', 'The X server closed the connection')));
    x.client.on('event', (event) => this.#onEvent(event));
  }

  /** Connects to the X server and probes its extensions. */
  static async open(options: X11ScreenSourceOptions = {}): Promise<X11ScreenSource> {
    const files = options.readPath === 'core' ? null : new SegmentFiles();
    const x = await connectX11(options.display, undefined, files ?? undefined);
    // XWayland's root window is not the desktop (its reads are all black): refuse with the reason.
    if (isXWayland(await listX11Displays(x).catch(() => []))) {
      await closeX11(x);
      throw AgentError.waylandSession();
    }
    const wantDamage = (options.detection ?? 'auto') !== 'poll';
    const damage = wantDamage ? await requireExtension(x.client, 'damage') : null;
    if (options.detection === 'damage' && !damage) {
      await closeX11(x);
      throw new AgentError('capture_failed', 'The X server has no DAMAGE extension');
    }
    return new X11ScreenSource(x, damage, files, options);
  }

  /** How changes are detected: `damage` when the server supports it. */
  get detection(): ChangeDetection {
    return this.#damage ? 'damage' : 'poll';
  }

  listDisplays(): Promise<DisplayInfo[]> {
    return listX11Displays(this.#x);
  }

  watchDisplays(onChange: (displays: DisplayInfo[]) => void): () => void {
    this.#displayWatchers.add(onChange);
    if (!this.#randrSelected) {
      this.#randrSelected = true;
      void this.#selectRandr();
    }
    return () => void this.#displayWatchers.delete(onChange);
  }

  /** Asks for RandR's screen-change events on the root (sent for a new size and for each CRTC change). */
  async #selectRandr(): Promise<void> {
    const randr = await requireExtension(this.#x.client, 'randr');
    const root = this.#x.screen[0]?.root;
    if (!randr || root === undefined || this.#closed) return;
    randr.SelectInput(root, randr.NotifyMask.ScreenChange);
  }

  /** The displays may have changed: they are listed once the burst of events is over. */
  #displaysChanged(): void {
    if (this.#closed || this.#displayWatchers.size === 0) return;
    clearTimeout(this.#displayTimer);
    this.#displayTimer = setTimeout(() => void this.#tellDisplays(), DISPLAY_SETTLE_MS);
  }

  /**
   * Lists the displays and tells the watchers. A capture whose display is gone or changed
   * stops first, quietly: its reads would fail (the screen shrank) or miss what was added.
   */
  async #tellDisplays(): Promise<void> {
    const displays = await this.listDisplays().catch(() => null);
    if (!displays || this.#closed) return;
    const capture = this.#capture;
    const now = capture && displays.find((d) => d.id === capture.display.id);
    if (capture && !(now && sameDisplay(now, capture.display))) await this.stop();
    for (const watcher of [...this.#displayWatchers]) watcher(displays);
  }

  async prepare(displayId: string): Promise<void> {
    if (this.#closed || this.#capture) return;
    const display = (await this.listDisplays()).find((d) => d.id === displayId);
    if (!display) throw new AgentError('display_not_found', `No display ${displayId}`, { displayId });
    if (this.#prepared && sameDisplay(this.#prepared.display, display)) return;
    this.#prepared?.reader.close();
    this.#prepared = null;
    const reader = await this.#newReader(display);
    // Touched now, so the first read does not fault in every page of the buffers.
    reader.touch?.();
    // The server's side too: its first write into the segment costs ≈ 25 ms more than the next (pixelReader).
    await reader.warm?.().catch(() => undefined); // only a head start: the capture works without it
    if (this.#closed || this.#capture) {
      reader.close();
      return;
    }
    const frame = reader.allocFrame(display.bounds.width * display.bounds.height * BYTES_PER_PIXEL);
    this.#prepared = { display, reader, frame };
  }

  async start(displayId: string, onFrame: (frame: ScreenFrame) => void, options: CaptureOptions = {}): Promise<void> {
    if (this.#closed) throw new AgentError('display_unavailable', 'The screen source is closed');
    await this.stop();
    const display = (await this.listDisplays()).find((d) => d.id === displayId);
    if (!display) throw new AgentError('display_not_found', `No display ${displayId}`, { displayId });
    const { width, height } = display.bounds;
    const bytes = width * height * BYTES_PER_PIXEL;
    const prepared = this.#prepared;
    this.#prepared = null;
    let reader: PixelReader;
    let frame: Uint8Array;
    if (prepared && sameDisplay(prepared.display, display)) {
      ({ reader, frame } = prepared);
    } else {
      prepared?.reader.close();
      reader = await this.#newReader(display);
      frame = reader.allocFrame(bytes);
    }
    this.#stats = newStats(reader.path);
    const interval = fpsInterval(options.maxFps);
    const capture: Capture = {
      display,
      reader,
      frame,
      spare: this.#damage ? null : reader.allocFrame(bytes),
      onFrame,
      onError: options.onError,
      minIntervalMs: interval,
      startIntervalMs: interval,
      root: this.#x.screen[0]?.root ?? 0,
      damageId: 0,
      retiredDamageId: 0,
      delta: false,
      deltaSince: 0,
      deltaProbeMs: this.#options.deltaProbeMs ?? DELTA_PROBE_MS,
      pending: [],
      timer: undefined,
      running: null,
      credit: CAPTURE_BURST,
      creditAt: performance.now(),
      stopped: false,
      emittedAt: -Infinity,
      settleMs: this.#options.settleMs ?? SETTLE_MS,
      tailReads: this.#options.tailReads ?? TAIL_READS,
    };
    this.#capture = capture;
    if (this.#damage) {
      capture.damageId = this.#x.client.AllocID();
      // Raw rectangles: every drawing operation whole, even over parts already damaged
      // (delta reports would cut it into bands). The tile sender sends a filled rectangle
      // as one fill, so it needs the rectangle as drawn. Floods switch to delta (`#readDamaged`).
      this.#damage.Create(capture.damageId, capture.root, this.#damage.ReportLevel.RawRectangles);
      // The server reports the whole window as damaged on creation; take that event
      // in before the first read so it is not read twice.
      await this.#x.client.sync();
    }
    capture.pending = [{ x: 0, y: 0, width, height }];
    // The first frame's failure rejects `start` instead of going to `onError`.
    await this.#run(capture, () => (this.#damage ? this.#readDamaged(capture) : this.#poll(capture)), true);
  }

  /** A pixel reader for the display (shared memory unless the options say core). */
  async #newReader(display: DisplayInfo): Promise<PixelReader> {
    const bytes = display.bounds.width * display.bounds.height * BYTES_PER_PIXEL;
    const reader = await createPixelReader(this.#x, bytes, this.#files);
    if (this.#options.readPath === 'shm' && reader.path !== 'shm') {
      reader.close();
      throw new AgentError('capture_failed', 'MIT-SHM is not usable on this connection');
    }
    return reader;
  }

  async stop(): Promise<void> {
    const capture = this.#capture;
    if (!capture) return;
    this.#capture = null;
    capture.stopped = true;
    capture.timer?.();
    if (capture.damageId && this.#damage) {
      this.#damage.Destroy(capture.damageId);
      // Resource ids are the connection's (a range of 2^18 to 2^21): given back for the next capture.
      this.#x.client.ReleaseID(capture.damageId);
      if (capture.retiredDamageId) this.#x.client.ReleaseID(capture.retiredDamageId);
    }
    await capture.running?.catch(() => undefined);
    capture.reader.close();
  }

  stats(): CaptureStats {
    const s = this.#stats;
    return {
      detection: this.detection,
      readPath: s.readPath,
      frames: s.frames,
      readMsAvg: s.reads ? s.readMsTotal / s.reads : 0,
      readMsLast: s.readMsLast,
      diffMsAvg: s.diffs ? s.diffMsTotal / s.diffs : 0,
      changeEvents: s.changeEvents,
      changeLevelSwitches: s.levelSwitches,
      tailReads: s.tailReads,
      resourceIdsTaken: this.#x.rsrc_id,
    };
  }

  setMaxFps(fps: number | undefined): void {
    const capture = this.#capture;
    if (!capture) return;
    refill(capture); // the credit so far counts at the old rate
    capture.minIntervalMs = fps === undefined ? capture.startIntervalMs : fpsInterval(fps);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.stop();
    this.#closed = true;
    clearTimeout(this.#displayTimer);
    this.#displayWatchers.clear();
    this.#prepared?.reader.close();
    this.#prepared = null;
    await closeX11(this.#x);
  }

  #onEvent(event: XEvent): void {
    if (event.name === 'RRScreenChangeNotify') return this.#displaysChanged();
    const capture = this.#capture;
    if (!capture || event.name !== 'DamageNotify') return;
    const damage = event as DamageNotifyEvent;
    if (damage.damage !== capture.damageId && damage.damage !== capture.retiredDamageId) return;
    this.#stats.changeEvents++;
    const { x, y, w, h } = damage.area;
    const local = toLocal([{ x, y, width: w, height: h }], capture.display.bounds);
    if (local.length === 0) return;
    capture.pending.push(...local);
    this.#schedule(capture, () => this.#readDamaged(capture));
  }

  #schedule(capture: Capture, work: () => Promise<void>): void {
    if (capture.stopped || capture.timer || capture.running) return;
    const credit = refill(capture);
    const delay = credit >= 1 ? settleDelay(capture) : (1 - credit) * capture.minIntervalMs;
    const go = () => {
      capture.timer = undefined;
      void this.#run(capture, work);
    };
    // No timer round when the change may be read now: setTimeout(0) costs a millisecond or more.
    if (delay === 0) {
      const immediate = setImmediate(go);
      capture.timer = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(go, delay);
      capture.timer = () => clearTimeout(timeout);
    }
  }

  async #run(capture: Capture, work: () => Promise<void>, rethrow = false): Promise<void> {
    if (capture.stopped) return;
    capture.credit = refill(capture) - 1;
    capture.running = work();
    try {
      await capture.running;
    } catch (error) {
      const failure =
        error instanceof AgentError
          ? error
          : new AgentError('capture_failed', String(error), undefined, { cause: error });
      if (!rethrow) return this.#fail(failure);
      capture.running = null;
      await this.stop();
      throw failure;
    } finally {
      capture.running = null;
    }
    if (!this.#damage) this.#schedule(capture, () => this.#poll(capture));
    else if (capture.pending.length > 0) this.#schedule(capture, () => this.#readDamaged(capture));
  }

  /** DAMAGE path: re-arm the damage object, then read the bounding box of what changed. */
  async #readDamaged(capture: Capture): Promise<void> {
    if (capture.pending.length === 0) return;
    this.#chooseReportLevel(capture);
    let changed = simplify(capture.pending);
    capture.pending = [];
    // Subtract before reading: whatever is drawn after this point raises a new event.
    this.#damage?.Subtract(capture.damageId, 0, 0);
    await this.#readChanged(capture, changed);
    // Damage that came in with the read's reply was mostly drawn before the read (the X
    // server sends a client's events and replies in order): the rest of the same application
    // frame (a window painted in several requests, several flushes). Read now and sent with
    // this frame, it does not reach the helper as a second frame a capture interval later.
    let more = 0;
    for (let pass = 0; pass < capture.tailReads && capture.pending.length > 0 && !capture.stopped; pass++) {
      this.#chooseReportLevel(capture);
      const tail = simplify(capture.pending);
      capture.pending = [];
      this.#damage?.Subtract(capture.damageId, 0, 0);
      await this.#readChanged(capture, tail);
      changed = simplify([...changed, ...tail]);
      more++;
    }
    this.#stats.tailReads += more;
    this.#emit(capture, capture.frame, changed);
  }

  /**
   * Reads display-local rectangles into the capture's frame, at their place, in one round
   * trip: a few rectangles far apart (a clock and a caret) one by one, when what their
   * bounding box adds pays for the extra requests ({@link SPLIT_PIXELS} each); otherwise the
   * bounding box. Twenty rectangles redrawn over a screen read one box: read one by one they
   * cost more (a request each, ~40 µs here, as much as copying 20,000 pixels three times).
   */
  async #readChanged(capture: Capture, rects: readonly Rect[]): Promise<void> {
    const { bounds } = capture.display;
    const stride = bounds.width * BYTES_PER_PIXEL;
    const box = boundingBox(rects);
    let area = 0;
    for (const r of rects) area += r.width * r.height;
    const each =
      rects.length > 1 &&
      rects.length <= MAX_READ_PARTS &&
      box.width * box.height - area > SPLIT_PIXELS * (rects.length - 1);
    const parts: ReadPart[] = (each ? rects : [box]).map((r) => ({
      source: { ...r, x: r.x + bounds.x, y: r.y + bounds.y },
      destOffset: r.y * stride + r.x * BYTES_PER_PIXEL,
    }));
    const t0 = performance.now();
    await capture.reader.read(parts, capture.frame, stride);
    this.#recordRead(t0);
  }

  /**
   * Raw rectangles report every drawing operation, which a terminal pouring text makes by
   * the hundred thousand a second (xterm: 128,000 events/s, ~10 % of this process and much of
   * the X server's time). When more than FLOOD_EVENTS came in since the last read, the damage
   * object is replaced by one reporting delta rectangles (only what was not damaged yet:
   * ~1,300 events/s for the same terminal). After DELTA_PROBE_MS in delta, raw comes back;
   * a flood still going switches again at the next read. The new object reports the whole
   * screen once when created (one full read, that the tile sender trims to what changed),
   * and the old one's events until it is destroyed still count: nothing drawn is missed.
   */
  #chooseReportLevel(capture: Capture): void {
    const damage = this.#damage;
    if (!damage) return;
    const now = performance.now();
    const delta = capture.delta
      ? now - capture.deltaSince < capture.deltaProbeMs
      : capture.pending.length > FLOOD_EVENTS;
    if (delta === capture.delta) return;
    const old = capture.damageId;
    capture.damageId = this.#x.client.AllocID();
    damage.Create(
      capture.damageId,
      capture.root,
      delta ? damage.ReportLevel.DeltaRectangles : damage.ReportLevel.RawRectangles,
    );
    damage.Destroy(old);
    // The one retired before is long destroyed (the server handles requests in order): its id is
    // free again. Switches come about twice a second in a long flood, and ids are not endless.
    if (capture.retiredDamageId) this.#x.client.ReleaseID(capture.retiredDamageId);
    capture.retiredDamageId = old;
    capture.delta = delta;
    capture.deltaSince = now;
    this.#stats.levelSwitches++;
  }

  /** Poll path: read everything, compare with the last frame, emit if anything differs. */
  async #poll(capture: Capture): Promise<void> {
    const { bounds } = capture.display;
    const stride = bounds.width * BYTES_PER_PIXEL;
    const first = capture.pending.length > 0;
    capture.pending = [];
    const target = first ? capture.frame : (capture.spare as Uint8Array);
    const t0 = performance.now();
    await capture.reader.read([{ source: bounds, destOffset: 0 }], target, stride);
    this.#recordRead(t0);
    if (first) return this.#emit(capture, target, [{ x: 0, y: 0, width: bounds.width, height: bounds.height }]);
    const d0 = performance.now();
    const changed = diffFrames(capture.frame, target, bounds.width, bounds.height, stride);
    this.#stats.diffMsTotal += performance.now() - d0;
    this.#stats.diffs++;
    if (changed.length === 0) return;
    capture.spare = capture.frame;
    capture.frame = target;
    this.#emit(capture, target, simplify(changed));
  }

  #recordRead(start: number): void {
    const ms = performance.now() - start;
    this.#stats.reads++;
    this.#stats.readMsTotal += ms;
    this.#stats.readMsLast = ms;
  }

  #emit(capture: Capture, data: Uint8Array, changed: Rect[]): void {
    if (capture.stopped) return;
    capture.emittedAt = performance.now();
    this.#stats.frames++;
    const { width, height } = capture.display.bounds;
    const stride = width * BYTES_PER_PIXEL;
    capture.onFrame({
      width,
      height,
      data,
      stride,
      format: capture.reader.format,
      changed,
      timestamp: performance.now(),
    });
  }

  #fail(error: AgentError): void {
    const capture = this.#capture;
    if (!capture) return;
    void this.stop();
    if (error.reason !== 'capture_failed' || this.#displayWatchers.size === 0) {
      capture.onError?.(error);
      return;
    }
    // A read that failed because the screen just shrank (its event may still be on its way)
    // is a change of display, not a failure: the watchers start the capture again.
    void this.listDisplays().then(
      (displays) => {
        const now = displays.find((d) => d.id === capture.display.id);
        if (now && sameDisplay(now, capture.display)) capture.onError?.(error);
        else this.#displaysChanged();
      },
      () => capture.onError?.(error),
    );
  }
}
