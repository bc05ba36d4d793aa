/**
 * @module tileReceiver
 * The viewer's side of the `tiles` data channel (see `tiles` in the protocol): parses
 * tile messages, paints them through a {@link Painter} and acknowledges each message it
 * painted. No DOM: the canvas is behind the painter, the channel behind `send`.
 *
 * - The channel is unordered, so a tile may arrive after a newer one of the same cell.
 *   Each grid cell keeps the frame that last painted it; an older tile is not painted and
 *   its message is not acknowledged, so the agent sends that area again with the current
 *   pixels (a tile may be part of a cell, so skipping it silently could leave stale pixels).
 * - A new screen size (from a frame newer than the last size change) resizes the painter
 *   and starts every cell over; a message of another size from an older frame is dropped.
 *   A *screen* message, before any picture, sizes the painter ahead of the first tile (as
 *   frame 0, older than every frame). Sizes are taken at most {@link RESIZE_BURST} at once and
 *   then one per {@link RESIZE_INTERVAL_MS} (each may allocate and clear a canvas of up to a
 *   gigabyte): a message of a new size beyond that is dropped unacknowledged, and the agent
 *   sends its area again, by then in a size the viewer takes.
 * - Every message painted whole sends an ack: the highest message painted and a mask of
 *   the 32 before it (acks travel without retransmission too, so each repeats the recent
 *   ones). A copy of a message already painted (the agent sends small ones twice) paints
 *   nothing but acknowledges again.
 * - A *probe* (a message with no tiles, sent behind a frame's last message) paints nothing,
 *   counts no frame and is acknowledged like any message: its ack without the message's
 *   tells the agent the message was lost, a round trip after it left instead of a
 *   retransmission timeout.
 * - A message with a tile that does not decode is not acknowledged, so the agent sends
 *   those tiles again. A tile whose stream inflates past its pixels ends its message (no
 *   honest agent sends one): the rest is not inflated, so a message of such tiles costs one.
 * - Acks may be paced (`AckPacer`): the app sends them when the browser next draws, not as
 *   each message is painted. The agent sends a new frame only on acks, so a viewer whose
 *   main thread or compositor falls behind (a slow machine, a virtual desktop without a
 *   GPU) is sent fewer, larger frames instead of a stream that leaves it no time to draw,
 *   run its timers or answer its heartbeats. An ack is sent at once when waiting longer
 *   would let a painted message fall out of its 32-message mask.
 * - A `copy` (a scroll) waits until every message it counts on has been painted; one that
 *   cannot be applied in time is dropped unacknowledged, and the agent sends its pixels.
 * - A `video` tile makes its rectangle the *video area*: its cells show the video track
 *   (the painter's `video`, told which cells still do after every message) until a newer
 *   tile paints them, so the exact pixels the agent sends when motion stops take each cell
 *   back from the video as they arrive, whatever order the channel delivers them in. An
 *   area older than the current one is acknowledged and ignored. The cells that show the
 *   video are worked out again only after a message that painted in the area, in one pass
 *   over its cells.
 * - A *parity* message (behind a whole picture) rebuilds the one message of its group that did
 *   not arrive from those that did, which is then taken as if it had arrived: the agent learns
 *   of it from the next ack, and resends nothing. The messages of the last
 *   {@link KEEP_ARRIVED} numbers are kept for this (references to what the channel delivered).
 * - The viewer says what it reads (deflated messages, parity, screen messages) in the flags
 *   of every ack, and once when the channel opens, before anything arrived
 *   ({@link packTileHello}): the agent then encodes even the first picture for it, and tells
 *   it the screen's size ahead of it.
 * - `stats.frames` counts frames whose every part was painted.
 * - Malformed input changes nothing and never throws; it is counted in `stats.dropped`. A
 *   message the format does not allow (over `MAX_MESSAGE_BYTES`, or tiles covering more than
 *   `MAX_MESSAGE_SCREENS` screens of cells) is malformed: a message costs the viewer work in
 *   proportion to its bytes and to a few screens of cells at most.
 */
import {
  copySource,
  decodeTile,
  isInflateOverflow,
  isParity,
  isTileScreen,
  packTileAck,
  packTileRefresh,
  parseParity,
  parseTileMessage,
  parseTileScreen,
  rebuildFromParity,
  TILE_SIZE,
  type ParityMessage,
  type TileMessage,
  type ViewerReads,
} from './tiles.js';

/** What a {@link TileReceiver} reads, as its acks tell the agent. */
export const TILE_RECEIVER_READS: ViewerReads = { deflated: true, parity: true, screen: true };

/**
 * What a viewer with a {@link TileReceiver} sends when the `tiles` channel opens: an ack of
 * nothing that carries its flags, so the agent knows them before the first picture.
 */
export function packTileHello(): Uint8Array<ArrayBuffer> {
  return packTileAck(0, 0, TILE_RECEIVER_READS);
}

/** Where the tiles are drawn (a canvas in the app, a recorder in tests). */
export interface Painter {
  /** The screen has a new size: size the surface to it (its content may be cleared). */
  resize(width: number, height: number): void;
  /** Fills a rectangle with one colour. */
  fill(x: number, y: number, width: number, height: number, r: number, g: number, b: number): void;
  /** Copies the `width × height` pixels at (sx, sy) of the picture itself to (x, y) (the areas may overlap). */
  copy(sx: number, sy: number, x: number, y: number, width: number, height: number): void;
  /** Puts `width × height` RGBA pixels at (x, y). */
  put(rgba: Uint8ClampedArray, x: number, y: number, width: number, height: number): void;
  /**
   * The video area changed: `area` is the rectangle of the screen the video track's frames
   * show (null: none), `cells` the parts of it (screen pixels) that show the video now. The
   * painter draws each video frame's matching parts there, and nothing elsewhere.
   */
  video?(area: ScreenRect | null, cells: readonly ScreenRect[]): void;
}

/** A rectangle in screen pixels. */
export interface ScreenRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Decides when a due ack goes out: calls `flush` once, later (the web app: at the next
 * animation frame). Without one, every painted message is acknowledged at once.
 */
export type AckPacer = (flush: () => void) => void;

/** Counters for tests, diagnostics and measurement. */
export interface TileReceiverStats {
  /** Frames that arrived complete. */
  frames: number;
  /** Messages received, dropped ones included. */
  messages: number;
  /** Tiles painted. */
  tiles: number;
  /** Messages that were malformed or of an outdated screen size, and tiles that did not decode. */
  dropped: number;
  /** `now()` of the last paint, or null before the first. */
  lastPaintAt: number | null;
  /** Parity messages received, and messages rebuilt from them. */
  parity: number;
  rebuilt: number;
}

/** The screen size the tiles describe. */
export interface ScreenSize {
  width: number;
  height: number;
}

/** Frames this far behind the newest one are forgotten (and their parts no longer counted). */
export const FRAME_WINDOW = 64;
/** Messages an ack's mask covers before its highest one. */
const MASK_BITS = 32;
/** Painted messages remembered (for acks and for the messages a copy counts on). */
const KEEP_PAINTED = 128;
/** Copies held for the messages they count on: at most this many, this long. */
const MAX_HELD = 8;
const HOLD_MS = 1000;
/** Messages kept as they arrived, by number, for parity to rebuild a lost one among them. */
export const KEEP_ARRIVED = 64;
/**
 * Screen sizes taken in a row before they are rationed, and then the time per size. The agent
 * changes size when the shared display changes (another display picked, a resolution or
 * orientation change: one size each, or two while a mode settles); a sharer's virtual machine
 * whose window is dragged is followed four times a second. A sequence of messages alternating
 * sizes would otherwise reallocate the canvas for each.
 */
export const RESIZE_BURST = 4;
export const RESIZE_INTERVAL_MS = 250;

/** What is known of one recent frame: its part count and, until it is complete, the parts received. */
interface FrameRecord {
  parts: number;
  /** Parts received so far; null once the frame is complete. */
  received: Set<number> | null;
}

/** See the module description. */
export class TileReceiver {
  private readonly counters: TileReceiverStats = {
    frames: 0,
    messages: 0,
    tiles: 0,
    dropped: 0,
    lastPaintAt: null,
    parity: 0,
    rebuilt: 0,
  };
  /** The last KEEP_ARRIVED messages that arrived (parsed), by number, oldest first. */
  private readonly arrived = new Map<number, Uint8Array>();
  private size: ScreenSize | null = null;
  /** The frame that brought the current size. */
  private sizeFrame = -1;
  private cols = 0;
  /** Per grid cell, the frame of the pixels it shows. */
  private versions = new Float64Array(0);
  private readonly recent = new Map<number, FrameRecord>();
  private newest = -1;
  /** Recent messages painted whole (the ones an ack's mask can name), and the highest. */
  private readonly painted = new Set<number>();
  private held: { message: TileMessage; at: number }[] = [];
  private highestPainted = -1;
  /** With a pacer: the lowest message painted since the last ack went out (null: no ack due), and whether a flush is scheduled. */
  private unacked: number | null = null;
  private flushScheduled = false;
  /** The video area and the frame that set it. */
  private videoArea: (ScreenRect & { frame: number }) | null = null;
  /** The parts of the video area that show the video, as last told to the painter. */
  private videoShown: ScreenRect[] = [];
  /** A cell of the video area (or the area itself) changed since the painter was last told. */
  private videoChanged = false;
  /** Sizes that may be taken now (see RESIZE_BURST), as of `resizedAt`. */
  private resizeTokens = RESIZE_BURST;
  private resizedAt: number | null = null;

  constructor(
    private readonly send: (data: Uint8Array<ArrayBuffer>) => void,
    private readonly painter: Painter,
    private readonly now: () => number = () => performance.now(),
    private readonly pace?: AckPacer,
  ) {}

  /** Counters since construction (read-only: the receiver updates them in place). */
  get stats(): Readonly<TileReceiverStats> {
    return this.counters;
  }

  /** The parts of the screen that show the video track now (screen pixels; empty without a video area). */
  get videoCells(): readonly ScreenRect[] {
    return this.videoShown;
  }

  /** The current screen size, or null before the first message. */
  get screen(): ScreenSize | null {
    return this.size;
  }

  /**
   * Asks the agent for every cell again. Not needed when the channel opens (the agent
   * sends the whole screen then by itself); for a viewer that lost its picture.
   */
  refresh(): void {
    this.transmit(packTileRefresh());
  }

  /** Takes one message of the channel. Anything but a valid tile message is counted as dropped. */
  handle(data: unknown): void {
    this.counters.messages++;
    let message: TileMessage;
    let bytes: Uint8Array;
    try {
      if (!(data instanceof ArrayBuffer || data instanceof Uint8Array)) throw new TypeError('not binary');
      bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
      if (isParity(bytes)) {
        this.takeParity(parseParity(bytes));
        return;
      }
      if (isTileScreen(bytes)) {
        const screen = parseTileScreen(bytes);
        // Before any picture only (frame 0 precedes every frame): later, tile messages carry the size.
        if (this.size === null && this.mayResize()) this.resize(screen.width, screen.height, 0);
        return;
      }
      message = parseTileMessage(bytes);
    } catch {
      this.counters.dropped++;
      return;
    }
    if (!this.arrived.has(message.seq)) {
      this.arrived.set(message.seq, bytes);
      if (this.arrived.size > KEEP_ARRIVED) this.arrived.delete(this.arrived.keys().next().value as number);
    }
    const { frame, parts } = message;
    const known = this.recent.get(frame);
    if (known && known.parts !== parts) {
      // The parts of one frame disagree on how many there are.
      this.counters.dropped++;
      return;
    }
    if (!this.sameSize(message)) {
      // Older than the current size, or one size too many for now (the agent sends its area again).
      if (frame <= this.sizeFrame || !this.mayResize()) {
        this.counters.dropped++;
        return;
      }
      this.resize(message.screenWidth, message.screenHeight, frame);
    }
    if (message.tiles.length === 0) {
      // A probe (see `tiles.ts`): nothing to paint, only its ack tells the agent what came before it.
      this.markPainted(message.seq);
      this.acknowledge(message.seq);
      return;
    }
    if (this.painted.has(message.seq)) {
      // Another copy of a message already painted (the agent sends small ones twice, and acks get lost).
      this.acknowledge(message.seq);
      return;
    }
    const copy = message.tiles.length === 1 && message.tiles[0]?.encoding === 'copy';
    if (copy && !this.settled(message)) {
      this.hold(message);
      return;
    }
    this.take(message);
    this.release();
    if (this.videoChanged) this.updateVideo();
  }

  /** Rebuilds the one message of a parity group that did not arrive, and takes it as if it had. */
  private takeParity(parity: ParityMessage): void {
    this.counters.parity++;
    const rebuilt = rebuildFromParity(parity, (seq) => this.arrived.get(seq));
    if (!rebuilt) return;
    this.counters.rebuilt++;
    this.handle(rebuilt.message);
  }

  /**
   * Tells the painter which cells of the video area still show the video (when that changed);
   * forgets an area with none. One pass over the area's cells: each run of video cells in a row
   * grows the rectangle of the same columns that ended on the row above, found by its first column.
   */
  private updateVideo(): void {
    this.videoChanged = false;
    const area = this.videoArea;
    const cells: ScreenRect[] = [];
    if (area) {
      const c0 = area.x / TILE_SIZE;
      const c1 = Math.ceil((area.x + area.width) / TILE_SIZE) - 1;
      const r0 = area.y / TILE_SIZE;
      const r1 = Math.ceil((area.y + area.height) / TILE_SIZE) - 1;
      const right = area.x + area.width;
      const bottom = area.y + area.height;
      // By first column: the last rectangle that starts there (it grows while the rows below repeat its run).
      const byColumn: (ScreenRect | undefined)[] = new Array(c1 - c0 + 1);
      for (let r = r0; r <= r1; r++) {
        const y = r * TILE_SIZE;
        const height = Math.min(bottom, y + TILE_SIZE) - y;
        for (let c = c0; c <= c1; c++) {
          if (this.versions[r * this.cols + c] !== area.frame) continue;
          let end = c;
          while (end < c1 && this.versions[r * this.cols + end + 1] === area.frame) end++;
          const x = c * TILE_SIZE;
          const width = Math.min(right, (end + 1) * TILE_SIZE) - x;
          // The run right above, if it is the same columns, grows down instead.
          const above = byColumn[c - c0];
          if (above && above.width === width && above.y + above.height === y) above.height += height;
          else {
            const run = { x, y, width, height };
            cells.push(run);
            byColumn[c - c0] = run;
          }
          c = end;
        }
      }
      if (cells.length === 0) this.videoArea = null;
    }
    const same =
      cells.length === this.videoShown.length &&
      cells.every((s, i) => {
        const o = this.videoShown[i] as ScreenRect;
        return s.x === o.x && s.y === o.y && s.width === o.width && s.height === o.height;
      });
    if (same) return;
    this.videoShown = cells;
    const shown = this.videoArea;
    this.painter.video?.(shown ? { x: shown.x, y: shown.y, width: shown.width, height: shown.height } : null, cells);
  }

  /** Paints a message and, if all of it was painted, acknowledges it and counts its frame. */
  private take(message: TileMessage): void {
    if (!this.paint(message)) return;
    this.markPainted(message.seq);
    this.acknowledge(message.seq);
    const record = this.track(message.frame, message.parts);
    const received = record?.received;
    if (!received || received.has(message.part)) return;
    received.add(message.part);
    if (received.size < message.parts) return;
    (record as FrameRecord).received = null;
    this.counters.frames++;
  }

  /**
   * Whether every message the copy counts on (from its `after` up to its own number) has
   * been painted: only then does the source show what the agent copied from.
   */
  private settled(message: TileMessage): boolean {
    let after: number;
    try {
      after = copySource(message.tiles[0] as TileMessage['tiles'][number], {
        width: message.screenWidth,
        height: message.screenHeight,
      }).after;
    } catch {
      return true; // malformed: `paint` drops it
    }
    if (after > message.seq || message.seq - after > KEEP_PAINTED) return false;
    for (let s = after; s < message.seq; s++) if (!this.painted.has(s)) return false;
    return true;
  }

  /** Keeps a copy until the messages it counts on are painted (a few, for a while). */
  private hold(message: TileMessage): void {
    if (this.held.some((h) => h.message.seq === message.seq)) return;
    this.held.push({ message, at: this.now() });
    if (this.held.length > MAX_HELD) this.held.shift();
  }

  /** Applies the held copies that are now settled; forgets those held too long (the agent resends them). */
  private release(): void {
    if (this.held.length === 0) return;
    const now = this.now();
    this.held = this.held.filter((h) => now - h.at <= HOLD_MS);
    for (let i = 0; i < this.held.length; i++) {
      const h = this.held[i] as { message: TileMessage };
      if (!this.settled(h.message)) continue;
      this.held.splice(i, 1);
      this.take(h.message);
      i = -1; // a copy painted may settle another
    }
  }

  private markPainted(seq: number): void {
    if (seq < this.highestPainted - KEEP_PAINTED) return; // too old to matter
    this.painted.add(seq);
    if (seq > this.highestPainted) {
      this.highestPainted = seq;
      for (const old of this.painted) if (old < seq - KEEP_PAINTED) this.painted.delete(old);
    }
  }

  private sameSize(message: TileMessage): boolean {
    return this.size?.width === message.screenWidth && this.size.height === message.screenHeight;
  }

  /** Whether a new size may be taken now (see RESIZE_BURST); takes one if so. */
  private mayResize(): boolean {
    const now = this.now();
    if (this.resizedAt !== null) {
      this.resizeTokens = Math.min(RESIZE_BURST, this.resizeTokens + (now - this.resizedAt) / RESIZE_INTERVAL_MS);
    }
    this.resizedAt = now;
    if (this.resizeTokens < 1) return false;
    this.resizeTokens--;
    return true;
  }

  private resize(width: number, height: number, frame: number): void {
    this.size = { width, height };
    this.sizeFrame = frame;
    this.cols = Math.ceil(width / TILE_SIZE);
    // Every cell starts at the resizing frame: tiles from before it are never painted.
    this.versions = new Float64Array(this.cols * Math.ceil(height / TILE_SIZE)).fill(frame);
    this.painter.resize(width, height);
    this.videoArea = null;
    this.videoChanged = false;
    if (this.videoShown.length > 0) {
      this.videoShown = [];
      this.painter.video?.(null, []);
    }
  }

  /** The record of `frame` (created on its first part), or null for a frame too old to track. */
  private track(frame: number, parts: number): FrameRecord | null {
    if (frame > this.newest) {
      this.newest = frame;
      for (const old of this.recent.keys()) if (old < frame - FRAME_WINDOW) this.recent.delete(old);
    }
    if (frame < this.newest - FRAME_WINDOW) return null;
    let record = this.recent.get(frame);
    if (!record) {
      record = { parts, received: new Set() };
      this.recent.set(frame, record);
    }
    return record;
  }

  /** Paints the tiles of a message that are not older than their cells; false if one did not decode. */
  private paint(message: TileMessage): boolean {
    let whole = true;
    for (const tile of message.tiles) {
      // The cells the tile covers (one, but for a solid fill across cells).
      const c0 = Math.floor(tile.x / TILE_SIZE);
      const c1 = Math.floor((tile.x + tile.width - 1) / TILE_SIZE);
      const r0 = Math.floor(tile.y / TILE_SIZE);
      const r1 = Math.floor((tile.y + tile.height - 1) / TILE_SIZE);
      if (this.newerThan(message.frame, c0, c1, r0, r1)) {
        // A late tile: newer pixels cover part of it. Not painted, and not acknowledged, so
        // the agent sends the current pixels of its area again.
        whole = false;
        continue;
      }
      if (tile.encoding === 'copy') {
        if (!this.paintCopy(message, tile)) whole = false;
        continue;
      }
      if (tile.encoding === 'video') {
        // An area older than the current one is over: nothing to paint, and nothing the agent should resend.
        if (this.videoArea && this.videoArea.frame > message.frame) continue;
        this.videoArea = { x: tile.x, y: tile.y, width: tile.width, height: tile.height, frame: message.frame };
        this.videoChanged = true;
        this.mark(message.frame, c0, c1, r0, r1);
        this.counters.tiles++;
        continue;
      }
      try {
        const pixels = decodeTile(tile);
        if ('solid' in pixels) {
          const [r, g, b] = pixels.solid;
          this.painter.fill(tile.x, tile.y, tile.width, tile.height, r, g, b);
        } else {
          this.painter.put(pixels.rgba, tile.x, tile.y, tile.width, tile.height);
        }
      } catch (error) {
        this.counters.dropped++;
        // A stream that inflated past its tile (no honest agent sends one): the rest is not inflated.
        if (isInflateOverflow(error)) return false;
        whole = false;
        continue;
      }
      this.mark(message.frame, c0, c1, r0, r1);
      this.counters.tiles++;
      this.counters.lastPaintAt = this.now();
    }
    return whole;
  }

  /**
   * A scroll: copies the source rectangle unless a newer frame already painted a cell of the
   * source or the target (the agent then sends the target's pixels again).
   */
  private paintCopy(message: TileMessage, tile: TileMessage['tiles'][number]): boolean {
    let source: { x: number; y: number };
    try {
      source = copySource(tile, { width: message.screenWidth, height: message.screenHeight });
    } catch {
      this.counters.dropped++;
      return false;
    }
    const cells = (x: number, y: number) =>
      [
        Math.floor(x / TILE_SIZE),
        Math.floor((x + tile.width - 1) / TILE_SIZE),
        Math.floor(y / TILE_SIZE),
        Math.floor((y + tile.height - 1) / TILE_SIZE),
      ] as const;
    const [c0, c1, r0, r1] = cells(tile.x, tile.y);
    if (this.newerThan(message.frame, c0, c1, r0, r1) || this.newerThan(message.frame, ...cells(source.x, source.y))) {
      return false;
    }
    this.painter.copy(source.x, source.y, tile.x, tile.y, tile.width, tile.height);
    this.mark(message.frame, c0, c1, r0, r1);
    this.counters.tiles++;
    this.counters.lastPaintAt = this.now();
    return true;
  }

  /** Cells in columns c0…c1, rows r0…r1 now show `frame`; the video area's cells among them no longer show the video. */
  private mark(frame: number, c0: number, c1: number, r0: number, r1: number): void {
    for (let r = r0; r <= r1; r++) this.versions.fill(frame, r * this.cols + c0, r * this.cols + c1 + 1);
    const area = this.videoArea;
    if (
      area &&
      c1 * TILE_SIZE >= area.x &&
      c0 * TILE_SIZE < area.x + area.width &&
      r1 * TILE_SIZE >= area.y &&
      r0 * TILE_SIZE < area.y + area.height
    ) {
      this.videoChanged = true;
    }
  }

  /** Whether a cell in columns c0…c1, rows r0…r1 shows a frame newer than `frame`. */
  private newerThan(frame: number, c0: number, c1: number, r0: number, r1: number): boolean {
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) if ((this.versions[r * this.cols + c] as number) > frame) return true;
    }
    return false;
  }

  /** Sends (or, with a pacer, schedules) the ack of the highest message painted and of those painted among the 32 before it. */
  private acknowledge(seq: number): void {
    if (!this.pace) {
      this.sendAck();
      return;
    }
    this.unacked = Math.min(this.unacked ?? seq, seq);
    if (this.highestPainted - this.unacked >= MASK_BITS) {
      this.sendAck(); // one more would leave a painted message out of the mask
      return;
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.pace(() => {
      this.flushScheduled = false;
      if (this.unacked !== null) this.sendAck();
    });
  }

  private sendAck(): void {
    this.unacked = null;
    const highest = this.highestPainted;
    let mask = 0;
    for (let i = 0; i < MASK_BITS; i++) if (this.painted.has(highest - 1 - i)) mask |= 1 << i;
    this.transmit(packTileAck(highest, mask, TILE_RECEIVER_READS));
  }

  private transmit(data: Uint8Array<ArrayBuffer>): void {
    try {
      this.send(data);
    } catch {
      // The channel closed under us: nothing to tell the agent any more.
    }
  }
}
