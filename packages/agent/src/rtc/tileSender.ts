/**
 * @module rtc/tileSender
 * Sends the screen as damage tiles (protocol `tiles`) on an unordered data channel with
 * no retransmission, and recovers losses itself, faster than SCTP would:
 *
 * - A *frame* reads the current pixels of what changed and sends it. A changed rectangle
 *   that is one colour by then (a filled window, a selection, a button) goes as one solid
 *   fill, whatever its size; the others are cut along the 64-pixel grid, each cell keeping
 *   the bounding box of what changed in it, encoded as solid, palette or raw deflate.
 *   Nothing is sent while the screen is still.
 * - A *shadow* holds what the helper shows once everything sent has arrived. What is
 *   already there is not sent again, and a scroll (rows of the shadow moved up or down,
 *   `scroll.ts`) goes as one `copy` tile in a frame of its own, followed by the new rows
 *   only. The copy names the oldest message still in flight: the helper applies it only
 *   once it has painted every message from that one on, so its source is what the shadow
 *   says. A lost message leaves its area unknown in the shadow (never a copy source) until
 *   it is sent again, and a copy the helper could not apply is resent as pixels.
 * - The viewer acknowledges every message it painted. A new frame goes only while fewer
 *   than `maxInFlight` messages and `maxInFlightBytes` bytes wait for acknowledgement and
 *   the channel holds at most `highWater` bytes: a slow link or viewer gets fewer, larger
 *   frames (changes merge), never a growing queue (VNC's pull model), while small frames
 *   keep flowing on a long round trip (a click every 40 ms on an 80 ms path).
 * - A message is lost when a later one is acknowledged first (the channel keeps packet
 *   order on the wire) or when it stays unacknowledged for a retransmission timeout after
 *   it left the send buffer. Its tiles are marked dirty again, so what is resent is the
 *   current picture, never stale pixels, and only what that message carried.
 * - The timeout follows the measured round trip (srtt + 4 rttvar, as TCP). An ack that
 *   comes after its message was given up still measures the round trip (the resend went
 *   under a new number, so the sample is unambiguous), and each round of timeouts doubles
 *   the timeout until an ack comes in time. Without both, a viewer slower than the first
 *   timeout (a long path, a busy helper machine) never had an ack counted: every message
 *   was resent, and the resends kept it busier still.
 * - A message that fits in one small packet (a click, a caret, a menu highlight) is sent
 *   twice, so a single lost packet costs nothing, where a loss would cost much: before the
 *   round trip is known, on a long path (srtt ≥ 20 ms), and for 10 s after a loss (not one
 *   whose late ack came after all: the busy machine's pause that outlasted the timeout). On a
 *   short clean path a loss costs a few milliseconds of reordering grace, and the second
 *   copy was 45 % of the sends on a busy screen, each a call into libwebrtc.
 * - Where a small message would go twice, a frame whose last message is too long for that
 *   gets a *probe* behind it (a message with no tiles, `tiles.ts`), written once the message
 *   has left the send buffer (so never in its last packet) unless a newer frame went first:
 *   a lost packet of the message leaves the probe's ack ahead of the message's, which finds
 *   the loss a round trip after it left. Without it nothing came after a lone message to
 *   overtake it, and the loss waited for the timeout: the first picture (one message of up to
 *   16 KB, before any round trip is measured) cost 500 ms per lost packet, doubling each round.
 * - A *whole picture* (the first, a refresh, the picture after a path came back: every cell
 *   sent against a blank shadow) is what the helper waits for with nothing on screen, so where
 *   small messages go twice it also gets *parity* (`tiles.ts`) for a viewer that reads it: one
 *   parity message per {@link PARITY_GROUP} messages, all written behind the picture's last
 *   message, so a picture that arrives whole is not held back by them. A lost message is then
 *   rebuilt by the viewer when the parity arrives, instead of a round trip later through the
 *   probe or an ack that overtakes it and a resend. The price is a quarter more bytes for such
 *   a picture, once.
 * - *Bulk pacing*: large changes (a terminal pouring text, a page of new content: more
 *   than 256×256 pixels waiting) go at most at `bulkBytesPerSecond` on average (a token
 *   bucket: a burst of 64 KB, then that rate, and one frame's debt holds the next large one
 *   for at most 250 ms). Changes merge while held, so a scrolling terminal goes at fewer,
 *   exact frames. Small changes (a click, typing, a caret, a menu) are never held, and the
 *   whole picture (first frame, refresh, path back) starts with a full bucket.
 * - A *video area* (`setVideoArea`: a rectangle on the grid where the screen changes like a
 *   video, sent on the video track instead) is announced with a `video` tile and left out of
 *   every frame while it lasts: changes there are not sent, and the shadow says the helper
 *   has none of its pixels. When it ends (or moves), its cells are sent again as exact tiles,
 *   so the picture converges to the screen once the motion stops. A lost announcement is
 *   sent again only while its area is still the current one.
 * - A viewer that reads *screen* messages (`tiles.ts`) is told the screen's size in answer to
 *   its hello, when nothing was sent yet: its canvas is sized while the sharer reads the
 *   request, not inside the first picture's message.
 */
import { deflateRawSync } from 'node:zlib';
import {
  encodeTile,
  MAX_MESSAGE_BYTES,
  packTileMessage,
  packDeflatedTileMessage,
  packParity,
  packTileScreen,
  deflateTileRecords,
  MAX_INFLATED_MESSAGE_BYTES,
  MAX_MESSAGE_SCREENS,
  parseViewerTileMessage,
  TILE_MESSAGE_HEADER,
  TILE_SIZE,
  copyTile,
  tileWireSize,
  videoTile,
  onTileGrid,
  type Deflate,
  type EncodedTile,
  type TileMessage,
} from '@remote-help/protocol';
import type { Rect, ScreenFrame } from '../platform/types.js';
import { findScroll, type Pixels32 } from './scroll.js';
import { sameRect } from '../capture/rects.js';
import { trace } from '../trace.js';

/** The parts of a data channel the sender uses. */
export interface TileChannel {
  readonly readyState: string;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
}

export interface TileSenderOptions {
  /** Messages sent and not yet acknowledged above which no new frame goes (default 32). */
  maxInFlight?: number;
  /** Bytes sent and not yet acknowledged above which no new frame goes (default 96 KiB). */
  maxInFlightBytes?: number;
  /** Bytes queued in the channel above which nothing new is sent (default 64 KiB). */
  highWater?: number;
  /** Messages this small (bytes) are sent twice where a loss would cost much (default 400). */
  duplicateBelow?: number;
  /** The average rate of large changes, bytes per second (default 125,000: 1 Mbit/s; 0 = no pacing). */
  bulkBytesPerSecond?: number;
  /** Compresses one tile's body, for a viewer that reads only plain messages. */
  deflate?: Deflate;
  now?: () => number;
}

/** Counters for measurement and diagnostics. */
export interface TileSenderStats {
  frames: number;
  messages: number;
  tiles: Record<EncodedTile['encoding'], number>;
  bytes: number;
  duplicated: number;
  /** Probes sent behind a frame's last message (see `tiles.ts`). */
  probes: number;
  /** Parity messages sent behind whole pictures (see `tiles.ts`). */
  parity: number;
  /** Pictures encoded while held (`prepare`), whether or not they went out later. */
  prepared: number;
  lost: number;
  acked: number;
  /** Acks of messages already given up as lost (each also measures the round trip). */
  lateAcks: number;
  /** Times a large change waited for the bulk pacing. */
  paced: number;
  /** Current retransmission timeout, ms. */
  rtoMs: number;
  /** Smoothed round trip from leaving the send buffer to the acknowledgement, ms. */
  srttMs: number;
  encodeMsAvg: number;
}

/** One message of a packed frame, before it is written. */
interface PackedMessage {
  seq: number;
  head: Omit<TileMessage, 'tiles'>;
  bytes: Uint8Array;
  /** The tiles it carries: x, y, width, height each (video announcements left out). */
  carried: Uint16Array;
  /** The video area it announces, if any. */
  video: Rect | null;
}

/** A frame packed into messages, ready to be written; a whole picture gets parity behind it. */
interface PackedFrame {
  messages: PackedMessage[];
  wholePicture: boolean;
}

/** A message sent and not yet acknowledged. */
interface InFlight {
  seq: number;
  /** The tiles it carried: x, y, width, height each. */
  tiles: Uint16Array;
  sentAt: number;
  bytes: number;
  /** Total bytes written once this message was queued: it has left when that much is on the wire. */
  endOffset: number;
  /** The video area this message announced, if it did. */
  video: Rect | null;
  leftAt: number | null;
  /** When a later message was acknowledged before this one. */
  overtakenAt: number | null;
}

/**
 * Level 1 with a small window and hash table: a tile body is at most 64 × 64 × 3 bytes, and
 * zlib's defaults (32 KB window, 256 KB of hash chains) allocated ~384 KB outside the V8 heap
 * per tile, which drove garbage collections (the top item of a text profile). 8 KB and
 * 8 KB: a full 720p frame of mixed tiles encodes in 18.7 instead of 23–27 ms, 3 % smaller.
 * Any raw-deflate inflater reads it (the helper reads it with `inflateBounded`).
 */
const fastDeflate: Deflate = (data) => deflateRawSync(data, { level: 1, windowBits: 13, memLevel: 4 });

/**
 * A message's records, deflated together (a viewer that reads deflated messages): one call per
 * message instead of one per tile, and one window across its tiles, which finds what they share
 * (a terminal's rows repeat the same glyphs). On 30 frames of xterm pouring text (1280×720,
 * 128 two-colour tiles each), 18.1 KB a frame went per tile at level 1, 14.8 KB per message at
 * level 6, for 1.1 ms of deflate a frame. Messages with `raw` tiles (photographs, gradients: up
 * to 48 KB of RGB) go at level 1: level 6 costs several times more on such bytes and finds little
 * more. The window is no larger than the records (a click's message allocates a small one, not
 * zlib's 32 KB and its hash chains).
 */
function deflateMessage(data: Uint8Array, level: 1 | 6): Uint8Array {
  let windowBits = 9;
  while (windowBits < 15 && 1 << windowBits < data.length) windowBits++;
  return deflateRawSync(data, { level, windowBits, memLevel: Math.max(1, windowBits - 7) });
}
/** Tile records grouped into one deflated message before it is compressed (then split if it ends up too large). */
const DEFLATED_GROUP_BYTES = 48 * 1024;
/** How often the send buffer is looked at while a message waits in it (see `#schedule`). */
const POLL_MS = 4;
/**
 * A message sent when at most this much (its own bytes included) can be in the send buffer
 * counts as gone at once, without a look at the buffer: one packet's payload goes out as soon
 * as it is queued (SCTP's window is never below one packet, and acks of earlier messages prove
 * theirs left). On a busy screen nearly every frame is one such message, and the look 4 ms later
 * (a blocking call into libwebrtc's thread, with its own timer) was one per frame.
 */
const LEAVES_AT_ONCE_BYTES = 1200;
/** The longest sleep of the timer while messages are in flight. */
const MAX_CHECK_WAIT_MS = 1000;
/** The retransmission timeout before any round trip was measured (a first full screen takes a while to paint). */
const INITIAL_RTO_MS = 500;
/** Timeouts double up to this (or the measured timeout, if longer): a silent viewer is resent to at this pace. */
const MAX_RTO_MS = 4000;
/** The measured timeout never grows past this, whatever the round trips say. */
const MAX_MEASURED_RTO_MS = 30_000;
/** Messages given up as lost whose late acks are still recognised. */
const LATE_KEPT = 256;
/** Changed rectangles kept as they are, for solid fills; beyond that they go to the grid. */
const MAX_EXACT = 256;
/**
 * Screens' worth of grid cells one frame's fills may cover beyond one cell each, within the
 * viewer's MAX_MESSAGE_SCREENS for a message (which may also carry the video area, one screen):
 * layers of one-colour panels past it (a dialog over a window over the desktop is about two) go
 * to the grid instead, so that no honest frame is ever refused.
 */
const FILL_SCREENS = MAX_MESSAGE_SCREENS - 2;
/** Smaller rectangles go to the grid directly: a fill costs about as much as a tiny tile. */
const MIN_FILL_PIXELS = 256;
/** The bytes of a captured pixel that are colour (the fourth is padding), as a little-endian word. */
const PIXEL = 0xffffff;
/** A shadow pixel the helper may not have (never equal to a masked pixel). */
const UNKNOWN = 0xff000000;
/** The bulk pacing's burst (bytes), the longest it holds a large change after one frame (ms), and the smallest large change (pixels). */
const BULK_BURST_BYTES = 64 * 1024;
const BULK_MAX_HOLD_MS = 250;
const BULK_MIN_PIXELS = 256 * 256;
/** Messages of a whole picture one parity message covers (see the module description). */
export const PARITY_GROUP = 4;
/** Small messages go twice on a path with a round trip at least this long (ms), and this long after a loss (ms). */
const DUPLICATE_RTT_MS = 20;
const DUPLICATE_AFTER_LOSS_MS = 10_000;
/** Changed rectangles at least this wide and tall are checked for a scroll (the two largest). */
const SCROLL_MIN_WIDTH = 256;

/** The viewer's refreshes (the whole picture again) go at most once a second. */
const VIEWER_REFRESH_MS = 1000;
const SCROLL_MIN_HEIGHT = 96;

/** See the module description. */
export class TileSender {
  readonly #channel: TileChannel;
  readonly #maxInFlight: number;
  readonly #maxInFlightBytes: number;
  #inFlightBytes = 0;
  readonly #highWater: number;
  readonly #duplicateBelow: number;
  /**
   * Messages given up as lost in the last DUPLICATE_AFTER_LOSS_MS: number → when (`now()`
   * clock), oldest first. A late ack takes its message out: it was slow, not lost (a busy
   * machine's pause past the timeout), and a pause is no reason to send everything twice.
   */
  #losses = new Map<number, number>();
  /** Bulk pacing: bytes per ms (0: off), the bucket's bytes, when it was last filled, whether it holds changes. */
  readonly #bulkRate: number;
  #bulkTokens = BULK_BURST_BYTES;
  #bulkAt = 0;
  #heldByPace = false;
  readonly #deflate: Deflate;
  /** The viewer's acks say it reads deflated messages: tiles are encoded with stored bodies from then on. */
  #viewerReadsDeflated = false;
  /** The viewer's acks say it rebuilds a lost message from parity. */
  #viewerReadsParity = false;
  /** The screen's size went to the viewer ahead of the first picture (`#tellScreen`), or need not. */
  #screenTold = false;
  readonly #deflateRatios: DeflateRatios = { raw: 2, other: 3.5 };
  readonly #now: () => number;
  #image: ScreenFrame | null = null;
  /** The same pixels as 32-bit words (made once per captured frame). */
  #pixels: Pixels32 = { words: new Uint32Array(0), stride: 0, mask: PIXEL };
  #cols = 0;
  #rows = 0;
  /** Per cell, the box that changed: x0, y0, x1, y1 (screen pixels, end exclusive; empty when x1 = 0). */
  #dirty = new Uint16Array(0);
  #dirtyCount = 0;
  /** Changed rectangles that may go as solid fills (at most MAX_EXACT). */
  #exact: Rect[] = [];
  /** What the helper shows once everything sent has arrived (captured words masked with PIXEL, or UNKNOWN). */
  #shadow = new Uint32Array(0);
  /**
   * Every word of the shadow is UNKNOWN (a new picture, a refresh): nothing can be trimmed
   * or found scrolled against it, so the first frame skips comparing a whole screen with it.
   */
  #shadowBlank = true;
  #frame = 0;
  #seq = 0;
  #inFlight = new Map<number, InFlight>();
  /** Messages in flight that have not left the send buffer yet (`leftAt` null). */
  #unleft = 0;
  /** Bytes written known to have left the send buffer (when it was last read, or by an ack). */
  #onWireSeen = 0;
  #written = 0;
  #srtt: number | null = null;
  #rttvar = 0;
  /** Doubles with each round of timeouts, back to 1 when an ack comes in time. */
  #backoff = 1;
  /** Messages given up as lost, by number: when each left the buffer (or was sent). */
  #late = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  /** A refresh the viewer asked for too soon after the last, waiting its turn (`#viewerRefresh`). */
  #refreshTimer: NodeJS.Timeout | undefined;
  #lastViewerRefresh = -Infinity;
  /** When the timer fires (`now()` clock). */
  #timerAt = 0;
  /** The last `flush` found the channel's send buffer too full to add a frame. */
  #heldByBuffer = false;
  #closed = false;
  /** A whole picture encoded by `prepare`, written by the next `pushFrame`; nothing goes while it waits. */
  #prepared: PackedFrame | null = null;
  /** A shadow sized by `reserve` for the first frame (blank: every pixel unknown). */
  #reserved: { width: number; height: number; shadow: Uint32Array<ArrayBuffer> } | null = null;
  #holding = false;
  /** The probe due behind a frame's last message, once that has left (`#sendProbe`). */
  #probe: { behind: number; head: Omit<TileMessage, 'tiles'>; at: number } | null = null;
  /** Sharing is paused: nothing goes on the channel, not even resends. */
  #paused = false;
  /** The connection's path is dead (network change): nothing new is queued on the channel. */
  #pathDown = false;
  /** The video area (on the grid), its cells (first and last column and row), and whether its announcement is due. */
  #video: Rect | null = null;
  #videoCells = { c0: 0, c1: -1, r0: 0, r1: -1 };
  #videoDue = false;
  #stats = {
    frames: 0,
    messages: 0,
    tiles: { solid: 0, palette: 0, raw: 0, copy: 0, video: 0 },
    bytes: 0,
    duplicated: 0,
    probes: 0,
    parity: 0,
    prepared: 0,
    lost: 0,
    acked: 0,
    lateAcks: 0,
    paced: 0,
    encodeMs: 0,
  };

  constructor(channel: TileChannel, options: TileSenderOptions = {}) {
    this.#channel = channel;
    this.#maxInFlight = options.maxInFlight ?? 32;
    this.#maxInFlightBytes = options.maxInFlightBytes ?? 96 * 1024;
    this.#highWater = options.highWater ?? 64 * 1024;
    this.#duplicateBelow = options.duplicateBelow ?? 400;
    this.#bulkRate = Math.max(0, options.bulkBytesPerSecond ?? 125_000) / 1000;
    this.#deflate = options.deflate ?? fastDeflate;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Encodes the whole picture of `frame` and keeps it (the first picture only: nothing was
   * pushed before). The Allow is on its way to the server, so nothing may leave yet, but the
   * encoding (tens of ms for a screen) need not wait for the answer: the next `pushFrame`
   * writes it at once, then sends what changed since. Until then nothing goes on the channel,
   * whatever the viewer asks; `discardPrepared` forgets it if the session never starts.
   */
  prepare(frame: ScreenFrame): void {
    if (this.#closed || this.#image || this.#paused || this.#pathDown) return;
    this.#holding = true;
    this.#take(frame);
  }

  /** Forgets a prepared picture (see `prepare`): the sender is as if it had never seen a frame. */
  discardPrepared(): void {
    if (!this.#holding) return;
    this.#holding = false;
    this.#prepared = null;
    this.#image = null;
  }

  /**
   * Sizes the shadow for a screen of `width` × `height` before its first frame arrives (the
   * sharer reads the request meanwhile). A fresh shadow of a 1280×720 screen is 3.7 MB whose
   * pages the kernel hands over on first touch: ≈ 9 ms on this machine, on the first picture's
   * path unless done here. A first frame of another size makes its own.
   */
  reserve(width: number, height: number): void {
    if (this.#closed || this.#image || width <= 0 || height <= 0) return;
    if (this.#reserved?.width === width && this.#reserved.height === height) return;
    this.#reserved = { width, height, shadow: new Uint32Array(width * height).fill(UNKNOWN) };
  }

  /** Whether a prepared picture waits for the next `pushFrame`. */
  get prepared(): boolean {
    return this.#prepared !== null;
  }

  /** Takes a captured frame: its changed rectangles become dirty cells, read when they are sent. */
  pushFrame(captured: ScreenFrame): void {
    if (this.#closed) return;
    if (this.#holding) this.#release();
    this.#take(captured);
  }

  /** Writes the prepared picture, or where it cannot go now, sends the whole picture as soon as it can. */
  #release(): void {
    this.#holding = false;
    const prepared = this.#prepared;
    this.#prepared = null;
    if (prepared && !this.#paused && !this.#pathDown && this.#channel.readyState === 'open') {
      this.#write(prepared);
      return;
    }
    this.#shadow.fill(UNKNOWN);
    this.#shadowBlank = true;
    this.#markAll();
  }

  #take(captured: ScreenFrame): void {
    // Pixels are compared as 32-bit words: a buffer that does not start on a word boundary is copied once.
    const data = captured.data.byteOffset % 4 === 0 ? captured.data : captured.data.slice();
    // Made here in one shape, whatever the caller's frame is (the capture's, a copy, the warm-up's): the
    // compiled encoder is specialised to the hidden class of what it reads, and a frame of another class
    // made V8 throw that code away in the middle of the first picture after the warm-up (`--trace-deopt`).
    const frame: ScreenFrame = {
      width: captured.width,
      height: captured.height,
      data,
      stride: captured.stride,
      format: captured.format,
      changed: captured.changed,
      timestamp: captured.timestamp,
    };
    const resized = !this.#image || this.#image.width !== frame.width || this.#image.height !== frame.height;
    this.#image = frame;
    this.#pixels = {
      words: new Uint32Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength >> 2),
      stride: frame.stride >> 2,
      mask: PIXEL,
    };
    if (resized) {
      this.#cols = Math.ceil(frame.width / TILE_SIZE);
      this.#rows = Math.ceil(frame.height / TILE_SIZE);
      this.#dirty = new Uint16Array(this.#cols * this.#rows * 4);
      this.#dirtyCount = 0;
      this.#exact = [];
      const reserved = this.#reserved;
      this.#reserved = null;
      this.#shadow =
        reserved?.width === frame.width && reserved.height === frame.height
          ? reserved.shadow
          : new Uint32Array(frame.width * frame.height).fill(UNKNOWN);
      this.#shadowBlank = true;
      this.#inFlight.clear();
      this.#inFlightBytes = 0;
      this.#unleft = 0;
      this.#setVideo(null);
      this.#bulkTokens = BULK_BURST_BYTES;
      this.#markAll();
    } else if (!frame.changed) {
      this.#markAll();
    } else {
      for (const r of frame.changed) this.#change(r);
    }
    this.flush();
  }

  /** Sends every cell again (the viewer asked: it may have lost its picture). */
  refresh(): void {
    // While a prepared picture waits, the whole picture is about to go anyway.
    if (this.#closed || !this.#image || this.#holding) return;
    this.#shadow.fill(UNKNOWN); // the helper may have nothing (a new canvas)
    this.#shadowBlank = true;
    this.#bulkTokens = BULK_BURST_BYTES;
    this.#markAll();
    if (this.#video) this.#videoDue = true;
    this.flush();
  }

  /**
   * A refresh the viewer asked for: at once, but at most one per {@link VIEWER_REFRESH_MS}; one
   * asked for sooner goes when that time is up (however many were asked for meanwhile). Each
   * sends the whole picture with a full bucket, so a viewer asking without pause would otherwise
   * take the sharer's upload and CPU past every pacing.
   */
  #viewerRefresh(): void {
    if (this.#refreshTimer) return;
    const wait = this.#lastViewerRefresh + VIEWER_REFRESH_MS - this.#now();
    if (wait <= 0) {
      this.#lastViewerRefresh = this.#now();
      this.refresh();
      return;
    }
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      this.#lastViewerRefresh = this.#now();
      this.refresh();
    }, wait);
  }

  /** Whether changes wait for the bulk pacing (capture may slow down meanwhile). */
  get paced(): boolean {
    return this.#heldByPace && this.#pending();
  }

  /** The current video area, or null. */
  get videoArea(): Rect | null {
    return this.#video;
  }

  /**
   * Makes `area` (on the cell grid, or null for none) the video area: see the module
   * description. Cells of the previous area outside the new one are sent again as tiles.
   */
  setVideoArea(area: Rect | null): void {
    if (this.#closed || !this.#image) return;
    const old = this.#video;
    if (old && area && sameRect(old, area)) return;
    if (!old && !area) return;
    if (area && !onTileGrid(area, this.#image))
      throw new RangeError(`video area ${JSON.stringify(area)} is not on the grid`);
    this.#setVideo(area);
    if (old) {
      this.#unknown(old);
      this.#change(old); // what is outside the new area goes as tiles again
    }
    if (area) {
      this.#unknown(area);
      this.#videoDue = true;
      const { c0, c1, r0, r1 } = this.#videoCells;
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          const at = (r * this.#cols + c) * 4;
          if (this.#dirty[at + 2] === 0) continue;
          this.#dirty.fill(0, at, at + 4);
          this.#dirtyCount--;
        }
      }
      this.#exact = this.#exact.flatMap((r) => outside(r, area));
    }
    this.flush();
  }

  /**
   * Pauses (nothing is sent, changes are only remembered) or resumes sending; on resume
   * the whole current picture goes out again, as the helper's may be stale or cleared.
   */
  setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    if (!paused) this.refresh();
  }

  /**
   * The connection's path died (a network change) or came back. While it is down nothing is
   * queued: what would be sent could only pile up in the channel's buffer and go out late,
   * ahead of the current picture, on the new path. When it is back, every message still in
   * flight is given up at once (sent before or during the outage, it arrived or it never
   * will) and the timeout's doubling from the outage's silent rounds is forgotten: otherwise
   * they held back the new frames for up to the doubled timeout (4 s). The whole picture
   * goes again, as the helper may have missed any part of it.
   */
  setPathDown(down: boolean): void {
    if (this.#pathDown === down) return;
    this.#pathDown = down;
    if (down) return;
    const now = this.#now();
    for (const waiting of [...this.#inFlight.values()]) {
      this.#forget(waiting);
      this.#remember(waiting, now);
    }
    this.#backoff = 1;
    this.refresh();
  }

  /** A message from the viewer on the channel; throws `ProtocolError` for malformed ones. */
  handleMessage(data: ArrayBuffer | Uint8Array): void {
    const message = parseViewerTileMessage(data);
    if (message.kind === 'refresh') {
      this.#viewerRefresh();
      return;
    }
    if (message.readsDeflated) this.#viewerReadsDeflated = true;
    if (message.readsParity) this.#viewerReadsParity = true;
    if (message.readsScreen) this.#tellScreen();
    const now = this.#now();
    let newest: InFlight | undefined;
    let lateLeftAt: number | undefined;
    for (let i = -1; i < 32; i++) {
      if (i >= 0 && !(message.mask & (1 << i))) continue;
      const seq = message.seq - 1 - i;
      const done = this.#inFlight.get(seq);
      if (!done) {
        const leftAt = this.#late.get(seq);
        if (leftAt === undefined) continue;
        // Given up too early: its area was resent under a new number, this ack still measures the path.
        this.#late.delete(seq);
        this.#losses.delete(seq);
        this.#stats.lateAcks++;
        lateLeftAt = Math.max(lateLeftAt ?? leftAt, leftAt);
        continue;
      }
      this.#forget(done);
      // Its bytes and everything written before it have left (one stream: its send queue is in order).
      this.#onWireSeen = Math.max(this.#onWireSeen, done.endOffset);
      this.#stats.acked++;
      if (!newest || done.seq > newest.seq) newest = done;
    }
    if (lateLeftAt !== undefined && !newest) {
      this.#sampleRtt(now - lateLeftAt);
      this.#backoff = 1;
    }
    if (newest) {
      this.#sampleRtt(now - (newest.leftAt ?? newest.sentAt));
      this.#backoff = 1;
      for (const waiting of this.#inFlight.values()) {
        if (waiting.seq < newest.seq) waiting.overtakenAt ??= now;
      }
    }
    this.#check();
    this.flush();
    this.#sendProbe(now);
    // An overtaken message's reordering grace may end before the timer's next deadline.
    this.#schedule();
  }

  /**
   * Tells a viewer that reads screen messages the size of the picture to come, once, while
   * nothing was sent yet (the sharer reads the request: the size is known from `reserve` or
   * a prepared picture). Its canvas is sized then, not inside the first picture's message.
   * Only the size: no pixel leaves before the session is active.
   */
  #tellScreen(): void {
    if (this.#screenTold || this.#stats.messages > 0) return;
    const size = this.#image ?? this.#reserved;
    if (!size || this.#closed || this.#paused || this.#channel.readyState !== 'open') return;
    this.#screenTold = true;
    this.#channel.send(packTileScreen(size.width, size.height));
  }

  stats(): TileSenderStats {
    const s = this.#stats;
    return {
      frames: s.frames,
      messages: s.messages,
      tiles: { ...s.tiles },
      bytes: s.bytes,
      duplicated: s.duplicated,
      probes: s.probes,
      parity: s.parity,
      prepared: s.prepared,
      lost: s.lost,
      acked: s.acked,
      lateAcks: s.lateAcks,
      paced: s.paced,
      rtoMs: this.#rto(),
      srttMs: this.#srtt ?? 0,
      encodeMsAvg: s.frames ? s.encodeMs / s.frames : 0,
    };
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    this.#image = null;
    this.#reserved = null;
    this.#inFlight.clear();
    this.#inFlightBytes = 0;
    this.#unleft = 0;
  }

  /** The channel's send buffer now (and what it says has left). */
  #readBuffered(): number {
    const buffered = this.#channel.bufferedAmount;
    this.#onWireSeen = this.#written - buffered;
    return buffered;
  }

  #forget(message: InFlight): void {
    this.#inFlight.delete(message.seq);
    this.#inFlightBytes -= message.bytes;
    if (message.leftAt === null) this.#unleft--;
  }

  /** A message given up as lost: a late ack of it still measures the round trip from when it left (else `since`). */
  #remember(message: InFlight, since: number): void {
    this.#stats.lost++;
    this.#losses.set(message.seq, this.#now());
    if (this.#losses.size > LATE_KEPT) this.#losses.delete(this.#losses.keys().next().value as number);
    this.#late.set(message.seq, message.leftAt ?? since);
    if (this.#late.size > LATE_KEPT) this.#late.delete(this.#late.keys().next().value as number);
  }

  /** Sends a frame of the dirty cells if the viewer and the channel can take it. */
  flush(): void {
    const image = this.#image;
    if (this.#closed || this.#paused || this.#pathDown || !image || !this.#pending()) return;
    // Held (`prepare`): one picture is encoded, and nothing is written.
    if (this.#holding) {
      if (!this.#prepared) this.#encode(image, true);
      return;
    }
    if (this.#channel.readyState !== 'open') return;
    this.#heldByBuffer = false;
    if (
      this.#inFlight.size >= this.#maxInFlight ||
      (this.#inFlight.size > 0 && this.#inFlightBytes >= this.#maxInFlightBytes)
    ) {
      this.#schedule();
      return;
    }
    // Only this sender writes the channel: its buffer holds at most what was written since the
    // last look, so it is read (a call into libwebrtc's thread) only when that could be too much.
    if (this.#written - this.#onWireSeen > this.#highWater && this.#readBuffered() > this.#highWater) {
      this.#heldByBuffer = true;
      this.#schedule();
      return;
    }
    const t0 = this.#now();
    this.#heldByPace = false;
    if (this.#bulkRate > 0 && this.#refillBulk(t0) < 0 && this.#pendingPixels() >= BULK_MIN_PIXELS) {
      this.#heldByPace = true;
      this.#stats.paced++;
      this.#schedule();
      return;
    }
    const scroll = this.#scroll(image);
    if (scroll) {
      // Alone in its frame: tiles of the same frame could reach the helper first and change its source.
      // The shadow counts on every message still in flight: the helper applies the copy after them.
      this.#stats.tiles.copy++;
      const after = Math.min(this.#seq + 1, ...this.#inFlight.keys());
      this.#sendFrame(image, [copyTile(scroll.x, scroll.sy, scroll.x, scroll.y, scroll.width, scroll.height, after)]);
      this.#shadowCopy(scroll.x, scroll.sy, scroll.y, scroll.width, scroll.height);
    }
    this.#encode(image, false, t0);
    this.#schedule();
  }

  /**
   * Reads and encodes what is dirty into one frame; writes it, or with `hold` keeps it as the
   * prepared picture (see `prepare`). `t0`: when the work of the frame began (for `encodeMsAvg`).
   */
  #encode(image: ScreenFrame, hold: boolean, t0 = this.#now()): void {
    const tiles: EncodedTile[] = [];
    const wholePicture = this.#shadowBlank;
    const video = this.#videoDue ? this.#video : null;
    this.#videoDue = false;
    if (video) {
      tiles.push(videoTile(video.x, video.y, video.width, video.height));
      this.#stats.tiles.video++;
    }
    for (const { tile } of this.#fills(image)) {
      tiles.push(tile);
      this.#stats.tiles.solid++;
    }
    const dirty = this.#dirty;
    for (let at = 0; at < dirty.length; at += 4) {
      if (dirty[at + 2] === 0) continue;
      const box = this.#trim(
        image,
        dirty[at] as number,
        dirty[at + 1] as number,
        dirty[at + 2] as number,
        dirty[at + 3] as number,
      );
      dirty.fill(0, at, at + 4);
      if (!box) continue; // the helper has these pixels already
      const tile = encodeTile(
        image,
        box.x,
        box.y,
        box.width,
        box.height,
        this.#viewerReadsDeflated ? null : this.#deflate,
      );
      this.#stats.tiles[tile.encoding]++;
      tiles.push(tile);
    }
    this.#dirtyCount = 0;
    for (const t of tiles) if (t.encoding !== 'video') this.#shadowPut(image, t);
    this.#stats.encodeMs += this.#now() - t0;
    if (wholePicture)
      trace('tiles', () => `whole picture encoded: ${tiles.length} tiles in ${(this.#now() - t0).toFixed(1)} ms`);
    if (tiles.length === 0) return;
    const packed = this.#pack(image, tiles, wholePicture);
    if (hold) {
      this.#prepared = packed;
      this.#stats.prepared++;
    } else {
      this.#write(packed);
    }
  }

  /** The bucket of the bulk pacing, filled up to now (bytes; negative: large changes wait). */
  #refillBulk(now: number): number {
    this.#bulkTokens = Math.min(BULK_BURST_BYTES, this.#bulkTokens + (now - this.#bulkAt) * this.#bulkRate);
    this.#bulkAt = now;
    return this.#bulkTokens;
  }

  /** Pixels waiting to be sent (changed boxes of the cells and changed rectangles; overlaps counted twice). */
  #pendingPixels(): number {
    let pixels = 0;
    const dirty = this.#dirty;
    for (let at = 0; at < dirty.length; at += 4) {
      if (dirty[at + 2] === 0) continue;
      pixels +=
        ((dirty[at + 2] as number) - (dirty[at] as number)) * ((dirty[at + 3] as number) - (dirty[at + 1] as number));
    }
    for (const r of this.#exact) pixels += r.width * r.height;
    return pixels;
  }

  /** Whether a small message goes twice: where a lost one would cost much (see the module description). */
  #duplicating(now: number): boolean {
    if (this.#srtt === null || this.#srtt >= DUPLICATE_RTT_MS) return true;
    for (const [seq, at] of this.#losses) {
      if (now - at < DUPLICATE_AFTER_LOSS_MS) return true;
      this.#losses.delete(seq); // oldest first: the rest are younger
    }
    return false;
  }

  /** Sends one frame of tiles, in messages of at most MAX_MESSAGE_BYTES, and keeps them in flight. */
  #sendFrame(image: ScreenFrame, tiles: EncodedTile[]): void {
    this.#write(this.#pack(image, tiles, false));
  }

  /** Numbers a frame of tiles and packs it into messages of at most MAX_MESSAGE_BYTES. */
  #pack(image: ScreenFrame, tiles: EncodedTile[], wholePicture: boolean): PackedFrame {
    const frame = ++this.#frame;
    // Tiles with stored bodies were encoded for deflated messages (the viewer's acks asked for them).
    const deflated = tiles.some((t) => t.stored);
    const groups = deflated
      ? deflatedGroups(tiles, this.#deflateRatios)
      : groupIntoMessages(tiles).map((group) => ({ tiles: group, body: null }));
    const messages = groups.map(({ tiles: group, body }, part) => {
      const seq = ++this.#seq;
      const head = { seq, frame, part, parts: groups.length, screenWidth: image.width, screenHeight: image.height };
      const bytes = body ? packDeflatedTileMessage(head, group.length, body) : packTileMessage(head, group);
      const pixels = group.filter((t) => t.encoding !== 'video');
      const announced = group.find((t) => t.encoding === 'video');
      const carried = new Uint16Array(pixels.length * 4);
      pixels.forEach((t, i) => carried.set([t.x, t.y, t.width, t.height], i * 4));
      const video = announced
        ? { x: announced.x, y: announced.y, width: announced.width, height: announced.height }
        : null;
      return { seq, head, bytes, carried, video };
    });
    return { messages, wholePicture };
  }

  /**
   * Writes a packed frame on the channel and keeps its messages in flight; behind a whole
   * picture, its parity for a viewer that reads it (see the module description).
   */
  #write({ messages, wholePicture }: PackedFrame): void {
    this.#stats.frames++;
    const now = this.#now();
    const duplicating = this.#duplicating(now);
    let bytes = 0;
    messages.forEach(({ seq, head, bytes: message, carried, video }, i) => {
      this.#send(message);
      bytes += message.length;
      if (duplicating && message.length < this.#duplicateBelow) {
        this.#send(message);
        this.#stats.duplicated++;
      }
      this.#keep(seq, message.length, carried, video, now);
      // A last message too long to go twice gets a probe behind it instead (see `#sendProbe`).
      const last = i === messages.length - 1;
      this.#probe =
        last && duplicating && message.length >= this.#duplicateBelow ? { behind: seq, head, at: now } : null;
    });
    // Behind the whole picture, where a loss would cost much: written after its last message, never between.
    if (wholePicture && duplicating && this.#viewerReadsParity) {
      // One parity message per PARITY_GROUP of the picture's messages (numbered consecutively).
      for (let i = 0; i < messages.length; i += PARITY_GROUP) {
        const group = messages.slice(i, i + PARITY_GROUP);
        bytes += this.#send(
          packParity(
            (group[0] as PackedMessage).seq,
            group.map((m) => m.bytes),
          ),
        );
        this.#stats.parity++;
      }
    }
    if (this.#bulkRate > 0) {
      this.#refillBulk(now);
      this.#bulkTokens = Math.max(this.#bulkTokens - bytes, -BULK_MAX_HOLD_MS * this.#bulkRate);
    }
    if (wholePicture) trace('tiles', () => `whole picture written: ${messages.length} messages, ${bytes} bytes`);
  }

  /**
   * Sends the probe due behind a frame's last message (see `tiles.ts`) once that message has
   * left the send buffer and a poll has passed: written at once, it shared the message's last
   * packet when SCTP's window held both back, and a loss of that packet took both. Called after
   * `flush`: a newer frame that went instead does the probe's work (its ack overtakes), so the
   * probe is forgotten then, as once the message is acknowledged or lost.
   */
  #sendProbe(now: number): void {
    const probe = this.#probe;
    if (!probe) return;
    const behind = this.#inFlight.get(probe.behind);
    if (!behind || this.#paused || this.#pathDown) {
      this.#probe = null;
      return;
    }
    if (behind.leftAt === null || now - probe.at < POLL_MS) return;
    this.#probe = null;
    const message = packTileMessage({ ...probe.head, seq: ++this.#seq }, []);
    this.#send(message);
    this.#stats.probes++;
    this.#keep(this.#seq, message.length, new Uint16Array(0), null, now);
  }

  /** Keeps a message just written as in flight until its ack or its loss. */
  #keep(seq: number, bytes: number, tiles: Uint16Array, video: Rect | null, now: number): void {
    this.#inFlightBytes += bytes;
    // The buffer holds at most what was written since it was last seen to have left: one
    // packet's worth leaves at once, so the buffer is not polled for it (see LEAVES_AT_ONCE_BYTES).
    const leftAt = this.#written - this.#onWireSeen <= LEAVES_AT_ONCE_BYTES ? now : null;
    if (leftAt === null) this.#unleft++;
    this.#inFlight.set(seq, {
      seq,
      bytes,
      tiles,
      sentAt: now,
      endOffset: this.#written,
      leftAt, // null: counted in #unleft
      overtakenAt: null,
      video,
    });
  }

  /** A scroll in one of the two largest changed rectangles. */
  #scroll(image: ScreenFrame): ReturnType<typeof findScroll> {
    if (this.#shadowBlank) return null;
    const candidates = this.#exact
      .filter((r) => r.width >= SCROLL_MIN_WIDTH && r.height >= SCROLL_MIN_HEIGHT)
      // A rectangle of one colour is a fill, not a scroll (and costs one pass to tell).
      .filter((r) => solidColour(image, this.#pixels, r, []) === null)
      .sort((a, b) => b.width * b.height - a.width * a.height)
      .slice(0, 2);
    if (candidates.length === 0) return null;
    const now = this.#pixels;
    const shadow = { words: this.#shadow, stride: image.width, mask: 0xffffffff };
    for (const area of candidates) {
      const found = findScroll(now, shadow, area, image.height);
      if (found) return found;
    }
    return null;
  }

  /** Whether the helper has every pixel of `r` already (stops at the first that differs). */
  #unchanged(image: ScreenFrame, r: Rect): boolean {
    const now = this.#pixels;
    for (let y = r.y; y < r.y + r.height; y++) {
      const from = y * now.stride + r.x;
      const to = y * image.width + r.x;
      for (let i = 0; i < r.width; i++) {
        if (((now.words[from + i] as number) & PIXEL) !== this.#shadow[to + i]) return false;
      }
    }
    return true;
  }

  /** The shadow now has what tile `t` paints (a fill's colour, else the current pixels of its rectangle). */
  #shadowPut(image: ScreenFrame, t: EncodedTile): void {
    this.#shadowBlank = false;
    const w = image.width;
    if (t.encoding === 'solid') {
      const [r = 0, g = 0, b = 0] = t.payload;
      const word = image.format === 'bgra' ? (r << 16) | (g << 8) | b : (b << 16) | (g << 8) | r;
      for (let y = t.y; y < t.y + t.height; y++) this.#shadow.fill(word, y * w + t.x, y * w + t.x + t.width);
      return;
    }
    const now = this.#pixels;
    for (let y = t.y; y < t.y + t.height; y++) {
      const from = y * now.stride + t.x;
      const to = y * w + t.x;
      for (let i = 0; i < t.width; i++) this.#shadow[to + i] = (now.words[from + i] as number) & PIXEL;
    }
  }

  /** The shadow after a copy of rows `sy…` to `y…` (overlapping rows handled). */
  #shadowCopy(x: number, sy: number, y: number, width: number, height: number): void {
    const w = this.#image?.width ?? 0;
    const rows = Array.from({ length: height }, (_, i) => i);
    if (y > sy) rows.reverse();
    for (const i of rows) this.#shadow.copyWithin((y + i) * w + x, (sy + i) * w + x, (sy + i) * w + x + width);
  }

  /** The part of the box (screen pixels, end exclusive) whose pixels differ from the shadow, or null. */
  #trim(image: ScreenFrame, x0: number, y0: number, x1: number, y1: number): Rect | null {
    if (this.#shadowBlank) return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }; // every pixel differs
    const now = this.#pixels;
    const shadow = this.#shadow;
    let left = x1;
    let right = x0;
    let top = y1;
    let bottom = y0;
    for (let y = y0; y < y1; y++) {
      const from = y * now.stride;
      const to = y * image.width;
      for (let x = x0; x < x1; x++) {
        if (((now.words[from + x] as number) & PIXEL) === shadow[to + x]) continue;
        if (x < left) left = x;
        if (x >= right) right = x + 1;
        if (y < top) top = y;
        bottom = y + 1;
      }
    }
    return right > left ? { x: left, y: top, width: right - left, height: bottom - top } : null;
  }

  #send(message: Uint8Array): number {
    this.#channel.send(message);
    this.#written += message.length;
    this.#stats.messages++;
    this.#stats.bytes += message.length;
    return message.length;
  }

  #markAll(): void {
    const image = this.#image;
    if (image) this.#mark(0, 0, image.width, image.height);
  }

  /**
   * The changed rectangles that can go as solid fills, in the order they were drawn; the
   * others are cut along the grid. Rectangles drawn over each other in one frame (a dialog
   * over a window, twenty rectangles of a busy screen) are checked newest first, each one
   * only where no later fill will cover it: its fill is painted first and the later fills
   * over it, so together they give exactly the current pixels. A rectangle that later
   * fills cover entirely needs nothing at all.
   */
  #fills(image: ScreenFrame): { tile: EncodedTile }[] {
    const exact = this.#exact.splice(0);
    const fills: { tile: EncodedTile }[] = [];
    const later: Rect[] = [];
    // The cells the fills may cover beyond one each: the viewer refuses a message past
    // MAX_MESSAGE_SCREENS screens of them, and a message may also hold the video area (one screen).
    let beyond = FILL_SCREENS * Math.ceil(image.width / TILE_SIZE) * Math.ceil(image.height / TILE_SIZE);
    for (let i = exact.length - 1; i >= 0; i--) {
      const r = exact[i] as Rect;
      // Already at the helper (drawn again the same, or moved there by a scroll): nothing to send.
      if (this.#unchanged(image, r)) continue;
      const over = later.filter((f) => intersects(f, r));
      const colour = solidColour(image, this.#pixels, r, over);
      if (colour === 'covered') continue;
      const cells = cellsCovered(r) - 1;
      if (colour === null || cells > beyond) {
        // Not one colour, or more layers of fills than a message may carry: the grid sends its pixels.
        this.#mark(r.x, r.y, r.width, r.height);
        continue;
      }
      beyond -= cells;
      fills.push({ tile: { ...r, encoding: 'solid', payload: colour } });
      later.push(r);
    }
    return fills.reverse();
  }

  /** The helper may not have these pixels: the shadow says so until they are sent again. */
  #unknown(r: Rect): void {
    const w = this.#image?.width ?? 0;
    for (let y = r.y; y < r.y + r.height; y++) this.#shadow.fill(UNKNOWN, y * w + r.x, y * w + r.x + r.width);
  }

  #pending(): boolean {
    return this.#dirtyCount > 0 || this.#exact.length > 0 || this.#videoDue;
  }

  #setVideo(area: Rect | null): void {
    this.#video = area;
    this.#videoDue = false;
    this.#videoCells = area
      ? {
          c0: area.x / TILE_SIZE,
          c1: Math.ceil((area.x + area.width) / TILE_SIZE) - 1,
          r0: area.y / TILE_SIZE,
          r1: Math.ceil((area.y + area.height) / TILE_SIZE) - 1,
        }
      : { c0: 0, c1: -1, r0: 0, r1: -1 };
  }

  /** A changed rectangle: kept whole (it may be one colour when sent) or cut along the grid. */
  #change(r: Rect): void {
    const image = this.#image;
    if (!image) return;
    const x = Math.max(0, r.x);
    const y = Math.max(0, r.y);
    const width = Math.min(image.width, r.x + r.width) - x;
    const height = Math.min(image.height, r.y + r.height) - y;
    if (width <= 0 || height <= 0) return;
    const video = this.#video;
    if (video && intersects(video, { x, y, width, height })) {
      // The video track carries the area: only what lies outside it goes as tiles.
      for (const part of outside({ x, y, width, height }, video)) this.#change(part);
      return;
    }
    if (width * height >= MIN_FILL_PIXELS && this.#exact.length < MAX_EXACT) this.#exact.push({ x, y, width, height });
    else this.#mark(x, y, width, height);
  }

  /** Adds a changed rectangle (screen pixels) to the boxes of the cells it touches. */
  #mark(x: number, y: number, width: number, height: number): void {
    const image = this.#image;
    if (!image) return;
    const left = Math.max(0, x);
    const top = Math.max(0, y);
    const right = Math.min(image.width, x + width);
    const bottom = Math.min(image.height, y + height);
    if (right <= left || bottom <= top) return;
    const dirty = this.#dirty;
    const v = this.#videoCells;
    for (let r = Math.floor(top / TILE_SIZE); r <= Math.floor((bottom - 1) / TILE_SIZE); r++) {
      const cellTop = r * TILE_SIZE;
      const y0 = Math.max(top, cellTop);
      const y1 = Math.min(bottom, cellTop + TILE_SIZE);
      for (let c = Math.floor(left / TILE_SIZE); c <= Math.floor((right - 1) / TILE_SIZE); c++) {
        if (r >= v.r0 && r <= v.r1 && c >= v.c0 && c <= v.c1) continue; // the video track's
        const cellLeft = c * TILE_SIZE;
        const x0 = Math.max(left, cellLeft);
        const x1 = Math.min(right, cellLeft + TILE_SIZE);
        const at = (r * this.#cols + c) * 4;
        if (dirty[at + 2] === 0) {
          dirty.set([x0, y0, x1, y1], at);
          this.#dirtyCount++;
        } else {
          dirty[at] = Math.min(dirty[at] as number, x0);
          dirty[at + 1] = Math.min(dirty[at + 1] as number, y0);
          dirty[at + 2] = Math.max(dirty[at + 2] as number, x1);
          dirty[at + 3] = Math.max(dirty[at + 3] as number, y1);
        }
      }
    }
  }

  #sampleRtt(sample: number): void {
    const rtt = Math.max(0, sample);
    if (this.#srtt === null) {
      this.#srtt = rtt;
      this.#rttvar = rtt / 2;
    } else {
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - rtt);
      this.#srtt = 0.875 * this.#srtt + 0.125 * rtt;
    }
  }

  /** Marks frames that left the buffer, declares lost ones, and re-dirties their cells. */
  #check(): void {
    const now = this.#now();
    // Reading the send buffer is a call into libwebrtc's thread: only while a message may still be in it.
    const onWire = this.#unleft > 0 ? this.#written - this.#readBuffered() : 0;
    const srtt = this.#srtt ?? 100;
    const rto = this.#rto();
    const reorder = Math.min(srtt / 4, 10) + 1;
    let timeouts = 0;
    for (const waiting of [...this.#inFlight.values()]) {
      if (waiting.leftAt === null && waiting.endOffset <= onWire) {
        waiting.leftAt = now;
        this.#unleft--;
      }
      const overtaken = waiting.overtakenAt !== null && now - waiting.overtakenAt >= reorder;
      const timedOut = waiting.leftAt !== null && now - waiting.leftAt >= rto;
      if (!overtaken && !timedOut) continue;
      if (!overtaken) timeouts++;
      this.#forget(waiting);
      this.#remember(waiting, waiting.sentAt);
      if (waiting.video && this.#video && sameRect(waiting.video, this.#video)) this.#videoDue = true;
      const t = waiting.tiles;
      for (let i = 0; i < t.length; i += 4) {
        const lost = {
          x: t[i] as number,
          y: t[i + 1] as number,
          width: t[i + 2] as number,
          height: t[i + 3] as number,
        };
        this.#unknown(lost);
        this.#change(lost);
      }
    }
    // One round of timeouts, one doubling (however many messages it took).
    if (timeouts > 0) this.#backoff = Math.min(this.#backoff * 2, MAX_RTO_MS / INITIAL_RTO_MS);
  }

  /**
   * The retransmission timeout. Generous: a viewer busy painting a large update
   * acknowledges late, and a false loss sends that area again. Small messages do not wait
   * for it: they travel twice. Never below the measured round trip: a viewer that takes
   * 10 s to acknowledge (a starved helper machine: seen at 13–23 s under load) would
   * otherwise have every message given up after 4 s and its tiles sent again, each
   * resend lengthening the viewer's queue. Only the doubling of silent rounds is capped.
   */
  #rto(): number {
    const srtt = this.#srtt;
    const base =
      srtt === null
        ? INITIAL_RTO_MS
        : Math.min(Math.max(srtt + 4 * this.#rttvar, 1.5 * srtt, srtt + 25), MAX_MEASURED_RTO_MS);
    return Math.max(base, Math.min(base * this.#backoff, MAX_RTO_MS));
  }

  /**
   * Sets the timer for the next `#check` and `flush`: in `POLL_MS` while a message has not
   * left the send buffer or changes wait for the buffer to drain (only polling
   * `bufferedAmount` sees either, and reading it is a call into libwebrtc's thread), else at
   * the first deadline of the messages in flight (a retransmission timeout, or an overtaken
   * message's reordering grace). Acks call `#check` and `flush` themselves.
   */
  #schedule(): void {
    if (this.#closed) return;
    // Paused or on a dead path, changes wait for `setPaused`/`setPathDown`: no need to poll for them.
    if (this.#inFlight.size === 0 && (!this.#pending() || this.#paused || this.#pathDown)) return;
    const delay = this.#nextCheckIn();
    const at = this.#now() + delay;
    if (this.#timer && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#check();
      this.flush();
      this.#sendProbe(this.#now());
      this.#schedule();
    }, delay);
    this.#timer.unref();
  }

  /** Milliseconds until something may need doing without an ack (see `#schedule`). */
  #nextCheckIn(): number {
    if (this.#heldByBuffer && this.#pending() && !this.#paused && !this.#pathDown) return POLL_MS;
    if (this.#probe) return POLL_MS;
    const now = this.#now();
    const rto = this.#rto();
    const reorder = Math.min((this.#srtt ?? 100) / 4, 10) + 1;
    let wait = MAX_CHECK_WAIT_MS;
    // Held by the bulk pacing: until the bucket is back at zero.
    if (this.#heldByPace && this.#pending()) wait = Math.min(wait, -this.#refillBulk(now) / this.#bulkRate);
    for (const waiting of this.#inFlight.values()) {
      if (waiting.leftAt === null) return POLL_MS;
      wait = Math.min(wait, waiting.leftAt + rto - now);
      if (waiting.overtakenAt !== null) wait = Math.min(wait, waiting.overtakenAt + reorder - now);
    }
    return Math.max(POLL_MS, Math.ceil(wait));
  }
}

/**
 * The RGB bytes of the one colour of `r` outside the rectangles `except`, null if it has
 * several (stops at the first other pixel), or 'covered' if `except` covers all of it.
 * Compares whole pixels as 32-bit words, row by row over the spans `except` leaves open.
 */
function solidColour(
  image: ScreenFrame,
  pixels: Pixels32,
  r: Rect,
  except: readonly Rect[],
): Uint8Array | 'covered' | null {
  const { words, stride, mask } = pixels;
  let colour = 0;
  let found = false;
  const right = r.x + r.width;
  const bottom = r.y + r.height;
  // The covers that reach into `r`, once (no array per row: a busy screen checks thousands of rows a frame).
  const covers = except.filter((e) => e.y < bottom && e.y + e.height > r.y && e.x < right && e.x + e.width > r.x);
  for (let y = r.y; y < bottom; y++) {
    const row = y * stride;
    let x = r.x;
    while (x < right) {
      // Skip what a cover hides here; the span runs to the nearest cover starting after x, or the right edge.
      let end = right;
      let hidden = false;
      for (let k = 0; k < covers.length; k++) {
        const cover = covers[k] as Rect;
        if (y < cover.y || y >= cover.y + cover.height) continue;
        if (cover.x <= x && x < cover.x + cover.width) {
          x = cover.x + cover.width;
          hidden = true;
          break;
        }
        if (cover.x > x && cover.x < end) end = cover.x;
      }
      if (hidden) continue;
      let i = row + x;
      const stop = row + end;
      if (!found) {
        colour = (words[i] as number) & mask;
        found = true;
        i++;
      }
      for (; i < stop; i++) if (((words[i] as number) & mask) !== colour) return null;
      x = end;
    }
  }
  if (!found) return 'covered';
  const b0 = colour & 0xff;
  const b1 = (colour >>> 8) & 0xff;
  const b2 = (colour >>> 16) & 0xff;
  return image.format === 'bgra' ? Uint8Array.of(b2, b1, b0) : Uint8Array.of(b0, b1, b2);
}

/** The grid cells `r` lies in. */
function cellsCovered(r: Rect): number {
  return (
    (Math.floor((r.x + r.width - 1) / TILE_SIZE) - Math.floor(r.x / TILE_SIZE) + 1) *
    (Math.floor((r.y + r.height - 1) / TILE_SIZE) - Math.floor(r.y / TILE_SIZE) + 1)
  );
}

function intersects(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** The parts of `r` outside `hole` (at most four: above, below, left, right). */
function outside(r: Rect, hole: Rect): Rect[] {
  if (!intersects(r, hole)) return [r];
  const parts: Rect[] = [];
  const top = Math.max(r.y, hole.y);
  const bottom = Math.min(r.y + r.height, hole.y + hole.height);
  if (hole.y > r.y) parts.push({ x: r.x, y: r.y, width: r.width, height: hole.y - r.y });
  if (hole.y + hole.height < r.y + r.height) {
    parts.push({ x: r.x, y: hole.y + hole.height, width: r.width, height: r.y + r.height - hole.y - hole.height });
  }
  if (hole.x > r.x) parts.push({ x: r.x, y: top, width: hole.x - r.x, height: bottom - top });
  if (hole.x + hole.width < r.x + r.width) {
    parts.push({ x: hole.x + hole.width, y: top, width: r.x + r.width - hole.x - hole.width, height: bottom - top });
  }
  return parts;
}

/** Consecutive tiles grouped into messages of at most `MAX_MESSAGE_BYTES`. */
function groupIntoMessages(tiles: EncodedTile[]): EncodedTile[][] {
  const groups: EncodedTile[][] = [];
  let current: EncodedTile[] = [];
  let size = TILE_MESSAGE_HEADER;
  for (const tile of tiles) {
    const bytes = tileWireSize(tile);
    if (current.length > 0 && (size + bytes > MAX_MESSAGE_BYTES || current.length === 0xffff)) {
      groups.push(current);
      current = [];
      size = TILE_MESSAGE_HEADER;
    }
    current.push(tile);
    size += bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** How far each kind of records deflated lately (records ÷ deflated bytes), to size the next groups. */
interface DeflateRatios {
  /** Groups with raw RGB bodies (photographs: ≈ 1.5–3). */
  raw: number;
  /** Groups of palette, solid and copy records only (text: ≈ 3.5–4). */
  other: number;
}

/** What a deflated message aims at, below `MAX_MESSAGE_BYTES`: a group that deflates a little worse than the last still fits. */
const DEFLATED_TARGET_BYTES = 13 * 1024;

/**
 * Consecutive tiles (stored bodies) grouped into deflated messages of at most
 * `MAX_MESSAGE_BYTES`: a group grows while its records, divided by how far such records
 * deflated lately (`ratios`, updated here), stay under {@link DEFLATED_TARGET_BYTES}, and up to
 * {@link DEFLATED_GROUP_BYTES} of records. A group that still does not fit is split in two
 * until it does (a single tile always fits: a 64 × 64 raw body is 12 KiB before deflate);
 * without the estimate, photographic tiles were deflated two or three times each.
 */
function deflatedGroups(tiles: EncodedTile[], ratios: DeflateRatios): { tiles: EncodedTile[]; body: Uint8Array }[] {
  const out: { tiles: EncodedTile[]; body: Uint8Array }[] = [];
  const place = (group: EncodedTile[]): void => {
    const hasRaw = group.some((t) => t.encoding === 'raw');
    let records = 0;
    const body = deflateTileRecords(group, (bytes) => {
      records = bytes.length;
      return deflateMessage(bytes, hasRaw ? 1 : 6);
    });
    const ratio = Math.min(20, Math.max(1, records / Math.max(1, body.length)));
    if (hasRaw) ratios.raw = (ratios.raw + ratio) / 2;
    else ratios.other = (ratios.other + ratio) / 2;
    if (TILE_MESSAGE_HEADER + body.length <= MAX_MESSAGE_BYTES || group.length === 1) {
      out.push({ tiles: group, body });
      return;
    }
    const half = Math.ceil(group.length / 2);
    place(group.slice(0, half));
    place(group.slice(half));
  };
  const limit = Math.min(DEFLATED_GROUP_BYTES, MAX_INFLATED_MESSAGE_BYTES);
  let group: EncodedTile[] = [];
  let records = 0;
  let expected = 0;
  for (const tile of tiles) {
    const bytes = tileWireSize(tile);
    const guess = bytes / (tile.encoding === 'raw' ? ratios.raw : ratios.other);
    if (
      group.length > 0 &&
      (records + bytes > limit || expected + guess > DEFLATED_TARGET_BYTES || group.length === 0xffff)
    ) {
      place(group);
      group = [];
      records = 0;
      expected = 0;
    }
    group.push(tile);
    records += bytes;
    expected += guess;
  }
  if (group.length > 0) place(group);
  return out;
}

/**
 * Runs the tile encoder once over a made-up picture (fills, stripes, noise, then a change
 * and a scroll-sized area), sending nowhere. Called while the sharer reads the request
 * (ADR 0023), so that the first real frame after Allow runs compiled code instead of
 * waiting for the JIT. No screen pixel is read.
 */
export function warmUpTileEncoder(): void {
  const width = 320;
  const height = 192;
  const stride = width * 4;
  const data = new Uint8Array(stride * height);
  let seed = 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * stride + x * 4;
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const value = x < 96 ? 0x3060a0 : x < 192 ? (((x >> 1) + y) % 3 === 0 ? 0x202020 : 0xf0f0f0) : seed >>> 8;
      data[p] = value & 0xff;
      data[p + 1] = (value >> 8) & 0xff;
      data[p + 2] = (value >> 16) & 0xff;
    }
  }
  // A rectangle whose fields are written after it was made, as the capture's are: V8 tracks, per
  // hidden class, whether a field ever changed, and compiles readers of `{ x, y, width, height }`
  // objects that rely on it never having changed. The capture's first writes (at Allow) then threw
  // the encoder's compiled code away in the middle of the first picture (`--trace-deopt`: "code
  // dependencies"; 25 ms instead of 8 for a 1280×720 picture here).
  const rect: Rect = { x: 0, y: 0, width: 1, height: 1 };
  rect.x = rect.y = 1;
  rect.width = rect.height = 2;
  // V8 compiles the hot loops with its optimizing tier only after a few runs: one run left the
  // first real frame at about twice the time of the next ones (1280×720: 69 vs 31 ms).
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    const sender = new TileSender({ readyState: 'open', bufferedAmount: 0, send: () => undefined });
    // A fractional timestamp, as the capture's: a whole number here would have the field's
    // representation change at the first real frame, and the compiled code with it.
    const timestamp = performance.now() + 0.5;
    const frame: ScreenFrame = { width, height, data: data.slice(), stride, format: 'bgra', timestamp };
    sender.pushFrame(frame);
    frame.data.copyWithin(0, stride * 8); // everything moves up 8 rows: a scroll
    sender.pushFrame({ ...frame, changed: [{ x: 0, y: 0, width, height }] });
    sender.close();
  }
}

/** Runs of the warm-up (≈ 90 ms of CPU in all on the development machine, before Allow). */
const WARM_UP_ROUNDS = 5;
